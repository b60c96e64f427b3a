//! Turns each chunk's records into compact events as soon as they are read, so memory follows
//! the number of entries (a few integers each) and the number of distinct messages, not the size
//! of the input.
//!
//! Two halves. [`reduce`] runs on the parsing threads, batch by batch: it hashes each record's
//! duplicate identity, stream and trace, numbers names within the batch, keys the records in
//! scope (masked, or fingerprinted for stack traces and requests) and gathers each key's examples
//! and trace ids; the text is dropped there, except for lines that may belong to a traceback
//! split over entries. [`Collector`] runs on one thread, in input order: it drops duplicates,
//! maps the batch's names and keys to its own ids, counts alike events together, and keeps the
//! traceback candidates until they are complete, when they are reassembled and keyed like the
//! rest.

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

/// Keeps a trace id hash (0 is "none") among a key's first [`TRACES_PER_KEY`] distinct ones.
fn note_trace(traces: &mut Vec<u64>, trace: u64) {
    if trace != 0 && traces.len() < TRACES_PER_KEY && !traces.contains(&trace) {
        traces.push(trace);
    }
}

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
        keep(&mut self.early, t, message, early);
        keep(&mut self.late, t, message, late);
    }

    /// Takes in another set of examples (of the same key, from a batch read in parallel).
    fn merge(&mut self, other: &Examples) {
        for (t, m) in &other.early {
            keep(&mut self.early, *t, m, early);
        }
        for (t, m) in &other.late {
            keep(&mut self.late, *t, m, late);
        }
    }
}

fn early(t: i64) -> i64 {
    t
}

fn late(t: i64) -> i64 {
    t.saturating_neg()
}

/// Keeps the three distinct messages that come first by the `rank` of their best time, then by
/// their text. A total order: the same three are kept whatever order (or batches) the messages
/// are offered in, so examples found per batch in parallel merge into the same result.
fn keep(list: &mut Vec<(i64, String)>, t: i64, message: &str, rank: fn(i64) -> i64) {
    if let Some(same) = list.iter_mut().find(|(_, m)| m == message) {
        if rank(t) < rank(same.0) {
            same.0 = t;
        }
        return;
    }
    if list.len() < EXAMPLES_KEPT {
        list.push((t, message.to_string()));
        return;
    }
    fn order(rank: fn(i64) -> i64, (t, m): &(i64, String)) -> (i64, &str) {
        (rank(*t), m.as_str())
    }
    let worst =
        (0..list.len()).max_by(|&a, &b| order(rank, &list[a]).cmp(&order(rank, &list[b]))).unwrap();
    if (rank(t), message) < order(rank, &list[worst]) {
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

/// What is taken at all, known before reading, so that batches are reduced to what counts on
/// the parsing threads.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub min_severity: Severity,
    /// Services asked for (`--service`); empty for all.
    pub services: HashSet<String>,
    /// A window known before reading (`--since`/`--until` given as times), else open.
    pub window: (Option<i64>, Option<i64>),
    /// Keep entry ids (`--assignments`).
    pub want_ids: bool,
}

/// A batch of records reduced by [`reduce`] to what the collector keeps. Names and keys are
/// numbered within the batch; the collector maps them to its own ids.
pub struct Batch {
    services: Interner,
    revisions: Interner,
    components: Interner,
    projects: Interner,
    keys: Vec<BatchKey>,
    lines: Vec<Reduced>,
}

/// A key as found in one batch: its examples and trace ids there.
struct BatchKey {
    key: Key,
    examples: Examples,
    traces: Vec<u64>,
}

/// Why a line is not taken (counted after the duplicate check, which only the collector can do).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Taken,
    ServiceNotSelected,
    OutsideWindow,
}

/// A line as reduced on a parsing thread, with what only the collector's first look needs: the
/// duplicate hash (for entries with an insertId), its fate, and its key in the batch (unless it
/// may join a traceback: then it is keyed once reassembled). Kept apart from [`Line`] so that
/// the lines waiting for reassembly stay small.
struct Reduced {
    line: Line,
    dedup: Option<u128>,
    fate: Fate,
    joins: bool,
    key: u32,
}

/// Reduces parsed records to lines, on the parsing threads: hashes for duplicates, streams and
/// traces, the key of each record in scope with its examples and trace ids per batch, and the
/// text only of lines that may be reassembled.
///
/// Examples and trace ids are gathered before the collector drops duplicates, so a duplicate's
/// text could stand as an example: a duplicate has the same insertId, logName and timestamp, so
/// it is the same entry exported twice, with the same text.
pub fn reduce(records: &mut dyn Iterator<Item = Record<'_>>, selection: &Selection) -> Batch {
    let mut services = Interner::new(false);
    let mut revisions = Interner::new(true);
    let mut components = Interner::new(true);
    let mut projects = Interner::new(true);
    let mut keys: Vec<BatchKey> = Vec::new();
    let mut key_ids: HashMap<(u32, Key), u32> = HashMap::default();
    let mut lines = Vec::with_capacity(records.size_hint().1.unwrap_or(0));
    let (since, until) = selection.window;
    lines.extend(records.map(|rec| {
        let joins = multiline::may_join(&rec);
        let service = services.id(&rec.service);
        let time = rec.time_nanos();
        let fate = if !selection.services.is_empty()
            && !selection.services.contains(rec.service.as_ref())
        {
            Fate::ServiceNotSelected
        } else if time.is_some_and(|t| since.is_some_and(|s| t < s) || until.is_some_and(|u| t > u))
        {
            Fate::OutsideWindow
        } else {
            Fate::Taken
        };
        let trace =
            rec.trace.as_deref().map_or(0, |t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()) | 1);
        let mut key = NO_KEY;
        if fate == Fate::Taken && !joins && rec.severity >= selection.min_severity {
            let found = key_of_parts(&rec.message, rec.request.as_ref());
            key = *key_ids.entry((service, found)).or_insert_with_key(|(_, found)| {
                keys.push(BatchKey {
                    key: found.clone(),
                    examples: Examples::default(),
                    traces: Vec::new(),
                });
                keys.len() as u32 - 1
            });
            let this = &mut keys[key as usize];
            this.examples.offer(time.unwrap_or(NO_TIME), &rec.message);
            note_trace(&mut this.traces, trace);
        }
        let dedup =
            rec.insert_id.as_deref().map(|id| dedup_hash(id, rec.log_name.as_deref(), time));
        let line = Line {
            stream: multiline::stream_hash(&rec),
            time: rec.time,
            declared: multiline::declared_severity(&rec),
            severity: rec.severity,
            inferred: rec.severity_inferred,
            service,
            revision: revisions.opt(rec.revision.as_deref()),
            component: components.opt(rec.component.as_deref()),
            project: projects.opt(rec.project.as_deref()),
            trace,
            entries: rec.entries,
            ids: if selection.want_ids { rec.entry_ids } else { Vec::new() },
            input: rec.origin.input,
            offset: rec.origin.offset.max(rec.origin.line),
            request: rec.request,
            message: if joins && fate == Fate::Taken {
                rec.message.into_owned()
            } else {
                String::new()
            },
        };
        Reduced { line, dedup, fate, joins, key }
    }));
    Batch { services, revisions, components, projects, keys, lines }
}

/// Everything collected from the inputs.
pub struct Collector {
    min_severity: Severity,
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
        .unwrap_or(10_000)
}

impl Collector {
    /// `window_known`: when the window is known before reading (absolute `--since`/`--until`,
    /// or none), alike events are counted together per minute; otherwise every event is kept
    /// apart, for a window that depends on the newest entry.
    pub fn new(min_severity: Severity, window_known: bool) -> Collector {
        Collector {
            slot_nanos: if window_known { 60_000_000_000 } else { 1 },
            outside_window: 0,
            groups: HashMap::default(),
            key_traces: Vec::new(),
            settle_at: settle_base(),
            settle_base: settle_base(),
            min_severity,
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
        let lines = batches.iter().map(|b| b.lines.len()).sum();
        let mut ready = Vec::with_capacity(lines);
        let (mut hashes, mut fresh) = (Vec::with_capacity(lines), Vec::with_capacity(lines));
        for batch in batches {
            let mut services = NameMap::new(&batch.services);
            let mut revisions = NameMap::new(&batch.revisions);
            let mut components = NameMap::new(&batch.components);
            let mut projects = NameMap::new(&batch.projects);
            let mut keys = vec![u32::MAX; batch.keys.len()];
            hashes.clear();
            hashes.extend(batch.lines.iter().filter_map(|r| r.dedup));
            fresh.clear();
            self.seen.insert_all(&hashes, &mut fresh);
            let mut fresh = fresh.iter();
            for Reduced { mut line, dedup, fate, joins, key } in batch.lines {
                if let Some(t) = line.time.map(|t| t.nanos) {
                    range = Some(range.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))));
                }
                if dedup.is_some() && !fresh.next().expect("one for each hash") {
                    self.duplicates += line.entries as u64;
                    continue;
                }
                match fate {
                    Fate::Taken => {}
                    Fate::ServiceNotSelected => {
                        self.service_not_selected += line.entries as u64;
                        continue;
                    }
                    Fate::OutsideWindow => {
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
                    continue;
                }
                let key = if key == NO_KEY {
                    NO_KEY
                } else {
                    // A batch's key is taken in, with its examples and traces, at its first
                    // line that counts.
                    let global = &mut keys[key as usize];
                    if *global == u32::MAX {
                        let found = &batch.keys[key as usize];
                        *global = self.key_id(line.service, &found.key);
                        let id = *global as usize;
                        self.keys[id].examples.merge(&found.examples);
                        for &t in &found.traces {
                            note_trace(&mut self.key_traces[id], t);
                        }
                    }
                    *global
                };
                ready.push((line, key));
            }
        }
        self.count(ready);
        if let Some(range) = range {
            self.settle(range);
        }
    }

    /// The collector's id of a (service, key), made on first sight.
    fn key_id(&mut self, service: u32, key: &Key) -> u32 {
        let probe = (service, key.clone());
        if let Some(&id) = self.key_index.get(&probe) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(KeyInfo { service, key: key.clone(), examples: Examples::default() });
        self.key_traces.push(Vec::new());
        self.key_index.insert(probe, id);
        id
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
        self.emit_heads(heads);
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

    /// Keys reassembled lines (in parallel when there are many: masking is the expensive part),
    /// offers them as examples and counts them.
    fn emit_heads(&mut self, heads: Vec<Line>) {
        let min = self.min_severity;
        let key_one =
            |l: &Line| (l.severity >= min).then(|| key_of_parts(&l.message, l.request.as_ref()));
        // Asking the pool for help means waiting until a parsing thread is free: worth it only
        // for many lines.
        let keys: Vec<Option<Key>> = if heads.len() >= 4096 {
            heads.par_iter().with_min_len(64).map(key_one).collect()
        } else {
            heads.iter().map(key_one).collect()
        };
        let mut keyed = Vec::with_capacity(heads.len());
        for (line, key) in heads.into_iter().zip(keys) {
            let id = match key {
                Some(key) => {
                    let id = self.key_id(line.service, &key);
                    let time = line.time.map_or(NO_TIME, |t| t.nanos);
                    self.keys[id as usize].examples.offer(time, &line.message);
                    note_trace(&mut self.key_traces[id as usize], line.trace);
                    id
                }
                None => NO_KEY,
            };
            keyed.push((line, id));
        }
        self.count(keyed);
    }

    /// Counts keyed lines into events.
    fn count(&mut self, lines: Vec<(Line, u32)>) {
        for (line, key) in lines {
            let time = line.time.map_or(NO_TIME, |t| t.nanos);
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
    let time = time.unwrap_or(NO_TIME).to_le_bytes();
    crate::normalize::hash::joined128(&[
        insert_id.as_bytes(),
        log_name.unwrap_or("").as_bytes(),
        &time,
    ])
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

    /// Examples gathered per batch (in parallel) and merged are those gathered in one pass, in
    /// any order: ties in time and repeated messages included.
    #[test]
    fn examples_do_not_depend_on_order_or_batches() {
        let offers: Vec<(i64, String)> = (0..60u64)
            .map(|i| {
                let x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 50;
                ((x % 7) as i64, format!("m{}", x % 11))
            })
            .chain([(NO_TIME, "untimed".to_string()), (3, "m0".to_string())])
            .collect();
        let sorted = |ex: &Examples| {
            let mut e = ex.early.clone();
            let mut l = ex.late.clone();
            e.sort();
            l.sort();
            (e, l)
        };
        let mut whole = Examples::default();
        for (t, m) in &offers {
            whole.offer(*t, m);
        }
        let expected = sorted(&whole);
        for (rotate, size) in [(0, 1), (5, 7), (13, 4), (31, 60), (59, 9)] {
            let mut order = offers.clone();
            order.rotate_left(rotate);
            order.reverse();
            let mut merged = Examples::default();
            for part in order.chunks(size) {
                let mut batch = Examples::default();
                for (t, m) in part {
                    batch.offer(*t, m);
                }
                merged.merge(&batch);
            }
            assert_eq!(sorted(&merged), expected, "rotate {rotate}, batches of {size}");
        }
    }
}
