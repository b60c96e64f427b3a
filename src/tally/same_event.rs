//! Entries that are one event written more than once: counted once.
//!
//! Two cases, both seen in real exports:
//!
//! * **One record, two handlers.** A Python service whose root logger has a text handler on
//!   stderr and google-cloud-logging's JSON handler on stdout writes every record twice, from
//!   the same instance, microseconds apart; a split traceback on stderr and the whole one in a
//!   JSON entry are the same crash. Per key (so per issue), instance and minute, when the key
//!   was written to several logs, the log with the most events counts and the others' events
//!   are copies.
//! * **One operation, two entries.** Compute Engine logs a long-running operation as a `first`
//!   and a `last` audit entry with the same `operation.id`: the entries of one key and operation
//!   are one event.
//!
//! The entries all stay in the books (and in `--assignments`); only the event count drops.
//! What is kept to decide it is a count per event row, writer (instance or operation) and log:
//! it grows with the rows the report counts anyway, not with entries, and it merges by adding,
//! so the summaries of parts give the same result as one run. [`fold`] applies it once, to the
//! whole summary.

use super::events::{Event, NO_KEY, NO_TIME};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Writers whose hash has this bit set are operations (`first`/`last` entries), not instances.
pub(crate) const OPERATION: u64 = 1 << 63;

/// Events of one row that one writer wrote to one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Copies {
    /// The event row (index into the summary's events).
    pub event: u32,
    /// The instance's or the operation's hash (see `reduce::writer_hash`).
    pub writer: u64,
    /// The log stream's hash.
    pub stream: u64,
    pub count: u64,
}

/// Counts per (event row, writer, stream), as lines are counted.
#[derive(Default)]
pub(super) struct CopyCounts {
    counts: HashMap<(u32, u64, u64), u64>,
}

impl CopyCounts {
    /// Notes one counted line of a keyed event row.
    pub(super) fn note(&mut self, event: u32, writer: u64, stream: u64) {
        if writer != 0 {
            *self.counts.entry((event, writer, stream)).or_default() += 1;
        }
    }

    /// The counts with their event rows renumbered (`moved[old] = new`).
    pub(super) fn renumber(&mut self, moved: &[u32]) {
        let old = std::mem::take(&mut self.counts);
        for ((event, writer, stream), n) in old {
            *self.counts.entry((moved[event as usize], writer, stream)).or_default() += n;
        }
    }

    /// All counts, as a list.
    pub(super) fn into_list(self) -> Vec<Copies> {
        self.counts
            .into_iter()
            .map(|((event, writer, stream), count)| Copies { event, writer, stream, count })
            .collect()
    }
}

/// `copies` with their event rows renumbered (`into[old] = new`), sorted, each (row, writer,
/// stream) once.
pub(crate) fn canonical(copies: Vec<Copies>, into: &[u32]) -> Vec<Copies> {
    let mut out: BTreeMap<(u32, u64, u64), u64> = BTreeMap::new();
    for c in copies {
        *out.entry((into[c.event as usize], c.writer, c.stream)).or_default() += c.count;
    }
    out.into_iter()
        .map(|((event, writer, stream), count)| Copies { event, writer, stream, count })
        .collect()
}

/// Counts each event once: the copies' events are taken off their rows' counts.
pub(crate) fn fold(events: &mut [Event], copies: &[Copies]) {
    // (key, writer, minute or none for operations) → stream → its copies.
    let mut groups: BTreeMap<(u32, u64, i64), BTreeMap<u64, Vec<&Copies>>> = BTreeMap::new();
    for c in copies {
        let e = &events[c.event as usize];
        if e.key == NO_KEY {
            continue;
        }
        let minute = if c.writer & OPERATION != 0 || e.time == NO_TIME {
            i64::MIN
        } else {
            e.time.div_euclid(60_000_000_000)
        };
        groups.entry((e.key, c.writer, minute)).or_default().entry(c.stream).or_default().push(c);
    }
    for ((_, writer, _), streams) in groups {
        if writer & OPERATION != 0 {
            one_event(events, streams.values().flatten().copied());
        } else if streams.len() > 1 {
            // The log with the most events (the first by hash among equals) keeps them.
            let total = |list: &Vec<&Copies>| list.iter().map(|c| c.count).sum::<u64>();
            let keep = streams.iter().max_by_key(|(s, l)| (total(l), std::cmp::Reverse(**s)));
            let keep = *keep.expect("two or more").0;
            for c in streams.iter().filter(|(s, _)| **s != keep).flat_map(|(_, l)| l) {
                let e = &mut events[c.event as usize];
                e.count = e.count.saturating_sub(c.count);
            }
        }
    }
}

/// The entries of one operation as one event: its earliest row keeps one, the rest none.
fn one_event<'a>(events: &mut [Event], copies: impl Iterator<Item = &'a Copies>) {
    let mut list: Vec<&Copies> = copies.collect();
    list.sort_by_key(|c| (events[c.event as usize].time, c.event, c.stream));
    for (k, c) in list.iter().enumerate() {
        let keep = if k == 0 { 1 } else { 0 };
        let e = &mut events[c.event as usize];
        e.count = e.count.saturating_sub(c.count - keep.min(c.count));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Severity;

    fn row(key: u32, minute: i64, count: u64) -> Event {
        let t = minute * 60_000_000_000;
        Event {
            time: t,
            digits: 0,
            last: t,
            last_digits: 0,
            count,
            severity: Severity::Error,
            inferred: false,
            service: 0,
            revision: 0,
            component: 0,
            project: 0,
            status: 0,
            key,
            entries: count,
        }
    }

    #[test]
    fn the_log_with_most_events_keeps_them() {
        // Key 1: 3 events on stderr (row 0) and the same 3 on stdout (row 1), one instance.
        // Key 2: only on stderr: nothing to fold. Another minute of key 1: apart.
        let mut events = vec![row(1, 10, 3), row(1, 10, 3), row(2, 10, 4), row(1, 11, 2)];
        let copies = [
            Copies { event: 0, writer: 7, stream: 1, count: 3 },
            Copies { event: 1, writer: 7, stream: 2, count: 3 },
            Copies { event: 2, writer: 7, stream: 1, count: 4 },
            Copies { event: 3, writer: 7, stream: 1, count: 2 },
        ];
        fold(&mut events, &copies);
        let counts: Vec<u64> = events.iter().map(|e| e.count).collect();
        // Equal counts: the log first by hash (stream 1) keeps its events.
        assert_eq!(counts, [3, 0, 4, 2]);
        assert_eq!(events.iter().map(|e| e.entries).sum::<u64>(), 12, "entries stay");
    }

    #[test]
    fn one_operation_is_one_event() {
        let mut events = vec![row(5, 10, 1), row(5, 12, 1)];
        let op = 99 | OPERATION;
        let copies = [
            Copies { event: 0, writer: op, stream: 1, count: 1 },
            Copies { event: 1, writer: op, stream: 1, count: 1 },
        ];
        fold(&mut events, &copies);
        assert_eq!((events[0].count, events[1].count), (1, 0));
    }
}
