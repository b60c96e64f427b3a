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
use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

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

/// Counts per (event row, writer, stream), as lines are counted. A run has few (writer, stream)
/// pairs and many rows, so each pair is numbered once and a count is keyed by (row, pair) in one
/// `u64`: half the memory of keying by the two hashes (a quarter of a million counts at 1 GB).
#[derive(Default)]
pub(super) struct CopyCounts {
    pair_ids: HashMap<(u64, u64), u32>,
    pairs: Vec<(u64, u64)>,
    /// (row << 32 | pair) → count.
    counts: HashMap<u64, u64>,
}

impl CopyCounts {
    /// Notes one counted line of a keyed event row.
    pub(super) fn note(&mut self, event: u32, writer: u64, stream: u64) {
        if writer == 0 {
            return;
        }
        let next = self.pairs.len() as u32;
        let pair = *self.pair_ids.entry((writer, stream)).or_insert(next);
        if pair == next {
            self.pairs.push((writer, stream));
        }
        *self.counts.entry(u64::from(event) << 32 | u64::from(pair)).or_default() += 1;
    }

    /// The counts with their event rows renumbered (`moved[old] = new`).
    pub(super) fn renumber(&mut self, moved: &[u32]) {
        let old = std::mem::take(&mut self.counts);
        for (at, n) in old {
            let event = u64::from(moved[(at >> 32) as usize]);
            *self.counts.entry(event << 32 | (at & 0xffff_ffff)).or_default() += n;
        }
    }

    /// All counts, as a list.
    pub(super) fn into_list(self) -> Vec<Copies> {
        let pairs = self.pairs;
        self.counts
            .into_iter()
            .map(|(at, count)| {
                let (writer, stream) = pairs[(at & 0xffff_ffff) as usize];
                Copies { event: (at >> 32) as u32, writer, stream, count }
            })
            .collect()
    }
}

/// `copies` with their event rows renumbered (`into[old] = new`), sorted, each (row, writer,
/// stream) once.
pub(crate) fn canonical(copies: Vec<Copies>, into: &[u32]) -> Vec<Copies> {
    let mut list: Vec<Copies> =
        copies.into_iter().map(|c| Copies { event: into[c.event as usize], ..c }).collect();
    list.par_sort_unstable_by_key(|c| (c.event, c.writer, c.stream));
    list.dedup_by(|c, kept| {
        let same = (kept.event, kept.writer, kept.stream) == (c.event, c.writer, c.stream);
        if same {
            kept.count += c.count;
        }
        same
    });
    list
}

/// Counts each event once: the copies' events are taken off their rows' counts.
pub(crate) fn fold(events: &mut [Event], copies: &[Copies]) {
    // Sorted by (key, writer, minute or none for operations, stream): each group of the first
    // three is one run, its streams in order within it.
    let mut order: Vec<(u32, u64, i64, u64, u32)> = copies
        .iter()
        .enumerate()
        .filter_map(|(at, c)| {
            let e = &events[c.event as usize];
            if e.key == NO_KEY {
                return None;
            }
            let minute = if c.writer & OPERATION != 0 || e.time == NO_TIME {
                i64::MIN
            } else {
                e.time.div_euclid(60_000_000_000)
            };
            Some((e.key, c.writer, minute, c.stream, at as u32))
        })
        .collect();
    order.par_sort_unstable();
    for group in order.chunk_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2)) {
        let of_group = || group.iter().map(|g| &copies[g.4 as usize]);
        let writer = group[0].1;
        if writer & OPERATION != 0 {
            one_event(events, of_group());
        } else if group.first().map(|g| g.3) != group.last().map(|g| g.3) {
            // The log with the most events (the first by hash among equals) keeps them.
            let keep = group
                .chunk_by(|a, b| a.3 == b.3)
                .map(|run| (run.iter().map(|g| copies[g.4 as usize].count).sum::<u64>(), run[0].3))
                .max_by_key(|&(total, stream)| (total, std::cmp::Reverse(stream)))
                .expect("two or more")
                .1;
            for c in of_group().filter(|c| c.stream != keep) {
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
    fn the_busier_log_keeps_them_whatever_its_hash() {
        // Stream 9 wrote the minute's 2 + 1 events; stream 4 only 1: stream 9 keeps them.
        let mut events = vec![row(1, 10, 2), row(1, 10, 1), row(1, 10, 1)];
        let copies = [
            Copies { event: 0, writer: 7, stream: 9, count: 2 },
            Copies { event: 1, writer: 7, stream: 9, count: 1 },
            Copies { event: 2, writer: 7, stream: 4, count: 1 },
        ];
        fold(&mut events, &copies);
        assert_eq!(events.iter().map(|e| e.count).collect::<Vec<_>>(), [2, 1, 0]);
    }

    #[test]
    fn canonical_copies_are_renumbered_sorted_and_added() {
        let copies = vec![
            Copies { event: 2, writer: 7, stream: 1, count: 1 },
            Copies { event: 0, writer: 7, stream: 1, count: 2 },
            Copies { event: 1, writer: 7, stream: 1, count: 3 },
        ];
        // Rows 0 and 2 become row 0; row 1 becomes row 1.
        let out = canonical(copies, &[0, 1, 0]);
        assert_eq!(
            out,
            [
                Copies { event: 0, writer: 7, stream: 1, count: 3 },
                Copies { event: 1, writer: 7, stream: 1, count: 3 },
            ]
        );
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
