//! Helpers shared by the integration tests: run the real binary as a user would, and read what
//! it wrote.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_log-gardener");

/// The binary the tests run: this build's, or `LOG_GARDENER_BIN` (to check that a test fails on
/// another build, such as the one before a change).
pub fn bin() -> String {
    std::env::var("LOG_GARDENER_BIN").unwrap_or_else(|_| BIN.to_string())
}

/// The result of one run of the binary.
pub struct Run {
    /// The folder the binary ran in; relative paths it printed are relative to it.
    pub dir: PathBuf,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(dir: &Path, out: Output) -> Run {
        Run {
            dir: dir.to_path_buf(),
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The report files the run printed on stdout.
    pub fn written(&self) -> Vec<PathBuf> {
        self.stdout.lines().map(|l| self.dir.join(l)).collect()
    }

    pub fn file_with_ext(&self, ext: &str) -> PathBuf {
        self.written().into_iter().find(|p| p.extension().is_some_and(|e| e == ext)).unwrap_or_else(
            || panic!("no .{ext} written; stdout: {}\nstderr: {}", self.stdout, self.stderr),
        )
    }

    pub fn json(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.file_with_ext("json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn markdown(&self) -> String {
        std::fs::read_to_string(self.file_with_ext("md")).unwrap()
    }
}

/// Runs `log-gardener ARGS` in `dir`, with a fixed generation time so reports are reproducible.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1757566800")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::from(dir, out)
}

/// Runs with extra environment variables.
pub fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1757566800")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run::from(dir, out)
}

/// Runs with `stdin` as standard input.
pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1757566800")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    Run::from(dir, child.wait_with_output().unwrap())
}

/// A Cloud Run LogEntry as a compact JSON line.
pub fn entry(
    insert_id: &str,
    ts: &str,
    severity: Option<&str>,
    service: &str,
    message: &str,
) -> String {
    let mut v = serde_json::json!({
        "insertId": insert_id,
        "timestamp": ts,
        "logName": "projects/proj/logs/run.googleapis.com%2Fstderr",
        "resource": {"type": "cloud_run_revision", "labels": {
            "service_name": service, "revision_name": format!("{service}-00001-abc"), "project_id": "proj"}},
        "jsonPayload": {"message": message},
    });
    if let Some(s) = severity {
        v["severity"] = serde_json::Value::String(s.to_string());
    }
    v.to_string()
}

/// Runs `report` on one file written with `content` and named `name`, in a fresh folder, as a
/// user runs it; checks that it succeeds and that its books balance.
pub fn report_on(name: &str, content: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), content).unwrap();
    let run = run_in(dir.path(), &["report", name]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    assert_books_balance(&json);
    json
}

pub fn issues(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["issues"].as_array().expect("issues is an array")
}

pub fn total(json: &serde_json::Value, key: &str) -> u64 {
    json["totals"][key].as_u64().unwrap_or_else(|| panic!("totals.{key} missing"))
}

/// The books must balance: every entry read is in scope, out of scope, a duplicate or skipped.
pub fn assert_books_balance(json: &serde_json::Value) {
    let read = total(json, "entries_read");
    let sum = total(json, "entries_skipped")
        + total(json, "duplicates")
        + total(json, "entries_out_of_scope")
        + total(json, "entries_in_scope");
    assert_eq!(
        read, sum,
        "entries_read != skipped + duplicates + out of scope + in scope: {}",
        json["totals"]
    );
    let out = total(json, "below_min_severity")
        + total(json, "outside_window")
        + total(json, "service_not_selected")
        + total(json, "ignored_by_rule");
    assert_eq!(out, total(json, "entries_out_of_scope"));
}
