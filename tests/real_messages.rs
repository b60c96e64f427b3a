//! The message fixtures (`tests/fixtures/messages/`, whose README says what each imitates and
//! what an engineer reading the raw log expects) through the real binary: split stack traces
//! joined into one event, severities read from the text, audit logs keyed by their call, titles
//! told apart, one event written twice counted once, `--assignments` naming every entry.

mod common;

use common::{assert_books_balance, issues, run_in};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One issue of a report, with its entries as 1-based line numbers of the fixture.
#[derive(Debug)]
struct Found {
    title: String,
    severity: String,
    kind: String,
    count: u64,
    entries: Vec<usize>,
    template: String,
    examples: Vec<String>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages").join(name)
}

/// Runs the report on a fixture (with `args`), checks its books, and returns its issues.
fn report(name: &str, args: &[&str]) -> Vec<Found> {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(name);
    let csv = dir.path().join("a.csv");
    let mut all = vec!["report", "-q", "--out", "out", "--assignments", csv.to_str().unwrap()];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    let run = run_in(dir.path(), &all);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    let line_of: HashMap<String, usize> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["insertId"].as_str().unwrap().to_string(), i + 1)
        })
        .collect();
    let mut entries_of: HashMap<String, Vec<usize>> = HashMap::new();
    let text = std::fs::read_to_string(&csv).unwrap();
    for row in text.lines().skip(1) {
        let (entry, issue) = row.rsplit_once(',').unwrap();
        entries_of.entry(issue.to_string()).or_default().push(line_of[entry.trim_matches('"')]);
    }
    issues(&json)
        .iter()
        .map(|i| {
            let mut entries = entries_of.remove(i["id"].as_str().unwrap()).unwrap_or_default();
            entries.sort();
            Found {
                title: i["title"].as_str().unwrap().to_string(),
                severity: i["severity"].as_str().unwrap().to_string(),
                kind: i["kind"].as_str().unwrap().to_string(),
                count: i["count"].as_u64().unwrap(),
                entries,
                template: i["template"].as_str().unwrap().to_string(),
                examples: i["examples"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_string())
                    .collect(),
            }
        })
        .collect()
}

fn range(a: usize, b: usize) -> Vec<usize> {
    (a..=b).collect()
}

fn only<'a>(found: &'a [Found], title_start: &str) -> &'a Found {
    let matching: Vec<&Found> = found.iter().filter(|f| f.title.starts_with(title_start)).collect();
    assert_eq!(matching.len(), 1, "one issue titled {title_start:?} in {found:#?}");
    matching[0]
}

#[test]
fn a_chained_traceback_split_per_line_is_one_error_with_its_whole_copy() {
    let found = report("flask-sqlalchemy-split-traceback.ndjson", &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let crash = &found[0];
    assert_eq!((crash.severity.as_str(), crash.kind.as_str()), ("ERROR", "traceback"));
    assert!(
        crash.title.starts_with("sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError)"),
        "{}",
        crash.title
    );
    // Entries 1-100 (the split stderr copy, its head before the export) and 101 (the whole
    // traceback from the JSON handler): one crash, counted once, every entry assigned.
    assert_eq!(crash.count, 1);
    assert_eq!(crash.entries, range(1, 101));
    // Its example starts where the export starts: inside the first part of the chain.
    assert!(crash.examples.iter().any(|e| e.starts_with("    first_packet = ")));
}

#[test]
fn node_java_and_go_stacks_are_one_event_each() {
    let node = report("node-stack-per-line.ndjson", &[]);
    assert_eq!(node.len(), 1, "{node:#?}");
    assert!(node[0].title.starts_with("Error: quote service returned"), "{}", node[0].title);
    assert_eq!((node[0].severity.as_str(), node[0].count), ("ERROR", 1));
    assert_eq!(node[0].entries, range(2, 9));

    let java = report("java-stack-per-line.ndjson", &[]);
    assert_eq!(java.len(), 3, "{java:#?}");
    let crash = only(&java, "java.lang.IllegalStateException: inventory sync aborted");
    assert_eq!((crash.severity.as_str(), crash.kind.as_str()), ("ERROR", "traceback"));
    assert_eq!(crash.entries, range(4, 30));
    assert!(crash.template.contains("root cause java.net.ConnectException"), "{}", crash.template);
    assert_eq!(only(&java, "attempt <*> failed").entries, vec![3]);
    assert_eq!(only(&java, "Container called exit").severity, "WARNING");

    let go = report("go-panic-per-line.ndjson", &[]);
    let panic =
        only(&go, "panic: runtime error: invalid memory address or nil pointer dereference");
    assert_eq!((panic.severity.as_str(), panic.count), ("CRITICAL", 1));
    assert_eq!(panic.entries, range(3, 11));
    assert_eq!(go.len(), 2, "{go:#?}");
}

#[test]
fn a_pydantic_validation_crash_keeps_its_reason_and_counts_per_instance() {
    let found = report("pydantic-validation.ndjson", &[]);
    assert_eq!(found.len(), 2, "{found:#?}");
    let crash = only(&found, "pydantic_core._pydantic_core.ValidationError: <*> validation error");
    assert_eq!(crash.count, 2);
    let mut expected = range(1, 11);
    expected.extend(range(13, 23));
    assert_eq!(crash.entries, expected);
    assert!(crash
        .examples
        .iter()
        .all(|e| e.contains("stripe_webhook_secret") && e.contains("Field required")));
    assert_eq!(only(&found, "Container called exit").count, 2);
}

#[test]
fn severities_hidden_in_json_text_are_found() {
    let found = report("structlog-json-stdout.ndjson", &[]);
    let titles: BTreeSet<&str> = found.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(found.len(), 6, "{titles:#?}");
    assert!(found.iter().all(|f| f.severity == "ERROR" && f.count == 1), "{found:#?}");
    assert!(only(&found, "payment capture failed").template.contains("ReadTimeout"));
    only(&found, "google.api_core.exceptions.PermissionDenied: <*> Permission");
    only(&found, "refund webhook rejected: signature mismatch");
    assert_eq!(only(&found, "refund failed").entries, range(6, 13));
    assert_eq!(only(&found, "ledger sync failed").entries, vec![14]);
    // GKE's INFO for a stdout line, contradicted by the `"level": "error"` in its rest.
    assert_eq!(only(&found, "reconciliation mismatch").entries, vec![15, 16]);
}

#[test]
fn coloured_levels_are_read_and_colours_never_reach_a_title() {
    let found = report("nestjs-ansi.ndjson", &[]);
    assert_eq!(found.len(), 4, "{found:#?}");
    for f in &found {
        assert!(!f.title.contains('\u{1b}') && !f.template.contains('\u{1b}'), "{f:?}");
        assert!(!f.template.contains("[<*>"), "{f:?}");
    }
    let refused = only(&found, "Error: connect ECONNREFUSED");
    assert_eq!((refused.severity.as_str(), refused.entries.clone()), ("ERROR", range(7, 9)));
    assert_eq!(only(&found, "webhook signature verification failed").entries, vec![12]);
    assert_eq!(only(&found, "price cache miss").severity, "WARNING");
    assert_eq!(only(&found, "retry budget low").severity, "WARNING");
}

#[test]
fn a_failed_build_logged_at_info_is_one_error() {
    let found = report("cloud-build-failed.ndjson", &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let build = &found[0];
    assert!(build.title.starts_with("build step <*> failed: step exited"), "{}", build.title);
    assert_eq!((build.severity.as_str(), build.count), ("ERROR", 1));
    assert_eq!(build.entries, range(25, 30));
    assert!(build.examples[0].contains("No matching distribution found for sqlalchemy"));
}

#[test]
fn audit_logs_are_keyed_by_service_method_and_status() {
    let denied = report("compute-audit.ndjson", &[]);
    let calls: Vec<(&str, Vec<usize>)> =
        denied.iter().map(|f| (f.title.as_str(), f.entries.clone())).collect();
    assert_eq!(
        calls,
        vec![
            ("v1.compute.instances.setMetadata PERMISSION_DENIED", vec![24, 25, 43]),
            ("v1.compute.projects.setCommonInstanceMetadata PERMISSION_DENIED", vec![26, 27]),
            (
                "google.monitoring.dashboard.v1.DashboardsService.UpdateDashboard PERMISSION_DENIED",
                vec![28, 29]
            ),
            ("v1.compute.instances.stop PERMISSION_DENIED", vec![44]),
        ]
    );
    for f in &denied {
        assert_eq!(f.kind, "audit");
        assert!(f.examples.iter().all(|e| !e.contains("@example.com")), "{:?}", f.examples);
    }
    // Successful operations: one group per method, a first/last pair counted once.
    let all = report("compute-audit.ndjson", &["--min-severity", "NOTICE"]);
    assert_eq!(all.len(), 9, "{all:#?}");
    let set_metadata = only(&all, "v1.compute.instances.setMetadata OK");
    assert_eq!((set_metadata.count, set_metadata.entries.len()), (8, 16));
    assert!(all.iter().all(|f| f.title != "<*>"));
}

#[test]
fn slow_queries_are_told_apart_by_their_statement() {
    let found = report("cloudsql-slow.ndjson", &["--min-severity", "INFO"]);
    let shapes: Vec<(&str, usize)> =
        found.iter().map(|f| (f.title.as_str(), f.entries.len())).collect();
    assert_eq!(
        shapes,
        vec![
            ("SELECT id, external_ref, status, total_cents, created_at FROM orders WHERE customer_id = ? ORDER BY …", 18),
            ("UPDATE inventory SET reserved = reserved + ?, updated_at = NOW() WHERE sku = ?", 12),
            ("SELECT o.currency, COUNT(*) AS orders, SUM(oi.quantity * oi.unit_cents) AS revenue_cents FROM …", 9),
            ("DELETE FROM sessions WHERE expires_at < ? LIMIT ?", 5),
            ("INSERT INTO audit_events (actor_id, action, entity, entity_id, created_at) VALUES (...)", 3),
        ]
    );
    assert_eq!(
        found[0].template,
        "SELECT id, external_ref, status, total_cents, created_at FROM orders WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?"
    );
    assert_eq!(found[4].entries, vec![7, 15, 22]);
}

#[test]
fn one_event_written_by_two_handlers_counts_once() {
    let found = report("same-event-two-handlers.ndjson", &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let capture = &found[0];
    assert_eq!(capture.title, "capture failed for order <*>: provider timeout after <*>");
    assert_eq!((capture.count, capture.entries.clone()), (3, vec![1, 2, 5, 6, 7, 8]));
}

#[test]
fn a_traceback_logged_line_by_line_at_error_is_one_event() {
    let found = report("vertex-one-failure-many-entries.ndjson", &[]);
    let crash = only(&found, "FileNotFoundError: [Errno <*>] No such file or directory");
    assert_eq!((crash.count, crash.entries.clone()), (1, range(4, 9)));
    // The service's own report of the replica's exit, 73 s later in another log, stays an issue
    // of its own (docs/grouping.md, "Events, not lines").
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn no_report_shows_two_issues_under_one_title() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ndjson"))
        .collect();
    names.sort();
    for name in names {
        let found = report(&name, &["--min-severity", "DEFAULT"]);
        let mut seen = BTreeSet::new();
        for f in &found {
            assert!(seen.insert(f.title.as_str()), "{name}: two issues titled {:?}", f.title);
            assert!(f.title.replace("<*>", "").trim().len() > 3, "{name}: {:?}", f.title);
        }
    }
}

/// The issue's case: a 6-line traceback written 6 times, its first entry holding the first lines
/// with a severity (as Google's exception detector writes them), the rest one per entry. Every
/// entry names the issue: 36 rows, not 6.
#[test]
fn assignments_list_every_continuation_entry() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "Traceback (most recent call last):\n  File \"/app/main.py\", line 3, in <module>\n    run()",
        "    ^^^^^",
        "  File \"/app/jobs.py\", line 9, in run",
        "    totals[key] += 1",
        "    ~~~~~~^^^^^",
        "KeyError: 'eu'",
    ];
    let mut dump = String::new();
    for t in 0..6 {
        for (j, text) in lines.iter().enumerate() {
            let mut e = serde_json::json!({
                "insertId": format!("id-{t}-{j}"),
                "timestamp": format!("2025-10-14T09:1{t}:03.{:06}Z", 100_000 + j * 5),
                "logName": "projects/p/logs/run.googleapis.com%2Fstderr",
                "resource": {"type": "cloud_run_revision", "labels": {"service_name": "jobs", "revision_name": "jobs-1", "project_id": "p"}},
                "labels": {"instanceId": "i-1"},
                "textPayload": text,
            });
            if j == 0 {
                e["severity"] = "ERROR".into();
            }
            dump.push_str(&format!("{e}\n"));
        }
    }
    std::fs::write(dir.path().join("six.ndjson"), dump).unwrap();
    let run = run_in(dir.path(), &["report", "-q", "--assignments", "a.csv", "six.ndjson"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let csv = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 36);
    let issues_named: BTreeSet<&str> = rows.iter().map(|r| r.rsplit(',').next().unwrap()).collect();
    assert_eq!(issues_named.len(), 1);
    let json = run.json();
    assert_eq!(issues(&json)[0]["count"], 6);
    assert!(issues(&json)[0]["title"].as_str().unwrap().starts_with("KeyError"));
}
