//! The redaction corpus (`tests/fixtures/messages/redaction-corpus.ndjson`, described in that
//! folder's README, section 10): Cloud Run entries with one planted secret or personal datum each,
//! and entries whose words look sensitive but are not. The real binary must keep every planted
//! value out of every file it writes and out of stderr, and must leave the negative cases' words
//! as they are. The rules-file switch `[redaction] keep_ip_addresses = true` keeps addresses.

mod common;

use common::*;
use std::fs;
use std::path::Path;

const CORPUS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/messages/redaction-corpus.ndjson");

/// Planted values, entry by entry (for long ones, a part that must not survive).
const PLANTED: &[(&str, &str)] = &[
    ("1 google oauth client secret", "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"),
    ("2 twilio api key", "SKbe2192d302d6ba94a433b39b02c99869"),
    ("3 twilio auth token", "d3eaae3e8f39c2f6ec298962f34f0114"),
    ("4 aws access key id", "AKIAMYWXIDD43MI62U7Y"),
    ("4 aws secret access key", "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"),
    ("5 phone e.164", "+12025550142"),
    ("5 phone e.164 digits", "2025550142"),
    ("6 phone us", "555-0187"),
    ("7 phone e.164 spaced", "7700 900461"),
    ("8 ipv4 remoteIp", "203.0.113.57"),
    ("9 ipv4 in brackets", "10.11.1.12"),
    ("10 ipv6 remoteIp", "2001:db8:85a3::8a2e:370:7334"),
    ("11 jwt signature", "s5Vyi0UO3_h9AFQjB85uD9685WemjoNHLsEVH3kTKVV"),
    ("11 jwt payload", "eyJzdWIiOiJ1c3JfNDQ3MSIsInJvbGUiOiJjdXN0b21lciIsImV4cCI6MTc2MDQzNjgwMH0"),
    ("12 bearer", "QYuzwvgVHACh0q7KPwliuFRQN3Mi"),
    ("13 github pat", "ghp_BjmbFOYWx5wYx0cO9BRh20SSuYrpcF0hzZO6"),
    ("14 slack bot token", "JTMPU4q3VHU8VZcSaoPRIigF"),
    ("15 stripe live key", "sk_live_4xunsrptGPMqhTsawuQvEZUcVYsUzupHD4"),
    ("16 google api key", "AIza2a_zQMUHENkG1mikC1OH9Eq5DH0sLVNJYow"),
    ("17 private key body", "LgpP53Y4TqL8Htkpu"),
    ("17 private key body end", "ua9lyXo3jC++BvPnIC3ng0kLpYW1zZB+"),
    ("18 password in url", "Zq7vR2mK9pLx"),
    ("19 email", "jane.doe@example.com"),
    ("20 card", "4111 1111 1111 1111"),
];

/// Negative cases: words that must reach the report unchanged.
const KEPT: &[&str] = &[
    "Use --cookies-from-browser or --cookies for the authentication.",
    "token bucket refilled, 120 tokens available for tenant acme",
    "password reset email sent to user 4471",
    "sync client v1.2.3.4 connected, protocol 7",
    "job finished at 2025-10-14T09:15:03.119204Z after 00:02:11 (started 2025-10-14 09:12:52,004)",
    "trace 6c1f0e9a4b2d4e7f8a9b0c1d2e3f4a5b span 00f067aa0ba902b7 took 2.81s",
    "@sha256:9f2c4e1a7b3d5f608192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8 rolled back",
    "order ORD-2025-10-14-4471 references unknown SKU-2372-D (qty 3)",
    "config: loaded secret stripe-webhook-key (version 7) from Secret Manager",
    "flags: parsed 14 key=value pairs from FEATURE_FLAGS",
    "maintenance: instance_id 4471928374650192837 scheduled for live migration",
    "auth: 12 sessions refreshed for tenant acme",
];

/// Runs a full report (every format, assignments) on the corpus in `dir`; returns every output
/// as (name, text), stderr included.
fn report(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    fs::copy(CORPUS, dir.join("corpus.ndjson")).unwrap();
    let mut args = vec!["report", "corpus.ndjson", "--format", "md,json,html"];
    args.extend_from_slice(&["--assignments", "a.csv", "--min-severity", "DEFAULT"]);
    args.extend_from_slice(extra);
    let run = run_in(dir, &args);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "entries_read"), 32);
    assert_eq!(total(&json, "entries_in_scope"), 32, "every corpus entry is in the report");
    let mut outputs: Vec<(String, String)> = run
        .written()
        .iter()
        .map(|p| (p.display().to_string(), fs::read_to_string(p).unwrap()))
        .collect();
    outputs.push(("a.csv".into(), fs::read_to_string(dir.join("a.csv")).unwrap()));
    outputs.push(("stderr".into(), run.stderr.clone()));
    outputs
}

/// Every string in the JSON report, one per line: the text a reader sees, unescaped.
fn json_strings(outputs: &[(String, String)]) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let (_, text) = outputs.iter().find(|(n, _)| n.ends_with(".json")).expect("a JSON report");
    let mut out = String::new();
    walk(&serde_json::from_str(text).unwrap(), &mut out);
    out
}

#[test]
fn no_planted_value_reaches_any_output_and_negative_cases_keep_their_words() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = report(dir.path(), &[]);
    let mut problems = Vec::new();
    for (what, value) in PLANTED {
        for (name, text) in &outputs {
            if text.contains(value) {
                problems.push(format!("leak: entry {what} ({value:?}) in {name}"));
            }
        }
    }
    let strings = json_strings(&outputs);
    for kept in KEPT {
        if !strings.contains(kept) {
            problems.push(format!("changed: {kept:?} is not in the JSON report"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for kind in ["ip", "phone", "aws_secret_key", "twilio", "google_client_secret"] {
        assert!(strings.contains(&format!("<redacted:{kind}>")), "no <redacted:{kind}>");
    }
}

#[test]
fn the_rules_file_can_keep_ip_addresses() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.toml"), "[redaction]\nkeep_ip_addresses = true\n").unwrap();
    let outputs = report(dir.path(), &["--config", "keep.toml"]);
    let strings = json_strings(&outputs);
    assert!(strings.contains("db pool: connection to [10.11.1.12]:3306 reset by peer"));
    assert!(!strings.contains("<redacted:ip>"));
    // Everything else is still redacted.
    assert!(!strings.contains("+12025550142") && !strings.contains("GOCSPX-"));

    fs::write(dir.path().join("typo.toml"), "[redaction]\nkeep_ips = true\n").unwrap();
    let run = run_in(dir.path(), &["report", "corpus.ndjson", "--config", "typo.toml"]);
    assert_ne!(run.status, 0);
    assert!(run.stderr.contains("typo.toml") && run.stderr.contains("keep_ips"), "{}", run.stderr);
}
