//! Components shared by every page: the layout, form fields, the language switch, a page's
//! title and description, and dates.

mod field;
mod language;
mod layout;
mod page_meta;
mod time;

pub use field::Field;
pub use language::{LanguageChoice, LanguageSwitch};
pub use layout::Layout;
pub use page_meta::PageMeta;
pub use time::Time;
