//! The verdict: every decision the report shows, made here and nowhere else. Per issue its
//! error class, the rules' judgement and the rate; the order of issues (most urgent first);
//! service and component health; incident clusters and deploys; the comparison with a baseline.
//! Render only formats it.

use super::classify::{classify, ErrorClass};
use super::correlate::{self, Cluster, IssueSignal};
use super::health::{component_health, service_health, ComponentVerdict, ServiceVerdict};
use super::history::{self, Baseline, BaselineWindow, Comparison, Current};
use super::rules::{judge, IssueFacts, Judgement, Rules};
use crate::aggregate::{Aggregates, TimeFormat};
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
    /// Severity (after inference and any severity rule), priority and the rule that gave it,
    /// ignore, impact, owner, link, playbook.
    pub(crate) judgement: Judgement,
    pub(crate) rate_per_hour: f64,
    /// Up to three distinct example messages, earliest first.
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
    /// Against the baseline (statuses in `order`), and the history ledger.
    pub(crate) history: Comparison,
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

/// Which report the baseline was.
#[derive(Debug, Clone)]
pub(crate) struct BaselineInfo {
    pub(crate) generated_at: Option<String>,
    pub(crate) window: BaselineWindow,
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

/// Applies the rules to every issue.
pub(crate) fn judge_issues(rules: &Rules, ev: &Evidence) -> Vec<JudgedIssue> {
    let (start, end) = ev.window.unwrap_or((0, 0));
    let hours = ((end - start) as f64 / 3.6e12).max(1.0 / 60.0);
    let mut examples = ev.examples.clone();
    ev.grouping
        .issues
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let stats = &ev.aggregates.issues[i];
            let examples = std::mem::take(&mut examples[i]);
            let class_text =
                format!("{}\n{}", def.template, examples.first().map(String::as_str).unwrap_or(""));
            let class = classify(&class_text, def.exception.as_deref(), def.status);
            let rate_per_hour = stats.events as f64 / hours;
            let components: Vec<String> = stats
                .components
                .iter()
                .map(|&(c, _)| ev.names.components[c as usize].clone())
                .collect();
            let facts = IssueFacts {
                id: &def.id,
                kind: def.kind,
                service: &def.service,
                template: &def.template,
                examples: &examples,
                components: &components,
                severity: Severity::from_index(stats.max_severity),
                class,
                count: stats.events,
                rate_per_hour,
            };
            let judgement = judge(rules, &facts);
            JudgedIssue { index: i, class, judgement, rate_per_hour, examples }
        })
        .collect()
}

/// The issues no rule ignores, most urgent first: priority, then severity, then events, then
/// first seen, then id.
pub(crate) fn order(issues: &[JudgedIssue], ev: &Evidence) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..issues.len()).filter(|&i| issues[i].judgement.ignored_by.is_none()).collect();
    order.sort_by(|&x, &y| {
        let (jx, jy) = (&issues[x].judgement, &issues[y].judgement);
        let (sx, sy) = (&ev.aggregates.issues[x], &ev.aggregates.issues[y]);
        jx.priority
            .cmp(&jy.priority)
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
}

/// Incident clusters among the shown issues, and the revision each arrived with.
pub(crate) fn correlate(order: &[usize], ev: &Evidence) -> Correlation {
    let revision_start: HashMap<u32, (String, i64)> = ev
        .aggregates
        .revision_starts
        .iter()
        .filter_map(|&(r, svc, t)| Some((r, (ev.names.services[svc as usize].clone(), t?))))
        .collect();
    // In issue order, as clusters were always found (their membership does not depend on it).
    let mut kept = order.to_vec();
    kept.sort_unstable();
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
    Correlation { clusters, appeared_with, revision_start }
}

/// Statuses against the baseline (in `order`) and the ledger of everything seen.
pub(crate) fn compare(
    issues: &[JudgedIssue],
    order: &[usize],
    ev: &Evidence,
    time: &TimeFormat,
    baseline: Option<&Baseline>,
) -> Comparison {
    let titles: Vec<String> = order.iter().map(|&i| ev.grouping.issues[i].title.clone()).collect();
    let times: Vec<(Option<String>, Option<String>)> = order
        .iter()
        .map(|&i| {
            let s = &ev.aggregates.issues[i];
            (time.format(s.first_seen), time.format(s.last_seen))
        })
        .collect();
    let current: Vec<Current> = order
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
    history::compare(&current, baseline)
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
