//! Runs the stages in order: read → normalize → tally into a summary, then, on the summary,
//! window and scope → group → aggregate → judge, and hands the verdict to render. `report` does
//! both halves in one process; `summarize` and `merge` split them at the summary. Each step
//! below is one stage's call; the stages themselves own what they decide.

use crate::aggregate::{self, per_issue, precision, Aggregates, EventRow};
use crate::group::{self, Grouping, Keyed};
use crate::judge::history::Choice;
use crate::judge::rules::Rules;
use crate::judge::verdict::{self, Asked, Evidence, Names, Verdict};
use crate::normalize::redact::Redactor;
use crate::normalize::text::LineFormat;
use crate::normalize::time::Timestamp;
use crate::normalize::{Normalizer, Record, Severity};
use crate::read::{self, InputFormat, InputReport, Problem, ReadOptions, Source};
use crate::tally::scope::{self, Filters, Scoped};
use crate::tally::summary::Scope as SummaryScope;
use crate::tally::{self, Books, Collector, Selection, SharedTemplates, Summary, NO_KEY};
use std::path::PathBuf;

/// What the user asked for (the command line, minus where the output goes).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub min_severity: Severity,
    pub since: Option<String>,
    pub until: Option<String>,
    pub services: Vec<String>,
    pub input_format: InputFormat,
    /// Checked by the command line (`LineFormat::parse`).
    pub line_format: Option<String>,
    /// Keep every entry's id for `--assignments` (costs memory on big inputs).
    pub assignments: bool,
    /// Distinct messages kept before they are mined into templates (`--message-budget`;
    /// `None`: [`tally::DEFAULT_MESSAGE_BUDGET`]).
    pub message_budget: Option<usize>,
    /// Counters for a progress bar, advanced while reading.
    pub progress: Option<std::sync::Arc<crate::read::progress::Progress>>,
}

/// A failure that stops the run (exit status 1).
#[derive(Debug)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Fatal {}

/// The whole run in one process: the inputs' summary, then the rest on it.
pub fn run(
    options: Options,
    rules: &Rules,
    redactor: &Redactor,
    baseline: &Choice,
) -> Result<Verdict, Fatal> {
    stage("start");
    let (summary, entry_ids) = summarize(&options, redactor)?;
    finish(summary, rules, baseline, entry_ids)
}

/// Every entry's id and where it was counted, for `--assignments`.
pub struct EntryIds {
    /// (collector event, input, offset, entry id).
    ids: Vec<(u32, u32, u64, String)>,
    /// Collector event → summary event.
    event_of: Vec<u32>,
}

/// Reads every input into its summary (read, normalize, tally). With `--assignments`, also the
/// id of every entry and the event it was counted in.
pub fn summarize(
    options: &Options,
    redactor: &Redactor,
) -> Result<(Summary, Option<EntryIds>), Fatal> {
    let (mut collector, inputs, problems) = read_and_tally(options, redactor)?;
    give_back_freed_memory();
    stage("read, normalize, key and count");
    let ids = std::mem::take(&mut collector.entry_ids);
    let mut services = options.services.clone();
    services.sort();
    services.dedup();
    let scope = SummaryScope {
        min_severity: options.min_severity,
        services,
        since: options.since.clone(),
        until: options.until.clone(),
        input_format: options.input_format.name().to_string(),
        line_format: options.line_format.clone(),
        redact: redactor.user_settings().0.clone(),
        redaction: redactor.user_settings().1,
    };
    let (summary, event_of) = Summary::from_collector(collector, scope, inputs, problems);
    stage("summary");
    Ok((summary, options.assignments.then_some(EntryIds { ids, event_of })))
}

/// The rest of the run, on a summary (of one machine's inputs, or merged): window and scope,
/// group, aggregate, judge. A little over 80 lines on purpose: one call per stage, in order, so
/// the flow reads top to bottom here.
pub fn finish(
    mut summary: Summary,
    rules: &Rules,
    baseline: &Choice,
    entry_ids: Option<EntryIds>,
) -> Result<Verdict, Fatal> {
    let mut books = books_of(&summary)?;
    tally::same_event::fold(&mut summary.events, &summary.copies);
    // Folded into the counts; nothing after needs them, and aggregation is the peak of memory.
    summary.copies = Vec::new();
    let filters = Filters {
        since: summary.scope.since.clone(),
        until: summary.scope.until.clone(),
        min_severity: summary.scope.min_severity,
    };
    let scoped = scope::select(&summary, &filters, &mut books).map_err(Fatal)?;
    stage("window and scope");
    let (grouping, used_keys, issue_of_key) = group_in_scope(&summary, &scoped);
    stage("mine templates");
    let aggregates = aggregate_events(&summary, &scoped, &grouping, &issue_of_key)?;
    stage("aggregate");
    let names = Names {
        services: summary.services.clone(),
        components: summary.components.clone(),
        revisions: summary.revisions.clone(),
    };
    let evidence = Evidence {
        grouping: &grouping,
        aggregates: &aggregates,
        examples: per_issue::examples_per_issue(&summary, &used_keys, &grouping, scoped.window, 12),
        traces: per_issue::traces_per_issue(&summary, &used_keys, &grouping),
        names: &names,
        window: scoped.window,
    };
    let time = precision::printed_times(
        &summary.events,
        &scoped.in_window,
        &aggregates,
        scoped.window,
        scoped.time_digits,
    );
    let d = verdict::decide(rules, &evidence, &time, baseline);
    ignored_leave_scope(&d.issues, &aggregates, &mut books);
    let assignments = entry_ids
        .map(|ids| assignments(ids, &summary, &scoped, &issue_of_key, &grouping, &d.issues))
        .unwrap_or_default();
    stage("judge");
    Ok(Verdict {
        asked: Asked {
            filters,
            services: summary.scope.services.clone(),
            input_format: InputFormat::from_name(&summary.scope.input_format),
            line_format: summary.scope.line_format.clone(),
        },
        inputs: summary.inputs,
        books,
        window: scoped.window,
        time,
        projects: scoped.projects,
        names,
        grouping,
        aggregates,
        issues: d.issues,
        order: d.order,
        service_health: d.service_health,
        component_health: d.component_health,
        clusters: d.correlation.clusters,
        appeared_with: d.correlation.appeared_with,
        revision_start: d.correlation.revision_start,
        deploys: d.correlation.deploys,
        history: d.history,
        statuses: d.statuses,
        baseline: d.baseline,
        unmatched_rules: d.unmatched_rules,
        read: verdict::InputsRead {
            services: summary.services_read.clone(),
            span: summary.read_range,
        },
        assignments,
        rules_file: rules.file.clone(),
    })
}

/// How many chunks past where templates were mined they apply (see [`SharedTemplates`]).
const TEMPLATE_LAG_CHUNKS: u64 = 4;

/// Reads every input, normalizing and tallying chunk by chunk. The collector's bookkeeping is
/// sequential; on a thread of its own it takes one chunk while the next are parsed. The channel
/// keeps the chunks' order, so results do not change. It holds several chunks because the
/// collector, sharing the cores with the parsers, runs in bursts: with room for two, the reader
/// often waited for it and the parsers ran dry.
fn read_and_tally<'r>(
    options: &Options,
    redactor: &'r Redactor,
) -> Result<(Collector<'r>, Vec<InputReport>, Vec<Problem>), Fatal> {
    let normalizer = Normalizer {
        redactor,
        text_from: options.min_severity,
        line_format: line_format(options)?,
        entry_ids: options.assignments,
    };
    let selection = Selection {
        min_severity: options.min_severity,
        services: options.services.iter().cloned().collect(),
        window: (absolute(&options.since), absolute(&options.until)),
        want_ids: options.assignments,
    };
    let read_options =
        ReadOptions { input_format: input_format(options), progress: options.progress.clone() };
    let (sources, mut problems) = read::discover(&options.inputs);
    if let Some(progress) = &options.progress {
        progress.set_total(&sources);
    }
    let budget = options.message_budget.unwrap_or(tally::DEFAULT_MESSAGE_BUDGET);
    // Templates mined over the budget apply to entries this far on (see `tally::templates`):
    // the collector runs a few chunks behind the parsers.
    let lag = TEMPLATE_LAG_CHUNKS * read::chunk_bytes() as u64;
    let templates = std::sync::Arc::new(SharedTemplates::new(lag));
    let collector =
        Collector::new(options.min_severity, budget, redactor, std::sync::Arc::clone(&templates));
    let reduce: read::Reduce<tally::Batch> =
        &|raw, rejected| tally::reduce(normalizer.records(raw, rejected), &selection, &templates);
    let (chunk_tx, chunk_rx) = std::sync::mpsc::sync_channel::<Vec<tally::Batch>>(8);
    let mut inputs = Vec::with_capacity(sources.len());
    let collector = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("collect".into())
            .spawn_scoped(scope, move || {
                let mut collector = collector;
                for batches in chunk_rx {
                    collector.add(batches);
                }
                collector.finish();
                collector
            })
            .expect("a thread can be started");
        for (i, source) in sources.iter().enumerate() {
            let (report, found) =
                read::read_source(source, i as u32, &read_options, reduce, &mut |batches| {
                    chunk_tx.send(batches).expect("the collector runs until the sender is dropped")
                });
            inputs.push(report);
            problems.extend(found);
        }
        drop(chunk_tx);
        worker.join().expect("the collector thread does not panic")
    });
    Ok((collector, inputs, problems))
}

/// Returns memory freed while reading (chunk buffers, the duplicate set) to the system now,
/// rather than after mimalloc's purge delay: the summary and aggregation that follow would
/// otherwise stack their allocations on top of it (peak 140 → 125 MB on a 1 GB export). When
/// mimalloc is not the process's allocator (tests), this only tidies its unused heap.
fn give_back_freed_memory() {
    // SAFETY: mi_collect may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// The line format of plain-text inputs, if one was given.
fn line_format(options: &Options) -> Result<Option<LineFormat>, Fatal> {
    options
        .line_format
        .as_deref()
        .map(LineFormat::parse)
        .transpose()
        .map_err(|e| Fatal(format!("--line-format: {e}")))
}

/// A line format implies plain text.
fn input_format(options: &Options) -> InputFormat {
    match (options.input_format, &options.line_format) {
        (InputFormat::Auto, Some(_)) => InputFormat::Text,
        (f, _) => f,
    }
}

/// A window end given as a time, applied exactly while reading (a span back from the newest
/// entry can only be applied at the end, in whole minutes).
fn absolute(bound: &Option<String>) -> Option<i64> {
    bound.as_deref().and_then(Timestamp::parse).map(|t| t.nanos)
}

/// The books as the summary gives them; nothing read at all is fatal.
fn books_of(summary: &Summary) -> Result<Books, Fatal> {
    let books = Books {
        entries_read: summary.entries_read(),
        entries_skipped: summary.entries_skipped(),
        duplicates: summary.duplicates,
        service_not_selected: summary.service_not_selected,
        outside_window: summary.outside_window,
        ..Books::default()
    };
    if books.entries_read == 0 {
        // Every input named, with its problems or as empty: with several inputs (a folder) the
        // user must see what each one held.
        let why: Vec<String> = summary
            .inputs
            .iter()
            .flat_map(|i| {
                let problems = i.problems.iter().flat_map(move |r| {
                    r.examples.iter().map(move |(position, detail)| {
                        problem_line(&i.label, position, &r.reason, detail)
                    })
                });
                let problems: Vec<String> = problems.collect();
                if problems.is_empty() {
                    vec![format!("{}: {}, no entries", i.label, i.format)]
                } else {
                    problems
                }
            })
            .collect();
        let why = why.join("\n  ");
        return Err(Fatal(format!("nothing could be read:\n  {why}")));
    }
    Ok(books)
}

/// `input:position: reason: detail`, as problems print.
pub fn problem_line(input: &str, position: &str, reason: &str, detail: &str) -> String {
    match position {
        "" => format!("{input}: {reason}: {detail}"),
        pos => format!("{input}:{pos}: {reason}: {detail}"),
    }
}

/// Mines over the distinct keys in scope, weighted by their events. Returns the grouping, the
/// keys used (in the grouping's order) and each key's issue (`u32::MAX` for keys not in scope).
fn group_in_scope(summary: &Summary, scoped: &Scoped) -> (Grouping, Vec<usize>, Vec<u32>) {
    let mut key_weight = vec![0u64; summary.keys.len()];
    for (e, &s) in summary.events.iter().zip(&scoped.in_scope) {
        if s {
            key_weight[e.key as usize] += e.count;
        }
    }
    let used_keys: Vec<usize> = (0..summary.keys.len()).filter(|&k| key_weight[k] > 0).collect();
    let keyed: Vec<Keyed> = used_keys
        .iter()
        .map(|&k| Keyed {
            service: &summary.services[summary.keys[k].service as usize],
            key: &summary.keys[k].key,
            weight: key_weight[k],
        })
        .collect();
    let grouping = group::group_keys(&keyed);
    let mut issue_of_key = vec![u32::MAX; summary.keys.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        issue_of_key[k] = issue;
    }
    (grouping, used_keys, issue_of_key)
}

/// The frame of every event in the window, and the aggregations over it.
fn aggregate_events(
    summary: &Summary,
    scoped: &Scoped,
    grouping: &Grouping,
    issue_of_key: &[u32],
) -> Result<Aggregates, Fatal> {
    let flags = scoped.in_window.iter().zip(&scoped.in_scope);
    let rows = || {
        summary.events.iter().zip(flags.clone()).filter(|(_, (&w, _))| w).map(|(e, (_, &s))| {
            EventRow {
                issue: if s { issue_of_key[e.key as usize] } else { 0 },
                time: e.time(),
                last: e.last(),
                events: e.count,
                severity: e.severity as u8,
                service: e.service,
                component: e.component,
                revision: e.revision,
                status: e.status,
                entries: e.entries,
                in_scope: s,
            }
        })
    };
    let (start, end) = scoped.window.unwrap_or((0, 0));
    let width = bucket_width(end - start);
    // Buckets start on a whole minute, so that events counted together per minute never
    // straddle two buckets.
    let origin = start.div_euclid(60_000_000_000) * 60_000_000_000;
    aggregate::aggregate(rows, grouping.issues.len(), (origin, end), width)
        .map_err(|e| Fatal(format!("aggregation failed: {e}")))
}

/// Issues a rule ignores leave the scope, and the books say so.
fn ignored_leave_scope(
    issues: &[verdict::JudgedIssue],
    aggregates: &Aggregates,
    books: &mut Books,
) {
    for j in issues.iter().filter(|j| j.judgement.ignored_by.is_some()) {
        let stats = &aggregates.issues[j.index];
        books.ignored_by_rule += stats.entries;
        books.entries_in_scope -= stats.entries;
        books.events_in_scope -= stats.events;
    }
}

/// (entry id, issue id) of every entry in scope whose issue is shown, in input order.
fn assignments(
    entry_ids: EntryIds,
    summary: &Summary,
    scoped: &Scoped,
    issue_of_key: &[u32],
    grouping: &Grouping,
    issues: &[verdict::JudgedIssue],
) -> Vec<(String, String)> {
    let EntryIds { mut ids, event_of } = entry_ids;
    ids.sort_by_key(|&(_, input, offset, _)| (input, offset));
    let mut out = Vec::with_capacity(ids.len());
    for (event, _, _, id) in ids {
        let event = event_of[event as usize] as usize;
        let e = &summary.events[event];
        if !scoped.in_scope[event] || e.key == NO_KEY {
            continue;
        }
        let issue = issue_of_key[e.key as usize] as usize;
        if issues[issue].judgement.ignored_by.is_none() {
            out.push((id, grouping.issues[issue].id.clone()));
        }
    }
    out
}

/// Most buckets a window is cut into: a chart's x axis labels each one, so that many stay
/// readable whether the window is an hour or years.
pub(crate) const MAX_BUCKETS: i64 = 48;

/// A bucket width that gives at most [`MAX_BUCKETS`] buckets over the window (and, from an hour
/// up, at least 12), on a round unit: minutes, hours, a day or two, weeks, a quarter, half a
/// year, a year (52 weeks), then whole multiples of a year.
pub(crate) fn bucket_width(span: i64) -> i64 {
    const MIN: i64 = 60_000_000_000;
    const WEEK: i64 = 10080;
    const YEAR: i64 = 52 * WEEK * MIN;
    let steps = [
        1,
        5,
        15,
        30,
        60,
        180,
        360,
        720,
        1440,
        2880,
        WEEK,
        2 * WEEK,
        4 * WEEK,
        13 * WEEK,
        26 * WEEK,
    ]
    .map(|m: i64| m * MIN);
    if let Some(&s) = steps.iter().find(|&&s| span / s <= MAX_BUCKETS) {
        return s;
    }
    let years = (span / YEAR).div_euclid(MAX_BUCKETS) + 1;
    years * YEAR
}

/// Reads every source, keeping all records (tests and tools; the report tallies instead).
pub fn read_records(
    sources: &[Source],
    options: &ReadOptions,
    normalizer: &Normalizer,
) -> (Vec<Record<'static>>, Vec<InputReport>, Vec<Problem>) {
    let (mut records, mut inputs, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    let keep: read::Reduce<Vec<Record<'static>>> =
        &|raw, rejected| normalizer.records(raw, rejected).map(Record::into_owned).collect();
    for (i, s) in sources.iter().enumerate() {
        let (report, found) = read::read_source(s, i as u32, options, keep, &mut |batches| {
            records.extend(batches.into_iter().flatten())
        });
        inputs.push(report);
        problems.extend(found);
    }
    (records, inputs, problems)
}

/// With `LOG_GARDENER_TIMINGS` set, prints to stderr the seconds since the previous stage ended
/// (or the first call) and, on Linux, the resident memory (VmRSS) and its peak so far (VmHWM),
/// for docs/performance.md.
pub(crate) fn stage(name: &str) {
    static LAST: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    if std::env::var_os("LOG_GARDENER_TIMINGS").is_none() {
        return;
    }
    let now = std::time::Instant::now();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(before) = *last {
        // Linux: the resident memory now and at its peak so far.
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |key: &str| {
            let line = status.lines().find(|l| l.starts_with(key))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!(", {} {} MB", &key[..key.len() - 1], kb / 1024))
        };
        eprintln!(
            "log-gardener: timing: {name}: {:.3}s{}{}",
            (now - before).as_secs_f64(),
            field("VmRSS:").unwrap_or_default(),
            field("VmHWM:").unwrap_or_default()
        );
    }
    *last = Some(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_window_gets_a_few_dozen_buckets() {
        const MIN: i64 = 60_000_000_000;
        let mut span = MIN;
        // From a minute to about 190 years, in steps of a tenth.
        while span < 100_000_000 * MIN {
            let width = bucket_width(span);
            let buckets = span / width + 1;
            assert!(buckets <= MAX_BUCKETS + 1, "{buckets} buckets for a span of {span} ns");
            if span >= 60 * MIN {
                assert!(buckets >= 12, "{buckets} buckets for a span of {span} ns");
            }
            span += span / 10;
        }
        assert_eq!(bucket_width(2 * 60 * MIN), 5 * MIN);
        assert_eq!(bucket_width(3 * 365 * 1440 * MIN), 4 * 10080 * MIN);
    }
}
