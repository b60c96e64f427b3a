//! Evaluation: grouping accuracy (GA) of the tool's own pipeline, end to end.
//!
//! Usage:
//!
//! ```text
//! cargo run --release --example evaluate -- [LOGHUB_DIR] [--errors] [--entries N] [--seeds S,S,..]
//! ```
//!
//! * `LOGHUB_DIR` (default `../shared/loghub` from the repo root) holds one folder per Loghub-2k
//!   set (`HDFS/HDFS_2k.log`, `HDFS/HDFS_2k.log_structured_corrected.csv`, ...). For each of the
//!   eight sets below, the raw `<Set>_2k.log` goes through `pipeline::run` as a text input with the
//!   set's line format (the only per-set input) and minimum severity DEFAULT, and the issue of
//!   every line (`analysis.assignments`, entry ids `PATH:LINE`) is scored against the `EventId` of
//!   the structured CSV (`LineId`). A line in no issue (skipped, out of scope) counts as wrong.
//!   For reference the same set is also scored the way the old `loghub_dev` example did it: mask +
//!   mine in isolation over the CSV's `Content` column ("CSV" column), and the reader's parse is
//!   compared with the CSV (lines whose message differs from `Content`, lines joined into the
//!   previous entry as continuations).
//! * Then generated Cloud Run dumps (`log_gardener::generate`, `--entries` entries, default
//!   20000, for each of `--seeds`, default 1,2) run through the pipeline with default options
//!   (min severity WARNING); GA is computed over the entries whose ground truth is a planted issue
//!   (noise entries, key "", are out of scope), and each planted issue is checked to be found as
//!   exactly one report issue with the planted event count and first-seen time.
//! * `--errors` prints, per set, the ground-truth groups that were not recovered.
//!
//! GA as the Loghub benchmark computes it: group lines by ground truth; a ground-truth group is
//! correct only if all its lines got the same predicted group and that predicted group holds no
//! other line. GA = lines in correct groups / all lines.
//!
//! Exit status: 0 when every set folder was found and every dump could be evaluated; 1 when a set
//! folder or file is missing or unreadable (the message names it).

use log_gardener::group::{mask, miner};
use log_gardener::normalize::redact::default_redactor;
use log_gardener::normalize::text::LineFormat;
use log_gardener::normalize::Normalizer;
use log_gardener::normalize::Severity;
use log_gardener::pipeline::{self, Options};
use log_gardener::read::InputFormat;
use log_gardener::read::{ReadOptions, Source};
use log_gardener_gen::{generate, DumpFormat, GenerateOptions};
use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The eight development sets and their line formats (from the Loghub-2k README): the format is
/// the only per-set input.
const SETS: [(&str, &str); 8] = [
    ("HDFS", r"<Date> <Time> <Pid> <Level> <Component>: <Content>"),
    ("Spark", r"<Date> <Time> <Level> <Component>: <Content>"),
    (
        "BGL",
        r"<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>",
    ),
    ("Windows", r"<Date> <Time>, <Level>                  <Component>    <Content>"),
    ("Linux", r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>"),
    ("HealthApp", r"<Time>\|<Component>\|<Pid>\|<Content>"),
    ("OpenSSH", r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>"),
    ("Proxifier", r"\[<Time>\] <Program> - <Content>"),
];

struct Args {
    dir: PathBuf,
    errors: bool,
    entries: usize,
    seeds: Vec<u64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo run --release --example evaluate -- [LOGHUB_DIR] [--errors] [--entries N] [--seeds S,S,..]"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut args = Args {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/loghub"),
        errors: false,
        entries: 20_000,
        seeds: vec![1, 2],
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--errors" => args.errors = true,
            "--entries" => {
                args.entries = it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage())
            }
            "--seeds" => {
                let v = it.next().unwrap_or_else(|| usage());
                args.seeds =
                    v.split(',').map(|s| s.trim().parse().unwrap_or_else(|_| usage())).collect();
            }
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => usage(),
            s => args.dir = PathBuf::from(s),
        }
    }
    args
}

/// GA over `truth` (one label a line); `pred[i] == None` (the line is in no issue) is wrong.
/// Returns GA and the ground-truth labels whose group was not recovered, sorted.
fn grouping_accuracy<T, P>(truth: &[T], pred: &[Option<P>]) -> (f64, Vec<T>)
where
    T: Eq + Hash + Ord + Clone,
    P: Eq + Hash,
{
    let mut by_truth: HashMap<&T, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_truth.entry(t).or_default().push(i);
    }
    let mut pred_size: HashMap<&P, usize> = HashMap::new();
    for p in pred.iter().flatten() {
        *pred_size.entry(p).or_default() += 1;
    }
    let mut correct = 0;
    let mut wrong = Vec::new();
    for (t, lines) in &by_truth {
        let ok = match &pred[lines[0]] {
            Some(p) => {
                lines.iter().all(|&l| pred[l].as_ref() == Some(p)) && pred_size[p] == lines.len()
            }
            None => false,
        };
        if ok {
            correct += lines.len();
        } else {
            wrong.push((*t).clone());
        }
    }
    wrong.sort();
    let ga = if truth.is_empty() { 1.0 } else { correct as f64 / truth.len() as f64 };
    (ga, wrong)
}

/// `LineId`, `Content` and `EventId` of a structured CSV.
struct Labels {
    line_ids: Vec<u64>,
    contents: Vec<String>,
    events: Vec<String>,
}

fn read_labels(path: &Path) -> Result<Labels, String> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = rdr.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no {name} column", path.display()))
    };
    let (li, ci, ei) = (col("LineId")?, col("Content")?, col("EventId")?);
    let mut labels = Labels { line_ids: Vec::new(), contents: Vec::new(), events: Vec::new() };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let line_id = rec
            .get(li)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| format!("{}: bad LineId in {:?}", path.display(), rec))?;
        labels.line_ids.push(line_id);
        labels.contents.push(rec.get(ci).unwrap_or("").to_string());
        labels.events.push(rec.get(ei).unwrap_or("").to_string());
    }
    Ok(labels)
}

/// Mask + mine in isolation over the CSV `Content` (the old `loghub_dev` figure).
fn csv_prediction(contents: &[String]) -> Vec<Option<u32>> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut distinct: Vec<String> = Vec::new();
    let mut weights: Vec<u64> = Vec::new();
    let mut line_msg = Vec::with_capacity(contents.len());
    for c in contents {
        let m = mask::mask_message(c);
        let id = *ids.entry(m).or_insert_with_key(|k| {
            distinct.push(k.clone());
            weights.push(0);
            distinct.len() - 1
        });
        weights[id] += 1;
        line_msg.push(id);
    }
    let refs: Vec<&str> = distinct.iter().map(String::as_str).collect();
    let mined = miner::mine(&refs, &weights);
    line_msg.iter().map(|&i| Some(mined.assignments[i])).collect()
}

struct SetResult {
    name: &'static str,
    lines: usize,
    ga: f64,
    ga_csv: f64,
    issues: usize,
    unassigned: usize,
    differ: usize,
    joined: usize,
    secs: f64,
}

fn evaluate_set(
    dir: &Path,
    name: &'static str,
    format: &str,
    show_errors: bool,
) -> Result<SetResult, String> {
    let folder = dir.join(name);
    if !folder.is_dir() {
        return Err(format!("set folder {} is missing", folder.display()));
    }
    let log = folder.join(format!("{name}_2k.log"));
    let csv = folder.join(format!("{name}_2k.log_structured_corrected.csv"));
    for f in [&log, &csv] {
        if !f.is_file() {
            return Err(format!("{} is missing", f.display()));
        }
    }
    let labels = read_labels(&csv)?;

    // The tool, end to end.
    let start = Instant::now();
    let analysis = pipeline::run(
        Options {
            inputs: vec![log.clone()],
            min_severity: Severity::Default,
            since: None,
            until: None,
            services: Vec::new(),
            input_format: InputFormat::Text,
            line_format: Some(format.to_string()),
            assignments: true,
            progress: None,
            message_budget: None,
        },
        &log_gardener::config::Config::defaults().rules,
        default_redactor(),
        &log_gardener::judge::history::Choice::None,
    )
    .map_err(|e| format!("{}: {e}", log.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let label = log.display().to_string();
    let mut issue_of_line: HashMap<u64, &str> = HashMap::new();
    for (entry, issue) in &analysis.assignments {
        let line = entry
            .strip_prefix(label.as_str())
            .and_then(|r| r.strip_prefix(':'))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("unexpected entry id {entry}"))?;
        issue_of_line.insert(line, issue.as_str());
    }
    let pred: Vec<Option<&str>> =
        labels.line_ids.iter().map(|l| issue_of_line.get(l).copied()).collect();
    let unassigned = pred.iter().filter(|p| p.is_none()).count();
    let (ga, wrong) = grouping_accuracy(&labels.events, &pred);

    // Reference: mask + mine over the CSV Content.
    let csv_pred = csv_prediction(&labels.contents);
    let (ga_csv, _) = grouping_accuracy(&labels.events, &csv_pred);

    // Diagnostics: the reader's parse against the CSV.
    let lf = LineFormat::parse(format).map_err(|e| format!("{name}: {e}"))?;
    let normalizer = Normalizer { line_format: Some(lf), entry_ids: true, ..Normalizer::default() };
    let read_options = ReadOptions { input_format: InputFormat::Text, ..ReadOptions::default() };
    let (records, _, problems) =
        pipeline::read_records(&[Source::File(log.clone())], &read_options, &normalizer);
    let mut message_of_line: HashMap<u64, &str> = HashMap::new();
    let mut joined = problems.len();
    for rec in &records {
        joined += rec.entry_ids.len() - 1;
        message_of_line.insert(rec.origin.line, rec.message.as_ref());
    }
    let differing: Vec<(u64, &str, Option<&str>)> = labels
        .line_ids
        .iter()
        .zip(&labels.contents)
        .map(|(&l, c)| (l, c.as_str(), message_of_line.get(&l).copied()))
        .filter(|(_, c, m)| m.is_none_or(|m| m.trim() != c.trim()))
        .collect();
    let differ = differing.len();
    if show_errors {
        for (l, c, m) in differing.iter().take(5) {
            println!("  {name}: line {l} parsed as {m:?}, CSV Content {c:?}");
        }
    }

    if show_errors {
        let templates: HashMap<&str, &str> =
            analysis.grouping.issues.iter().map(|i| (i.id.as_str(), i.template.as_str())).collect();
        for w in &wrong {
            let rows: Vec<usize> =
                (0..labels.events.len()).filter(|&i| &labels.events[i] == w).collect();
            let mut preds: Vec<Option<&str>> = rows.iter().map(|&i| pred[i]).collect();
            preds.sort();
            preds.dedup();
            println!(
                "  {name}: truth {w} ({} lines) -> {} predicted groups",
                rows.len(),
                preds.len()
            );
            for p in preds.iter().take(4) {
                let foreign =
                    (0..pred.len()).filter(|&i| pred[i] == *p && &labels.events[i] != w).count();
                let example = rows.iter().find(|&&i| pred[i] == *p).unwrap();
                let template = p.map_or("(in no issue)", |p| templates[p]);
                println!(
                    "    [{}] +{foreign} foreign  e.g. line {}: {}",
                    template, labels.line_ids[*example], labels.contents[*example]
                );
            }
        }
    }

    Ok(SetResult {
        name,
        lines: labels.events.len(),
        ga,
        ga_csv,
        issues: analysis.grouping.issues.len(),
        unassigned,
        differ,
        joined,
        secs,
    })
}

struct DumpResult {
    seed: u64,
    entries: usize,
    in_truth: usize,
    ga: f64,
    exact: usize,
    planted: usize,
    noise_in_scope: usize,
    issues: usize,
    secs: f64,
    misses: Vec<String>,
}

fn evaluate_dump(entries: usize, seed: u64) -> Result<DumpResult, String> {
    let tmp = tempfile::Builder::new()
        .prefix("lg-eval-")
        .suffix(".json")
        .tempfile()
        .map_err(|e| format!("temp file: {e}"))?;
    let truth = {
        let mut w = std::io::BufWriter::new(tmp.as_file());
        let opts = GenerateOptions {
            entries,
            seed,
            format: DumpFormat::JsonArray,
            ..GenerateOptions::default()
        };
        generate(&opts, &mut w).map_err(|e| format!("generate: {e}"))?
    };
    let start = Instant::now();
    let analysis = pipeline::run(
        Options {
            inputs: vec![tmp.path().to_path_buf()],
            min_severity: Severity::Warning,
            since: None,
            until: None,
            services: Vec::new(),
            input_format: InputFormat::Auto,
            line_format: None,
            assignments: true,
            progress: None,
            message_budget: None,
        },
        &log_gardener::config::Config::defaults().rules,
        default_redactor(),
        &log_gardener::judge::history::Choice::None,
    )
    .map_err(|e| format!("pipeline on the generated dump: {e}"))?;
    let secs = start.elapsed().as_secs_f64();

    let issue_of: HashMap<&str, &str> =
        analysis.assignments.iter().map(|(e, i)| (e.as_str(), i.as_str())).collect();
    let planted: Vec<(&str, &str)> = truth
        .entries
        .iter()
        .filter(|(_, k)| !k.is_empty())
        .map(|(id, k)| (id.as_str(), k.as_str()))
        .collect();
    let keys: Vec<&str> = planted.iter().map(|(_, k)| *k).collect();
    let pred: Vec<Option<&str>> = planted.iter().map(|(id, _)| issue_of.get(id).copied()).collect();
    let (ga, _) = grouping_accuracy(&keys, &pred);
    let noise_in_scope = truth
        .entries
        .iter()
        .filter(|(id, k)| k.is_empty() && issue_of.contains_key(id.as_str()))
        .count();

    // Each planted issue: exactly one report issue, holding all and only its entries, with the
    // planted event count and first-seen time.
    let report = log_gardener::render::build::build(&analysis, String::new());
    let by_id: HashMap<&str, &log_gardener::render::model::Issue> =
        report.issues.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut entries_of_issue: HashMap<&str, usize> = HashMap::new();
    for (_, i) in &analysis.assignments {
        *entries_of_issue.entry(i.as_str()).or_default() += 1;
    }
    let mut exact = 0;
    let mut misses = Vec::new();
    for p in &truth.issues {
        let mine: Vec<Option<&str>> = planted
            .iter()
            .zip(&pred)
            .filter(|((_, k), _)| *k == p.key)
            .map(|(_, pr)| *pr)
            .collect();
        let mut ids: Vec<Option<&str>> = mine.clone();
        ids.sort();
        ids.dedup();
        let why = match ids.as_slice() {
            [Some(id)] => {
                let issue = by_id[id];
                if entries_of_issue[id] != mine.len() {
                    Some(format!(
                        "its issue {id} also holds {} other entries",
                        entries_of_issue[id] - mine.len()
                    ))
                } else if issue.count != p.events {
                    Some(format!("{} events reported, {} planted", issue.count, p.events))
                } else if issue.first_seen.as_deref() != Some(p.first_seen.as_str()) {
                    Some(format!("first seen {:?}, planted {}", issue.first_seen, p.first_seen))
                } else {
                    None
                }
            }
            [] => Some("no entries".into()),
            _ => Some(format!(
                "split over {} issues{}",
                ids.iter().flatten().count(),
                if ids.contains(&None) { " (some entries in none)" } else { "" }
            )),
        };
        match why {
            None => exact += 1,
            Some(w) => misses.push(format!("{}: {w}", p.key)),
        }
    }
    Ok(DumpResult {
        seed,
        entries: truth.entries.len(),
        in_truth: planted.len(),
        ga,
        exact,
        planted: truth.issues.len(),
        noise_in_scope,
        issues: report.issues.len(),
        secs,
        misses,
    })
}

fn main() {
    let args = parse_args();
    let mut failed = Vec::new();

    println!("Loghub-2k under {}", args.dir.display());
    println!(
        "{:<10} {:>6} {:>8} {:>8} {:>7} {:>11} {:>13} {:>7} {:>8}",
        "set",
        "lines",
        "GA tool",
        "GA CSV",
        "issues",
        "unassigned",
        "parse differs",
        "joined",
        "seconds"
    );
    let mut results = Vec::new();
    for (name, format) in SETS {
        match evaluate_set(&args.dir, name, format, args.errors) {
            Ok(r) => {
                println!(
                    "{:<10} {:>6} {:>8.3} {:>8.3} {:>7} {:>11} {:>13} {:>7} {:>8.2}",
                    r.name,
                    r.lines,
                    r.ga,
                    r.ga_csv,
                    r.issues,
                    r.unassigned,
                    r.differ,
                    r.joined,
                    r.secs
                );
                results.push(r);
            }
            Err(e) => {
                println!("{name:<10} ERROR: {e}");
                failed.push(e);
            }
        }
    }
    if !results.is_empty() {
        let n = results.len() as f64;
        println!(
            "{:<10} {:>6} {:>8.3} {:>8.3}   (over {} sets)",
            "average",
            "",
            results.iter().map(|r| r.ga).sum::<f64>() / n,
            results.iter().map(|r| r.ga_csv).sum::<f64>() / n,
            results.len()
        );
    }
    println!(
        "GA tool: pipeline::run on the raw .log; GA CSV: mask + mine alone on the CSV Content; \
         parse differs: lines whose parsed message is not the CSV Content; joined: lines taken as \
         continuations of the line before."
    );

    println!();
    println!(
        "Generated Cloud Run dumps ({} entries requested, JSON array, min severity WARNING)",
        args.entries
    );
    println!(
        "{:<6} {:>8} {:>10} {:>8} {:>16} {:>7} {:>15} {:>8}",
        "seed",
        "entries",
        "planted e.",
        "GA",
        "exact issues",
        "issues",
        "noise in scope",
        "seconds"
    );
    for &seed in &args.seeds {
        match evaluate_dump(args.entries, seed) {
            Ok(r) => {
                println!(
                    "{:<6} {:>8} {:>10} {:>8.4} {:>16} {:>7} {:>15} {:>8.2}",
                    r.seed,
                    r.entries,
                    r.in_truth,
                    r.ga,
                    format!("{}/{}", r.exact, r.planted),
                    r.issues,
                    r.noise_in_scope,
                    r.secs
                );
                for m in &r.misses {
                    println!("    not exact: {m}");
                }
            }
            Err(e) => {
                println!("{seed:<6} ERROR: {e}");
                failed.push(e);
            }
        }
    }
    println!(
        "planted e.: entries of planted issues (the GA population); exact issues: planted issues \
         found as exactly one issue with all and only their entries, the planted event count and \
         first-seen time; noise in scope: noise entries the run put in an issue."
    );

    if !failed.is_empty() {
        eprintln!("evaluation incomplete:");
        for f in &failed {
            eprintln!("  {f}");
        }
        std::process::exit(1);
    }
}
