//! Weekly runs chained with `--baseline`: issues start, stop, grow, shrink and come back, and
//! each run gives each issue the right status.

mod common;

use common::*;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// `count` ERROR entries of `message` spread over the two hours from `day` 05:00.
fn burst(day: &str, prefix: &str, message: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let secs = i * 7200 / count.max(1);
            let ts = format!(
                "{day}T{:02}:{:02}:{:02}.{:06}Z",
                5 + secs / 3600,
                secs / 60 % 60,
                secs % 60,
                i
            );
            entry(
                &format!("{prefix}-{i}"),
                &ts,
                Some("ERROR"),
                "api",
                &format!("{message} (request {i})"),
            )
        })
        .collect()
}

fn week(dir: &Path, name: &str, day: &str, issues: &[(&str, usize)]) -> String {
    let mut lines = Vec::new();
    for (message, count) in issues {
        lines.extend(burst(day, &format!("{name}-{}", message.len()), message, *count));
    }
    // A heartbeat so every window spans the same two hours.
    lines.push(entry(
        &format!("{name}-hb0"),
        &format!("{day}T05:00:00Z"),
        Some("INFO"),
        "api",
        "heartbeat",
    ));
    lines.push(entry(
        &format!("{name}-hb1"),
        &format!("{day}T07:00:00Z"),
        Some("INFO"),
        "api",
        "heartbeat",
    ));
    let file = format!("{name}.json");
    fs::write(dir.join(&file), lines.join("\n")).unwrap();
    file
}

fn statuses(json: &serde_json::Value) -> HashMap<String, String> {
    issues(json)
        .iter()
        .map(|i| {
            let t = i["template"].as_str().unwrap();
            let name = t.split_whitespace().next().unwrap().to_string();
            (name, i["status"].as_str().unwrap_or("none").to_string())
        })
        .collect()
}

#[test]
fn chained_weekly_runs_give_each_issue_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Week 0: "Comeback" occurs, then disappears in week 1 and returns in week 2.
    let w0 = week(d, "w0", "2025-09-04", &[("Comeback failure", 4), ("Steady failure", 10)]);
    let w1 = week(
        d,
        "w1",
        "2025-09-11",
        &[
            ("Steady failure", 10),
            ("Growing failure", 6),
            ("Shrinking failure", 20),
            ("Vanishing failure", 5),
        ],
    );
    let w2 = week(
        d,
        "w2",
        "2025-09-18",
        &[
            ("Steady failure", 11),
            ("Growing failure", 30),
            ("Shrinking failure", 4),
            ("Comeback failure", 3),
            ("Fresh failure", 2),
        ],
    );
    let r0 = run_in(d, &["report", &w0, "--out", "r0"]);
    assert_eq!(r0.status, 0, "{}", r0.stderr);
    let s0 = statuses(&r0.json());
    assert_eq!(s0["Steady"], "none", "no baseline, no status claimed");

    let base0 = r0.file_with_ext("json");
    let r1 = run_in(d, &["report", &w1, "--out", "r1", "--baseline", base0.to_str().unwrap()]);
    assert_eq!(r1.status, 0, "{}", r1.stderr);
    let j1 = r1.json();
    let s1 = statuses(&j1);
    assert_eq!(s1["Steady"], "ONGOING");
    assert_eq!(s1["Growing"], "NEW");
    assert_eq!(
        j1["changes"]["resolved"][0]["title"].as_str().unwrap().split_whitespace().next(),
        Some("Comeback")
    );

    let base1 = r1.file_with_ext("json");
    let r2 = run_in(d, &["report", &w2, "--out", "r2", "--baseline", base1.to_str().unwrap()]);
    assert_eq!(r2.status, 0, "{}", r2.stderr);
    let j2 = r2.json();
    let s2 = statuses(&j2);
    assert_eq!(s2["Steady"], "ONGOING");
    assert_eq!(s2["Growing"], "ESCALATING");
    assert_eq!(s2["Shrinking"], "DECLINING");
    assert_eq!(s2["Comeback"], "REGRESSED", "seen in week 0, absent in week 1, back now");
    assert_eq!(s2["Fresh"], "NEW");
    let resolved: Vec<&str> = j2["changes"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().split_whitespace().next().unwrap())
        .collect();
    assert_eq!(resolved, ["Vanishing"]);
    assert_eq!(j2["changes"]["new"], 1);
    assert_eq!(j2["changes"]["escalating"], 1);

    // The ledger remembers all six issues, and the report opens with the changes.
    assert_eq!(j2["history"].as_array().unwrap().len(), 6);
    let md = r2.markdown();
    let changes = md.find("## Changes since last report").expect("changes section");
    assert!(changes < md.find("## Discovered Issues Summary").unwrap());
    assert!(md.contains("## Resolved since last report"));
    assert!(md.contains("**REGRESSED** Issue"));
}

#[test]
fn a_baseline_that_is_not_a_report_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = week(dir.path(), "w", "2025-09-11", &[("Steady failure", 3)]);
    fs::write(dir.path().join("notes.json"), "{\"hello\": 1}").unwrap();
    let run = run_in(dir.path(), &["report", &w, "--baseline", "notes.json"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("--baseline notes.json: not a log-gardener JSON report"),
        "{}",
        run.stderr
    );
}
