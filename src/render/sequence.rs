//! The postmortem timeline: what happened in time order — revisions deployed inside the window,
//! each issue shown in full beginning and last seen, the error peak — each line with its UTC
//! time and its offset from the first error, whatever the window.

use super::model::{Issue, Sequence, SequenceLine};
use crate::judge::verdict::Verdict;
use crate::normalize::time::format_nanos;
use crate::normalize::Severity;

/// One line before sorting: (time, order among lines at the same time, issue number, line).
type Keyed = (i64, u8, usize, SequenceLine);

/// The timeline over the issues shown in full (the others are counted, not listed).
pub(crate) fn sequence(v: &Verdict, issues: &[Issue]) -> Sequence {
    let origin = origin(v);
    let at = |t: i64| offset(origin.map_or(0, |o| t - o));
    let mut lines: Vec<Keyed> = deploys(v, &at);
    for issue in issues.iter().filter(|i| i.detailed) {
        let stats = &v.aggregates.issues[v.order[issue.number - 1]];
        let (Some(first), Some(last)) = (stats.first_seen, stats.last_seen) else { continue };
        let line = |t: i64, shown: &Option<String>, kind, text: String| SequenceLine {
            time: shown.clone().unwrap_or_else(|| format_nanos(t, 9)),
            offset: at(t),
            kind,
            issue: Some(issue.number),
            text,
        };
        if issue.count == 1 || first == last {
            let once = format!(
                "Issue {} ({}) occurred once: {}",
                issue.number,
                issue.priority.name(),
                issue.title
            );
            lines.push((first, 1, issue.number, line(first, &issue.first_seen, "once", once)));
            continue;
        }
        let began =
            format!("Issue {} ({}) began: {}", issue.number, issue.priority.name(), issue.title);
        lines.push((first, 1, issue.number, line(first, &issue.first_seen, "began", began)));
        let stop = format!("Issue {} last seen ({} events in all)", issue.number, issue.count);
        lines.push((last, 3, issue.number, line(last, &issue.last_seen, "last", stop)));
    }
    lines.extend(peak(v, &at));
    lines.sort_by_key(|a| (a.0, a.1, a.2));
    Sequence {
        origin: origin.map(|o| v.time.format(Some(o)).unwrap_or_else(|| format_nanos(o, 9))),
        lines: lines.into_iter().map(|l| l.3).collect(),
        issues_left_out: issues.iter().filter(|i| !i.detailed).count() as u64,
    }
}

/// The first error's time among the shown issues; with no error, the first warning's.
fn origin(v: &Verdict) -> Option<i64> {
    let first = |at_least: Severity| {
        v.order
            .iter()
            .filter(|&&i| v.issues[i].judgement.severity >= at_least)
            .filter_map(|&i| v.aggregates.issues[i].first_seen)
            .min()
    };
    first(Severity::Error).or_else(|| first(Severity::Default))
}

/// Revisions deployed inside the window.
fn deploys(v: &Verdict, at: &dyn Fn(i64) -> String) -> Vec<Keyed> {
    v.deploys
        .iter()
        .filter_map(|(&rev, &before)| {
            let (service, t) = v.revision_start.get(&rev)?;
            let name = |r: u32| v.names.revisions[r as usize].clone();
            let text = format!(
                "revision {} of {service} deployed (its first entry; the revision before: {})",
                name(rev),
                name(before)
            );
            let time = v.time.format(Some(*t)).unwrap_or_else(|| format_nanos(*t, 9));
            Some((
                *t,
                0,
                0,
                SequenceLine { time, offset: at(*t), kind: "deploy", issue: None, text },
            ))
        })
        .collect()
}

/// The time bucket with the most errors (the first of equals), or with no error the most
/// warnings.
fn peak(v: &Verdict, at: &dyn Fn(i64) -> String) -> Option<Keyed> {
    let ag = &v.aggregates;
    let per_bucket = |errors: bool| {
        let mut counts = vec![0u64; ag.bucket_count as usize];
        for &(sev, bucket, events) in &ag.timeline {
            let wanted =
                if errors { sev >= Severity::Error as u8 } else { sev == Severity::Warning as u8 };
            if wanted && (bucket as usize) < counts.len() {
                counts[bucket as usize] += events;
            }
        }
        counts
    };
    let (what, counts) = match per_bucket(true) {
        c if c.iter().any(|&n| n > 0) => ("errors", c),
        _ => ("warnings", per_bucket(false)),
    };
    let max = *counts.iter().max()?;
    if max == 0 || v.window.is_none() {
        return None;
    }
    let bucket = counts.iter().position(|&n| n == max)?;
    let t = ag.bucket_start + ag.bucket_width * bucket as i64;
    let minutes = ag.bucket_width / 60_000_000_000;
    let text = format!(
        "{what} peaked: {max} in the {minutes} minutes from {}",
        &format_nanos(t, 0)[11..16]
    );
    let time = format_nanos(t, 0);
    Some((t, 2, 0, SequenceLine { time, offset: at(t), kind: "peak", issue: None, text }))
}

/// `+1:02:03.456`, `-0:00:05.000`, `+2d 03:00:00.000`.
fn offset(nanos: i64) -> String {
    let sign = if nanos < 0 { '-' } else { '+' };
    let ms = nanos.unsigned_abs() / 1_000_000;
    let (secs, ms) = (ms / 1000, ms % 1000);
    let (days, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{sign}{days}d {h:02}:{m:02}:{s:02}.{ms:03}")
    } else {
        format!("{sign}{h}:{m:02}:{s:02}.{ms:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset(0), "+0:00:00.000");
        assert_eq!(offset(3_723_456_000_000), "+1:02:03.456");
        assert_eq!(offset(-5_000_000_000), "-0:00:05.000");
        assert_eq!(offset(2 * 86_400_000_000_000 + 3 * 3_600_000_000_000), "+2d 03:00:00.000");
        assert_eq!(offset(999_999), "+0:00:00.000");
    }
}
