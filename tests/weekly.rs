//! The weekly review end to end (issue 12): what to look at first, priorities that mean the same
//! every week, mistakes that do not "succeed", archive names and baselines, quiet weeks that
//! diff short, rules that match nothing, template errors, HTML charts, checklists and examples
//! that fit, long weeks, the generator's follow-up weeks, and the postmortem timeline.

mod common;

use common::*;
use log_gardener_gen::{generate, DumpFormat, GenerateOptions, GroundTruth};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> String {
    root().join("samples/netra-staging.json").display().to_string()
}

/// Runs `report` in `dir` with `args` after the inputs.
fn report(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// The lines of the Markdown section headed `## {title}`, up to the next `## `.
fn section<'a>(md: &'a str, title: &str) -> Vec<&'a str> {
    let head = format!("## {title}");
    md.lines().skip_while(|l| *l != head).skip(1).take_while(|l| !l.starts_with("## ")).collect()
}

fn issue_with<'a>(json: &'a Value, template_part: &str) -> &'a Value {
    issues(json)
        .iter()
        .find(|i| i["template"].as_str().unwrap().contains(template_part))
        .unwrap_or_else(|| panic!("no issue with {template_part:?}"))
}

/// A Cloud Run LogEntry of project netra-staging.
fn staging_entry(id: &str, ts: &str, severity: &str, service: &str, message: &str) -> String {
    entry(id, ts, Some(severity), service, message).replace("\"proj\"", "\"netra-staging\"")
}

// 1. What to look at first.

#[test]
fn the_report_opens_with_what_to_look_at_first() {
    let dir = tempfile::tempdir().unwrap();
    let run = report(dir.path(), &[&sample()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let md = run.markdown();
    let first_h2 = md.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first_h2, "## Summary");
    let summary = section(&md, "Summary");
    assert!(summary.len() <= 45, "readable in 30 seconds: {} lines", summary.len());
    let text = summary.join("\n");
    assert!(
        text.contains(
            "**netra-backend-staging**: FAILING: 4 P0 issues; 20 of 38 requests answered 5xx (52.6%)"
        ),
        "{text}"
    );
    assert!(text.contains("began within 1 ms of each other in revision"), "{text}");
    let urgent = summary.iter().filter(|l| l.starts_with("- **P0**") || l.starts_with("- **P1**"));
    assert_eq!(urgent.count(), 15);
    assert!(text.contains("none has an owner or tracker in the rules"), "{text}");
    let json = run.json();
    assert_eq!(json["summary"]["urgent"].as_array().unwrap().len(), 15);

    // With an owner for some, the others are called out one by one.
    fs::write(
        dir.path().join("g.toml"),
        "[[rule]]\nmatch = { text = \"No module named|can't be used in 'await'\" }\nowner = \"@team-realtime\"\nlink = \"#290\"\n",
    )
    .unwrap();
    let run = report(dir.path(), &[&sample(), "--config", "g.toml", "--out", "owned"]);
    let text = section(&run.markdown(), "Summary").join("\n");
    assert!(text.contains("(13 without an owner or tracker in the rules)"), "{text}");
    let owned = text.lines().find(|l| l.contains("No module named")).unwrap();
    assert!(owned.ends_with("owner @team-realtime; tracker \\#290"), "{owned}");
    let unowned = text.lines().find(|l| l.contains("HTTP 503")).unwrap();
    assert!(unowned.ends_with("**no owner or tracker**"), "{unowned}");
}

// 2. Priorities that do not depend on the window's length, and trends that raise them.

#[test]
fn the_same_data_gets_the_same_priorities_whatever_the_window() {
    let dir = tempfile::tempdir().unwrap();
    // The same entries with a heartbeat a week before: a 7-day window over them.
    let week_old = staging_entry(
        "hb-week-old",
        "2025-09-04T07:00:00Z",
        "INFO",
        "netra-backend-staging",
        "heartbeat",
    );
    fs::write(dir.path().join("heartbeat.json"), week_old).unwrap();
    let priorities = |args: &[&str], out: &str| {
        let mut all = vec![sample()];
        all.extend(args.iter().map(|s| s.to_string()));
        all.extend(["--out".to_string(), out.to_string()]);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let run = report(dir.path(), &refs);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let json = run.json();
        let p: HashMap<String, String> = issues(&json)
            .iter()
            .map(|i| {
                (i["id"].as_str().unwrap().into(), i["priority"].as_str().unwrap().to_string())
            })
            .collect();
        (p, json["window"]["hours"].as_f64().unwrap())
    };
    let (two_hours, h1) = priorities(&[], "a");
    let (two_days, h2) = priorities(&["--since", "2d"], "b");
    let (a_week, h3) = priorities(&["heartbeat.json"], "c");
    assert!(h1 < 2.1 && h2 > 47.0 && h3 > 160.0, "{h1} {h2} {h3}");
    assert_eq!(two_hours, two_days);
    assert_eq!(two_hours, a_week);
    // The SessionMiddleware warning: 46 events, 23 in its busiest hour: high volume always.
    assert_eq!(two_hours["lg-bb1d24457a"], "P1");
}

/// `count` WARNING entries of `message`, one every `24h / count` from `day` 00:00.
fn spread(day: &str, prefix: &str, message: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let secs = i * 86_400 / count;
            let ts = format!("{day}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60);
            staging_entry(
                &format!("{prefix}-{i}"),
                &ts,
                "WARNING",
                "api",
                &format!("{message} {i}"),
            )
        })
        .collect()
}

#[test]
fn an_escalating_warning_is_raised_and_says_by_which_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 2.1/h, then 6.2/h: never 10 in an hour, so P2 by volume either week.
    fs::write(
        d.join("w1.json"),
        spread("2025-09-04", "a", "Cache refresh slow for tenant", 50).join("\n"),
    )
    .unwrap();
    fs::write(
        d.join("w2.json"),
        spread("2025-09-11", "b", "Cache refresh slow for tenant", 149).join("\n"),
    )
    .unwrap();
    let first = report(d, &["w1.json", "--out", "r"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert_eq!(issues(&first.json())[0]["priority"], "P2");
    let baseline = first.file_with_ext("json").display().to_string();
    let second = report(d, &["w2.json", "--out", "r", "--baseline", &baseline]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    let json = second.json();
    let issue = &issues(&json)[0];
    assert_eq!(issue["status"], "ESCALATING");
    assert_eq!(issue["priority"], "P1", "{issue}");
    assert_eq!(issue["priority_reason"], "ESCALATING since the last report (default rules)");
    assert_eq!(issue["raised_from"]["priority"], "P2");
    assert_eq!(issue["raised_from"]["reason"], "WARNING (default rules)");
    assert!(second.markdown().contains(
        "**Priority:** P1 (rule: ESCALATING since the last report (default rules); raised from P2, rule: WARNING (default rules))"
    ));
}

// 3. Mistakes that "succeeded".

#[test]
fn mistakes_on_the_command_line_are_exit_2_and_say_what_the_inputs_hold() {
    let dir = tempfile::tempdir().unwrap();
    let run = report(dir.path(), &[&sample(), "--service", "netra-backend"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--service netra-backend matches no service in the inputs (did you mean netra-backend-staging?)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "the services read: netra-auth-service, netra-backend-staging, netra-frontend-staging"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "no report is written");

    let run = report(
        dir.path(),
        &[&sample(), "--since", "2025-10-01T00:00:00Z", "--until", "2025-10-02T00:00:00Z"],
    );
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the window 2025-10-01T00:00:00Z to 2025-10-02T00:00:00Z holds no entry; the inputs cover 2025-09-11T05:00:00Z to 2025-09-11T06:59:36Z"),
        "{}",
        run.stderr
    );
    for bad in [["--since", "yesterday"], ["--line-format", "<Date"]] {
        let run = report(dir.path(), &[&sample(), bad[0], bad[1]]);
        assert_eq!(run.status, 2, "{bad:?}: {}", run.stderr);
    }
}

// 4. Archive names and baselines.

#[test]
fn report_names_follow_the_scope_and_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let auth = report(d, &[&sample(), "--service", "netra-auth-service"]);
    let front = report(d, &[&sample(), "--service", "netra-frontend-staging"]);
    assert_eq!((auth.status, front.status), (0, 0), "{}{}", auth.stderr, front.stderr);
    let (a, f) = (auth.file_with_ext("json"), front.file_with_ext("json"));
    assert_ne!(a, f, "distinct scopes, distinct names");
    assert!(a.ends_with("output/netra-staging-netra-auth-service-20250911T0500Z.json"), "{a:?}");
    assert!(f.ends_with("output/netra-staging-netra-frontend-staging-20250911T0500Z.json"));
    // Rerunning says it replaces, and a named report of another scope is never replaced.
    let again = report(d, &[&sample(), "--service", "netra-auth-service"]);
    assert_eq!(again.status, 0);
    assert!(again.stderr.contains("note: replacing"), "{}", again.stderr);
    assert_eq!(report(d, &[&sample(), "--name", "weekly"]).status, 0);
    let other = report(d, &[&sample(), "--name", "weekly", "--service", "netra-auth-service"]);
    assert_eq!(other.status, 2);
    assert!(other.stderr.contains("holds a report of another scope"), "{}", other.stderr);
    // --min-severity is part of the scope, and of the name.
    let info = report(d, &[&sample(), "--min-severity", "INFO"]);
    assert!(info
        .file_with_ext("json")
        .ends_with("output/netra-staging-min-info-20250911T0500Z.json"));

    // A week whose first entry is at 00:01 is named after its hour; --since names it exactly.
    let week = [
        staging_entry("w1", "2025-09-08T00:01:07Z", "ERROR", "api", "Failure one"),
        staging_entry("w2", "2025-09-14T23:58:00Z", "ERROR", "api", "Failure one"),
    ];
    fs::write(d.join("week.json"), week.join("\n")).unwrap();
    let run = report(d, &["week.json", "--out", "weeks"]);
    assert!(run.file_with_ext("md").ends_with("weeks/netra-staging-20250908T0000Z.md"));
    let run = report(d, &["week.json", "--out", "weeks2", "--since", "2025-09-07T22:30:00Z"]);
    assert!(run.file_with_ext("md").ends_with("weeks2/netra-staging-20250907T2230Z.md"));
}

#[test]
fn a_baseline_must_be_an_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let week = |day: &str| {
        [
            staging_entry(
                &format!("{day}-1"),
                &format!("{day}T05:00:00Z"),
                "ERROR",
                "api",
                "Failure one",
            ),
            staging_entry(
                &format!("{day}-2"),
                &format!("{day}T06:00:00Z"),
                "ERROR",
                "api",
                "Failure one",
            ),
        ]
        .join("\n")
    };
    fs::write(d.join("w37.json"), week("2025-09-11")).unwrap();
    fs::write(d.join("w38.json"), week("2025-09-18")).unwrap();
    let w38 = report(d, &["w38.json", "--out", "r"]);
    let later = w38.file_with_ext("json").display().to_string();
    let run = report(d, &["w37.json", "--out", "r", "--baseline", &later]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("not before this report's"), "{}", run.stderr);
    // The report being written is no baseline either.
    let run = report(d, &["w38.json", "--out", "r", "--baseline", &later]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("is the report this run writes"), "{}", run.stderr);
    // auto takes the latest earlier one of the same scope, and rerunning a week does not take
    // that week's own earlier run.
    let w37 = report(d, &["w37.json", "--out", "r"]);
    assert_eq!(w37.status, 0, "{}", w37.stderr);
    let run = report(d, &["w38.json", "--out", "r", "--baseline", "auto"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("compared with r/netra-staging-20250911T0500Z.json"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["changes"]["ongoing"], 1);
    let first = report(d, &["w37.json", "--out", "empty", "--baseline", "auto"]);
    assert_eq!(first.status, 0, "a first weekly run has no baseline: {}", first.stderr);
    assert!(first.json()["changes"].is_null());
}

// 5. Quiet weeks diff short; first-ever sightings; weekly rates.

/// `counts[k]` ERROR entries of issue k over two hours of `day`.
fn errors(day: &str, counts: &[usize]) -> String {
    let names = [
        "Payment capture failed for the card on file",
        "Inventory sync timed out talking to the warehouse",
        "Email dispatch rejected",
    ];
    let mut lines = Vec::new();
    for (k, &n) in counts.iter().enumerate() {
        for i in 0..n {
            let secs = i * 7000 / n;
            let ts =
                format!("{day}T{:02}:{:02}:{:02}Z", 5 + secs / 3600, secs / 60 % 60, secs % 60);
            lines.push(staging_entry(&format!("{day}-{k}-{i}"), &ts, "ERROR", "api", names[k]));
        }
    }
    lines.join("\n")
}

#[test]
fn a_quiet_week_keeps_its_issue_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.json"), errors("2025-09-04", &[12, 11, 10])).unwrap();
    fs::write(d.join("b.json"), errors("2025-09-11", &[10, 11, 12])).unwrap();
    let a = report(d, &["a.json", "--out", "r"]);
    let baseline = a.file_with_ext("json").display().to_string();
    let b = report(d, &["b.json", "--out", "r", "--baseline", &baseline]);
    let ids = |run: &Run| -> Vec<String> {
        issues(&run.json()).iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&a), ids(&b), "the counts moved a little; the numbers did not");
    let titles = |run: &Run| -> Vec<String> {
        run.markdown().lines().filter(|l| l.starts_with("### Issue ")).map(String::from).collect()
    };
    assert_eq!(titles(&a), titles(&b));
}

/// A generated week: `week` of the follow-up scenario, 7 days from `start`.
fn generated_week(dir: &Path, name: &str, week: u32, seed: u64, start: &str) -> GroundTruth {
    let opts = GenerateOptions {
        entries: 4000,
        seed,
        week,
        start: chrono::DateTime::parse_from_rfc3339(start).unwrap().into(),
        span: chrono::Duration::days(7),
        format: DumpFormat::Ndjson,
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    let truth = generate(&opts, &mut bytes).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
    truth
}

/// Masks RFC 3339 times, chart labels and the report's stem, so that two reports of the same
/// events a week apart compare equal.
fn without_times(md: &str) -> String {
    let time =
        regex::Regex::new(r"\d{4}-\d{2}-\d{2}T[\d:.]+Z|\d{2}-\d{2} \d{2}:\d{2}|\d{8}T\d{4}Z")
            .unwrap();
    time.replace_all(md, "<time>").into_owned()
}

#[test]
fn between_two_quiet_weeks_only_the_times_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The same events, a week apart each: nothing changed but the dates.
    for start in ["2025-09-01T00:00:00Z", "2025-09-08T00:00:00Z", "2025-09-15T00:00:00Z"] {
        generated_week(d, "export.ndjson", 1, 1, start);
        let run = report(d, &["export.ndjson", "--out", "r", "--baseline", "auto"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    }
    let md = |name: &str| fs::read_to_string(d.join("r").join(name)).unwrap();
    let (b, c) = (md("netra-staging-20250908T0000Z.md"), md("netra-staging-20250915T0000Z.md"));
    let changed = b.lines().zip(c.lines()).filter(|(x, y)| x != y).count();
    assert_eq!(b.lines().count(), c.lines().count());
    assert!(changed * 4 < c.lines().count(), "{changed} of {} lines changed", c.lines().count());
    assert_eq!(without_times(&b), without_times(&c), "only times differ");
    // The first-ever sighting comes from the baseline's history; rates are per week.
    assert!(c.contains("**First seen ever:** 2025-09-0"), "first sightings from week 1");
    assert!(c.contains("/week over the window (was "), "weekly rates");
}

// 6. Rules that match nothing.

#[test]
fn rules_that_match_no_issue_are_named_with_their_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("gardener.toml"),
        "# ours\n\n[[rule]]\nname = \"bridge\"\nmatch = { id = \"lg-b16b662280\" }\nowner = \"@rt\"\n\n[[rule]]\nname = \"typo\"\nmatch = { id = \"lg-b16b662281\" }\nowner = \"@rt\"\n",
    )
    .unwrap();
    let run = report(dir.path(), &[&sample()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: gardener.toml:8: rule \"typo\" matched no issue"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("\"bridge\""), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["scope"]["unmatched_rules"][0], "gardener.toml:8: rule \"typo\"");
    assert!(run.markdown().contains("### Rules That Matched No Issue"));

    // A copy of the defaults names no issue: its rules over severities and classes that met
    // nothing this week are no mistake.
    let defaults = run_in(dir.path(), &["rules"]);
    fs::write(dir.path().join("gardener.toml"), defaults.stdout).unwrap();
    let run = report(dir.path(), &[&sample(), "--out", "defaults"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("matched no issue"), "{}", run.stderr);
}

#[test]
fn the_readme_rule_example_matches_what_it_names() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```toml\n[[rule]]\nname = \"chat is down\"").expect("the example");
    let toml = &readme[start + 8..];
    let toml = &toml[..toml.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("gardener.toml"), toml).unwrap();
    let run = report(dir.path(), &[&sample()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("rule \"chat is down\" matched no issue"), "{}", run.stderr);
    // The sample has no health checks in scope: the example's ignore rule is named as unused.
    assert!(
        run.stderr.contains("gardener.toml:9: rule \"rule at gardener.toml:9\" matched no issue"),
        "{}",
        run.stderr
    );
    let json = run.json();
    for part in ["No module named", "can't be used in"] {
        let issue = issue_with(&json, part);
        assert_eq!(issue["owner"], "@team-realtime", "{part}");
        assert_eq!(issue["priority_reason"], "chat is down (gardener.toml:4)", "{part}");
    }
}

// 7. Templates.

#[test]
fn template_mistakes_name_the_file_the_line_and_the_name() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("mine.j2"),
        "# {{ title }}\n{% for issue in issues %}\n- {{ issue.ownr }}\n{% endfor %}\n",
    )
    .unwrap();
    let run = report(dir.path(), &[&sample(), "--template", "mine.j2"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("mine.j2:3: `issue.ownr` is not in the report model (issue has: "),
        "{}",
        run.stderr
    );
    // In a branch the data never takes, too.
    fs::write(
        dir.path().join("branch.j2"),
        "# {{ title }}\n{% if totals.issues > 1000000 %}\n{{ totls.issues }}\n{% endif %}\n",
    )
    .unwrap();
    let run = report(dir.path(), &[&sample(), "--template", "branch.j2"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("branch.j2:3: `totls` is not in the report model"),
        "{}",
        run.stderr
    );
}

// 8. HTML.

#[test]
fn the_html_draws_its_charts_without_script_or_network() {
    let dir = tempfile::tempdir().unwrap();
    let run = report(dir.path(), &[&sample(), "--format", "md,json,html"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let html = fs::read_to_string(run.file_with_ext("html")).unwrap();
    assert!(!html.contains("language-mermaid"), "the chart is drawn, not shown as code");
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 1);
    assert!(!html.contains("<script"));
    for attr in ["src=", "href=\"http", "url("] {
        assert!(!html.contains(attr), "{attr}: nothing is fetched");
    }
    // Issue 1's sparkline starts with eight blanks: its first bar is the ninth of 24.
    let json = run.json();
    let spark = issues(&json)[0]["sparkline"].as_str().unwrap().to_string();
    let blanks = spark.chars().take_while(|&c| c == ' ').count();
    assert_eq!((blanks, spark.chars().count()), (8, 24), "{spark:?}");
    let svg_start = html.find("<svg class=\"spark\"").unwrap();
    let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
    assert!(svg.contains("width=\"144\""), "{svg}");
    assert!(svg.contains(&format!("<rect x=\"{}\"", blanks * 6 + 1)), "{svg}");
    // The Markdown keeps the blanks too (no-break spaces, which code spans do not trim).
    let md = run.markdown();
    assert!(md.contains(&format!("`{}`", spark.replace(' ', "\u{a0}"))));
}

// 9. Checklists, examples, components.

#[test]
fn checklists_examples_and_health_fit_the_issue() {
    let dir = tempfile::tempdir().unwrap();
    let json = report(dir.path(), &[&sample()]).json();
    let steps = |part: &str| issue_with(&json, part)["what_to_check"].to_string();
    assert!(steps("can't be used in").contains("not awaitable"));
    assert!(!steps("create_server_message() missing").contains("await"));
    assert!(!steps("object is not callable").contains("await"));
    assert!(steps("object is not callable").contains("called as a function"));
    // Request logs that differ only by an id in the path show one example.
    for part in ["HTTP 503 POST", "HTTP 500 GET"] {
        assert_eq!(issue_with(&json, part)["examples"].as_array().unwrap().len(), 1, "{part}");
    }
    // A component whose issue is connection refused is not operational.
    let redis = json["component_health"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "netra_backend.app.redis_manager")
        .unwrap();
    assert_eq!(redis["status"], "DEGRADED", "{redis}");
    assert_eq!(redis["reason"], "connection failures or timeouts (1 issue)");
}

// 10. Long weeks.

/// `n` distinct request issues (500 errors on `n` routes), two entries each, over 20 services.
fn many_issues(n: usize) -> String {
    const WORDS: [&str; 80] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra",
        "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "amber", "birch",
        "cedar", "dune", "ember", "fern", "grove", "heath", "iris", "jade", "kelp", "lark", "moss",
        "nettle", "orchid", "pine", "quartz", "reed", "sage", "thyme", "umber", "vale", "willow",
        "yarrow", "zinnia", "acorn", "basil", "clover", "daisy", "elm", "flax", "ginger", "hazel",
        "ivy", "juniper", "kale", "lotus", "maple", "nutmeg", "olive", "poppy", "quince", "rose",
        "sorrel", "tulip", "violet", "wheat", "yew", "aster", "bramble", "cress", "dill", "fennel",
        "gorse",
    ];
    let mut lines = Vec::with_capacity(2 * n);
    for i in 0..n {
        let path = format!("/api/{}/{}", WORDS[i % 80], WORDS[(i / 80) % 80]);
        let service = format!("svc-{}", WORDS[i % 20]);
        for k in 0..2 {
            let ts = format!("2025-09-11T{:02}:{:02}:{:02}Z", 5 + k, i / 100 % 60, i % 60);
            lines.push(
                serde_json::json!({
                    "insertId": format!("req-{i}-{k}"),
                    "timestamp": ts,
                    "severity": "ERROR",
                    "logName": "projects/netra-staging/logs/run.googleapis.com%2Frequests",
                    "resource": {"type": "cloud_run_revision", "labels": {
                        "service_name": service, "revision_name": format!("{service}-00001-abc"),
                        "project_id": "netra-staging"}},
                    "httpRequest": {"requestMethod": "GET", "status": 500,
                        "requestUrl": format!("https://{service}.run.app{path}")},
                })
                .to_string(),
            );
        }
    }
    lines.join("\n")
}

#[test]
fn a_week_of_thousands_of_issues_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("many.json"), many_issues(5000)).unwrap();
    let run = report(dir.path(), &["many.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    let total = issues(&json).len();
    assert_eq!(total, 5000, "the JSON keeps every issue");
    let md = run.markdown();
    assert_eq!(md.lines().filter(|l| l.starts_with("### Issue ")).count(), 25);
    assert!(md.contains("5,000 issues: 25 shown in full below"), "the total, said plainly");
    assert!(md.contains("And 4,475 more issues (8,950 events), in the JSON only"));
    assert!(md.len() < 400_000, "{} bytes", md.len());
    let run =
        report(dir.path(), &["many.json", "--details", "5", "--table-rows", "10", "--out", "b"]);
    let md = run.markdown();
    assert_eq!(md.lines().filter(|l| l.starts_with("### Issue ")).count(), 5);
    let table_rows = md.lines().filter(|l| l.starts_with("| ") && l.contains("| `lg-")).count();
    assert_eq!(table_rows, 10);
}

// 11. The generator's follow-up weeks, through the product.

/// The planted key of each issue id, from the assignments and the ground truth CSV.
fn planted_keys(assignments: &Path, truth: &GroundTruth) -> HashMap<String, String> {
    let key_of: HashMap<&str, &str> =
        truth.entries.iter().map(|(e, k)| (e.as_str(), k.as_str())).collect();
    let mut votes: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for line in fs::read_to_string(assignments).unwrap().lines().skip(1) {
        let (entry, issue) = line.split_once(',').unwrap();
        let key = key_of.get(entry).copied().unwrap_or("");
        *votes.entry(issue.to_string()).or_default().entry(key.to_string()).or_default() += 1;
    }
    votes
        .into_iter()
        .map(|(issue, keys)| (issue, keys.into_iter().max_by_key(|(_, n)| *n).unwrap().0))
        .collect()
}

#[test]
fn week_one_is_the_bundled_sample() {
    let mut bytes = Vec::new();
    generate(&GenerateOptions { week: 1, ..GenerateOptions::default() }, &mut bytes).unwrap();
    assert!(bytes == fs::read(root().join("samples/netra-staging.json")).unwrap());
}

#[test]
fn follow_up_weeks_get_the_statuses_their_ground_truth_expects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let starts = ["2025-09-01T00:00:00Z", "2025-09-08T00:00:00Z", "2025-09-15T00:00:00Z"];
    for (w, start) in starts.iter().enumerate() {
        let week = w as u32 + 1;
        let name = format!("week{week}.ndjson");
        let truth = generated_week(d, &name, week, 10 + week as u64, start);
        let csv = format!("a{week}.csv");
        let run = report(d, &[&name, "--out", "r", "--baseline", "auto", "--assignments", &csv]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let json = run.json();
        let keys = planted_keys(&d.join(&csv), &truth);
        for issue in issues(&json) {
            let key = &keys[issue["id"].as_str().unwrap()];
            let planted = truth.issues.iter().find(|p| &p.key == key).unwrap();
            let expected = planted.expected_status.map_or(Value::Null, Value::from);
            assert_eq!(issue["status"], expected, "week {week}: {key}");
        }
        let resolved: Vec<String> = json["changes"]["resolved"]
            .as_array()
            .map(|r| r.iter().map(|x| x["title"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        assert_eq!(resolved.len(), truth.resolved.len(), "week {week}: {resolved:?}");
        if week == 2 {
            assert!(resolved[0].contains("Slow query detected"), "{resolved:?}");
            let appeared = issue_with(&json, "exceeded the <*> step budget");
            assert_eq!(appeared["priority"], "P1", "NEW with the deploy: raised");
        }
    }
}

// 12. The postmortem timeline.

#[test]
fn the_timeline_tells_the_incident_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let run = report(
        dir.path(),
        &[&sample(), "--since", "2025-09-11T05:40:00Z", "--until", "2025-09-11T06:10:00Z"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let md = run.markdown();
    let rows: Vec<Vec<String>> = section(&md, "Timeline")
        .iter()
        .filter(|l| l.starts_with("| 2025-"))
        .map(|l| l.split(" | ").map(|c| c.trim_matches(['|', ' ']).to_string()).collect())
        .collect();
    assert!(rows.len() >= 10, "{rows:?}");
    let times: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_by_key(|t| log_gardener::normalize::time::Timestamp::parse(t).unwrap().nanos);
    assert_eq!(times, sorted, "in time order");
    let deploy = rows
        .iter()
        .position(|r| {
            r[2].starts_with(
                "revision netra-backend-staging-00159-m5p of netra-backend-staging deployed",
            )
        })
        .unwrap();
    let ws = rows
        .iter()
        .position(|r| r[2].contains("began: WebSocket manager creation failed"))
        .unwrap();
    assert!(deploy < ws, "the deploy, then the failures it brought");
    assert!(rows[ws][1].starts_with('+'), "offsets from the first error");
    let json = run.json();
    let nanos = |t: &str| log_gardener::normalize::time::Timestamp::parse(t).unwrap().nanos;
    let origin = nanos(json["sequence"]["origin"].as_str().unwrap());
    for r in &rows {
        let sign = if nanos(&r[0]) < origin { '-' } else { '+' };
        assert!(r[1].starts_with(sign), "{r:?}");
        if nanos(&r[0]) == origin {
            assert_eq!(r[1], "+0:00:00.000");
        }
    }
    assert!(md.contains("errors peaked: "));
}
