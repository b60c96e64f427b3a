//! Worklogs are attached to postmortems: a planted secret in any payload shape or field must not
//! appear in any output file (Markdown, JSON, HTML, assignments) nor on stderr.

mod common;

use common::*;
use serde_json::json;
use std::fs;

/// (secret text to plant, the part that must never appear in an output).
fn secrets() -> Vec<(String, String)> {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLXZhbHVlLXNlY3JldA";
    vec![
        (format!("auth={jwt}"), jwt.to_string()),
        (format!("Authorization: Bearer {jwt}"), "c2lnbmF0dXJlLXZhbHVlLXNlY3JldA".into()),
        ("token ya29.a0AfH6SMBx3kQ9_secretOAuthValue123".into(), "secretOAuthValue123".into()),
        ("key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY".into(), "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY".into()),
        ("aws AKIAIOSFODNN7EXAMPLE used".into(), "AKIAIOSFODNN7EXAMPLE".into()),
        ("gh ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789".into(), "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789".into()),
        ("gl glpat-xYz123AbC456dEf789gH".into(), "glpat-xYz123AbC456dEf789gH".into()),
        ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx".into(), "AbCdEfGhIjKlMnOpQrStUvWx".into()),
        ("db postgresql://app:S3cr3tPassw0rd@10.0.0.3:5432/db".into(), "S3cr3tPassw0rd".into()),
        ("password=hunter2hunter2".into(), "hunter2hunter2".into()),
        ("client_secret: \"cs-very-private-value\"".into(), "cs-very-private-value".into()),
        ("api_key='sk-proj-abcdef1234567890'".into(), "sk-proj-abcdef1234567890".into()),
        ("Cookie: session=abc123sessioncookievalue; theme=dark".into(), "abc123sessioncookievalue".into()),
        ("user jane.doe@example.com failed".into(), "jane.doe@example.com".into()),
        ("card 4111 1111 1111 1111 declined".into(), "4111 1111 1111 1111".into()),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAprivatekeymaterial\n-----END RSA PRIVATE KEY-----".into(),
            "MIIEpAIBAAKCAQEAprivatekeymaterial".into(),
        ),
    ]
}

fn base(id: String, service: &str) -> serde_json::Value {
    json!({
        "insertId": id,
        "timestamp": "2025-09-11T05:00:00.000001Z",
        "severity": "ERROR",
        "logName": "projects/proj/logs/run.googleapis.com%2Fstderr",
        "resource": {"type": "cloud_run_revision", "labels": {"service_name": service, "project_id": "proj"}},
    })
}

/// Every secret in every shape a LogEntry can carry text in.
fn planted_entries() -> Vec<String> {
    let mut out = Vec::new();
    for (i, (secret, _)) in secrets().into_iter().enumerate() {
        let shapes: Vec<(&str, serde_json::Value)> = vec![
            ("textPayload", json!(format!("request failed: {secret}"))),
            ("jsonPayload", json!({"message": format!("login failed for {secret}")})),
            ("jsonPayload", json!({"message": "handler crashed", "error": format!("ValueError: {secret}")})),
            ("jsonPayload", json!({"event": "config_dump", "password": secret, "detail": {"token": secret, "note": secret}})),
            ("protoPayload", json!({"status": {"message": format!("denied: {secret}")}})),
            (
                "textPayload",
                json!(format!(
                    "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in f\nRuntimeError: {secret}"
                )),
            ),
        ];
        for (j, (field, payload)) in shapes.into_iter().enumerate() {
            let mut e = base(format!("s{i}-{j}"), "secret-svc");
            e[field] = payload;
            out.push(e.to_string());
        }
        let mut req = base(format!("s{i}-req"), "secret-svc");
        req["httpRequest"] = json!({"requestMethod": "GET", "status": 503,
            "requestUrl": format!("https://x.run.app/reset/{}?token={}", urlish(&secret), urlish(&secret))});
        out.push(req.to_string());
    }
    out
}

/// Percent-encoded as an HTTP client sends it in a path.
fn urlish(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn no_planted_secret_reaches_any_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("secrets.ndjson"), planted_entries().join("\n")).unwrap();
    let run = run_in(
        dir.path(),
        &["report", "secrets.ndjson", "--format", "md,json,html", "--assignments", "a.csv"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        total(&json, "entries_in_scope"),
        total(&json, "entries_read"),
        "every planted entry is in the report"
    );
    let mut outputs: Vec<(String, String)> = run
        .written()
        .iter()
        .map(|p| (p.display().to_string(), fs::read_to_string(p).unwrap()))
        .collect();
    outputs.push(("a.csv".into(), fs::read_to_string(dir.path().join("a.csv")).unwrap()));
    outputs.push(("stderr".into(), run.stderr.clone()));
    let mut leaks = Vec::new();
    for (_, needle) in secrets() {
        for (name, text) in &outputs {
            if text.contains(&needle) || text.contains(&urlish(&needle)) {
                leaks.push(format!("{needle:?} in {name}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    let md = run.markdown();
    assert!(md.contains("redacted:"), "redactions are shown by kind");
}

#[test]
fn secrets_in_text_logs_and_csv_downloads_are_redacted_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut csv = String::from("timestamp,severity,jsonPayload.message,insertId\n");
    for (i, (secret, _)) in secrets().into_iter().enumerate() {
        text.push_str(&format!(
            "2025-09-11 05:00:0{} ERROR auth: {}\n",
            i % 10,
            secret.replace('\n', " ")
        ));
        csv.push_str(&format!(
            "2025-09-11T05:00:00Z,ERROR,\"{}\",c{i}\n",
            secret.replace('"', "\"\"")
        ));
    }
    fs::write(dir.path().join("app.log"), text).unwrap();
    fs::write(dir.path().join("dl.csv"), csv).unwrap();
    for args in [
        vec![
            "report",
            "app.log",
            "--line-format",
            "<Date> <Time> <Level> <Component>: <Content>",
            "--out",
            "t",
        ],
        vec!["report", "dl.csv", "--out", "c"],
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.status, 0, "{}", run.stderr);
        for path in run.written() {
            let out = fs::read_to_string(&path).unwrap();
            for (_, needle) in secrets() {
                assert!(!out.contains(&needle), "{needle:?} in {}", path.display());
            }
        }
    }
}
