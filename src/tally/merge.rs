//! Merging summaries of parts into the summary of the whole. Every step is a union with a
//! canonical result (sorted names and keys, event rows combined per identity, examples and trace
//! samples chosen by a total order), so any grouping and order of merges gives the same summary.

use super::events::{Event, NO_KEY};
use super::keys::merge_traces;
use super::same_event::{self, Copies};
use super::summary::{
    canonical_events, sort_keys, InputSummary, ReasonSummary, Summary, SummaryKey, PROBLEMS_KEPT,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

impl Summary {
    /// The summary of all `parts`. Parts made with different scopes (the options that act while
    /// reading) cannot be merged: the message says which option differs.
    pub fn merge(parts: Vec<Summary>) -> Result<Summary, String> {
        let Some(first) = parts.first() else { return Ok(Summary::default()) };
        let scope = first.scope.clone();
        if let Some(other) = parts.iter().find(|p| p.scope != scope) {
            return Err(format!(
                "the summaries were made with different options ({}); make them with the same \
                 --min-severity, --service, --since, --until, --input-format, --line-format and \
                 [[redact]] patterns",
                scope_difference(&scope, &other.scope)
            ));
        }
        let services = union(parts.iter().map(|p| &p.services), false);
        let revisions = union(parts.iter().map(|p| &p.revisions), true);
        let components = union(parts.iter().map(|p| &p.components), true);
        let projects = union(parts.iter().map(|p| &p.projects), true);
        let mut keys: Vec<SummaryKey> = Vec::new();
        let mut key_at: HashMap<(String, crate::group::Key), u32> = HashMap::new();
        let mut events: Vec<Event> = Vec::new();
        let mut copies: Vec<Copies> = Vec::new();
        let mut merged = Summary { scope, ..Summary::default() };
        for part in parts {
            let ids = Ids::between(&part, &services, &revisions, &components, &projects);
            let key_of = take_keys(&part, &ids, &mut keys, &mut key_at);
            let offset = events.len() as u32;
            events.extend(part.events.iter().map(|e| ids.event(e, &key_of)));
            copies.extend(part.copies.iter().map(|c| Copies { event: c.event + offset, ..*c }));
            merged.inputs.extend(part.inputs);
            merged.duplicates += part.duplicates;
            merged.service_not_selected += part.service_not_selected;
            merged.outside_window += part.outside_window;
            merged.read_range = match (merged.read_range, part.read_range) {
                (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
                (a, b) => a.or(b),
            };
            merged.services_read.extend(part.services_read);
        }
        let (mut keys, key_of) = sort_keys(keys, &services);
        keys.iter_mut().for_each(|k| k.examples.sort());
        for e in &mut events {
            if e.key != NO_KEY {
                e.key = key_of[e.key as usize];
            }
        }
        let (events, into) = canonical_events(events);
        merged.events = events;
        merged.copies = same_event::canonical(copies, &into);
        merged.keys = keys;
        merged.inputs = merge_inputs(std::mem::take(&mut merged.inputs));
        merged.services_read.sort_unstable();
        merged.services_read.dedup();
        (merged.services, merged.revisions) = (services, revisions);
        (merged.components, merged.projects) = (components, projects);
        Ok(merged)
    }
}

/// Which option two scopes differ in, for the message.
fn scope_difference(a: &super::summary::Scope, b: &super::summary::Scope) -> String {
    let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "none".into());
    if a.min_severity != b.min_severity {
        format!("--min-severity {} and {}", a.min_severity, b.min_severity)
    } else if a.services != b.services {
        format!("--service {:?} and {:?}", a.services, b.services)
    } else if a.since != b.since {
        format!("--since {} and {}", show(&a.since), show(&b.since))
    } else if a.until != b.until {
        format!("--until {} and {}", show(&a.until), show(&b.until))
    } else if a.input_format != b.input_format || a.line_format != b.line_format {
        "--input-format or --line-format".to_string()
    } else {
        "[[redact]] patterns of the rules file".to_string()
    }
}

/// The sorted union of name tables; with `with_none`, "" stays first (id 0 is "none").
fn union<'a>(tables: impl Iterator<Item = &'a Vec<String>>, with_none: bool) -> Vec<String> {
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for t in tables {
        all.extend(t.iter().skip(usize::from(with_none)).map(String::as_str));
    }
    let none = with_none.then(String::new);
    none.into_iter().chain(all.into_iter().map(str::to_string)).collect()
}

/// A part's name ids mapped to the merged tables.
struct Ids {
    services: Vec<u32>,
    revisions: Vec<u32>,
    components: Vec<u32>,
    projects: Vec<u32>,
}

impl Ids {
    fn between(
        part: &Summary,
        services: &[String],
        revisions: &[String],
        components: &[String],
        projects: &[String],
    ) -> Ids {
        let map = |old: &[String], new: &[String]| -> Vec<u32> {
            let at: HashMap<&str, u32> =
                new.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
            old.iter().map(|n| at[n.as_str()]).collect()
        };
        Ids {
            services: map(&part.services, services),
            revisions: map(&part.revisions, revisions),
            components: map(&part.components, components),
            projects: map(&part.projects, projects),
        }
    }

    /// An event of the part, in the merged numbering (`key_of`: the part's key → merged key).
    fn event(&self, e: &Event, key_of: &[u32]) -> Event {
        Event {
            key: if e.key == NO_KEY { NO_KEY } else { key_of[e.key as usize] },
            service: self.services[e.service as usize],
            revision: self.revisions[e.revision as usize],
            component: self.components[e.component as usize],
            project: self.projects[e.project as usize],
            ..*e
        }
    }
}

/// Takes a part's keys into the merged list (same service and key: one, examples and traces
/// merged); returns, per key of the part, its index in the merged list.
fn take_keys(
    part: &Summary,
    ids: &Ids,
    keys: &mut Vec<SummaryKey>,
    key_at: &mut HashMap<(String, crate::group::Key), u32>,
) -> Vec<u32> {
    part.keys
        .iter()
        .map(|k| {
            let service = part.services[k.service as usize].clone();
            match key_at.get(&(service.clone(), k.key.clone())) {
                Some(&i) => {
                    let into = &mut keys[i as usize];
                    into.examples.merge(&k.examples);
                    into.traces = merge_traces(&into.traces, &k.traces);
                    i
                }
                None => {
                    let i = keys.len() as u32;
                    keys.push(SummaryKey {
                        service: ids.services[k.service as usize],
                        ..k.clone()
                    });
                    key_at.insert((service, k.key.clone()), i);
                    i
                }
            }
        })
        .collect()
}

/// Inputs sorted by label; inputs of the same label (standard input read by several parts)
/// combined.
fn merge_inputs(inputs: Vec<InputSummary>) -> Vec<InputSummary> {
    let mut by_label: BTreeMap<String, InputSummary> = BTreeMap::new();
    for i in inputs {
        match by_label.get_mut(&i.label) {
            None => {
                by_label.insert(i.label.clone(), i);
            }
            Some(into) => {
                into.bytes += i.bytes;
                into.entries += i.entries;
                into.skipped += i.skipped;
                into.gzip |= i.gzip;
                if into.format != i.format {
                    into.format = into.format.clone().min(i.format.clone());
                }
                into.error = into.error.take().into_iter().chain(i.error).min();
                into.problems = merge_reasons(std::mem::take(&mut into.problems), i.problems);
            }
        }
    }
    by_label.into_values().collect()
}

/// Problems of one label from two parts: per reason combined; the examples are those first by
/// their text (a total order, as the parts' input order is not known).
fn merge_reasons(a: Vec<ReasonSummary>, b: Vec<ReasonSummary>) -> Vec<ReasonSummary> {
    let mut by_reason: BTreeMap<String, ReasonSummary> = BTreeMap::new();
    for r in a.into_iter().chain(b) {
        match by_reason.get_mut(&r.reason) {
            None => {
                by_reason.insert(r.reason.clone(), r);
            }
            Some(into) => {
                into.problems += r.problems;
                into.entries += r.entries;
                into.examples.extend(r.examples);
                into.examples.sort();
                into.examples.dedup();
                into.examples.truncate(PROBLEMS_KEPT);
            }
        }
    }
    by_reason.into_values().collect()
}
