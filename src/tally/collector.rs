//! The collector's half of tallying, on one thread, in input order: it drops duplicates, maps
//! each batch's names and keys to its own ids, counts alike events together, and keeps the
//! traceback candidates until they are complete, when they are reassembled and keyed like the
//! rest; at the end, events written twice are counted once (`same_event`).

use super::events::{Event, Segmented, NO_KEY, NO_TIME};
use super::keys::{note_trace, Examples, KeyInfo};
use super::names::{Interner, NameMap};
use super::reduce::{Batch, BatchKey, Fate, Line, Reduced};
use super::same_event::{Copies, CopyCounts};
use super::seen::Seen;
use super::summary::combine;
use super::templates::{Fit, Mined, Pos, SharedTemplates};
use crate::group::matcher::Matcher;
use crate::group::{key_of_parts, Key};
use crate::normalize::multiline::{self, LineView};
use crate::normalize::redact::Redactor;
use crate::normalize::Severity;
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

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

/// What a collector tallied, in its own numbering (see `Summary::from_collector`).
pub(crate) struct CollectorParts {
    pub(crate) events: Vec<Event>,
    pub(crate) keys: Vec<KeyInfo>,
    /// Per key.
    pub(crate) traces: Vec<Vec<u64>>,
    pub(crate) services: Vec<String>,
    pub(crate) revisions: Vec<String>,
    pub(crate) components: Vec<String>,
    pub(crate) projects: Vec<String>,
    pub(crate) duplicates: u64,
    pub(crate) service_not_selected: u64,
    pub(crate) outside_window: u64,
    pub(crate) read_range: Option<(i64, i64)>,
    /// Every service name read, taken or not, sorted.
    pub(crate) services_read: Vec<String>,
    pub(crate) copies: Vec<Copies>,
}

/// The group an event was counted in.
fn group_key_of(e: &Event) -> GroupKey {
    GroupKey {
        key: e.key,
        service: e.service,
        revision: e.revision,
        component: e.component,
        project: e.project,
        severity: e.severity,
        inferred: e.inferred,
        status: e.status,
        slot: if e.time == NO_TIME { i64::MIN } else { e.time.div_euclid(MINUTE) },
    }
}

fn group_hash(group: &GroupKey) -> u64 {
    super::fx_hash(group)
}

/// The index's hash of a (service, key).
fn key_hash(service: u32, key: &Key) -> u64 {
    super::fx_hash(&(service, key))
}

/// Everything collected from the inputs.
pub(crate) struct Collector<'r> {
    /// The run's redactor: a line cut in parts is redacted again once joined.
    redactor: &'r Redactor,
    min_severity: Severity,
    pub(crate) events: Segmented<Event>,
    /// (event, input, offset, entry id) when `--assignments` asked for ids.
    pub(crate) entry_ids: Vec<(u32, u32, u64, String)>,
    pub(crate) keys: Vec<KeyInfo>,
    /// Key ids by (service, key), looked up without copying the key.
    key_index: hashbrown::HashTable<u32>,
    /// Distinct messages kept before they are mined into templates (see [`Collector::compact`]).
    budget: usize,
    /// Message keys taken since the last mining (not fitting any template mined so far).
    raw_messages: usize,
    /// The templates mined last, once the budget was reached (for lines reassembled here).
    latest: Option<Arc<Mined>>,
    /// Minings so far.
    minings: u32,
    /// The templates of each mining, shared with the parsing threads, which fit batches to them.
    templates: Arc<SharedTemplates>,
    /// The last input position taken.
    read_to: Option<Pos>,
    /// The key id of each (mining, service, template) met so far: on input over the budget
    /// nearly every message fits a template, and making its key and looking it up again was a
    /// tenth of the collector's time. Emptied whenever keys are renumbered.
    template_keys: rustc_hash::FxHashMap<(u32, u32, u32), u32>,
    /// Lines that may belong to a traceback split over entries, kept until the end.
    candidates: Vec<Line>,
    seen: Seen,
    pub(crate) service_names: Interner,
    pub(crate) revision_names: Interner,
    pub(crate) component_names: Interner,
    pub(crate) project_names: Interner,
    pub(crate) duplicates: u64,
    pub(crate) service_not_selected: u64,
    /// Every service name read, taken or not (for an error naming them when `--service` matches
    /// none).
    services_read: HashSet<String>,
    /// Entries outside a window known before reading.
    pub(crate) outside_window: u64,
    /// The earliest and latest time of every entry read.
    read_range: Option<(i64, i64)>,
    /// Each event's row by its group: indices only, hashed from the rows themselves (a map
    /// holding a copy of every group key was as large as the rows).
    groups: hashbrown::HashTable<u32>,
    /// Per key, hashes of some of its trace ids.
    pub(crate) key_traces: Vec<Vec<u64>>,
    /// The vector the next candidates go into after settling (kept, not freed).
    spare_candidates: Vec<Line>,
    /// Candidate lines from which [`Collector::settle`] looks for complete events.
    settle_at: usize,
    settle_base: usize,
    /// Events per row, writer and log, to count an event written twice once (`same_event`).
    copies: CopyCounts,
}

/// Alike events are counted together per minute.
const MINUTE: i64 = 60_000_000_000;

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

impl<'r> Collector<'r> {
    /// Alike events are counted together per minute (a window given as a span back from the
    /// newest entry is then applied in whole minutes).
    /// `budget`: distinct messages kept before they are mined into templates, which are shared
    /// through `templates`.
    pub(crate) fn new(
        min_severity: Severity,
        budget: usize,
        redactor: &'r Redactor,
        templates: Arc<SharedTemplates>,
    ) -> Collector<'r> {
        Collector {
            redactor,
            budget: budget.max(1),
            raw_messages: 0,
            latest: None,
            minings: 0,
            templates,
            read_to: None,
            template_keys: Default::default(),
            read_range: None,
            outside_window: 0,
            groups: hashbrown::HashTable::new(),
            key_traces: Vec::new(),
            settle_at: settle_base(),
            settle_base: settle_base(),
            copies: CopyCounts::default(),
            min_severity,
            events: Segmented::default(),
            entry_ids: Vec::new(),
            keys: Vec::new(),
            key_index: hashbrown::HashTable::new(),
            candidates: Vec::new(),
            spare_candidates: Vec::new(),
            seen: Seen::default(),
            service_names: Interner::new(false),
            revision_names: Interner::new(true),
            component_names: Interner::new(true),
            project_names: Interner::new(true),
            duplicates: 0,
            service_not_selected: 0,
            services_read: HashSet::default(),
        }
    }

    /// Takes one chunk's batches, in input order.
    pub(crate) fn add(&mut self, batches: Vec<Batch>) {
        let mut range: Option<(i64, i64)> = None;
        let lines = batches.iter().map(|b| b.lines.len()).sum();
        let (mut hashes, mut fresh) = (Vec::with_capacity(lines), Vec::with_capacity(lines));
        for batch in batches {
            self.note_services(&batch.services);
            let mut services = NameMap::new(&batch.services);
            let mut revisions = NameMap::new(&batch.revisions);
            let mut components = NameMap::new(&batch.components);
            let mut projects = NameMap::new(&batch.projects);
            let mut keys = vec![u32::MAX; batch.keys.len()];
            let at = batch.lines.first().map(|r| (r.line.input, r.line.offset));
            let fit = self.fit_of(&batch.fit, at);
            hashes.clear();
            hashes.extend(batch.lines.iter().filter_map(|r| r.dedup));
            fresh.clear();
            self.seen.insert_all(&hashes, &mut fresh);
            let mut fresh = fresh.iter();
            for Reduced { mut line, dedup, fate, joins, key } in batch.lines {
                let at = (line.input, line.offset);
                self.read_to = Some(self.read_to.map_or(at, |r| r.max(at)));
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
                        *global = self.take_key(line.service, &batch.keys[key as usize], &fit);
                    }
                    *global
                };
                // Counted at once: gathering a chunk's lines first made a fresh megabyte
                // vector per chunk, whose page faults were a tenth of the run's system time.
                self.count_one(line, key);
            }
            // Keys whose every line was a duplicate are taken too (their examples are those of
            // the entries they duplicate): a key fitted to a template in the batch stands for
            // several messages, and taking all keys makes that the same as fitting them here.
            for (k, global) in keys.iter().enumerate() {
                if *global == u32::MAX {
                    let found = &batch.keys[k];
                    let service = services.map(found.service, &mut self.service_names, false);
                    self.take_key(service, found, &fit);
                }
            }
        }
        if let Some(range) = range {
            let (lo, hi) = self.read_range.unwrap_or(range);
            self.read_range = Some((lo.min(range.0), hi.max(range.1)));
            self.settle(range);
        }
        let mined = if self.raw_messages > self.budget { self.compact() } else { None };
        if let Some(read_to) = self.read_to {
            self.templates.advance(read_to, mined);
        }
    }

    /// The templates a batch starting at `at` is fitted to, and whether its messages were
    /// fitted to them already (on a parsing thread).
    fn fit_of(&self, fit: &Fit, at: Option<Pos>) -> (Option<Arc<Mined>>, bool) {
        let in_order = at.and_then(|at| self.templates.fit_in_order(at));
        match fit {
            Fit::Fitted(mined) => {
                debug_assert_eq!(
                    mined.as_ref().map(|m| m.generation),
                    in_order.as_ref().map(|m| m.generation),
                    "a batch is fitted to the templates of its position"
                );
                (mined.clone(), true)
            }
            Fit::Unknown => (in_order, false),
        }
    }

    /// Takes in a batch's key, with its examples and traces, under the key id of this
    /// collector; `fit` as [`Collector::fit_of`] gives it.
    fn take_key(
        &mut self,
        service: u32,
        found: &BatchKey,
        (mined, fitted): &(Option<Arc<Mined>>, bool),
    ) -> u32 {
        let id = match (found.template, mined) {
            (Some(index), Some(mined)) => self.template_key(service, mined, index),
            // Fitted to none of the templates on the parsing thread already.
            _ if *fitted => self.key_id(service, &found.key, None),
            _ => self.key_id(service, &found.key, mined.as_deref()),
        };
        self.keys[id as usize].examples.merge(&found.examples);
        for &t in &found.traces {
            note_trace(&mut self.key_traces[id as usize], t);
        }
        id
    }

    /// Remembers the service names of a batch (a handful per batch, whatever its size).
    fn note_services(&mut self, names: &Interner) {
        for name in &names.names {
            if !self.services_read.contains(name.as_str()) {
                self.services_read.insert(name.clone());
            }
        }
    }

    /// What was tallied, taken apart (call after [`Collector::finish`]).
    pub(crate) fn into_parts(self) -> CollectorParts {
        let mut services_read: Vec<String> = self.services_read.into_iter().collect();
        services_read.sort_unstable();
        CollectorParts {
            events: self.events.into_vec(),
            keys: self.keys,
            traces: self.key_traces,
            services: self.service_names.names,
            revisions: self.revision_names.names,
            components: self.component_names.names,
            projects: self.project_names.names,
            duplicates: self.duplicates,
            service_not_selected: self.service_not_selected,
            outside_window: self.outside_window,
            read_range: self.read_range,
            services_read,
            copies: self.copies.into_list(),
        }
    }

    /// The collector's id of a (service, key), made on first sight. Once templates were mined
    /// (over the budget), a new message fitting one of `mined` is counted under it.
    fn key_id(&mut self, service: u32, key: &Key, mined: Option<&Mined>) -> u32 {
        // Templates first: a message that fits one is counted under it, and cannot be a key of
        // its own (message keys are kept as they are only when no template fits, and mining
        // turns every message key into a template; a template's own text fits that template
        // best). So the message's own lookup is left for those that fit none.
        if let (Key::Message(m), Some(mined)) = (key, mined) {
            if let Some(index) = mined.matcher.find_index(m) {
                return self.template_key(service, mined, index);
            }
        }
        if let Some(id) = self.find_key(service, key) {
            return id;
        }
        if matches!(key, Key::Message(_)) {
            self.raw_messages += 1;
        }
        self.add_key(service, key.clone())
    }

    /// The key id of `mined`'s template at `index`, for `service`.
    fn template_key(&mut self, service: u32, mined: &Mined, index: u32) -> u32 {
        let at = (mined.generation, service, index);
        if let Some(&id) = self.template_keys.get(&at) {
            return id;
        }
        let template = Key::Message(mined.matcher.template(index).to_string());
        let id = match self.find_key(service, &template) {
            Some(id) => id,
            None => self.add_key(service, template),
        };
        self.template_keys.insert(at, id);
        id
    }

    fn find_key(&self, service: u32, key: &Key) -> Option<u32> {
        let keys = &self.keys;
        self.key_index
            .find(key_hash(service, key), |&id| {
                let k = &keys[id as usize];
                k.service == service && &k.key == key
            })
            .copied()
    }

    fn add_key(&mut self, service: u32, key: Key) -> u32 {
        let id = self.keys.len() as u32;
        let keys = &self.keys;
        self.key_index.insert_unique(key_hash(service, &key), id, |&other| {
            let k = &keys[other as usize];
            key_hash(k.service, &k.key)
        });
        self.keys.push(KeyInfo { service, key, examples: Examples::default() });
        self.key_traces.push(Vec::new());
        id
    }

    /// Over the budget: mines every message key into templates, counts each key's events under
    /// its template, and keeps the templates to fit new messages into. Runs between chunks (and
    /// at the end), in input order, so the result does not depend on the number of threads.
    /// Keys that are not messages (tracebacks, requests) are bounded by their fingerprints and
    /// routes and stay as they are. Returns the templates, to be shared.
    fn compact(&mut self) -> Option<Arc<Mined>> {
        let texts: Vec<&str> = self
            .keys
            .iter()
            .filter_map(|k| match &k.key {
                Key::Message(m) => Some(m.as_str()),
                _ => None,
            })
            .collect();
        let mut templates = crate::group::templates_of(&texts).into_iter();
        let old_keys = std::mem::take(&mut self.keys);
        let old_traces = std::mem::take(&mut self.key_traces);
        self.key_index.clear();
        let mut new_id = Vec::with_capacity(old_keys.len());
        for (k, traces) in old_keys.into_iter().zip(old_traces) {
            let key = match k.key {
                Key::Message(_) => Key::Message(templates.next().expect("one a message")),
                other => other,
            };
            let id = match self.find_key(k.service, &key) {
                Some(id) => id,
                None => self.add_key(k.service, key),
            };
            self.keys[id as usize].examples.merge(&k.examples);
            for t in traces {
                note_trace(&mut self.key_traces[id as usize], t);
            }
            new_id.push(id);
        }
        self.recount(&new_id);
        let messages = self.keys.iter().filter_map(|k| match &k.key {
            Key::Message(m) => Some(m.clone()),
            _ => None,
        });
        self.minings += 1;
        let mined = Arc::new(Mined {
            after: self.read_to.unwrap_or((0, 0)),
            generation: self.minings,
            matcher: Matcher::new(messages.collect()),
        });
        self.latest = Some(Arc::clone(&mined));
        self.template_keys.clear();
        self.raw_messages = 0;
        Some(mined)
    }

    /// The events with their keys renumbered (`new_id`), alike events counted together again.
    fn recount(&mut self, new_id: &[u32]) {
        let old = std::mem::take(&mut self.events).into_vec();
        self.groups.clear();
        let mut moved = Vec::with_capacity(old.len());
        for mut e in old {
            if e.key != NO_KEY {
                e.key = new_id[e.key as usize];
            }
            let at = match self.find_group(&group_key_of(&e)) {
                Some(g) => {
                    combine(&mut self.events[g as usize], &e);
                    g
                }
                None => self.add_group(e),
            };
            moved.push(at);
        }
        for entry in &mut self.entry_ids {
            entry.0 = moved[entry.0 as usize];
        }
        self.copies.renumber(&moved);
    }

    /// Reassembles the tracebacks split over entries and takes them in. Call once, at the end.
    pub(crate) fn finish(&mut self) {
        // Reading is over: the duplicate set is the largest thing no later stage needs.
        self.seen = Seen::default();
        let lines = std::mem::take(&mut self.candidates);
        self.reassemble_and_emit(lines);
        if self.raw_messages > self.budget {
            self.compact();
        }
        self.groups = hashbrown::HashTable::new();
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
        let children = multiline::children_of(&views, &plan);
        drop(views);
        // Sized once: grown by doubling, these vectors of large lines were fresh memory (page
        // faults) several times per settling.
        let mut heads = Vec::with_capacity(plan.parent.iter().filter(|p| p.is_none()).count());
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
                (head.severity, head.inferred) = multiline::settle_event(
                    kind,
                    &mut head.message,
                    severities.into_iter(),
                    self.redactor,
                );
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
        // Per stream, in time order. The lines are large: their order is sorted, not they
        // ((input, offset) is unique, so the order is total).
        let mut order: Vec<u32> = (0..lines.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let l = &lines[i as usize];
            (l.stream, l.time.map(|t| t.nanos), l.input, l.offset)
        });
        let settled = settled_lines(&lines, &order, (lo, hi));
        // The settled lines move out in that order; the rest stay, in that order too, in the
        // vector kept from last time (a fresh one each time cost page faults).
        let settled_count = settled.iter().filter(|&&s| s).count();
        let mut done = Vec::with_capacity(settled_count);
        let mut rest = std::mem::take(&mut self.spare_candidates);
        rest.reserve(lines.len() - settled_count);
        for (&i, settled) in order.iter().zip(settled) {
            let line = std::mem::take(&mut lines[i as usize]);
            if settled {
                done.push(line);
            } else {
                rest.push(line);
            }
        }
        lines.clear();
        self.spare_candidates = lines;
        self.candidates = rest;
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
        let latest = self.latest.clone();
        for (line, key) in heads.into_iter().zip(keys) {
            let id = match key {
                Some(key) => {
                    let id = self.key_id(line.service, &key, latest.as_deref());
                    let time = line.time.map_or(NO_TIME, |t| t.nanos);
                    self.keys[id as usize].examples.offer(time, &line.message);
                    note_trace(&mut self.key_traces[id as usize], line.trace);
                    id
                }
                None => NO_KEY,
            };
            self.count_one(line, id);
        }
    }

    /// The row counting `group`'s events, if there is one.
    fn find_group(&self, group: &GroupKey) -> Option<u32> {
        let events = &self.events;
        self.groups
            .find(group_hash(group), |&g| group_key_of(&events[g as usize]) == *group)
            .copied()
    }

    /// Adds `event` as the row of its group (which has none yet); returns the row.
    fn add_group(&mut self, event: Event) -> u32 {
        let g = self.events.len() as u32;
        let hash = group_hash(&group_key_of(&event));
        self.events.push(event);
        let events = &self.events;
        self.groups.insert_unique(hash, g, |&g| group_hash(&group_key_of(&events[g as usize])));
        g
    }

    /// Counts one keyed line into its event.
    fn count_one(&mut self, line: Line, key: u32) {
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
            slot: if time == NO_TIME { i64::MIN } else { time.div_euclid(MINUTE) },
        };
        let event = match self.find_group(&group) {
            Some(g) => {
                let e = &mut self.events[g as usize];
                e.count += 1;
                e.entries += line.entries as u64;
                if time < e.time || (time == e.time && digits > e.digits) {
                    (e.time, e.digits) = (time, digits);
                }
                if time > e.last || (time == e.last && digits > e.last_digits) {
                    (e.last, e.last_digits) = (time, digits);
                }
                g
            }
            None => self.add_group(Event {
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
                entries: line.entries as u64,
            }),
        };
        if key != NO_KEY {
            self.copies.note(event, line.writer, line.stream);
        }
        for id in line.ids {
            self.entry_ids.push((event, line.input, line.offset, id));
        }
    }
}

/// Which of `lines` (taken in `order`: per stream, in time order) are complete, given the range
/// of times just read (widened by [`SETTLED_NANOS`]): per stream, the lines wholly before it
/// and those wholly after it, each up to a gap no event spans. Flags are in `order`'s order.
fn settled_lines(lines: &[Line], order: &[u32], (lo, hi): (i64, i64)) -> Vec<bool> {
    let sorted: Vec<&Line> = order.iter().map(|&i| &lines[i as usize]).collect();
    let mut settled = vec![false; sorted.len()];
    let mut start = 0;
    while start < sorted.len() {
        let end =
            start + sorted[start..].iter().take_while(|l| l.stream == sorted[start].stream).count();
        let times: Vec<Option<i64>> =
            sorted[start..end].iter().map(|l| l.time.map(|t| t.nanos)).collect();
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
    settled
}
