//! What is kept of each distinct key (a masked message, a traceback fingerprint or a request
//! route, within one service): a few examples and some trace ids, chosen so that parts read in
//! parallel merge into exactly what one pass would keep.

use super::events::NO_TIME;
use crate::group::Key;

/// Trace ids kept per key, for correlation; also the most an issue keeps: enough to see shared
/// requests, bounded in memory.
pub(crate) const TRACES_KEPT: usize = 256;

/// Keeps a trace id hash (0 is "none") if it is among the [`TRACES_KEPT`] smallest distinct ones
/// (`traces` is sorted). The smallest hashes are a sample that does not depend on the order the
/// traces come in, so per-part samples merge into exactly the sample of the whole.
pub(super) fn note_trace(traces: &mut Vec<u64>, trace: u64) {
    if trace == 0 || (traces.len() == TRACES_KEPT && trace >= traces[TRACES_KEPT - 1]) {
        return;
    }
    if let Err(at) = traces.binary_search(&trace) {
        if traces.len() == TRACES_KEPT {
            traces.pop();
        }
        traces.insert(at, trace);
    }
}

/// The [`TRACES_KEPT`] smallest of two such samples.
pub(crate) fn merge_traces(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut all: Vec<u64> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    all.dedup();
    all.truncate(TRACES_KEPT);
    all
}

/// A distinct (service, key).
#[derive(Debug, Clone)]
pub(crate) struct KeyInfo {
    pub(crate) service: u32,
    pub(crate) key: Key,
    pub(crate) examples: Examples,
}

/// A few example messages of a key: the earliest and the latest distinct ones, so that a window
/// chosen after reading (`--since 2d`) still finds examples inside it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Examples {
    pub(crate) early: Vec<(i64, String)>,
    pub(crate) late: Vec<(i64, String)>,
}

const EXAMPLES_KEPT: usize = 3;

impl Examples {
    pub(super) fn offer(&mut self, time: i64, message: &str) {
        let t = if time == NO_TIME { i64::MAX } else { time };
        keep(&mut self.early, t, message, early);
        keep(&mut self.late, t, message, late);
    }

    /// Both lists in their order (rank, then text), so that equal examples serialize alike.
    pub(crate) fn sort(&mut self) {
        self.early.sort_by(|a, b| (early(a.0), &a.1).cmp(&(early(b.0), &b.1)));
        self.late.sort_by(|a, b| (late(a.0), &a.1).cmp(&(late(b.0), &b.1)));
    }

    /// Takes in another set of examples (of the same key, from a batch read in parallel, or
    /// another part's summary).
    pub(crate) fn merge(&mut self, other: &Examples) {
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
    fn order(rank: fn(i64) -> i64, (t, m): &(i64, String)) -> (i64, &str) {
        (rank(*t), m.as_str())
    }
    // A full list keeps nothing that does not come before its last: not even a better time for
    // a message it holds (that would come before the last too). Over the budget every message
    // of a template is offered here, mostly to be refused.
    let worst = (list.len() == EXAMPLES_KEPT).then(|| {
        (0..list.len()).max_by(|&a, &b| order(rank, &list[a]).cmp(&order(rank, &list[b]))).unwrap()
    });
    if worst.is_some_and(|w| (rank(t), message) >= order(rank, &list[w])) {
        return;
    }
    if let Some(same) = list.iter_mut().find(|(_, m)| m == message) {
        if rank(t) < rank(same.0) {
            same.0 = t;
        }
        return;
    }
    match worst {
        // The text replaced in place: its buffer is reused.
        Some(w) => {
            list[w].0 = t;
            list[w].1.clear();
            list[w].1.push_str(message);
        }
        None => list.push((t, message.to_string())),
    }
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
