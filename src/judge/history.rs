//! History without a tracker: compares this run with an earlier run's JSON (`--baseline`).
//!
//! | status | when |
//! |---|---|
//! | NEW | not in the baseline, and never seen in the reports before it |
//! | REGRESSED | seen in an earlier report (the baseline's history), absent from the baseline's window, back now |
//! | ESCALATING | in the baseline, and its rate (events an hour over each window) at least 1.5 times the baseline's, with at least 5 events now |
//! | DECLINING | in the baseline, and its rate at most half the baseline's |
//! | ONGOING | in the baseline otherwise |
//!
//! Issues of the baseline absent now are "resolved since the last report". The JSON carries a
//! `history` ledger (every issue seen by this report or the ones before it), so a chain of weekly
//! runs, each with the previous JSON as its baseline, remembers issues that came and went.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A rate at least this many times the baseline's is ESCALATING.
pub(crate) const ESCALATING_FACTOR: f64 = 1.5;
/// ... provided there are at least this many events now (2 → 3 events is noise, not a trend).
pub(crate) const ESCALATING_MIN_EVENTS: u64 = 5;
/// A rate at most this share of the baseline's is DECLINING.
pub(crate) const DECLINING_FACTOR: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    New,
    Regressed,
    Escalating,
    Ongoing,
    Declining,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::New => "NEW",
            Status::Regressed => "REGRESSED",
            Status::Escalating => "ESCALATING",
            Status::Ongoing => "ONGOING",
            Status::Declining => "DECLINING",
        }
    }

    pub(crate) const ALL: [Status; 5] =
        [Status::New, Status::Regressed, Status::Escalating, Status::Ongoing, Status::Declining];
}

/// The parts of an earlier report's JSON that history needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    pub(crate) window: BaselineWindow,
    pub(crate) issues: Vec<BaselineIssue>,
    #[serde(default)]
    pub(crate) history: Vec<HistoryEntry>,
    #[serde(default)]
    pub(crate) generated_at: Option<String>,
    /// What the report covered (absent in reports older than this field's use: then unknown).
    #[serde(default)]
    pub(crate) scope: Option<BaselineScope>,
    #[serde(default)]
    pub(crate) projects: Vec<String>,
    /// The file it was read from, as given (not in the JSON).
    #[serde(skip)]
    pub(crate) path: String,
}

/// The scope of a report (an earlier one's, read from its JSON, or this run's), to tell whether
/// two covered the same thing: the lowest severity and the services asked for.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct BaselineScope {
    pub(crate) min_severity: String,
    #[serde(default)]
    pub(crate) services: Vec<String>,
}

impl BaselineScope {
    pub(crate) fn of(min_severity: crate::normalize::Severity, services: &[String]) -> Self {
        let mut services = services.to_vec();
        services.sort();
        services.dedup();
        BaselineScope { min_severity: min_severity.name().to_string(), services }
    }

    /// The same scope, whatever the order the services were given in and the case of the
    /// severity.
    pub(crate) fn same_as(&self, other: &BaselineScope) -> bool {
        let sorted =
            |s: &BaselineScope| BaselineScope::of(Default::default(), &s.services).services;
        self.min_severity.eq_ignore_ascii_case(&other.min_severity) && sorted(self) == sorted(other)
    }
}

/// Which baseline to compare with.
#[derive(Debug, Clone, Default)]
pub enum Choice {
    /// None: no statuses.
    #[default]
    None,
    /// The one given (`--baseline FILE`); the command line checks that it is earlier.
    Given(Box<Baseline>),
    /// The latest of these whose window starts before this report's (`--baseline auto`); none
    /// when there is no such report (a first run).
    Latest(Vec<Baseline>),
}

impl Choice {
    /// The baseline to compare a report whose window starts at `start` (ns) with.
    pub(crate) fn resolve(&self, start: Option<i64>) -> Option<&Baseline> {
        match self {
            Choice::None => None,
            Choice::Given(b) => Some(b),
            Choice::Latest(candidates) => candidates
                .iter()
                .filter_map(|b| Some((b.start_nanos()?, b)))
                .filter(|(t, _)| start.is_none_or(|s| *t < s))
                .max_by(|x, y| x.0.cmp(&y.0).then(x.1.path.cmp(&y.1.path)))
                .map(|(_, b)| b),
        }
    }
}

impl Baseline {
    /// The start of the baseline's window, in ns.
    pub(crate) fn start_nanos(&self) -> Option<i64> {
        let start = self.window.start.as_deref()?;
        crate::normalize::time::Timestamp::parse(start).map(|t| t.nanos)
    }

    /// The issue ids in the baseline's report order.
    pub(crate) fn positions(&self) -> HashMap<&str, usize> {
        self.issues.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BaselineWindow {
    pub(crate) start: Option<String>,
    pub(crate) end: Option<String>,
    #[serde(default)]
    pub(crate) hours: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BaselineIssue {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) count: u64,
    #[serde(default)]
    pub(crate) rate_per_hour: f64,
    #[serde(default)]
    pub(crate) priority: Option<String>,
    #[serde(default)]
    pub(crate) first_seen: Option<String>,
    #[serde(default)]
    pub(crate) last_seen: Option<String>,
    #[serde(default)]
    pub(crate) services: Vec<String>,
}

/// One issue in the ledger of everything seen so far.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HistoryEntry {
    pub(crate) id: String,
    pub(crate) title: String,
    /// Earliest and latest occurrence known to any report in the chain.
    pub(crate) first_seen: Option<String>,
    pub(crate) last_seen: Option<String>,
    /// Reports (runs) the issue appeared in.
    pub(crate) reports: u64,
}

/// One current issue, as history needs it.
pub(crate) struct Current<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) count: u64,
    pub(crate) rate_per_hour: f64,
    pub(crate) first_seen: Option<&'a str>,
    pub(crate) last_seen: Option<&'a str>,
}

/// The comparison's result.
#[derive(Debug, Clone, Default)]
pub(crate) struct Comparison {
    /// Per current issue (same order as given), with a baseline: the status and the baseline's
    /// rate, if any. Empty without a baseline.
    pub(crate) statuses: Vec<(Status, Option<f64>)>,
    /// Baseline issues absent now.
    pub(crate) resolved: Vec<BaselineIssue>,
    /// The ledger for this report's JSON.
    pub(crate) history: Vec<HistoryEntry>,
}

/// Reads an earlier report's JSON; the error names the file.
pub fn load(path: &std::path::Path) -> Result<Baseline, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("--baseline {}: {e}", path.display()))?;
    let mut baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
        format!("--baseline {}: not a log-gardener JSON report ({e})", path.display())
    })?;
    baseline.path = path.display().to_string();
    Ok(baseline)
}

pub(crate) fn compare(current: &[Current], baseline: Option<&Baseline>) -> Comparison {
    let mut ledger: BTreeMap<String, HistoryEntry> = BTreeMap::new();
    let Some(base) = baseline else {
        for c in current {
            merge(&mut ledger, c.id, c.title, c.first_seen, c.last_seen, 1);
        }
        return Comparison {
            statuses: Vec::new(),
            resolved: Vec::new(),
            history: ledger.into_values().collect(),
        };
    };
    for h in &base.history {
        merge(
            &mut ledger,
            &h.id,
            &h.title,
            h.first_seen.as_deref(),
            h.last_seen.as_deref(),
            h.reports,
        );
    }
    // A baseline written without a ledger still counts its own issues as seen once.
    for b in &base.issues {
        if !base.history.iter().any(|h| h.id == b.id) {
            merge(&mut ledger, &b.id, &b.title, b.first_seen.as_deref(), b.last_seen.as_deref(), 1);
        }
    }
    let seen_before: HashMap<String, ()> = ledger.keys().map(|k| (k.clone(), ())).collect();
    let in_baseline: HashMap<&str, &BaselineIssue> =
        base.issues.iter().map(|b| (b.id.as_str(), b)).collect();
    let base_hours = base.window.hours.max(1.0 / 60.0);

    let statuses = current
        .iter()
        .map(|c| match in_baseline.get(c.id) {
            Some(b) => {
                let before = if b.rate_per_hour > 0.0 {
                    b.rate_per_hour
                } else {
                    b.count as f64 / base_hours
                };
                let status = if c.rate_per_hour >= before * ESCALATING_FACTOR
                    && c.count >= ESCALATING_MIN_EVENTS
                {
                    Status::Escalating
                } else if c.rate_per_hour <= before * DECLINING_FACTOR {
                    Status::Declining
                } else {
                    Status::Ongoing
                };
                (status, Some(before))
            }
            None if seen_before.contains_key(c.id) => (Status::Regressed, None),
            None => (Status::New, None),
        })
        .collect();
    for c in current {
        merge(&mut ledger, c.id, c.title, c.first_seen, c.last_seen, 1);
    }
    let now: HashMap<&str, ()> = current.iter().map(|c| (c.id, ())).collect();
    let resolved =
        base.issues.iter().filter(|b| !now.contains_key(b.id.as_str())).cloned().collect();
    Comparison { statuses, resolved, history: ledger.into_values().collect() }
}

fn merge(
    ledger: &mut BTreeMap<String, HistoryEntry>,
    id: &str,
    title: &str,
    first: Option<&str>,
    last: Option<&str>,
    reports: u64,
) {
    let e = ledger.entry(id.to_string()).or_insert_with(|| HistoryEntry {
        id: id.to_string(),
        title: title.to_string(),
        first_seen: None,
        last_seen: None,
        reports: 0,
    });
    e.title = title.to_string();
    e.first_seen = min_time(e.first_seen.take(), first.map(str::to_string));
    e.last_seen = max_time(e.last_seen.take(), last.map(str::to_string));
    e.reports += reports;
}

/// RFC 3339 UTC times with `Z` compare as text once the fractions are padded alike.
fn key(t: &str) -> String {
    let t = t.trim_end_matches('Z');
    match t.split_once('.') {
        Some((s, f)) => format!("{s}.{f:0<9}"),
        None => format!("{t}.000000000"),
    }
}

fn min_time(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(&b) < key(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn max_time(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(&b) > key(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_issue(id: &str, count: u64, rate: f64) -> BaselineIssue {
        BaselineIssue {
            id: id.into(),
            title: id.into(),
            count,
            rate_per_hour: rate,
            priority: None,
            first_seen: Some("2025-09-04T05:00:00Z".into()),
            last_seen: Some("2025-09-04T06:00:00Z".into()),
            services: vec![],
        }
    }

    fn cur(id: &str, count: u64, rate: f64) -> Current<'_> {
        Current {
            id,
            title: id,
            count,
            rate_per_hour: rate,
            first_seen: Some("2025-09-11T05:00:00.5Z"),
            last_seen: None,
        }
    }

    #[test]
    fn statuses() {
        let base = Baseline {
            window: BaselineWindow { start: None, end: None, hours: 24.0 },
            issues: vec![
                base_issue("same", 24, 1.0),
                base_issue("grows", 24, 1.0),
                base_issue("shrinks", 24, 1.0),
                base_issue("gone", 5, 0.2),
            ],
            scope: None,
            projects: vec![],
            path: String::new(),
            history: vec![HistoryEntry {
                id: "old".into(),
                title: "old".into(),
                first_seen: Some("2025-08-01T00:00:00Z".into()),
                last_seen: Some("2025-08-02T00:00:00Z".into()),
                reports: 2,
            }],
            generated_at: None,
        };
        let current = [
            cur("same", 25, 1.1),
            cur("grows", 48, 2.0),
            cur("shrinks", 6, 0.25),
            cur("old", 3, 0.1),
            cur("fresh", 1, 0.04),
        ];
        let c = compare(&current, Some(&base));
        let s: Vec<Status> = c.statuses.iter().map(|s| s.0).collect();
        assert_eq!(
            s,
            [
                Status::Ongoing,
                Status::Escalating,
                Status::Declining,
                Status::Regressed,
                Status::New
            ]
        );
        assert_eq!(c.resolved.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["gone"]);
        let old = c.history.iter().find(|h| h.id == "old").unwrap();
        assert_eq!((old.reports, old.first_seen.as_deref()), (3, Some("2025-08-01T00:00:00Z")));
        assert!(c.history.iter().any(|h| h.id == "gone"), "resolved issues stay in the ledger");
    }

    #[test]
    fn few_events_do_not_escalate() {
        let base = Baseline {
            window: BaselineWindow { start: None, end: None, hours: 1.0 },
            issues: vec![base_issue("x", 1, 1.0)],
            history: vec![],
            generated_at: None,
            scope: None,
            projects: vec![],
            path: String::new(),
        };
        let c = compare(&[cur("x", 3, 3.0)], Some(&base));
        assert_eq!(c.statuses[0].0, Status::Ongoing);
    }

    #[test]
    fn the_latest_earlier_report_is_chosen() {
        let at = |start: &str, path: &str| Baseline {
            window: BaselineWindow { start: Some(start.into()), end: None, hours: 1.0 },
            issues: vec![],
            history: vec![],
            generated_at: None,
            scope: None,
            projects: vec![],
            path: path.into(),
        };
        let choice = Choice::Latest(vec![
            at("2025-09-04T00:00:00Z", "w36"),
            at("2025-09-11T00:00:00Z", "w37"),
            at("2025-09-18T00:00:00Z", "w38 (this week's earlier run)"),
        ]);
        let start = crate::normalize::time::Timestamp::parse("2025-09-18T00:00:00Z").unwrap().nanos;
        assert_eq!(choice.resolve(Some(start)).map(|b| b.path.as_str()), Some("w37"));
        let first = crate::normalize::time::Timestamp::parse("2025-09-01T00:00:00Z").unwrap().nanos;
        assert!(choice.resolve(Some(first)).is_none(), "nothing earlier: a first run");
    }

    #[test]
    fn times_compare_across_precisions() {
        assert_eq!(
            min_time(
                Some("2025-09-11T05:00:00.5Z".into()),
                Some("2025-09-11T05:00:00.123456Z".into())
            )
            .unwrap(),
            "2025-09-11T05:00:00.123456Z"
        );
        assert_eq!(
            max_time(
                Some("2025-09-11T05:00:00Z".into()),
                Some("2025-09-11T05:00:00.000001Z".into())
            )
            .unwrap(),
            "2025-09-11T05:00:00.000001Z"
        );
    }
}
