//! Read: turns the inputs named on the command line (files, folders read recursively, `-` for
//! standard input) into raw entries, chunk by chunk, detecting compression and format from the
//! content, and hands them in batches to the caller's reduction, in parallel. Reading knows
//! formats, not LogEntry fields: the caller normalizes. Nothing is dropped silently: every entry
//! that cannot be read becomes a [`Problem`] naming the input, the position and the reason.
//!
//! `source` names the inputs, `stream` opens, decompresses, decodes UTF-16 and chunks them on a
//! thread of its own, `detect` names the format (and the files that are not logs, which are
//! skipped with the reason), `json_split` cuts JSON into entries (arrays, NDJSON, concatenated
//! objects, API responses that wrap them), `text` cuts plain text into lines, `csv_export` folds
//! the Logs Explorer's CSV rows back into LogEntry JSON and `yaml_export` gcloud's YAML
//! documents (`folded` holds what both hand on), `markdown` finds the fenced JSON of a
//! Markdown note, `reader` runs one input through them, `flight` reduces chunks in parallel and
//! hands them on in order, `entry` is what is handed on, `position` counts lines for messages,
//! `progress` counts for a progress bar.

mod blocks;
pub(crate) mod csv_export;
pub mod detect;
mod entry;
mod flight;
mod folded;
pub mod json_split;
mod markdown;
mod position;
pub mod progress;
mod reader;
mod source;
mod stream;
pub mod text;
mod yaml_export;

pub use entry::{At, RawEntry, RawText, Rejected};
pub use reader::read_source;
pub use source::Source;
use std::path::{Path, PathBuf};
pub(crate) use stream::chunk_bytes;

/// What the inputs hold (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Detect from the content: Cloud Logging JSON in any of its shapes, the Logs Explorer's
    /// CSV, Markdown with fenced LogEntries, plain text that looks like a log; other files are
    /// skipped with the reason.
    #[default]
    Auto,
    /// Cloud Logging exports only (JSON in any of its shapes, the CSV download, fenced JSON in
    /// Markdown); plain text is an error.
    Gcp,
    /// Plain-text lines.
    Text,
}

impl InputFormat {
    /// The format [`InputFormat::name`] names (`auto` for anything else).
    pub fn from_name(name: &str) -> InputFormat {
        match name {
            "gcp" => InputFormat::Gcp,
            "text" => InputFormat::Text,
            _ => InputFormat::Auto,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Gcp => "gcp",
            InputFormat::Text => "text",
        }
    }
}

#[derive(Default)]
pub struct ReadOptions {
    pub input_format: InputFormat,
    /// Advanced as bytes and entries are read, for a progress bar.
    pub progress: Option<std::sync::Arc<progress::Progress>>,
}

/// What the caller makes of a batch of raw entries, run in parallel as they are read, while they
/// still borrow from the chunk. Entries it cannot read go into the vector, with where and why.
pub type Reduce<'f, T> =
    &'f (dyn for<'a> Fn(&mut dyn Iterator<Item = RawEntry<'a>>, &mut Vec<Rejected>) -> T + Sync);

/// What one input gave.
#[derive(Debug, Clone, Default)]
pub struct InputReport {
    /// The input as named on the command line (or found in a folder); `-` for stdin.
    pub label: String,
    /// The format found ("JSON array", "plain text", ...), see [`detect::Format::name`].
    pub format: String,
    pub gzip: bool,
    /// Bytes as stored (before decompression).
    pub bytes: u64,
    /// Entries found in it, readable or not.
    pub entries: u64,
    /// Entries that could not be read.
    pub skipped: u64,
    /// Set when the input as a whole could not be read.
    pub error: Option<String>,
}

/// An entry (or a whole input) that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub input: String,
    /// "line 12", "line 80, byte 4096", or "" for the input as a whole.
    pub position: String,
    /// Short reason used to count skipped entries.
    pub reason: String,
    pub detail: String,
    /// Entries lost with it (0 for an input that could not be opened: nothing was read).
    pub entries: u64,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position.as_str() {
            "" => write!(f, "{}: {}: {}", self.input, self.reason, self.detail),
            pos => write!(f, "{}:{}: {}: {}", self.input, pos, self.reason, self.detail),
        }
    }
}

impl Problem {
    /// A problem with a whole input (nothing of it was read).
    fn whole_input(input: &str, reason: &str, detail: String) -> Problem {
        Problem {
            input: input.to_string(),
            position: String::new(),
            reason: reason.to_string(),
            detail,
            entries: 0,
        }
    }
}

/// Expands folders into the files under them (sorted, so runs are reproducible). Paths that
/// cannot be listed become problems.
pub fn discover(inputs: &[PathBuf]) -> (Vec<Source>, Vec<Problem>) {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            sources.push(Source::Stdin);
        } else if input.is_dir() {
            walk(input, &mut sources, &mut problems);
        } else {
            sources.push(Source::File(input.clone()));
        }
    }
    (sources, problems)
}

/// The files under `dir`, sorted by path, hidden ones (`.name`) left out.
fn walk(dir: &Path, sources: &mut Vec<Source>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let label = dir.display().to_string();
            problems.push(Problem::whole_input(
                &label,
                "folder could not be listed",
                e.to_string(),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, sources, problems);
        } else {
            sources.push(Source::File(path));
        }
    }
}
