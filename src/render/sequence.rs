//! The postmortem timeline: what happened in time order — revisions deployed inside the window,
//! each issue shown in full beginning and stopping, the error peak — each line with its UTC time
//! and its offset from the first error, whatever the window.
//!
//! An issue already occurring in the window's first time bucket did not visibly begin in the
//! window, and one still occurring in its last bucket did not visibly stop: those are named
//! together on one line at the window's opening and one at its close, earliest first, instead
//! of a line each. That is also what keeps the timeline of a quiet week the same as the last.

use super::model::{Issue, Sequence, SequenceLine};
use crate::judge::verdict::Verdict;
use crate::normalize::time::format_nanos;
use crate::normalize::Severity;

/// One line before sorting: (time, order among lines at the same time, issue number, line).
type Keyed = (i64, u8, usize, SequenceLine);

/// The order of lines at the same time.
const OPEN: u8 = 0;
const DEPLOY: u8 = 1;
const BEGAN: u8 = 2;
const PEAK: u8 = 3;
const STOPPED: u8 = 4;
const CLOSE: u8 = 5;

/// The timeline over the issues shown in full (the others are counted, not listed).
pub(crate) fn sequence(v: &Verdict, issues: &[Issue]) -> Sequence {
    let origin = origin(v);
    let at = |t: i64| offset(origin.map_or(0, |o| t - o));
    let shown = |t: i64| v.time.format(Some(t)).unwrap_or_else(|| format_nanos(t, 9));
    let line = |t: i64, kind: &'static str, issue: Option<usize>, text: String| SequenceLine {
        time: shown(t),
        offset: at(t),
        kind,
        issue,
        text,
    };
    let mut lines: Vec<Keyed> = deploys(v, &line);
    let edge = v.aggregates.bucket_width;
    let (mut from_start, mut to_end) = (Vec::new(), Vec::new());
    for issue in issues.iter().filter(|i| i.detailed) {
        let stats = &v.aggregates.issues[v.order[issue.number - 1]];
        let (Some(first), Some(last), Some((start, end))) =
            (stats.first_seen, stats.last_seen, v.window)
        else {
            continue;
        };
        let (n, p, title) = (issue.number, issue.priority.name(), &issue.title);
        if issue.count == 1 || first == last {
            let text = format!("Issue {n} ({p}) occurred once: {title}");
            lines.push((first, BEGAN, n, line(first, "once", Some(n), text)));
            continue;
        }
        if first < start + edge {
            from_start.push((first, n));
        } else {
            let text = format!("Issue {n} ({p}) began: {title}");
            lines.push((first, BEGAN, n, line(first, "began", Some(n), text)));
        }
        if last > end - edge {
            to_end.push((last, n));
        } else {
            let text = format!("Issue {n} stopped: last seen ({} events in all)", issue.count);
            lines.push((last, STOPPED, n, line(last, "stopped", Some(n), text)));
        }
    }
    let minutes = edge / 60_000_000_000;
    if let (Some((start, _)), false) = (v.window, from_start.is_empty()) {
        let text = format!(
            "window opens: {} already occurring (first seen in its first {minutes} minutes)",
            numbers(from_start)
        );
        lines.push((start, OPEN, 0, line(start, "open", None, text)));
    }
    if let (Some((_, end)), false) = (v.window, to_end.is_empty()) {
        let text = format!(
            "window closes: {} still occurring (last seen in its final {minutes} minutes)",
            numbers(to_end)
        );
        lines.push((end, CLOSE, 0, line(end, "close", None, text)));
    }
    lines.extend(peak(v, &line));
    // The text last: deploys come from a map, and two may share a time.
    lines.sort_by(|a, b| (a.0, a.1, a.2, &a.3.text).cmp(&(b.0, b.1, b.2, &b.3.text)));
    Sequence {
        origin: origin.map(shown),
        lines: lines.into_iter().map(|l| l.3).collect(),
        issues_left_out: issues.iter().filter(|i| !i.detailed).count() as u64,
    }
}

/// "Issue 7" or "Issues 7, 15 and 8", in time order.
fn numbers(mut found: Vec<(i64, usize)>) -> String {
    found.sort_unstable();
    let names: Vec<String> = found.iter().map(|(_, n)| n.to_string()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("Issues {} and {last}", rest.join(", ")),
        _ => format!("Issue {}", names.join("")),
    }
}

/// A line at time `t`: its kind, issue and text.
type Line<'a> = dyn Fn(i64, &'static str, Option<usize>, String) -> SequenceLine + 'a;

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
fn deploys(v: &Verdict, line: &Line) -> Vec<Keyed> {
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
            Some((*t, DEPLOY, 0, line(*t, "deploy", None, text)))
        })
        .collect()
}

/// The time bucket with the most errors (the first of equals), or with no error the most
/// warnings.
fn peak(v: &Verdict, line: &Line) -> Option<Keyed> {
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
    let mut peak = line(t, "peak", None, text);
    peak.time = format_nanos(t, 0);
    Some((t, PEAK, 0, peak))
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
