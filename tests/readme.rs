//! The README cannot drift from the tool: its excerpt of the sample's worklog is generated here
//! (`UPDATE_README=1 cargo test --test readme` rewrites it), its Options table names every flag
//! `--help` prints, and its weekly-review script runs, two weeks in a row, as the cron line and
//! the CI workflow run it.

mod common;

use common::*;
use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    fs::read_to_string(root().join("README.md")).unwrap()
}

/// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn between<'a>(text: &'a str, name: &str) -> &'a str {
    let (begin, end) = (format!("<!-- {name}:begin -->\n"), format!("<!-- {name}:end -->"));
    let start = text.find(&begin).unwrap_or_else(|| panic!("no {begin}")) + begin.len();
    &text[start..start + text[start..].find(&end).unwrap()]
}

/// The inside of the first fenced block in `text`.
fn fenced(text: &str) -> &str {
    let start = text.find("```").unwrap();
    let body = &text[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    &body[..body.find("\n```").unwrap()]
}

/// Lines from the one equal to `from` up to (not including) the first after it starting with
/// one of `stops`.
fn part<'a>(md: &'a str, from: &str, stops: &[&str]) -> Vec<&'a str> {
    let mut lines = md.lines().skip_while(|l| *l != from);
    let mut out = vec![lines.next().unwrap_or_else(|| panic!("no {from}"))];
    out.extend(lines.take_while(|l| !stops.iter().any(|s| l.starts_with(s))));
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// The excerpt the README shows: the summary, the first issue, service health.
fn excerpt(md: &str) -> String {
    let issue1 = md.lines().find(|l| l.starts_with("### Issue 1:")).unwrap();
    let mut lines = part(md, "## Summary", &["## "]);
    lines.push("");
    lines.push("## Discovered Issues Summary");
    lines.push("");
    lines.extend(part(md, issue1, &["### ", "## "]));
    lines.push("");
    lines.extend(part(md, "### Service Health Status", &["#"]));
    format!("````markdown\n{}\n````\n", lines.join("\n"))
}

#[test]
fn the_readme_excerpt_is_the_sample_worklog() {
    let out = tempfile::tempdir().unwrap();
    let run = run_in(
        &root(),
        &["report", "samples/netra-staging.json", "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let wanted = excerpt(&run.markdown());
    let text = readme();
    if std::env::var_os("UPDATE_README").is_some() {
        let old = between(&text, "excerpt");
        let updated = text.replacen(
            &format!("<!-- excerpt:begin -->\n{old}<!-- excerpt:end -->"),
            &format!("<!-- excerpt:begin -->\n{wanted}<!-- excerpt:end -->"),
            1,
        );
        fs::write(root().join("README.md"), updated).unwrap();
        return;
    }
    assert!(
        between(&text, "excerpt") == wanted,
        "the README's excerpt differs from the sample's worklog: run UPDATE_README=1 cargo test --test readme"
    );
}

#[test]
fn the_options_table_names_every_flag() {
    let help = Command::new(bin()).args(["report", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let text = readme();
    let options =
        &text[text.find("## Options").unwrap()..text.find("## What the worklog").unwrap()];
    // Option definitions only (a line that starts with the flag), not flags named in prose.
    let flag = regex::Regex::new(r"(?m)^\s+(?:-\w, )?(--[a-z][a-z-]+)").unwrap();
    for f in flag.captures_iter(&help).map(|c| c.get(1).unwrap().as_str()) {
        if f != "--help" && f != "--version" {
            assert!(options.contains(&format!("`{f}")), "{f} is missing from the README's Options");
        }
    }
}

/// A week of the follow-up scenario, Monday to Monday.
fn week_export(path: &Path, week: u32, monday: &str) {
    let opts = GenerateOptions {
        entries: 2000,
        seed: 40 + week as u64,
        week,
        start: chrono::DateTime::parse_from_rfc3339(monday).unwrap().into(),
        span: chrono::Duration::days(7),
        format: DumpFormat::JsonArray,
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    generate(&opts, &mut bytes).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Runs the archive's weekly-review.sh for the week ending `week_end`, with `export` standing in
/// for what `gcloud logging read` prints.
fn weekly_run(repo: &Path, tools: &Path, week_end: &str, export: &Path) -> std::process::Output {
    let path = format!("{}:{}", tools.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("sh")
        .arg("weekly-review.sh")
        .current_dir(repo)
        .env("PATH", path)
        .env("WEEK_END", week_end)
        .env("FAKE_EXPORT", export)
        .env("SOURCE_DATE_EPOCH", "1757566800")
        .env("GIT_AUTHOR_NAME", "weekly review")
        .env("GIT_AUTHOR_EMAIL", "weekly-review@example.invalid")
        .env("GIT_COMMITTER_NAME", "weekly review")
        .env("GIT_COMMITTER_EMAIL", "weekly-review@example.invalid")
        .output()
        .unwrap()
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(repo).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_weekly_review_script_runs_two_weeks_in_a_row() {
    let text = readme();
    let script = fenced(between(&text, "weekly-script"));
    let dir = tempfile::tempdir().unwrap();
    let (repo, tools) = (dir.path().join("archive"), dir.path().join("tools"));
    fs::create_dir_all(&repo).unwrap();
    fs::create_dir_all(&tools).unwrap();
    fs::write(repo.join("weekly-review.sh"), format!("{script}\n")).unwrap();
    // Stand-ins: gcloud prints the week's export; log-gardener is this build.
    fs::write(tools.join("gcloud"), "#!/bin/sh\ncat \"$FAKE_EXPORT\"\n").unwrap();
    let tool = format!("#!/bin/sh\nexec '{}' \"$@\"\n", bin());
    fs::write(tools.join("log-gardener"), tool).unwrap();
    for f in ["gcloud", "log-gardener"] {
        Command::new("chmod").arg("+x").arg(tools.join(f)).status().unwrap();
    }
    git(&repo, &["init", "-q"]);
    week_export(&dir.path().join("w37.json"), 1, "2025-09-08T00:00:00Z");
    week_export(&dir.path().join("w38.json"), 2, "2025-09-15T00:00:00Z");

    let first = weekly_run(&repo, &tools, "2025-09-15T00:00:00Z", &dir.path().join("w37.json"));
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let second = weekly_run(&repo, &tools, "2025-09-22T00:00:00Z", &dir.path().join("w38.json"));
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));

    let report = repo.join("reports/netra-staging-20250915T0000Z.json");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["changes"]["baseline_file"], "reports/netra-staging-20250908T0000Z.json");
    assert_eq!(json["changes"]["new"], 1, "week 2 of the scenario: one issue appears");
    assert!(repo.join("reports/netra-staging-20250908T0000Z.md").is_file());
    let log = git(&repo, &["log", "--format=%s"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["Reliability report, week of 2025-09-15", "Reliability report, week of 2025-09-08"]
    );
    assert!(git(&repo, &["ls-files"]).lines().all(|f| f.starts_with("reports/")));
    assert_eq!(fs::read_dir(repo.join("exports")).unwrap().count(), 0, "exports are not kept");
    // Rerunning a week compares with the week before it, changes nothing, commits nothing.
    let again = weekly_run(&repo, &tools, "2025-09-22T00:00:00Z", &dir.path().join("w38.json"));
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(git(&repo, &["log", "--format=%s"]).lines().count(), 2);
}

#[test]
fn the_cron_line_and_the_workflow_run_the_script_every_monday() {
    let text = readme();
    let cron = fenced(between(&text, "weekly-cron")).trim();
    let fields: Vec<&str> = cron.split_whitespace().collect();
    assert_eq!(&fields[..5], ["0", "6", "*", "*", "1"], "{cron}");
    assert!(fields[5].ends_with("/weekly-review.sh"), "{cron}");
    let workflow = fenced(between(&text, "weekly-workflow"));
    assert!(workflow.contains("- cron: \"0 6 * * 1\""), "the same schedule");
    assert!(workflow.contains("./weekly-review.sh"));
    assert!(workflow.contains("contents: write"), "it commits and pushes");
}
