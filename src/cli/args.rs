//! The groups of flags the subcommands share, each documented once: what is read and how
//! (`ScopeArgs`), and the report files written (`OutputArgs`).

use crate::normalize::text::LineFormat;
use crate::normalize::time::{parse_span_nanos, Timestamp};
use crate::normalize::Severity;
use crate::read::InputFormat;
use crate::render::build::Caps;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The options that act while reading: which entries are in scope and how inputs are read.
/// `summarize` records them in its summary, and `merge` takes them from there.
#[derive(Args, Debug, Clone)]
pub struct ScopeArgs {
    /// The lowest severity in scope: DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL,
    /// ALERT, EMERGENCY. DEFAULT puts every entry in scope.
    #[arg(long, value_name = "LEVEL", default_value = "WARNING")]
    pub(crate) min_severity: Severity,

    /// Start of the window: an RFC 3339 time, or a span back from the newest entry (30m, 6h, 2d;
    /// a span is counted in whole minutes).
    #[arg(long, value_name = "TIME", value_parser = time_or_span)]
    pub(crate) since: Option<String>,

    /// End of the window: an RFC 3339 time, or a span back from the newest entry (its minute is
    /// left out).
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

    /// Distinct messages (after masking) kept in memory before they are mined into templates;
    /// later messages that fit a template are counted under it. Memory then follows the number
    /// of issues, not of distinct messages. Below the budget grouping is exact (docs/grouping.md).
    #[arg(long, value_name = "N", default_value_t = crate::tally::DEFAULT_MESSAGE_BUDGET)]
    pub(crate) message_budget: usize,
}

impl ScopeArgs {
    /// The pipeline's options for reading `inputs` in this scope (what `report` and `summarize`
    /// share; each sets what is its own on the result).
    pub(crate) fn options(&self, inputs: Vec<PathBuf>) -> crate::pipeline::Options {
        crate::pipeline::Options {
            inputs,
            min_severity: self.min_severity,
            since: self.since.clone(),
            until: self.until.clone(),
            services: self.services.clone(),
            input_format: self.input_format.into(),
            line_format: self.line_format.clone(),
            message_budget: Some(self.message_budget),
            ..crate::pipeline::Options::default()
        }
    }
}

/// The report files: where they go, which, and the judgement that goes into them.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Where the report files go (created if missing). The paths written are printed on stdout.
    /// (`merge --partial`: the summary file to write.)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub(crate) out: PathBuf,

    /// The report files' name, without extension (default: the scope and the window's start,
    /// e.g. `netra-staging-20250908T0000Z`). A report of another scope of the same name is
    /// never replaced.
    #[arg(long, value_name = "NAME", value_parser = report_name)]
    pub(crate) name: Option<String>,

    /// Report files to write, comma-separated: md, json, html.
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', default_value = "md,json")]
    pub(crate) format: Vec<OutputFormat>,

    /// A template of your own for the Markdown report (data model: docs/template-model.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) template: Option<PathBuf>,

    /// The rules file (priorities, impact, owners, links, ignores, secret patterns, playbook).
    /// Default: `gardener.toml` in the current folder, when there is one. `log-gardener rules`
    /// prints the documented defaults to start from.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// An earlier run's JSON report: each issue gets a status (NEW, REGRESSED, ESCALATING,
    /// ONGOING, DECLINING) and the report opens with the changes since then. `auto`: the
    /// latest report of the same scope in --out whose window starts before this one's (none on
    /// a first run). A baseline that is not earlier, or is the file being written, is an error.
    #[arg(long, value_name = "FILE|auto")]
    pub(crate) baseline: Option<PathBuf>,

    /// Issues shown in full in the Markdown at most: the P0/P1 first, then the most frequent;
    /// the others go to a compact table. The JSON always holds every issue in full.
    #[arg(long, value_name = "N", default_value_t = Caps::default().details)]
    pub(crate) details: usize,

    /// Rows of the compact table of the issues not shown in full, at most; the rest are
    /// counted (and in the JSON).
    #[arg(long, value_name = "N", default_value_t = Caps::default().table_rows)]
    pub(crate) table_rows: usize,

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
pub(crate) fn time_or_span(text: &str) -> Result<String, String> {
    if Timestamp::parse(text).is_some() || parse_span_nanos(text).is_some() {
        return Ok(text.to_string());
    }
    Err(format!(
        "'{text}' is neither an RFC 3339 time (2025-09-11T05:00:00Z) nor a span (30m, 6h, 2d)"
    ))
}

/// `--name`: a file name without folders.
fn report_name(text: &str) -> Result<String, String> {
    let bad = text.is_empty()
        || text.starts_with('.')
        || text.contains(['/', '\\'])
        || text.chars().any(char::is_control);
    if bad {
        return Err(format!("'{text}' is not a file name (no folders, not starting with '.')"));
    }
    Ok(text.to_string())
}

/// `--line-format`: checked before anything is read.
pub(crate) fn line_format(text: &str) -> Result<String, String> {
    LineFormat::parse(text).map(|_| text.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Md,
    Json,
    Html,
}

impl OutputFormat {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            OutputFormat::Md => "md",
            OutputFormat::Json => "json",
            OutputFormat::Html => "html",
        }
    }
}
