//! One module per page of the app.

mod account;
mod dashboard;
mod flash_demo;
mod home;
mod inspector;
mod login;
mod not_found;
mod password_reset;
mod register;
mod settings;

pub use account::AccountPage;
pub use dashboard::DashboardPage;
pub use flash_demo::FlashDemoPage;
pub use home::HomePage;
pub use inspector::SessionPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use register::RegisterPage;
pub use settings::SettingsPage;
