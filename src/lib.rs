//! log-gardener: exported logs in, a Markdown worklog of the distinct issues behind them out.
//!
//! The data flows one way through the stages, and the folders are named after them; each stage
//! uses only the stages before it:
//!
//! ```text
//!  read ──► normalize ──► tally ─────────► group ──► aggregate ──► judge ──► render
//!  files,   one Record    counted events,  template   polars       priority,  report model,
//!  stdin,   per entry,    keys (masked),   mining,    numbers,     health,    templates/ →
//!  gzip,    redacted,     duplicates,      issue ids  examples     history,   md, json, html
//!  formats  severities    window, books                            clusters
//! ```
//!
//! `tally` keys records with `group`'s keys (masking runs on the parsing threads), so `group`'s
//! key functions sit before it and its mining after it. [`config`] reads the rules file into
//! what `judge` and `normalize` take; [`pipeline`] runs the stages in order and returns the
//! verdict; `cli` is the thin command line over it. `docs/architecture.md` says what each stage
//! owns and where to add a reader, a grouping rule, a report section or an engine.

pub mod aggregate;
pub mod cli;
pub mod config;
pub mod group;
pub mod judge;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod tally;
