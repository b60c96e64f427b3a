//! Runs the stages in order, once, over all inputs: read → normalize → group → aggregate →
//! judge, and hands the result to render. Also keeps the books: every entry read ends up in
//! scope, out of scope (with the filter that excluded it), a duplicate, or skipped (with why).
//! `collect` turns parsed records into counted events while the input is read, `seen` holds the
//! identities of the entries read, for duplicates.

use crate::aggregate::{self, Aggregates, EventRow};
use crate::config::Rules;
use crate::group::{self, Grouping, Keyed};
use crate::judge::classify::{classify, ErrorClass};
use crate::judge::correlate::{self, Cluster, IssueSignal};
use crate::judge::priority::Priority;
use crate::judge::rules::{judge, IssueFacts, Judgement};
use crate::normalize::redact::Redactor;
use crate::normalize::time::{format_nanos, parse_span_nanos, parse_time_or_span, Timestamp};
use crate::normalize::Severity;
use crate::read::text::LineFormat;
use crate::read::{self, InputFormat, InputReport, Problem, ReadOptions};
use collect::{Collector, Event, Segmented, NO_KEY};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

pub mod collect;
pub mod seen;

/// Trace ids kept per issue for correlation; enough to see shared requests, bounded in memory.
const MAX_TRACES_PER_ISSUE: usize = 256;

/// What the user asked for (the command line, minus where the output goes).
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub min_severity: Severity,
    pub since: Option<String>,
    pub until: Option<String>,
    pub services: Vec<String>,
    pub input_format: InputFormat,
    pub line_format: Option<String>,
    /// Keep every entry's id for `--assignments` (costs memory on big inputs).
    pub assignments: bool,
    /// Counters for a progress bar, advanced while reading.
    pub progress: Option<std::sync::Arc<crate::read::progress::Progress>>,
}

/// Entry counts; `entries_read` = skipped + duplicates + out of scope + in scope. The report's
/// `totals` are these, as they are named here.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Books {
    pub entries_read: u64,
    pub entries_skipped: u64,
    pub duplicates: u64,
    pub below_min_severity: u64,
    pub outside_window: u64,
    pub service_not_selected: u64,
    /// Entries of issues that a rule says to ignore.
    pub ignored_by_rule: u64,
    pub entries_in_scope: u64,
    pub events_in_scope: u64,
    /// In-scope entries whose severity was inferred from the payload.
    pub severity_inferred: u64,
    /// Entries that carried no usable time.
    pub entries_without_time: u64,
}

impl Books {
    pub fn out_of_scope(&self) -> u64 {
        self.below_min_severity
            + self.outside_window
            + self.service_not_selected
            + self.ignored_by_rule
    }
}

/// One issue after judgement.
#[derive(Debug, Clone)]
pub struct JudgedIssue {
    pub index: usize,
    /// The highest severity seen, after inference and any severity rule.
    pub severity: Severity,
    pub class: Option<ErrorClass>,
    pub priority: Priority,
    /// The rule that gave the priority.
    pub priority_reason: String,
    pub judgement: Judgement,
    pub rate_per_hour: f64,
    /// Up to three distinct example messages, earliest first.
    pub examples: Vec<String>,
}

/// Everything render needs.
pub struct Analysis {
    pub options: Options,
    pub inputs: Vec<InputReport>,
    pub problems: Vec<Problem>,
    pub books: Books,
    /// The report window in ns: from --since (or the earliest entry) to --until (or the newest).
    pub window: Option<(i64, i64)>,
    /// Fraction digits to print window times with (the finest precision seen).
    pub time_digits: u8,
    pub projects: Vec<String>,
    pub grouping: Grouping,
    pub judged: Vec<JudgedIssue>,
    pub aggregates: Aggregates,
    /// Interned names: services (index = service id), components and revisions (0 = none).
    pub service_names: Vec<String>,
    pub component_names: Vec<String>,
    pub revision_names: Vec<String>,
    /// (entry id, issue id) for every in-scope entry, for `--assignments`.
    pub assignments: Vec<(String, String)>,
    /// For every time the report prints, the fraction digits of the entry it came from, so
    /// times keep the input's precision.
    pub time_digits_at: HashMap<i64, u8>,
    /// The user's rules file, if one was read.
    pub rules_file: Option<String>,
    /// Issues that fire together (member indices are issue indices).
    pub clusters: Vec<Cluster>,
    /// Per issue: the revision it appeared with (a deploy inside the window).
    pub appeared_with: Vec<Option<u32>>,
    /// Revision id → (service, first entry in the window).
    pub revision_start: HashMap<u32, (String, i64)>,
}

impl Analysis {
    /// RFC 3339 at the precision of the entry the time came from.
    pub fn format_time(&self, nanos: Option<i64>) -> Option<String> {
        nanos.map(|t| {
            format_nanos(t, self.time_digits_at.get(&t).copied().unwrap_or(self.time_digits))
        })
    }
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

pub fn run(options: Options, rules: &Rules, redactor: &Redactor) -> Result<Analysis, Fatal> {
    stage("start");
    let line_format = match &options.line_format {
        Some(f) => Some(LineFormat::parse(f).map_err(|e| Fatal(format!("--line-format: {e}")))?),
        None => None,
    };
    let input_format = match (options.input_format, &line_format) {
        (InputFormat::Auto, Some(_)) => InputFormat::Text,
        (f, _) => f,
    };

    // Read and normalize, chunk by chunk, into compact events.
    let (sources, mut problems) = read::discover(&options.inputs);
    let read_options = ReadOptions {
        input_format,
        line_format,
        text_from: options.min_severity,
        progress: options.progress.clone(),
        entry_ids: options.assignments,
    };
    // A window given as times is applied while reading; one given as a span back from the newest
    // entry can only be applied at the end, so events are then kept apart until it is known.
    let absolute = |t: &Option<String>| -> Result<Option<Option<i64>>, Fatal> {
        match t {
            None => Ok(Some(None)),
            Some(text) => match Timestamp::parse(text) {
                Some(ts) => Ok(Some(Some(ts.nanos))),
                None if parse_span_nanos(text).is_some() => Ok(None),
                None => parse_time_or_span(text, Some(0)).map(|_| None).map_err(Fatal),
            },
        }
    };
    let known_window = match (
        absolute(&options.since).map_err(|e| Fatal(format!("--since: {e}")))?,
        absolute(&options.until).map_err(|e| Fatal(format!("--until: {e}")))?,
    ) {
        (Some(since), Some(until)) => Some((since, until)),
        _ => None,
    };
    let collector = Collector::new(options.min_severity, known_window.is_some());
    let selection = collect::Selection {
        min_severity: options.min_severity,
        services: options.services.iter().cloned().collect(),
        window: known_window.unwrap_or((None, None)),
        want_ids: options.assignments,
    };
    let mut inputs = Vec::with_capacity(sources.len());
    // The collector's bookkeeping is sequential; on a thread of its own it takes one chunk while
    // the next are parsed. The channel keeps the chunks' order, so results do not change. It
    // holds several chunks because the collector, sharing the cores with the parsers, runs in
    // bursts: with room for two, the reader often waited for it and the parsers ran dry.
    let (chunk_tx, chunk_rx) = std::sync::mpsc::sync_channel::<Vec<collect::Batch>>(8);
    let reduce: read::Reduce<collect::Batch> = &|records| collect::reduce(records, &selection);
    let mut collector = std::thread::scope(|scope| {
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
            let (report, input_problems) = read::read_source(
                source,
                i as u32,
                &read_options,
                redactor,
                reduce,
                &mut |batches| {
                    chunk_tx.send(batches).expect("the collector runs until the sender is dropped")
                },
            );
            inputs.push(report);
            problems.extend(input_problems);
        }
        drop(chunk_tx);
        worker.join().expect("the collector thread does not panic")
    });
    stage("read, normalize, key and count");
    let mut books = Books {
        entries_read: inputs.iter().map(|i| i.entries).sum(),
        entries_skipped: problems.iter().map(|p| p.entries).sum(),
        duplicates: collector.duplicates,
        service_not_selected: collector.service_not_selected,
        outside_window: collector.outside_window,
        ..Books::default()
    };
    if books.entries_read == 0 {
        let why: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let why = if why.is_empty() {
            "the inputs hold no entries".to_string()
        } else {
            why.join("\n  ")
        };
        return Err(Fatal(format!("nothing could be read:\n  {why}")));
    }

    // The window and the scope.
    let events = &collector.events;
    let newest = events.iter().filter_map(Event::last).max();
    let since = options
        .since
        .as_deref()
        .map(|s| parse_time_or_span(s, newest))
        .transpose()
        .map_err(|e| Fatal(format!("--since: {e}")))?;
    let until = options
        .until
        .as_deref()
        .map(|s| parse_time_or_span(s, newest))
        .transpose()
        .map_err(|e| Fatal(format!("--until: {e}")))?;
    let mut in_window = vec![false; events.len()];
    for (e, flag) in events.iter().zip(in_window.iter_mut()) {
        let n = e.entries as u64;
        match e.time() {
            None => books.entries_without_time += n,
            Some(t) if since.is_some_and(|s| t < s) || until.is_some_and(|u| t > u) => {
                books.outside_window += n;
                continue;
            }
            Some(_) => {}
        }
        *flag = true;
    }
    let window_events = || events.iter().zip(&in_window).filter(|(_, &w)| w).map(|(e, _)| e);
    let first = window_events().filter_map(Event::time).min();
    let last = window_events().filter_map(Event::last).max();
    let window = match (since.or(first), until.or(last)) {
        (Some(s), Some(e)) => Some((s, e.max(s))),
        _ => None,
    };
    let time_digits = window_events().map(|e| e.digits.max(e.last_digits)).max().unwrap_or(0);
    let mut projects: Vec<String> = window_events()
        .filter(|e| e.project != 0)
        .map(|e| collector.project_names.names[e.project as usize].clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    projects.sort();
    let in_scope: Vec<bool> = events
        .iter()
        .zip(&in_window)
        .map(|(e, &w)| w && e.severity >= options.min_severity && e.key != NO_KEY)
        .collect();
    for (e, (&w, &s)) in events.iter().zip(in_window.iter().zip(&in_scope)) {
        let n = e.entries as u64;
        if s {
            books.entries_in_scope += n;
            books.events_in_scope += e.count as u64;
            if e.inferred {
                books.severity_inferred += n;
            }
        } else if w {
            books.below_min_severity += n;
        }
    }

    stage("window and scope");

    // Group: mine over the distinct keys in scope, weighted by their events.
    let mut key_weight = vec![0u64; collector.keys.len()];
    for (e, &s) in events.iter().zip(&in_scope) {
        if s {
            key_weight[e.key as usize] += e.count as u64;
        }
    }
    let used_keys: Vec<usize> = (0..collector.keys.len()).filter(|&k| key_weight[k] > 0).collect();
    let keyed: Vec<Keyed> = used_keys
        .iter()
        .map(|&k| Keyed {
            service: &collector.service_names.names[collector.keys[k].service as usize],
            key: &collector.keys[k].key,
            weight: key_weight[k],
        })
        .collect();
    let grouping = group::group_keys(&keyed);
    let mut issue_of_key = vec![u32::MAX; collector.keys.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        issue_of_key[k] = issue;
    }

    stage("mine templates");

    // The frame: every event in the window, as columns built straight from the events.
    let rows = || {
        events.iter().zip(in_window.iter().zip(&in_scope)).filter(|(_, (&w, _))| w).map(
            |(e, (_, &s))| EventRow {
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
            },
        )
    };
    let (start, end) = window.unwrap_or((0, 0));
    let width = bucket_width(end - start);
    // Buckets start on a whole minute, so that events counted together per minute never
    // straddle two buckets.
    let origin = start.div_euclid(60_000_000_000) * 60_000_000_000;
    let aggregates = aggregate::aggregate(rows, grouping.issues.len(), (origin, end), width)
        .map_err(|e| Fatal(format!("aggregation failed: {e}")))?;
    stage("aggregate");

    // Judge.
    let hours = ((end - start) as f64 / 3.6e12).max(1.0 / 60.0);
    let examples = examples_per_issue(&collector, &used_keys, &grouping, window, 3);
    let component_names = &collector.component_names.names;
    let judged = grouping
        .issues
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let stats = &aggregates.issues[i];
            let severity = Severity::from_index(stats.max_severity);
            let status = def
                .template
                .strip_prefix("HTTP ")
                .and_then(|t| t.get(..3))
                .and_then(|s| s.parse().ok());
            let class_text = format!(
                "{}\n{}",
                def.template,
                examples[i].first().map(String::as_str).unwrap_or("")
            );
            let class = classify(&class_text, def.exception.as_deref(), status);
            let rate_per_hour = stats.events as f64 / hours;
            let components: Vec<String> = stats
                .components
                .iter()
                .map(|&(c, _)| component_names[c as usize].clone())
                .collect();
            let judgement = judge(
                rules,
                &IssueFacts {
                    id: &def.id,
                    kind: def.kind,
                    service: &def.service,
                    template: &def.template,
                    examples: &examples[i],
                    components: &components,
                    severity,
                    class,
                    count: stats.events,
                    rate_per_hour,
                },
            );
            JudgedIssue {
                index: i,
                severity: judgement.severity,
                class,
                priority: judgement.priority,
                priority_reason: judgement.priority_rule.clone(),
                judgement,
                rate_per_hour,
                examples: examples[i].clone(),
            }
        })
        .collect::<Vec<JudgedIssue>>();

    // Issues a rule ignores leave the scope, and the books say so.
    for j in judged.iter().filter(|j| j.judgement.ignored_by.is_some()) {
        let entries = aggregates.issues[j.index].entries;
        books.ignored_by_rule += entries;
        books.entries_in_scope -= entries;
        books.events_in_scope -= aggregates.issues[j.index].events;
    }

    // Assignments, in input order.
    let mut assignments = Vec::new();
    if options.assignments {
        let mut ids = std::mem::take(&mut collector.entry_ids);
        ids.sort_by_key(|&(_, input, offset, _)| (input, offset));
        for (event, _, _, id) in ids {
            let e = &events[event as usize];
            if !in_scope[event as usize] {
                continue;
            }
            let issue = issue_of_key[e.key as usize] as usize;
            if judged[issue].judgement.ignored_by.is_none() {
                assignments.push((id, grouping.issues[issue].id.clone()));
            }
        }
    }

    // Correlate: incident clusters and deploys.
    let mut traces: Vec<BTreeSet<u64>> = vec![BTreeSet::new(); grouping.issues.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        let set = &mut traces[issue as usize];
        for &t in &collector.key_traces[k] {
            if set.len() < MAX_TRACES_PER_ISSUE {
                set.insert(t);
            }
        }
    }
    let service_names = &collector.service_names.names;
    let revision_start: HashMap<u32, (String, i64)> = aggregates
        .revision_starts
        .iter()
        .filter_map(|&(r, svc, t)| Some((r, (service_names[svc as usize].clone(), t?))))
        .collect();
    let kept: Vec<usize> =
        (0..judged.len()).filter(|&i| judged[i].judgement.ignored_by.is_none()).collect();
    let signals: Vec<IssueSignal> = kept
        .iter()
        .map(|&i| IssueSignal {
            service: &grouping.issues[i].service,
            first_seen: aggregates.issues[i].first_seen,
            revisions: &aggregates.issues[i].revisions,
            traces: &traces[i],
            buckets: &aggregates.issues[i].buckets,
        })
        .collect();
    let clusters = correlate::clusters(&signals)
        .into_iter()
        .map(|mut c| {
            c.members = c.members.iter().map(|&m| kept[m]).collect();
            c
        })
        .collect();
    let mut appeared_with = vec![None; judged.len()];
    for (signal, &i) in signals.iter().zip(&kept) {
        appeared_with[i] = correlate::appeared_with(signal, &revision_start);
    }

    let time_digits_at = digits_of_printed_times(events, &in_window, &aggregates, window);
    stage("judge");
    Ok(Analysis {
        options,
        inputs,
        problems,
        books,
        window,
        time_digits,
        projects,
        grouping,
        judged,
        aggregates,
        service_names: collector.service_names.names.clone(),
        component_names: collector.component_names.names.clone(),
        revision_names: collector.revision_names.names.clone(),
        assignments,
        time_digits_at,
        rules_file: rules.file.clone(),
        clusters,
        appeared_with,
        revision_start,
    })
}

/// The fraction digits of the entries whose times the report prints (first and last seen of
/// issues, revisions and services, and the window), looked up in one pass.
fn digits_of_printed_times(
    events: &Segmented<Event>,
    in_window: &[bool],
    ag: &Aggregates,
    window: Option<(i64, i64)>,
) -> HashMap<i64, u8> {
    let mut wanted: HashMap<i64, u8> = HashMap::new();
    let mut want = |t: Option<i64>| {
        if let Some(t) = t {
            wanted.insert(t, 0);
        }
    };
    for s in &ag.issues {
        want(s.first_seen);
        want(s.last_seen);
        s.revisions.iter().for_each(|r| want(r.2));
    }
    for s in &ag.services {
        want(s.first_seen);
        want(s.last_seen);
    }
    for r in &ag.revision_starts {
        want(r.2);
    }
    want(window.map(|w| w.0));
    want(window.map(|w| w.1));
    for (e, _) in events.iter().zip(in_window).filter(|(_, &w)| w) {
        if let Some(d) = wanted.get_mut(&e.time) {
            *d = (*d).max(e.digits);
        }
        if let Some(d) = wanted.get_mut(&e.last) {
            *d = (*d).max(e.last_digits);
        }
    }
    wanted
}

/// A bucket width that gives between 12 and 48 buckets over the window, on a round unit.
pub fn bucket_width(span: i64) -> i64 {
    const MIN: i64 = 60_000_000_000;
    let steps = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080].map(|m: i64| m * MIN);
    for s in steps {
        if span / s <= 48 {
            return s;
        }
    }
    steps[steps.len() - 1]
}

/// The first `n` distinct example messages of each issue inside the window, earliest first,
/// from the examples its keys kept.
fn examples_per_issue(
    collector: &Collector,
    used_keys: &[usize],
    grouping: &Grouping,
    window: Option<(i64, i64)>,
    n: usize,
) -> Vec<Vec<String>> {
    let mut by_issue: Vec<Vec<(i64, &str)>> = vec![Vec::new(); grouping.issues.len()];
    for (&k, &issue) in used_keys.iter().zip(&grouping.issue_of) {
        let ex = &collector.keys[k].examples;
        for (t, m) in ex.early.iter().chain(&ex.late) {
            by_issue[issue as usize].push((*t, m.as_str()));
        }
    }
    let inside = |t: i64| t == i64::MAX || window.is_none_or(|(s, e)| t >= s && t <= e);
    by_issue
        .into_iter()
        .map(|mut list| {
            list.sort();
            let preferred: Vec<&(i64, &str)> = list.iter().filter(|(t, _)| inside(*t)).collect();
            let pool = if preferred.is_empty() { list.iter().collect() } else { preferred };
            let mut out: Vec<String> = Vec::new();
            for (_, m) in pool {
                if out.len() == n {
                    break;
                }
                if !out.iter().any(|o| o == m) {
                    out.push(m.to_string());
                }
            }
            out
        })
        .collect()
}

/// With `LOG_GARDENER_TIMINGS` set, prints to stderr the seconds since the previous stage ended
/// (or the first call) and, on Linux, the resident memory (VmRSS) and its peak so far (VmHWM),
/// for docs/performance.md.
pub fn stage(name: &str) {
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
