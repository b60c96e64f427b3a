//! Dev tool: measures grouping accuracy (GA) of mask + mine on the labelled Loghub-2k sets.
//!
//! Reads every `*_structured_corrected.csv` under a folder (default `/work/shared/loghub`, the
//! first argument overrides), masks each line's `Content`, dedups, mines the distinct masked
//! messages, maps the templates back to lines and prints GA per set and the average, then the
//! throughput of mask (every line) + mine (distinct masked messages).
//! `--errors` also prints, per set, the ground-truth groups that were not recovered.
//!
//! Run: `cargo run --release --example loghub_dev [-- FOLDER] [--errors]`

#[path = "../src/group/mask.rs"]
mod mask;
#[path = "../src/group/miner.rs"]
mod miner;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Set {
    name: String,
    contents: Vec<String>,
    events: Vec<String>,
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

fn read_set(path: &Path) -> Set {
    let mut rdr = csv::Reader::from_path(path).expect("open csv");
    let headers = rdr.headers().expect("headers").clone();
    let ci = headers
        .iter()
        .position(|h| h == "Content")
        .expect("Content column");
    let ei = headers
        .iter()
        .position(|h| h == "EventId")
        .expect("EventId column");
    let (mut contents, mut events) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        contents.push(rec.get(ci).unwrap_or("").to_string());
        events.push(rec.get(ei).unwrap_or("").to_string());
    }
    let name = path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .split('_')
        .next()
        .unwrap_or("?")
        .to_string();
    Set {
        name,
        contents,
        events,
    }
}

/// Masks every line, dedups, mines; returns the predicted group of each line and the templates.
fn run(contents: &[String]) -> (Vec<u32>, Vec<String>, usize) {
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
    let refs: Vec<&str> = distinct.iter().map(|s| s.as_str()).collect();
    let mined = miner::mine(&refs, &weights);
    let pred = line_msg.iter().map(|&i| mined.assignments[i]).collect();
    (pred, mined.templates, distinct.len())
}

/// GA as the Loghub benchmark computes it: a ground-truth group counts only if all its lines
/// share one predicted group and that predicted group holds no other line.
fn grouping_accuracy(truth: &[String], pred: &[u32]) -> (f64, Vec<String>) {
    let mut by_truth: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_truth.entry(t).or_default().push(i);
    }
    let mut pred_size: HashMap<u32, usize> = HashMap::new();
    for &p in pred {
        *pred_size.entry(p).or_default() += 1;
    }
    let mut correct = 0;
    let mut wrong = Vec::new();
    let mut keys: Vec<_> = by_truth.keys().copied().collect();
    keys.sort();
    for k in keys {
        let lines = &by_truth[k];
        let p = pred[lines[0]];
        if lines.iter().all(|&l| pred[l] == p) && pred_size[&p] == lines.len() {
            correct += lines.len();
        } else {
            wrong.push(k.to_string());
        }
    }
    (correct as f64 / truth.len() as f64, wrong)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_errors = args.iter().any(|a| a == "--errors");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "/work/shared/loghub".into());
    let mut files = Vec::new();
    find_csvs(Path::new(&dir), &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("no *_structured_corrected.csv under {dir}");
        std::process::exit(1);
    }
    let sets: Vec<Set> = files.iter().map(|f| read_set(f)).collect();

    let mut sum = 0.0;
    for s in &sets {
        let (pred, templates, n_distinct) = run(&s.contents);
        let (ga, wrong) = grouping_accuracy(&s.events, &pred);
        sum += ga;
        println!(
            "{:<10} GA {:.3}  lines {}  distinct masked {}  templates {}",
            s.name,
            ga,
            s.contents.len(),
            n_distinct,
            templates.len()
        );
        if show_errors {
            for w in wrong {
                let lines: Vec<usize> = (0..s.events.len()).filter(|&i| s.events[i] == w).collect();
                let mut preds: Vec<u32> = lines.iter().map(|&i| pred[i]).collect();
                preds.sort();
                preds.dedup();
                println!(
                    "  truth {w} ({} lines) -> {} predicted groups",
                    lines.len(),
                    preds.len()
                );
                for p in preds.iter().take(4) {
                    let others = (0..pred.len())
                        .filter(|&i| pred[i] == *p && s.events[i] != w)
                        .count();
                    let example = lines.iter().find(|&&i| pred[i] == *p).unwrap();
                    println!(
                        "    [{}] +{} foreign  e.g. {}",
                        templates[*p as usize], others, s.contents[*example]
                    );
                }
            }
        }
    }
    println!(
        "average GA {:.4} over {} sets",
        sum / sets.len() as f64,
        sets.len()
    );

    // Throughput: mask every line, dedup, mine the distinct ones; repeat to get a stable time.
    let all: Vec<&String> = sets.iter().flat_map(|s| s.contents.iter()).collect();
    let start = Instant::now();
    let mut reps = 0u64;
    let mut sink = 0usize;
    while reps < 3 || start.elapsed().as_secs_f64() < 1.0 {
        for s in &sets {
            let (pred, templates, _) = run(&s.contents);
            sink += pred.len() + templates.len();
        }
        reps += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    // Breakdown: mask alone over every line, mine alone over each set's distinct messages.
    let t = Instant::now();
    let mut mask_reps = 0u64;
    while mask_reps < 3 || t.elapsed().as_secs_f64() < 0.5 {
        for l in &all {
            sink += mask::mask_message(l).len();
        }
        mask_reps += 1;
    }
    let mask_secs = t.elapsed().as_secs_f64() / mask_reps as f64;
    let distinct: Vec<(Vec<String>, Vec<u64>)> = sets
        .iter()
        .map(|s| {
            let mut d: Vec<String> = s.contents.iter().map(|c| mask::mask_message(c)).collect();
            d.sort();
            d.dedup();
            let w = vec![1; d.len()];
            (d, w)
        })
        .collect();
    let t = Instant::now();
    let mut mine_reps = 0u64;
    while mine_reps < 3 || t.elapsed().as_secs_f64() < 0.5 {
        for (d, w) in &distinct {
            let refs: Vec<&str> = d.iter().map(|s| s.as_str()).collect();
            sink += miner::mine(&refs, w).templates.len();
        }
        mine_reps += 1;
    }
    let mine_secs = t.elapsed().as_secs_f64() / mine_reps as f64;
    let n_distinct: usize = distinct.iter().map(|d| d.0.len()).sum();
    println!(
        "mask alone: {:.0} lines/s; mine alone: {:.0} distinct messages/s ({} distinct, {:.2} ms a pass)",
        all.len() as f64 / mask_secs,
        n_distinct as f64 / mine_secs,
        n_distinct,
        mine_secs * 1e3
    );
    println!(
        "speed: {:.0} lines/s (mask all lines + dedup + mine distinct, {} lines x {} reps in {:.2}s, sink {})",
        (all.len() as u64 * reps) as f64 / secs,
        all.len(),
        reps,
        secs,
        sink
    );
}
