//! Doorstep's matching engine: how well a job and a seeker suit each other, from both sides.
//!
//! This crate knows nothing of HTTP or of the database's shape beyond the domain types. The
//! worker that reads change events, retrieves candidates and pushes matches arrives with the
//! matching issue; what is here is the scoring core the worker will call.

pub mod score;

pub use score::{Factor, TwoSidedScore};
