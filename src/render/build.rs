//! Fills the report model from the verdict: names looked up, times formatted at their entry's
//! precision, sections laid out. Nothing here decides; the verdict did.

use super::model::*;
use super::{naming, sequence};
use crate::group::title::clip;
use crate::judge::history::Status;
use crate::judge::priority::Priority;
use crate::judge::verdict::Verdict;
use crate::normalize::time::format_nanos;
use crate::normalize::Severity;
use crate::read::Problem;
use crate::tally::summary::NOT_AN_INPUT;
use std::collections::{BTreeMap, HashMap};

/// The Markdown's caps (`--details`, `--table-rows`); the JSON keeps every issue regardless.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Issues shown in full at most: the P0/P1 first (in report order), then the most frequent.
    pub details: usize,
    /// Rows of the compact table of the other issues at most.
    pub table_rows: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps { details: 25, table_rows: 500 }
    }
}

/// Builds the model with the default caps. `generated_at` is passed in so runs can be
/// reproducible.
pub fn build(v: &Verdict, generated_at: String) -> Report {
    build_with(v, generated_at, Caps::default())
}

/// Builds the model.
pub fn build_with(v: &Verdict, generated_at: String, caps: Caps) -> Report {
    let hours = v.window.map_or(0.0, |(s, e)| (e - s) as f64 / 3.6e12);
    let unit = RateUnit::of(hours);
    let mut issues: Vec<Issue> =
        v.order.iter().enumerate().map(|(pos, &i)| issue(v, pos + 1, i, unit)).collect();
    let clusters = clusters(v, &mut issues);
    let layout = lay_out(&mut issues, caps);
    let services: Vec<String> = {
        let mut s = v.names.services.clone();
        s.sort();
        s
    };
    Report {
        tool: Tool { name: "log-gardener", version: env!("CARGO_PKG_VERSION") },
        generated_at,
        title: title(&v.projects, &services),
        stem: naming::stem(v, &services),
        projects: v.projects.clone(),
        services,
        window: Window {
            start: v.time.format(v.window.map(|w| w.0)),
            end: v.time.format(v.window.map(|w| w.1)),
            hours: (hours * 100.0).round() / 100.0,
            rate_unit: Some(unit.name),
        },
        scope: scope(v),
        inputs: inputs(v),
        totals: totals(v, issues.len()),
        skipped: skipped(v),
        priorities: priorities(&issues),
        distribution: distribution(v),
        service_health: service_health(v),
        component_health: component_health(v),
        timeline: timeline(v),
        sequence: sequence::sequence(v, &issues),
        summary: summary(&issues),
        layout,
        clusters,
        changes: changes(v, &issues),
        history: v.history.history.clone(),
        issues,
    }
}

/// The unit rates are shown in: one that fits the window, so a week reads "17.0/week", not
/// "0.1/h".
#[derive(Debug, Clone, Copy)]
struct RateUnit {
    name: &'static str,
    hours: f64,
}

impl RateUnit {
    /// Under 36 hours: per hour; under 6 days: per day; else per week.
    fn of(window_hours: f64) -> RateUnit {
        if window_hours < 36.0 {
            RateUnit { name: "h", hours: 1.0 }
        } else if window_hours < 144.0 {
            RateUnit { name: "day", hours: 24.0 }
        } else {
            RateUnit { name: "week", hours: 168.0 }
        }
    }

    /// A rate per hour in this unit, to one decimal.
    fn of_hourly(self, per_hour: f64) -> f64 {
        (per_hour * self.hours * 10.0).round() / 10.0
    }
}

/// Marks the issues shown in full (the P0/P1 in report order, then the most frequent others,
/// `caps.details` in all) and counts where the rest go.
fn lay_out(issues: &mut [Issue], caps: Caps) -> Layout {
    let urgent = |i: &Issue| i.priority <= Priority::P1;
    let mut chosen: Vec<usize> = (0..issues.len()).filter(|&k| urgent(&issues[k])).collect();
    let mut others: Vec<usize> = (0..issues.len()).filter(|&k| !urgent(&issues[k])).collect();
    others.sort_by(|&x, &y| issues[y].count.cmp(&issues[x].count).then(x.cmp(&y)));
    chosen.extend(others);
    chosen.truncate(caps.details);
    for k in chosen {
        issues[k].detailed = true;
    }
    let rest: Vec<&Issue> = issues.iter().filter(|i| !i.detailed).collect();
    let in_table = rest.len().min(caps.table_rows);
    Layout {
        details: caps.details,
        table_rows: caps.table_rows,
        detailed: (issues.len() - rest.len()) as u64,
        in_table: in_table as u64,
        not_listed: (rest.len() - in_table) as u64,
        not_listed_events: rest[in_table..].iter().map(|i| i.count).sum(),
    }
}

/// The opening: issues per priority, and the P0/P1 issues one line each.
fn summary(issues: &[Issue]) -> Summary {
    let priorities = [Priority::P0, Priority::P1, Priority::P2, Priority::P3]
        .into_iter()
        .map(|p| PriorityCount {
            priority: p,
            issues: issues.iter().filter(|i| i.priority == p).count() as u64,
        })
        .filter(|c| c.issues > 0)
        .collect();
    let urgent: Vec<UrgentIssue> = issues
        .iter()
        .filter(|i| i.priority <= Priority::P1)
        .map(|i| UrgentIssue {
            number: i.number,
            id: i.id.clone(),
            title: i.title.clone(),
            priority: i.priority,
            count: i.count,
            rate: i.rate,
            status: i.status,
            owner: i.owner.clone(),
            link: i.link.clone(),
            unowned: i.owner.is_none() && i.link.is_none(),
        })
        .collect();
    let urgent_unowned = urgent.iter().filter(|u| u.unowned).count() as u64;
    Summary { priorities, urgent, urgent_unowned }
}

/// One issue, shown at report position `number`.
fn issue(v: &Verdict, number: usize, i: usize, unit: RateUnit) -> Issue {
    let def = &v.grouping.issues[i];
    let j = &v.issues[i];
    let s = &v.aggregates.issues[i];
    let fmt = |t| v.time.format(t);
    let status = v.statuses[i];
    let ledger = v.history.history.iter().find(|h| h.id == def.id);
    let first_seen = fmt(s.first_seen);
    Issue {
        number,
        id: def.id.clone(),
        title: def.title.clone(),
        kind: def.kind,
        severity: j.judgement.severity,
        priority: j.judgement.priority,
        priority_reason: j.judgement.priority_rule.clone(),
        raised_from: j
            .judgement
            .raised_from
            .as_ref()
            .map(|(p, r)| RaisedFrom { priority: *p, reason: r.clone() }),
        severity_rule: j.judgement.severity_rule.clone(),
        impact: j.judgement.impact.clone(),
        owner: j.judgement.owner.clone(),
        link: j.judgement.link.clone(),
        error_class: j.class.map(|c| c.label().to_string()),
        error_subtype: j.subtype.map(str::to_string),
        what_to_check: j.judgement.playbook.clone(),
        count: s.events,
        entries: s.entries,
        rate_per_hour: v.shown_rate(i),
        rate: unit.of_hourly(j.rate_per_hour),
        busiest_hour: s.busiest_hour,
        first_seen_ever: ledger
            .and_then(|h| h.first_seen.clone())
            .filter(|ever| first_seen.as_ref().is_none_or(|f| earlier(ever, f))),
        reports: ledger.map_or(1, |h| h.reports),
        first_seen,
        last_seen: fmt(s.last_seen),
        detailed: false,
        template: def.template.clone(),
        examples: j.examples.iter().map(|e| clip(e, 1200)).collect(),
        services: vec![def.service.clone()],
        revisions: s
            .revisions
            .iter()
            .map(|&(r, count, first)| RevisionCount {
                revision: v.names.revisions[r as usize].clone(),
                count,
                first_seen: fmt(first),
            })
            .collect(),
        components: s
            .components
            .iter()
            .map(|&(c, _)| v.names.components[c as usize].clone())
            .collect(),
        exception: def.exception.clone(),
        frames: def.frames.clone(),
        appeared_with: v.appeared_with[i].map(|r| RevisionStart {
            revision: v.names.revisions[r as usize].clone(),
            started: fmt(v.revision_start.get(&r).map(|x| x.1)),
        }),
        cluster: None,
        status: status.map(|s| s.0),
        baseline_rate_per_hour: status.and_then(|s| s.1).map(|r| (r * 10.0).round() / 10.0),
        baseline_rate: status.and_then(|s| s.1).map(|r| unit.of_hourly(r)),
        sparkline: sparkline(&s.buckets),
        buckets: s.buckets.clone(),
    }
}

/// Whether RFC 3339 UTC time `a` is before `b` (fractions of any length).
fn earlier(a: &str, b: &str) -> bool {
    let nanos = |t: &str| crate::normalize::time::Timestamp::parse(t).map(|t| t.nanos);
    matches!((nanos(a), nanos(b)), (Some(x), Some(y)) if x < y)
}

/// "Log Gardener Worklog - <the one service, or the one project>".
fn title(projects: &[String], services: &[String]) -> String {
    match (projects, services) {
        (_, [one]) => format!("Log Gardener Worklog - {one}"),
        ([p], _) => format!("Log Gardener Worklog - {p}"),
        _ => "Log Gardener Worklog".to_string(),
    }
}

fn inputs(v: &Verdict) -> Vec<Input> {
    v.inputs
        .iter()
        .filter(|i| i.format != NOT_AN_INPUT)
        .map(|i| Input {
            path: i.label.clone(),
            format: i.format.clone(),
            gzip: i.gzip,
            bytes: i.bytes,
            entries: i.entries,
            skipped: i.skipped,
            error: i.error.clone(),
        })
        .collect()
}

fn totals(v: &Verdict, issues: usize) -> Totals {
    let b = &v.books;
    Totals {
        files_read: v
            .inputs
            .iter()
            .filter(|i| i.format != NOT_AN_INPUT && i.error.is_none())
            .count() as u64,
        entries_read: b.entries_read,
        entries_skipped: b.entries_skipped,
        duplicates: b.duplicates,
        below_min_severity: b.below_min_severity,
        outside_window: b.outside_window,
        service_not_selected: b.service_not_selected,
        ignored_by_rule: b.ignored_by_rule,
        entries_in_scope: b.entries_in_scope,
        events_in_scope: b.events_in_scope,
        severity_inferred: b.severity_inferred,
        entries_without_time: b.entries_without_time,
        entries_out_of_scope: b.out_of_scope(),
        issues: issues as u64,
    }
}

/// Per reason: the entries lost and the first three problems (inputs in order).
fn skipped(v: &Verdict) -> Vec<SkipReason> {
    let mut skipped: BTreeMap<String, SkipReason> = BTreeMap::new();
    for input in &v.inputs {
        for r in &input.problems {
            let e = skipped.entry(r.reason.clone()).or_insert_with(|| SkipReason {
                reason: r.reason.clone(),
                entries: 0,
                read_in_part: 0,
                examples: Vec::new(),
            });
            e.entries += r.entries;
            if r.entries == 0 {
                e.read_in_part += r.problems;
            }
            for (position, detail) in &r.examples {
                if e.examples.len() < 3 {
                    let problem = Problem {
                        input: input.label.clone(),
                        position: position.clone(),
                        reason: r.reason.clone(),
                        detail: detail.clone(),
                        entries: 0,
                    };
                    e.examples.push(problem.to_string());
                }
            }
        }
    }
    skipped.into_values().collect()
}

fn priorities(issues: &[Issue]) -> Vec<PriorityGroup> {
    [Priority::P0, Priority::P1, Priority::P2, Priority::P3]
        .into_iter()
        .map(|p| PriorityGroup {
            priority: p,
            heading: p.heading(),
            issues: issues.iter().filter(|i| i.priority == p).map(issue_ref).collect(),
        })
        .filter(|g| !g.issues.is_empty())
        .collect()
}

fn issue_ref(i: &Issue) -> IssueRef {
    IssueRef {
        number: i.number,
        id: i.id.clone(),
        title: i.title.clone(),
        count: i.count,
        reason: i.priority_reason.clone(),
    }
}

/// Per severity (highest first): its events, and (events, "service/component") pairs.
type BySeverity = BTreeMap<std::cmp::Reverse<u8>, (u64, Vec<(u64, String)>)>;

/// Severity distribution with the top components per severity.
fn distribution(v: &Verdict) -> Vec<DistributionRow> {
    let mut by_sev = BySeverity::new();
    for &(sev, service, component, events) in &v.aggregates.distribution {
        let entry = by_sev.entry(std::cmp::Reverse(sev)).or_default();
        entry.0 += events;
        if component != 0 {
            let name = format!(
                "{}/{}",
                v.names.services[service as usize], v.names.components[component as usize]
            );
            entry.1.push((events, name));
        }
    }
    by_sev
        .into_iter()
        .map(|(std::cmp::Reverse(sev), (count, mut comps))| {
            comps.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            DistributionRow {
                severity: Severity::from_index(sev),
                count,
                primary_components: comps.into_iter().take(3).map(|(_, c)| c).collect(),
            }
        })
        .collect()
}

fn service_health(v: &Verdict) -> Vec<ServiceHealth> {
    v.service_health
        .iter()
        .map(|h| ServiceHealth {
            service: h.name.clone(),
            status: h.status,
            symbol: h.status.symbol(),
            reason: h.reason.clone(),
            events: h.stats.in_scope,
            errors: h.stats.errors,
            warnings: h.stats.warnings,
            requests: h.stats.requests,
            requests_5xx: h.stats.requests_5xx,
            issues: h.issues,
            first_seen: v.time.format(h.stats.first_seen),
            last_seen: v.time.format(h.stats.last_seen),
            line: health_line(h),
        })
        .collect()
}

/// "FAILING: 4 P0 issues; 20 of 38 requests answered 5xx (52.6%)": the status, its reason,
/// and the failed requests when the reason does not already say them.
fn health_line(h: &crate::judge::health::ServiceVerdict) -> String {
    let mut line = format!("{}: {}", h.status.name(), h.reason);
    let st = &h.stats;
    if st.requests_5xx > 0 && !h.reason.contains("requests") {
        let pct = st.requests_5xx as f64 * 100.0 / st.requests as f64;
        line.push_str(&format!(
            "; {} of {} requests answered 5xx ({pct:.1}%)",
            st.requests_5xx, st.requests
        ));
    }
    line
}

fn component_health(v: &Verdict) -> Vec<ComponentHealth> {
    v.component_health
        .iter()
        .map(|c| ComponentHealth {
            service: c.service.clone(),
            component: c.component.clone(),
            status: c.status,
            symbol: c.status.symbol(),
            reason: c.reason.clone(),
            issues: c.issues,
            events: c.events,
        })
        .collect()
}

/// The clusters, numbered in the order of their first member in the report, and each member
/// issue marked with its cluster's number.
fn clusters(v: &Verdict, issues: &mut [Issue]) -> Vec<ClusterView> {
    let number_of: HashMap<&str, usize> =
        issues.iter().map(|i| (i.id.as_str(), i.number)).collect();
    let number = |m: &usize| number_of[v.grouping.issues[*m].id.as_str()];
    let mut clusters: Vec<ClusterView> = v
        .clusters
        .iter()
        .map(|c| {
            let mut members: Vec<(usize, String)> =
                c.members.iter().map(|m| (number(m), v.grouping.issues[*m].id.clone())).collect();
            members.sort();
            let mut began_together: Vec<usize> = c.began_together.iter().map(number).collect();
            began_together.sort();
            ClusterView {
                number: 0,
                began_together,
                issues: members.iter().map(|m| m.0).collect(),
                ids: members.into_iter().map(|m| m.1).collect(),
                reasons: c.reasons.clone(),
                start_spread_ms: c.start_spread_ms,
                revision: c.common_revision.map(|r| v.names.revisions[r as usize].clone()),
                shared_traces: c.shared_traces,
                summary: String::new(),
            }
        })
        .collect();
    clusters.sort_by_key(|c| c.issues[0]);
    for (k, c) in clusters.iter_mut().enumerate() {
        c.number = k + 1;
        c.summary = cluster_summary(c);
        for issue in issues.iter_mut().filter(|i| c.ids.contains(&i.id)) {
            issue.cluster = Some(c.number);
        }
    }
    clusters
}

fn changes(v: &Verdict, issues: &[Issue]) -> Option<Changes> {
    let b = v.baseline.as_ref()?;
    let count = |s: Status| issues.iter().filter(|i| i.status == Some(s)).count() as u64;
    Some(Changes {
        baseline_generated_at: b.generated_at.clone(),
        baseline_window: Window {
            start: b.window.start.clone(),
            end: b.window.end.clone(),
            hours: b.window.hours,
            rate_unit: None,
        },
        new: count(Status::New),
        regressed: count(Status::Regressed),
        escalating: count(Status::Escalating),
        ongoing: count(Status::Ongoing),
        declining: count(Status::Declining),
        resolved: v.history.resolved.clone(),
        baseline_file: b.path.clone(),
    })
}

/// "Issues 1, 2 and 4 began within 1.6 ms of each other in revision R; they share 3 traces."
fn cluster_summary(c: &ClusterView) -> String {
    let list = |numbers: &[usize]| {
        let names: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        }
    };
    let mut text = format!("Issues {}", list(&c.issues));
    let mut clauses = Vec::new();
    if !c.began_together.is_empty() {
        let spread = c
            .start_spread_ms
            .map_or(String::new(), |ms| format!(" within {} of each other", human_ms(ms)));
        let rev = c.revision.as_ref().map_or(String::new(), |r| format!(" in revision {r}"));
        let who = if c.began_together.len() == c.issues.len() {
            String::new()
        } else {
            format!(" ({})", list(&c.began_together))
        };
        clauses.push(format!("began{spread}{rev}{who}"));
    }
    if c.shared_traces > 0 {
        clauses.push(format!(
            "share {} trace{}",
            c.shared_traces,
            if c.shared_traces == 1 { "" } else { "s" }
        ));
    } else if c.reasons.contains(&"same requests (traces)") {
        clauses.push("share traces".to_string());
    }
    if c.reasons.contains(&"same burst pattern") {
        clauses.push("rise and fall together over the window".to_string());
    }
    match clauses.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            text.push_str(&format!(" {}, and {last}", rest.join(", ")))
        }
        Some((last, _)) => text.push_str(&format!(" {last}")),
        None => {}
    }
    text.push('.');
    text
}

fn human_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

fn scope(v: &Verdict) -> Scope {
    let ignored_issues = v
        .issues
        .iter()
        .filter_map(|j| {
            let rule = j.judgement.ignored_by.clone()?;
            let def = &v.grouping.issues[j.index];
            Some(IssueRef {
                number: 0,
                id: def.id.clone(),
                title: def.title.clone(),
                count: v.aggregates.issues[j.index].events,
                reason: rule,
            })
        })
        .collect();
    let (f, asked) = (&v.asked.filters, &v.asked);
    let mut parts = vec![format!("severity >= {}", f.min_severity)];
    if let Some(s) = &f.since {
        parts.push(format!("since {s}"));
    }
    if let Some(u) = &f.until {
        parts.push(format!("until {u}"));
    }
    if !asked.services.is_empty() {
        parts.push(format!("services {}", asked.services.join(", ")));
    }
    Scope {
        min_severity: f.min_severity,
        since: f.since.clone(),
        until: f.until.clone(),
        services: asked.services.clone(),
        input_format: asked.input_format.name().to_string(),
        line_format: asked.line_format.clone(),
        rules_file: v.rules_file.clone(),
        ignored_issues,
        unmatched_rules: v.unmatched_rules.clone(),
        description: parts.join("; "),
    }
}

fn timeline(v: &Verdict) -> Timeline {
    let ag = &v.aggregates;
    let n = if v.window.is_some() { ag.bucket_count as usize } else { 0 };
    let mut errors = vec![0; n];
    let mut warnings = vec![0; n];
    for &(sev, bucket, events) in &ag.timeline {
        let b = bucket as usize;
        if b < n {
            if sev >= Severity::Error as u8 {
                errors[b] += events;
            } else if sev == Severity::Warning as u8 {
                warnings[b] += events;
            }
        }
    }
    let labels = bucket_labels(ag.bucket_start, ag.bucket_width, n);
    Timeline {
        bucket_start: v.window.map(|w| format_nanos(w.0, 0)),
        bucket_minutes: ag.bucket_width / 60_000_000_000,
        labels,
        errors_sparkline: sparkline(&errors),
        warnings_sparkline: sparkline(&warnings),
        max: errors.iter().chain(&warnings).copied().max().unwrap_or(0),
        errors,
        warnings,
        services: service_timelines(v, n),
    }
}

/// The x-axis labels of `n` buckets: the time of day within a day, the day and time over
/// several days, the day alone for buckets of a day or more, with the year when the window
/// spans more than one.
fn bucket_labels(start: i64, width: i64, n: usize) -> Vec<String> {
    const DAY: i64 = 86_400_000_000_000;
    let time = |i: usize| format_nanos(start + width * i as i64, 0);
    let years_differ = n > 0 && time(0)[..4] != time(n - 1)[..4];
    (0..n)
        .map(|i| {
            let t = time(i);
            match (width >= DAY, years_differ, width * n as i64 > DAY) {
                (true, true, _) => t[..10].to_string(),
                (true, false, _) => t[5..10].to_string(),
                (false, _, true) => format!("{} {}", &t[5..10], &t[11..16]),
                (false, _, false) => t[11..16].to_string(),
            }
        })
        .collect()
}

/// Per service, errors and warnings over the timeline's `n` buckets.
fn service_timelines(v: &Verdict, n: usize) -> Vec<ServiceTimeline> {
    let mut per_service: BTreeMap<&str, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
    for &(svc, bucket, e, w) in &v.aggregates.service_timeline {
        let entry = per_service
            .entry(v.names.services[svc as usize].as_str())
            .or_insert_with(|| (vec![0; n], vec![0; n]));
        if (bucket as usize) < n {
            entry.0[bucket as usize] += e;
            entry.1[bucket as usize] += w;
        }
    }
    per_service
        .into_iter()
        .map(|(name, (e, w))| ServiceTimeline {
            service: name.to_string(),
            errors: e.iter().sum(),
            warnings: w.iter().sum(),
            errors_sparkline: sparkline(&e),
            warnings_sparkline: sparkline(&w),
        })
        .collect()
}

/// Eight-level bars, one per bucket; blank where nothing happened.
pub(crate) fn sparkline(buckets: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = buckets.iter().copied().max().unwrap_or(0);
    buckets
        .iter()
        .map(|&v| {
            if v == 0 {
                ' '
            } else {
                BARS[(((v as f64 / max as f64) * 7.0).round() as usize).min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels_fit_the_width() {
        let t = |s: &str| crate::normalize::time::Timestamp::parse(s).unwrap().nanos;
        const MIN: i64 = 60_000_000_000;
        assert_eq!(bucket_labels(t("2025-09-11T05:00:00Z"), 5 * MIN, 2), ["05:00", "05:05"]);
        assert_eq!(bucket_labels(t("2025-09-11T05:00:00Z"), 360 * MIN, 5)[4], "09-12 05:00");
        assert_eq!(bucket_labels(t("2025-09-11T05:00:00Z"), 1440 * MIN, 3)[2], "09-13");
        let years = bucket_labels(t("2023-01-02T00:00:00Z"), 4 * 10080 * MIN, 40);
        assert_eq!((years[0].as_str(), years[39].as_str()), ("2023-01-02", "2025-12-29"));
    }

    #[test]
    fn sparklines() {
        assert_eq!(sparkline(&[0, 1, 8, 4]), " ▂█▅");
    }
}
