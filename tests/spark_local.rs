//! The Spark job (engines/spark/log_gardener_job.py), for real, in Spark's local mode: pyspark is
//! installed from PyPI into a virtual environment kept in ~/.cache between runs (Java 17 and
//! Python 3 are needed; `LOG_GARDENER_SKIP_SPARK=1` skips this test, saying so). A generated dump
//! is written as Cloud Storage sink files (hourly NDJSON files in LOG/YYYY/MM/DD folders, named
//! `HH:00:00_HH:59:59_S0.json` as sinks name them, some gzipped); the job's report must be the
//! same bytes as `log-gardener report` over the same files, with default options and with scope
//! and output options.

use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PYSPARK: &str = "4.3.0";

/// A virtual environment with pyspark, made if missing.
fn venv() -> PathBuf {
    let path =
        std::env::var_os("LOG_GARDENER_SPARK_VENV").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/log-gardener/spark-venv")
        });
    let python = path.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", &format!("import pyspark, sys; sys.exit(pyspark.__version__ != '{PYSPARK}')")])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        eprintln!("spark test: installing pyspark {PYSPARK} into {}", path.display());
        let made = Command::new("python3").arg("-m").arg("venv").arg(&path).status();
        assert!(made.is_ok_and(|s| s.success()), "python3 -m venv failed (Python 3 is needed)");
        let pip = Command::new(path.join("bin/pip"))
            .args(["install", "--quiet", &format!("pyspark=={PYSPARK}")])
            .status();
        assert!(pip.is_ok_and(|s| s.success()), "pip install pyspark=={PYSPARK} failed");
    }
    path
}

/// A generated dump written as sink files under `dir/in`; every third file gzipped.
fn sink_files(dir: &Path) -> PathBuf {
    let opts = GenerateOptions {
        entries: 5000,
        seed: 13,
        format: DumpFormat::Ndjson,
        span: chrono::Duration::hours(5),
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    generate(&opts, &mut bytes).unwrap();
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    for line in String::from_utf8(bytes).unwrap().lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let ts = e["timestamp"].as_str().unwrap();
        let log =
            e["logName"].as_str().unwrap().split("/logs/").nth(1).unwrap().replace("%2F", "/");
        let hour = &ts[11..13];
        let path = dir
            .join("in")
            .join(log)
            .join(ts[..10].replace('-', "/"))
            .join(format!("{hour}:00:00_{hour}:59:59_S0.json"));
        let text = files.entry(path).or_default();
        text.push_str(line);
        text.push('\n');
    }
    for (k, (path, text)) in files.into_iter().enumerate() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if k % 3 == 0 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
            std::fs::write(path.with_extension("json.gz"), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(path, text).unwrap();
        }
    }
    dir.join("in")
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn the_spark_job_writes_the_report_of_report() {
    if std::env::var_os("LOG_GARDENER_SKIP_SPARK").is_some() {
        eprintln!("spark test: skipped (LOG_GARDENER_SKIP_SPARK is set)");
        return;
    }
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    let input = sink_files(dir.path());
    let rules = dir.path().join("gardener.toml");
    std::fs::write(&rules, "[[rule]]\nname = \"redis is down\"\nmatch = { text = \"(?i)redis\" }\npriority = \"P0\"\nowner = \"@team-data\"\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_log-gardener");
    let job = Path::new(env!("CARGO_MANIFEST_DIR")).join("engines/spark/log_gardener_job.py");
    let rules = rules.display().to_string();
    let cases: [(&str, Vec<&str>); 2] = [
        ("defaults", vec![]),
        (
            "options",
            vec![
                "--min-severity",
                "INFO",
                "--since",
                "3h",
                "--service",
                "netra-backend-staging",
                "--config",
                &rules,
                "--format",
                "md,json,html",
            ],
        ),
    ];
    for (name, options) in cases {
        let (report_out, spark_out) =
            (dir.path().join(format!("{name}-report")), dir.path().join(format!("{name}-spark")));
        let report = Command::new(bin)
            .arg("report")
            .arg(&input)
            .arg("--out")
            .arg(&report_out)
            .arg("--quiet")
            .args(&options)
            .env("SOURCE_DATE_EPOCH", "1760000000")
            .output()
            .unwrap();
        assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
        let path =
            format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let python = venv.join("bin/python");
        let spark = Command::new(venv.join("bin/spark-submit"))
            .args(["--master", "local[2]", "--conf", "spark.ui.enabled=false"])
            .arg(&job)
            .arg("--binary")
            .arg(bin)
            .args(["--partitions", "3", "--quiet", "--out"])
            .arg(&spark_out)
            .args(&options)
            .arg(&input)
            .env("PATH", path)
            .env("PYSPARK_PYTHON", &python)
            .env("PYSPARK_DRIVER_PYTHON", &python)
            .env("SOURCE_DATE_EPOCH", "1760000000")
            .output()
            .expect("spark-submit runs (Java 17 is needed)");
        let log = String::from_utf8_lossy(&spark.stderr);
        assert!(
            spark.status.success(),
            "the Spark job failed:\n{}",
            &log[log.len().saturating_sub(4000)..]
        );
        let (expected, got) = (files(&report_out), files(&spark_out));
        assert_eq!(
            expected.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "{name}: files"
        );
        for (file, bytes) in &expected {
            assert!(bytes == &got[file], "{name}: {} differs", file.display());
        }
    }
}
