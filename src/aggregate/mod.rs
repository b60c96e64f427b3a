//! Aggregate: the report's numbers, computed with polars over a compact frame, and what each
//! issue gathers from its keys.
//!
//! The frame (`frame`) holds one row per counted event and only numbers: issue index, time (ns),
//! severity, interned service / component / revision ids, HTTP status, the entries the event
//! stands for, a time bucket, and whether the event is in scope. Strings stay beside it in plain
//! Rust structures keyed by those ids, so the frame stays small on big dumps. `per_issue`
//! gathers examples and trace ids per issue; `precision` keeps each printed time at the
//! precision of its entry.

pub(crate) mod frame;
pub(crate) mod per_issue;
pub(crate) mod precision;

pub(crate) use frame::{aggregate, Aggregates, EventRow, ServiceStats};
pub(crate) use precision::TimeFormat;
