//! Components shared by every page: the layout, form fields and the error summary, the
//! language switch, a page's title and description, dates, and focus for in-page links.

mod error_summary;
mod field;
mod focus;
mod language;
mod layout;
mod page_meta;
mod time;

pub use error_summary::ErrorSummary;
pub use field::Field;
pub use focus::focus_on_click;
pub use language::{LanguageChoice, LanguageSwitch};
pub use layout::Layout;
pub use page_meta::PageMeta;
pub use time::Time;
