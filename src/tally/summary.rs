//! The summary: everything the report needs from the inputs, after tallying, and nothing that
//! grows with the number of entries. It is where a run can be split: summaries of parts of the
//! input (made on many machines) merge into the summary of the whole, and the rest of the
//! pipeline (group, aggregate, judge, render) runs once on it.
//!
//! A summary is canonical: names sorted, keys sorted by (service, key), event rows sorted and
//! each combination of what the report counts present once. [`Summary::merge`] of any
//! grouping and order of the same parts gives the same summary, so the report is the same
//! bytes whichever way the parts were merged. The file format is in `summary_file`.

use super::collector::Collector;
use super::events::{Event, NO_KEY, NO_TIME};
use super::keys::Examples;
use super::same_event::{self, Copies};
use crate::group::Key;
use crate::normalize::Severity;
use crate::read::{InputReport, Problem};
use rayon::slice::ParallelSliceMut;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a summary was made with: the options that act while reading. Summaries made with
/// different ones cannot be merged (their entries were selected or redacted differently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Scope {
    pub min_severity: Severity,
    /// `--service`, sorted.
    pub services: Vec<String>,
    /// `--since`/`--until` as given (times are applied while reading; spans at the end).
    pub since: Option<String>,
    pub until: Option<String>,
    pub input_format: String,
    pub line_format: Option<String>,
    /// The user's own secret patterns (`[[redact]]`), as (kind, pattern).
    pub redact: Vec<(String, String)>,
    /// The rules file's switches of the built-in redaction (`[redaction]`).
    pub redaction: crate::normalize::redact::RedactOptions,
}

/// One input and what it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    pub label: String,
    pub format: String,
    pub gzip: bool,
    pub bytes: u64,
    pub entries: u64,
    pub skipped: u64,
    pub error: Option<String>,
    /// Per reason, the entries lost and the first problems.
    pub problems: Vec<ReasonSummary>,
}

/// The problems of one input for one reason: how many, the entries lost, the first few.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonSummary {
    pub reason: String,
    pub problems: u64,
    pub entries: u64,
    /// The first [`PROBLEMS_KEPT`] (in input order), as `position` and `detail`.
    pub examples: Vec<(String, String)>,
}

/// The format of an "input" that only holds problems of a path that gave no input (a folder
/// that could not be listed): reported among the problems, not among the inputs.
pub const NOT_AN_INPUT: &str = "(not an input)";

/// Problems kept per input and reason; the rest are counted.
pub const PROBLEMS_KEPT: usize = 3;

/// One distinct key (a masked message, a traceback, a request route) of one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SummaryKey {
    /// Index into [`Summary::services`].
    pub(crate) service: u32,
    pub(crate) key: Key,
    pub(crate) examples: Examples,
    /// Hashes of trace ids: the smallest distinct ones, at most `TRACES_KEPT`.
    pub(crate) traces: Vec<u64>,
}

/// The summary of some inputs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub(crate) scope: Scope,
    /// Sorted by label.
    pub(crate) inputs: Vec<InputSummary>,
    pub(crate) duplicates: u64,
    pub(crate) service_not_selected: u64,
    /// Entries outside a window known before reading.
    pub(crate) outside_window: u64,
    /// The earliest and latest time of every entry read (in scope or not).
    pub(crate) read_range: Option<(i64, i64)>,
    /// Every service name read (in scope or not), sorted: what `--service` could have named.
    pub(crate) services_read: Vec<String>,
    /// Sorted names; for revisions, components and projects index 0 is "none" ("").
    pub(crate) services: Vec<String>,
    pub(crate) revisions: Vec<String>,
    pub(crate) components: Vec<String>,
    pub(crate) projects: Vec<String>,
    /// Sorted by (service name, key).
    pub(crate) keys: Vec<SummaryKey>,
    /// Sorted by everything but the counts and times; each combination once.
    pub(crate) events: Vec<Event>,
    /// Events per row, writer and log, for counting an event written twice once (sorted).
    pub(crate) copies: Vec<Copies>,
}

impl Summary {
    /// The collector's tally in canonical form. `inputs` and `problems` are what reading gave.
    /// Also returns, per event of the collector, its index in the summary's events (for
    /// `--assignments`, which names the issue of every entry).
    pub(crate) fn from_collector(
        collector: Collector<'_>,
        scope: Scope,
        inputs: Vec<InputReport>,
        problems: Vec<Problem>,
    ) -> (Summary, Vec<u32>) {
        let parts = collector.into_parts();
        let services = Renaming::new(parts.services, false);
        let revisions = Renaming::new(parts.revisions, true);
        let components = Renaming::new(parts.components, true);
        let projects = Renaming::new(parts.projects, true);
        let keys: Vec<SummaryKey> = parts
            .keys
            .into_iter()
            .zip(parts.traces)
            .map(|(k, traces)| SummaryKey {
                service: services.new_id(k.service),
                key: k.key,
                examples: k.examples,
                traces,
            })
            .collect();
        let (mut keys, key_of) = sort_keys(keys, &services.names);
        keys.iter_mut().for_each(|k| k.examples.sort());
        // Renumbered in place (same element type: `collect` reuses the vector).
        let events: Vec<Event> = parts
            .events
            .into_iter()
            .map(|e| Event {
                key: if e.key == NO_KEY { NO_KEY } else { key_of[e.key as usize] },
                service: services.new_id(e.service),
                revision: revisions.new_id(e.revision),
                component: components.new_id(e.component),
                project: projects.new_id(e.project),
                ..e
            })
            .collect();
        let (events, event_of) = canonical_events(events);
        let copies = same_event::canonical(parts.copies, &event_of);
        let summary = Summary {
            scope,
            inputs: summarize_inputs(inputs, problems),
            duplicates: parts.duplicates,
            service_not_selected: parts.service_not_selected,
            outside_window: parts.outside_window,
            read_range: parts.read_range,
            services_read: parts.services_read,
            services: services.names,
            revisions: revisions.names,
            components: components.names,
            projects: projects.names,
            keys,
            events,
            copies,
        };
        (summary, event_of)
    }

    /// Puts `inputs` (as an engine read them) in the place of standard input. Problems found on
    /// standard input stay listed under it (the engine's positions are not the files').
    pub(crate) fn replace_stdin(&mut self, inputs: Vec<InputSummary>) {
        let Some(at) = self.inputs.iter().position(|i| i.label == "-") else { return };
        let stdin = self.inputs.remove(at);
        if !stdin.problems.is_empty() {
            self.inputs.push(InputSummary {
                entries: 0,
                bytes: 0,
                format: NOT_AN_INPUT.into(),
                ..stdin
            });
        }
        self.inputs.extend(inputs);
        self.inputs.sort_by(|a, b| a.label.cmp(&b.label));
    }

    /// Entries read, over all inputs.
    pub fn entries_read(&self) -> u64 {
        self.inputs.iter().map(|i| i.entries).sum()
    }

    /// Entries that could not be read, over all inputs.
    pub fn entries_skipped(&self) -> u64 {
        self.inputs.iter().flat_map(|i| &i.problems).map(|r| r.entries).sum()
    }
}

/// Names renumbered in sorted order.
struct Renaming {
    names: Vec<String>,
    /// Old id → new id.
    new: Vec<u32>,
}

impl Renaming {
    /// `with_none`: id 0 is "none" and stays 0.
    fn new(old: Vec<String>, with_none: bool) -> Renaming {
        let mut order: Vec<usize> = (0..old.len()).collect();
        let skip = usize::from(with_none);
        order[skip..].sort_by(|&a, &b| old[a].cmp(&old[b]));
        let mut new = vec![0u32; old.len()];
        for (n, &o) in order.iter().enumerate() {
            new[o] = n as u32;
        }
        let mut slots: Vec<Option<String>> = old.into_iter().map(Some).collect();
        let names = order.iter().map(|&o| slots[o].take().expect("each name once")).collect();
        Renaming { names, new }
    }

    fn new_id(&self, old: u32) -> u32 {
        self.new[old as usize]
    }
}

/// Keys sorted by (service name, key); returns them and, per old index, the new one.
pub(super) fn sort_keys(keys: Vec<SummaryKey>, services: &[String]) -> (Vec<SummaryKey>, Vec<u32>) {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&keys[a], &keys[b]);
        services[x.service as usize].cmp(&services[y.service as usize]).then(x.key.cmp(&y.key))
    });
    let mut new_of = vec![0u32; keys.len()];
    for (n, &o) in order.iter().enumerate() {
        new_of[o] = n as u32;
    }
    let mut slots: Vec<Option<SummaryKey>> = keys.into_iter().map(Some).collect();
    let sorted = order.iter().map(|&o| slots[o].take().expect("each key once")).collect();
    (sorted, new_of)
}

/// What makes two event rows the same combination (everything but counts and times).
fn identity(e: &Event) -> (u32, u32, u32, u32, u32, Severity, bool, u16, i64) {
    let minute = if e.time == NO_TIME { NO_TIME } else { e.time.div_euclid(60_000_000_000) };
    (e.key, e.service, e.revision, e.component, e.project, e.severity, e.inferred, e.status, minute)
}

/// Rows sorted by identity, rows of the same identity combined. Returns them and, per row
/// given, the index of the row it went into.
///
/// Works in place (a summary's rows are the largest thing in memory at this point): the rows'
/// identities are sorted with their old positions, which then move the rows and give the
/// `into` map.
pub(super) fn canonical_events(mut events: Vec<Event>) -> (Vec<Event>, Vec<u32>) {
    let from = sorted_order(&events);
    permute(&mut events, &from);
    let mut into = vec![0u32; events.len()];
    let mut kept = 0usize;
    for i in 0..events.len() {
        if kept > 0 && identity(&events[kept - 1]) == identity(&events[i]) {
            let e = events[i];
            combine(&mut events[kept - 1], &e);
        } else {
            events[kept] = events[i];
            kept += 1;
        }
        into[from[i] as usize] = kept as u32 - 1;
    }
    events.truncate(kept);
    (events, into)
}

/// The rows' old positions in the order of their identities (tied rows are combined, and
/// combining is order-free).
fn sorted_order(events: &[Event]) -> Vec<u32> {
    // Each row's identity computed once: its minute is a division, which the sort's comparisons
    // did some forty times a row (1% of a run on 1 GB).
    let mut keyed: Vec<_> = events.iter().zip(0u32..).map(|(e, i)| (identity(e), i)).collect();
    keyed.par_sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Moves each row to its place in `from` (`events[k]` becomes the old `events[from[k]]`).
fn permute(events: &mut [Event], from: &[u32]) {
    // Apply the permutation in place by following its cycles; `done` marks rows placed.
    let mut done = vec![false; events.len()];
    for start in 0..events.len() {
        if done[start] {
            continue;
        }
        let first = events[start];
        let mut at = start;
        loop {
            done[at] = true;
            let next = from[at] as usize;
            if next == start {
                events[at] = first;
                break;
            }
            events[at] = events[next];
            at = next;
        }
    }
}

/// Adds `e`'s counts and times into `into` (same identity).
pub(super) fn combine(into: &mut Event, e: &Event) {
    into.count += e.count;
    into.entries += e.entries;
    // The earliest first time, the finest precision where times tie; NO_TIME only if both are.
    if into.time == NO_TIME
        || (e.time != NO_TIME
            && (e.time < into.time || (e.time == into.time && e.digits > into.digits)))
    {
        (into.time, into.digits) = (e.time, e.digits);
    }
    if e.last > into.last || (e.last == into.last && e.last_digits > into.last_digits) {
        (into.last, into.last_digits) = (e.last, e.last_digits);
    }
}

/// Inputs sorted by label, each with its problems summarized per reason.
fn summarize_inputs(inputs: Vec<InputReport>, problems: Vec<Problem>) -> Vec<InputSummary> {
    let mut by_input: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    for p in problems {
        by_input.entry(p.input.clone()).or_default().push(p);
    }
    let mut out: Vec<InputSummary> = inputs
        .into_iter()
        .map(|i| InputSummary {
            problems: summarize_problems(by_input.remove(&i.label).unwrap_or_default()),
            label: i.label,
            format: i.format,
            gzip: i.gzip,
            bytes: i.bytes,
            entries: i.entries,
            skipped: i.skipped,
            error: i.error,
        })
        .collect();
    // Problems with paths that gave no input (a folder that could not be listed).
    for (label, problems) in by_input {
        out.push(InputSummary {
            label,
            format: NOT_AN_INPUT.into(),
            gzip: false,
            bytes: 0,
            entries: 0,
            skipped: problems.iter().map(|p| p.entries).sum(),
            error: None,
            problems: summarize_problems(problems),
        });
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// One input's problems (in input order) per reason, in order of first appearance.
fn summarize_problems(problems: Vec<Problem>) -> Vec<ReasonSummary> {
    let mut out: Vec<ReasonSummary> = Vec::new();
    for p in problems {
        let r = match out.iter_mut().find(|r| r.reason == p.reason) {
            Some(r) => r,
            None => {
                out.push(ReasonSummary {
                    reason: p.reason.clone(),
                    problems: 0,
                    entries: 0,
                    examples: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        r.problems += 1;
        r.entries += p.entries;
        if r.examples.len() < PROBLEMS_KEPT {
            r.examples.push((p.position, p.detail));
        }
    }
    out
}
