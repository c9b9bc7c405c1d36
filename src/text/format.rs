//! Dates and durations in a language's words. Formatted on the server, in the viewer's language;
//! the browser shows what it was sent (no calendar code in the WebAssembly).

use serde::{Deserialize, Serialize};

/// A moment as a page shows it: `datetime` is the machine-readable value of `<time datetime>`
/// (ISO 8601, UTC), `shown` the words in the viewer's language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub datetime: String,
    pub shown: String,
}

#[cfg(feature = "ssr")]
pub use ssr::{format_duration, format_time, iso_time};

#[cfg(feature = "ssr")]
mod ssr {
    use tower_sessions::cookie::time::OffsetDateTime;

    use super::{
        super::{Lang, t},
        Stamp,
    };

    impl Stamp {
        /// `unix` (seconds) in `lang`; `-` for a moment outside the calendar.
        pub fn at(unix: i64, lang: Lang) -> Self {
            Self {
                datetime: iso_time(unix),
                shown: format_time(unix, lang),
            }
        }
    }

    /// Unix seconds as a date and time in `lang`, to the minute, in UTC: `1 Dec 2026, 05:27
    /// UTC`, `2026年12月1日 05:27（UTC）`.
    pub fn format_time(unix: i64, lang: Lang) -> String {
        let Ok(at) = OffsetDateTime::from_unix_timestamp(unix) else {
            return "-".to_owned();
        };
        let text = t(lang);
        let month = u8::from(at.month());
        // The numbers side by side in one buffer, each placeholder a slice of it (a page shows
        // a few dates, each once formatted with `to_string` and `format!` per number).
        let mut numbers = String::with_capacity(24);
        push_year(&mut numbers, at.year());
        let year = numbers.len();
        push_number(&mut numbers, month.into(), 1);
        let m = numbers.len();
        push_number(&mut numbers, at.day().into(), 1);
        let day = numbers.len();
        push_number(&mut numbers, at.hour().into(), 2);
        numbers.push(':');
        push_number(&mut numbers, at.minute().into(), 2);
        super::super::fill(
            text.date_time,
            &[
                ("year", &numbers[..year]),
                ("month", text.months[usize::from(month) - 1]),
                ("m", &numbers[year..m]),
                ("day", &numbers[m..day]),
                ("time", &numbers[day..]),
            ],
        )
    }

    /// Unix seconds as ISO 8601 in UTC, to the second (`2026-12-01T05:27:44Z`); empty outside
    /// the calendar.
    pub fn iso_time(unix: i64) -> String {
        let Ok(at) = OffsetDateTime::from_unix_timestamp(unix) else {
            return String::new();
        };
        let mut iso = String::with_capacity(20);
        push_year(&mut iso, at.year());
        for (separator, number) in [
            ('-', u8::from(at.month())),
            ('-', at.day()),
            ('T', at.hour()),
            (':', at.minute()),
            (':', at.second()),
        ] {
            iso.push(separator);
            push_number(&mut iso, number.into(), 2);
        }
        iso.push('Z');
        iso
    }

    /// `n` in decimal, with leading zeros up to `width` digits.
    fn push_number(out: &mut String, mut n: u32, width: usize) {
        let mut digits = [b'0'; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        start = start.min(digits.len().saturating_sub(width));
        out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
    }

    /// A year as `{}` writes it: no padding, a minus before the years before 1 BC.
    fn push_year(out: &mut String, year: i32) {
        if year < 0 {
            out.push('-');
        }
        push_number(out, year.unsigned_abs(), 1);
    }

    /// A length of time in `lang`, in its whole days, hours, minutes and seconds (the parts that
    /// are not zero): `30 minutes`, `1 hour 30 minutes`, `14 天`.
    pub fn format_duration(seconds: u64, lang: Lang) -> String {
        let text = t(lang);
        let parts = [
            (seconds / 86_400, &text.days),
            (seconds % 86_400 / 3_600, &text.hours),
            (seconds % 3_600 / 60, &text.minutes),
            (seconds % 60, &text.seconds),
        ];
        let words: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, unit)| unit.of(*n, lang))
            .collect();
        if words.is_empty() {
            text.seconds.of(0, lang)
        } else {
            words.join(text.duration_join)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn times_are_written_in_each_language_and_as_iso() {
            let unix = 1_796_101_509; // 2026-12-01 05:05:09 UTC
            assert_eq!(format_time(unix, Lang::En), "1 Dec 2026, 05:05 UTC");
            assert_eq!(format_time(unix, Lang::ZhCn), "2026年12月1日 05:05（UTC）");
            assert_eq!(iso_time(unix), "2026-12-01T05:05:09Z");
            assert_eq!(format_time(i64::MAX, Lang::En), "-");
            assert_eq!(iso_time(i64::MIN), "");
        }

        #[test]
        fn numbers_are_written_as_format_writes_them() {
            // From the earliest moment the calendar has to the latest, the years before 1000
            // and before 1 BC among them.
            for unix in [
                -377_705_116_800,
                -62_198_755_200,
                -30_000_000_000,
                -1,
                0,
                59,
                1_796_101_509,
                253_402_300_799,
            ] {
                let at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
                let expected = format!(
                    "{}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    at.year(),
                    u8::from(at.month()),
                    at.day(),
                    at.hour(),
                    at.minute(),
                    at.second()
                );
                assert_eq!(iso_time(unix), expected);
                let shown = format!(
                    "{} {} {}, {:02}:{:02} UTC",
                    at.day(),
                    t(Lang::En).months[usize::from(u8::from(at.month())) - 1],
                    at.year(),
                    at.hour(),
                    at.minute()
                );
                assert_eq!(format_time(unix, Lang::En), shown);
            }
        }

        #[test]
        fn durations_use_each_languages_plural() {
            assert_eq!(format_duration(1800, Lang::En), "30 minutes");
            assert_eq!(format_duration(60, Lang::En), "1 minute");
            assert_eq!(format_duration(5400, Lang::En), "1 hour 30 minutes");
            assert_eq!(format_duration(14 * 86_400, Lang::En), "14 days");
            assert_eq!(format_duration(86_401, Lang::En), "1 day 1 second");
            assert_eq!(format_duration(0, Lang::En), "0 seconds");
            assert_eq!(format_duration(1800, Lang::ZhCn), "30 分钟");
            assert_eq!(format_duration(5400, Lang::ZhCn), "1 小时 30 分钟");
        }
    }
}
