//! sea-orm entities: one module per table. The schema itself lives in the `migrations` crate.

pub mod account;
pub mod refresh_token;
