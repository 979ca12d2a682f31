//! Doorstep's domain: validated types, database entities and the business rules of the
//! marketplace. Nothing here knows about HTTP; the `api` crate parses requests into these
//! types, calls these functions and maps [`DomainError`] to responses in one place.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod businesses;
pub mod codes;
pub mod console_sessions;
pub mod credentials;
pub mod csv;
pub mod db;
pub mod districts;
pub mod entities;
pub mod error;
pub mod error_codes;
pub mod fairs;
pub mod gigs;
pub mod html;
pub mod inbox;
pub mod invitations;
pub mod jobs;
pub mod leases;
pub mod lexicon;
pub mod matches;
pub mod outbox;
pub mod pagination;
pub mod postings;
pub mod privacy;
pub mod profiles;
pub mod requirements;
pub mod schedule_classes;
pub mod service_records;
pub mod signed_token;
pub mod text_rules;
pub mod time;
pub mod types;
pub mod webhooks;
pub mod wechat_accounts;
// The gig workers' community: stations, trainings, reports, points, wishes.
pub mod community_privacy;
pub mod content_reviews;
pub mod conversations;
pub mod mail_queue;
pub mod media;
pub mod points;
pub mod reports;
pub mod stations;
pub mod trainings;
pub mod wechat_push;
pub mod wishes;
// Officer services (issue 11).
pub mod figures;
// Issue 25: complaints.
pub mod complaints;
pub mod retention;
// Trust and compliance (issue 25): real names.
pub mod business_verification;
pub mod identity;
// Trust and compliance (issue 25): posting screening.
pub mod screening;

pub use error::{DomainError, FieldError, Invalid, ValidationErrors};
pub use error_codes::{ErrorCode, Language};
