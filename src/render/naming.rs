//! Report file names, predictable from what the run covered: `<scope>-<window start>`, so that
//! a folder of weekly reports sorts by date within each scope, and runs of different scopes
//! never share a name.
//!
//! | part | what |
//! |---|---|
//! | name | the one project, else the one service, else `log-gardener` |
//! | services | with `--service`: the services asked for (`a+b`; more than two: `N-services-HASH`) |
//! | severity | with a `--min-severity` other than WARNING: `min-info`, `min-error`, ... |
//! | start | the window's start in UTC, `YYYYMMDDTHHMMZ`: `--since` to the minute when given as a time; otherwise (the first entry, or a span back from the newest) floored to the hour, since an export's first entry falls a little after the hour it was asked from |
//!
//! `--name` replaces the whole stem.

use crate::judge::verdict::Verdict;
use crate::normalize::time::{format_nanos, Timestamp};
use crate::normalize::Severity;

const MINUTE: i64 = 60_000_000_000;
const HOUR: i64 = 60 * MINUTE;

/// The stem of the report files (see the module doc). `services` are those in the window.
pub(crate) fn stem(v: &Verdict, services: &[String]) -> String {
    let name = match (v.projects.as_slice(), services) {
        ([p], _) => p.clone(),
        (_, [s]) => s.clone(),
        _ => "log-gardener".to_string(),
    };
    let mut parts = vec![safe(&name)];
    let mut asked = v.asked.services.clone();
    asked.sort();
    asked.dedup();
    if !asked.is_empty() && asked != [name] {
        parts.push(services_part(&asked));
    }
    let min = v.asked.filters.min_severity;
    if min != Severity::Warning {
        parts.push(format!("min-{}", min.name().to_ascii_lowercase()));
    }
    let exact = v.asked.filters.since.as_deref().and_then(Timestamp::parse).is_some();
    parts.push(start_part(v.window.map(|w| w.0), if exact { MINUTE } else { HOUR }));
    parts.join("-")
}

/// The services asked for: by name up to two, else how many and a short hash of their names.
fn services_part(services: &[String]) -> String {
    if services.len() <= 2 {
        return services.iter().map(|s| safe(s)).collect::<Vec<_>>().join("+");
    }
    let hash = xxhash_rust::xxh3::xxh3_64(services.join("\n").as_bytes());
    format!("{}-services-{:06x}", services.len(), hash >> 40)
}

/// `YYYYMMDDTHHMMZ` of `start` floored to `unit`, or `undated`.
fn start_part(start: Option<i64>, unit: i64) -> String {
    match start {
        Some(t) => {
            let s = format_nanos(t.div_euclid(unit) * unit, 0); // 2025-09-11T05:00:00Z
            format!("{}{}{}T{}{}Z", &s[0..4], &s[5..7], &s[8..10], &s[11..13], &s[14..16])
        }
        None => "undated".to_string(),
    }
}

/// A name safe in a file name on every system.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let t = Timestamp::parse("2025-09-11T05:17:11.5Z").unwrap().nanos;
        assert_eq!(start_part(Some(t), MINUTE), "20250911T0517Z");
        assert_eq!(start_part(Some(t), HOUR), "20250911T0500Z");
        assert_eq!(start_part(None, HOUR), "undated");
        assert_eq!(safe("x/y z"), "x_y_z");
        assert_eq!(services_part(&["a".into(), "b".into()]), "a+b");
        let many = services_part(&["a".into(), "b".into(), "c".into()]);
        assert!(many.starts_with("3-services-") && many.len() == 17, "{many}");
        assert_ne!(many, services_part(&["a".into(), "b".into(), "d".into()]));
    }
}
