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
        if let Some(fast) = parse_utc(text.as_bytes()) {
            return Some(fast);
        }
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

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the shape Cloud Logging writes every time in, read
/// without chrono, whose general RFC 3339 parser was 4% of reading an entry. `None` for anything
/// else (other zones, lower-case letters, leap seconds, more than nine digits, years outside
/// 1900-2200): chrono reads those, to the same result.
fn parse_utc(b: &[u8]) -> Option<Timestamp> {
    if !(20..=30).contains(&b.len()) || [b[4], b[7], b[10], b[13], b[16]] != *b"--T::" {
        return None;
    }
    let number = |from: usize, len: usize| {
        b[from..from + len].iter().try_fold(0i64, |n, &c| {
            let digit = c.wrapping_sub(b'0');
            (digit < 10).then_some(n * 10 + i64::from(digit))
        })
    };
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    let valid = (1900..=2200).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    let (fraction, digits, zone) = match b[19] {
        b'.' => {
            let n = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(1..=9).contains(&n) {
                return None;
            }
            (number(20, n)? * 10i64.pow(9 - n as u32), n as u8, 20 + n)
        }
        _ => (0, 0, 19),
    };
    if b.len() != zone + 1 || b[zone] != b'Z' {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Timestamp { nanos: seconds * 1_000_000_000 + fraction, digits })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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

    fn by_chrono(text: &str) -> Option<Timestamp> {
        let dt = DateTime::parse_from_rfc3339(text.trim()).ok()?;
        Some(Timestamp { nanos: dt.timestamp_nanos_opt()?, digits: fraction_digits(text) })
    }

    proptest::proptest! {
        /// The fast reading of Cloud Logging's shape gives chrono's result wherever it reads a
        /// time, and reads every valid time of that shape.
        #[test]
        fn the_fast_reading_agrees_with_chrono(
            date in (1900i64..=2200, 1i64..=12, 1i64..=31),
            time in (0i64..24, 0i64..60, 0i64..60),
            fraction in proptest::option::of("[0-9]{1,9}"),
        ) {
            let ((y, mo, d), (h, mi, s)) = (date, time);
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}Z");
            let fast = parse_utc(text.as_bytes());
            proptest::prop_assert_eq!(fast.is_some(), d <= days_in_month(y, mo), "{}", text);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, by_chrono(&text), "{}", text);
            }
        }

        /// On other text it gives up (chrono then reads it) rather than read it differently.
        #[test]
        fn the_fast_reading_never_differs_from_chrono(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?([Zz]|[+-][0-9]{2}:[0-9]{2})?") {
            if let Some(fast) = parse_utc(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), by_chrono(&text), "{}", text);
            }
        }
    }

    #[test]
    fn the_fast_reading_leaves_the_unusual_to_chrono() {
        for text in [
            "2024-02-30T00:00:00Z",
            "2025-06-30T23:59:60Z",
            "2025-09-11t05:17:11Z",
            "2025-09-11T05:17:11.1234567891Z",
            "2025-09-11T05:17:11.Z",
            "2025-09-11T05:17:11+00:00",
            "1677-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc(text.as_bytes()), None, "{text}");
        }
        assert_eq!(parse_utc(b"2024-02-29T23:59:59.5Z"), by_chrono("2024-02-29T23:59:59.5Z"));
        assert_eq!(parse_utc(b"1969-12-31T23:59:59Z").map(|t| t.nanos), Some(-1_000_000_000));
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span_nanos("2d"), Some(2 * 86_400 * 1_000_000_000));
        assert_eq!(parse_span_nanos("30m"), Some(30 * 60 * 1_000_000_000));
        assert_eq!(parse_span_nanos("x"), None);
    }
}
