//! The summary file: gzip-compressed JSON, versioned. Documented in `docs/summaries.md`.
//!
//! ```text
//! {"format": "log-gardener-summary", "version": 1, "tool_version": "0.1.0",
//!  "scope": {...}, "inputs": [...], "duplicates": n, "service_not_selected": n,
//!  "outside_window": n, "read_range": [first ns, last ns] | null, "services_read": [...],
//!  "names": {"services": [...], "revisions": ["", ...], "components": ["", ...], "projects": ["", ...]},
//!  "keys": [{"service": i, "key": {...}, "examples": {...}, "traces": [...]}],
//!  "events": {"key": [...], "service": [...], ..., "count": [...], "entries": [...]},
//!  "copies": [[event row, writer hash, log hash, events], ...]}
//! ```
//!
//! Events are stored as columns: a summary is mostly event rows, and columns of small integers
//! compress several times better than objects. JSON over gzip was chosen over Arrow IPC or
//! Parquet: it needs no further dependency (polars' `ipc`/`parquet` features add minutes to a
//! clean build), it can be read with `zcat | jq`, and summaries are small (measured in
//! `docs/performance.md`). A summary of another version is refused with a message naming both.

use super::events::Event;
use super::same_event::Copies;
use super::summary::{InputSummary, Scope, Summary, SummaryKey};
use crate::normalize::Severity;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// What a summary file says it is.
pub const FORMAT: &str = "log-gardener-summary";
/// The version this build reads and writes; any change of the layout or of what a field means
/// takes a new version.
pub const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    tool_version: String,
    scope: Scope,
    inputs: Vec<InputSummary>,
    duplicates: u64,
    service_not_selected: u64,
    outside_window: u64,
    read_range: Option<(i64, i64)>,
    /// Every service name read, taken or not (version 2).
    services_read: Vec<String>,
    names: Names,
    keys: Vec<SummaryKey>,
    events: Columns,
    /// (event row, writer hash, log hash, events), see `same_event`.
    copies: Vec<(u32, u64, u64, u64)>,
}

#[derive(Serialize, Deserialize)]
struct Names {
    services: Vec<String>,
    revisions: Vec<String>,
    components: Vec<String>,
    projects: Vec<String>,
}

/// Event rows as columns.
#[derive(Serialize, Deserialize, Default)]
struct Columns {
    key: Vec<u32>,
    service: Vec<u32>,
    revision: Vec<u32>,
    component: Vec<u32>,
    project: Vec<u32>,
    severity: Vec<u8>,
    inferred: Vec<bool>,
    status: Vec<u16>,
    time: Vec<i64>,
    digits: Vec<u8>,
    last: Vec<i64>,
    last_digits: Vec<u8>,
    count: Vec<u64>,
    entries: Vec<u64>,
}

/// Just what tells the format and version, read before anything else.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// Writes `summary` as a summary file.
pub fn write(summary: &Summary, out: impl Write) -> std::io::Result<()> {
    let file = File {
        format: FORMAT.to_string(),
        version: VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        scope: summary.scope.clone(),
        inputs: summary.inputs.clone(),
        duplicates: summary.duplicates,
        service_not_selected: summary.service_not_selected,
        outside_window: summary.outside_window,
        read_range: summary.read_range,
        services_read: summary.services_read.clone(),
        names: Names {
            services: summary.services.clone(),
            revisions: summary.revisions.clone(),
            components: summary.components.clone(),
            projects: summary.projects.clone(),
        },
        keys: summary.keys.clone(),
        events: columns(&summary.events),
        copies: summary.copies.iter().map(|c| (c.event, c.writer, c.stream, c.count)).collect(),
    };
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
    // serde_json writes a few bytes at a time, and every write into the encoder clears its
    // whole output buffer: without a buffer in between, that clearing was half the time.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut gz);
    serde_json::to_writer(&mut buffered, &file)?;
    buffered.flush()?;
    drop(buffered);
    gz.finish()?.flush()
}

/// Reads a summary file; `label` names it in messages.
pub fn read(input: impl Read, label: &str) -> Result<Summary, String> {
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(input)
        .read_to_end(&mut text)
        .map_err(|e| format!("{label}: not a log-gardener summary (not gzip data: {e})"))?;
    let header: Header = serde_json::from_slice(&text)
        .map_err(|e| format!("{label}: not a log-gardener summary ({e})"))?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(format!("{label}: not a log-gardener summary (no \"format\": \"{FORMAT}\")"));
    }
    match header.version {
        Some(VERSION) => {}
        other => {
            let theirs = other.map_or("unknown".to_string(), |v| v.to_string());
            return Err(format!(
                "{label}: a summary of version {theirs}; this log-gardener ({}) reads version \
                 {VERSION}: make the summaries and the merge with the same release",
                env!("CARGO_PKG_VERSION")
            ));
        }
    }
    let file: File = serde_json::from_slice(&text)
        .map_err(|e| format!("{label}: a damaged log-gardener summary ({e})"))?;
    let events = rows(&file.events).ok_or_else(|| {
        format!("{label}: a damaged log-gardener summary (event columns of different lengths)")
    })?;
    let summary = Summary {
        scope: file.scope,
        inputs: file.inputs,
        duplicates: file.duplicates,
        service_not_selected: file.service_not_selected,
        outside_window: file.outside_window,
        read_range: file.read_range,
        services_read: file.services_read,
        services: file.names.services,
        revisions: file.names.revisions,
        components: file.names.components,
        projects: file.names.projects,
        keys: file.keys,
        events,
        copies: file
            .copies
            .iter()
            .map(|&(event, writer, stream, count)| Copies { event, writer, stream, count })
            .collect(),
    };
    check(&summary).map_err(|e| format!("{label}: a damaged log-gardener summary ({e})"))?;
    Ok(summary)
}

fn columns(events: &[Event]) -> Columns {
    let mut c = Columns::default();
    for e in events {
        c.key.push(e.key);
        c.service.push(e.service);
        c.revision.push(e.revision);
        c.component.push(e.component);
        c.project.push(e.project);
        c.severity.push(e.severity as u8);
        c.inferred.push(e.inferred);
        c.status.push(e.status);
        c.time.push(e.time);
        c.digits.push(e.digits);
        c.last.push(e.last);
        c.last_digits.push(e.last_digits);
        c.count.push(e.count);
        c.entries.push(e.entries);
    }
    c
}

/// The rows of the columns, if they all have one value a row.
fn rows(c: &Columns) -> Option<Vec<Event>> {
    let n = c.key.len();
    let lens = [
        c.service.len(),
        c.revision.len(),
        c.component.len(),
        c.project.len(),
        c.severity.len(),
        c.inferred.len(),
        c.status.len(),
        c.time.len(),
        c.digits.len(),
        c.last.len(),
        c.last_digits.len(),
        c.count.len(),
        c.entries.len(),
    ];
    if lens.iter().any(|&l| l != n) {
        return None;
    }
    Some(
        (0..n)
            .map(|i| Event {
                key: c.key[i],
                service: c.service[i],
                revision: c.revision[i],
                component: c.component[i],
                project: c.project[i],
                severity: Severity::from_index(c.severity[i]),
                inferred: c.inferred[i],
                status: c.status[i],
                time: c.time[i],
                digits: c.digits[i],
                last: c.last[i],
                last_digits: c.last_digits[i],
                count: c.count[i],
                entries: c.entries[i],
            })
            .collect(),
    )
}

/// Every id in range, so that a damaged file fails here with a message instead of later.
fn check(s: &Summary) -> Result<(), String> {
    let within = |id: u32, len: usize, what: &str| {
        if (id as usize) < len {
            Ok(())
        } else {
            Err(format!("{what} {id} of {len}"))
        }
    };
    for k in &s.keys {
        within(k.service, s.services.len(), "service")?;
    }
    for c in &s.copies {
        within(c.event, s.events.len(), "event")?;
    }
    for e in &s.events {
        if e.key != super::events::NO_KEY {
            within(e.key, s.keys.len(), "key")?;
        }
        within(e.service, s.services.len(), "service")?;
        within(e.revision, s.revisions.len().max(1), "revision")?;
        within(e.component, s.components.len().max(1), "component")?;
        within(e.project, s.projects.len().max(1), "project")?;
    }
    Ok(())
}
