//! What an issue gathers from its keys besides numbers: a few example messages and a bounded
//! set of trace ids.

use crate::group::Grouping;
use crate::tally::{Summary, TRACES_KEPT};
use std::collections::BTreeSet;

/// The first `n` distinct example messages of each issue inside the window, earliest first,
/// from the examples its keys kept.
pub(crate) fn examples_per_issue(
    summary: &Summary,
    used_keys: &[usize],
    grouping: &Grouping,
    window: Option<(i64, i64)>,
    n: usize,
) -> Vec<Vec<String>> {
    let mut by_issue: Vec<Vec<(i64, &str)>> = vec![Vec::new(); grouping.issues.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        let ex = &summary.keys[k].examples;
        for (t, m) in ex.early.iter().chain(&ex.late) {
            by_issue[issue as usize].push((*t, m.as_str()));
        }
    }
    let inside = |t: i64| t == i64::MAX || window.is_none_or(|(s, e)| t >= s && t <= e);
    by_issue
        .into_iter()
        .map(|mut list| {
            list.sort();
            let preferred: Vec<&(i64, &str)> = list.iter().filter(|(t, _)| inside(*t)).collect();
            let pool = if preferred.is_empty() { list.iter().collect() } else { preferred };
            let mut out: Vec<String> = Vec::new();
            for (_, m) in pool {
                if out.len() == n {
                    break;
                }
                if !out.iter().any(|o| o == m) {
                    out.push(m.to_string());
                }
            }
            out
        })
        .collect()
}

/// Per issue, the trace id hashes of its keys, at most [`TRACES_KEPT`].
pub(crate) fn traces_per_issue(
    summary: &Summary,
    used_keys: &[usize],
    grouping: &Grouping,
) -> Vec<BTreeSet<u64>> {
    let mut traces: Vec<BTreeSet<u64>> = vec![BTreeSet::new(); grouping.issues.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        let set = &mut traces[issue as usize];
        set.extend(summary.keys[k].traces.iter().copied());
    }
    // The smallest ones, as each key kept (a sample that does not depend on order).
    for set in &mut traces {
        while set.len() > TRACES_KEPT {
            set.pop_last();
        }
    }
    traces
}
