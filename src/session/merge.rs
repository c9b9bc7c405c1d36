//! Saves that merge the keys a request changed into a newer version of the record, so that
//! no request undoes another's session change.
//!
//! tower-sessions saves a session as one blob, so of two requests of one browser that loaded
//! the same record, the one that saves last would write back its whole copy, undoing what the
//! other saved meanwhile (preferences saved while a slower page view, which then writes its
//! `last_seen`, was in flight). Here every record row has a version, counted up by each save.
//! The store keeps what it loaded ([`Loaded`]: the version and the data) in the record under
//! [`STORED_KEY`]; a save writes only if the row still has that version, and otherwise loads
//! the row again, applies the keys this request changed (set or removed) to it, and tries
//! again. So each key ends with the value of the request that last changed it.
//!
//! One limit: `save` cannot note the version it wrote in the record (it gets it read-only), so
//! a request that saves an existing session twice (an explicit `session.save()`, then the
//! middleware's save) merges its second save against its own first one and re-applies all it
//! changed since the load over what others wrote in between. Nothing in the app saves an
//! existing session explicitly; a new one (`SessionStore::create`) notes its version.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_sessions::session::Record;

/// The record key of what the store loaded; reserved, never stored.
pub(super) const STORED_KEY: &str = "_stored";

/// What a request loaded: the row's version and its data then.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Loaded {
    pub version: i64,
    pub data: HashMap<String, Value>,
}

/// Remembers in `record` that it was loaded (or written) as `version` with its present data.
pub(super) fn remember(record: &mut Record, version: i64) {
    record.data.remove(STORED_KEY);
    // `Loaded` as `serde_json::to_value` writes it, with the data copied once (`to_value` of a
    // `Loaded` holding a clone of the data copied every value twice, on every page view).
    let data = record
        .data
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let loaded = serde_json::Map::from_iter([
        ("version".to_owned(), Value::from(version)),
        ("data".to_owned(), Value::Object(data)),
    ]);
    record
        .data
        .insert(STORED_KEY.to_owned(), Value::Object(loaded));
}

/// What a request changed in a record: keys set to a new value, and keys removed.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Changes(Vec<(String, Option<Value>)>);

impl Changes {
    /// Applies the changes to `data` (a newer version of the record's data).
    pub fn apply(&self, data: &mut HashMap<String, Value>) {
        for (key, value) in &self.0 {
            match value {
                Some(value) => data.insert(key.clone(), value.clone()),
                None => data.remove(key),
            };
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `key` is all that changed.
    pub fn only(&self, key: &str) -> bool {
        matches!(self.0.as_slice(), [(changed, _)] if changed == key)
    }
}

/// The version `record` was loaded as and what has changed since, with `data` as it is now
/// (without the reserved keys); `None` for a record the store did not load (then the save
/// writes it whole).
pub(super) fn changes(record: &Record, data: &HashMap<String, Value>) -> Option<(i64, Changes)> {
    let loaded: Loaded = serde_json::from_value(record.data.get(STORED_KEY)?.clone()).ok()?;
    let mut changes: Vec<(String, Option<Value>)> = data
        .iter()
        .filter(|(key, value)| loaded.data.get(*key) != Some(value))
        .map(|(key, value)| (key.clone(), Some(value.clone())))
        .collect();
    changes.extend(
        loaded
            .data
            .keys()
            .filter(|key| !data.contains_key(*key))
            .map(|key| (key.clone(), None)),
    );
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    Some((loaded.version, Changes(changes)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tower_sessions::{cookie::time::OffsetDateTime, session::Id};

    use super::*;

    fn record(data: &[(&str, Value)]) -> Record {
        Record {
            id: Id::default(),
            data: data
                .iter()
                .map(|(key, value)| ((*key).to_owned(), value.clone()))
                .collect(),
            expiry_date: OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn only_the_keys_a_request_changed_are_applied_to_a_newer_version() {
        let mut mine = record(&[("a", json!(1)), ("b", json!(2)), ("c", json!(3))]);
        remember(&mut mine, 7);
        // This request changes `a`, removes `c`, adds `d`, and leaves `b` alone.
        mine.data.insert("a".into(), json!(10));
        mine.data.remove("c");
        mine.data.insert("d".into(), json!(4));
        let mut now = mine.data.clone();
        now.remove(STORED_KEY);
        let (version, changes) = changes(&mine, &now).unwrap();
        assert_eq!(version, 7);
        // Meanwhile another request saved `b` (and `c`).
        let mut newer: HashMap<String, Value> =
            [("a", json!(1)), ("b", json!(20)), ("c", json!(30))]
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect();
        changes.apply(&mut newer);
        let mut keys: Vec<_> = newer.iter().collect();
        keys.sort_by_key(|(key, _)| *key);
        assert_eq!(
            keys,
            [
                (&"a".to_owned(), &json!(10)),
                (&"b".to_owned(), &json!(20)),
                (&"d".to_owned(), &json!(4))
            ]
        );
    }

    #[test]
    fn a_record_the_store_did_not_load_has_no_changes_to_merge() {
        let fresh = record(&[("a", json!(1))]);
        assert!(changes(&fresh, &fresh.data).is_none());
    }
}
