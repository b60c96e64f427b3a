//! Entries that are one event written more than once: counted once.
//!
//! Two cases, both seen in real exports:
//!
//! * **One record, two handlers.** A Python service whose root logger has a text handler on
//!   stderr and google-cloud-logging's JSON handler on stdout writes every record twice, from
//!   the same instance, microseconds apart; a split traceback on stderr and the whole one in a
//!   JSON entry are the same crash. Entries of the same key (so the same issue), the same
//!   instance, in different logs, at most [`SAME_MOMENT_NANOS`] apart are one event.
//! * **One operation, two entries.** Compute Engine logs a long-running operation as a `first`
//!   and a `last` audit entry with the same `operation.id`: entries of the same key and
//!   operation are one event.
//!
//! The entries all stay in the books (and in `--assignments`); only the event count drops. The
//! lines are noted as they are counted (about 40 bytes each, in-scope lines with an instance or
//! an operation only) and folded once at the end, after sorting, so the result depends neither
//! on the input order nor on how the input was cut into chunks.

use super::events::{Event, Segmented, NO_TIME};
use super::reduce::Line;

/// Copies of one event are written within this time of each other.
pub(super) const SAME_MOMENT_NANOS: i64 = 1_000_000_000;

/// An in-scope line that may repeat, or be repeated by, another.
#[derive(Clone, Copy)]
struct Sighting {
    key: u32,
    /// The instance's or the operation's hash (see `reduce::writer_hash`).
    writer: u64,
    time: i64,
    stream: u64,
    event: u32,
}

/// The sightings of a run.
#[derive(Default)]
pub(super) struct SameEvents {
    sightings: Vec<Sighting>,
}

impl SameEvents {
    /// Notes a counted line (of `key`, counted in `event`) that has a writer.
    pub(super) fn note(&mut self, line: &Line, key: u32, event: u32) {
        if line.writer == 0 {
            return;
        }
        let time = line.time.map_or(NO_TIME, |t| t.nanos);
        self.sightings.push(Sighting {
            key,
            writer: line.writer,
            time,
            stream: line.stream,
            event,
        });
    }

    /// Counts each event once: every copy's event row loses one from its count.
    pub(super) fn fold(mut self, events: &mut Segmented<Event>) {
        let s = &mut self.sightings;
        s.sort_unstable_by_key(|x| (x.key, x.writer, x.time, x.stream, x.event));
        let mut copy = vec![false; s.len()];
        let mut start = 0;
        while start < s.len() {
            let end = start
                + s[start..]
                    .iter()
                    .take_while(|x| (x.key, x.writer) == (s[start].key, s[start].writer))
                    .count();
            if s[start].writer >> 63 == 1 {
                // One operation: everything after its first entry is a copy.
                copy[start + 1..end].iter_mut().for_each(|c| *c = true);
            } else {
                pair_copies(&s[start..end], &mut copy[start..end]);
            }
            start = end;
        }
        for (x, _) in s.iter().zip(&copy).filter(|(_, &c)| c) {
            let e = &mut events[x.event as usize];
            e.count = e.count.saturating_sub(1);
        }
    }
}

/// Within one key and instance, in time order: each line not yet a copy takes as its copies the
/// first later line of every other log within [`SAME_MOMENT_NANOS`].
fn pair_copies(s: &[Sighting], copy: &mut [bool]) {
    for i in 0..s.len() {
        if copy[i] || s[i].time == NO_TIME {
            continue;
        }
        let mut taken = vec![s[i].stream];
        for j in i + 1..s.len() {
            if s[j].time - s[i].time > SAME_MOMENT_NANOS {
                break;
            }
            if !copy[j] && !taken.contains(&s[j].stream) {
                copy[j] = true;
                taken.push(s[j].stream);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sighting(writer: u64, ms: i64, stream: u64, event: u32) -> Sighting {
        Sighting { key: 1, writer, time: ms * 1_000_000, stream, event }
    }

    #[test]
    fn copies_in_other_logs_at_the_same_moment() {
        let s = [
            sighting(7, 0, 1, 0),
            sighting(7, 0, 2, 1),
            sighting(7, 5_000, 1, 0),
            sighting(7, 5_000, 2, 1),
            sighting(7, 9_000, 1, 0),
            sighting(8, 9_000, 2, 1),
        ];
        let mut copy = vec![false; 5];
        pair_copies(&s[..5], &mut copy);
        assert_eq!(copy, [false, true, false, true, false]);
        // The same log twice is two events (a crash loop), not copies.
        let same_log = [sighting(7, 0, 1, 0), sighting(7, 1, 1, 0)];
        let mut copy = vec![false; 2];
        pair_copies(&same_log, &mut copy);
        assert_eq!(copy, [false, false]);
    }
}
