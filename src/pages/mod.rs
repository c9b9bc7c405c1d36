//! One module per page of the app.

mod flash_demo;
mod home;
mod not_found;

#[cfg(feature = "ssr")]
pub use flash_demo::ssr::flash_demo_now;
pub use flash_demo::{FlashCustom, FlashDemo, FlashDemoPage, flash_custom, flash_demo};
pub use home::HomePage;
pub use not_found::NotFound;
