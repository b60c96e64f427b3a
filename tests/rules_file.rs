//! The user's rules file changes priorities, impact, owners, links and ignores; a wrong one is
//! refused with its file and line.

mod common;

use common::*;
use std::fs;

fn dump(dir: &std::path::Path) {
    let lines = [
        entry(
            "r1",
            "2025-09-11T05:00:00Z",
            Some("WARNING"),
            "netra-backend-staging",
            "request_id 'defensive_auth_1a2b3c' has invalid format",
        ),
        entry(
            "r2",
            "2025-09-11T05:00:01Z",
            Some("WARNING"),
            "netra-backend-staging",
            "request_id 'defensive_auth_9f8e7d' has invalid format",
        ),
        entry(
            "r3",
            "2025-09-11T05:00:02Z",
            Some("ERROR"),
            "netra-backend-staging",
            "Agent handler setup failed: No module named 'netra_backend.app.agents.bridge'",
        ),
        entry(
            "r4",
            "2025-09-11T05:00:03Z",
            Some("WARNING"),
            "netra-backend-staging",
            "Session refresh took 812ms",
        ),
    ];
    fs::write(dir.join("d.json"), lines.join("\n")).unwrap();
}

fn issue<'j>(json: &'j serde_json::Value, template_part: &str) -> &'j serde_json::Value {
    issues(json).iter().find(|i| i["template"].as_str().unwrap().contains(template_part)).unwrap()
}

#[test]
fn defaults_without_a_rules_file() {
    let dir = tempfile::tempdir().unwrap();
    dump(dir.path());
    let json = run_in(dir.path(), &["report", "d.json"]).json();
    let import = issue(&json, "No module named");
    assert_eq!(import["priority"], "P0");
    assert_eq!(import["priority_reason"], "ERROR from a code defect (default rules)");
    assert!(import["impact"].is_null() && import["link"].is_null(), "nothing invented");
    assert!(!import["what_to_check"].as_array().unwrap().is_empty());
    assert_eq!(issue(&json, "request_id")["priority"], "P2");
}

#[test]
fn a_rules_file_in_the_current_folder_sets_priority_impact_owner_link_and_ignores() {
    let dir = tempfile::tempdir().unwrap();
    dump(dir.path());
    fs::write(
        dir.path().join("gardener.toml"),
        r##"
[[rule]]
name = "id format debt"
match = { template = "^request_id .* has invalid format" }
priority = "P1"
impact = "Authentication request tracking is unreliable"
owner = "@team-auth"
link = "#89"

[[rule]]
match = { text = "(?i)session refresh" }
ignore = true

[[rule]]
match = { error_class = "import_error" }
severity = "CRITICAL"
link = "https://github.com/netra-systems/netra-apex/issues/290"

[playbook]
import_error = ["Run `make check-imports` before deploying."]
"##,
    )
    .unwrap();
    let run = run_in(dir.path(), &["report", "d.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    let ids = issue(&json, "request_id");
    assert_eq!(ids["priority"], "P1");
    assert_eq!(ids["priority_reason"], "id format debt (gardener.toml:5)");
    assert_eq!(ids["impact"], "Authentication request tracking is unreliable");
    assert_eq!(ids["owner"], "@team-auth");
    assert_eq!(ids["link"], "#89");
    let import = issue(&json, "No module named");
    assert_eq!(import["severity"], "CRITICAL");
    assert_eq!(import["priority"], "P0");
    assert_eq!(import["priority_reason"], "severity CRITICAL or above (default rules)");
    assert_eq!(import["what_to_check"][0], "Run `make check-imports` before deploying.");
    assert!(issues(&json).iter().all(|i| !i["template"].as_str().unwrap().contains("Session")));
    assert_eq!(total(&json, "ignored_by_rule"), 1);
    assert_books_balance(&json);
    let md = run.markdown();
    assert!(md.contains("**Business Impact:** Authentication request tracking is unreliable"));
    assert!(md.contains("**Tracker:** \\#89"));
    assert!(md.contains("### Ignored by Rules"));
}

/// `report d.json` in `dir` with a rules file that adds a secret pattern (`itk_` tokens).
fn report_with_token_rule(dir: &std::path::Path) -> Run {
    fs::write(
        dir.join("rules.toml"),
        "[[redact]]\nkind = \"internal_token\"\npattern = \"itk_[A-Za-z0-9]{32}\"\n",
    )
    .unwrap();
    let run = run_in(dir, &["report", "d.json", "--config", "rules.toml"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run
}

#[test]
fn extra_secret_patterns_from_the_rules_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = entry(
        "x1",
        "2025-09-11T05:00:00Z",
        Some("ERROR"),
        "svc",
        "login failed with internal token itk_ABCDEFGHIJKLMNOPQRSTUVWXYZ123456",
    );
    fs::write(dir.path().join("d.json"), line).unwrap();
    let run = report_with_token_rule(dir.path());
    let md = run.markdown();
    assert!(!md.contains("itk_ABCDEFGH"));
    assert!(md.contains("redacted:internal_token"), "{md}");
}

/// A LogEntry split for size (`split`) whose cut falls inside the user's own secret: each part
/// alone does not match the pattern, the joined message does, and the report shows neither half.
#[test]
fn extra_secret_patterns_apply_to_a_split_entry_joined() {
    let dir = tempfile::tempdir().unwrap();
    let part = |n: usize, text: &str| {
        format!(
            r#"{{"resource": {{"type": "cloud_run_revision", "labels": {{"service_name": "svc", "revision_name": "svc-00001-abc"}}}}, "logName": "projects/p/logs/run.googleapis.com%2Fstderr", "severity": "ERROR", "textPayload": "{text}", "timestamp": "2025-09-11T05:00:00.00000{n}Z", "insertId": "s{n}", "split": {{"uid": "u-1", "index": {n}, "totalSplits": 2}}}}"#
        )
    };
    let lines = [
        part(0, "login failed with internal token itk_ABCDEFGHIJKLMNOP"),
        part(1, "QRSTUVWXYZ123456 for user 42"),
    ];
    fs::write(dir.path().join("d.json"), lines.join("\n")).unwrap();
    let run = report_with_token_rule(dir.path());
    let md = run.markdown();
    assert!(md.contains("redacted:internal_token"), "{md}");
    for half in ["ABCDEFGHIJKLMNOP", "QRSTUVWXYZ123456"] {
        assert!(!md.contains(half), "{half} in {md}");
    }
}

#[test]
fn a_wrong_rules_file_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    dump(dir.path());
    let cases = [
        (
            "[[rule]]\nmatch = { template = \"x\" }\npriority = \"urgent\"\n",
            "bad.toml:3: `priority` must be P0, P1, P2 or P3",
        ),
        (
            "\n[[rule]]\nmatch = { service = \"[unclosed\" }\npriority = \"P1\"\n",
            "bad.toml:3: `match.service` is not a valid regular expression",
        ),
        ("[[rule]]\npriorty = \"P1\"\n", "line 2"),
        ("[[redact]]\nkind = \"k\"\npattern = \"(\"\n", "bad.toml:3: `pattern`"),
    ];
    for (text, expected) in cases {
        fs::write(dir.path().join("bad.toml"), text).unwrap();
        let run = run_in(dir.path(), &["report", "d.json", "--config", "bad.toml"]);
        assert_eq!(run.status, 2, "{text}");
        assert!(run.stderr.contains(expected), "expected {expected:?} in {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let run = run_in(dir.path(), &["report", "d.json", "--config", "missing.toml"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("missing.toml"));
}

#[test]
fn the_default_rules_are_printed_and_valid_as_a_user_file() {
    let dir = tempfile::tempdir().unwrap();
    dump(dir.path());
    let printed = run_in(dir.path(), &["rules"]);
    assert_eq!(printed.status, 0);
    assert!(printed.stdout.contains("[[rule]]") && printed.stdout.contains("[playbook]"));
    fs::write(dir.path().join("gardener.toml"), &printed.stdout).unwrap();
    let run = run_in(dir.path(), &["report", "d.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // The rule is named by its line in the user's copy: the `priority` line of that rule.
    let lines: Vec<&str> = printed.stdout.lines().collect();
    let name_at =
        lines.iter().position(|l| l.contains("name = \"ERROR from a code defect\"")).unwrap();
    let priority_line =
        name_at + lines[name_at..].iter().position(|l| l.starts_with("priority")).unwrap() + 1;
    assert_eq!(
        issue(&run.json(), "No module named")["priority_reason"],
        format!("ERROR from a code defect (gardener.toml:{priority_line})")
    );
}
