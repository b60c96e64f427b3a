//! The collector's half of tallying, on one thread, in input order: it drops duplicates, maps
//! each batch's names and keys to its own ids, counts alike events together, and keeps the
//! traceback candidates until they are complete, when they are reassembled and keyed like the
//! rest; at the end, events written twice are counted once (`same_event`).

use super::events::{Event, Segmented, NO_KEY, NO_TIME};
use super::keys::{note_trace, Examples, KeyInfo};
use super::names::{Interner, NameMap};
use super::reduce::{Batch, Fate, Line, Reduced};
use super::same_event::SameEvents;
use super::seen::Seen;
use crate::group::{key_of_parts, Key};
use crate::normalize::multiline::{self, LineView};
use crate::normalize::Severity;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

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

/// Everything collected from the inputs.
pub(crate) struct Collector {
    min_severity: Severity,
    pub(crate) events: Segmented<Event>,
    /// (event, input, offset, entry id) when `--assignments` asked for ids.
    pub(crate) entry_ids: Vec<(u32, u32, u64, String)>,
    pub(crate) keys: Vec<KeyInfo>,
    key_index: HashMap<(u32, Key), u32>,
    /// Lines that may belong to a traceback split over entries, kept until the end.
    candidates: Vec<Line>,
    seen: Seen,
    pub(crate) service_names: Interner,
    pub(crate) revision_names: Interner,
    pub(crate) component_names: Interner,
    pub(crate) project_names: Interner,
    pub(crate) duplicates: u64,
    pub(crate) service_not_selected: u64,
    /// Entries outside a window known before reading.
    pub(crate) outside_window: u64,
    /// Width of the time slots alike events are counted in (1 ns: every event apart).
    slot_nanos: i64,
    groups: HashMap<GroupKey, u32>,
    /// Per key, hashes of some of its trace ids.
    pub(crate) key_traces: Vec<Vec<u64>>,
    /// Candidate lines from which [`Collector::settle`] looks for complete events.
    settle_at: usize,
    settle_base: usize,
    /// In-scope lines that another line may repeat (see [`SameEvents`]).
    same_events: SameEvents,
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
    pub(crate) fn new(min_severity: Severity, window_known: bool) -> Collector {
        Collector {
            slot_nanos: if window_known { 60_000_000_000 } else { 1 },
            outside_window: 0,
            groups: HashMap::default(),
            key_traces: Vec::new(),
            settle_at: settle_base(),
            settle_base: settle_base(),
            same_events: SameEvents::default(),
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
    pub(crate) fn add(&mut self, batches: Vec<Batch>) {
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
    pub(crate) fn finish(&mut self) {
        // Reading is over: the duplicate set is the largest thing no later stage needs.
        self.seen = Seen::default();
        let lines = std::mem::take(&mut self.candidates);
        self.reassemble_and_emit(lines);
        self.groups = HashMap::default();
        std::mem::take(&mut self.same_events).fold(&mut self.events);
    }

    /// Joins split events among `lines` (which must hold every line of their events) and
    /// stores the events.
    fn reassemble_and_emit(&mut self, mut lines: Vec<Line>) {
        let views: Vec<LineView> = lines
            .iter()
            .map(|l| LineView {
                stream: l.stream,
                time: l.time.map(|t| t.nanos),
                part: l.part,
                severity: l.severity,
                message: &l.message,
                order: (l.input, l.offset),
            })
            .collect();
        let plan = multiline::plan(&views);
        let children = multiline::children_of(&views, &plan.parent);
        drop(views);
        let mut heads = Vec::new();
        for i in 0..lines.len() {
            if plan.parent[i].is_some() {
                continue;
            }
            let mut head = std::mem::take(&mut lines[i]);
            if let Some(kind) = plan.kind[i] {
                let mut severities = vec![(head.severity, head.part.declared)];
                let mut after_cut = head.part.cut;
                for &c in &children[i] {
                    let child = std::mem::take(&mut lines[c]);
                    multiline::append(&mut head.message, &child.message, after_cut);
                    after_cut = child.part.cut;
                    severities.push((child.severity, child.part.declared));
                    head.entries += child.entries;
                    head.ids.extend(child.ids);
                }
                (head.severity, head.inferred) =
                    multiline::settle_event(kind, &mut head.message, severities.into_iter());
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
        let key_one = |l: &Line| {
            (l.severity >= min).then(|| key_of_parts(&l.message, l.request.as_ref(), None))
        };
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
            if key != NO_KEY {
                self.same_events.note(&line, key, event);
            }
            for id in line.ids {
                self.entry_ids.push((event, line.input, line.offset, id));
            }
        }
    }
}
