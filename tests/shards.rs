//! The way Cloud Run jobs and Kubernetes Indexed Jobs run log-gardener: every task runs the
//! same `summarize --shard` command line over the same folder, each takes its share of the
//! files, and a last `merge` writes the report. Where files hold whole log streams (here: one
//! file a log), the report is `report`'s over the folder, byte for byte.

mod common;
use common::*;
use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use std::collections::BTreeMap;
use std::path::Path;

/// A generated dump as one NDJSON file per log under `dir/logs`.
fn files_per_log(dir: &Path) {
    let opts = GenerateOptions {
        entries: 3000,
        seed: 21,
        format: DumpFormat::Ndjson,
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    generate(&opts, &mut bytes).unwrap();
    let mut by_log: BTreeMap<String, String> = BTreeMap::new();
    for line in String::from_utf8(bytes).unwrap().lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let log = e["logName"].as_str().unwrap().rsplit("%2F").next().unwrap().to_string();
        let text = by_log.entry(log).or_default();
        text.push_str(line);
        text.push('\n');
    }
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    assert!(by_log.len() >= 3, "several logs to deal out");
    for (log, text) in by_log {
        std::fs::write(dir.join("logs").join(format!("{log}.ndjson")), text).unwrap();
    }
}

#[test]
fn shards_of_a_folder_merge_into_its_report() {
    let dir = tempfile::tempdir().unwrap();
    files_per_log(dir.path());
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    let report = run_with_env(dir.path(), &["report", "logs", "--out", "whole"], &env);
    assert_eq!(report.status, 0, "{}", report.stderr);
    for i in 0..3 {
        let shard = format!("{i}/3");
        let run = run_with_env(
            dir.path(),
            &["summarize", "logs", "--shard", &shard, "--out", "parts/part-{shard}.lgs"],
            &env,
        );
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(dir.path().join(format!("parts/part-{i}.lgs")).is_file());
    }
    let merge = run_with_env(dir.path(), &["merge", "parts", "--out", "merged"], &env);
    assert_eq!(merge.status, 0, "{}", merge.stderr);
    for ext in ["md", "json"] {
        let name = report.file_with_ext(ext).file_name().unwrap().to_owned();
        let whole = std::fs::read(dir.path().join("whole").join(&name)).unwrap();
        let merged = std::fs::read(dir.path().join("merged").join(&name)).unwrap();
        assert!(whole == merged, "{ext} differs");
    }
}

#[test]
fn shard_auto_reads_the_job_s_environment() {
    let dir = tempfile::tempdir().unwrap();
    files_per_log(dir.path());
    let run = run_with_env(
        dir.path(),
        &["summarize", "logs", "--shard", "auto", "--out", "p-{shard}.lgs"],
        &[("CLOUD_RUN_TASK_INDEX", "1"), ("CLOUD_RUN_TASK_COUNT", "2")],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.path().join("p-1.lgs").is_file());
    let missing = run_in(dir.path(), &["summarize", "logs", "--shard", "auto", "--out", "x.lgs"]);
    assert_eq!(missing.status, 2, "no job environment: a usage error");
    assert!(missing.stderr.contains("CLOUD_RUN_TASK_INDEX"), "{}", missing.stderr);
}
