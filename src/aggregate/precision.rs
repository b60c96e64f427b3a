//! Times keep the precision of the entry they came from: for every time the report prints, the
//! fraction digits of that entry.

use super::Aggregates;
use crate::normalize::time::format_nanos;
use crate::tally::Event;
use std::collections::HashMap;

/// How the report's times are printed: RFC 3339 at the precision of the entry each came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimeFormat {
    /// Fraction digits of each printed time's entry.
    pub(crate) digits_at: HashMap<i64, u8>,
    /// Fraction digits for other times (the finest precision seen).
    pub(crate) default_digits: u8,
}

impl TimeFormat {
    /// RFC 3339 at the precision of the entry the time came from.
    pub(crate) fn format(&self, nanos: Option<i64>) -> Option<String> {
        nanos.map(|t| {
            format_nanos(t, self.digits_at.get(&t).copied().unwrap_or(self.default_digits))
        })
    }
}

/// The fraction digits of the entries whose times the report prints (first and last seen of
/// issues, revisions and services, and the window), looked up in one pass.
pub(crate) fn printed_times(
    events: &[Event],
    in_window: &[bool],
    ag: &Aggregates,
    window: Option<(i64, i64)>,
    default_digits: u8,
) -> TimeFormat {
    let mut wanted: HashMap<i64, u8> = HashMap::new();
    let mut want = |t: Option<i64>| {
        if let Some(t) = t {
            wanted.insert(t, 0);
        }
    };
    for s in &ag.issues {
        want(s.first_seen);
        want(s.last_seen);
        s.revisions.iter().for_each(|r| want(r.2));
    }
    for s in &ag.services {
        want(s.first_seen);
        want(s.last_seen);
    }
    for r in &ag.revision_starts {
        want(r.2);
    }
    want(window.map(|w| w.0));
    want(window.map(|w| w.1));
    for (e, _) in events.iter().zip(in_window).filter(|(_, &w)| w) {
        if let Some(d) = wanted.get_mut(&e.time) {
            *d = (*d).max(e.digits);
        }
        if let Some(d) = wanted.get_mut(&e.last) {
            *d = (*d).max(e.last_digits);
        }
    }
    TimeFormat { digits_at: wanted, default_digits }
}
