//! Priorities, P0 (most urgent) to P3. The rules that assign them live in the rules file
//! (`config/default_rules.toml` for the defaults), applied by `judge::rules`:
//!
//! | priority | rule |
//! |---|---|
//! | P0 | severity CRITICAL or above |
//! | P0 | ERROR from a code defect: import error, type error (wrong call signature, bad await), attribute or name error, startup failure |
//! | P1 | any other ERROR (unhandled exceptions, 5xx responses, connection failures, timeouts) |
//! | P1 | WARNING at high volume: at least 10 events an hour over the window and 20 in all |
//! | P2 | any other WARNING |
//! | P3 | below WARNING (in scope only when `--min-severity` is lowered) |

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

    pub fn from_name(name: &str) -> Option<Priority> {
        match name.trim().to_ascii_uppercase().as_str() {
            "P0" => Some(Priority::P0),
            "P1" => Some(Priority::P1),
            "P2" => Some(Priority::P2),
            "P3" => Some(Priority::P3),
            _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order() {
        for p in [Priority::P0, Priority::P1, Priority::P2, Priority::P3] {
            assert_eq!(Priority::from_name(p.name()), Some(p));
        }
        assert_eq!(Priority::from_name("p1"), Some(Priority::P1));
        assert_eq!(Priority::from_name("P4"), None);
        assert!(Priority::P0 < Priority::P3);
    }
}
