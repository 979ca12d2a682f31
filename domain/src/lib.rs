//! Doorstep's domain: validated types, database entities and the business rules of the
//! marketplace. Nothing here knows about HTTP; the `api` crate parses requests into these
//! types, calls these functions and maps [`DomainError`] to responses in one place.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod businesses;
pub mod credentials;
pub mod db;
pub mod entities;
pub mod error;
pub mod gigs;
pub mod inbox;
pub mod invitations;
pub mod leases;
pub mod lexicon;
pub mod outbox;
pub mod pagination;
pub mod postings;
pub mod privacy;
pub mod profiles;
pub mod requirements;
pub mod schedule_classes;
pub mod time;
pub mod types;
pub mod webhooks;

pub use error::{DomainError, FieldError, Invalid, ValidationErrors};
