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

    /// The inputs as an engine read them, for summaries made from standard input (the Spark
    /// job): a JSON array of `{"path", "bytes", "entries", "gzip"}`. They replace the summaries'
    /// standard input in the report's list of inputs; their entries must add up to it.
    #[arg(long, value_name = "FILE")]
    pub(crate) inputs_from: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

pub fn run(args: &MergeArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let mut summary = read_and_merge(&args.summaries)?;
    if let Some(path) = &args.inputs_from {
        replace_stdin(&mut summary, path)?;
    }
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
    if config.redact != summary.scope.redact || config.redaction != summary.scope.redaction {
        return Err(Failure::Usage(
            "the rules file's [[redact]] patterns or [redaction] switches differ from those the \
             summaries were made with: give merge the rules file given to summarize"
                .to_string(),
        ));
    }
    let scope = BaselineScope::of(summary.scope.min_severity, &summary.scope.services);
    let choice = archive::baseline_choice(output, &scope)?;
    let verdict = pipeline::finish(summary, &config.rules, &choice, None)?;
    publish(output, &verdict, &template, Published { assignments: None, choice: &choice, started })
}

/// One input as an engine read it.
#[derive(serde::Deserialize)]
struct EngineInput {
    path: String,
    bytes: u64,
    entries: u64,
    gzip: bool,
}

/// The summaries' standard input replaced by the inputs an engine read (`--inputs-from`).
fn replace_stdin(summary: &mut Summary, path: &std::path::Path) -> Result<(), Failure> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Fatal(format!("{label}: cannot read: {e}")))?;
    let inputs: Vec<EngineInput> = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{label}: not a list of inputs ({e})")))?;
    let from_engine: u64 = inputs.iter().map(|i| i.entries).sum();
    let stdin = summary.inputs.iter().find(|i| i.label == "-").map_or(0, |i| i.entries);
    if from_engine != stdin {
        return Err(Failure::Usage(format!(
            "{label}: its inputs hold {from_engine} entries, but the summaries read {stdin} from              standard input"
        )));
    }
    let listed = inputs.into_iter().map(|i| crate::tally::summary::InputSummary {
        label: i.path,
        format: "newline-delimited JSON".into(),
        gzip: i.gzip,
        bytes: i.bytes,
        entries: i.entries,
        skipped: 0,
        error: None,
        problems: Vec::new(),
    });
    summary.replace_stdin(listed.collect());
    Ok(())
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
