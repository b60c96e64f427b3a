//! Service health from what the data shows: the share of failed requests where the service has
//! request logs, and the priorities of its issues.
//!
//! | status | rule (first match) |
//! |---|---|
//! | DOWN | at least 10 requests and 95% or more of them answered 5xx |
//! | FAILING | a P0 issue, or 20% or more of requests answered 5xx |
//! | DEGRADED | a P1 issue, or 1% or more of requests answered 5xx |
//! | OPERATIONAL | otherwise |

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
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Health::Operational => "✅",
            Health::Degraded => "⚠️",
            Health::Failing => "❌",
            Health::Down => "🚨",
        }
    }
}

/// The status and its reason. `p0`/`p1` count the service's issues at those priorities.
pub(crate) fn health(stats: &ServiceStats, p0: usize, p1: usize) -> (Health, String) {
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
            let at = |p| own.iter().filter(|j| j.judgement.priority == p).count();
            let (status, reason) = health(st, at(Priority::P0), at(Priority::P1));
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
    let mut by: BTreeMap<(String, String), (usize, usize, u64, u64)> = BTreeMap::new();
    for (service, j) in shown {
        let stats = &ev.aggregates.issues[j.index];
        let Some(&(component, _)) = stats.components.first() else { continue };
        let component = ev.names.components[component as usize].clone();
        let e = by.entry((service.to_string(), component)).or_default();
        e.0 += (j.judgement.priority == Priority::P0) as usize;
        e.1 += (j.judgement.priority == Priority::P1) as usize;
        e.2 += 1;
        e.3 += stats.events;
    }
    let mut out: Vec<ComponentVerdict> = by
        .into_iter()
        .map(|((service, component), (p0, p1, issues, events))| {
            let (status, reason) = if p0 > 0 {
                (Health::Failing, format!("{p0} P0 issue{}", plural(p0)))
            } else if p1 > 0 {
                (Health::Degraded, format!("{p1} P1 issue{}", plural(p1)))
            } else {
                (Health::Operational, "no P0/P1 issue".to_string())
            };
            ComponentVerdict { service, component, status, reason, issues, events }
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

    #[test]
    fn rules() {
        assert_eq!(health(&stats(100, 99), 0, 0).0, Health::Down);
        assert_eq!(
            health(&stats(5, 5), 0, 0).0,
            Health::Failing,
            "too few requests to call it down"
        );
        assert_eq!(health(&stats(0, 0), 1, 0).0, Health::Failing);
        assert_eq!(health(&stats(100, 2), 0, 0).0, Health::Degraded);
        assert_eq!(health(&stats(0, 0), 0, 2), (Health::Degraded, "2 P1 issues".to_string()));
        assert_eq!(health(&stats(1000, 1), 0, 0).0, Health::Operational);
    }
}
