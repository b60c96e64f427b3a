//! `log-gardener report`: read the inputs, write the worklog.
//!
//! ```text
//! log-gardener report [INPUT]... [--out DIR] [--name NAME] [--min-severity LEVEL] [--since T]
//!                     [--until T] [--service NAME]... [--input-format auto|gcp|text]
//!                     [--line-format FMT] [--format md,json,html] [--template FILE]
//!                     [--config FILE] [--baseline FILE|auto] [--details N] [--table-rows N]
//!                     [--assignments FILE] [--threads N] [--quiet]
//! ```

use super::args::{OutputArgs, OutputFormat, ScopeArgs};
use super::{archive, Failure};
use crate::config::Config;
use crate::judge::history::{BaselineScope, Choice};
use crate::judge::verdict::Verdict;
use crate::normalize::redact::Redactor;
use crate::pipeline::{self, Options};
use crate::read::progress::Progress;
use crate::render::build::Caps;
use crate::render::model::Report;
use crate::render::{assignments, build, html, json, markdown};
use crate::tally::summary::InputSummary;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Files or folders (read recursively) of exported logs, or `-` for standard input. Gzip,
    /// a `gcloud logging read --format=json` array, newline-delimited JSON from a Cloud Storage
    /// sink, and pretty-printed objects one after another are detected from the content.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) scope: ScopeArgs,

    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// Also write a CSV `entry,issue` naming the issue of every entry in scope.
    #[arg(long, value_name = "FILE")]
    pub(crate) assignments: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

pub fn run(args: &ReportArgs) -> Result<(), Failure> {
    start_threads(args.threads)?;
    let template = load_template(&args.output)?;
    let config = Config::load(args.output.config.as_deref()).map_err(Failure::Usage)?;
    let redactor = Redactor::new(&config.redact, &config.redaction)
        .map_err(|e| Failure::Usage(format!("a [[redact]] pattern is not valid: {e}")))?;
    let scope = BaselineScope::of(args.scope.min_severity, &args.scope.services);
    let choice = archive::baseline_choice(&args.output, &scope)?;
    let started = std::time::Instant::now();
    let run = |options| pipeline::run(options, &config.rules, &redactor, &choice);
    let verdict = if !args.output.quiet && std::io::stderr().is_terminal() {
        with_progress_bar(options_of(args), run)?
    } else {
        run(options_of(args))?
    };
    let published =
        Published { assignments: args.assignments.as_deref(), choice: &choice, started };
    publish(&args.output, &verdict, &template, published)
}

/// Starts the pool of worker threads (`--threads`, default one a core). Named threads make
/// profiles readable. Building fails only if a pool already exists (called twice in a process).
pub(crate) fn start_threads(threads: Option<usize>) -> Result<(), Failure> {
    if threads == Some(0) {
        return Err(Failure::Usage("--threads must be at least 1".into()));
    }
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .thread_name(|i| format!("parse-{i}"))
        .build_global();
    Ok(())
}

/// The Markdown template: `--template FILE` or the built-in one, checked against the report
/// model before anything is read (a mistake names the file, the line and the name: exit 2).
pub(crate) fn load_template(output: &OutputArgs) -> Result<markdown::Template, Failure> {
    let (name, text) = match &output.template {
        Some(path) => (
            path.display().to_string(),
            fs::read_to_string(path)
                .map_err(|e| Failure::Fatal(format!("--template {}: {e}", path.display())))?,
        ),
        None => {
            (markdown::DEFAULT_TEMPLATE_NAME.to_string(), markdown::DEFAULT_TEMPLATE.to_string())
        }
    };
    markdown::Template::new(&name, &text).map_err(Failure::Usage)
}

/// What `publish` needs besides the verdict: the assignments file asked for, the baseline
/// chosen, and when the run started.
pub(crate) struct Published<'a> {
    pub(crate) assignments: Option<&'a Path>,
    pub(crate) choice: &'a Choice,
    pub(crate) started: std::time::Instant,
}

/// Everything after the verdict: problems on stderr, the checks that need the data (a
/// `--service` or window that matches nothing, a baseline that is not earlier, a report of
/// another scope in the way), the report files, the assignments, the paths written on stdout
/// and the one-line summary.
pub(crate) fn publish(
    output: &OutputArgs,
    verdict: &Verdict,
    template: &markdown::Template,
    p: Published,
) -> Result<(), Failure> {
    // Problems with the input go to stderr even with --quiet: they are what the user must fix.
    summarize_problems(&verdict.inputs);
    archive::check_filters(verdict)?;
    let caps = Caps { details: output.details, table_rows: output.table_rows };
    let mut report = build::build_with(verdict, generated_at(), caps);
    if let Some(name) = &output.name {
        report.stem = name.clone();
    }
    archive::check_given_baseline(output, &report, p.choice, verdict)?;
    for rule in &verdict.unmatched_rules {
        eprintln!("log-gardener: warning: {rule} matched no issue");
    }
    let extensions: Vec<&str> = dedup(&output.format).iter().map(|f| f.extension()).collect();
    archive::check_target(output, &report, verdict, &extensions)?;
    let written = write_reports(output, &report, template)?;
    if let Some(path) = p.assignments {
        let mut buf = Vec::new();
        assignments::write(&verdict.assignments, &mut buf)
            .map_err(|e| Failure::Fatal(format!("{}: {e}", path.display())))?;
        write_file(path, &buf)?;
    }
    pipeline::stage("build the report model and render");
    for path in &written {
        println!("{}", path.display());
    }
    if !output.quiet {
        archive::tell_baseline(output, verdict, p.choice);
        let secs = p.started.elapsed().as_secs_f64();
        eprintln!("log-gardener: {}, in {secs:.2}s", summary(&report));
    }
    Ok(())
}

/// The pipeline's options from the command line.
fn options_of(args: &ReportArgs) -> Options {
    Options { assignments: args.assignments.is_some(), ..args.scope.options(args.inputs.clone()) }
}

/// Writes the report files asked for (`--format`) into `--out`; returns their paths.
fn write_reports(
    output: &OutputArgs,
    report: &Report,
    template: &markdown::Template,
) -> Result<Vec<PathBuf>, Failure> {
    fs::create_dir_all(&output.out).map_err(|e| {
        Failure::Fatal(format!("{}: cannot create the output folder: {e}", output.out.display()))
    })?;
    let md_text = template.render(report).map_err(Failure::Fatal)?;
    let mut written = Vec::new();
    for format in dedup(&output.format) {
        let ext = format.extension();
        let text = match format {
            OutputFormat::Md => md_text.clone(),
            OutputFormat::Json => json::render(report),
            OutputFormat::Html => html::render(&md_text, &report.title),
        };
        let path = output.out.join(format!("{}.{ext}", report.stem));
        write_file(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// The run in one line, for stderr.
fn summary(report: &Report) -> String {
    let (t, inputs) = (&report.totals, report.inputs.len());
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    format!(
        "{} entries read from {inputs} input{}, {} in scope, {} issue{}, {} skipped, {} duplicates",
        t.entries_read,
        plural(inputs as u64),
        t.entries_in_scope,
        t.issues,
        plural(t.issues),
        t.entries_skipped,
        t.duplicates,
    )
}

/// Runs `work` with a progress bar on stderr (bytes read of the total, entries, rate), redrawn
/// by a thread of its own so the readers never wait for the terminal.
fn with_progress_bar<T>(mut options: Options, work: impl FnOnce(Options) -> T) -> T {
    let progress = Arc::new(Progress::default());
    options.progress = Some(progress.clone());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
        )
        .expect("static template"),
    );
    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (bar, progress, done) = (bar.clone(), progress.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                bar.set_length(progress.total());
                bar.set_position(progress.bytes());
                bar.set_message(format!("{} entries", progress.entries()));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        })
    };
    let result = work(options);
    done.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    result
}

fn dedup(formats: &[OutputFormat]) -> Vec<OutputFormat> {
    let mut out = Vec::new();
    for f in formats {
        if !out.contains(f) {
            out.push(*f);
        }
    }
    out
}

/// Writes a file, making its folder if missing.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| {
            Failure::Fatal(format!("{}: cannot create the folder: {e}", parent.display()))
        })?;
    }
    fs::write(path, bytes)
        .map_err(|e| Failure::Fatal(format!("{}: cannot write: {e}", path.display())))
}

/// At most a few lines per reason, so a broken export does not flood the terminal.
fn summarize_problems(inputs: &[InputSummary]) {
    let mut shown: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for input in inputs {
        for r in &input.problems {
            let (lines, total) = shown.entry(r.reason.as_str()).or_default();
            *total += r.problems;
            for (position, detail) in &r.examples {
                if *lines < 3 {
                    *lines += 1;
                    let line = pipeline::problem_line(&input.label, position, &r.reason, detail);
                    eprintln!("log-gardener: warning: {line}");
                }
            }
        }
    }
    for (reason, (lines, total)) in shown {
        if total > lines as u64 {
            eprintln!(
                "log-gardener: warning: ... {} more '{reason}' (listed in the report)",
                total - lines as u64
            );
        }
    }
}

/// Now, or `SOURCE_DATE_EPOCH` (seconds) when set, so that reports can be reproduced exactly.
fn generated_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok());
    let nanos = match secs {
        Some(s) => s * 1_000_000_000,
        None => chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0),
    };
    crate::normalize::time::format_nanos(nanos, 0)
}
