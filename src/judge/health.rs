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
use crate::aggregate::ServiceStats;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Health {
    Operational,
    Degraded,
    Failing,
    Down,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Operational => "OPERATIONAL",
            Health::Degraded => "DEGRADED",
            Health::Failing => "FAILING",
            Health::Down => "DOWN",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Health::Operational => "✅",
            Health::Degraded => "⚠️",
            Health::Failing => "❌",
            Health::Down => "🚨",
        }
    }
}

/// The status and its reason. `p0`/`p1` count the service's issues at those priorities.
pub fn health(stats: &ServiceStats, p0: usize, p1: usize) -> (Health, String) {
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
        return (Health::Failing, format!("{p0} P0 issue{}", if p0 == 1 { "" } else { "s" }));
    }
    if let Some(s) = share.filter(|s| *s >= 0.20) {
        return (
            Health::Failing,
            format!("{} of {} requests answered 5xx", pct(s), stats.requests),
        );
    }
    if p1 > 0 {
        return (Health::Degraded, format!("{p1} P1 issue{}", if p1 == 1 { "" } else { "s" }));
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

/// Convenience for counting a service's issues per priority.
pub fn count(priorities: &[Priority], p: Priority) -> usize {
    priorities.iter().filter(|&&x| x == p).count()
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
