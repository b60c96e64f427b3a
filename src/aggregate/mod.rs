//! Aggregate: the report's numbers, computed with polars over a compact frame.
//!
//! The frame holds one row per event and only numbers: issue index, time (ns), severity, interned
//! service / component / revision ids, HTTP status, the entries the event stands for, a time
//! bucket, and whether the event is in scope. Strings (templates, examples) stay beside it in
//! plain Rust structures keyed by those ids, so the frame stays small on big dumps.

pub mod frame;

pub use frame::{aggregate, Aggregates, EventRow, IssueStats, ServiceStats};
