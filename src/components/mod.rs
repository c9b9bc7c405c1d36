//! Components shared by every page.

mod field;
mod layout;

pub use field::Field;
pub use layout::Layout;
