//! `log-gardener report`: read the inputs, write the worklog.
//!
//! ```text
//! log-gardener report [INPUT]... [--out DIR] [--min-severity LEVEL] [--since T] [--until T]
//!                     [--service NAME]... [--input-format auto|gcp|text] [--line-format FMT]
//!                     [--format md,json,html] [--template FILE] [--assignments FILE]
//!                     [--threads N] [--quiet]
//! ```

use super::Failure;
use crate::config::Config;
use crate::judge::history;
use crate::normalize::redact::Redactor;
use crate::normalize::text::LineFormat;
use crate::normalize::time::{parse_span_nanos, Timestamp};
use crate::normalize::Severity;
use crate::pipeline::{self, Options};
use crate::read::progress::Progress;
use crate::read::InputFormat;
use crate::render::model::Report;
use crate::render::{assignments, build, html, json, markdown};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
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

    /// Where the report files go (created if missing). The paths written are printed on stdout.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub(crate) out: PathBuf,

    /// The lowest severity in scope: DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL,
    /// ALERT, EMERGENCY. DEFAULT puts every entry in scope.
    #[arg(long, value_name = "LEVEL", default_value = "WARNING")]
    pub(crate) min_severity: Severity,

    /// Start of the window: an RFC 3339 time, or a span back from the newest entry (30m, 6h, 2d).
    #[arg(long, value_name = "TIME", value_parser = time_or_span)]
    pub(crate) since: Option<String>,

    /// End of the window: an RFC 3339 time, or a span back from the newest entry.
    #[arg(long, value_name = "TIME", value_parser = time_or_span)]
    pub(crate) until: Option<String>,

    /// Only this service (repeat for several).
    #[arg(long = "service", value_name = "NAME")]
    pub(crate) services: Vec<String>,

    /// What the inputs hold: auto (detect), gcp (Cloud Logging JSON only), text (plain lines).
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "auto")]
    pub(crate) input_format: InputFormatArg,

    /// For plain-text logs, the line format in the Loghub notation, e.g.
    /// `<Date> <Time> <Level> <Component>: <Content>`. Implies --input-format text.
    #[arg(long, value_name = "FORMAT", value_parser = line_format)]
    pub(crate) line_format: Option<String>,

    /// Report files to write, comma-separated: md, json, html.
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', default_value = "md,json")]
    pub(crate) format: Vec<OutputFormat>,

    /// A template of your own for the Markdown report (data model: docs/template-model.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) template: Option<PathBuf>,

    /// Also write a CSV `entry,issue` naming the issue of every entry in scope.
    #[arg(long, value_name = "FILE")]
    pub(crate) assignments: Option<PathBuf>,

    /// The rules file (priorities, impact, owners, links, ignores, secret patterns, playbook).
    /// Default: `gardener.toml` in the current folder, when there is one. `log-gardener rules`
    /// prints the documented defaults to start from.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// An earlier run's JSON report: each issue gets a status (NEW, REGRESSED, ESCALATING,
    /// ONGOING, DECLINING) and the report opens with the changes since then.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,

    /// No progress bar and no summary on stderr (problems with the input are still reported).
    /// The progress bar is drawn only when stderr is a terminal.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormatArg {
    /// Detect from the content: Cloud Logging exports in any of their shapes, plain text that
    /// looks like a log; other files (README, YAML, notes) are skipped with a warning.
    Auto,
    /// Cloud Logging exports only (JSON in any of its shapes, the Logs Explorer's CSV).
    Gcp,
    /// Plain-text lines, cut into fields by --line-format.
    Text,
}

impl From<InputFormatArg> for InputFormat {
    fn from(arg: InputFormatArg) -> InputFormat {
        match arg {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Gcp => InputFormat::Gcp,
            InputFormatArg::Text => InputFormat::Text,
        }
    }
}

/// `--since`/`--until`: an RFC 3339 time or a span, checked before anything is read.
fn time_or_span(text: &str) -> Result<String, String> {
    if Timestamp::parse(text).is_some() || parse_span_nanos(text).is_some() {
        return Ok(text.to_string());
    }
    Err(format!(
        "'{text}' is neither an RFC 3339 time (2025-09-11T05:00:00Z) nor a span (30m, 6h, 2d)"
    ))
}

/// `--line-format`: checked before anything is read.
fn line_format(text: &str) -> Result<String, String> {
    LineFormat::parse(text).map(|_| text.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Md,
    Json,
    Html,
}

pub fn run(args: &ReportArgs) -> Result<(), Failure> {
    if args.threads == Some(0) {
        return Err(Failure::Usage("--threads must be at least 1".into()));
    }
    // 0 lets rayon choose (one a core). Named threads make profiles readable. Fails only if a
    // pool already exists (e.g. when called twice in one process).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .thread_name(|i| format!("parse-{i}"))
        .build_global();
    let template = match &args.template {
        Some(path) => fs::read_to_string(path)
            .map_err(|e| Failure::Fatal(format!("--template {}: {e}", path.display())))?,
        None => markdown::DEFAULT_TEMPLATE.to_string(),
    };
    let config = Config::load(args.config.as_deref()).map_err(Failure::Usage)?;
    let redactor = Redactor::new(&config.redact)
        .map_err(|e| Failure::Usage(format!("a [[redact]] pattern is not valid: {e}")))?;
    let baseline =
        args.baseline.as_deref().map(history::load).transpose().map_err(Failure::Fatal)?;
    let started = std::time::Instant::now();
    let run = |options| pipeline::run(options, &config.rules, &redactor, baseline.as_ref());
    let verdict = if !args.quiet && std::io::stderr().is_terminal() {
        with_progress_bar(options_of(args), run)?
    } else {
        run(options_of(args))?
    };
    // Problems with the input go to stderr even with --quiet: they are what the user must fix.
    summarize_problems(&verdict.problems);
    let report = build::build(&verdict, generated_at());
    let written = write_reports(args, &report, &template)?;
    if let Some(path) = &args.assignments {
        let mut buf = Vec::new();
        assignments::write(&verdict.assignments, &mut buf)
            .map_err(|e| Failure::Fatal(format!("{}: {e}", path.display())))?;
        write_file(path, &buf)?;
    }
    pipeline::stage("build the report model and render");
    for path in &written {
        println!("{}", path.display());
    }
    if !args.quiet {
        eprintln!("log-gardener: {}, in {:.2}s", summary(&report), started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The pipeline's options from the command line.
fn options_of(args: &ReportArgs) -> Options {
    Options {
        inputs: args.inputs.clone(),
        min_severity: args.min_severity,
        since: args.since.clone(),
        until: args.until.clone(),
        services: args.services.clone(),
        input_format: args.input_format.into(),
        line_format: args.line_format.clone(),
        assignments: args.assignments.is_some(),
        progress: None,
    }
}

/// Writes the report files asked for (`--format`) into `--out`; returns their paths.
fn write_reports(
    args: &ReportArgs,
    report: &Report,
    template: &str,
) -> Result<Vec<PathBuf>, Failure> {
    fs::create_dir_all(&args.out).map_err(|e| {
        Failure::Fatal(format!("{}: cannot create the output folder: {e}", args.out.display()))
    })?;
    let md_text = markdown::render(report, template)
        .map_err(|e| Failure::Fatal(format!("the Markdown template failed: {e:#}")))?;
    let mut written = Vec::new();
    for format in dedup(&args.format) {
        let (ext, text) = match format {
            OutputFormat::Md => ("md", md_text.clone()),
            OutputFormat::Json => ("json", json::render(report)),
            OutputFormat::Html => ("html", html::render(&md_text, &report.title)),
        };
        let path = args.out.join(format!("{}.{ext}", report.stem));
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

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    fs::write(path, bytes)
        .map_err(|e| Failure::Fatal(format!("{}: cannot write: {e}", path.display())))
}

/// At most a few lines per reason, so a broken export does not flood the terminal.
fn summarize_problems(problems: &[crate::read::Problem]) {
    let mut shown: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in problems {
        let n = shown.entry(p.reason.as_str()).or_default();
        *n += 1;
        if *n <= 3 {
            eprintln!("log-gardener: warning: {p}");
        } else if *n == 4 {
            let total = problems.iter().filter(|q| q.reason == p.reason).count();
            eprintln!(
                "log-gardener: warning: ... {} more '{}' (listed in the report)",
                total - 3,
                p.reason
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
