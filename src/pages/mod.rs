//! One module per page of the app.

mod home;
mod not_found;

pub use home::HomePage;
pub use not_found::NotFound;
