//! The verdict: every decision the report shows, made here and nowhere else, in this order
//! ([`decide`]): per issue its error class and the rules' first pass (priority, severity,
//! ignore, owner, ...); incident clusters and deploys; the comparison with the baseline chosen;
//! the trend rules' second pass (statuses and deploys known now); the order of issues (most
//! urgent first, the baseline's order kept); service and component health; the user's rules
//! that matched nothing. Render only formats it.

use super::classify::{classify, subtype, ErrorClass};
use super::correlate::{self, Cluster, IssueSignal};
use super::health::{component_health, service_health, ComponentVerdict, ServiceVerdict};
use super::history::{self, Baseline, BaselineWindow, Choice, Comparison, Current, Status};
use super::rules::{judge, matches, raise, IssueFacts, Judgement, Rules};
use crate::aggregate::{Aggregates, TimeFormat};
use crate::group::mask::mask_message;
use crate::group::Grouping;
use crate::normalize::Severity;
use crate::read::InputFormat;
use crate::tally::scope::Filters;
use crate::tally::summary::InputSummary;
use crate::tally::Books;
use std::collections::{BTreeSet, HashMap};

/// One issue after judgement.
#[derive(Debug, Clone)]
pub(crate) struct JudgedIssue {
    pub(crate) index: usize,
    pub(crate) class: Option<ErrorClass>,
    /// The class's subtype, where the message names it.
    pub(crate) subtype: Option<&'static str>,
    /// Severity (after inference and any severity rule), priority and the rule that gave it,
    /// ignore, impact, owner, link, playbook.
    pub(crate) judgement: Judgement,
    pub(crate) rate_per_hour: f64,
    /// Up to three example messages that differ in what matters, earliest first.
    pub(crate) examples: Vec<String>,
}

/// Interned names: services (index = service id), components and revisions (0 = none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    pub(crate) services: Vec<String>,
    pub(crate) components: Vec<String>,
    pub(crate) revisions: Vec<String>,
}

/// What the run was asked for, as the report states it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Asked {
    pub(crate) filters: Filters,
    pub(crate) services: Vec<String>,
    pub(crate) input_format: InputFormat,
    pub(crate) line_format: Option<String>,
}

/// Everything render needs: the facts of the run and the decisions over them.
pub struct Verdict {
    pub(crate) asked: Asked,
    /// Each input, what it gave and its problems.
    pub(crate) inputs: Vec<InputSummary>,
    pub(crate) books: Books,
    /// The report window in ns: from --since (or the earliest entry) to --until (or the newest).
    pub(crate) window: Option<(i64, i64)>,
    pub(crate) time: TimeFormat,
    pub(crate) projects: Vec<String>,
    pub(crate) names: Names,
    pub grouping: Grouping,
    pub(crate) aggregates: Aggregates,
    /// Per issue index.
    pub(crate) issues: Vec<JudgedIssue>,
    /// The issues the report shows (none a rule ignores), most urgent first.
    pub(crate) order: Vec<usize>,
    /// Per service, worst first.
    pub(crate) service_health: Vec<ServiceVerdict>,
    /// Per (service, component) with issues, worst first.
    pub(crate) component_health: Vec<ComponentVerdict>,
    /// Issues that fire together (member indices are issue indices).
    pub(crate) clusters: Vec<Cluster>,
    /// Per issue: the revision it appeared with (a deploy inside the window).
    pub(crate) appeared_with: Vec<Option<u32>>,
    /// Revision id → (service, first entry in the window).
    pub(crate) revision_start: HashMap<u32, (String, i64)>,
    /// Revisions deployed inside the window (an earlier revision of the service was seen in
    /// it): revision id → the revision before it.
    pub(crate) deploys: HashMap<u32, u32>,
    /// The history ledger (statuses are in `statuses`).
    pub(crate) history: Comparison,
    /// Per issue index: the status against the baseline and the baseline's rate (per hour).
    pub(crate) statuses: Vec<Option<(Status, Option<f64>)>>,
    /// The user's rules that matched no issue: "FILE:LINE: rule NAME".
    pub(crate) unmatched_rules: Vec<String>,
    /// What the inputs held, whatever the filters.
    pub(crate) read: InputsRead,
    /// The baseline compared with, as its report names it.
    pub(crate) baseline: Option<BaselineInfo>,
    /// (entry id, issue id) for every in-scope entry, for `--assignments`.
    pub assignments: Vec<(String, String)>,
    /// The user's rules file, if one was read.
    pub(crate) rules_file: Option<String>,
}

impl Verdict {
    /// The issue's rate as the report states it (one decimal), which history compares.
    pub(crate) fn shown_rate(&self, index: usize) -> f64 {
        (self.issues[index].rate_per_hour * 10.0).round() / 10.0
    }
}

/// What the inputs held, whatever the filters: for errors that say what `--service` or the
/// window could have named.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputsRead {
    /// Every service name, sorted.
    pub(crate) services: Vec<String>,
    /// The earliest and newest time of any entry, in ns.
    pub(crate) span: Option<(i64, i64)>,
}

/// Which report the baseline was.
#[derive(Debug, Clone)]
pub(crate) struct BaselineInfo {
    pub(crate) generated_at: Option<String>,
    pub(crate) window: BaselineWindow,
    /// The file, as given or found (`--baseline auto`).
    pub(crate) path: String,
}

/// What judging looks at, from the stages before.
pub(crate) struct Evidence<'a> {
    pub grouping: &'a Grouping,
    pub(crate) aggregates: &'a Aggregates,
    pub(crate) examples: Vec<Vec<String>>,
    pub(crate) traces: Vec<BTreeSet<u64>>,
    pub(crate) names: &'a Names,
    pub(crate) window: Option<(i64, i64)>,
}

/// Every decision over the issues, made in one place: the rules' first pass, correlation, the
/// comparison with the baseline, the trend rules' second pass, the order, health, and the
/// rules that matched nothing.
pub(crate) struct Decisions {
    pub(crate) issues: Vec<JudgedIssue>,
    pub(crate) order: Vec<usize>,
    pub(crate) correlation: Correlation,
    pub(crate) history: Comparison,
    /// Per issue index: the status against the baseline and the baseline's rate.
    pub(crate) statuses: Vec<Option<(Status, Option<f64>)>>,
    pub(crate) baseline: Option<BaselineInfo>,
    pub(crate) service_health: Vec<ServiceVerdict>,
    pub(crate) component_health: Vec<ComponentVerdict>,
    /// The user's rules that matched no issue: "FILE:LINE: rule NAME".
    pub(crate) unmatched_rules: Vec<String>,
}

/// Judges every issue (see [`Decisions`]); `time` formats the times the history ledger keeps.
pub(crate) fn decide(
    rules: &Rules,
    ev: &Evidence,
    time: &TimeFormat,
    choice: &Choice,
) -> Decisions {
    let facts = facts_of(ev);
    let mut issues = judge_issues(rules, ev, &facts);
    let shown: Vec<usize> =
        (0..issues.len()).filter(|&i| issues[i].judgement.ignored_by.is_none()).collect();
    let correlation = correlate(&shown, ev);
    let baseline = choice.resolve(ev.window.map(|w| w.0));
    let (history, statuses) = compare(&issues, &shown, ev, time, baseline);
    let mut matched = matched_in_first_pass(rules, ev, &facts, &issues);
    for &i in &shown {
        let status = statuses[i].map(|s| s.0);
        let deploy = Some(correlation.appeared_with[i].is_some());
        let f = view(ev, &facts[i], i, status, deploy);
        for (k, rule) in rules.rules.iter().enumerate().filter(|(_, r)| r.raise_to.is_some()) {
            matched[k] |= matches(&rule.matcher, &f, issues[i].judgement.severity);
        }
        raise(rules, &f, &mut issues[i].judgement);
    }
    let positions = baseline.map(|b| b.positions()).unwrap_or_default();
    let order = order(&issues, ev, &positions);
    let (service_health, component_health) = health(&issues, &order, ev);
    // Only rules that name what they are for: a policy over severities or classes that
    // nothing met this week (as in a copy of the defaults) is no mistake.
    let unmatched_rules = rules
        .rules
        .iter()
        .zip(&matched)
        .filter(|(r, &m)| !m && r.matcher.names_issues())
        .filter_map(|(r, _)| Some(format!("{}: rule {:?}", r.user_at.as_ref()?, r.name)))
        .collect();
    Decisions {
        issues,
        order,
        correlation,
        history,
        statuses,
        baseline: baseline.map(|b| BaselineInfo {
            generated_at: b.generated_at.clone(),
            window: b.window.clone(),
            path: b.path.clone(),
        }),
        service_health,
        component_health,
        unmatched_rules,
    }
}

/// What the rules look at of one issue, owned (see [`IssueFacts`] for the borrowed view).
struct Facts {
    class: Option<ErrorClass>,
    subtype: Option<&'static str>,
    components: Vec<String>,
    /// Every example kept (the rules' `text` looks at all of them).
    examples: Vec<String>,
    rate_per_hour: f64,
}

/// The view of issue `i` the rules take; `status` and `deploy` only in the second pass.
fn view<'a>(
    ev: &'a Evidence,
    facts: &'a Facts,
    i: usize,
    status: Option<Status>,
    deploy: Option<bool>,
) -> IssueFacts<'a> {
    let def = &ev.grouping.issues[i];
    let stats = &ev.aggregates.issues[i];
    IssueFacts {
        id: &def.id,
        kind: def.kind,
        service: &def.service,
        template: &def.template,
        examples: &facts.examples,
        components: &facts.components,
        severity: Severity::from_index(stats.max_severity),
        class: facts.class,
        subtype: facts.subtype,
        count: stats.events,
        rate_per_hour: facts.rate_per_hour,
        busiest_hour: stats.busiest_hour,
        status,
        deploy,
    }
}

/// Each issue's facts: error class from its template and first example, components, rate.
fn facts_of(ev: &Evidence) -> Vec<Facts> {
    let (start, end) = ev.window.unwrap_or((0, 0));
    let hours = ((end - start) as f64 / 3.6e12).max(1.0 / 60.0);
    ev.grouping
        .issues
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let stats = &ev.aggregates.issues[i];
            let examples = ev.examples[i].clone();
            let class_text =
                format!("{}\n{}", def.template, examples.first().map(String::as_str).unwrap_or(""));
            let class = classify(&class_text, def.exception.as_deref(), def.status);
            Facts {
                class,
                subtype: class.and_then(|c| subtype(c, &class_text)),
                components: stats
                    .components
                    .iter()
                    .map(|&(c, _)| ev.names.components[c as usize].clone())
                    .collect(),
                examples,
                rate_per_hour: stats.events as f64 / hours,
            }
        })
        .collect()
}

/// The rules' first pass over every issue, and the examples to show.
fn judge_issues(rules: &Rules, ev: &Evidence, facts: &[Facts]) -> Vec<JudgedIssue> {
    facts
        .iter()
        .enumerate()
        .map(|(i, f)| JudgedIssue {
            index: i,
            class: f.class,
            subtype: f.subtype,
            judgement: judge(rules, &view(ev, f, i, None, None)),
            rate_per_hour: f.rate_per_hour,
            examples: distinct_shapes(&f.examples, SHOWN_EXAMPLES),
        })
        .collect()
}

/// Examples shown per issue, at most.
const SHOWN_EXAMPLES: usize = 3;

/// Up to `n` examples that differ in what matters: one per distinct masked form (examples that
/// differ only in ids, numbers or addresses show as one), earliest first.
fn distinct_shapes(examples: &[String], n: usize) -> Vec<String> {
    let mut shapes: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for e in examples {
        let shape = mask_message(e);
        if !shapes.contains(&shape) {
            shapes.push(shape);
            out.push(e.clone());
            if out.len() == n {
                break;
            }
        }
    }
    out
}

/// For each rule, whether its first-pass conditions held for some issue (`raise_to` rules are
/// matched in the second pass).
fn matched_in_first_pass(
    rules: &Rules,
    ev: &Evidence,
    facts: &[Facts],
    issues: &[JudgedIssue],
) -> Vec<bool> {
    rules
        .rules
        .iter()
        .map(|r| {
            r.raise_to.is_none()
                && issues.iter().zip(facts).any(|(j, f)| {
                    // Conditions on severity see the severity before any override, as the
                    // first pass does for severity rules, and after it for the rest.
                    let v = view(ev, f, j.index, None, None);
                    matches(&r.matcher, &v, v.severity)
                        || matches(&r.matcher, &v, j.judgement.severity)
                })
        })
        .collect()
}

/// The issues no rule ignores, most urgent first: priority; then, with a baseline, the
/// baseline's order for the issues it had (so a quiet week keeps its numbers), the others after
/// them; then severity, events, first seen and id.
pub(crate) fn order(
    issues: &[JudgedIssue],
    ev: &Evidence,
    baseline_position: &HashMap<&str, usize>,
) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..issues.len()).filter(|&i| issues[i].judgement.ignored_by.is_none()).collect();
    let position = |i: usize| {
        baseline_position.get(ev.grouping.issues[i].id.as_str()).copied().unwrap_or(usize::MAX)
    };
    order.sort_by(|&x, &y| {
        let (jx, jy) = (&issues[x].judgement, &issues[y].judgement);
        let (sx, sy) = (&ev.aggregates.issues[x], &ev.aggregates.issues[y]);
        jx.priority
            .cmp(&jy.priority)
            .then(position(x).cmp(&position(y)))
            .then(jy.severity.cmp(&jx.severity))
            .then(sy.events.cmp(&sx.events))
            .then(sx.first_seen.cmp(&sy.first_seen))
            .then(ev.grouping.issues[x].id.cmp(&ev.grouping.issues[y].id))
    });
    order
}

/// Incident clusters and deploys.
pub(crate) struct Correlation {
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) appeared_with: Vec<Option<u32>>,
    pub(crate) revision_start: HashMap<u32, (String, i64)>,
    /// Revision → the revision of the same service before it, for deploys inside the window.
    pub(crate) deploys: HashMap<u32, u32>,
}

/// Incident clusters among the shown issues (`shown`, ascending), and the revision each
/// arrived with.
pub(crate) fn correlate(shown: &[usize], ev: &Evidence) -> Correlation {
    let revision_start: HashMap<u32, (String, i64)> = ev
        .aggregates
        .revision_starts
        .iter()
        .filter_map(|&(r, svc, t)| Some((r, (ev.names.services[svc as usize].clone(), t?))))
        .collect();
    // In issue order, as clusters were always found (their membership does not depend on it).
    let kept = shown.to_vec();
    let signals: Vec<IssueSignal> = kept
        .iter()
        .map(|&i| IssueSignal {
            service: &ev.grouping.issues[i].service,
            first_seen: ev.aggregates.issues[i].first_seen,
            revisions: &ev.aggregates.issues[i].revisions,
            traces: &ev.traces[i],
            buckets: &ev.aggregates.issues[i].buckets,
        })
        .collect();
    let clusters = correlate::clusters(&signals)
        .into_iter()
        .map(|mut c| {
            c.members = c.members.iter().map(|&m| kept[m]).collect();
            c.began_together = c.began_together.iter().map(|&m| kept[m]).collect();
            c
        })
        .collect();
    let mut appeared_with = vec![None; ev.grouping.issues.len()];
    for (signal, &i) in signals.iter().zip(&kept) {
        appeared_with[i] = correlate::appeared_with(signal, &revision_start);
    }
    let deploys = correlate::deploys(&revision_start);
    Correlation { clusters, appeared_with, revision_start, deploys }
}

/// Statuses against the baseline (per issue index) and the ledger of everything seen, for the
/// shown issues.
#[allow(clippy::type_complexity)]
fn compare(
    issues: &[JudgedIssue],
    shown: &[usize],
    ev: &Evidence,
    time: &TimeFormat,
    baseline: Option<&Baseline>,
) -> (Comparison, Vec<Option<(Status, Option<f64>)>>) {
    let titles: Vec<String> = shown.iter().map(|&i| ev.grouping.issues[i].title.clone()).collect();
    let times: Vec<(Option<String>, Option<String>)> = shown
        .iter()
        .map(|&i| {
            let s = &ev.aggregates.issues[i];
            (time.format(s.first_seen), time.format(s.last_seen))
        })
        .collect();
    let current: Vec<Current> = shown
        .iter()
        .enumerate()
        .map(|(pos, &i)| Current {
            id: &ev.grouping.issues[i].id,
            title: &titles[pos],
            count: ev.aggregates.issues[i].events,
            rate_per_hour: (issues[i].rate_per_hour * 10.0).round() / 10.0,
            first_seen: times[pos].0.as_deref(),
            last_seen: times[pos].1.as_deref(),
        })
        .collect();
    let comparison = history::compare(&current, baseline);
    let mut statuses = vec![None; issues.len()];
    for (&i, s) in shown.iter().zip(&comparison.statuses) {
        statuses[i] = Some(*s);
    }
    (comparison, statuses)
}

/// Health of every service and component, from the shown issues' priorities and the requests.
pub(crate) fn health(
    issues: &[JudgedIssue],
    order: &[usize],
    ev: &Evidence,
) -> (Vec<ServiceVerdict>, Vec<ComponentVerdict>) {
    let shown: Vec<(&str, &JudgedIssue)> =
        order.iter().map(|&i| (ev.grouping.issues[i].service.as_str(), &issues[i])).collect();
    let services = service_health(&ev.aggregates.services, &ev.names.services, &shown);
    let components = component_health(&shown, ev);
    (services, components)
}
