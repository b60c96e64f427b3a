//! The report's window and scope over the counted events: which fall inside `--since`/`--until`
//! (a span back from the newest entry is known only now), which are at or above the minimum
//! severity, and what the books say of the rest.
//!
//! Times given as RFC 3339 were applied exactly while reading. A span back from the newest
//! entry is applied in whole minutes, since events are counted per minute: `--since 2d` starts
//! the window at the start of the minute two days before the newest entry, `--until 1h` ends
//! it at the start of the minute an hour before it (that minute and later are left out).

use super::books::Books;
use super::events::{Event, NO_KEY};
use super::summary::Summary;
use crate::normalize::time::{parse_span_nanos, Timestamp};
use crate::normalize::Severity;
use std::collections::HashSet;

const MINUTE: i64 = 60_000_000_000;

/// The filters the user gave (`--since`, `--until`, `--min-severity`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub(crate) since: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) min_severity: Severity,
}

/// Which events are in the window and in scope.
pub(crate) struct Scoped {
    /// Per event of the summary.
    pub(crate) in_window: Vec<bool>,
    pub(crate) in_scope: Vec<bool>,
    /// The report window in ns: from --since (or the earliest entry) to --until (or the newest).
    pub(crate) window: Option<(i64, i64)>,
    /// Fraction digits to print window times with (the finest precision seen).
    pub(crate) time_digits: u8,
    /// The projects of the events in the window, sorted.
    pub(crate) projects: Vec<String>,
}

/// Applies the window and the minimum severity to the summary's events, counting what falls
/// out in `books`.
pub(crate) fn select(
    summary: &Summary,
    filters: &Filters,
    books: &mut Books,
) -> Result<Scoped, String> {
    let events = &summary.events;
    let newest = events.iter().filter_map(Event::last).max();
    let since = bound(&filters.since, newest, "--since")?;
    let until = bound(&filters.until, newest, "--until")?;
    let in_window = window_flags(events, since, until, books);
    let window_events = || events.iter().zip(&in_window).filter(|(_, &w)| w).map(|(e, _)| e);
    let first = window_events().filter_map(Event::time).min();
    let last = window_events().filter_map(Event::last).max();
    let window = match (since.map(|b| b.at).or(first), until.map(|b| b.at).or(last)) {
        (Some(s), Some(e)) => Some((s, e.max(s))),
        _ => None,
    };
    let time_digits = window_events().map(|e| e.digits.max(e.last_digits)).max().unwrap_or(0);
    let mut projects: Vec<String> = window_events()
        .filter(|e| e.project != 0)
        .map(|e| summary.projects[e.project as usize].clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    projects.sort();
    let in_scope = scope_flags(events, &in_window, filters.min_severity, books);
    Ok(Scoped { in_window, in_scope, window, time_digits, projects })
}

/// One end of the window, in ns.
#[derive(Clone, Copy)]
struct Bound {
    at: i64,
    /// A span's end leaves out its own minute; a time's end keeps itself.
    exclusive: bool,
}

/// `--since`/`--until` as a bound: a time as given, a span back from `newest` in whole minutes.
fn bound(text: &Option<String>, newest: Option<i64>, flag: &str) -> Result<Option<Bound>, String> {
    let Some(text) = text else { return Ok(None) };
    if let Some(t) = Timestamp::parse(text) {
        return Ok(Some(Bound { at: t.nanos, exclusive: false }));
    }
    let span = parse_span_nanos(text).ok_or_else(|| {
        format!("{flag}: '{text}' is neither an RFC 3339 time (2025-09-11T05:00:00Z) nor a span (30m, 6h, 2d)")
    })?;
    let newest = newest.ok_or_else(|| {
        format!("{flag}: '{text}' is a span back from the newest entry, but no entry has a time")
    })?;
    let at = (newest - span).div_euclid(MINUTE) * MINUTE;
    Ok(Some(Bound { at, exclusive: flag == "--until" }))
}

/// Per event: inside the window. Events without a time are kept (and counted as such).
fn window_flags(
    events: &[Event],
    since: Option<Bound>,
    until: Option<Bound>,
    books: &mut Books,
) -> Vec<bool> {
    let before = |t: i64| since.is_some_and(|s| t < s.at);
    let after = |t: i64| until.is_some_and(|u| t > u.at || (u.exclusive && t == u.at));
    let mut in_window = vec![false; events.len()];
    for (e, flag) in events.iter().zip(in_window.iter_mut()) {
        let n = e.entries;
        match e.time() {
            None => books.entries_without_time += n,
            Some(t) if before(t) || after(t) => {
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
    events: &[Event],
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
        let n = e.entries;
        if s {
            books.entries_in_scope += n;
            books.events_in_scope += e.count;
            if e.inferred {
                books.severity_inferred += n;
            }
        } else if w {
            books.below_min_severity += n;
        }
    }
    in_scope
}
