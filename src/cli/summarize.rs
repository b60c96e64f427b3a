//! `log-gardener summarize`: read inputs as `report` does and write their summary, the part of a
//! run that many machines can do in parallel (`merge` then writes the report).
//!
//! ```text
//! log-gardener summarize INPUT... --out FILE [--shard I/N | --shard auto] [--min-severity LEVEL]
//!                        [--since T] [--until T] [--service NAME]... [--input-format F]
//!                        [--line-format FMT] [--config FILE] [--threads N] [--quiet]
//! ```

use super::args::ScopeArgs;
use super::report::{start_threads, write_file};
use super::Failure;
use crate::config::Config;
use crate::normalize::redact::Redactor;
use crate::pipeline;
use crate::read::{self, Source};
use crate::tally::summary_file;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SummarizeArgs {
    /// Files or folders (read recursively) of exported logs, or `-` for standard input, as for
    /// `report`.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// The summary file to write (`-`: standard output, as an engine's task reads it). `{shard}`
    /// in it is replaced by the shard's number (with `--shard`), so that every task of a job can
    /// be given the same command line.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,

    /// Read only the I-th of N shares of the input files (numbered from 0): the files found are
    /// sorted by path and dealt out in turn, so every task that lists the same files takes its
    /// own share. `auto` reads I and N from the environment of a Cloud Run job
    /// (`CLOUD_RUN_TASK_INDEX`, `CLOUD_RUN_TASK_COUNT`) or a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX`, and `JOB_COMPLETIONS`, which the job sets from its
    /// `.spec.completions`; see engines/).
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard_arg)]
    pub(crate) shard: Option<ShardArg>,

    #[command(flatten)]
    pub(crate) scope: ScopeArgs,

    /// The rules file: only its `[[redact]]` patterns act while reading (give the same file to
    /// `merge`, whose rules judge the issues).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,

    /// No summary line on stderr (problems with the input are still reported).
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// `--shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShardArg {
    /// The I-th of N.
    Of(usize, usize),
    /// From the environment of the job's task.
    Auto,
}

fn parse_shard_arg(text: &str) -> Result<ShardArg, String> {
    if text == "auto" {
        return Ok(ShardArg::Auto);
    }
    parse_shard(text).map(|(i, n)| ShardArg::Of(i, n))
}

/// `I/N` with 0 <= I < N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{text}' is not a shard: give I/N with 0 <= I < N (e.g. 0/8), or auto");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) =
        (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The shard from a job task's environment (`get` reads a variable).
pub(crate) fn shard_from_env(
    get: impl Fn(&str) -> Option<String>,
) -> Result<(usize, usize), String> {
    let pair = |index: &str, count: &str| -> Option<Result<(usize, usize), String>> {
        let i = get(index)?;
        let n = get(count).ok_or_else(|| format!("{index} is set but {count} is not"));
        Some(n.and_then(|n| {
            parse_shard(&format!("{i}/{n}")).map_err(|e| format!("{index}/{count}: {e}"))
        }))
    };
    pair("CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT")
        .or_else(|| pair("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"))
        .unwrap_or_else(|| {
            Err("--shard auto: neither CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT (a Cloud Run job) \
                 nor JOB_COMPLETION_INDEX/JOB_COMPLETIONS (a Kubernetes Indexed Job) is set"
                .to_string())
        })
}

/// The `index`-th of `count` shares of the sources: sorted by path and dealt out in turn.
pub fn shard_of(mut sources: Vec<Source>, index: usize, count: usize) -> Vec<Source> {
    sources.sort_by_key(|s| s.label());
    sources.into_iter().enumerate().filter(|(k, _)| k % count == index).map(|(_, s)| s).collect()
}

pub fn run(args: &SummarizeArgs) -> Result<(), Failure> {
    start_threads(args.threads)?;
    let config = Config::load(args.config.as_deref()).map_err(Failure::Usage)?;
    let redactor = Redactor::new(&config.redact, &config.redaction)
        .map_err(|e| Failure::Usage(format!("a [[redact]] pattern is not valid: {e}")))?;
    let shard = match args.shard {
        None => None,
        Some(ShardArg::Of(i, n)) => Some((i, n)),
        Some(ShardArg::Auto) => {
            Some(shard_from_env(|k| std::env::var(k).ok()).map_err(Failure::Usage)?)
        }
    };
    let inputs = match shard {
        None => args.inputs.clone(),
        Some((i, n)) => {
            let (sources, _) = read::discover(&args.inputs);
            shard_of(sources, i, n).into_iter().map(|s| PathBuf::from(s.label())).collect()
        }
    };
    let options = args.scope.options(inputs);
    let started = std::time::Instant::now();
    let (summary, _) = pipeline::summarize(&options, &redactor)?;
    let out = match shard {
        Some((i, _)) => {
            PathBuf::from(args.out.display().to_string().replace("{shard}", &i.to_string()))
        }
        None => args.out.clone(),
    };
    let mut bytes = Vec::new();
    summary_file::write(&summary, &mut bytes)
        .map_err(|e| Failure::Fatal(format!("{}: {e}", out.display())))?;
    if out.as_os_str() == "-" {
        std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)
            .map_err(|e| Failure::Fatal(format!("standard output: {e}")))?;
    } else {
        write_file(&out, &bytes)?;
        println!("{}", out.display());
    }
    if !args.quiet {
        eprintln!(
            "log-gardener: {} entries read from {} input{} into {} ({} keys, {} event rows, {} bytes), in {:.2}s",
            summary.entries_read(),
            summary.inputs.len(),
            if summary.inputs.len() == 1 { "" } else { "s" },
            out.display(),
            summary.keys.len(),
            summary.events.len(),
            bytes.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_deal_sorted_files_in_turn() {
        let files: Vec<Source> =
            ["c", "a", "e", "b", "d"].iter().map(|f| Source::File(PathBuf::from(f))).collect();
        let names = |i| -> Vec<String> {
            shard_of(files.clone(), i, 2).iter().map(|s| s.label()).collect()
        };
        assert_eq!(names(0), ["a", "c", "e"]);
        assert_eq!(names(1), ["b", "d"]);
    }

    #[test]
    fn shards_from_the_command_line_and_the_environment() {
        assert_eq!(parse_shard_arg("3/8"), Ok(ShardArg::Of(3, 8)));
        assert_eq!(parse_shard_arg("auto"), Ok(ShardArg::Auto));
        for bad in ["8/8", "1/0", "x/2", "3", "-1/2"] {
            assert!(parse_shard_arg(bad).is_err(), "{bad}");
        }
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let cloud_run = env(&[("CLOUD_RUN_TASK_INDEX", "2"), ("CLOUD_RUN_TASK_COUNT", "5")]);
        assert_eq!(shard_from_env(cloud_run), Ok((2, 5)));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("JOB_COMPLETIONS", "3")]);
        assert_eq!(shard_from_env(k8s), Ok((0, 3)));
        assert!(shard_from_env(env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
        assert!(shard_from_env(env(&[])).is_err());
        assert!(shard_from_env(env(&[
            ("CLOUD_RUN_TASK_INDEX", "5"),
            ("CLOUD_RUN_TASK_COUNT", "5")
        ]))
        .is_err());
    }
}
