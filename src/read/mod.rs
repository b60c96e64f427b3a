//! Read: turns the inputs named on the command line (files, folders read recursively, `-` for
//! standard input) into normalized records, in parallel, detecting compression and format from
//! the content. Nothing is dropped silently: every entry that cannot be read becomes a
//! [`Problem`] naming the input, the position and the reason.
//!
//! `source` opens and decompresses, `detect` names the format, `json_split` cuts JSON into entries,
//! `text` reads plain-text lines.

pub mod csv_export;
pub mod detect;
pub mod json_split;
pub mod source;
pub mod text;

use crate::normalize::gcp::parse_entry;
use crate::normalize::record::{Origin, Record};
use crate::normalize::redact::Redactor;
use detect::{detect, Format};
use json_split::{split_array, split_concatenated, End, Span};
use rayon::prelude::*;
pub use source::Source;
use std::path::{Path, PathBuf};
use text::LineFormat;

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect from the content: Cloud Logging JSON in any of its shapes, else plain text lines.
    Auto,
    /// Cloud Logging JSON only (a JSON array, NDJSON or concatenated objects).
    Gcp,
    /// Plain-text lines, cut into fields by --line-format.
    Text,
}

pub struct ReadOptions {
    pub input_format: InputFormat,
    pub line_format: Option<LineFormat>,
}

/// What one input gave.
#[derive(Debug, Clone, Default)]
pub struct InputReport {
    pub label: String,
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
    /// "line 12", "byte 4096 (line 80)", or "" for the input as a whole.
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

pub struct ReadResult {
    pub records: Vec<Record>,
    pub inputs: Vec<InputReport>,
    pub problems: Vec<Problem>,
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

fn walk(dir: &Path, sources: &mut Vec<Source>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(whole_input_problem(
                &dir.display().to_string(),
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

fn whole_input_problem(input: &str, reason: &str, detail: String) -> Problem {
    Problem {
        input: input.to_string(),
        position: String::new(),
        reason: reason.to_string(),
        detail,
        entries: 0,
    }
}

/// Reads every source in parallel; results keep the sources' order.
pub fn read_all(sources: &[Source], options: &ReadOptions, redactor: &Redactor) -> ReadResult {
    let per_input: Vec<(Vec<Record>, InputReport, Vec<Problem>)> = sources
        .par_iter()
        .enumerate()
        .map(|(i, s)| read_one(s, i as u32, options, redactor))
        .collect();
    let mut result = ReadResult { records: Vec::new(), inputs: Vec::new(), problems: Vec::new() };
    for (records, report, problems) in per_input {
        result.records.extend(records);
        result.inputs.push(report);
        result.problems.extend(problems);
    }
    result
}

fn read_one(
    source: &Source,
    index: u32,
    options: &ReadOptions,
    redactor: &Redactor,
) -> (Vec<Record>, InputReport, Vec<Problem>) {
    let label = source.label();
    let mut report = InputReport { label: label.clone(), ..InputReport::default() };
    let loaded = match source::load(source) {
        Ok(l) => l,
        Err(e) => {
            let detail = e.to_string();
            report.error = Some(detail.clone());
            return (
                Vec::new(),
                report,
                vec![whole_input_problem(&label, "could not be read", detail)],
            );
        }
    };
    report.gzip = loaded.gzip;
    report.bytes = loaded.raw_len;
    let mut problems = Vec::new();
    if let Some(warning) = &loaded.warning {
        problems.push(Problem {
            input: label.clone(),
            position: format!("byte {} (decompressed)", loaded.bytes.len()),
            reason: "gzip cut off".into(),
            detail: warning.clone(),
            entries: 0,
        });
    }
    let bytes = loaded.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&loaded.bytes);

    let format = match options.input_format {
        InputFormat::Text => Ok(Format::Text),
        InputFormat::Auto => detect(bytes, true),
        InputFormat::Gcp => detect(bytes, false),
    };
    let format = match format {
        Ok(f) => f,
        Err(unreadable) => {
            report.format = "unreadable".into();
            report.error = Some(unreadable.message.clone());
            let problem = Problem {
                input: label,
                position: position(bytes, unreadable.offset),
                reason: "not a log export".into(),
                detail: unreadable.message,
                entries: 0,
            };
            problems.push(problem);
            return (Vec::new(), report, problems);
        }
    };
    report.format = format.name().to_string();
    let records = match format {
        Format::Empty => {
            problems.push(whole_input_problem(
                &label,
                "empty input",
                "the input holds no entries".into(),
            ));
            Vec::new()
        }
        Format::Text => {
            let fallback;
            let line_format = match &options.line_format {
                Some(f) => f,
                None => {
                    fallback = LineFormat::whole_line();
                    &fallback
                }
            };
            let out = text::read_text(bytes, &label, index, line_format, redactor);
            report.entries = out.lines;
            for line in &out.unmatched {
                problems.push(Problem {
                    input: label.clone(),
                    position: format!("line {line}"),
                    reason: "line does not match --line-format".into(),
                    detail: "no entry before it to continue".into(),
                    entries: 1,
                });
            }
            out.records
        }
        Format::Csv => {
            let out = csv_export::read_csv(bytes, &label, index, redactor);
            report.entries = out.rows;
            for e in out.errors {
                problems.push(Problem {
                    input: label.clone(),
                    position: format!("line {}", e.line),
                    reason: e.reason.to_string(),
                    detail: e.detail,
                    entries: 1,
                });
            }
            out.records
        }
        Format::Ndjson => read_ndjson(bytes, &label, index, redactor, &mut report, &mut problems),
        Format::JsonArray | Format::ConcatenatedJson => {
            let start = json_split::skip_ws(bytes, 0);
            let (spans, end) = if format == Format::JsonArray {
                split_array(bytes, start)
            } else {
                split_concatenated(bytes, start)
            };
            let records =
                parse_spans(bytes, &spans, &label, index, redactor, &mut report, &mut problems);
            match end {
                End::Clean => {}
                End::UnclosedArray => problems.push(Problem {
                    input: label.clone(),
                    position: position(bytes, bytes.len()),
                    reason: "array not closed".into(),
                    detail: "the JSON array has no closing `]`; every complete entry was read"
                        .into(),
                    entries: 0,
                }),
                End::Truncated { start } => {
                    report.entries += 1;
                    problems.push(Problem {
                        input: label.clone(),
                        position: position(bytes, start),
                        reason: "export cut off".into(),
                        detail: format!(
                            "the input ends inside the entry that starts here ({} bytes of it); the {} complete entries before it were read",
                            bytes.len() - start,
                            spans.len()
                        ),
                        entries: 1,
                    });
                }
                End::Unexpected { offset, byte } => {
                    // What follows is not JSON we can split; count it as one lost entry.
                    report.entries += 1;
                    problems.push(Problem {
                        input: label.clone(),
                        position: position(bytes, offset),
                        reason: "invalid JSON".into(),
                        detail: format!(
                            "unexpected {:?} between entries; reading of this input stopped here",
                            byte as char
                        ),
                        entries: 1,
                    });
                }
            }
            records
        }
    };
    report.skipped = problems.iter().map(|p| p.entries).sum();
    (records, report, problems)
}

fn read_ndjson(
    bytes: &[u8],
    label: &str,
    index: u32,
    redactor: &Redactor,
    report: &mut InputReport,
    problems: &mut Vec<Problem>,
) -> Vec<Record> {
    let mut spans = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        let line = &bytes[start..end];
        let trimmed_start = start + line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if trimmed_start < end {
            spans.push(Span { start: trimmed_start, end });
        }
        start = end + 1;
        if start > bytes.len() {
            break;
        }
    }
    parse_spans(bytes, &spans, label, index, redactor, report, problems)
}

/// Parses entry slices in parallel, keeping their order.
fn parse_spans(
    bytes: &[u8],
    spans: &[Span],
    label: &str,
    index: u32,
    redactor: &Redactor,
    report: &mut InputReport,
    problems: &mut Vec<Problem>,
) -> Vec<Record> {
    report.entries += spans.len() as u64;
    let parsed: Vec<_> = spans
        .par_iter()
        .map(|span| {
            let slice = &bytes[span.start..span.end];
            let result = parse_entry(slice, redactor);
            // An entry with invalid UTF-8 is still read, with the bad bytes replaced, and noted.
            let repaired = match &result {
                Err(_) if std::str::from_utf8(slice).is_err() => {
                    let text = String::from_utf8_lossy(slice);
                    parse_entry(text.as_bytes(), redactor).ok()
                }
                _ => None,
            };
            (span, result, repaired)
        })
        .collect();
    let mut records = Vec::with_capacity(parsed.len());
    for (span, result, repaired) in parsed {
        let result = match (result, repaired) {
            (Err(_), Some(rec)) => {
                let bad = std::str::from_utf8(&bytes[span.start..span.end])
                    .err()
                    .map_or(0, |e| span.start + e.valid_up_to());
                problems.push(Problem {
                    input: label.to_string(),
                    position: position(bytes, bad),
                    reason: "invalid UTF-8 (read with U+FFFD in its place)".into(),
                    detail: "the entry is in the report; fix the encoding to see the original text"
                        .into(),
                    entries: 0,
                });
                Ok(rec)
            }
            (result, _) => result,
        };
        match result {
            Ok(mut rec) => {
                rec.origin = Origin { input: index, line: 0, offset: span.start as u64 };
                let id = rec.insert_id.clone().unwrap_or_else(|| format!("{label}@{}", span.start));
                rec.entry_ids = vec![id];
                records.push(rec);
            }
            Err(e) => problems.push(Problem {
                input: label.to_string(),
                position: position(bytes, span.start),
                reason: e.reason.to_string(),
                detail: e.detail,
                entries: 1,
            }),
        }
    }
    records
}

/// "line L, byte B" for an offset, counting lines only when a message needs one.
pub fn position(bytes: &[u8], offset: usize) -> String {
    let offset = offset.min(bytes.len());
    let line = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
    format!("line {line}, byte {offset}")
}
