//! Every export in `tests/fixtures/exports/` read whole, as its README says it must be: the
//! entries read, the services, revisions and instances the resource model gives them, the
//! severities the entries state, the error that matters in the report, the books balanced, and
//! nothing skipped without a reason (issue 10).
//!
//! Each test runs the real binary on a fixture (set `LOG_GARDENER_BIN` to run another build, e.g.
//! the one before this work, to see the tests fail on it) and reads the same fixture through the
//! library to check where each entry was placed.

mod common;

use common::{assert_books_balance, issues, total, Run, BIN};
use log_gardener::normalize::{Normalizer, Record};
use log_gardener::pipeline::read_records;
use log_gardener::read::{discover, ReadOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports").join(name)
}

/// Runs the binary (`LOG_GARDENER_BIN`, else this build's) with `args` in `dir`.
fn run_bin(dir: &Path, args: &[&str]) -> Run {
    run_bin_with_env(dir, args, &[])
}

/// [`run_bin`] with more environment variables.
fn run_bin_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let bin = std::env::var("LOG_GARDENER_BIN").unwrap_or_else(|_| BIN.to_string());
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1757566800")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run {
        dir: dir.to_path_buf(),
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `log-gardener report FIXTURE --min-severity DEFAULT EXTRA...` in a fresh folder.
fn report_with(name: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap().keep();
    let path = fixture(name);
    let mut args = vec!["report", path.to_str().unwrap(), "--min-severity", "DEFAULT"];
    args.extend_from_slice(extra);
    run_bin(&dir, &args)
}

/// The revisions an issue names.
fn revisions(issue: &Value) -> Vec<&str> {
    let revisions = issue["revisions"].as_array().unwrap().iter();
    revisions.map(|r| r["revision"].as_str().unwrap()).collect()
}

/// The report's JSON for a fixture that must read without a hitch, its books checked.
fn report(name: &str) -> Value {
    let run = report_with(name, &[]);
    assert_eq!(run.status, 0, "{name}: {}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    json
}

/// The report of a fixture at the default minimum severity (WARNING), as a user runs it.
fn report_as_run(name: &str) -> Value {
    let dir = tempfile::tempdir().unwrap().keep();
    let path = fixture(name);
    let run = run_bin(&dir, &["report", path.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{name}: {}", run.stderr);
    run.json()
}

/// The records of a fixture (a file or a folder), read by the library.
fn records(name: &str) -> Vec<Record<'static>> {
    let (sources, _) = discover(&[fixture(name)]);
    let (records, _, _) = read_records(&sources, &ReadOptions::default(), &Normalizer::default());
    records
}

fn count<K: Ord>(items: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut map = BTreeMap::new();
    for k in items {
        *map.entry(k).or_insert(0) += 1;
    }
    map
}

/// A (service, revision) and its entries.
type Placed = ((String, String), usize);

/// Entries per (service, revision).
fn placed(records: &[Record]) -> BTreeMap<(String, String), usize> {
    count(
        records
            .iter()
            .map(|r| (r.service.to_string(), r.revision.as_deref().unwrap_or("-").to_string())),
    )
}

/// Entries per stated severity ("none" where the entry states none).
fn stated(records: &[Record]) -> BTreeMap<&'static str, usize> {
    count(records.iter().map(|r| {
        if r.severity_inferred || r.severity as u8 == 0 {
            "none"
        } else {
            r.severity.name()
        }
    }))
}

fn instances(records: &[Record], service: &str) -> usize {
    count(records.iter().filter(|r| r.service == service).map(|r| r.instance.clone())).len()
}

fn map<K: Ord + Clone, const N: usize>(pairs: [(K, usize); N]) -> BTreeMap<K, usize> {
    pairs.into_iter().collect()
}

fn key(service: &str, revision: &str) -> (String, String) {
    (service.to_string(), revision.to_string())
}

fn services(json: &Value) -> Vec<&str> {
    json["services"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

/// The issue whose examples or template hold `text`.
fn issue_with<'j>(json: &'j Value, text: &str) -> &'j Value {
    issues(json)
        .iter()
        .find(|i| {
            i["template"].as_str().unwrap().contains(text)
                || i["examples"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e.as_str().unwrap().contains(text))
        })
        .unwrap_or_else(|| panic!("no issue with {text:?}"))
}

fn skipped_reasons(json: &Value) -> Vec<&str> {
    json["skipped"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect()
}

/// Entries read, skipped and in scope (the fixtures are read with every severity in scope).
fn assert_read(json: &Value, read: u64, skipped: u64) {
    assert_eq!(total(json, "entries_read"), read, "{}", json["totals"]);
    assert_eq!(total(json, "entries_skipped"), skipped, "{}", json["skipped"]);
    assert_eq!(total(json, "entries_in_scope"), read - skipped);
}

#[test]
fn logging_api_responses_are_read_entry_by_entry() {
    let json = report("api-entries-list.json");
    assert_read(&json, 5, 0);
    assert_eq!(json["inputs"][0]["format"], "Logging API response (entries.list)");
    assert_eq!(services(&json), ["ledger-api"]);
    issue_with(&json, "lock timeout after 30s");
    let recs = records("api-entries-list.json");
    assert_eq!(placed(&recs), map([(key("ledger-api", "ledger-api-00042-vab"), 5)]));
    assert_eq!(instances(&recs, "ledger-api"), 1);
    assert_eq!(stated(&recs), map([("INFO", 2), ("WARNING", 1), ("ERROR", 1), ("none", 1)]));

    // Three pages concatenated; the second has no entries, only a token.
    let json = report("api-entries-list-pages.json");
    assert_read(&json, 9, 0);
    assert_eq!(issue_with(&json, "lock timeout after 30s")["count"], 2);
    let recs = records("api-entries-list-pages.json");
    assert_eq!(placed(&recs), map([(key("ledger-api", "ledger-api-00042-vab"), 9)]));
    assert_eq!(stated(&recs), map([("INFO", 4), ("WARNING", 1), ("ERROR", 2), ("none", 2)]));
}

#[test]
fn firebase_cli_output_is_read_gen1_and_gen2() {
    let json = report("firebase-functions-log.json");
    assert_read(&json, 7, 0);
    assert_eq!(json["inputs"][0]["format"], "Firebase CLI output (functions:log --json)");
    assert_eq!(services(&json), ["sendReceiptEmail", "syncinventory"]);
    issue_with(&json, "ECONNREFUSED");
    issue_with(&json, "FAILED_PRECONDITION");
    let recs = records("firebase-functions-log.json");
    assert_eq!(
        placed(&recs),
        map([
            (key("sendReceiptEmail", "-"), 4),
            (key("syncinventory", "syncinventory-00017-rud"), 3)
        ])
    );
    assert_eq!((instances(&recs, "sendReceiptEmail"), instances(&recs, "syncinventory")), (1, 1));
    // The 1st gen's `finished with status: 'error'`, written at DEBUG, is read as ERROR.
    assert_eq!(
        stated(&recs),
        map([("DEBUG", 1), ("INFO", 1), ("WARNING", 1), ("ERROR", 2), ("none", 2)])
    );
}

#[test]
fn utf16_and_bom_exports_are_read_as_text() {
    for (name, format, error) in [
        ("powershell-utf16.json", "JSON array (UTF-16LE)", "quill-exports-eu returned 403"),
        ("utf16be-bom.json", "JSON array (UTF-16BE)", "quill-exports-eu returned 403 ✗"),
        ("utf8-bom-crlf.ndjson", "newline-delimited JSON", "quill-exports-eu returned 403 ✗"),
    ] {
        let json = report(name);
        assert_read(&json, 4, 0);
        assert_eq!(json["inputs"][0]["format"], format, "{name}");
        issue_with(&json, error);
        let recs = records(name);
        let want = map([(key("invoice-exporter", "invoice-exporter-00007-kap"), 4)]);
        assert_eq!(placed(&recs), want, "{name}");
        assert_eq!(instances(&recs, "invoice-exporter"), 1);
        assert_eq!(stated(&recs), map([("INFO", 1), ("WARNING", 1), ("ERROR", 1), ("none", 1)]));
    }
    // Outside the BMP, a surrogate pair in UTF-16.
    let recs = records("utf16be-bom.json");
    assert!(recs.iter().any(|r| r.message.ends_with("0 files written 🙁")));
    assert!(recs.iter().any(|r| r.message.contains("(Zürich)")));
}

#[test]
fn logs_explorer_csv_rows_are_log_entries_again() {
    let json = report("logs-explorer-download.csv");
    assert_read(&json, 12, 0);
    assert_eq!(json["projects"][0], "quill-prod-4821", "the ' guard is not part of the name");
    assert_eq!(json["window"]["start"], "2025-05-26T12:01:02.123456Z");
    assert_eq!(json["window"]["end"], "2025-05-26T12:09:02.700331Z");
    assert!(issues(&json).iter().all(|i| i["first_seen"].is_string()));
    for error in [
        "remaining connection slots are reserved",
        "Memory limit of 512 MiB exceeded",
        "TypeError",
        "panic: runtime error",
        "Out of memory: Killed process",
        "PERMISSION_DENIED",
    ] {
        issue_with(&json, error);
    }
    let recs = records("logs-explorer-download.csv");
    assert_eq!(
        placed(&recs),
        map([
            (key("compute.googleapis.com", "-"), 1),
            (key("ledger-api", "ledger-api-00043-wut"), 6),
            (key("nightly-reconcile", "nightly-reconcile-t7mzx"), 1),
            (key("processorder", "processorder-00009-qiz"), 1),
            (key("quill-batch-01", "-"), 1),
            (key("run.googleapis.com", "-"), 1),
            (key("shop/checkout", "checkout-6d8f9c7b5"), 1),
        ])
    );
    assert_eq!(instances(&recs, "ledger-api"), 1);
    let job = recs.iter().find(|r| r.service == "nightly-reconcile").unwrap();
    assert_eq!(job.instance.as_deref(), Some("task 1 attempt 0"));
    assert_eq!(stated(&recs), map([("INFO", 1), ("NOTICE", 1), ("ERROR", 5), ("none", 5)]));
    // The traceback cell spans four physical lines and stays one entry.
    let traceback = recs.iter().find(|r| r.message.starts_with("Traceback")).unwrap();
    assert_eq!(traceback.message.lines().count(), 4);
    // The request row has only httpRequest.* columns: its status is a number again.
    assert!(recs.iter().any(|r| r.request.as_ref().is_some_and(|q| q.status == 500)));
}

/// The shape that was read right before this work (a control for the resource model).
#[test]
fn cloud_run_service_revisions_and_instances() {
    let json = report("cloud-run-service.gcloud.json");
    assert_read(&json, 20, 0);
    assert_eq!(services(&json), ["ledger-api"]);
    issue_with(&json, "remaining connection slots are reserved");
    issue_with(&json, "WORKER TIMEOUT");
    let recs = records("cloud-run-service.gcloud.json");
    assert_eq!(
        placed(&recs),
        map([
            (key("ledger-api", "ledger-api-00041-xoz"), 2),
            (key("ledger-api", "ledger-api-00042-vab"), 18)
        ])
    );
    assert_eq!(instances(&recs, "ledger-api"), 3);
    assert_eq!(stated(&recs), map([("INFO", 4), ("WARNING", 1), ("ERROR", 5), ("none", 10)]));
}

#[test]
fn cloud_run_job_executions_and_tasks() {
    let json = report("cloud-run-job.ndjson");
    assert_read(&json, 25, 0);
    assert_eq!(services(&json), ["nightly-reconcile"]);
    let failure = issue_with(&json, "503 Server Error");
    assert_eq!(revisions(failure), ["nightly-reconcile-8kq2p"], "the execution is the revision");
    let recs = records("cloud-run-job.ndjson");
    assert_eq!(placed(&recs), map([(key("nightly-reconcile", "nightly-reconcile-8kq2p"), 25)]));
    let tasks = count(recs.iter().map(|r| r.instance.as_deref().unwrap_or("-").to_string()));
    let want = [
        ("task 0 attempt 0".to_string(), 2),
        ("task 1 attempt 0".to_string(), 10),
        ("task 1 attempt 1".to_string(), 10),
        ("task 2 attempt 0".to_string(), 3),
    ];
    assert_eq!(tasks, want.into_iter().collect());
    assert_eq!(stated(&recs), map([("INFO", 3), ("none", 22)]));
}

#[test]
fn cloud_functions_gen1_gen2_and_their_audit_log() {
    let json = report("cloud-functions.gcloud.json");
    assert_read(&json, 10, 0);
    assert_eq!(services(&json), ["cloudfunctions.googleapis.com", "processorder", "resizeImage"]);
    issue_with(&json, "memory limit exceeded");
    issue_with(&json, "Cannot read properties of undefined");
    // Keyed by its outcome (a timeout and a crash are two issues), not masked to `<*>`.
    issue_with(&json, "Function execution finished with status timeout");
    let recs = records("cloud-functions.gcloud.json");
    assert_eq!(
        placed(&recs),
        map([
            (key("cloudfunctions.googleapis.com", "-"), 1),
            (key("processorder", "processorder-00009-qiz"), 3),
            (key("resizeImage", "-"), 6),
        ])
    );
    assert_eq!(instances(&recs, "resizeImage"), 1);
    // The 1st gen's `finished with status: 'timeout'`, written at DEBUG, is read as ERROR.
    assert_eq!(
        stated(&recs),
        map([("DEBUG", 3), ("INFO", 1), ("NOTICE", 1), ("ERROR", 3), ("none", 2)])
    );
}

#[test]
fn app_engine_modules_and_versions() {
    let json = report("app-engine.ndjson");
    assert_read(&json, 6, 0);
    assert_eq!(services(&json), ["default", "worker"]);
    issue_with(&json, "SIGKILL");
    let recs = records("app-engine.ndjson");
    assert_eq!(
        placed(&recs),
        map([(key("default", "20250526t071500"), 4), (key("worker", "20250520t160002"), 2)])
    );
    assert_eq!((instances(&recs, "default"), instances(&recs, "worker")), (1, 1));
    assert_eq!(stated(&recs), map([("INFO", 1), ("WARNING", 1), ("ERROR", 1), ("none", 3)]));
}

#[test]
fn kubernetes_workloads_nodes_and_clusters() {
    let json = report("downloaded-logs-20250526-093000.json");
    assert_read(&json, 13, 0);
    assert_eq!(
        services(&json),
        [
            "gke-quill-gke-eu-default-pool-7c1e9a2b-m41d",
            "gke-quill-gke-eu-default-pool-7c1e9a2b-q8zt",
            "payments/ledger-sync",
            "payments/sync",
            "quill-gke-eu",
            "shop/checkout",
            "shop/istio-proxy"
        ]
    );
    let panic = issue_with(&json, "invalid memory address or nil pointer dereference");
    assert_eq!(revisions(panic), ["checkout-6d8f9c7b5"], "the ReplicaSet, not the pod");
    issue_with(&json, "context deadline exceeded");
    // Node logs from the journal: the text is in `MESSAGE`, and its level (containerd's
    // `level=error`, kubelet's `E0526` header) makes each an error of its node.
    let containerd = issue_with(&json, "StopContainer for");
    assert_eq!(containerd["severity"], "ERROR");
    assert!(!containerd["template"].as_str().unwrap().contains("MESSAGE"));
    // kubelet's structured klog line is titled by its quoted message, without the quotes.
    let eviction = issue_with(&json, "reason=\"Evicted\"");
    let template = eviction["template"].as_str().unwrap();
    assert!(template.starts_with("Eviction manager: pod evicted pod="), "{template}");
    let recs = records("downloaded-logs-20250526-093000.json");
    assert_eq!(
        placed(&recs),
        map([
            (key("gke-quill-gke-eu-default-pool-7c1e9a2b-m41d", "-"), 1),
            (key("gke-quill-gke-eu-default-pool-7c1e9a2b-q8zt", "-"), 2),
            (key("payments/ledger-sync", "-"), 1),
            (key("payments/sync", "-"), 1),
            (key("quill-gke-eu", "-"), 2),
            // A Deployment's pods carry their ReplicaSet (the pod template hash): its revision.
            (key("shop/checkout", "checkout-6d8f9c7b5"), 4),
            (key("shop/checkout", "-"), 1),
            (key("shop/istio-proxy", "checkout-6d8f9c7b5"), 1),
        ])
    );
    let checkout: Vec<_> = recs.iter().filter(|r| r.service == "shop/checkout").collect();
    assert!(checkout.iter().all(|r| r.instance.as_deref() == Some("checkout-6d8f9c7b5-x2x4q")));
    assert_eq!(stated(&recs), map([("INFO", 1), ("WARNING", 4), ("ERROR", 1), ("none", 7)]));
}

#[test]
fn compute_engine_cloud_sql_build_vertex_and_vpc() {
    let cases: [(&str, u64, Vec<Placed>, &str); 5] = [
        (
            "gce-syslog.ndjson",
            6,
            vec![(key("quill-batch-01", "-"), 4), (key("7302215948830417761", "-"), 2)],
            "Out of memory: Killed process",
        ),
        (
            "cloudsql.gcloud.json",
            7,
            vec![(key("quill-prod-4821:quill-mysql-main", "-"), 7)],
            "Assertion failure",
        ),
        (
            "cloud-build.ndjson",
            26,
            vec![
                (
                    key(
                        "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
                        "5b0e3c1a-7d42-4f0e-9c8b-1a2d3e4f5a6b",
                    ),
                    16,
                ),
                (
                    key(
                        "9c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                        "9c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                    ),
                    10,
                ),
            ],
            "No matching distribution found",
        ),
        (
            "vertex-custom-job.gcloud.json",
            14,
            vec![(key("7284519930417152000", "-"), 14)],
            "CUDA out of memory",
        ),
        ("vpc-flows.ndjson", 4, vec![(key("quill-eu-app", "-"), 4)], "quill-eu-app"),
    ];
    for (name, read, want, text) in cases {
        let json = report(name);
        assert_read(&json, read, 0);
        let mut names: Vec<&str> = want.iter().map(|((s, _), _)| s.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(services(&json), names, "{name}");
        if name != "vpc-flows.ndjson" {
            issue_with(&json, text);
        }
        assert_eq!(placed(&records(name)), want.into_iter().collect(), "{name}");
    }
    let vertex = records("vertex-custom-job.gcloud.json");
    let tasks = count(vertex.iter().map(|r| r.instance.as_deref().unwrap_or("-").to_string()));
    assert_eq!(tasks, [("service".to_string(), 4), ("workerpool0-0".to_string(), 10)].into());
    assert_eq!(stated(&vertex), map([("INFO", 5), ("ERROR", 9)]));
    assert_eq!(stated(&records("vpc-flows.ndjson")), map([("none", 4)]));
    // Cloud Build writes every line at INFO; the lines that say ERROR (the failed step, docker's
    // errors) have it raised from their text (docs/grouping.md), the rest stay INFO.
    let build = records("cloud-build.ndjson");
    assert_eq!(build.len(), 26);
    let raised: Vec<&Record> = build.iter().filter(|r| r.severity_inferred).collect();
    assert!(raised.iter().all(|r| r.severity.name() == "ERROR" && r.message.contains("ERROR")));
    assert_eq!(stated(&build), map([("INFO", 26 - raised.len()), ("none", raised.len())]));
    let sql = records("cloudsql.gcloud.json");
    assert_eq!(stated(&sql), map([("INFO", 5), ("WARNING", 1), ("ERROR", 1)]));
}

#[test]
fn load_balancers_by_forwarding_rule_and_backend() {
    let json = report("load-balancers.ndjson");
    assert_read(&json, 9, 0);
    assert_eq!(services(&json), ["ledger-internal-fr", "quill-web-https-fr"]);
    let recs = records("load-balancers.ndjson");
    assert_eq!(
        placed(&recs),
        map([
            (key("ledger-internal-fr", "ledger-internal-bes"), 2),
            (key("quill-web-https-fr", "quill-web-backend"), 6),
            // A cache hit has no backend: no revision rather than a wrong one.
            (key("quill-web-https-fr", "-"), 1),
        ])
    );
    assert_eq!(stated(&recs), map([("INFO", 3), ("WARNING", 1), ("ERROR", 5)]));
    let statuses = count(recs.iter().filter_map(|r| r.request.as_ref().map(|q| q.status)));
    assert_eq!(statuses.get(&502), Some(&3));
}

#[test]
fn load_balancer_errors_say_what_the_balancer_saw() {
    let json = report_as_run("load-balancers.ndjson");
    // The balancer's statusDetails tells a 502 it could not connect from one the backend cut
    // short: two problems on one route, two issues, each titled with its detail.
    let titled: BTreeMap<String, u64> = json["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            (i["title"].as_str().expect("title").to_string(), i["count"].as_u64().expect("count"))
        })
        .collect();
    let expected = [
        ("HTTP 502 POST /api/checkout (failed_to_connect_to_backend)", 2),
        ("HTTP 502 POST /api/checkout (backend_connection_closed_before_data_sent_to_client)", 1),
        ("HTTP 504 GET /api/reports/monthly (backend_timeout)", 1),
        ("HTTP 503 GET /v1/ledgers/<*> (no_healthy_upstream)", 1),
        ("HTTP 403 GET /wp-login.php (denied_by_security_policy)", 1),
    ];
    assert_eq!(titled, expected.iter().map(|(t, n)| (t.to_string(), *n)).collect());
    // And what failed: the balancer could not connect, the backend was too slow.
    let class_of = |prefix: &str| {
        let issues = json["issues"].as_array().expect("issues");
        let issue = issues.iter().find(|i| i["title"].as_str().unwrap().starts_with(prefix));
        issue.expect(prefix)["error_class"].as_str().unwrap_or("none").to_string()
    };
    assert_eq!(class_of("HTTP 502 POST /api/checkout (failed_to_connect"), "connection failure");
    assert_eq!(class_of("HTTP 504 GET /api/reports/monthly"), "timeout");
    // Cloud Armor's refusal is a policy's rule, not credentials: its own class and playbook.
    assert_eq!(class_of("HTTP 403 GET /wp-login.php"), "blocked by a security policy");
}

#[test]
fn postgres_messages_are_one_event_with_their_detail_lines() {
    let json = report_as_run("cloudsql-postgres.ndjson");
    assert_eq!(total(&json, "entries_read"), 15);
    // The `LOG:  duration` line and a checkpoint line are INFO.
    assert_eq!(total(&json, "entries_in_scope"), 13);
    assert_books_balance(&json);
    let issues = json["issues"].as_array().expect("issues");
    let seen: BTreeMap<&str, (u64, u64)> = issues
        .iter()
        .map(|i| {
            let counts = (i["count"].as_u64().unwrap(), i["entries"].as_u64().unwrap());
            (i["title"].as_str().unwrap(), counts)
        })
        .collect();
    let expected = BTreeMap::from([
        ("duplicate key value violates unique constraint \"customers_email_key\"", (2, 6)),
        ("password authentication failed for user \"reporting\"", (1, 2)),
        ("deadlock detected", (1, 5)),
    ]);
    assert_eq!(seen, expected, "no DETAIL, HINT or STATEMENT line is an issue of its own");
    // The event reads as psql shows it: the message, then its lines without the server's
    // prefix, the email in the key redacted.
    let first = issues[0]["examples"][0].as_str().expect("an example");
    assert_eq!(
        first.lines().collect::<Vec<_>>(),
        [
            "duplicate key value violates unique constraint \"customers_email_key\"",
            "DETAIL:  Key (email)=(<redacted:email>) already exists.",
            "STATEMENT:  INSERT INTO customers (email, name) VALUES ($1, $2) RETURNING id",
        ]
    );
}

#[test]
fn syslog_lines_are_titled_by_what_the_program_wrote() {
    let json = report("gce-syslog.ndjson");
    // The header (`May 26 06:14:52 host program[pid]: `), the program's own level and the
    // kernel's time since boot are no part of the title; the program is the component.
    for (starts, program) in [
        ("Out of memory: Killed process", "kernel"),
        ("invoice-runner.service: Main process exited", "systemd"),
        ("could not write", "run-invoices"),
    ] {
        let issue = issue_with(&json, starts);
        let template = issue["template"].as_str().unwrap();
        assert!(template.starts_with(starts), "{template}");
        assert_eq!(issue["components"][0], program, "{template}");
    }
}

#[test]
fn mysql_error_log_lines_are_titled_by_their_message() {
    // Cloud SQL's mysql.err: `... 0 [Warning] [MY-010055] [Server] IP address ...`.
    let json = report("cloudsql.gcloud.json");
    for starts in ["IP address <*> could not be resolved", "Assertion failure: "] {
        let template = issue_with(&json, starts)["template"].as_str().unwrap();
        assert!(template.starts_with(starts), "{template}");
    }
}

#[test]
fn audit_logs_belong_to_the_audited_service() {
    let json = report("audit-logs.gcloud.json");
    assert_read(&json, 13, 0);
    assert_eq!(
        services(&json),
        [
            "compute.googleapis.com",
            "monitoring.googleapis.com",
            "run.googleapis.com",
            "storage.googleapis.com"
        ]
    );
    let recs = records("audit-logs.gcloud.json");
    assert_eq!(
        placed(&recs),
        map([
            (key("compute.googleapis.com", "-"), 7),
            (key("monitoring.googleapis.com", "-"), 2),
            (key("run.googleapis.com", "-"), 1),
            (key("storage.googleapis.com", "-"), 3),
        ])
    );
    assert_eq!(stated(&recs), map([("NOTICE", 7), ("INFO", 3), ("ERROR", 3)]));
}

#[test]
fn markdown_notes_give_their_fenced_log_entries() {
    let run = report_with("notes-with-json.md", &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_eq!(json["inputs"][0]["format"], "Markdown with fenced JSON");
    // Three LogEntries; the retry config is one JSON value that is not a LogEntry, and says so.
    assert_read(&json, 4, 1);
    assert_eq!(skipped_reasons(&json), ["not a LogEntry object"]);
    assert!(run.stderr.contains("its keys: pool, retries, timeout_s"), "{}", run.stderr);
    assert!(issues(&json).iter().all(|i| !i["title"].as_str().unwrap().starts_with(['{', '}'])));
    issue_with(&json, "Memory limit of 512 MiB exceeded");
    let recs = records("notes-with-json.md");
    assert_eq!(placed(&recs), map([(key("ledger-api", "ledger-api-00042-vab"), 3)]));
    assert_eq!(instances(&recs, "ledger-api"), 1);
    assert_eq!(stated(&recs), map([("ERROR", 2), ("none", 1)]));
}

#[test]
fn a_mixed_folder_reads_the_logs_and_names_what_it_skips() {
    let run = report_with("mixed-folder", &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_read(&json, 7, 0);
    assert_eq!(services(&json), ["compute.googleapis.com", "ledger-api", "run.googleapis.com"]);
    for (file, reason) in [
        ("README.md", "skipped: Markdown without fenced JSON"),
        ("config.yaml", "skipped: YAML, not a log"),
        ("notes.txt", "skipped: text that does not look like a log"),
        ("metrics.csv", "skipped: CSV table, not a Logs Explorer download"),
    ] {
        let warning = run
            .stderr
            .lines()
            .find(|l| l.contains(&format!("mixed-folder/{file}")))
            .unwrap_or_else(|| panic!("no warning names {file}: {}", run.stderr));
        assert!(warning.contains(reason), "{warning}");
        let input = json["inputs"].as_array().unwrap().iter();
        let input = input.clone().find(|i| i["path"].as_str().unwrap().ends_with(file)).unwrap();
        assert_eq!(input["entries"], 0);
    }
    let recs = records("mixed-folder");
    assert_eq!(
        placed(&recs),
        map([
            (key("compute.googleapis.com", "-"), 1),
            (key("ledger-api", "ledger-api-00042-vab"), 5),
            (key("run.googleapis.com", "-"), 1),
        ])
    );
    // Asked for, plain text is read whatever it looks like.
    let asked = report_with("mixed-folder/notes.txt", &["--input-format", "text"]);
    assert_eq!(asked.status, 0, "{}", asked.stderr);
    assert_eq!(total(&asked.json(), "entries_read"), 6);
}

#[test]
fn odd_field_types_cost_no_entry_and_leak_no_secret() {
    let run = report_with("odd-field-types.ndjson", &["--format", "md,json,html"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_read(&json, 12, 0);
    let mut reasons = skipped_reasons(&json);
    reasons.sort();
    assert_eq!(reasons, ["field of unexpected type converted", "field of unexpected type ignored"]);
    assert!(run.stderr.contains("`httpRequest` is a string where the format has an object"));
    let recs = records("odd-field-types.ndjson");
    assert_eq!(
        placed(&recs),
        map([(key("auth-gateway", "auth-gateway-00013-fen"), 11), (key("unknown", "-"), 1)])
    );
    // The number given as a time is read as one (epoch seconds).
    assert!(recs.iter().any(|r| r.time.is_some_and(|t| t.to_rfc3339() == "2025-05-26T15:00:11Z")));
    assert_eq!(stated(&recs), map([("WARNING", 1), ("ERROR", 9), ("CRITICAL", 1), ("none", 1)]));
    let secrets = [
        "hunter2",
        "ya29.a0FAKE-test-token-do-not-use_9f8e7d6c5b4a3f2e1d0c",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkYW5hQGV4YW1wbGUuY29tIiwiZmFrZSI6dHJ1ZX0",
        "S3cr3tFAKEpw",
        "AIzaFAKEkeyForTestsOnly0123456789abcd",
    ];
    let outputs =
        ["md", "json", "html"].map(|ext| std::fs::read_to_string(run.file_with_ext(ext)).unwrap());
    for secret in secrets {
        assert!(!run.stderr.contains(secret), "{secret} on stderr: {}", run.stderr);
        for text in &outputs {
            assert!(!text.contains(secret), "{secret} in a report");
        }
    }
}

#[test]
fn a_python_client_dump_with_snake_case_and_number_severities() {
    let json = report("python-client-to-dict.json");
    assert_read(&json, 3, 0);
    // Two issues do not "share a trace" because both have `"trace": ""`.
    let clusters = json["clusters"].as_array().unwrap();
    assert!(clusters.iter().all(|c| c["shared_traces"] == 0), "{clusters:?}");
    let recs = records("python-client-to-dict.json");
    assert_eq!(placed(&recs), map([(key("ledger-api", "ledger-api-00042-vab"), 3)]));
    assert_eq!(stated(&recs), map([("ERROR", 2), ("none", 1)]));
    // `"trace": ""` (a field without presence, printed by to_dict) is no trace.
    assert_eq!(recs.iter().filter(|r| r.trace.is_some()).count(), 1);
}

/// Positions of problems are counted incrementally, not each from the start of its chunk: an
/// export of broken lines is read at the same order of speed as a good one (one valid line and
/// 200,000 cut ones took 12.9 s). All lines in one chunk here, where counting from its start
/// costs the most: 300,000 problems took 35 s of CPU that way (release build), under 2 s now
/// (debug build).
#[test]
fn broken_lines_are_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let good = common::entry("a", "2025-09-11T05:00:00Z", Some("ERROR"), "api", "boom");
    let mut text = format!("{good}\n");
    for i in 0..300_000 {
        text.push_str(&format!("{{\"insertId\":\"x{i}\",\"textPay\n"));
    }
    std::fs::write(dir.path().join("cut.ndjson"), &text).unwrap();
    let started = std::time::Instant::now();
    let bin = std::env::var("LOG_GARDENER_BIN").unwrap_or_else(|_| BIN.to_string());
    let out = Command::new(bin)
        .args(["report", "cut.ndjson", "--quiet"])
        .current_dir(dir.path())
        .env("LOG_GARDENER_CHUNK_BYTES", (64 << 20).to_string())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Run {
        dir: dir.path().to_path_buf(),
        status: 0,
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::new(),
    };
    let json = run.json();
    assert_books_balance(&json);
    assert_eq!(total(&json, "entries_skipped"), 300_000);
    assert!(took.as_secs() < 20, "took {took:?}");
}

/// A dump spanning years: the chart keeps a few dozen labels, and so does its text twin.
#[test]
fn a_window_of_years_keeps_the_chart_readable() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..40)
        .map(|i| {
            let ts = format!("{}-{:02}-11T05:00:00Z", 2023 + i / 12, i % 12 + 1);
            common::entry(&format!("e{i}"), &ts, Some("ERROR"), "api", "boom")
        })
        .collect();
    std::fs::write(dir.path().join("years.ndjson"), lines.join("\n")).unwrap();
    let run = run_bin(dir.path(), &["report", "years.ndjson"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let md = run.markdown();
    let axis = md.lines().find(|l| l.trim_start().starts_with("x-axis")).unwrap();
    let labels = axis.matches(',').count() + 1;
    assert!((12..=49).contains(&labels), "{labels} labels: {axis}");
    assert!(axis.contains("\"2023-"), "labels name the year: {axis}");
    let json = run.json();
    let twin = json["timeline"]["errors_sparkline"].as_str().unwrap().chars().count();
    assert_eq!(twin, labels);
}

#[test]
fn gcloud_exports_appended_to_one_file_are_all_read() {
    // `gcloud logging read ... --format=json >> dump.json`, run for two queries.
    let dir = tempfile::tempdir().unwrap().keep();
    let first = std::fs::read(fixture("audit-logs.gcloud.json")).unwrap();
    let second = std::fs::read(fixture("cloud-functions.gcloud.json")).unwrap();
    let appended = dir.join("dump.json");
    std::fs::write(&appended, [first, second].concat()).unwrap();
    let alone = |name| total(&report(name), "entries_read");
    let expected = alone("audit-logs.gcloud.json") + alone("cloud-functions.gcloud.json");
    let run = run_bin(&dir, &["report", "dump.json", "--min-severity", "DEFAULT"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_read(&json, expected, 0);
}

#[test]
fn times_copied_by_other_tools_and_queues_by_their_names() {
    let json = report("copied-times-and-queues.ndjson");
    assert_read(&json, 5, 0);
    // Times written as BigQuery and SIEM copies write them are read as UTC.
    assert_eq!(json["window"]["start"], "2025-05-26T09:30:01.125000000Z", "{}", json["window"]);
    assert_eq!(total(&json, "entries_without_time"), 1);
    // The one time nobody could read is said, and the entry kept.
    let skipped = json["skipped"].as_array().unwrap();
    let note = skipped.iter().find(|s| s["reason"] == "time not understood").unwrap();
    assert_eq!((note["entries"].as_u64(), note["read_in_part"].as_u64()), (Some(0), Some(1)));
    // Two queues are two services; Dataflow's project number is not a second project.
    assert_eq!(services(&json), ["email-send", "invoice-render", "orders-ingest", "orders-push"]);
    assert_eq!(json["projects"], serde_json::json!(["quill-prod-4821"]));
    // A task attempt is titled by its target and status, not by its payload's JSON.
    let titles: Vec<&str> = issues(&json).iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"task attempt POST /send UNAVAILABLE"), "{titles:?}");
    assert!(titles.contains(&"task attempt POST /invoice NOT_FOUND"), "{titles:?}");
}

#[test]
fn pubsub_messages_of_a_log_sink_are_read_as_their_entries() {
    // `gcloud pubsub subscriptions pull --format=json`: each LogEntry is a message's base64 data.
    let run = report_with("pubsub-pull.gcloud.json", &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_read(&json, 4, 1);
    assert_eq!(services(&json), ["ledger-api"]);
    let titles: Vec<&str> = issues(&json).iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.starts_with("ledger sync failed")), "{titles:?}");
    // A message that is not a LogEntry is skipped, and said to be one.
    assert_eq!(skipped_reasons(&json), ["not a LogEntry object"]);
    assert!(run.stderr.contains("its keys: ackId, message"), "{}", run.stderr);
}

#[test]
fn entries_split_for_their_size_are_one_event_again() {
    // Two long errors, each split into three LogEntries (`split.uid`, `index`, `totalSplits`).
    let json = report("split-entries.ndjson");
    assert_read(&json, 7, 0);
    let errors: Vec<&Value> = issues(&json).iter().filter(|i| i["severity"] == "ERROR").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["count"], 2);
    let title = errors[0]["title"].as_str().unwrap();
    assert!(title.contains("missing field 'tax_id' in customer record"), "{title}");
}

/// `gcloud logging read` without `--format=json` prints YAML: the same entries read from it give
/// the same report as from the JSON (apart from the input's name, format and size), also when
/// PowerShell's `>` wrote it as UTF-16.
#[test]
fn gcloud_default_yaml_reads_as_its_json() {
    let without_input = |mut json: Value| {
        let input = json["inputs"][0].as_object_mut().unwrap();
        assert_eq!(input.remove("skipped"), Some(Value::from(0)));
        for field in ["path", "bytes"] {
            input.remove(field);
        }
        json["generated_at"] = Value::Null;
        json
    };
    for name in ["cloud-run-service.gcloud", "audit-logs.gcloud"] {
        let from_json = without_input(report(&format!("{name}.json")));
        let mut from_yaml = without_input(report(&format!("{name}.yaml")));
        assert_eq!(from_yaml["inputs"][0]["format"], "gcloud YAML");
        from_yaml["inputs"][0]["format"] = from_json["inputs"][0]["format"].clone();
        assert!(!issues(&from_yaml).is_empty());
        assert_eq!(from_yaml, from_json, "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(fixture("cloud-run-service.gcloud.yaml")).unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(yaml.encode_utf16().flat_map(|u| u.to_le_bytes()));
    std::fs::write(dir.path().join("errors.yaml"), utf16).unwrap();
    let run = run_bin(dir.path(), &["report", "errors.yaml", "--min-severity", "DEFAULT"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["inputs"][0]["format"], "gcloud YAML (UTF-16LE)");
    assert_read(&json, 20, 0);
}

/// `kubectl logs` of services that write their own JSON lines (zap, pino): read as entries, with
/// their levels, times, errors and stacks, each file its service; nothing skipped. The Go panic
/// printed as text after the last JSON line is the crash, one event.
#[test]
fn application_json_lines_are_read_as_entries() {
    let json = report_as_run("app-json");
    assert_books_balance(&json);
    assert_eq!(total(&json, "entries_read"), 23);
    let panic = issue_with(&json, "nil pointer dereference");
    assert_eq!(
        (panic["severity"].as_str(), panic["kind"].as_str()),
        (Some("CRITICAL"), Some("traceback"))
    );
    assert_eq!((panic["count"].as_u64(), panic["entries"].as_u64()), (Some(1), Some(9)));
    assert!(panic["template"].as_str().unwrap().contains("orders.(*Service).Create"), "{panic}");
    assert_eq!(panic["first_seen"], Value::Null, "no line of the panic has a time");
    assert_eq!(total(&json, "entries_skipped"), 0, "{}", json["skipped"]);
    assert_eq!(services(&json), ["checkout", "web"]);
    let pool = issue_with(&json, "failed to acquire connection");
    assert_eq!(pool["title"], "failed to acquire connection: context deadline exceeded");
    assert_eq!((pool["count"].as_u64(), pool["severity"].as_str()), (Some(2), Some("ERROR")));
    assert_eq!(pool["first_seen"], "2025-05-26T10:01:01.208315Z");
    let refused = issue_with(&json, "ECONNREFUSED");
    assert_eq!((refused["kind"].as_str(), refused["count"].as_u64()), (Some("traceback"), Some(2)));
    assert_eq!(refused["services"][0], "web");
    // pino-http's access lines are requests: an issue by route and status, and the service's
    // health counts them.
    let errored = issue_with(&json, "HTTP 503 POST /cart/checkout");
    assert_eq!((errored["kind"].as_str(), errored["count"].as_u64()), (Some("request"), Some(1)));
    let health = json["service_health"].as_array().unwrap();
    let web = health.iter().find(|s| s["service"] == "web").unwrap();
    assert_eq!((web["requests"].as_u64(), web["requests_5xx"].as_u64()), (Some(2), Some(1)));
    let exiting = issue_with(&json, "uncaught exception, exiting");
    assert_eq!(exiting["severity"], "CRITICAL");
    assert_eq!(exiting["first_seen"], "2025-05-26T10:01:42.090Z");
}

/// `kubectl logs --timestamps` of the same container: every line after the time the runtime
/// stamped it with. The JSON lines give the same issues as without the stamps, and the panic's
/// lines, stamped microseconds apart, are one event again, now with a time.
#[test]
fn kubectl_timestamps_before_json_lines_and_a_panic() {
    let plain = std::fs::read_to_string(fixture("app-json/checkout.log")).unwrap();
    let mut stamped = String::new();
    let mut last_ns: i64 = 0;
    for line in plain.lines() {
        last_ns = match serde_json::from_str::<Value>(line) {
            Ok(entry) => (entry["ts"].as_f64().unwrap() * 1e6) as i64 * 1000 + 200_000,
            Err(_) => last_ns + 3_000,
        };
        let at = chrono::DateTime::from_timestamp_nanos(last_ns);
        stamped.push_str(&format!("{} {line}\n", at.format("%Y-%m-%dT%H:%M:%S%.9fZ")));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("checkout.log"), &plain).unwrap();
    std::fs::write(dir.path().join("stamped.log"), &stamped).unwrap();
    let issues_of = |name: &str| {
        let out = format!("out-{name}");
        let run = run_bin(dir.path(), &["report", name, "--out", &out]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let json = run.json();
        assert_books_balance(&json);
        assert_eq!(total(&json, "entries_skipped"), 0, "{}", json["skipped"]);
        issues(&json).clone()
    };
    let (unstamped, stamped) = (issues_of("checkout.log"), issues_of("stamped.log"));
    let summary = |found: &[Value]| -> Vec<(String, String, u64)> {
        let one = |i: &Value| {
            (
                i["title"].as_str().unwrap().to_string(),
                i["severity"].as_str().unwrap().to_string(),
                i["count"].as_u64().unwrap(),
            )
        };
        found.iter().map(one).collect()
    };
    assert_eq!(summary(&stamped), summary(&unstamped));
    let panic = stamped.iter().find(|i| i["kind"] == "traceback").expect("the panic");
    assert_eq!(panic["severity"], "CRITICAL");
    assert!(panic["first_seen"].as_str().unwrap().starts_with("2025-05-26T10:02:40.4"), "{panic}");
}

/// A document gcloud did not write (hand-edited, cut short) is a problem at its line, and the
/// documents around it are read.
#[test]
fn a_broken_yaml_document_is_named_by_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(fixture("cloud-run-service.gcloud.yaml")).unwrap();
    let mut documents: Vec<&str> = yaml.split("---\n").collect();
    let broken = "insertId: x1\nseverity: ERROR\ntextPayload: [unclosed\n";
    documents.insert(3, broken);
    let line = 1 + documents[..3].iter().map(|d| d.lines().count() + 1).sum::<usize>();
    std::fs::write(dir.path().join("errors.yaml"), documents.join("---\n")).unwrap();
    let run = run_bin(dir.path(), &["report", "errors.yaml", "--min-severity", "DEFAULT"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    assert_eq!(total(&json, "entries_read"), 21);
    assert_eq!(total(&json, "entries_skipped"), 1);
    let expected = format!("errors.yaml:line {line}: invalid YAML");
    assert!(run.stderr.contains(&expected), "{expected} in: {}", run.stderr);
    assert!(!run.stderr.contains("unclosed"), "the input is not quoted: {}", run.stderr);
}

/// Every JSON-shaped export (gcloud arrays, API responses with their pages, the Firebase CLI's
/// output, concatenated objects) gives the same report when it is read in chunks of 61 and of
/// 4,096 bytes as when read whole: entries, keys and strings cut at every kind of place, and the
/// value carried over a boundary finished with the next chunk's head. Each file is repeated to
/// some 200 KB (arrays and responses one after another, as `>>` makes them; the copies count as
/// duplicates), since the format is decided on the first 64 KB and only then is a carried value
/// finished that way. UTF-16 files are read as they are.
#[test]
fn json_exports_read_the_same_in_tiny_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let json_shaped = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"));
    let mut read = 0;
    for name in json_shaped {
        let bytes = std::fs::read(fixture(&name)).unwrap();
        let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
        let copies = if utf16 { 1 } else { 200_000usize.div_ceil(bytes.len()) };
        std::fs::write(dir.path().join(&name), bytes.repeat(copies)).unwrap();
        let run = |chunk: &str| {
            let args = ["report", &name, "--min-severity", "DEFAULT", "--out", chunk];
            let env: &[(&str, &str)] =
                if chunk == "whole" { &[] } else { &[("LOG_GARDENER_CHUNK_BYTES", chunk)] };
            let run = run_bin_with_env(dir.path(), &args, env);
            assert_eq!(run.status, 0, "{name}: {}", run.stderr);
            run.json()
        };
        let whole = run("whole");
        assert_books_balance(&whole);
        for chunk in ["61", "4096"] {
            assert_eq!(run(chunk), whole, "{name} in {chunk}-byte chunks");
        }
        read += 1;
    }
    assert!(read >= 10, "the JSON-shaped fixtures ({read})");
}
