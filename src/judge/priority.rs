//! Default priority rules. The first rule that matches decides; its name is the reason shown.
//!
//! | priority | rule |
//! |---|---|
//! | P0 | severity CRITICAL or above |
//! | P0 | ERROR from a code defect: import error, type error (wrong call signature, bad await), attribute or name error, startup failure |
//! | P1 | any other ERROR (unhandled exceptions, 5xx responses, connection failures, timeouts) |
//! | P1 | WARNING at high volume: at least 10 events an hour over the window and 20 in all |
//! | P2 | any other WARNING |
//! | P3 | below WARNING (in scope only when `--min-severity` is lowered) |

use super::classify::ErrorClass;
use crate::normalize::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    P0,
    P1,
    P2,
    P3,
}

impl Priority {
    pub fn name(self) -> &'static str {
        match self {
            Priority::P0 => "P0",
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
        }
    }

    pub fn heading(self) -> &'static str {
        match self {
            Priority::P0 => "P0 - Critical",
            Priority::P1 => "P1 - High",
            Priority::P2 => "P2 - Medium",
            Priority::P3 => "P3 - Low",
        }
    }
}

/// The facts a priority is decided on.
pub struct Facts {
    pub severity: Severity,
    pub class: Option<ErrorClass>,
    pub events: u64,
    /// Events per hour over the report window.
    pub rate_per_hour: f64,
}

/// Events an hour from which a warning counts as high volume.
pub const HIGH_VOLUME_PER_HOUR: f64 = 10.0;
/// And the least events in all, so that two warnings in a one-minute window are not "high".
pub const HIGH_VOLUME_MIN_EVENTS: u64 = 20;

/// The default priority and the rule that gave it.
pub fn default_priority(f: &Facts) -> (Priority, String) {
    if f.severity >= Severity::Critical {
        return (Priority::P0, format!("default rule: severity {} or above", f.severity));
    }
    if f.severity == Severity::Error {
        if let Some(class) = f.class.filter(|c| c.is_code_defect()) {
            return (
                Priority::P0,
                format!("default rule: ERROR from a code defect ({})", class.label()),
            );
        }
        return (Priority::P1, "default rule: ERROR".to_string());
    }
    if f.severity == Severity::Warning {
        if f.rate_per_hour >= HIGH_VOLUME_PER_HOUR && f.events >= HIGH_VOLUME_MIN_EVENTS {
            return (
                Priority::P1,
                format!(
                    "default rule: WARNING at high volume ({:.1}/h, at least {HIGH_VOLUME_PER_HOUR}/h)",
                    f.rate_per_hour
                ),
            );
        }
        return (Priority::P2, "default rule: WARNING".to_string());
    }
    (Priority::P3, format!("default rule: severity {} (below WARNING)", f.severity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(severity: Severity, class: Option<ErrorClass>, events: u64, rate: f64) -> Facts {
        Facts { severity, class, events, rate_per_hour: rate }
    }

    #[test]
    fn rules_in_order() {
        assert_eq!(default_priority(&facts(Severity::Critical, None, 1, 0.1)).0, Priority::P0);
        assert_eq!(
            default_priority(&facts(Severity::Error, Some(ErrorClass::ImportError), 1, 0.1)).0,
            Priority::P0
        );
        let (p, why) = default_priority(&facts(Severity::Error, Some(ErrorClass::Timeout), 1, 0.1));
        assert_eq!((p, why.as_str()), (Priority::P1, "default rule: ERROR"));
        assert_eq!(default_priority(&facts(Severity::Warning, None, 100, 50.0)).0, Priority::P1);
        assert_eq!(default_priority(&facts(Severity::Warning, None, 5, 50.0)).0, Priority::P2);
        assert_eq!(default_priority(&facts(Severity::Info, None, 5, 50.0)).0, Priority::P3);
    }
}
