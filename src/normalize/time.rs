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

    /// RFC 3339, else the forms other tools write LogEntry times in: a space for the `T`
    /// (BigQuery and SIEM copies: `2024-02-16 11:48:22.742154000`), ` UTC` for the zone, or no
    /// zone at all. Cloud Logging's times are UTC, so a time without a zone is read as UTC.
    pub fn parse_loose(text: &str) -> Option<Timestamp> {
        Timestamp::parse(text).or_else(|| Timestamp::parse(&as_rfc3339(text.trim())?))
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

/// `2024-02-16 11:48:22.742` / `... UTC` / `2024-02-16T11:48:22` as RFC 3339 in UTC; `None` for
/// text of another shape (which then stays untimed rather than guessed).
fn as_rfc3339(text: &str) -> Option<String> {
    let text = text.strip_suffix("UTC").map_or(text, str::trim_end);
    let bytes = text.as_bytes();
    let date_time = bytes.len() >= 19
        && bytes[..19].is_ascii()
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b' ' | b'T' | b't')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !date_time {
        return None;
    }
    let rest = &text[19..];
    let zoned = rest.ends_with(['Z', 'z']) || rest.contains(['+', '-']);
    let zone = if zoned { "" } else { "Z" };
    Some(format!("{}T{}{zone}", &text[..10], &text[11..]))
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
    fn loose_forms_are_utc() {
        for (text, read) in [
            ("2024-02-16 11:48:22.742154000", "2024-02-16T11:48:22.742154000Z"),
            ("2025-10-14 11:00:03.5 UTC", "2025-10-14T11:00:03.5Z"),
            ("2025-10-14T11:00:05", "2025-10-14T11:00:05Z"),
            ("2025-10-14 13:00:05+02:00", "2025-10-14T11:00:05Z"),
            ("2025-09-11T05:17:11.3Z", "2025-09-11T05:17:11.3Z"),
        ] {
            assert_eq!(Timestamp::parse_loose(text).map(|t| t.to_rfc3339()).as_deref(), Some(read));
        }
        for text in [
            "Oct 14 11:00:05",
            "2025-10-14 11:00:0é",
            "2025-10-14",
            "yesterday",
            "1697281205",
            "2025-10-14 11:00",
        ] {
            assert!(Timestamp::parse_loose(text).is_none(), "{text}");
        }
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span_nanos("2d"), Some(2 * 86_400 * 1_000_000_000));
        assert_eq!(parse_span_nanos("30m"), Some(30 * 60 * 1_000_000_000));
        assert_eq!(parse_span_nanos("x"), None);
    }
}
