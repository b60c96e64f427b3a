//! Timestamps: RFC 3339 with 0 to 9 fraction digits in, nanoseconds since the epoch plus the
//! number of digits the input had out, so that reports print times at the input's precision.

use chrono::{DateTime, SecondsFormat, Utc};

/// A point in time at the precision it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub nanos: i64,
    /// Fraction digits in the input (0 to 9).
    pub digits: u8,
}

impl Timestamp {
    pub fn parse(text: &str) -> Option<Timestamp> {
        let dt = DateTime::parse_from_rfc3339(text.trim()).ok()?;
        let nanos = dt.timestamp_nanos_opt()?;
        Some(Timestamp { nanos, digits: fraction_digits(text) })
    }

    pub(crate) fn from_nanos(nanos: i64, digits: u8) -> Timestamp {
        Timestamp { nanos, digits }
    }

    /// RFC 3339 in UTC with exactly the input's fraction digits (`Z` suffix).
    pub fn to_rfc3339(self) -> String {
        format_nanos(self.nanos, self.digits)
    }
}

/// Formats nanoseconds since the epoch as RFC 3339 UTC with `digits` fraction digits.
pub fn format_nanos(nanos: i64, digits: u8) -> String {
    let dt = DateTime::<Utc>::from_timestamp_nanos(nanos);
    let base = dt.to_rfc3339_opts(SecondsFormat::Secs, true);
    if digits == 0 {
        return base;
    }
    let frac = nanos.rem_euclid(1_000_000_000);
    let frac = format!("{frac:09}");
    // base ends with 'Z'; put the fraction before it.
    format!("{}.{}Z", &base[..base.len() - 1], &frac[..digits.min(9) as usize])
}

fn fraction_digits(text: &str) -> u8 {
    let Some(dot) = text.find('.') else { return 0 };
    text[dot + 1..].bytes().take_while(|b| b.is_ascii_digit()).count().min(9) as u8
}

/// `30m`, `6h`, `2d`, `90s`, `1w` → nanoseconds.
pub fn parse_span_nanos(text: &str) -> Option<i64> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)?.checked_mul(1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_precision() {
        for text in [
            "2025-09-11T05:17:11Z",
            "2025-09-11T05:17:11.3Z",
            "2025-09-11T05:17:11.373739Z",
            "2025-09-11T05:17:11.373739123Z",
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().to_rfc3339(), text);
        }
        let offset = Timestamp::parse("2025-09-11T07:17:11.5+02:00").unwrap();
        assert_eq!(offset.to_rfc3339(), "2025-09-11T05:17:11.5Z");
        assert!(Timestamp::parse("yesterday").is_none());
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span_nanos("2d"), Some(2 * 86_400 * 1_000_000_000));
        assert_eq!(parse_span_nanos("30m"), Some(30 * 60 * 1_000_000_000));
        assert_eq!(parse_span_nanos("x"), None);
    }
}
