//! Authentication: password hashing, access tokens (JWT) and refresh-token sessions.

pub mod password;
pub mod session;
pub mod tokens;

pub use session::{Principal, Session};
pub use tokens::{AccessClaims, KeySet, TokenError, TokenService, TokenSettings};
