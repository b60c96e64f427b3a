//! The worklog is valid GitHub-flavored Markdown with the reference's structure: parsed with
//! comrak, its headings and tables are checked, not just substrings.

mod common;

use common::*;
use comrak::nodes::{AstNode, NodeValue};
use comrak::{parse_document, Arena};
use log_gardener::render::html::gfm_options;
use std::fs;

/// The plain text under a node (text and inline code).
fn text_of<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        match &d.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            _ => {}
        }
    }
    out
}

struct Doc {
    headings: Vec<(u8, String)>,
    /// Tables as rows of cell texts, header row first.
    tables: Vec<Vec<Vec<String>>>,
}

fn parse(md: &str) -> Doc {
    let arena = Arena::new();
    let root = parse_document(&arena, md, &gfm_options());
    let mut doc = Doc { headings: Vec::new(), tables: Vec::new() };
    for node in root.descendants() {
        let value = node.data().value.clone();
        match value {
            NodeValue::Heading(h) => doc.headings.push((h.level, text_of(node))),
            NodeValue::Table(_) => {
                let rows = node
                    .children()
                    .map(|row| {
                        row.children().map(|cell| text_of(cell).trim().to_string()).collect()
                    })
                    .collect();
                doc.tables.push(rows);
            }
            _ => {}
        }
    }
    doc
}

/// The table whose header row starts with these cells.
fn table_with_header<'d>(doc: &'d Doc, header: &[&str]) -> &'d Vec<Vec<String>> {
    doc.tables
        .iter()
        .find(|t| t[0].len() >= header.len() && t[0].iter().zip(header).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no table headed {header:?}"))
}

#[test]
fn the_sample_worklog_has_the_reference_structure() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let run = run_in(
        root,
        &["report", "samples/netra-staging.json", "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    let doc = parse(&run.markdown());

    assert_eq!(doc.headings[0], (1, "Log Gardener Worklog - netra-staging".to_string()));
    let h2: Vec<&str> = doc.headings.iter().filter(|h| h.0 == 2).map(|h| h.1.as_str()).collect();
    assert_eq!(
        h2,
        [
            "Summary",
            "Discovered Issues Summary",
            "Correlated Issues",
            "Timeline",
            "Priority Assessment",
            "Summary Metrics",
            "Processing Results"
        ]
    );

    // One H3 per issue, numbered in order, with the JSON's titles.
    let issue_headings: Vec<&str> = doc
        .headings
        .iter()
        .filter(|h| h.0 == 3 && h.1.starts_with("Issue "))
        .map(|h| h.1.as_str())
        .collect();
    let issues = issues(&json);
    assert_eq!(issue_headings.len(), issues.len());
    for (i, (heading, issue)) in issue_headings.iter().zip(issues).enumerate() {
        assert_eq!(*heading, format!("Issue {}: {}", i + 1, issue["title"].as_str().unwrap()));
    }
    // Priority groups in order, P0 first.
    let groups: Vec<&str> = doc
        .headings
        .iter()
        .filter(|h| h.1.starts_with('P') && h.0 == 3)
        .map(|h| h.1.as_str())
        .collect();
    assert!(!groups.is_empty());
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted);

    // Error distribution: one row per severity in scope, counts adding up to the events.
    let dist = table_with_header(&doc, &["Severity", "Count"]);
    assert_eq!(dist[0], ["Severity", "Count", "Primary Components"]);
    let sum: u64 = dist[1..].iter().map(|r| r[1].replace(',', "").parse::<u64>().unwrap()).sum();
    assert_eq!(sum, total(&json, "events_in_scope"));

    // Service health: one row per service, each with a status.
    let health = table_with_header(&doc, &["Service", "Status"]);
    assert_eq!(health.len() - 1, json["services"].as_array().unwrap().len());
    for row in &health[1..] {
        assert!(
            ["OPERATIONAL", "DEGRADED", "FAILING", "DOWN"].iter().any(|s| row[1].ends_with(s)),
            "{row:?}"
        );
    }

    // Component health: a component whose issue is P0 is FAILING, and the table shows each.
    let components = table_with_header(&doc, &["Service", "Component", "Status"]);
    let health_of = |service: &str, component: &str| -> String {
        json["component_health"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["service"] == service && c["component"] == component)
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    for issue in issues {
        if let Some(component) = issue["components"][0].as_str() {
            let status = health_of(issue["services"][0].as_str().unwrap(), component);
            match issue["priority"].as_str().unwrap() {
                "P0" => assert_eq!(status, "FAILING", "{component}"),
                "P1" => {
                    assert!(status == "FAILING" || status == "DEGRADED", "{component}: {status}")
                }
                _ => assert!(!status.is_empty()),
            }
        }
    }
    assert_eq!(components.len() - 1, json["component_health"].as_array().unwrap().len());

    // Processing results: the same numbers as the JSON totals.
    let books = table_with_header(&doc, &["Entries", "Count"]);
    let value = |label: &str| -> u64 {
        let row =
            books.iter().find(|r| r[0].starts_with(label)).unwrap_or_else(|| panic!("row {label}"));
        row[1].split_whitespace().next().unwrap().replace(',', "").parse().unwrap()
    };
    assert_eq!(value("Read"), total(&json, "entries_read"));
    assert_eq!(value("In scope"), total(&json, "entries_in_scope"));
    assert_eq!(value("Out of scope: below"), total(&json, "below_min_severity"));
}

#[test]
fn user_text_cannot_break_the_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let nasty = [
        entry(
            "n1",
            "2025-09-11T05:00:00Z",
            Some("ERROR"),
            "a|b",
            "pipe | in ```fenced``` *text* <b>html</b> # not a heading",
        ),
        entry(
            "n2",
            "2025-09-11T05:00:01Z",
            Some("ERROR"),
            "a|b",
            "line one\n| fake | table |\n# fake heading",
        ),
    ];
    fs::write(dir.path().join("nasty.json"), nasty.join("\n")).unwrap();
    let run = run_in(dir.path(), &["report", "nasty.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let doc = parse(&run.markdown());
    assert!(doc.headings.iter().all(|h| h.1 != "fake heading"), "{:?}", doc.headings);
    assert_eq!(doc.headings.iter().filter(|h| h.0 == 1).count(), 1);
    assert!(doc.tables.iter().all(|t| t[0][0] != "fake"));
    let health = table_with_header(&doc, &["Service", "Status"]);
    assert_eq!(health[1][0], "a|b", "the pipe stays inside its cell");
    assert_eq!(health[1].len(), health[0].len());
}

#[test]
fn filters_by_time_service_and_severity_are_applied_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        entry("f1", "2025-09-11T05:00:00Z", Some("ERROR"), "api", "early failure"),
        entry("f2", "2025-09-11T06:00:00Z", Some("ERROR"), "api", "late failure"),
        entry("f3", "2025-09-11T06:30:00Z", Some("ERROR"), "web", "web failure"),
        entry("f4", "2025-09-11T07:00:00Z", Some("INFO"), "api", "newest, just info"),
    ];
    fs::write(dir.path().join("d.json"), lines.join("\n")).unwrap();
    let run = run_in(dir.path(), &["report", "d.json", "--since", "90m", "--service", "api"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "outside_window"), 1, "f1 is more than 90m before the newest entry");
    assert_eq!(total(&json, "service_not_selected"), 1);
    assert_eq!(total(&json, "below_min_severity"), 1);
    assert_eq!(total(&json, "entries_in_scope"), 1);
    assert_eq!(issues(&json)[0]["template"], "late failure");
    assert_eq!(json["window"]["start"], "2025-09-11T05:30:00Z");
    assert_books_balance(&json);

    let run = run_in(
        dir.path(),
        &[
            "report",
            "d.json",
            "--until",
            "2025-09-11T06:10:00Z",
            "--min-severity",
            "DEFAULT",
            "--out",
            "b",
        ],
    );
    let json = run.json();
    assert_eq!(total(&json, "outside_window"), 2);
    assert_eq!(total(&json, "entries_in_scope"), 2);
}

#[test]
fn plain_text_logs_with_a_loghub_line_format() {
    let dir = tempfile::tempdir().unwrap();
    let log = "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\n\
               081109 203807 222 WARN dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571 terminating\n\
               081109 204005 35 ERROR dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864\n\
               081109 204015 308 ERROR dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.250.11.85:50010 is added to blk_8229193803249955061 size 67108864\n";
    fs::write(dir.path().join("hdfs.log"), log).unwrap();
    let run = run_in(
        dir.path(),
        &[
            "report",
            "hdfs.log",
            "--line-format",
            "<Date> <Time> <Pid> <Level> <Component>: <Content>",
            "--assignments",
            "a.csv",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(total(&json, "entries_read"), 4);
    assert_eq!(total(&json, "entries_in_scope"), 3);
    let issues = issues(&json);
    assert_eq!(issues.len(), 2);
    let errors = issues.iter().find(|i| i["severity"] == "ERROR").unwrap();
    assert_eq!(errors["count"], 2);
    assert_eq!(errors["first_seen"], "2008-11-09T20:40:05Z");
    let csv = fs::read_to_string(dir.path().join("a.csv")).unwrap();
    assert!(csv.starts_with("entry,issue\nhdfs.log:2,"), "{csv}");
    assert_eq!(csv.lines().count(), 4);
}
