//! Turns each chunk's records into compact events as soon as they are read, so memory follows
//! the number of entries (a few integers each) and the number of distinct messages, not the size
//! of the input.
//!
//! Per record: duplicates are dropped (a 128-bit hash of insertId, logName and timestamp), names
//! are interned, and records in scope by severity and service are keyed (masked, or fingerprinted
//! for stack traces and requests) in parallel. A key keeps a few example messages; the record's
//! text is then dropped. Records that may be one line of a traceback split over entries are kept
//! whole until the end, when they are reassembled and keyed like the rest.

use super::seen::Seen;
use crate::group::{key_of_parts, Key};
use crate::normalize::multiline::{self, LineView};
use crate::normalize::record::Request;
use crate::normalize::time::Timestamp;
use crate::normalize::{Record, Severity};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Sentinel for "no time".
pub const NO_TIME: i64 = i64::MIN;
/// Sentinel for "not keyed" (below the minimum severity).
pub const NO_KEY: u32 = u32::MAX;

/// Events alike in everything the report counts (key, service, revision, component, project,
/// severity, status, and the minute they fell in) counted together, with their first and last
/// time. Memory then follows the number of such combinations, not the number of entries.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// The first time (or [`NO_TIME`]) and its fraction digits.
    pub time: i64,
    pub digits: u8,
    /// The last time and its fraction digits.
    pub last: i64,
    pub last_digits: u8,
    /// Events counted in this row.
    pub count: u32,
    pub severity: Severity,
    pub inferred: bool,
    pub service: u32,
    /// 0 = none, for revision, component and project.
    pub revision: u32,
    pub component: u32,
    pub project: u32,
    pub status: u16,
    pub key: u32,
    pub entries: u32,
}

impl Event {
    pub fn time(&self) -> Option<i64> {
        (self.time != NO_TIME).then_some(self.time)
    }

    pub fn last(&self) -> Option<i64> {
        (self.last != NO_TIME).then_some(self.last)
    }
}

/// What makes events alike (see [`Event`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey {
    key: u32,
    service: u32,
    revision: u32,
    component: u32,
    project: u32,
    severity: Severity,
    inferred: bool,
    status: u16,
    slot: i64,
}

/// Trace ids kept per key, for correlation.
const TRACES_PER_KEY: usize = 256;

/// A vector kept in fixed-size segments: it grows without the doubling copy that made a
/// vector of a million events briefly twice its size.
pub struct Segmented<T> {
    segments: Vec<Vec<T>>,
    len: usize,
}

const SEGMENT: usize = 1 << 16;

impl<T> Default for Segmented<T> {
    fn default() -> Self {
        Segmented { segments: Vec::new(), len: 0 }
    }
}

impl<T> Segmented<T> {
    pub fn push(&mut self, value: T) {
        if self.segments.last().is_none_or(|s| s.len() == SEGMENT) {
            self.segments.push(Vec::with_capacity(SEGMENT));
        }
        self.segments.last_mut().expect("just pushed").push(value);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> + Clone {
        self.segments.iter().flatten()
    }
}

impl<T> std::ops::IndexMut<usize> for Segmented<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.segments[i / SEGMENT][i % SEGMENT]
    }
}

impl<T> std::ops::Index<usize> for Segmented<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.segments[i / SEGMENT][i % SEGMENT]
    }
}

/// A few example messages of a key: the earliest and the latest distinct ones, so that a window
/// chosen after reading (`--since 2d`) still finds examples inside it.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    pub early: Vec<(i64, String)>,
    pub late: Vec<(i64, String)>,
}

const EXAMPLES_KEPT: usize = 3;

impl Examples {
    fn offer(&mut self, time: i64, message: &str) {
        let t = if time == NO_TIME { i64::MAX } else { time };
        keep(&mut self.early, t, message, |a, b| a < b);
        keep(&mut self.late, t, message, |a, b| a > b);
    }
}

/// Keeps up to three distinct messages, preferring times `better` than the worst kept.
fn keep(list: &mut Vec<(i64, String)>, t: i64, message: &str, better: fn(i64, i64) -> bool) {
    if let Some(same) = list.iter_mut().find(|(_, m)| m == message) {
        if better(t, same.0) {
            same.0 = t;
        }
        return;
    }
    if list.len() < EXAMPLES_KEPT {
        list.push((t, message.to_string()));
        return;
    }
    let worst =
        (0..list.len()).reduce(|a, b| if better(list[a].0, list[b].0) { b } else { a }).unwrap();
    if better(t, list[worst].0) || (t == list[worst].0 && message < list[worst].1.as_str()) {
        list[worst] = (t, message.to_string());
    }
}

/// A distinct (service, key).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub service: u32,
    pub key: Key,
    pub examples: Examples,
}

/// Names to dense ids; id 0 is "none" when `with_none`.
#[derive(Default)]
pub struct Interner {
    pub names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    pub fn new(with_none: bool) -> Interner {
        let names = if with_none { vec![String::new()] } else { Vec::new() };
        Interner { names, ids: HashMap::default() }
    }

    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    fn opt(&mut self, name: Option<&str>) -> u32 {
        name.map_or(0, |n| self.id(n))
    }
}

/// A batch's own name ids mapped to the collector's, each on first use, so that names are
/// numbered in the order entries are taken (dropped entries add no names).
struct NameMap<'a> {
    local: &'a Interner,
    global: Vec<u32>,
}

impl<'a> NameMap<'a> {
    fn new(local: &'a Interner) -> NameMap<'a> {
        NameMap { local, global: vec![u32::MAX; local.names.len()] }
    }

    fn map(&mut self, id: u32, global: &mut Interner, with_none: bool) -> u32 {
        if with_none && id == 0 {
            return 0;
        }
        let slot = &mut self.global[id as usize];
        if *slot == u32::MAX {
            *slot = global.id(&self.local.names[id as usize]);
        }
        *slot
    }
}

/// A batch of records reduced by [`reduce`] to what the collector keeps. Names are numbered
/// within the batch; the collector maps them to its own ids.
pub struct Batch {
    services: Interner,
    revisions: Interner,
    components: Interner,
    projects: Interner,
    lines: Vec<Reduced>,
}

/// A line as reduced on a parsing thread, with what only the collector's first look needs: the
/// duplicate hash (for entries with an insertId) and the key, unless the line may join a
/// traceback (then it is keyed once reassembled). Kept apart from [`Line`] so that the lines
/// waiting for reassembly stay small.
struct Reduced {
    line: Line,
    dedup: Option<u128>,
    joins: bool,
    key: Option<Key>,
}

/// Reduces parsed records to lines, on the parsing threads: hashes for duplicates, streams and
/// traces, the key of each record in scope, and only the text later stages use.
pub fn reduce(
    records: &mut dyn Iterator<Item = Record<'_>>,
    min_severity: Severity,
    want_ids: bool,
) -> Batch {
    let mut services = Interner::new(false);
    let mut revisions = Interner::new(true);
    let mut components = Interner::new(true);
    let mut projects = Interner::new(true);
    let mut lines = Vec::with_capacity(records.size_hint().1.unwrap_or(0));
    lines.extend(records.map(|rec| {
        let joins = multiline::may_join(&rec);
        // Lines that may join a traceback are keyed once reassembled; the rest here.
        let key = (!joins && rec.severity >= min_severity)
            .then(|| key_of_parts(&rec.message, rec.request.as_ref()));
        let keep_text = joins || key.is_some();
        let dedup = rec
            .insert_id
            .as_deref()
            .map(|id| dedup_hash(id, rec.log_name.as_deref(), rec.time_nanos()));
        let line = Line {
            stream: multiline::stream_hash(&rec),
            time: rec.time,
            declared: multiline::declared_severity(&rec),
            severity: rec.severity,
            inferred: rec.severity_inferred,
            service: services.id(&rec.service),
            revision: revisions.opt(rec.revision.as_deref()),
            component: components.opt(rec.component.as_deref()),
            project: projects.opt(rec.project.as_deref()),
            trace: rec.trace.as_deref().map_or(0, |t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()) | 1),
            entries: rec.entries,
            ids: if want_ids { rec.entry_ids } else { Vec::new() },
            input: rec.origin.input,
            offset: rec.origin.offset.max(rec.origin.line),
            request: rec.request,
            message: if keep_text { rec.message.into_owned() } else { String::new() },
        };
        Reduced { line, dedup, joins, key }
    }));
    Batch { services, revisions, components, projects, lines }
}

/// Everything collected from the inputs.
pub struct Collector {
    min_severity: Severity,
    services: HashSet<String>,
    pub events: Segmented<Event>,
    /// (event, input, offset, entry id) when `--assignments` asked for ids.
    pub entry_ids: Vec<(u32, u32, u64, String)>,
    pub keys: Vec<KeyInfo>,
    key_index: HashMap<(u32, Key), u32>,
    /// Lines that may belong to a traceback split over entries, kept until the end.
    candidates: Vec<Line>,
    seen: Seen,
    pub service_names: Interner,
    pub revision_names: Interner,
    pub component_names: Interner,
    pub project_names: Interner,
    pub duplicates: u64,
    pub service_not_selected: u64,
    /// Entries outside a window known before reading.
    pub outside_window: u64,
    window: (Option<i64>, Option<i64>),
    /// Width of the time slots alike events are counted in (1 ns: every event apart).
    slot_nanos: i64,
    groups: HashMap<GroupKey, u32>,
    /// Per key, hashes of some of its trace ids.
    pub key_traces: Vec<Vec<u64>>,
    /// Candidate lines from which [`Collector::settle`] looks for complete events.
    settle_at: usize,
    settle_base: usize,
}

/// Candidate lines this far from what is being read are complete (see [`Collector::settle`]).
const SETTLED_NANOS: i64 = 60_000_000_000;

/// How many candidate lines wait before settling is tried (`LOG_GARDENER_SETTLE_LINES` sets it
/// lower in tests).
fn settle_base() -> usize {
    std::env::var("LOG_GARDENER_SETTLE_LINES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(50_000)
}

impl Collector {
    /// `window`: when the window is known before reading (absolute `--since`/`--until`, or none),
    /// entries outside it are counted and dropped here and alike events are counted together
    /// per minute; `None` keeps every event apart, for a window that depends on the newest entry.
    pub fn new(
        min_severity: Severity,
        services: &[String],
        window: Option<(Option<i64>, Option<i64>)>,
    ) -> Collector {
        Collector {
            slot_nanos: if window.is_some() { 60_000_000_000 } else { 1 },
            window: window.unwrap_or((None, None)),
            outside_window: 0,
            groups: HashMap::default(),
            key_traces: Vec::new(),
            settle_at: settle_base(),
            settle_base: settle_base(),
            min_severity,
            services: services.iter().cloned().collect(),
            events: Segmented::default(),
            entry_ids: Vec::new(),
            keys: Vec::new(),
            key_index: HashMap::default(),
            candidates: Vec::new(),
            seen: Seen::default(),
            service_names: Interner::new(false),
            revision_names: Interner::new(true),
            component_names: Interner::new(true),
            project_names: Interner::new(true),
            duplicates: 0,
            service_not_selected: 0,
        }
    }

    /// Takes one chunk's batches, in input order.
    pub fn add(&mut self, batches: Vec<Batch>) {
        let mut range: Option<(i64, i64)> = None;
        let mut ready = Vec::new();
        let (mut hashes, mut fresh) = (Vec::new(), Vec::new());
        for batch in batches {
            let selected: Vec<bool> = batch
                .services
                .names
                .iter()
                .map(|s| self.services.is_empty() || self.services.contains(s))
                .collect();
            let mut services = NameMap::new(&batch.services);
            let mut revisions = NameMap::new(&batch.revisions);
            let mut components = NameMap::new(&batch.components);
            let mut projects = NameMap::new(&batch.projects);
            hashes.clear();
            hashes.extend(batch.lines.iter().filter_map(|r| r.dedup));
            fresh.clear();
            self.seen.insert_all(&hashes, &mut fresh);
            let mut fresh = fresh.iter();
            for Reduced { mut line, dedup, joins, key } in batch.lines {
                if let Some(t) = line.time.map(|t| t.nanos) {
                    range = Some(range.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))));
                }
                if dedup.is_some() && !fresh.next().expect("one for each hash") {
                    self.duplicates += line.entries as u64;
                    continue;
                }
                if !selected[line.service as usize] {
                    self.service_not_selected += line.entries as u64;
                    continue;
                }
                if let Some(t) = line.time.map(|t| t.nanos) {
                    let (since, until) = self.window;
                    if since.is_some_and(|s| t < s) || until.is_some_and(|u| t > u) {
                        self.outside_window += line.entries as u64;
                        continue;
                    }
                }
                line.service = services.map(line.service, &mut self.service_names, false);
                line.revision = revisions.map(line.revision, &mut self.revision_names, true);
                line.component = components.map(line.component, &mut self.component_names, true);
                line.project = projects.map(line.project, &mut self.project_names, true);
                if joins {
                    self.candidates.push(line);
                } else {
                    ready.push((line, key));
                }
            }
        }
        self.emit(ready);
        if let Some(range) = range {
            self.settle(range);
        }
    }

    /// Reassembles the tracebacks split over entries and takes them in. Call once, at the end.
    pub fn finish(&mut self) {
        // Reading is over: the duplicate set is the largest thing no later stage needs.
        self.seen = Seen::default();
        let lines = std::mem::take(&mut self.candidates);
        self.reassemble_and_emit(lines);
        self.groups = HashMap::default();
    }

    /// Joins split tracebacks among `lines` (which must hold every line of their events) and
    /// stores the events.
    fn reassemble_and_emit(&mut self, mut lines: Vec<Line>) {
        let views: Vec<LineView> = lines
            .iter()
            .map(|l| LineView {
                stream: l.stream,
                time: l.time.map(|t| t.nanos),
                declared: l.declared,
                severity: l.severity,
                message: &l.message,
                order: (l.input, l.offset),
            })
            .collect();
        let parent = multiline::plan(&views);
        let children = multiline::children_of(&views, &parent);
        drop(views);
        let mut heads = Vec::new();
        for i in 0..lines.len() {
            if parent[i].is_some() {
                continue;
            }
            let mut head = std::mem::take(&mut lines[i]);
            for &c in &children[i] {
                let child = std::mem::take(&mut lines[c]);
                head.message.push('\n');
                head.message.push_str(&child.message);
                head.entries += child.entries;
                head.ids.extend(child.ids);
            }
            if !children[i].is_empty() && !head.declared && head.severity < Severity::Error {
                head.severity = Severity::Error;
                head.inferred = true;
            }
            heads.push(head);
        }
        self.emit(heads.into_iter().map(|h| (h, None)).collect());
    }

    /// Reassembles, before the end, the candidate lines that no later input can join: inputs
    /// advance in time (a sink's files, a gcloud array backwards), so per stream the lines more
    /// than [`SETTLED_NANOS`] away from the time range just read, and cut from the rest by a gap
    /// wider than a traceback's, are complete. This keeps memory from growing with them.
    fn settle(&mut self, range: (i64, i64)) {
        if self.candidates.len() < self.settle_at {
            return;
        }
        let (lo, hi) = (range.0 - SETTLED_NANOS, range.1 + SETTLED_NANOS);
        let mut lines = std::mem::take(&mut self.candidates);
        // Per stream, in time order.
        // In place (no merge buffer): (input, offset) is unique, so the order is the same.
        lines.sort_unstable_by_key(|l| (l.stream, l.time.map(|t| t.nanos), l.input, l.offset));
        let mut settled = vec![false; lines.len()];
        let mut start = 0;
        while start < lines.len() {
            let end = start
                + lines[start..].iter().take_while(|l| l.stream == lines[start].stream).count();
            let times: Vec<Option<i64>> =
                lines[start..end].iter().map(|l| l.time.map(|t| t.nanos)).collect();
            let gap_after = |i: usize| match (times[i], times.get(i + 1).copied().flatten()) {
                (Some(a), Some(b)) => b - a > multiline::MAX_GAP_NANOS,
                (Some(_), None) => i + 1 == times.len(),
                _ => false,
            };
            // Before the range: the longest prefix ending at a gap, wholly before `lo`.
            if let Some(cut) =
                (0..times.len()).rev().find(|&i| times[i].is_some_and(|t| t < lo) && gap_after(i))
            {
                for flag in &mut settled[start..=start + cut] {
                    *flag = true;
                }
            }
            // After the range: the longest suffix starting after a gap, wholly after `hi`.
            if let Some(first) = (0..times.len()).find(|&i| {
                times[i].is_some_and(|t| t > hi)
                    && (i == 0 || times[i - 1].is_some_and(|_| gap_after(i - 1)))
            }) {
                for flag in &mut settled[start + first..end] {
                    *flag = true;
                }
            }
            start = end;
        }
        // The settled lines move out; the rest stay where they are (no second copy of all).
        let mut settled = settled.into_iter();
        let done: Vec<Line> =
            lines.extract_if(.., |_| settled.next().expect("a flag a line")).collect();
        self.candidates = lines;
        self.reassemble_and_emit(done);
        // Next time, only once as many new candidates have come.
        self.settle_at = (self.candidates.len() * 2).max(self.settle_base);
    }

    /// Keys the lines in scope not keyed yet (reassembled tracebacks; in parallel: masking is
    /// the expensive part) and stores events.
    fn emit(&mut self, mut lines: Vec<(Line, Option<Key>)>) {
        let min = self.min_severity;
        let unkeyed = lines.iter().filter(|(l, key)| key.is_none() && l.severity >= min).count();
        let key_one = |(l, key): &mut (Line, Option<Key>)| {
            if key.is_none() && l.severity >= min {
                *key = Some(key_of_parts(&l.message, l.request.as_ref()));
            }
        };
        // Asking the pool for help means waiting until a parsing thread is free: only worth it
        // for many lines (the reassembled tracebacks at the end), never for each chunk's lines,
        // which come keyed.
        if unkeyed >= 4096 {
            lines.par_iter_mut().with_min_len(64).for_each(key_one);
        } else if unkeyed > 0 {
            lines.iter_mut().for_each(key_one);
        }
        for (line, key) in lines {
            let time = line.time.map_or(NO_TIME, |t| t.nanos);
            let key = match key {
                Some(k) => {
                    let probe = (line.service, k);
                    let id = match self.key_index.get(&probe) {
                        Some(&id) => id,
                        None => {
                            let id = self.keys.len() as u32;
                            self.keys.push(KeyInfo {
                                service: line.service,
                                key: probe.1.clone(),
                                examples: Examples::default(),
                            });
                            self.key_traces.push(Vec::new());
                            self.key_index.insert(probe, id);
                            id
                        }
                    };
                    self.keys[id as usize].examples.offer(time, &line.message);
                    let traces = &mut self.key_traces[id as usize];
                    if line.trace != 0
                        && traces.len() < TRACES_PER_KEY
                        && !traces.contains(&line.trace)
                    {
                        traces.push(line.trace);
                    }
                    id
                }
                None => NO_KEY,
            };
            let status = line.request.as_ref().map_or(0, |r| r.status);
            let digits = line.time.map_or(0, |t| t.digits);
            let group = GroupKey {
                key,
                service: line.service,
                revision: line.revision,
                component: line.component,
                project: line.project,
                severity: line.severity,
                inferred: line.inferred,
                status,
                slot: if time == NO_TIME { i64::MIN } else { time.div_euclid(self.slot_nanos) },
            };
            let event = match self.groups.get(&group) {
                Some(&g) => {
                    let e = &mut self.events[g as usize];
                    e.count += 1;
                    e.entries += line.entries;
                    if time < e.time || (time == e.time && digits > e.digits) {
                        (e.time, e.digits) = (time, digits);
                    }
                    if time > e.last || (time == e.last && digits > e.last_digits) {
                        (e.last, e.last_digits) = (time, digits);
                    }
                    g
                }
                None => {
                    let g = self.events.len() as u32;
                    self.groups.insert(group, g);
                    self.events.push(Event {
                        time,
                        digits,
                        last: time,
                        last_digits: digits,
                        count: 1,
                        severity: line.severity,
                        inferred: line.inferred,
                        service: line.service,
                        revision: line.revision,
                        component: line.component,
                        project: line.project,
                        status,
                        key,
                        entries: line.entries,
                    });
                    g
                }
            };
            for id in line.ids {
                self.entry_ids.push((event, line.input, line.offset, id));
            }
        }
    }
}

/// A record reduced to what the collector needs: interned names, hashes, the message (only
/// where an example or a reassembly may need it).
#[derive(Default)]
struct Line {
    stream: u64,
    time: Option<Timestamp>,
    declared: bool,
    severity: Severity,
    inferred: bool,
    service: u32,
    revision: u32,
    component: u32,
    project: u32,
    trace: u64,
    entries: u32,
    /// Entry ids, only when `--assignments` asked for them.
    ids: Vec<String>,
    input: u32,
    offset: u64,
    request: Option<Request>,
    message: String,
}

/// Duplicates are the same insertId, logName and timestamp. [`Seen`] keeps 96 bits of this hash,
/// which makes a false match (and so a wrongly dropped entry) practically impossible.
fn dedup_hash(insert_id: &str, log_name: Option<&str>, time: Option<i64>) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(insert_id.as_bytes());
    h.update(&[0x1f]);
    h.update(log_name.unwrap_or("").as_bytes());
    h.update(&[0x1f]);
    h.update(&time.unwrap_or(NO_TIME).to_le_bytes());
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_keep_earliest_and_latest_distinct() {
        let mut ex = Examples::default();
        for (t, m) in [(5, "e"), (1, "a"), (3, "c"), (1, "a"), (9, "z"), (2, "b"), (7, "x")] {
            ex.offer(t, m);
        }
        let mut early: Vec<_> = ex.early.iter().map(|(t, m)| (*t, m.as_str())).collect();
        early.sort();
        assert_eq!(early, [(1, "a"), (2, "b"), (3, "c")]);
        let mut late: Vec<_> = ex.late.iter().map(|(t, m)| (*t, m.as_str())).collect();
        late.sort();
        assert_eq!(late, [(5, "e"), (7, "x"), (9, "z")]);
    }
}
