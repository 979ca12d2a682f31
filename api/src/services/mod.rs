//! Use cases that span crates (the domain, the search index, the matcher), so a handler, a
//! test or the bench does each of them the same way. Plain async functions over the state's
//! pieces and domain types, with no HTTP in them; handlers parse, authorise, call one of
//! these and map the result to a view.

pub mod backup;
pub mod fairs;
pub mod lexicon;
pub mod matches;
pub mod search;
pub mod webhooks;
