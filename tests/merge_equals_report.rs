//! The guarantee of summaries: for any split of the entries that keeps each log stream (same
//! logName, resource and instance) in one part, merging the parts' summaries, in any grouping
//! and order, gives the report `report` writes over the same files, byte for byte, whatever the
//! options. Checked over generated dumps (split tracebacks, request logs, several services and
//! revisions) with duplicates planted, random stream-keeping splits into 1..16 parts, random
//! merge trees, and the report options drawn at random.

use log_gardener::config::Config;
use log_gardener::judge::history::{self, Choice};
use log_gardener::normalize::redact::Redactor;
use log_gardener::normalize::Severity;
use log_gardener::pipeline::{self, Options};
use log_gardener::render::{build, json, markdown};
use log_gardener::tally::{summary_file, Summary};
use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// One LogEntry line and its stream.
struct Line {
    text: String,
    stream: String,
}

fn dump(entries: usize, seed: u64, days: i64) -> Vec<Line> {
    let opts = GenerateOptions {
        entries,
        seed,
        format: DumpFormat::Ndjson,
        span: chrono::Duration::hours(2 + 24 * days),
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    generate(&opts, &mut bytes).unwrap();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let stream =
                format!("{}|{}|{}", v["logName"], v["resource"], v["labels"]["instanceId"]);
            Line { text: l.to_string(), stream }
        })
        .collect()
}

/// The lines dealt into `parts` files by stream (`choice` picks each stream's part), with some
/// lines written twice (duplicates stay in their stream's part). Returns the files.
fn split(
    lines: &[Line],
    parts: usize,
    choice: &[usize],
    dup_every: usize,
    dir: &Path,
) -> Vec<PathBuf> {
    let mut streams: Vec<&str> = lines.iter().map(|l| l.stream.as_str()).collect();
    streams.sort();
    streams.dedup();
    let part_of = |s: &str| choice[streams.binary_search(&s).unwrap() % choice.len()] % parts;
    let mut texts = vec![String::new(); parts];
    for (i, l) in lines.iter().enumerate() {
        let t = &mut texts[part_of(&l.stream)];
        t.push_str(&l.text);
        t.push('\n');
        if dup_every > 0 && i % dup_every == 0 {
            t.push_str(&l.text);
            t.push('\n');
        }
    }
    let mut files = Vec::new();
    for (k, t) in texts.into_iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        let path = dir.join(format!("part-{k:02}.ndjson"));
        std::fs::write(&path, t).unwrap();
        files.push(path);
    }
    files
}

/// The report options drawn for a case.
#[derive(Debug, Clone)]
struct Case {
    min_severity: Severity,
    since: Option<String>,
    until: Option<String>,
    service: Option<String>,
    rules: bool,
    baseline: bool,
}

fn case() -> impl Strategy<Value = Case> {
    let severity = prop_oneof![
        Just(Severity::Warning),
        Just(Severity::Info),
        Just(Severity::Error),
        Just(Severity::Default)
    ];
    let since = prop_oneof![
        Just(None),
        Just(Some("45m".to_string())),
        Just(Some("1d".to_string())),
        Just(Some("2025-09-11T05:30:00.5Z".to_string()))
    ];
    let until = prop_oneof![
        Just(None),
        Just(Some("20m".to_string())),
        Just(Some("2025-09-11T06:40:00Z".to_string()))
    ];
    let service = prop_oneof![
        Just(None),
        Just(Some("netra-backend-staging".to_string())),
        Just(Some("netra-auth-service".to_string()))
    ];
    (severity, since, until, service, any::<bool>(), any::<bool>()).prop_map(
        |(min_severity, since, until, service, rules, baseline)| Case {
            min_severity,
            since,
            until,
            service,
            rules,
            baseline,
        },
    )
}

const RULES: &str = r#"
[[rule]]
name = "redis is down"
match = { text = "(?i)redis" }
priority = "P0"
owner = "@team-data"

[[rule]]
match = { template = "(?i)health" }
ignore = true
"#;

/// The report's JSON and Markdown.
fn render(verdict: &log_gardener::judge::verdict::Verdict) -> (String, String) {
    let report = build::build(verdict, "2025-01-01T00:00:00Z".into());
    let md = markdown::render(&report, markdown::DEFAULT_TEMPLATE).unwrap();
    (json::render(&report), md)
}

/// Merges `parts` in a tree drawn from `shape`: neighbours in a shuffled order are merged in
/// groups, through the file format, until one is left.
fn merge_tree(mut parts: Vec<Summary>, shape: &[usize]) -> Summary {
    let mut round = 0;
    while parts.len() > 1 {
        let k = shape[round % shape.len()];
        let n = parts.len();
        parts.rotate_left(k % n);
        let group = 2 + k % 3;
        let mut next = Vec::new();
        while !parts.is_empty() {
            let take: Vec<Summary> = parts.drain(..group.min(parts.len())).collect();
            next.push(through_file(Summary::merge(take).unwrap()));
        }
        next.reverse();
        parts = next;
        round += 1;
    }
    Summary::merge(parts).unwrap()
}

fn through_file(summary: Summary) -> Summary {
    let mut bytes = Vec::new();
    summary_file::write(&summary, &mut bytes).unwrap();
    summary_file::read(&bytes[..], "test").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn merged_summaries_give_the_report(
        seed in 1u64..1000,
        days in 0i64..3,
        parts in 1usize..=16,
        choice in proptest::collection::vec(0usize..16, 1..64),
        shape in proptest::collection::vec(0usize..97, 1..8),
        dup_every in prop_oneof![Just(0usize), Just(37usize), Just(101usize)],
        case in case(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let lines = dump(1500, seed, days);
        let files = split(&lines, parts, &choice, dup_every, dir.path());
        let config = if case.rules {
            let path = dir.path().join("gardener.toml");
            std::fs::write(&path, RULES).unwrap();
            Config::load(Some(&path)).unwrap()
        } else {
            Config::defaults()
        };
        let redactor = Redactor::new(&config.redact, &config.redaction).unwrap();
        let options = |inputs: Vec<PathBuf>| Options {
            inputs,
            min_severity: case.min_severity,
            since: case.since.clone(),
            until: case.until.clone(),
            services: case.service.iter().cloned().collect(),
            ..Options::default()
        };
        let baseline = case.baseline.then(|| {
            // Last week's report: the same dump made with another seed.
            let before = dump(800, seed + 7, 0);
            let path = dir.path().join("before.ndjson");
            std::fs::write(&path, before.iter().map(|l| l.text.clone() + "\n").collect::<String>()).unwrap();
            let v = pipeline::run(options(vec![path]), &config.rules, &redactor, &Choice::None).unwrap();
            let json_path = dir.path().join("before.json");
            std::fs::write(&json_path, render(&v).0).unwrap();
            history::load(&json_path).unwrap()
        });
        let baseline = match baseline {
            Some(b) => Choice::Given(Box::new(b)),
            None => Choice::None,
        };

        let whole = pipeline::run(options(files.clone()), &config.rules, &redactor, &baseline);
        let summaries: Vec<Summary> = files
            .iter()
            .map(|f| through_file(pipeline::summarize(&options(vec![f.clone()]), &redactor).unwrap().0))
            .collect();
        let merged = pipeline::finish(merge_tree(summaries, &shape), &config.rules, &baseline, None);
        match (whole, merged) {
            (Ok(w), Ok(m)) => {
                let (wj, wm) = render(&w);
                let (mj, mm) = render(&m);
                prop_assert_eq!(wj, mj, "JSON differs");
                prop_assert_eq!(wm, mm, "Markdown differs");
            }
            (Err(w), Err(m)) => prop_assert_eq!(w.0, m.0),
            (w, m) => prop_assert!(false, "one failed: report {:?}, merge {:?}", w.err(), m.err()),
        }
    }
}

/// Summaries made with different options are refused, naming the option.
#[test]
fn summaries_of_different_scopes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lines = dump(300, 3, 0);
    let path = dir.path().join("a.ndjson");
    std::fs::write(&path, lines.iter().map(|l| l.text.clone() + "\n").collect::<String>()).unwrap();
    let redactor = Redactor::new(&[], &Default::default()).unwrap();
    let summary = |min_severity| {
        let options = Options { inputs: vec![path.clone()], min_severity, ..Options::default() };
        pipeline::summarize(&options, &redactor).unwrap().0
    };
    let err =
        Summary::merge(vec![summary(Severity::Warning), summary(Severity::Error)]).unwrap_err();
    assert!(err.contains("--min-severity WARNING and ERROR"), "{err}");
}

/// A summary of another version is refused with a message naming both versions.
#[test]
fn a_summary_of_another_version_is_refused() {
    let mut bytes = Vec::new();
    let text = r#"{"format": "log-gardener-summary", "version": 99}"#;
    let mut gz = flate2::write::GzEncoder::new(&mut bytes, flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    gz.finish().unwrap();
    let err = summary_file::read(&bytes[..], "old.lgs").unwrap_err();
    assert!(err.contains("old.lgs: a summary of version 99"), "{err}");
    assert!(err.contains(&format!("reads version {}", summary_file::VERSION)), "{err}");
    let err = summary_file::read(&b"not gzip"[..], "x.lgs").unwrap_err();
    assert!(err.contains("x.lgs: not a log-gardener summary"), "{err}");
}
