//! Doorstep's matching engine: how well a job and a seeker suit each other, from both sides,
//! why, and the worker that finds good pairs and announces them. No HTTP here.

pub mod assess;
pub mod backlog;
pub mod codes;
pub mod daily_cap;
pub mod fair_plan;
pub mod fair_routes;
pub mod fit;
pub mod gig_notices;
pub mod identity_provider;
pub mod mail;
pub mod mail_queue;
pub mod matches;
pub mod score;
pub mod skills;
pub mod sms;
pub mod tencent_sms;
pub mod webhook;
pub mod wechat;
pub mod weights;
pub mod worker;

pub use assess::{Assessment, Excluded, JobText, SeekerText, Unmet, assess, assess_with};
pub use score::{Factor, TwoSidedScore};
pub use weights::Weights;
pub use worker::{Delivered, MatchSettings, Matcher};

#[cfg(test)]
mod cases;
#[cfg(test)]
mod gig_tests;
#[cfg(test)]
mod tests;
