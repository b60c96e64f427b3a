//! log-gardener: exported logs in, a Markdown worklog of the distinct issues behind them out.
//!
//! The data flows one way through the modules, and the folders are named after the stages:
//!
//! ```text
//! read ──► normalize ──► group ──► aggregate ──► judge ──► render
//! files,   one Record    template   polars       priority,  report model,
//! stdin,   per entry,    mining     frames       health     templates/ → md, json, html
//! gzip     redacted      into issues
//! ```
//!
//! [`pipeline`] runs the stages in order; `cli` is the thin command line over it.

pub mod aggregate;
pub mod cli;
pub mod config;
pub mod group;
pub mod judge;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod render;
