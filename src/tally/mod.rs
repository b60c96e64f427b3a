//! Tally: turns records into counted events while the input is read, so that memory follows the
//! number of distinct things the report counts, not the number of entries; puts what was
//! counted into a summary (the point where a run can be split over machines and merged); then
//! decides which events are in the report's window and scope, and keeps the books.
//!
//! `reduce` runs on the parsing threads, batch by batch: it keys each record in scope (masking,
//! fingerprinting; `group`'s keys) and drops its text. `collector` runs on one thread, in input
//! order: duplicates (`seen`), names (`names`), keys with their examples and traces (`keys`),
//! alike events counted per minute (`events`), tracebacks split over entries reassembled once
//! complete, events written twice counted once (`same_event`). `summary` is the canonical
//! result, `merge` joins summaries of parts, `summary_file` writes and reads them. `scope`
//! applies the window and the filters to the summary's events; `books` holds the counts every
//! report states.

mod books;
mod collector;
mod events;
mod keys;
mod merge;
mod names;
mod reduce;
pub(crate) mod same_event;
pub(crate) mod scope;
mod seen;
pub mod summary;
pub mod summary_file;
mod templates;

pub(crate) use books::Books;
pub(crate) use collector::Collector;
pub(crate) use events::{Event, NO_KEY};
pub(crate) use keys::TRACES_KEPT;
pub(crate) use reduce::{reduce, Batch, Selection};
pub use summary::Summary;
pub(crate) use templates::SharedTemplates;

/// Distinct messages a run keeps before it mines them into templates and fits new messages into
/// those (`--message-budget`): about 40 MB of keys, examples and counts. Below it, grouping is
/// exactly that of an unbounded run.
pub const DEFAULT_MESSAGE_BUDGET: usize = 50_000;

/// The hash the tally's index tables use (FxHash: fast on short keys; the tables hold ids and
/// compare the real values, so a collision costs a comparison, never a wrong count).
fn fx_hash<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(value)
}
