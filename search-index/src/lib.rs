//! Doorstep's search index: tantivy with jieba segmentation, for job postings and seeker
//! profiles, fed from the marketplace's transactional outbox. No HTTP here: the API crate
//! parses requests into [`SearchRequest`]s and renders [`Results`].
//!
//! Layout of the index folder: `FORMAT_VERSION`, `CURRENT` (the name of the live
//! generation) and one folder per generation. A rebuild writes a new generation beside the
//! live one and switches `CURRENT` atomically, so searches never see a half-built index.

pub mod analyzer;
pub mod documents;
pub mod index;
pub mod lexicon;
pub mod location;
pub mod phonetic;
pub mod query;
pub mod schema;
pub mod search;
pub mod sync;

#[cfg(test)]
mod tests;

pub use index::{
    Fallback, Highlights, Hit, IndexError, RebuildGuard, Results, SearchIndex, SyncState,
};
pub use location::{FORMAT_VERSION, IndexLocation, IndexState};
pub use search::{Area, SearchRequest, Sort};
