//! Doorstep's matching engine: how well a job and a seeker suit each other, from both sides,
//! why, and the worker that finds and announces good pairs. No HTTP here.

pub mod assess;
pub mod score;

pub use assess::{Assessment, Excluded, assess};

#[cfg(test)]
mod tests;
pub use score::{Factor, TwoSidedScore};
