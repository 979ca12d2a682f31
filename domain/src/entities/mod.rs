//! sea-orm entities: one module per table. The schema itself lives in the `migrations` crate.

pub mod account;
pub mod application;
pub mod application_event;
pub mod audit_entry;
pub mod business;
pub mod business_member;
pub mod consent;
pub mod favourite_worker;
pub mod gig_notice;
pub mod gig_option;
pub mod gig_setting;
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
pub mod shift;
pub mod shift_change;
pub mod shift_claim;
pub mod shift_rating;
pub mod webhook_endpoint;
