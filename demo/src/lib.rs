//! Synthetic data for a Suzhou shopping district: what `doorstep demo` loads, what the
//! benchmarks measure against, and what tests use when they need a realistic crowd.

pub mod generate;
pub mod history;
pub mod load;
pub mod seed;
pub mod vocabulary;

pub use generate::{Archetype, GenBusiness, GenPosting, GenSeeker, Generator, Sizes};
pub use history::History;

#[cfg(test)]
mod tests;
