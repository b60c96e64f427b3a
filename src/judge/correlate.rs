//! Correlation: which issues fire together, and which arrived with a deploy.
//!
//! Issues are joined into one incident cluster when (any of):
//! - they began close together: first occurrences within [`SAME_START_NANOS`] of each other in
//!   the same service;
//! - they share requests: at least [`MIN_SHARED_TRACES`] trace ids in common (or every trace of
//!   the issue with fewer);
//! - they burst alike: their counts per time bucket correlate at [`MIN_BURST_CORRELATION`] or
//!   more over at least [`MIN_ACTIVE_BUCKETS`] active buckets.
//!
//! An issue "appeared with revision R" when its first occurrence is in R, every revision it
//! occurs in started no earlier than R, and an earlier revision of the same service was seen in
//! the window (so R's start is a deploy inside the window, not the window's edge).

use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

pub(crate) const SAME_START_NANOS: i64 = 1_000_000_000;
pub(crate) const MIN_SHARED_TRACES: usize = 2;
pub(crate) const MIN_BURST_CORRELATION: f64 = 0.9;
pub(crate) const MIN_ACTIVE_BUCKETS: usize = 4;

/// What correlation looks at for one issue.
pub(crate) struct IssueSignal<'a> {
    pub(crate) service: &'a str,
    pub(crate) first_seen: Option<i64>,
    /// Revision ids it occurs in, with their first occurrence; the first is where it began.
    pub(crate) revisions: &'a [(u32, u64, Option<i64>)],
    pub(crate) traces: &'a BTreeSet<u64>,
    pub(crate) buckets: &'a [u64],
}

/// One cluster: member indices (into the slice given) and why they belong together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Cluster {
    pub(crate) members: Vec<usize>,
    /// The members that began close together (a subset of `members`).
    pub(crate) began_together: Vec<usize>,
    /// Milliseconds between the earliest and the latest first occurrence of those.
    pub(crate) start_spread_ms: Option<f64>,
    /// The revision all members began in, if they share one (revision id).
    pub(crate) common_revision: Option<u32>,
    pub(crate) shared_traces: usize,
    pub(crate) reasons: Vec<&'static str>,
}

pub(crate) fn clusters(issues: &[IssueSignal]) -> Vec<Cluster> {
    let n = issues.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut reasons = Reasons::new();
    let mut link = |a: usize, b: usize, why: &'static str, parent: &mut Vec<usize>| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
        reasons.entry((a.min(b), a.max(b))).or_default().insert(why);
    };

    // Began close together, per service: neighbours in time order.
    let mut by_start: Vec<usize> = (0..n).filter(|&i| issues[i].first_seen.is_some()).collect();
    by_start.sort_by_key(|&i| (issues[i].service, issues[i].first_seen));
    for w in by_start.windows(2) {
        let (a, b) = (&issues[w[0]], &issues[w[1]]);
        if a.service == b.service
            && b.first_seen.unwrap() - a.first_seen.unwrap() <= SAME_START_NANOS
        {
            link(w[0], w[1], "began together", &mut parent);
        }
    }
    // Shared traces and alike bursts: every pair (issue counts are in the hundreds at most).
    for a in 0..n {
        for b in a + 1..n {
            let (x, y) = (&issues[a], &issues[b]);
            let shared = x.traces.intersection(y.traces).count();
            let smaller = x.traces.len().min(y.traces.len());
            if shared >= MIN_SHARED_TRACES || (shared > 0 && shared == smaller) {
                link(a, b, "same requests (traces)", &mut parent);
            }
            if burst_correlation(x.buckets, y.buckets).is_some_and(|r| r >= MIN_BURST_CORRELATION) {
                link(a, b, "same burst pattern", &mut parent);
            }
        }
    }

    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Cluster> = groups
        .into_values()
        .filter(|m| m.len() > 1)
        .map(|members| cluster(issues, members, &reasons))
        .collect();
    out.sort_by_key(|c| c.members[0]);
    out
}

/// The links found between pairs of issues, and why.
type Reasons = HashMap<(usize, usize), BTreeSet<&'static str>>;

/// One cluster of `members`: the start spread and common revision are about the members that
/// began together; the shared traces are those every member has.
fn cluster(issues: &[IssueSignal], members: Vec<usize>, reasons: &Reasons) -> Cluster {
    let together: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&m| {
            reasons.iter().any(|(&(a, b), r)| (a == m || b == m) && r.contains("began together"))
        })
        .collect();
    let starts: Vec<i64> = together.iter().filter_map(|&i| issues[i].first_seen).collect();
    let spread = match (starts.iter().min(), starts.iter().max()) {
        (Some(lo), Some(hi)) => Some((hi - lo) as f64 / 1e6),
        _ => None,
    };
    let first_revs: BTreeSet<Option<u32>> =
        together.iter().map(|&i| issues[i].revisions.first().map(|r| r.0)).collect();
    let common_revision = match first_revs.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(r)] if *r != 0 => Some(*r),
        _ => None,
    };
    let mut traces: Option<BTreeSet<&u64>> = None;
    for &i in &members {
        let t: BTreeSet<&u64> = issues[i].traces.iter().collect();
        traces = Some(match traces {
            None => t,
            Some(prev) => prev.intersection(&t).copied().collect(),
        });
    }
    let mut why: BTreeSet<&'static str> = BTreeSet::new();
    for (&(a, b), r) in reasons {
        if members.contains(&a) && members.contains(&b) {
            why.extend(r.iter().copied());
        }
    }
    Cluster {
        members,
        began_together: together,
        start_spread_ms: spread,
        common_revision,
        shared_traces: traces.map_or(0, |t| t.len()),
        reasons: why.into_iter().collect(),
    }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Pearson correlation of two bucket series, when both are active in enough buckets.
fn burst_correlation(a: &[u64], b: &[u64]) -> Option<f64> {
    let active = |v: &[u64]| v.iter().filter(|&&x| x > 0).count();
    if a.len() != b.len() || active(a) < MIN_ACTIVE_BUCKETS || active(b) < MIN_ACTIVE_BUCKETS {
        return None;
    }
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<u64>() as f64 / n, b.iter().sum::<u64>() as f64 / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x as f64 - ma, y as f64 - mb);
        cov += dx * dy;
        va += dx * dx;
        vb += dy * dy;
    }
    (va > 0.0 && vb > 0.0).then(|| cov / (va.sqrt() * vb.sqrt()))
}

/// The revision an issue appeared with, as the module doc defines it. `revision_start` maps a
/// revision id to (service, its first entry in the window).
pub(crate) fn appeared_with(
    issue: &IssueSignal,
    revision_start: &HashMap<u32, (String, i64)>,
) -> Option<u32> {
    let &(first_rev, _, _) = issue.revisions.first()?;
    let (service, start) = revision_start.get(&first_rev)?;
    let earlier_revision_exists = revision_start.values().any(|(s, t)| s == service && t < start);
    let all_newer = issue
        .revisions
        .iter()
        .all(|(r, _, _)| revision_start.get(r).is_some_and(|(_, t)| t >= start));
    let began_after = issue.first_seen.is_some_and(|f| f >= *start);
    (first_rev != 0 && earlier_revision_exists && all_newer && began_after).then_some(first_rev)
}

/// The revisions deployed inside the window: those started after an earlier revision of the
/// same service was seen in it, each with the latest revision started before it.
pub(crate) fn deploys(revision_start: &HashMap<u32, (String, i64)>) -> HashMap<u32, u32> {
    let mut by_start: Vec<(&str, i64, u32)> =
        revision_start.iter().map(|(&r, (s, t))| (s.as_str(), *t, r)).collect();
    by_start.sort_unstable();
    by_start
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[0].1 < w[1].1)
        .map(|w| (w[1].2, w[0].2))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig<'a>(
        service: &'a str,
        first: i64,
        revs: &'a [(u32, u64, Option<i64>)],
        traces: &'a BTreeSet<u64>,
        buckets: &'a [u64],
    ) -> IssueSignal<'a> {
        IssueSignal { service, first_seen: Some(first), revisions: revs, traces, buckets }
    }

    #[test]
    fn began_together_and_shared_traces_join() {
        let none = BTreeSet::new();
        let t: BTreeSet<u64> = [11, 12].into_iter().collect();
        let revs = [(7, 1, Some(0))];
        let quiet = [0, 1, 0, 0, 0];
        let issues = [
            sig("api", 1_000_000_000, &revs, &none, &quiet),
            sig("api", 1_040_000_000, &revs, &none, &quiet), // 40 ms later
            sig("api", 900_000_000_000, &revs, &t, &quiet),
            sig("web", 950_000_000_000, &revs, &t, &quiet), // other service, same traces
            sig("api", 500_000_000_000, &revs, &none, &quiet), // alone
        ];
        let c = clusters(&issues);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].members, vec![0, 1]);
        assert_eq!(c[0].start_spread_ms, Some(40.0));
        assert_eq!(c[0].common_revision, Some(7));
        assert_eq!(c[0].reasons, vec!["began together"]);
        assert_eq!(c[1].members, vec![2, 3]);
        assert_eq!(c[1].shared_traces, 2);
    }

    #[test]
    fn alike_bursts_join_but_flat_series_do_not() {
        let none = BTreeSet::new();
        let revs = [];
        let a = [0, 5, 9, 0, 0, 7, 3, 0];
        let b = [0, 10, 17, 0, 1, 15, 6, 0];
        let issues =
            [sig("x", 0, &revs, &none, &a), sig("y", 10_000_000_000_000, &revs, &none, &b)];
        assert_eq!(clusters(&issues)[0].reasons, vec!["same burst pattern"]);
        let flat = [1, 1, 1, 1, 1, 1, 1, 1];
        assert!(burst_correlation(&a, &flat).is_none());
    }

    #[test]
    fn deploy_correlation() {
        let none = BTreeSet::new();
        let starts: HashMap<u32, (String, i64)> =
            [(1, ("api".to_string(), 0)), (2, ("api".to_string(), 100))].into_iter().collect();
        let new_rev = [(2, 5, Some(150))];
        assert_eq!(appeared_with(&sig("api", 150, &new_rev, &none, &[]), &starts), Some(2));
        let both = [(1, 2, Some(50)), (2, 5, Some(150))];
        assert_eq!(appeared_with(&sig("api", 50, &both, &none, &[]), &starts), None);
        assert_eq!(deploys(&starts), [(2, 1)].into_iter().collect());
        let old_rev = [(1, 2, Some(50))];
        assert_eq!(
            appeared_with(&sig("api", 50, &old_rev, &none, &[]), &starts),
            None,
            "no earlier revision"
        );
    }
}
