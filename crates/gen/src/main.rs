//! `log-gardener-gen`: writes a synthetic Cloud Logging dump with planted issues (the bundled
//! sample, test fixtures, benchmark inputs) and optionally its ground truth CSV.
//!
//! ```text
//! log-gardener-gen [--entries N] [--seed S] [--start RFC3339] [--span 2h] [--format json|ndjson]
//!                  [--gzip] [--project ID] [--week N] [--out FILE] [--truth FILE]
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, Utc};

use clap::Parser;
use log_gardener_gen::{generate, parse_span, write_truth_csv, DumpFormat, GenerateOptions};

/// Layout of the generated dump.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// What `gcloud logging read --format=json` prints: one pretty-printed array, newest first.
    Json,
    /// What a Cloud Storage sink writes: one compact entry per line, oldest first.
    Ndjson,
}

/// Writes a synthetic Cloud Run log dump with planted issues (the sample, test and benchmark
/// inputs of log-gardener), and optionally its ground truth.
#[derive(Parser, Debug)]
#[command(name = "log-gardener-gen", version, about, long_about = None)]
pub struct GenerateArgs {
    /// Number of log entries to write. Planted issues scale with it; at the default every issue
    /// occurs several times (below ~60 entries the issues alone may exceed it).
    #[arg(long, default_value_t = 400, value_name = "N")]
    pub entries: usize,

    /// Seed of the pseudo-random generator: the same seed and options give byte-identical output.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Start of the time window covered by the dump (RFC 3339).
    #[arg(long, default_value = "2025-09-11T05:00:00Z", value_parser = parse_start, value_name = "RFC3339")]
    pub start: DateTime<Utc>,

    /// Length of the time window: a whole number with a unit, `s`, `m`, `h`, `d` or `w` (`90m`,
    /// `2h`, `7d`), as log-gardener's `--since` takes spans.
    #[arg(long, default_value = "2h", value_parser = parse_span_arg, value_name = "DURATION")]
    pub span: Duration,

    /// Layout of the dump.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Gzip the dump (fast compression level).
    #[arg(long)]
    pub gzip: bool,

    /// GCP project id written into logName, resource labels and trace names.
    #[arg(long, default_value = "netra-staging", value_name = "ID")]
    pub project: String,

    /// Week of the follow-up scenario: 1 is the usual dump; in 2 an issue appears, two escalate,
    /// one declines and one is resolved; in 3 the resolved one comes back (regresses). The
    /// ground truth gives each issue's expected status against the previous week's report.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub week: u32,

    /// Where to write the dump (`-` or absent: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Write a high-cardinality dump instead: every message distinct even after masking, from
    /// three templates with letters-only variable parts (NDJSON; the ground truth is each
    /// template's count, printed on stderr). For memory and speed at any cardinality.
    #[arg(long)]
    pub distinct: bool,

    /// With --distinct: the severity of every entry.
    #[arg(long, default_value = "WARNING", value_name = "LEVEL")]
    pub severity: String,

    /// Also write the ground truth to FILE as CSV (`entry,truth`: insertId, planted issue key or
    /// empty for noise).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

fn parse_start(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 timestamp ({e}); e.g. 2025-09-11T05:00:00Z"))
}

fn parse_span_arg(s: &str) -> Result<Duration, String> {
    match parse_span(s)? {
        0 => Err(format!("`{s}` is an empty span")),
        nanos => Ok(Duration::nanoseconds(nanos)),
    }
}

/// `--distinct`: the high-cardinality dump.
fn run_distinct(args: &GenerateArgs) -> anyhow::Result<()> {
    let opts = log_gardener_gen::DistinctOptions {
        entries: args.entries,
        seed: args.seed,
        start_nanos: args.start.timestamp_nanos_opt().unwrap_or(0),
        severity: args.severity.clone(),
    };
    let to_file = args.out.as_ref().filter(|p| p.as_os_str() != "-");
    let sink: Box<dyn Write> = match to_file {
        Some(path) => Box::new(io::BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let counts = if args.gzip {
        let mut gz = flate2::write::GzEncoder::new(sink, flate2::Compression::fast());
        let counts = log_gardener_gen::generate_distinct(&opts, &mut gz)?;
        gz.finish()?.flush()?;
        counts
    } else {
        let mut sink = sink;
        let counts = log_gardener_gen::generate_distinct(&opts, &mut sink)?;
        sink.flush()?;
        counts
    };
    for (template, n) in log_gardener_gen::DISTINCT_TEMPLATES.iter().zip(counts) {
        eprintln!("{n}\t{template}");
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run(&GenerateArgs::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("log-gardener-gen: error: {e:#}");
            std::process::ExitCode::from(1)
        }
    }
}

/// Runs `generate`.
fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    if args.distinct {
        return run_distinct(args);
    }
    let opts = GenerateOptions {
        entries: args.entries,
        seed: args.seed,
        start: args.start,
        span: args.span,
        format: match args.format {
            FormatArg::Json => DumpFormat::JsonArray,
            FormatArg::Ndjson => DumpFormat::Ndjson,
        },
        project: args.project.clone(),
        week: args.week,
    };
    let end = opts.start.checked_add_signed(opts.span);
    if opts.start.timestamp_nanos_opt().is_none()
        || end.and_then(|e| e.timestamp_nanos_opt()).is_none()
    {
        bail!("--start and --span must stay between the years 1678 and 2262");
    }
    if opts.project.is_empty() || opts.project.contains(['/', '"']) {
        bail!("--project must be a GCP project id, got {:?}", opts.project);
    }
    let to_file = args.out.as_ref().filter(|p| p.as_os_str() != "-");
    let sink: Box<dyn Write> = match to_file {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let truth = if args.gzip {
        let mut gz = flate2::write::GzEncoder::new(sink, flate2::Compression::fast());
        let truth = generate(&opts, &mut gz)?;
        gz.finish()?.flush()?;
        truth
    } else {
        let mut sink = sink;
        let truth = generate(&opts, &mut sink)?;
        sink.flush()?;
        truth
    };
    if let Some(path) = &args.truth {
        let mut f =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        write_truth_csv(&truth, &mut f)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = to_file {
        eprintln!(
            "wrote {} entries ({} planted issues) to {}",
            truth.entries.len(),
            truth.issues.len(),
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_and_truth_files() {
        let dir = std::env::temp_dir().join(format!("loggen-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("dump.ndjson.gz");
        let truth = dir.join("truth.csv");
        let args = GenerateArgs::try_parse_from([
            "x",
            "--entries",
            "120",
            "--format",
            "ndjson",
            "--gzip",
            "--span",
            "30m",
            "--out",
            out.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ])
        .unwrap();
        run(&args).unwrap();
        let mut text = String::new();
        io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(File::open(&out).unwrap()),
            &mut text,
        )
        .unwrap();
        assert_eq!(text.lines().count(), 120);
        let csv = std::fs::read_to_string(&truth).unwrap();
        assert!(csv.starts_with("entry,truth\n"));
        assert_eq!(csv.lines().count(), 121);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
