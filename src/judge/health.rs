//! Service health from what the data shows: the share of failed requests where the service has
//! request logs, and the priorities of its issues.
//!
//! | status | rule (first match) |
//! |---|---|
//! | DOWN | at least 10 requests and 95% or more of them answered 5xx |
//! | FAILING | a P0 issue, or 20% or more of requests answered 5xx |
//! | DEGRADED | a P1 issue, 1% or more of requests answered 5xx, or an issue of any priority that is a connection failure or a timeout (a dependency it cannot reach) |
//! | OPERATIONAL | otherwise |
//!
//! Components (the logger most of an issue's events carry) follow the same rules without the
//! requests: FAILING with a P0 issue, DEGRADED with a P1 issue or a connection failure or
//! timeout, else OPERATIONAL.

use super::classify::ErrorClass;
use super::priority::Priority;
use super::verdict::{Evidence, JudgedIssue};
use crate::aggregate::ServiceStats;
use serde::Serialize;
use std::collections::BTreeMap;

/// A service's health, with the numbers it rests on.
#[derive(Debug, Clone)]
pub(crate) struct ServiceVerdict {
    pub(crate) name: String,
    pub(crate) stats: ServiceStats,
    pub(crate) status: Health,
    pub(crate) reason: String,
    /// Shown issues of the service.
    pub(crate) issues: u64,
}

/// A component's health: where the data names components (the logger most of an issue's events
/// carry), FAILING with a P0 issue, DEGRADED with a P1, else OPERATIONAL.
#[derive(Debug, Clone)]
pub(crate) struct ComponentVerdict {
    pub(crate) service: String,
    pub(crate) component: String,
    pub(crate) status: Health,
    pub(crate) reason: String,
    /// Issues whose most frequent component this is, and their events.
    pub(crate) issues: u64,
    pub(crate) events: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Health {
    Operational,
    Degraded,
    Failing,
    Down,
}

impl Health {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Health::Operational => "OPERATIONAL",
            Health::Degraded => "DEGRADED",
            Health::Failing => "FAILING",
            Health::Down => "DOWN",
        }
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Health::Operational => "✅",
            Health::Degraded => "⚠️",
            Health::Failing => "❌",
            Health::Down => "🚨",
        }
    }
}

/// Whether an issue says a dependency could not be reached.
fn unreachable_dependency(j: &JudgedIssue) -> bool {
    matches!(j.class, Some(ErrorClass::ConnectionFailure | ErrorClass::Timeout))
}

/// How many issues, at each level that matters for health.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) p0: usize,
    pub(crate) p1: usize,
    /// Connection failures and timeouts, whatever their priority.
    pub(crate) unreachable: usize,
}

impl Counts {
    fn of<'a>(issues: impl Iterator<Item = &'a JudgedIssue>) -> Counts {
        let mut c = Counts::default();
        for j in issues {
            c.p0 += (j.judgement.priority == Priority::P0) as usize;
            c.p1 += (j.judgement.priority == Priority::P1) as usize;
            c.unreachable += unreachable_dependency(j) as usize;
        }
        c
    }

    /// The verdict from the issues alone: FAILING, DEGRADED or OPERATIONAL.
    fn verdict(self) -> (Health, String) {
        if self.p0 > 0 {
            (Health::Failing, format!("{} P0 issue{}", self.p0, plural(self.p0)))
        } else if self.p1 > 0 {
            (Health::Degraded, format!("{} P1 issue{}", self.p1, plural(self.p1)))
        } else if self.unreachable > 0 {
            (Health::Degraded, unreachable_reason(self.unreachable))
        } else {
            (Health::Operational, "no P0/P1 issue".to_string())
        }
    }
}

fn unreachable_reason(n: usize) -> String {
    format!("connection failures or timeouts ({n} issue{})", plural(n))
}

/// The status and its reason, from the service's requests and the counts of its issues.
pub(crate) fn health(stats: &ServiceStats, counts: Counts) -> (Health, String) {
    let (p0, p1) = (counts.p0, counts.p1);
    let share = (stats.requests > 0).then(|| stats.requests_5xx as f64 / stats.requests as f64);
    let pct = |s: f64| format!("{:.1}%", s * 100.0);
    if let Some(s) = share {
        if stats.requests >= 10 && s >= 0.95 {
            return (
                Health::Down,
                format!("{} of {} requests answered 5xx", pct(s), stats.requests),
            );
        }
    }
    if p0 > 0 {
        return (Health::Failing, format!("{p0} P0 issue{}", plural(p0)));
    }
    if let Some(s) = share.filter(|s| *s >= 0.20) {
        return (
            Health::Failing,
            format!("{} of {} requests answered 5xx", pct(s), stats.requests),
        );
    }
    if p1 > 0 {
        return (Health::Degraded, format!("{p1} P1 issue{}", plural(p1)));
    }
    if let Some(s) = share.filter(|s| *s >= 0.01) {
        return (
            Health::Degraded,
            format!("{} of {} requests answered 5xx", pct(s), stats.requests),
        );
    }
    if counts.unreachable > 0 {
        return (Health::Degraded, unreachable_reason(counts.unreachable));
    }
    let reason = match share {
        Some(s) => {
            format!("{} of {} requests answered 5xx; no P0/P1 issue", pct(s), stats.requests)
        }
        None => "no P0/P1 issue".to_string(),
    };
    (Health::Operational, reason)
}

/// Every service's health, worst first. `shown` are the issues the report shows, with their
/// service.
pub(crate) fn service_health(
    stats: &[ServiceStats],
    names: &[String],
    shown: &[(&str, &JudgedIssue)],
) -> Vec<ServiceVerdict> {
    let mut out: Vec<ServiceVerdict> = stats
        .iter()
        .map(|st| {
            let name = names[st.service as usize].clone();
            let own: Vec<&JudgedIssue> =
                shown.iter().filter(|(s, _)| *s == name).map(|(_, j)| *j).collect();
            let (status, reason) = health(st, Counts::of(own.iter().copied()));
            ServiceVerdict { name, stats: st.clone(), status, reason, issues: own.len() as u64 }
        })
        .collect();
    out.sort_by(|x, y| y.status.cmp(&x.status).then(x.name.cmp(&y.name)));
    out
}

/// The health of each (service, component) the shown issues name, worst first.
pub(crate) fn component_health(
    shown: &[(&str, &JudgedIssue)],
    ev: &Evidence,
) -> Vec<ComponentVerdict> {
    let mut by: BTreeMap<(String, String), (Vec<&JudgedIssue>, u64)> = BTreeMap::new();
    for (service, j) in shown {
        let stats = &ev.aggregates.issues[j.index];
        let Some(&(component, _)) = stats.components.first() else { continue };
        let component = ev.names.components[component as usize].clone();
        let e = by.entry((service.to_string(), component)).or_default();
        e.0.push(j);
        e.1 += stats.events;
    }
    let mut out: Vec<ComponentVerdict> = by
        .into_iter()
        .map(|((service, component), (issues, events))| {
            let (status, reason) = Counts::of(issues.iter().copied()).verdict();
            ComponentVerdict {
                service,
                component,
                status,
                reason,
                issues: issues.len() as u64,
                events,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.status.cmp(&x.status).then(x.service.cmp(&y.service)).then(x.component.cmp(&y.component))
    });
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(requests: u64, r5: u64) -> ServiceStats {
        ServiceStats { requests, requests_5xx: r5, ..ServiceStats::default() }
    }

    fn counts(p0: usize, p1: usize, unreachable: usize) -> Counts {
        Counts { p0, p1, unreachable }
    }

    #[test]
    fn rules() {
        assert_eq!(health(&stats(100, 99), counts(0, 0, 0)).0, Health::Down);
        assert_eq!(
            health(&stats(5, 5), counts(0, 0, 0)).0,
            Health::Failing,
            "too few requests to call it down"
        );
        assert_eq!(health(&stats(0, 0), counts(1, 0, 0)).0, Health::Failing);
        assert_eq!(health(&stats(100, 2), counts(0, 0, 0)).0, Health::Degraded);
        assert_eq!(
            health(&stats(0, 0), counts(0, 2, 0)),
            (Health::Degraded, "2 P1 issues".to_string())
        );
        assert_eq!(health(&stats(1000, 1), counts(0, 0, 0)).0, Health::Operational);
    }

    #[test]
    fn an_unreachable_dependency_is_not_operational() {
        assert_eq!(
            health(&stats(0, 0), counts(0, 0, 1)),
            (Health::Degraded, "connection failures or timeouts (1 issue)".to_string())
        );
        assert_eq!(counts(0, 0, 2).verdict().0, Health::Degraded);
        assert_eq!(counts(0, 0, 0).verdict().0, Health::Operational);
        assert_eq!(counts(1, 0, 2).verdict().0, Health::Failing);
    }
}
