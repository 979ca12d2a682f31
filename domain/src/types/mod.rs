//! Validated values, parsed once at the edge. Holding one means it is valid.

mod display_name;
mod email;
mod geo;
mod login;
mod password;
mod phone;
mod role;

pub use display_name::DisplayName;
pub use email::Email;
pub use geo::{EARTH_RADIUS_M, GeoPoint};
pub use login::LoginId;
pub use password::NewPassword;
pub use phone::Phone;
pub use role::Role;
