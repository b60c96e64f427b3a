//! The message budget: a run over more distinct messages than it keeps mines what it has into
//! templates and counts later messages under them. On a dump where every message is distinct
//! (three templates with letters-only variables), the report must be the same with a budget far
//! below the number of messages as without one, and the same for any number of threads and any
//! chunk size.

mod common;
use common::*;
use log_gardener_gen::{generate_distinct, DistinctOptions, DISTINCT_TEMPLATES};
use std::path::Path;

/// Writes a high-cardinality dump; returns each template's count.
fn distinct_dump(dir: &Path, name: &str, entries: usize) -> [u64; 3] {
    let opts = DistinctOptions {
        entries,
        seed: 11,
        start_nanos: 1_757_566_800_000_000_000,
        severity: "WARNING".into(),
    };
    let mut file = std::fs::File::create(dir.join(name)).unwrap();
    generate_distinct(&opts, &mut file).unwrap()
}

/// (id, title, count, first seen, last seen, examples) of every issue.
fn issue_facts(json: &serde_json::Value) -> Vec<serde_json::Value> {
    issues(json)
        .iter()
        .map(|i| {
            serde_json::json!([
                i["id"],
                i["title"],
                i["count"],
                i["first_seen"],
                i["last_seen"],
                i["examples"]
            ])
        })
        .collect()
}

#[test]
fn a_budget_far_below_the_distinct_messages_finds_the_same_issues() {
    let dir = tempfile::tempdir().unwrap();
    let counts = distinct_dump(dir.path(), "d.ndjson", 12_000);
    let unbounded = run_in(dir.path(), &["report", "d.ndjson", "--out", "u"]);
    let bounded =
        run_in(dir.path(), &["report", "d.ndjson", "--out", "b", "--message-budget", "300"]);
    assert_eq!(bounded.status, 0, "{}", bounded.stderr);
    let (u, b) = (unbounded.json(), bounded.json());
    assert_eq!(issues(&b).len(), 3, "three templates, three issues");
    let mut found: Vec<(String, u64)> = issues(&b)
        .iter()
        .map(|i| (i["template"].as_str().unwrap().to_string(), i["count"].as_u64().unwrap()))
        .collect();
    found.sort();
    let mut planted: Vec<(String, u64)> = DISTINCT_TEMPLATES
        .iter()
        .zip(counts)
        .map(|(t, n)| {
            (
                t.split(' ')
                    .map(|w| if w.starts_with('{') { "<*>" } else { w })
                    .collect::<Vec<_>>()
                    .join(" "),
                n,
            )
        })
        .collect();
    planted.sort();
    assert_eq!(found, planted, "each template found once, with its exact count");
    assert_eq!(issue_facts(&u), issue_facts(&b), "the budget changes nothing here");
    assert_books_balance(&b);
}

#[test]
fn over_the_budget_the_report_does_not_depend_on_threads_or_chunks() {
    let dir = tempfile::tempdir().unwrap();
    distinct_dump(dir.path(), "d.ndjson", 8_000);
    let runs: Vec<String> = [("1", "65536"), ("2", "65536"), ("2", "1048576"), ("3", "300000")]
        .iter()
        .enumerate()
        .map(|(k, (threads, chunk))| {
            let out = format!("o{k}");
            let run = run_with_env(
                dir.path(),
                &[
                    "report",
                    "d.ndjson",
                    "--out",
                    &out,
                    "--threads",
                    threads,
                    "--message-budget",
                    "200",
                ],
                &[("LOG_GARDENER_CHUNK_BYTES", chunk), ("SOURCE_DATE_EPOCH", "1700000000")],
            );
            assert_eq!(run.status, 0, "{}", run.stderr);
            std::fs::read_to_string(run.file_with_ext("json")).unwrap()
        })
        .collect();
    for r in &runs[1..] {
        assert_eq!(r, &runs[0]);
    }
}
