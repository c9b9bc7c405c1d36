//! One module per page of the app.

mod dashboard;
mod flash_demo;
mod home;
mod inspector;
mod login;
mod not_found;
mod register;
mod settings;

pub use dashboard::DashboardPage;
pub use flash_demo::FlashDemoPage;
pub use home::HomePage;
pub use inspector::SessionPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use register::RegisterPage;
pub use settings::SettingsPage;
