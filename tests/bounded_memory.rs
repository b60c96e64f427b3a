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

/// A dump whose templates change as it goes: at first two workers (`alpha`, `beta`) restart
/// pools, later any worker does. Mined early, the templates name the two workers; mined later,
/// they do not: which templates a message is fitted to shows in the keys it is counted under.
/// Every 40th entry comes again a little further on (a duplicate, with its insertId), and the
/// first ten come again at the end.
fn shifting_dump(dir: &Path, name: &str, entries: usize) {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut word = |len: usize| -> String {
        (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (b'a' + (rng % 26) as u8) as char
            })
            .collect()
    };
    let mut lines = Vec::with_capacity(entries + entries / 40);
    for i in 0..entries {
        let worker = match i {
            i if i < entries / 3 => ["alpha", "beta"][i % 2].to_string(),
            _ => word(6),
        };
        let message =
            format!("Worker {worker} restarted pool {} after {} stalls", word(8), word(3));
        let time =
            format!("2025-09-11T05:{:02}:{:02}.{:03}Z", i / 6000 % 60, i / 100 % 60, i % 100);
        let line = entry(&format!("e{i}"), &time, Some("WARNING"), "pool", &message);
        lines.push(line.clone());
        if i % 40 == 0 && i > 0 {
            lines.insert(lines.len() - 20.min(lines.len()), line);
        }
    }
    let first: Vec<String> = lines[..10].to_vec();
    lines.extend(first);
    std::fs::write(dir.join(name), lines.join("\n") + "\n").unwrap();
}

/// Over the budget, the parsing threads fit each batch's messages to the templates mined for
/// its position, when the collector has read far enough for them to be known; otherwise the
/// collector fits them. The summary (every key and what was counted under it) must be the same
/// either way, whatever the number of threads.
#[test]
fn fitting_messages_on_the_parsing_threads_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    shifting_dump(dir.path(), "d.ndjson", 6_000);
    let summary = |k: usize, threads: &str, collector_fits_all: bool| {
        let out = format!("s{k}.lgs");
        let mut env = vec![("LOG_GARDENER_CHUNK_BYTES", "16384")];
        if collector_fits_all {
            env.push(("LOG_GARDENER_COLLECTOR_FITS_ALL", "1"));
        }
        let args = ["summarize", "d.ndjson", "--out", &out, "--threads", threads];
        let run =
            run_with_env(dir.path(), &[&args[..], &["--message-budget", "150"]].concat(), &env);
        assert_eq!(run.status, 0, "{}", run.stderr);
        std::fs::read(dir.path().join(&out)).unwrap()
    };
    let by_collector = summary(0, "2", true);
    for (k, threads) in [(1, "1"), (2, "2"), (3, "3")] {
        assert!(summary(k, threads, false) == by_collector, "{threads} threads");
    }
    let report = run_with_env(
        dir.path(),
        &["report", "d.ndjson", "--out", "r", "--message-budget", "150"],
        &[("LOG_GARDENER_CHUNK_BYTES", "16384")],
    );
    assert!(total(&report.json(), "duplicates") > 0, "the dump has duplicates");
}
