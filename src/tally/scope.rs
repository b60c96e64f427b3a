//! The report's window and scope over the counted events: which fall inside `--since`/`--until`
//! (a span back from the newest entry is known only now), which are at or above the minimum
//! severity, and what the books say of the rest.

use super::books::Books;
use super::collector::Collector;
use super::events::{Event, Segmented, NO_KEY};
use crate::normalize::time::parse_time_or_span;
use crate::normalize::Severity;
use std::collections::HashSet;

/// The filters the user gave (`--since`, `--until`, `--min-severity`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub(crate) since: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) min_severity: Severity,
}

/// Which events are in the window and in scope.
pub(crate) struct Scoped {
    /// Per event of the collector.
    pub(crate) in_window: Vec<bool>,
    pub(crate) in_scope: Vec<bool>,
    /// The report window in ns: from --since (or the earliest entry) to --until (or the newest).
    pub(crate) window: Option<(i64, i64)>,
    /// Fraction digits to print window times with (the finest precision seen).
    pub(crate) time_digits: u8,
    /// The projects of the events in the window, sorted.
    pub(crate) projects: Vec<String>,
}

/// Applies the window and the minimum severity to the collector's events, counting what falls
/// out in `books`.
pub(crate) fn select(
    collector: &Collector,
    filters: &Filters,
    books: &mut Books,
) -> Result<Scoped, String> {
    let events = &collector.events;
    let newest = events.iter().filter_map(Event::last).max();
    let bound = |text: &Option<String>, flag: &str| {
        text.as_deref()
            .map(|s| parse_time_or_span(s, newest))
            .transpose()
            .map_err(|e| format!("{flag}: {e}"))
    };
    let (since, until) = (bound(&filters.since, "--since")?, bound(&filters.until, "--until")?);
    let in_window = window_flags(events, since, until, books);
    let window_events = || events.iter().zip(&in_window).filter(|(_, &w)| w).map(|(e, _)| e);
    let first = window_events().filter_map(Event::time).min();
    let last = window_events().filter_map(Event::last).max();
    let window = match (since.or(first), until.or(last)) {
        (Some(s), Some(e)) => Some((s, e.max(s))),
        _ => None,
    };
    let time_digits = window_events().map(|e| e.digits.max(e.last_digits)).max().unwrap_or(0);
    let mut projects: Vec<String> = window_events()
        .filter(|e| e.project != 0)
        .map(|e| collector.project_names.names[e.project as usize].clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    projects.sort();
    let in_scope = scope_flags(events, &in_window, filters.min_severity, books);
    Ok(Scoped { in_window, in_scope, window, time_digits, projects })
}

/// Per event: inside the window. Events without a time are kept (and counted as such).
fn window_flags(
    events: &Segmented<Event>,
    since: Option<i64>,
    until: Option<i64>,
    books: &mut Books,
) -> Vec<bool> {
    let mut in_window = vec![false; events.len()];
    for (e, flag) in events.iter().zip(in_window.iter_mut()) {
        let n = e.entries as u64;
        match e.time() {
            None => books.entries_without_time += n,
            Some(t) if since.is_some_and(|s| t < s) || until.is_some_and(|u| t > u) => {
                books.outside_window += n;
                continue;
            }
            Some(_) => {}
        }
        *flag = true;
    }
    in_window
}

/// Per event: in the window, keyed, and at or above the minimum severity.
fn scope_flags(
    events: &Segmented<Event>,
    in_window: &[bool],
    min_severity: Severity,
    books: &mut Books,
) -> Vec<bool> {
    let in_scope: Vec<bool> = events
        .iter()
        .zip(in_window)
        .map(|(e, &w)| w && e.severity >= min_severity && e.key != NO_KEY)
        .collect();
    for (e, (&w, &s)) in events.iter().zip(in_window.iter().zip(&in_scope)) {
        let n = e.entries as u64;
        if s {
            books.entries_in_scope += n;
            books.events_in_scope += e.count as u64;
            if e.inferred {
                books.severity_inferred += n;
            }
        } else if w {
            books.below_min_severity += n;
        }
    }
    in_scope
}
