//! Black-box tests: the real server on a random port, called over HTTP. One binary with
//! one module per area links once. Every test runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

mod access;
mod api_surface;
mod applications;
mod auth;
mod backup;
mod businesses;
mod codes;
// Issue 25.
mod complaints;
mod console;
mod console_desk;
mod console_fairs;
mod console_figures;
mod conventions;
mod conversation_records;
mod conversations;
mod coordinates;
mod demo;
mod districts;
mod error_codes;
mod fair_checkin;
mod fair_hiring;
mod fair_registrations;
mod fairs;
mod gigs;
mod gigs_claims;
mod gigs_work;
mod invitations;
mod jobs;
mod match_ladder;
mod matching;
mod messages;
mod operations;
mod outbox;
mod passwords;
mod phones;
mod postings;
mod privacy;
mod profiles;
mod realtime;
mod screening;
mod search;
mod search_quality;
mod signup_limits;
mod tokens;
mod tour;
mod wechat_push;
// The gig workers' community.
mod figures;
mod points;
mod reports;
mod stations;
mod trainings;
mod wechat_accounts;
// Officer services (issue 11).
mod audit;
mod retention;
mod route_matrix;
// Trust and compliance (issue 25): real names and business verification.
mod real_names;
