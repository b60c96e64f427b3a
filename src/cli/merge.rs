//! `log-gardener merge`: summaries of parts in, the report of the whole out, exactly as `report`
//! would have written it over all the inputs; or, with `--partial`, one summary of them all, so
//! that merging can be a tree.
//!
//! ```text
//! log-gardener merge SUMMARY... [--out DIR] [--name NAME] [--format md,json,html]
//!                    [--template FILE] [--config FILE] [--baseline FILE|auto] [--details N]
//!                    [--table-rows N] [--quiet]
//! log-gardener merge SUMMARY... --partial --out FILE
//! ```

use super::archive;
use super::args::OutputArgs;
use super::report::{load_template, publish, write_file, Published};
use super::Failure;
use crate::config::Config;
use crate::judge::history::BaselineScope;
use crate::pipeline;
use crate::read;
use crate::tally::{summary_file, Summary};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Summary files (from `summarize` or `merge --partial`), or folders of them (read
    /// recursively).
    #[arg(required = true, value_name = "SUMMARY")]
    pub(crate) summaries: Vec<PathBuf>,

    /// Write one summary of them all to `--out FILE` instead of the report.
    #[arg(long)]
    pub(crate) partial: bool,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

pub fn run(args: &MergeArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let summary = read_and_merge(&args.summaries)?;
    if args.partial {
        let mut bytes = Vec::new();
        summary_file::write(&summary, &mut bytes)
            .map_err(|e| Failure::Fatal(format!("{}: {e}", args.output.out.display())))?;
        write_file(&args.output.out, &bytes)?;
        println!("{}", args.output.out.display());
        return Ok(());
    }
    let output = &args.output;
    let template = load_template(output)?;
    let config = Config::load(output.config.as_deref()).map_err(Failure::Usage)?;
    if config.redact != summary.scope.redact {
        return Err(Failure::Usage(format!(
            "the rules file's [[redact]] patterns differ from those the summaries were made with \
             ({} against {}): give merge the rules file given to summarize",
            config.redact.len(),
            summary.scope.redact.len()
        )));
    }
    let scope = BaselineScope::of(summary.scope.min_severity, &summary.scope.services);
    let choice = archive::baseline_choice(output, &scope)?;
    let verdict = pipeline::finish(summary, &config.rules, &choice, None)?;
    publish(output, &verdict, &template, Published { assignments: None, choice: &choice, started })
}

/// Every summary named (folders: the files under them, sorted), read and merged.
fn read_and_merge(paths: &[PathBuf]) -> Result<Summary, Failure> {
    let (sources, problems) = read::discover(paths);
    if let Some(p) = problems.first() {
        return Err(Failure::Fatal(p.to_string()));
    }
    let mut parts = Vec::with_capacity(sources.len());
    for source in &sources {
        let label = source.label();
        let file = std::fs::File::open(&label)
            .map_err(|e| Failure::Fatal(format!("{label}: cannot read: {e}")))?;
        parts.push(
            summary_file::read(std::io::BufReader::new(file), &label).map_err(Failure::Fatal)?,
        );
    }
    if parts.is_empty() {
        return Err(Failure::Fatal("no summary files were found".into()));
    }
    Summary::merge(parts).map_err(Failure::Usage)
}
