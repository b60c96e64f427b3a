//! Cloud Logging's severity scale, and parsing it from names, numbers and the usual spellings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Cloud Logging's severities in their order; the discriminant is the LogSeverity number / 100.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    #[default]
    Default = 0,
    Debug = 1,
    Info = 2,
    Notice = 3,
    Warning = 4,
    Error = 5,
    Critical = 6,
    Alert = 7,
    Emergency = 8,
}

impl Severity {
    pub const ALL: [Severity; 9] = [
        Severity::Default,
        Severity::Debug,
        Severity::Info,
        Severity::Notice,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
        Severity::Alert,
        Severity::Emergency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Default => "DEFAULT",
            Severity::Debug => "DEBUG",
            Severity::Info => "INFO",
            Severity::Notice => "NOTICE",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
            Severity::Critical => "CRITICAL",
            Severity::Alert => "ALERT",
            Severity::Emergency => "EMERGENCY",
        }
    }

    pub fn from_index(i: u8) -> Severity {
        Severity::ALL[(i as usize).min(8)]
    }

    /// Cloud Logging's numeric LogSeverity (0, 100, ... 800); values between steps round down,
    /// as Cloud Logging itself compares them.
    pub fn from_number(n: i64) -> Severity {
        Severity::from_index((n.clamp(0, 800) / 100) as u8)
    }

    /// A severity name in any of the spellings loggers use (`warn`, `E`, `SEVERE`, `fatal`,
    /// `[error]`, `Err`, ...). Returns `None` for anything else, so callers can tell "no
    /// severity" from "DEFAULT".
    pub fn parse_loose(text: &str) -> Option<Severity> {
        let t = text.trim().trim_matches(|c| c == '[' || c == ']' || c == '<' || c == '>');
        if t.is_empty() || t.len() > 12 {
            return None;
        }
        if let Ok(n) = t.parse::<i64>() {
            return Some(Severity::from_number(n));
        }
        // Upper-cased on the stack: this runs for words of many lines.
        let mut buf = [0u8; 12];
        buf[..t.len()].copy_from_slice(t.as_bytes());
        buf[..t.len()].make_ascii_uppercase();
        let upper = std::str::from_utf8(&buf[..t.len()]).ok()?;
        Some(match upper {
            "DEFAULT" => Severity::Default,
            "TRACE" | "FINEST" | "FINER" | "FINE" | "DEBUG" | "DBG" | "D" | "T" | "VERBOSE"
            | "V" => Severity::Debug,
            "INFO" | "INFORMATION" | "INFORMATIONAL" | "I" | "CONFIG" => Severity::Info,
            "NOTICE" | "N" => Severity::Notice,
            "WARNING" | "WARN" | "W" => Severity::Warning,
            "ERROR" | "ERR" | "E" | "SEVERE" | "FAILURE" => Severity::Error,
            "CRITICAL" | "CRIT" | "C" | "FATAL" | "F" | "PANIC" => Severity::Critical,
            "ALERT" | "A" => Severity::Alert,
            "EMERGENCY" | "EMERG" => Severity::Emergency,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::parse_loose(s).ok_or_else(|| {
            format!(
                "unknown severity '{s}': expected one of DEFAULT, DEBUG, INFO, NOTICE, WARNING, \
                 ERROR, CRITICAL, ALERT, EMERGENCY"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_spellings() {
        assert_eq!(Severity::parse_loose("WARNING"), Some(Severity::Warning));
        assert_eq!(Severity::parse_loose("warn"), Some(Severity::Warning));
        assert_eq!(Severity::parse_loose("[error]"), Some(Severity::Error));
        assert_eq!(Severity::parse_loose("SEVERE"), Some(Severity::Error));
        assert_eq!(Severity::parse_loose("FATAL"), Some(Severity::Critical));
        assert_eq!(Severity::parse_loose("E"), Some(Severity::Error));
        assert_eq!(Severity::parse_loose("500"), Some(Severity::Error));
        assert_eq!(Severity::parse_loose("450"), Some(Severity::Warning));
        assert_eq!(Severity::parse_loose("connection"), None);
        assert_eq!(Severity::from_number(800), Severity::Emergency);
        assert!(Severity::Default < Severity::Debug && Severity::Alert < Severity::Emergency);
    }
}
