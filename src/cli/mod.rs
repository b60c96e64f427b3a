//! The command line: one module per subcommand, each with its flags documented once, in the
//! clap definitions that `--help` prints. `main.rs` only dispatches and maps errors to exit codes.

mod archive;
pub(crate) mod args;
pub mod merge;
pub mod report;
pub mod summarize;

use clap::{Parser, Subcommand};

/// Turns exported logs (Google Cloud Logging JSON first) into a Markdown worklog of the distinct
/// issues behind them: how often and since when each occurs, which services and revisions it
/// hits, how healthy each service is, and what to look at first. Offline, in one batch run.
#[derive(Parser, Debug)]
#[command(name = "log-gardener", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read exported logs and write the worklog (Markdown) and its JSON into --out.
    Report(Box<report::ReportArgs>),
    /// Read exported logs (or this task's share of them) into a summary file: the part of a run
    /// that many machines can do in parallel (docs/summaries.md).
    Summarize(Box<summarize::SummarizeArgs>),
    /// Merge summaries into the report of all their inputs, exactly as `report` would have
    /// written it (or, with --partial, into one summary).
    Merge(Box<merge::MergeArgs>),
    /// Print the documented default rules file (start your gardener.toml from it).
    Rules,
}

/// How a subcommand failed; `main` maps it to the exit status the README documents (0 a report
/// was written, 1 nothing could be read or written, 2 the command line is wrong).
#[derive(Debug)]
pub enum Failure {
    /// Nothing could be read or written (exit status 1).
    Fatal(String),
    /// The command line or the rules file is wrong in a way clap cannot see (exit status 2).
    Usage(String),
}

impl From<crate::pipeline::Fatal> for Failure {
    fn from(f: crate::pipeline::Fatal) -> Failure {
        Failure::Fatal(f.0)
    }
}
