//! sea-orm entities: one module per table. The schema itself lives in the `migrations` crate.

pub mod account;
pub mod application;
pub mod application_event;
pub mod audit_entry;
pub mod business;
pub mod business_member;
pub mod consent;
pub mod fair;
pub mod fair_application;
pub mod fair_booth;
pub mod fair_booth_posting;
pub mod fair_booth_visit;
pub mod fair_registration;
pub mod fair_visit;
pub mod invitation;
pub mod job_match;
pub mod lexicon_entry;
pub mod matcher_state;
pub mod notification;
pub mod outbox_event;
pub mod posting;
pub mod push;
pub mod refresh_token;
pub mod seeker_profile;
pub mod webhook_endpoint;
