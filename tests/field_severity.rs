//! Severities the field tests found misread, through the real binary: pino's numeric levels,
//! GKE's ERROR for every stderr line, klog headers, `LEVEL:` after a prefix, Cloud Functions'
//! timeouts written at DEBUG, killed processes. Each case is a few LogEntries written by the
//! test (invented values, shaped as the runtimes write them), and each has its negative: an
//! informational line stays informational.

mod common;

use common::{assert_books_balance, issues, run_in};
use serde_json::{json, Value};

/// A LogEntry of `log` on `resource` with the payload `(key, value)` and, if given, a severity.
fn entry(
    n: usize,
    resource: &str,
    log: &str,
    severity: Option<&str>,
    payload: (&str, Value),
) -> String {
    let mut e = json!({
        "insertId": format!("e{n:04}"),
        "timestamp": format!("2025-10-14T12:00:{:02}.000000Z", n % 60),
        "logName": format!("projects/acme-prod/logs/{log}"),
        "resource": resource_of(resource),
    });
    e[payload.0] = payload.1;
    if let Some(s) = severity {
        e["severity"] = json!(s);
    }
    e.to_string()
}

fn resource_of(kind: &str) -> Value {
    match kind {
        "k8s_container" => json!({"type": kind, "labels": {"project_id": "acme-prod",
            "namespace_name": "shop", "pod_name": "worker-6d8f9c7b5-x2x4q", "container_name": "worker"}}),
        "cloud_function" => json!({"type": kind, "labels": {"project_id": "acme-prod",
            "function_name": "resize-image", "region": "europe-west1"}}),
        _ => json!({"type": "cloud_run_revision", "labels": {"project_id": "acme-prod",
            "service_name": "api", "revision_name": "api-00042-xyz", "location": "europe-west1"}}),
    }
}

const RUN_STDOUT: &str = "run.googleapis.com%2Fstdout";

fn text(t: &str) -> (&'static str, Value) {
    ("textPayload", json!(t))
}

/// The (severity, title) of every issue of a report over `entries`, with `args` added.
fn issues_of(entries: &[String], args: &[&str]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.ndjson"), entries.join("\n") + "\n").unwrap();
    let mut all = vec!["report", "-q", "--out", "out"];
    all.extend_from_slice(args);
    all.push("in.ndjson");
    let run = run_in(dir.path(), &all);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    let mut found: Vec<(String, String)> = issues(&json)
        .iter()
        .map(|i| (i["severity"].as_str().unwrap().into(), i["title"].as_str().unwrap().into()))
        .collect();
    found.sort();
    found
}

fn severity_of(found: &[(String, String)], title_start: &str) -> String {
    let hits: Vec<&(String, String)> =
        found.iter().filter(|(_, t)| t.starts_with(title_start)).collect();
    assert_eq!(hits.len(), 1, "one issue titled {title_start:?} in {found:#?}");
    hits[0].0.clone()
}

/// pino/bunyan: `level` 50 is ERROR, 60 CRITICAL, 40 WARNING, 30 INFO, as a jsonPayload field of
/// an entry without a severity and as JSON written as text.
#[test]
fn pino_numeric_levels() {
    let payloads = [
        ("jsonPayload", json!({"level": 50, "pid": 1, "msg": "upstream timeout after 3000ms"})),
        ("jsonPayload", json!({"level": 60, "pid": 1, "msg": "cannot bind port, exiting"})),
        ("jsonPayload", json!({"level": 40, "pid": 1, "msg": "slow query detected"})),
        ("jsonPayload", json!({"level": 30, "pid": 1, "msg": "request errored count reset"})),
        text(r#"{"level":50,"time":1760446801000,"msg":"payment provider call failed"}"#),
        text(r#"{"level":30,"time":1760446801000,"msg":"errors: 0 in last sync"}"#),
    ];
    let entries: Vec<String> = payloads
        .into_iter()
        .enumerate()
        .map(|(n, p)| entry(n, "run", RUN_STDOUT, None, p))
        .collect();
    let found = issues_of(&entries, &[]);
    let want = [
        ("CRITICAL", "cannot bind port, exiting"),
        ("ERROR", "payment provider call failed"),
        ("ERROR", "upstream timeout after"),
        ("WARNING", "slow query detected"),
    ];
    assert_eq!(found.len(), want.len(), "{found:#?}");
    for (severity, title) in want {
        assert_eq!(severity_of(&found, title), severity);
    }
    // 30 is INFO: in scope at INFO, as INFO.
    let found = issues_of(&entries, &["--min-severity", "INFO"]);
    assert_eq!(severity_of(&found, "request errored count reset"), "INFO");
    assert_eq!(severity_of(&found, "errors: <*> in last sync"), "INFO");
}

/// GKE gives every stderr line ERROR: a level the line states wins, lower or higher; a line
/// that states none stays ERROR.
#[test]
fn gke_stderr_lines_keep_the_level_they_state() {
    let lines = [
        "INFO:root:Starting pusher on port 8080",
        "[2025-10-14 16:00:04 +0000] [1] [INFO] Booting worker with pid: 8",
        "2025-10-14 16:00:02,100 INFO uvicorn.access 10.0.0.1:1 - \"GET /health HTTP/1.1\" 200",
        "time=\"2025-10-14T16:00:05Z\" level=info msg=\"sync done\" errors=0",
        "[2025-10-14 15:36:00,000: INFO/MainProcess] Task reports.build[aa] succeeded in 2.1s: None",
        "I1014 09:00:02.323456       1 leaderelection.go:258] successfully acquired lease ops/lock",
        "WARNING:pusher.ws:slow consumer session=2",
        "[2025-10-14 15:35:00,000: WARNING/MainProcess] consumer: Connection to broker lost.",
        "ERROR:pusher.ws:send failed: broken pipe",
        "LiteLLM completion() model= claude-x; provider = vertex_ai",
    ];
    let mut entries: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| entry(n, "k8s_container", "stderr", Some("ERROR"), text(l)))
        .collect();
    let json_info = ("jsonPayload", json!({"level": "info", "msg": "cache warmed"}));
    entries.push(entry(20, "k8s_container", "stderr", Some("ERROR"), json_info));
    let found = issues_of(&entries, &[]);
    let want = [
        ("ERROR", "LiteLLM completion()"),
        ("ERROR", "send failed: broken pipe"),
        ("WARNING", "consumer: Connection to broker lost."),
        ("WARNING", "slow consumer session="),
    ];
    assert_eq!(found.len(), want.len(), "{found:#?}");
    for (severity, title) in want {
        assert_eq!(severity_of(&found, title), severity);
    }
    let found = issues_of(&entries, &["--min-severity", "INFO"]);
    for title in
        ["Starting pusher", "Booting worker", "sync done", "Task reports.build", "cache warmed"]
    {
        let hit = found.iter().find(|(_, t)| t.contains(title)).expect(title);
        assert_eq!(hit.0, "INFO", "{title}: {found:#?}");
    }
    assert_eq!(severity_of(&found, "successfully acquired lease"), "INFO");
}

/// klog's header gives the level (`E`, `W`, `I`), and titles start with the message, not with
/// the header's remains (`<*>] ...`).
#[test]
fn klog_headers_give_the_level_and_leave_the_title() {
    let lines = [
        "E1014 09:00:00.123456       1 reflector.go:138] informers/factory.go:150: Failed to watch *v1.Pod: Unauthorized",
        "W1014 09:00:01.223456       1 warnings.go:70] policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+",
        "I1014 09:00:02.323456       1 leaderelection.go:258] successfully acquired lease kube-system/my-operator",
    ];
    let mut entries = Vec::new();
    for round in 0..3 {
        for (n, l) in lines.iter().enumerate() {
            // On GKE's stderr (ERROR for every line) and on Cloud Run's stdout (no severity).
            entries.push(entry(round * 10 + n, "k8s_container", "stderr", Some("ERROR"), text(l)));
            entries.push(entry(round * 10 + n + 5, "run", RUN_STDOUT, None, text(l)));
        }
    }
    let found = issues_of(&entries, &[]);
    assert_eq!(found.len(), 4, "{found:#?}");
    for (severity, title) in &found {
        assert!(!title.starts_with("<*>]"), "{title}");
        let want = if title.contains("deprecated") { "WARNING" } else { "ERROR" };
        assert_eq!(severity, want, "{title}");
        assert!(!title.contains("acquired lease"), "an INFO line is no issue: {title}");
    }
}

/// `LEVEL:` with a colon after a timestamp, a pid or a bracket, as Go's log, PostgreSQL,
/// Laravel, winston, sidekiq and PHP-FPM write it; structlog's and zerolog's console levels.
#[test]
fn levels_followed_by_a_colon_after_a_prefix() {
    let lines = [
        ("2025/10/14 16:20:13 ERROR: could not connect to redis", "ERROR", "could not connect to redis"),
        ("2025-10-14 16:20:13.001 UTC [55] ERROR:  duplicate key value violates unique constraint \"users_email_key\"", "ERROR", "duplicate key value"),
        ("2025-10-14 16:20:13.002 UTC [55] FATAL:  password authentication failed for user \"app\"", "CRITICAL", "password authentication failed"),
        ("[2025-10-14 16:20:13] production.ERROR: queue connection refused {\"exception\":\"x\"}", "ERROR", "queue connection refused"),
        ("2025-10-14T16:20:05.000Z error: charge failed for order 17", "ERROR", "charge failed for order"),
        ("2025-10-14T16:20:19.000Z pid=1 tid=abc class=MailJob jid=123 ERROR: Net::ReadTimeout", "ERROR", "Net::ReadTimeout"),
        ("[14-Oct-2025 13:30:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it", "WARNING", "[pool www] server reached"),
        ("NOTICE: PHP message: PHP Fatal error:  Uncaught PDOException: Connection refused", "ERROR", "PHP Fatal error: Uncaught PDOException"),
        ("2025-10-14 14:00:11 [error    ] webhook delivery failed", "ERROR", "webhook delivery failed"),
        ("4:20PM WRN disk almost full", "WARNING", "disk almost full"),
    ];
    let mut entries: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(n, (l, _, _))| entry(n, "run", RUN_STDOUT, None, text(l)))
        .collect();
    // Informational lines in the same shapes stay out of a WARNING report.
    let quiet = [
        "2025-10-14 16:20:13.003 UTC [55] LOG:  checkpoint complete",
        "2025-10-14T16:20:06.000Z info: server listening on 3000",
        "[2025-10-14 16:20:13] production.INFO: queue drained, errors: 0",
        "4:20PM INF served path=/api/errors",
        "404 error: page not found is a template name",
    ];
    for (n, l) in quiet.iter().enumerate() {
        entries.push(entry(40 + n, "run", RUN_STDOUT, None, text(l)));
    }
    let found = issues_of(&entries, &[]);
    assert_eq!(found.len(), lines.len(), "{found:#?}");
    for (_, severity, title) in lines {
        assert_eq!(severity_of(&found, title), severity, "{title}");
    }
}

/// Cloud Functions (1st gen) writes `finished with status: 'timeout'` at DEBUG: failed statuses
/// are ERROR; `'ok'` and a status code stay DEBUG.
#[test]
fn function_timeouts_and_crashes_are_errors() {
    let log = "cloudfunctions.googleapis.com%2Fcloud-functions";
    let lines = [
        "Function execution took 60003 ms, finished with status: 'timeout'",
        "Function execution took 120 ms, finished with status: 'crash'",
        "Function execution took 88 ms, finished with status: 'connection error'",
        "Function execution took 12 ms, finished with status: 'ok'",
        "Function execution took 88 ms, finished with status code: 200",
        "Function execution started",
    ];
    let entries: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| entry(n, "cloud_function", log, Some("DEBUG"), text(l)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.ndjson"), entries.join("\n") + "\n").unwrap();
    let run = run_in(dir.path(), &["report", "-q", "--out", "out", "in.ndjson"]);
    let json = run.json();
    let found = issues(&json);
    assert!(!found.is_empty() && found.iter().all(|i| i["severity"] == "ERROR"), "{found:#?}");
    let count: u64 = found.iter().map(|i| i["count"].as_u64().unwrap()).sum();
    assert_eq!(count, 3, "timeout, crash, connection error: {found:#?}");
}

/// A process killed (the shell's `Killed`, the OOM killer, systemd) is ERROR; prose that says
/// "killed" is not.
#[test]
fn killed_processes_are_errors() {
    let lines = [
        "Killed",
        "kernel: Out of memory: Killed process 4242 (gunicorn) total-vm:812345kB",
        "Main process exited, code=killed, status=9/KILL",
        "[14-Oct-2025 13:30:00] WARNING: [pool www] child 31 exited on signal 9 (SIGKILL) after 211.4 seconds from start",
        "Killed 3 idle connections",
        "Main process exited, code=exited, status=0/SUCCESS",
        "[14-Oct-2025 13:31:00] NOTICE: [pool www] child 32 exited on signal 15 (SIGTERM) after 80.2 seconds from start",
        "[14-Oct-2025 13:31:00] NOTICE: [pool www] child 33 started",
    ];
    let entries: Vec<String> =
        lines.iter().enumerate().map(|(n, l)| entry(n, "run", RUN_STDOUT, None, text(l))).collect();
    let found = issues_of(&entries, &[]);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found.iter().all(|(s, _)| s == "ERROR"), "{found:#?}");
    let quiet = ["idle", "SUCCESS", "SIGTERM", "started"];
    assert!(found.iter().all(|(_, t)| quiet.iter().all(|q| !t.contains(q))), "{found:#?}");
    // PHP-FPM's prefix is cut as for its other lines.
    assert!(found.iter().any(|(_, t)| t.starts_with("[pool www] child")), "{found:#?}");
}

/// PHP's level wins over its wrapper's: PHP-FPM writes every message of a worker at NOTICE, and
/// PHP-FPM's and Apache's prefixes may say more or less than PHP does. Notices and deprecations
/// are INFO (out of a WARNING report), warnings WARNING, fatal and parse errors ERROR.
#[test]
fn php_levels_inside_their_wrappers() {
    let lines = [
        ("NOTICE: PHP message: PHP Warning:  Undefined array key \"sku\" in /var/www/html/src/Cart.php on line 57", "WARNING"),
        ("[29-Oct-2025 10:00:00 UTC] PHP Parse error:  syntax error, unexpected token \"}\" in /var/www/html/src/Cart.php on line 80", "ERROR"),
        ("[Tue Oct 14 13:20:00.123456 2025] [php:error] [pid 12] [client 10.0.0.1:5555] PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/html/src/Export.php on line 12", "ERROR"),
        ("NOTICE: PHP message: PHP Notice:  Undefined variable $total in /var/www/html/src/Cart.php on line 61", "INFO"),
        ("NOTICE: PHP message: PHP Deprecated:  strlen(): Passing null to parameter #1 ($string) of type string is deprecated in /var/www/html/src/Cart.php on line 9", "INFO"),
        ("[Tue Oct 14 13:20:00.123456 2025] [php:notice] [pid 12] [client 10.0.0.1:5555] PHP Deprecated:  Creation of dynamic property App\\Cart::$x is deprecated in /var/www/html/src/Cart.php on line 20", "INFO"),
    ];
    let entries: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(n, (l, _))| entry(n, "run", "run.googleapis.com%2Fstderr", None, text(l)))
        .collect();
    let found = issues_of(&entries, &[]);
    assert_eq!(found.len(), 3, "only the warning and the errors: {found:#?}");
    let all = issues_of(&entries, &["--min-severity", "DEBUG"]);
    assert_eq!(all.len(), lines.len(), "{all:#?}");
    for (line, want) in lines {
        // The message starts at PHP's head, the wrapper cut off.
        let at = ["Warning", "Parse", "Fatal", "Notice", "Deprecated"]
            .iter()
            .find_map(|h| line.find(&format!("PHP {h}")))
            .unwrap();
        let title = &line[at..at + 12];
        let hits: Vec<_> = all.iter().filter(|(_, t)| t.starts_with(title)).collect();
        assert!(hits.iter().any(|(s, _)| s == want), "{line}: {hits:#?}");
    }
}

/// A message cut after its prefix still goes through the redactor.
#[test]
fn messages_after_a_stripped_prefix_are_redacted() {
    let lines = [
        "2025/10/14 16:20:13 ERROR: login failed password=hunter2 for alice@example.com",
        "E1014 09:00:00.123456       1 auth.go:88] token rejected: Bearer abcdefghijklmnopqrstuvwxyz0123456789",
    ];
    let entries: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| entry(n, "k8s_container", "stderr", Some("ERROR"), text(l)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.ndjson"), entries.join("\n") + "\n").unwrap();
    let run = run_in(dir.path(), &["report", "-q", "--out", "out", "in.ndjson"]);
    let md = run.markdown();
    let json = std::fs::read_to_string(run.file_with_ext("json")).unwrap();
    for secret in ["hunter2", "alice@example.com", "abcdefghijklmnopqrstuvwxyz0123456789"] {
        assert!(!md.contains(secret) && !json.contains(secret), "{secret} leaked");
    }
    assert_eq!(issues(&run.json()).len(), 2);
}
