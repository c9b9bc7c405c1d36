//! Components shared by every page.

mod layout;

pub use layout::Layout;
