//! Tally: turns records into counted events while the input is read, so that memory follows the
//! number of distinct things the report counts, not the number of entries, then decides which
//! of them are in the report's window and scope, and keeps the books.
//!
//! `reduce` runs on the parsing threads, batch by batch: it keys each record in scope (masking,
//! fingerprinting; `group`'s keys) and drops its text. `collector` runs on one thread, in input
//! order: duplicates (`seen`), names (`names`), keys with their examples and traces (`keys`),
//! alike events counted together (`events`), tracebacks split over entries reassembled once
//! complete, events written twice counted once (`same_event`). `scope` applies the window and
//! the filters to the counted events; `books` holds the counts every report states.

mod books;
mod collector;
mod events;
mod keys;
mod names;
mod reduce;
mod same_event;
pub(crate) mod scope;
mod seen;

pub(crate) use books::Books;
pub(crate) use collector::Collector;
pub(crate) use events::{Event, Segmented, NO_KEY};
pub(crate) use keys::TRACES_KEPT;
pub(crate) use reduce::{reduce, Batch, Selection};
