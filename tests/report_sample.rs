//! The user's first minutes: the bundled sample and generated dumps through the real binary,
//! checked against the generator's ground truth (planted issues, exact counts, first-seen times).

mod common;

use common::*;
use log_gardener_gen::{generate, DumpFormat, GenerateOptions, GroundTruth};
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn write_dump(
    dir: &Path,
    name: &str,
    entries: usize,
    seed: u64,
    format: DumpFormat,
) -> GroundTruth {
    let opts = GenerateOptions { entries, seed, format, ..GenerateOptions::default() };
    let mut file = std::fs::File::create(dir.join(name)).unwrap();
    generate(&opts, &mut file).unwrap()
}

fn read_assignments(path: &Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(r.headers().unwrap(), vec!["entry", "issue"]);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string())
        })
        .collect()
}

/// Every planted issue is found once, with its exact event count, first-seen time and severity,
/// and no two planted issues share an issue.
fn check_against_truth(truth: &GroundTruth, run: &Run, assignments: &[(String, String)]) {
    let json = run.json();
    let by_entry: HashMap<&str, &str> =
        assignments.iter().map(|(e, i)| (e.as_str(), i.as_str())).collect();
    let issues: HashMap<&str, &serde_json::Value> =
        issues(&json).iter().map(|i| (i["id"].as_str().unwrap(), i)).collect();
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for planted in &truth.issues {
        let ids: HashSet<&str> = truth
            .entries
            .iter()
            .filter(|(_, k)| k == &planted.key)
            .map(|(e, _)| {
                *by_entry
                    .get(e.as_str())
                    .unwrap_or_else(|| panic!("entry {e} of {} not in scope", planted.key))
            })
            .collect();
        assert_eq!(ids.len(), 1, "planted issue {} was split into {ids:?}", planted.key);
        let id = ids.into_iter().next().unwrap();
        if let Some(other) = claimed.insert(id, &planted.key) {
            panic!("planted issues {other} and {} were merged into {id}", planted.key);
        }
        let issue = issues[id];
        assert_eq!(issue["count"].as_u64().unwrap(), planted.events, "events of {}", planted.key);
        assert_eq!(
            issue["entries"].as_u64().unwrap(),
            planted.entries,
            "entries of {}",
            planted.key
        );
        assert_eq!(
            issue["first_seen"].as_str().unwrap(),
            planted.first_seen,
            "first seen of {}",
            planted.key
        );
        assert_eq!(
            issue["severity"].as_str().unwrap(),
            planted.severity,
            "severity of {}",
            planted.key
        );
        assert_eq!(
            issue["services"][0].as_str().unwrap(),
            planted.service,
            "service of {}",
            planted.key
        );
    }
    // Noise is below WARNING, so planted issues are all the issues there are.
    assert_eq!(issues.len(), truth.issues.len(), "issues beyond the planted ones");
}

#[test]
fn generated_gcloud_array_matches_the_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write_dump(dir.path(), "dump.json", 1500, 7, DumpFormat::JsonArray);
    let run = run_in(dir.path(), &["report", "dump.json", "--assignments", "assign.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let assignments = read_assignments(&dir.path().join("assign.csv"));
    check_against_truth(&truth, &run, &assignments);
    let json = run.json();
    assert_books_balance(&json);
    assert_eq!(total(&json, "entries_read"), truth.entries.len() as u64);
    assert_eq!(assignments.len() as u64, total(&json, "entries_in_scope"));
}

#[test]
fn generated_sink_export_gzipped_in_folders_gives_the_same_issues() {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink/run.googleapis.com/stderr/2025/09/11");
    std::fs::create_dir_all(&sink).unwrap();
    let truth = write_dump(dir.path(), "dump.ndjson", 1500, 7, DumpFormat::Ndjson);
    let raw = std::fs::read(dir.path().join("dump.ndjson")).unwrap();
    // Split into two "hourly" files, one gzipped, as a sink writes them.
    let cut = raw.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(700).unwrap().0 + 1;
    std::fs::write(sink.join("05_00_00_05_59_59_S0.json"), &raw[..cut]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &raw[cut..]).unwrap();
    std::fs::write(sink.join("06_00_00_06_59_59_S0.json"), gz.finish().unwrap()).unwrap();

    let run = run_in(dir.path(), &["report", "sink", "--assignments", "assign.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(json["inputs"][1]["gzip"], true);
    check_against_truth(&truth, &run, &read_assignments(&dir.path().join("assign.csv")));
    assert_books_balance(&json);

    // The same entries as one gcloud array give the same ids, counts and first-seen times.
    write_dump(dir.path(), "dump.json", 1500, 7, DumpFormat::JsonArray);
    let array_run = run_in(dir.path(), &["report", "dump.json", "--out", "array"]);
    let summary = |j: &serde_json::Value| -> Vec<(String, u64, String)> {
        let mut v: Vec<_> = issues(j)
            .iter()
            .map(|i| {
                (
                    i["id"].as_str().unwrap().to_string(),
                    i["count"].as_u64().unwrap(),
                    i["first_seen"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(summary(&json), summary(&array_run.json()));
}

#[test]
fn bundled_sample_gives_a_valid_worklog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let run = run_in(
        root,
        &[
            "report",
            "samples/netra-staging.json",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "md,json,html",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.written().len(), 3);
    let stem = run.file_with_ext("md").file_stem().unwrap().to_string_lossy().into_owned();
    assert_eq!(stem, "netra-staging-20250911T0500Z");

    // The committed truth file and the report agree.
    let truth_rows = read_assignments_like(&root.join("samples/netra-staging.truth.csv"));
    let json = run.json();
    assert_books_balance(&json);
    assert_eq!(total(&json, "entries_read"), truth_rows.len() as u64);
    let planted: HashSet<&str> =
        truth_rows.iter().map(|(_, k)| k.as_str()).filter(|k| !k.is_empty()).collect();
    assert_eq!(issues(&json).len(), planted.len());

    let html = std::fs::read_to_string(run.file_with_ext("html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<table>") && html.contains("</html>")
    );
}

fn read_assignments_like(path: &Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string())
        })
        .collect()
}

#[test]
fn same_input_same_report_bytes() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.json", 800, 3, DumpFormat::JsonArray);
    let a = run_in(dir.path(), &["report", "dump.json", "--out", "a", "--threads", "1"]);
    let b = run_in(dir.path(), &["report", "dump.json", "--out", "b", "--threads", "2"]);
    assert_eq!(a.status, 0);
    assert_eq!(a.markdown(), b.markdown());
    assert_eq!(
        std::fs::read(a.file_with_ext("json")).unwrap(),
        std::fs::read(b.file_with_ext("json")).unwrap()
    );
}

#[test]
fn adding_unrelated_entries_keeps_existing_ids() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.ndjson", 800, 3, DumpFormat::Ndjson);
    let before = run_in(dir.path(), &["report", "dump.ndjson", "--out", "a"]);
    let extra = [
        entry(
            "x1",
            "2025-09-11T05:30:00Z",
            Some("ERROR"),
            "billing",
            "Invoice 4411 could not be rendered",
        ),
        entry(
            "x2",
            "2025-09-11T05:31:00Z",
            Some("ERROR"),
            "billing",
            "Invoice 4412 could not be rendered",
        ),
    ]
    .join("\n");
    std::fs::write(dir.path().join("extra.ndjson"), extra).unwrap();
    let after = run_in(dir.path(), &["report", "dump.ndjson", "extra.ndjson", "--out", "b"]);
    let ids = |r: &Run| -> HashSet<String> {
        issues(&r.json()).iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    };
    let (b, a) = (ids(&before), ids(&after));
    assert!(b.is_subset(&a), "ids changed: {:?}", b.difference(&a).collect::<Vec<_>>());
    assert_eq!(a.len(), b.len() + 1);
}

#[test]
fn secrets_planted_by_the_generator_never_reach_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.json", 1500, 11, DumpFormat::JsonArray);
    let dump = std::fs::read_to_string(dir.path().join("dump.json")).unwrap();
    assert!(
        dump.contains("hunter2") && dump.contains("AIza") && dump.contains("eyJ"),
        "the dump carries secrets"
    );
    let run = run_in(
        dir.path(),
        &["report", "dump.json", "--format", "md,json,html", "--assignments", "a.csv"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut files = run.written();
    files.push(dir.path().join("a.csv"));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for secret in ["hunter2", "AIza", "eyJ"] {
            assert!(!text.contains(secret), "{secret} found in {}", f.display());
        }
    }
    assert!(!run.stderr.contains("hunter2"));
}

#[test]
fn websocket_failures_cluster_together_and_arrive_with_the_new_revision() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write_dump(dir.path(), "dump.json", 1500, 7, DumpFormat::JsonArray);
    let run = run_in(dir.path(), &["report", "dump.json", "--assignments", "assign.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    let assignments: HashMap<String, String> =
        read_assignments(&dir.path().join("assign.csv")).into_iter().collect();
    let id_of = |key: &str| -> String {
        let entry = &truth.entries.iter().find(|(_, k)| k == key).unwrap().0;
        assignments[entry].clone()
    };
    let burst = [
        "agent-bridge-import-error",
        "ws-manager-await-error",
        "create-server-message-missing-data",
        "create-error-message-missing-arg",
    ];
    let by_id: HashMap<String, &serde_json::Value> =
        issues(&json).iter().map(|i| (i["id"].as_str().unwrap().to_string(), i)).collect();
    let clusters: Vec<_> = burst.iter().map(|k| by_id[&id_of(k)]["cluster"].as_u64()).collect();
    assert!(clusters[0].is_some(), "the burst forms a cluster");
    assert!(clusters.iter().all(|c| *c == clusters[0]), "{clusters:?}");
    for key in burst {
        let appeared = &by_id[&id_of(key)]["appeared_with"];
        assert!(
            appeared["revision"].as_str().unwrap().starts_with("netra-backend-staging-"),
            "{key}: {appeared}"
        );
    }
    // An issue present from the start of the window did not arrive with a deploy.
    assert!(by_id[&id_of("session-middleware-missing")]["appeared_with"].is_null());
    let cluster = &json["clusters"][(clusters[0].unwrap() - 1) as usize];
    assert!(cluster["summary"].as_str().unwrap().contains("began within"), "{cluster}");
}

#[test]
fn a_user_template_and_html_output() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.json", 400, 1, DumpFormat::JsonArray);
    std::fs::write(
        dir.path().join("mine.md.j2"),
        "# {{ title }}\n\n{% for i in issues %}- {{ i.id }} {{ i.priority }} {{ i.count }}\n{% endfor %}",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &["report", "dump.json", "--template", "mine.md.j2", "--format", "md,html"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let md = run.markdown();
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with("- lg-")).collect();
    assert_eq!(lines.len(), 21, "{md}");
    let html = std::fs::read_to_string(run.file_with_ext("html")).unwrap();
    assert_eq!(html.matches("<li>").count(), 21);

    std::fs::write(dir.path().join("bad.md.j2"), "{% for i in issues %}{{ i.nope }}{% endfor %}")
        .unwrap();
    let run = run_in(dir.path(), &["report", "dump.json", "--template", "bad.md.j2", "--out", "b"]);
    assert_eq!(run.status, 2, "a template that does not fit the model is a usage error");
    assert!(
        run.stderr.contains("bad.md.j2:1: `i.nope` is not in the report model"),
        "{}",
        run.stderr
    );
}

#[test]
fn tiny_read_chunks_give_the_same_report() {
    // Entries, lines and gzip blocks cut across chunk boundaries at every size tried.
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.json", 300, 5, DumpFormat::JsonArray);
    write_dump(dir.path(), "dump.ndjson", 300, 5, DumpFormat::Ndjson);
    let raw = std::fs::read(dir.path().join("dump.ndjson")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    std::fs::write(dir.path().join("dump.ndjson.gz"), gz.finish().unwrap()).unwrap();
    for input in ["dump.json", "dump.ndjson", "dump.ndjson.gz"] {
        let whole = run_in(dir.path(), &["report", input, "--out", "whole"]);
        assert_eq!(whole.status, 0, "{}", whole.stderr);
        let mut expected = whole.json();
        expected["inputs"][0]["bytes"] = serde_json::Value::Null;
        for chunk in ["61", "4096"] {
            // Settling split tracebacks early (normally after 10,000 waiting lines) must not
            // change the report either.
            let run = run_with_env(
                dir.path(),
                &["report", input, "--out", chunk],
                &[("LOG_GARDENER_CHUNK_BYTES", chunk), ("LOG_GARDENER_SETTLE_LINES", "1")],
            );
            assert_eq!(run.status, 0, "{input} with {chunk}-byte chunks: {}", run.stderr);
            let mut got = run.json();
            got["inputs"][0]["bytes"] = serde_json::Value::Null;
            assert_eq!(got, expected, "{input} with {chunk}-byte chunks");
        }
    }
}

#[test]
fn a_span_that_covers_everything_changes_no_number() {
    // A window given as a span back from the newest entry is applied in whole minutes after
    // reading; one that covers the whole dump must give the numbers of no window at all (rates
    // and what depends on them, and the time buckets, follow the window's length).
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.ndjson", 3000, 9, DumpFormat::Ndjson);
    let grouped = run_in(dir.path(), &["report", "dump.ndjson", "--out", "g"]);
    let apart = run_in(dir.path(), &["report", "dump.ndjson", "--out", "a", "--since", "52w"]);
    assert_eq!(grouped.status, 0, "{}", grouped.stderr);
    assert_eq!(apart.status, 0, "{}", apart.stderr);
    let (g, a) = (grouped.json(), apart.json());
    let strip = |j: &serde_json::Value| -> Vec<serde_json::Value> {
        issues(j)
            .iter()
            .map(|i| {
                serde_json::json!([
                    i["id"],
                    i["count"],
                    i["entries"],
                    i["first_seen"],
                    i["last_seen"],
                    i["severity"],
                    i["revisions"],
                    i["components"],
                    i["appeared_with"]
                ])
            })
            .collect()
    };
    assert_eq!(strip(&g), strip(&a));
    assert_eq!(g["distribution"], a["distribution"]);
    assert_eq!(g["window"]["end"], a["window"]["end"]);
    let since = a["window"]["start"].as_str().unwrap();
    assert!(since.ends_with(":00Z") && since < "2025-09-11", "starts on a whole minute: {since}");
    for key in [
        "entries_read",
        "entries_in_scope",
        "events_in_scope",
        "below_min_severity",
        "severity_inferred",
    ] {
        assert_eq!(total(&g, key), total(&a, key), "{key}");
    }
}

#[test]
fn spans_count_whole_minutes() {
    // `--until 0m` ends the window at the start of the newest entry's minute: that minute is
    // left out, and the books say so.
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), "dump.ndjson", 3000, 9, DumpFormat::Ndjson);
    let all = run_in(dir.path(), &["report", "dump.ndjson", "--out", "all"]);
    let cut = run_in(dir.path(), &["report", "dump.ndjson", "--out", "cut", "--until", "0m"]);
    assert_eq!(cut.status, 0, "{}", cut.stderr);
    let (all, cut) = (all.json(), cut.json());
    let newest = all["window"]["end"].as_str().unwrap().to_string();
    let minute = format!("{}:00Z", &newest[..16]);
    assert_eq!(cut["window"]["end"], minute.as_str(), "the window ends where the minute starts");
    assert!(total(&cut, "outside_window") > 0, "the newest minute's entries are out of the window");
    assert_eq!(total(&cut, "entries_read"), total(&all, "entries_read"));
    assert_books_balance(&cut);
    for issue in issues(&cut) {
        if let Some(last) = issue["last_seen"].as_str() {
            assert!(last < minute.as_str(), "{last} is not before {minute}");
        }
    }
}
