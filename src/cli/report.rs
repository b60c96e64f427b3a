//! `log-gardener report`: read the inputs, write the worklog.
//!
//! ```text
//! log-gardener report [INPUT]... [--out DIR] [--min-severity LEVEL] [--since T] [--until T]
//!                     [--service NAME]... [--input-format auto|gcp|text] [--line-format FMT]
//!                     [--format md,json,html] [--template FILE] [--assignments FILE]
//!                     [--threads N] [--quiet]
//! ```

use super::Failure;
use crate::config::Rules;
use crate::judge::history;
use crate::normalize::redact::Redactor;
use crate::normalize::Severity;
use crate::pipeline::{self, Options};
use crate::read::progress::Progress;
use crate::read::InputFormat;
use crate::render::{assignments, html, json, markdown, model};
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
    pub inputs: Vec<PathBuf>,

    /// Where the report files go (created if missing). The paths written are printed on stdout.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,

    /// The lowest severity in scope: DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL,
    /// ALERT, EMERGENCY. DEFAULT puts every entry in scope.
    #[arg(long, value_name = "LEVEL", default_value = "WARNING")]
    pub min_severity: Severity,

    /// Start of the window: an RFC 3339 time, or a span back from the newest entry (30m, 6h, 2d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// End of the window: an RFC 3339 time, or a span back from the newest entry.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Only this service (repeat for several).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,

    /// What the inputs hold: auto (detect), gcp (Cloud Logging JSON only), text (plain lines).
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "auto")]
    pub input_format: InputFormat,

    /// For plain-text logs, the line format in the Loghub notation, e.g.
    /// `<Date> <Time> <Level> <Component>: <Content>`. Implies --input-format text.
    #[arg(long, value_name = "FORMAT")]
    pub line_format: Option<String>,

    /// Report files to write, comma-separated: md, json, html.
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', default_value = "md,json")]
    pub format: Vec<OutputFormat>,

    /// A template of your own for the Markdown report (data model: docs/template-model.md).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Also write a CSV `entry,issue` naming the issue of every entry in scope.
    #[arg(long, value_name = "FILE")]
    pub assignments: Option<PathBuf>,

    /// The rules file (priorities, impact, owners, links, ignores, secret patterns, playbook).
    /// Default: `gardener.toml` in the current folder, when there is one. `log-gardener rules`
    /// prints the documented defaults to start from.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// An earlier run's JSON report: each issue gets a status (NEW, REGRESSED, ESCALATING,
    /// ONGOING, DECLINING) and the report opens with the changes since then.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bar and no summary on stderr (problems with the input are still reported).
    /// The progress bar is drawn only when stderr is a terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
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
    let rules = Rules::load(args.config.as_deref()).map_err(Failure::Usage)?;
    let redactor = Redactor::new(&rules.redact, &rules.redaction)
        .map_err(|e| Failure::Usage(format!("a [[redact]] pattern is not valid: {e}")))?;
    let baseline =
        args.baseline.as_deref().map(history::load).transpose().map_err(Failure::Fatal)?;
    let started = std::time::Instant::now();
    let options = Options {
        inputs: args.inputs.clone(),
        min_severity: args.min_severity,
        since: args.since.clone(),
        until: args.until.clone(),
        services: args.services.clone(),
        input_format: args.input_format,
        line_format: args.line_format.clone(),
        assignments: args.assignments.is_some(),
        progress: None,
    };
    let analysis = if !args.quiet && std::io::stderr().is_terminal() {
        with_progress_bar(options, |options| pipeline::run(options, &rules, &redactor))?
    } else {
        pipeline::run(options, &rules, &redactor)?
    };

    // Problems with the input go to stderr even with --quiet: they are what the user must fix.
    summarize_problems(&analysis.problems);

    let report = model::build_with_baseline(&analysis, generated_at(), baseline.as_ref());
    fs::create_dir_all(&args.out).map_err(|e| {
        Failure::Fatal(format!("{}: cannot create the output folder: {e}", args.out.display()))
    })?;
    let mut written = Vec::new();
    let md_text = markdown::render(&report, &template)
        .map_err(|e| Failure::Fatal(format!("the Markdown template failed: {e:#}")))?;
    for format in dedup(&args.format) {
        let (ext, text) = match format {
            OutputFormat::Md => ("md", md_text.clone()),
            OutputFormat::Json => ("json", json::render(&report)),
            OutputFormat::Html => ("html", html::render(&md_text, &report.title)),
        };
        let path = args.out.join(format!("{}.{ext}", report.stem));
        write_file(&path, text.as_bytes())?;
        written.push(path);
    }
    if let Some(path) = &args.assignments {
        let mut buf = Vec::new();
        assignments::write(&analysis.assignments, &mut buf)
            .map_err(|e| Failure::Fatal(format!("{}: {e}", path.display())))?;
        write_file(path, &buf)?;
    }
    pipeline::stage("build the report model and render");
    for path in &written {
        println!("{}", path.display());
    }
    if !args.quiet {
        let (t, issues) = (&report.totals.books, report.totals.issues);
        eprintln!(
            "log-gardener: {} entries read from {} input{}, {} in scope, {} issue{}, {} skipped, {} duplicates, in {:.2}s",
            t.entries_read,
            report.inputs.len(),
            if report.inputs.len() == 1 { "" } else { "s" },
            t.entries_in_scope,
            issues,
            if issues == 1 { "" } else { "s" },
            t.entries_skipped,
            t.duplicates,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Runs `work` with a progress bar on stderr (bytes read of the total, entries, rate), redrawn
/// by a thread of its own so the readers never wait for the terminal.
fn with_progress_bar<T>(mut options: Options, work: impl FnOnce(Options) -> T) -> T {
    let (sources, _) = crate::read::discover(&options.inputs);
    let total: u64 = sources
        .iter()
        .filter_map(|s| match s {
            crate::read::Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            crate::read::Source::Stdin => None,
        })
        .sum();
    let progress = Arc::new(Progress::default());
    options.progress = Some(progress.clone());
    let bar = ProgressBar::new(total);
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
