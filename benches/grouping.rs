//! Benchmark of the grouping stage alone, on one core.
//!
//! Usage:
//!
//! ```text
//! cargo bench --bench grouping -- [LOGHUB_DIR] [--lines N] [--entries N] [--runs R]
//! ```
//!
//! Two corpora:
//! * (a) Loghub: the `Content` column of every `*_structured_corrected.csv` under `LOGHUB_DIR`
//!   (default `../shared/loghub` from the repo root; 8 sets × 2,000 lines), one record a line
//!   with the set as its service, repeated to `--lines` lines (default 4,000,000);
//! * (b) Cloud Run: every record (all severities, split tracebacks reassembled) read back from a
//!   generated dump of `--entries` entries (default 200,000, seed 1), repeated to `--lines`.
//!
//! Repetition goes through references to the same records: every line is classified and masked
//! again (the grouping stage caches nothing per line), while the distinct masked messages that
//! reach the miner stay those of the corpus, as in real logs where a few thousand templates
//! repeat millions of times.
//!
//! Two measurements on each corpus, each the median of `--runs` runs (default 5):
//! * `group::group`: the whole stage as the pipeline calls it (traceback and request keys, mask,
//!   dedup, mine, issue ids) inside a rayon pool of one thread;
//! * `mask + mine`: `mask::mask_message` on every line, dedup, `miner::mine` over the distinct
//!   masked messages, single-threaded (the core of the stage, as the old `loghub_dev` timed it).
//!
//! Results are lines per second. Nothing here asserts on time.

use log_gardener::group::{self, mask, miner};
use log_gardener::normalize::multiline;
use log_gardener::normalize::{Normalizer, Record};
use log_gardener::pipeline;
use log_gardener::read::{self, InputFormat, ReadOptions};
use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Args {
    dir: PathBuf,
    lines: usize,
    entries: usize,
    runs: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/loghub"),
        lines: 4_000_000,
        entries: 200_000,
        runs: 5,
    };
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>, what: &str| -> usize {
        v.and_then(|v| v.replace('_', "").parse().ok()).unwrap_or_else(|| {
            eprintln!("{what} takes a number");
            std::process::exit(2)
        })
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--lines" => args.lines = number(it.next(), "--lines"),
            "--entries" => args.entries = number(it.next(), "--entries"),
            "--runs" => args.runs = number(it.next(), "--runs").max(1),
            // `cargo bench` passes `--bench`; other harness flags are ignored too.
            s if s.starts_with('-') => {}
            s => args.dir = PathBuf::from(s),
        }
    }
    args
}

fn find_csvs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            find_csvs(&p, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with("_structured_corrected.csv"))
        {
            out.push(p);
        }
    }
}

/// One record per CSV row: message = `Content`, service = the set's name.
fn loghub_records(dir: &Path) -> Vec<Record<'static>> {
    let mut files = Vec::new();
    find_csvs(dir, &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("no *_structured_corrected.csv under {}", dir.display());
        std::process::exit(1);
    }
    let mut records = Vec::new();
    for f in files {
        let set = f
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('_').next())
            .unwrap_or("?")
            .to_string();
        let mut rdr = csv::Reader::from_path(&f).unwrap_or_else(|e| {
            eprintln!("{}: {e}", f.display());
            std::process::exit(1)
        });
        let ci =
            rdr.headers().ok().and_then(|h| h.iter().position(|h| h == "Content")).unwrap_or_else(
                || {
                    eprintln!("{}: no Content column", f.display());
                    std::process::exit(1)
                },
            );
        for rec in rdr.records().flatten() {
            records.push(Record {
                message: rec.get(ci).unwrap_or("").to_string().into(),
                service: set.clone().into(),
                entries: 1,
                ..Record::default()
            });
        }
    }
    records
}

/// The records of a generated Cloud Run dump, read back as the pipeline reads them.
fn cloud_run_records(entries: usize) -> Vec<Record<'static>> {
    let tmp =
        tempfile::Builder::new().prefix("lg-bench-").suffix(".json").tempfile().expect("temp file");
    {
        let mut w = std::io::BufWriter::new(tmp.as_file());
        let opts = GenerateOptions {
            entries,
            seed: 1,
            format: DumpFormat::JsonArray,
            ..GenerateOptions::default()
        };
        generate(&opts, &mut w).expect("generate");
    }
    let (sources, _) = read::discover(&[tmp.path().to_path_buf()]);
    let options = ReadOptions { input_format: InputFormat::Gcp, ..ReadOptions::default() };
    let (records, _, _) = pipeline::read_records(&sources, &options, &Normalizer::default());
    multiline::reassemble(records, log_gardener::normalize::redact::default_redactor())
}

/// Mask every line, dedup (counting), mine the distinct masked messages.
fn mask_and_mine(lines: &[&Record]) -> usize {
    let mut weights: HashMap<String, u64> = HashMap::new();
    for r in lines {
        *weights.entry(mask::mask_message(&r.message)).or_default() += 1;
    }
    let mut distinct: Vec<(String, u64)> = weights.into_iter().collect();
    distinct.sort_unstable();
    let texts: Vec<&str> = distinct.iter().map(|(m, _)| m.as_str()).collect();
    let counts: Vec<u64> = distinct.iter().map(|(_, c)| *c).collect();
    miner::mine(&texts, &counts).templates.len()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs `f` over `lines` `runs` times; prints and returns the median lines/s.
fn measure(label: &str, lines: &[&Record], runs: usize, f: &dyn Fn(&[&Record]) -> usize) -> f64 {
    let mut rates = Vec::with_capacity(runs);
    let mut out = 0;
    for _ in 0..runs {
        let t = Instant::now();
        out = black_box(f(black_box(lines)));
        rates.push(lines.len() as f64 / t.elapsed().as_secs_f64());
    }
    let (lo, hi) = (
        rates.iter().copied().fold(f64::INFINITY, f64::min),
        rates.iter().copied().fold(0.0, f64::max),
    );
    let m = median(rates);
    println!(
        "  {label:<34} {:>12.0} lines/s  (median of {runs}; min {lo:.0}, max {hi:.0}; {out} issues/templates)",
        m
    );
    m
}

fn bench_corpus(name: &str, records: &[Record], args: &Args, pool: &rayon::ThreadPool) {
    let distinct = {
        let mut d: Vec<String> = records.iter().map(|r| mask::mask_message(&r.message)).collect();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    let lines: Vec<&Record> = records.iter().cycle().take(args.lines).collect();
    println!(
        "{name}: {} records ({distinct} distinct masked messages) repeated to {} lines",
        records.len(),
        lines.len()
    );
    measure("group::group (1-thread pool)", &lines, args.runs, &|l| {
        pool.install(|| group::group(l).issues.len())
    });
    measure("mask + mine (single thread)", &lines, args.runs, &|l| mask_and_mine(l));
}

fn main() {
    let args = parse_args();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("rayon pool");

    let loghub = loghub_records(&args.dir);
    bench_corpus(
        &format!("(a) Loghub-2k Content under {}", args.dir.display()),
        &loghub,
        &args,
        &pool,
    );
    drop(loghub);

    let cloud = cloud_run_records(args.entries);
    bench_corpus(
        &format!("(b) generated Cloud Run dump, {} entries, seed 1", args.entries),
        &cloud,
        &args,
        &pool,
    );
}
