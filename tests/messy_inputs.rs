//! Real exports are messy: cut-off arrays, broken lines, bad bytes, the wrong format, duplicates.
//! Each case gets a clear message naming the file and position, the rest is still read, and the
//! books balance.

mod common;

use common::*;
use std::fs;

fn three_entries() -> Vec<String> {
    vec![
        entry(
            "a1",
            "2025-09-11T05:00:01.123Z",
            Some("ERROR"),
            "api",
            "Failed to connect to Redis at 10.0.0.5:6379",
        ),
        entry("a2", "2025-09-11T05:00:02.5Z", Some("WARNING"), "api", "slow request 1200ms"),
        entry(
            "a3",
            "2025-09-11T05:00:03Z",
            Some("ERROR"),
            "api",
            "Failed to connect to Redis at 10.0.0.6:6379",
        ),
    ]
}

#[test]
fn a_cut_off_gcloud_array_keeps_every_complete_entry() {
    let dir = tempfile::tempdir().unwrap();
    let full = format!("[\n{}\n]\n", three_entries().join(",\n"));
    let cut_at = full.rfind("Failed").unwrap();
    fs::write(dir.path().join("cut.json"), &full[..cut_at]).unwrap();
    let run = run_in(dir.path(), &["report", "cut.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("cut.json:line 4, byte"), "{}", run.stderr);
    assert!(run.stderr.contains("export cut off"), "{}", run.stderr);
    let json = run.json();
    assert_eq!((total(&json, "entries_read"), total(&json, "entries_skipped")), (3, 1));
    assert_eq!(total(&json, "entries_in_scope"), 2);
    assert_books_balance(&json);
    assert_eq!(json["skipped"][0]["reason"], "export cut off");
}

#[test]
fn broken_lines_bad_bytes_and_nul_in_ndjson_are_reported_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let e = three_entries();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(e[0].as_bytes());
    bytes.extend_from_slice(b"\n{\"insertId\": \"broken\", \"severity\": \n");
    // Invalid UTF-8 inside a message: the entry is read, with U+FFFD, and noted.
    bytes.extend_from_slice(e[1].replace("slow", "sl\u{1}ow").replace('\u{1}', "").as_bytes());
    let pos = bytes.len() - 20;
    bytes.insert(pos, 0xff);
    bytes.extend_from_slice(b"\n{\"insertId\": \"nul\", \"textPayload\": \"a\x00b\"}\n");
    bytes.extend_from_slice(e[2].as_bytes());
    bytes.push(b'\n');
    fs::write(dir.path().join("sink.json"), &bytes).unwrap();

    let run = run_in(dir.path(), &["report", "sink.json", "--min-severity", "DEFAULT"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("sink.json:line 2, byte"), "{}", run.stderr);
    assert!(run.stderr.contains("sink.json:line 4, byte"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid UTF-8"), "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "entries_read"), 5);
    assert_eq!(total(&json, "entries_skipped"), 2);
    assert_eq!(total(&json, "entries_in_scope"), 3);
    assert_books_balance(&json);
    let reasons: Vec<&str> =
        json["skipped"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"entry cut off") || reasons.contains(&"invalid JSON"), "{reasons:?}");
    assert!(reasons.contains(&"control character (such as NUL) inside a string"), "{reasons:?}");
}

/// `gcloud logging read` without `--format=json` prints YAML; piped straight in, it is read.
/// YAML that is not entries (a service's configuration) is still skipped with the reason.
#[test]
fn yaml_from_gclouds_default_format_is_read_and_other_yaml_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let dump = "insertId: abc\nseverity: ERROR\ntextPayload: 'payment failed: card_declined'\n\
                timestamp: '2025-05-26T10:00:00Z'\n---\ninsertId: abd\nseverity: ERROR\n\
                textPayload: 'payment failed: card_declined'\ntimestamp: '2025-05-26T10:01:00Z'\n";
    let run = run_with_stdin(dir.path(), &["report", "-"], dump.as_bytes());
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["inputs"][0]["format"], "gcloud YAML");
    assert_eq!(total(&json, "entries_read"), 2);
    assert_eq!(issues(&json).len(), 1);
    assert_eq!(issues(&json)[0]["count"], 2);
    assert_eq!(issues(&json)[0]["title"], "payment failed: card_declined");

    fs::write(dir.path().join("service.yaml"), "service: ledger-api\nenv:\n  LOG_LEVEL: WARNING\n")
        .unwrap();
    let run = run_in(dir.path(), &["report", "service.yaml"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("service.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("YAML (configuration), not a log export"), "{}", run.stderr);
}

/// A Python service logging JSON lines dies of an exception that the interpreter prints as text
/// between them: the traceback's lines are one event, keyed by its stack, and the JSON lines
/// before and after it are read as they are.
#[test]
fn a_traceback_printed_between_json_lines_is_one_event() {
    let log = r#"{"levelname": "ERROR", "asctime": "2025-05-26T10:00:01Z", "message": "upload failed", "service": "ingest"}
Traceback (most recent call last):
  File "/app/main.py", line 12, in <module>
    run()
  File "/app/main.py", line 9, in run
    raise RuntimeError("queue closed")
RuntimeError: queue closed
{"levelname": "INFO", "asctime": "2025-05-26T10:00:09Z", "message": "restarted", "service": "ingest"}
{"levelname": "ERROR", "asctime": "2025-05-26T10:00:10Z", "message": "upload failed", "service": "ingest"}
"#;
    let json = report_on("ingest.log", log);
    assert_eq!(total(&json, "entries_read"), 9);
    assert_eq!(total(&json, "entries_skipped"), 0, "{}", json["skipped"]);
    let found = issues(&json);
    let crash = found.iter().find(|i| i["kind"] == "traceback").expect("the traceback");
    assert_eq!((crash["entries"].as_u64(), crash["severity"].as_str()), (Some(6), Some("ERROR")));
    assert!(crash["title"].as_str().unwrap().starts_with("RuntimeError: queue closed"), "{crash}");
    let upload = found.iter().find(|i| i["title"] == "upload failed").expect("the JSON error");
    assert_eq!(upload["count"], 2);
    assert_eq!(upload["services"][0], "ingest");
}

/// `gcloud logging read ... > dump.json 2>&1` puts gcloud's warnings and update notice before
/// the JSON: they are stepped over and named in the input's format; the entries are all read.
#[test]
fn gclouds_own_messages_before_the_json_are_stepped_over() {
    let entry = |id: &str| {
        format!(
            r#"{{"insertId": "{id}", "severity": "ERROR", "textPayload": "boom", "timestamp": "2025-05-26T10:00:00Z"}}"#
        )
    };
    let dump = format!(
        "WARNING: Reauthentication required.\nUpdates are available for some Google Cloud CLI \
         components.  To install them,\nplease run:\n  $ gcloud components update\n\n[\n{},\n{}\n]\n",
        entry("a1"),
        entry("a2")
    );
    let json = report_on("dump.json", &dump);
    assert_eq!((total(&json, "entries_read"), total(&json, "entries_skipped")), (2, 0));
    let format = json["inputs"][0]["format"].as_str().unwrap();
    assert!(format.starts_with("JSON array, after 5 lines of gcloud's own messages"), "{format}");
    assert_eq!(issues(&json)[0]["count"], 2);
}

/// Cloud Logging's structured-logging lines as a program writes them to stdout, saved before any
/// agent read them: `timestamp` and `severity` are LogEntry fields, `message` is not; the line
/// is read as the application's, titled by its message. Python's logging times read too.
#[test]
fn structured_logging_lines_saved_from_stdout_are_titled_by_their_message() {
    let lines = r#"{"severity": "ERROR", "message": "charge failed: card_declined", "timestamp": "2025-05-26T10:00:03Z", "logging.googleapis.com/trace": "projects/p/traces/abc"}
{"severity": "ERROR", "message": "charge failed: card_declined", "timestamp": "2025-05-26T10:00:09Z"}
{"asctime": "2025-05-26 10:00:11,250", "levelname": "WARNING", "name": "billing.retry", "message": "retrying charge"}
"#;
    let json = report_on("billing.log", lines);
    let found = issues(&json);
    let titles: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap(),
                i["count"].as_u64().unwrap(),
                i["first_seen"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("charge failed: card_declined", 2, "2025-05-26T10:00:03Z"),
            ("retrying charge", 1, "2025-05-26T10:00:11.250Z")
        ]
    );
    assert_eq!(found[0]["services"][0], "billing");
}

#[test]
fn nothing_readable_is_exit_1_and_an_empty_file_beside_good_input_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.json"), "").unwrap();
    let run = run_in(dir.path(), &["report", "empty.json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("empty.json"), "{}", run.stderr);

    // An empty gcloud array and an empty API response: each named, with what it was.
    fs::write(dir.path().join("none.json"), "[]\n").unwrap();
    fs::write(dir.path().join("page.json"), r#"{"entries": []}"#).unwrap();
    let run = run_in(dir.path(), &["report", "none.json", "page.json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("none.json: JSON array, no entries"), "{}", run.stderr);
    assert!(run.stderr.contains("page.json: no entries in the response"), "{}", run.stderr);

    let run = run_in(dir.path(), &["report", "missing.json"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("missing.json") && run.stderr.contains("could not be read"),
        "{}",
        run.stderr
    );

    fs::write(dir.path().join("good.json"), three_entries().join("\n")).unwrap();
    let run = run_in(dir.path(), &["report", "empty.json", "good.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["skipped"][0]["reason"], "empty input");
    assert_eq!(total(&json, "entries_read"), 3);
}

#[test]
fn a_folder_with_binary_and_unreadable_files_still_gives_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir_all(logs.join("nested")).unwrap();
    fs::write(logs.join("nested/good.json"), three_entries().join("\n")).unwrap();
    let binary: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(logs.join("image.bin"), binary).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(logs.join("gone.json"), logs.join("dangling.json")).unwrap();

    let run = run_in(dir.path(), &["report", "logs"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("image.bin") && run.stderr.contains("binary"), "{}", run.stderr);
    #[cfg(unix)]
    assert!(
        run.stderr.contains("dangling.json") && run.stderr.contains("could not be read"),
        "{}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(total(&json, "entries_read"), 3);
    assert_eq!(total(&json, "files_read"), 1, "only good.json could be read");
    let expected_inputs = if cfg!(unix) { 3 } else { 2 };
    assert_eq!(json["inputs"].as_array().unwrap().len(), expected_inputs, "every input is listed");
    assert_books_balance(&json);
}

#[test]
fn overlapping_exports_count_each_entry_once() {
    let dir = tempfile::tempdir().unwrap();
    let e = three_entries();
    fs::write(dir.path().join("monday.json"), format!("[{}]", e[..2].join(","))).unwrap();
    fs::write(dir.path().join("tuesday.json"), e[1..].join("\n")).unwrap();
    let run = run_in(dir.path(), &["report", "monday.json", "tuesday.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "entries_read"), 4);
    assert_eq!(total(&json, "duplicates"), 1);
    assert_eq!(total(&json, "entries_in_scope"), 3);
    assert_books_balance(&json);
    assert!(run.markdown().contains("| Duplicates dropped | 1 |"));
}

#[test]
fn concatenated_objects_on_stdin_and_odd_fields() {
    let dir = tempfile::tempdir().unwrap();
    let input = r#"{
  "insertId": "p1",
  "protoPayload": {"status": {"message": "Permission denied on resource project x"}, "methodName": "storage.objects.get"},
  "severity": 500,
  "logName": "projects/proj/logs/cloudaudit.googleapis.com%2Factivity"
}
{
  "insert_id": "p2",
  "text_payload": "ERROR:app.worker:job 42 failed",
  "receive_timestamp": "2025-09-11T05:00:00.123456789Z",
  "resource": {"labels": {"job_name": "nightly", "execution_name": "nightly-x1"}}
}
"#;
    let run = run_with_stdin(dir.path(), &["report", "-"], input.as_bytes());
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["inputs"][0]["path"], "-");
    assert_eq!(json["inputs"][0]["format"], "concatenated JSON objects");
    assert_eq!(total(&json, "entries_in_scope"), 2);
    assert_eq!(total(&json, "entries_without_time"), 1);
    let issues = issues(&json);
    let audit = issues
        .iter()
        .find(|i| i["template"].as_str().unwrap().contains("Permission denied"))
        .unwrap();
    assert_eq!(audit["severity"], "ERROR");
    // An audit log names its service in protoPayload.serviceName; this one has none and no
    // resource, and a Google log name is not a service (docs/resources.md).
    assert_eq!(audit["services"][0], "unknown");
    let job = issues.iter().find(|i| i["services"][0] == "nightly").unwrap();
    assert_eq!(job["severity"], "ERROR", "inferred from the ERROR: prefix");
    assert_eq!(job["first_seen"], "2025-09-11T05:00:00.123456789Z");
    assert_eq!(job["components"][0], "app.worker");
}

#[test]
fn logs_explorer_csv_download_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "timestamp,severity,resource.labels.service_name,jsonPayload.message,insertId\n\
               2025-09-11T05:00:01Z,ERROR,api,\"Failed to connect to Redis at 10.0.0.5:6379, retrying\",c1\n\
               2025-09-11T05:00:02Z,ERROR,api,\"Failed to connect to Redis at 10.0.0.7:6379, retrying\",c2\n\
               2025-09-11T05:00:03Z,INFO,api,started,c3\n";
    fs::write(dir.path().join("downloaded-logs.csv"), csv).unwrap();
    let run = run_in(dir.path(), &["report", "downloaded-logs.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["inputs"][0]["format"], "Logs Explorer CSV");
    assert_eq!(total(&json, "entries_read"), 3);
    assert_eq!(total(&json, "below_min_severity"), 1);
    assert_eq!(issues(&json).len(), 1);
    assert_eq!(issues(&json)[0]["count"], 2);
}

#[test]
fn a_huge_message_is_cut_and_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(3_000_000);
    let line =
        entry("big", "2025-09-11T05:00:00Z", Some("ERROR"), "api", &format!("payload dump {big}"));
    fs::write(dir.path().join("big.json"), line).unwrap();
    let run = run_in(dir.path(), &["report", "big.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "entries_in_scope"), 1);
    let md = run.markdown();
    assert!(md.len() < 100_000, "the report stays readable: {} bytes", md.len());
}

#[test]
fn command_line_mistakes_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["report"],
        vec!["report", "x.json", "--min-severity", "LOUD"],
        vec!["report", "x.json", "--format", "pdf"],
        vec!["report", "x.json", "--threads", "0"],
        vec!["frobnicate"],
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
}

#[test]
fn bad_since_and_line_format_are_command_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.json"), three_entries().join("\n")).unwrap();
    let run = run_in(dir.path(), &["report", "good.json", "--since", "yesterday"]);
    assert_eq!(run.status, 2, "a wrong command line exits 2: {}", run.stderr);
    assert!(run.stderr.contains("--since") && run.stderr.contains("RFC 3339"), "{}", run.stderr);
    let run = run_in(dir.path(), &["report", "good.json", "--line-format", "<Date> <Level>"]);
    assert_eq!(run.status, 2, "a wrong command line exits 2: {}", run.stderr);
    assert!(
        run.stderr.contains("--line-format") && run.stderr.contains("Content"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_cut_off_gzip_download_keeps_what_decompressed() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..400)
        .map(|i| {
            entry(
                &format!("g{i}"),
                "2025-09-11T05:00:00Z",
                Some("ERROR"),
                "api",
                &format!("job {i} failed"),
            )
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, lines.join("\n").as_bytes()).unwrap();
    let full = gz.finish().unwrap();
    fs::write(dir.path().join("cut.json.gz"), &full[..full.len() * 2 / 3]).unwrap();
    let run = run_in(dir.path(), &["report", "cut.json.gz"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("gzip cut off"), "{}", run.stderr);
    let json = run.json();
    let read = total(&json, "entries_read");
    assert!(read > 100 && read < 400, "{read} entries before the cut");
    assert_books_balance(&json);
}
