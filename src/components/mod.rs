//! Components shared by every page: the layout and its navigation links, form fields and the error summary, the
//! language switch, a page's title and description, dates, and the page's script
//! (`PageScripts`, the one island of every page).

mod error_summary;
mod field;
mod language;
mod layout;
mod nav_link;
mod page_meta;
mod page_scripts;
mod time;

pub use error_summary::ErrorSummary;
pub use field::Field;
pub use language::{LanguageChoice, LanguageSwitch};
pub use layout::Layout;
pub use nav_link::NavLink;
pub use page_meta::PageMeta;
pub use page_scripts::PageScripts;
pub use time::Time;
