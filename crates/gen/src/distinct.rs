//! High-cardinality dumps: every message distinct even after masking, from three templates whose
//! variable parts are letters only (user names, portal names, file names: nothing a mask catches),
//! as real logs carry text no mask can tell from the words around it. They make the memory of a
//! run follow the number of distinct messages unless it is bounded (log-gardener's message
//! budget), and they give exact ground truth: each template's count.

use super::json::{push_timestamp, Rng};
use std::io::{self, Write};

/// The three templates; `{}` are runs of random lowercase letters.
pub const DISTINCT_TEMPLATES: [&str; 3] = [
    "User {8} failed login from portal {12}",
    "Session {10} for user {8} expired before refresh",
    "Upload of {6} report {10} rejected by quota policy {5}",
];

/// What to write.
#[derive(Debug, Clone)]
pub struct DistinctOptions {
    pub entries: usize,
    pub seed: u64,
    /// The first entry's time (ns since the epoch); entries follow 1 ms apart.
    pub start_nanos: i64,
    /// The severity every entry carries (`WARNING`, `INFO`, ...).
    pub severity: String,
}

/// Writes the dump as NDJSON (a Cloud Storage sink's layout: one Cloud Run stderr entry a line,
/// oldest first) and returns each template's count, in the order of [`DISTINCT_TEMPLATES`].
pub fn generate_distinct(opts: &DistinctOptions, out: &mut dyn Write) -> io::Result<[u64; 3]> {
    let mut rng = Rng::new(opts.seed);
    let mut counts = [0u64; 3];
    let mut line = String::with_capacity(512);
    for i in 0..opts.entries {
        let t = rng.below(3) as usize;
        counts[t] += 1;
        line.clear();
        line.push_str(r#"{"insertId":"d"#);
        line.push_str(&format!("{:016x}", rng.next_u64()));
        line.push_str(r#"","labels":{"instanceId":"00a1"},"logName":"projects/card-lab/logs/run.googleapis.com%2Fstderr","receiveTimestamp":""#);
        let ts = opts.start_nanos + i as i64 * 1_000_000;
        push_timestamp(ts, false, &mut line);
        line.push_str(r#"","resource":{"labels":{"location":"europe-west1","project_id":"card-lab","revision_name":"portal-00007-abc","service_name":"portal"},"type":"cloud_run_revision"},"severity":""#);
        line.push_str(&opts.severity);
        line.push_str(r#"","textPayload":""#);
        fill(DISTINCT_TEMPLATES[t], &mut rng, &mut line);
        line.push_str(r#"","timestamp":""#);
        push_timestamp(ts, false, &mut line);
        line.push_str("\"}\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(counts)
}

/// The template with each `{n}` replaced by n random lowercase letters.
fn fill(template: &str, rng: &mut Rng, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed");
        let n: usize = rest[open + 1..close].parse().expect("a length");
        for _ in 0..n {
            out.push((b'a' + rng.below(26) as u8) as char);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_distinct_and_counted() {
        let opts = DistinctOptions {
            entries: 3000,
            seed: 5,
            start_nanos: 1_757_566_800_000_000_000,
            severity: "WARNING".into(),
        };
        let mut buf = Vec::new();
        let counts = generate_distinct(&opts, &mut buf).unwrap();
        assert_eq!(counts.iter().sum::<u64>(), 3000);
        let lines: Vec<serde_json::Value> = std::str::from_utf8(&buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let messages: std::collections::HashSet<&str> =
            lines.iter().map(|e| e["textPayload"].as_str().unwrap()).collect();
        assert_eq!(messages.len(), 3000, "every message distinct");
        assert!(messages.iter().all(|m| !m.chars().any(|c| c.is_ascii_digit())));
        let users = lines
            .iter()
            .filter(|e| e["textPayload"].as_str().unwrap().starts_with("User "))
            .count();
        assert_eq!(users as u64, counts[0]);
    }
}
