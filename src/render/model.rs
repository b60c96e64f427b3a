//! The report model: every fact the worklog shows, computed once, serialized as the JSON report
//! and handed to the Markdown template. Its fields are the template's data model (documented in
//! `docs/template-model.md`); renaming one breaks users' templates and archived JSON.

use crate::group::IssueKind;
use crate::judge::health::{health, Health};
use crate::judge::history::{self, Baseline, BaselineIssue, Current, HistoryEntry, Status};
use crate::judge::priority::Priority;
use crate::normalize::time::format_nanos;
use crate::normalize::Severity;
use crate::pipeline::{Analysis, Books};
use crate::read::InputReport;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    /// When the report was made (RFC 3339 UTC; `SOURCE_DATE_EPOCH` fixes it for reproducible runs).
    pub generated_at: String,
    pub title: String,
    /// File name stem of the report files.
    pub stem: String,
    pub projects: Vec<String>,
    pub services: Vec<String>,
    pub window: Window,
    pub scope: Scope,
    pub inputs: Vec<InputReport>,
    pub totals: Totals,
    pub skipped: Vec<SkipReason>,
    pub issues: Vec<Issue>,
    pub priorities: Vec<PriorityGroup>,
    pub distribution: Vec<DistributionRow>,
    pub service_health: Vec<ServiceHealth>,
    /// Per (service, component) that has issues: a status from the priorities of its issues.
    pub component_health: Vec<ComponentHealth>,
    pub timeline: Timeline,
    /// Issues that fire together.
    pub clusters: Vec<ClusterView>,
    /// Set when `--baseline` was given: what changed since that report.
    pub changes: Option<Changes>,
    /// Every issue seen by this report or the reports before it (carried through baselines).
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    pub number: usize,
    /// Report numbers of the member issues, ascending.
    pub issues: Vec<usize>,
    pub ids: Vec<String>,
    /// Report numbers of the members that began close together.
    pub began_together: Vec<usize>,
    /// Why they belong together ("began together", "same requests (traces)", "same burst pattern").
    pub reasons: Vec<&'static str>,
    pub start_spread_ms: Option<f64>,
    pub revision: Option<String>,
    pub shared_traces: usize,
    /// The cluster in one sentence.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionStart {
    pub revision: String,
    /// The revision's first entry in the window.
    pub started: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub baseline_generated_at: Option<String>,
    pub baseline_window: Window,
    pub new: u64,
    pub regressed: u64,
    pub escalating: u64,
    pub ongoing: u64,
    pub declining: u64,
    /// Issues of the baseline absent from this report.
    pub resolved: Vec<BaselineIssue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub start: Option<String>,
    pub end: Option<String>,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub min_severity: Severity,
    pub since: Option<String>,
    pub until: Option<String>,
    pub services: Vec<String>,
    pub input_format: String,
    pub line_format: Option<String>,
    /// The user's rules file, if one was read.
    pub rules_file: Option<String>,
    /// Issues left out by an `ignore` rule, with the rule.
    pub ignored_issues: Vec<IssueRef>,
    /// The filter in words, for the header.
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub files_read: u64,
    /// Entries read, skipped, duplicates, out of scope by filter, in scope (see `Books`).
    #[serde(flatten)]
    pub books: Books,
    /// The sum of the out-of-scope counts.
    pub entries_out_of_scope: u64,
    pub issues: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkipReason {
    pub reason: String,
    pub entries: u64,
    /// Where (input and position) and what, for the first few.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// 1-based position in the report (most urgent first).
    pub number: usize,
    pub id: String,
    pub title: String,
    pub kind: IssueKind,
    pub severity: Severity,
    pub priority: Priority,
    pub priority_reason: String,
    /// The rule that changed the severity, if one did.
    pub severity_rule: Option<String>,
    /// From the user's rules only: the tool never invents these.
    pub impact: Option<String>,
    pub owner: Option<String>,
    pub link: Option<String>,
    pub error_class: Option<String>,
    /// Generic next steps for the error class ("What to check"), where the class is certain.
    pub what_to_check: Vec<String>,
    /// Events (a traceback written over several entries is one event).
    pub count: u64,
    pub entries: u64,
    pub rate_per_hour: f64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub template: String,
    pub examples: Vec<String>,
    pub services: Vec<String>,
    pub revisions: Vec<RevisionCount>,
    pub components: Vec<String>,
    pub exception: Option<String>,
    pub frames: Vec<String>,
    /// The revision whose deploy (inside the window) the issue arrived with.
    pub appeared_with: Option<RevisionStart>,
    /// The number of the incident cluster the issue belongs to.
    pub cluster: Option<usize>,
    /// Compared with `--baseline`: NEW, REGRESSED, ESCALATING, ONGOING or DECLINING.
    pub status: Option<Status>,
    /// The baseline's rate (events an hour), where the issue was in the baseline.
    pub baseline_rate_per_hour: Option<f64>,
    /// Events per time bucket over the window (see `timeline` for the buckets).
    pub buckets: Vec<u64>,
    pub sparkline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionCount {
    pub revision: String,
    pub count: u64,
    pub first_seen: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriorityGroup {
    pub priority: Priority,
    pub heading: &'static str,
    pub issues: Vec<IssueRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueRef {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub count: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistributionRow {
    pub severity: Severity,
    pub count: u64,
    /// The components with most events at this severity, most first ("service/component").
    pub primary_components: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceHealth {
    pub service: String,
    pub status: Health,
    pub symbol: &'static str,
    pub reason: String,
    pub events: u64,
    pub errors: u64,
    pub warnings: u64,
    pub requests: u64,
    pub requests_5xx: u64,
    pub issues: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentHealth {
    pub service: String,
    pub component: String,
    pub status: Health,
    pub symbol: &'static str,
    pub reason: String,
    /// Issues whose most frequent component this is, and their events.
    pub issues: u64,
    pub events: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub bucket_start: Option<String>,
    pub bucket_minutes: i64,
    /// Bucket start labels (`HH:MM`, or `MM-DD HH:MM` over more than a day).
    pub labels: Vec<String>,
    pub errors: Vec<u64>,
    pub warnings: Vec<u64>,
    pub errors_sparkline: String,
    pub warnings_sparkline: String,
    /// The largest count in one bucket (for the chart's axis).
    pub max: u64,
    /// Per service, errors and warnings over the same buckets.
    pub services: Vec<ServiceTimeline>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceTimeline {
    pub service: String,
    pub errors: u64,
    pub warnings: u64,
    pub errors_sparkline: String,
    pub warnings_sparkline: String,
}

/// Builds the model. `generated_at` is passed in so runs can be reproducible.
pub fn build(a: &Analysis, generated_at: String) -> Report {
    build_with_baseline(a, generated_at, None)
}

/// The model, with statuses and changes against an earlier report when `baseline` is given.
pub fn build_with_baseline(
    a: &Analysis,
    generated_at: String,
    baseline: Option<&Baseline>,
) -> Report {
    let fmt = |t: Option<i64>| a.format_time(t);
    let hours = a.window.map_or(0.0, |(s, e)| (e - s) as f64 / 3.6e12);

    // Issues, most urgent first: priority, then events, then first seen, then id.
    let mut order: Vec<usize> =
        (0..a.judged.len()).filter(|&i| a.judged[i].judgement.ignored_by.is_none()).collect();
    order.sort_by(|&x, &y| {
        let (jx, jy) = (&a.judged[x], &a.judged[y]);
        let (sx, sy) = (&a.aggregates.issues[x], &a.aggregates.issues[y]);
        jx.priority
            .cmp(&jy.priority)
            .then(jy.severity.cmp(&jx.severity))
            .then(sy.events.cmp(&sx.events))
            .then(sx.first_seen.cmp(&sy.first_seen))
            .then(a.grouping.issues[x].id.cmp(&a.grouping.issues[y].id))
    });
    let issues: Vec<Issue> = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let def = &a.grouping.issues[i];
            let j = &a.judged[i];
            let s = &a.aggregates.issues[i];
            Issue {
                number: pos + 1,
                id: def.id.clone(),
                title: title_of(&def.template),
                kind: def.kind,
                severity: j.severity,
                priority: j.priority,
                priority_reason: j.priority_reason.clone(),
                severity_rule: j.judgement.severity_rule.clone(),
                impact: j.judgement.impact.clone(),
                owner: j.judgement.owner.clone(),
                link: j.judgement.link.clone(),
                error_class: j.class.map(|c| c.label().to_string()),
                what_to_check: j.judgement.playbook.clone(),
                count: s.events,
                entries: s.entries,
                rate_per_hour: (j.rate_per_hour * 10.0).round() / 10.0,
                first_seen: fmt(s.first_seen),
                last_seen: fmt(s.last_seen),
                template: def.template.clone(),
                examples: j.examples.iter().map(|e| clip(e, 1200)).collect(),
                services: vec![def.service.clone()],
                revisions: s
                    .revisions
                    .iter()
                    .map(|&(r, count, first)| RevisionCount {
                        revision: a.revision_names[r as usize].clone(),
                        count,
                        first_seen: fmt(first),
                    })
                    .collect(),
                components: s
                    .components
                    .iter()
                    .map(|&(c, _)| a.component_names[c as usize].clone())
                    .collect(),
                exception: def.exception.clone(),
                frames: def.frames.clone(),
                appeared_with: a.appeared_with[i].map(|r| RevisionStart {
                    revision: a.revision_names[r as usize].clone(),
                    started: fmt(a.revision_start.get(&r).map(|x| x.1)),
                }),
                cluster: None,
                status: None,
                baseline_rate_per_hour: None,
                sparkline: sparkline(&s.buckets),
                buckets: s.buckets.clone(),
            }
        })
        .collect();

    let priorities = [Priority::P0, Priority::P1, Priority::P2, Priority::P3]
        .into_iter()
        .map(|p| PriorityGroup {
            priority: p,
            heading: p.heading(),
            issues: issues
                .iter()
                .filter(|i| i.priority == p)
                .map(|i| IssueRef {
                    number: i.number,
                    id: i.id.clone(),
                    title: i.title.clone(),
                    count: i.count,
                    reason: i.priority_reason.clone(),
                })
                .collect(),
        })
        .filter(|g| !g.issues.is_empty())
        .collect();

    // Severity distribution with the top components per severity.
    let mut by_sev: BTreeMap<std::cmp::Reverse<u8>, (u64, Vec<(u64, String)>)> = BTreeMap::new();
    for &(sev, service, component, events) in &a.aggregates.distribution {
        let entry = by_sev.entry(std::cmp::Reverse(sev)).or_default();
        entry.0 += events;
        if component != 0 {
            entry.1.push((
                events,
                format!(
                    "{}/{}",
                    a.service_names[service as usize], a.component_names[component as usize]
                ),
            ));
        }
    }
    let distribution = by_sev
        .into_iter()
        .map(|(std::cmp::Reverse(sev), (count, mut comps))| {
            comps.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            DistributionRow {
                severity: Severity::from_index(sev),
                count,
                primary_components: comps.into_iter().take(3).map(|(_, c)| c).collect(),
            }
        })
        .collect();

    let service_health = a
        .aggregates
        .services
        .iter()
        .map(|st| {
            let name = a.service_names[st.service as usize].clone();
            let own: Vec<&Issue> = issues.iter().filter(|i| i.services.contains(&name)).collect();
            let p0 = own.iter().filter(|i| i.priority == Priority::P0).count();
            let p1 = own.iter().filter(|i| i.priority == Priority::P1).count();
            let (status, reason) = health(st, p0, p1);
            ServiceHealth {
                service: name,
                status,
                symbol: status.symbol(),
                reason,
                events: st.in_scope,
                errors: st.errors,
                warnings: st.warnings,
                requests: st.requests,
                requests_5xx: st.requests_5xx,
                issues: own.len() as u64,
                first_seen: fmt(st.first_seen),
                last_seen: fmt(st.last_seen),
            }
        })
        .collect::<Vec<_>>();
    let mut service_health = service_health;
    service_health.sort_by(|x, y| y.status.cmp(&x.status).then(x.service.cmp(&y.service)));

    let component_health = component_health(&issues);
    let timeline = timeline(a);
    let services: Vec<String> = {
        let mut s: Vec<String> = a.service_names.clone();
        s.sort();
        s
    };
    let start = a.window.map(|w| w.0);
    let stem = stem(&a.projects, &services, start);
    let title = match (a.projects.as_slice(), services.as_slice()) {
        (_, [one]) => format!("Log Gardener Worklog - {one}"),
        ([p], _) => format!("Log Gardener Worklog - {p}"),
        _ => "Log Gardener Worklog".to_string(),
    };

    let mut skipped: BTreeMap<String, SkipReason> = BTreeMap::new();
    for p in &a.problems {
        let e = skipped.entry(p.reason.clone()).or_insert_with(|| SkipReason {
            reason: p.reason.clone(),
            entries: 0,
            examples: Vec::new(),
        });
        e.entries += p.entries;
        if e.examples.len() < 3 {
            e.examples.push(p.to_string());
        }
    }

    let b = &a.books;
    let mut issues = issues;
    let number_of: std::collections::HashMap<&str, usize> =
        issues.iter().map(|i| (i.id.as_str(), i.number)).collect();
    let mut clusters: Vec<ClusterView> = a
        .clusters
        .iter()
        .map(|c| {
            let mut members: Vec<(usize, String)> = c
                .members
                .iter()
                .map(|&m| {
                    let id = a.grouping.issues[m].id.clone();
                    (number_of[id.as_str()], id)
                })
                .collect();
            members.sort();
            let revision = c.common_revision.map(|r| a.revision_names[r as usize].clone());
            let mut began_together: Vec<usize> = c
                .began_together
                .iter()
                .map(|&m| number_of[a.grouping.issues[m].id.as_str()])
                .collect();
            began_together.sort();
            ClusterView {
                number: 0,
                began_together,
                issues: members.iter().map(|m| m.0).collect(),
                ids: members.into_iter().map(|m| m.1).collect(),
                reasons: c.reasons.clone(),
                start_spread_ms: c.start_spread_ms,
                revision,
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
    let current: Vec<Current> = issues
        .iter()
        .map(|i| Current {
            id: &i.id,
            title: &i.title,
            count: i.count,
            rate_per_hour: i.rate_per_hour,
            first_seen: i.first_seen.as_deref(),
            last_seen: i.last_seen.as_deref(),
        })
        .collect();
    let comparison = history::compare(&current, baseline);
    for (issue, (status, before)) in issues.iter_mut().zip(&comparison.statuses) {
        issue.status = Some(*status);
        issue.baseline_rate_per_hour = before.map(|r| (r * 10.0).round() / 10.0);
    }
    let changes = baseline.map(|b| {
        let count = |s: Status| comparison.statuses.iter().filter(|x| x.0 == s).count() as u64;
        Changes {
            baseline_generated_at: b.generated_at.clone(),
            baseline_window: Window {
                start: b.window.start.clone(),
                end: b.window.end.clone(),
                hours: b.window.hours,
            },
            new: count(Status::New),
            regressed: count(Status::Regressed),
            escalating: count(Status::Escalating),
            ongoing: count(Status::Ongoing),
            declining: count(Status::Declining),
            resolved: comparison.resolved.clone(),
        }
    });
    Report {
        tool: Tool { name: "log-gardener", version: env!("CARGO_PKG_VERSION") },
        generated_at,
        title,
        stem,
        projects: a.projects.clone(),
        services,
        window: Window {
            start: fmt(a.window.map(|w| w.0)),
            end: fmt(a.window.map(|w| w.1)),
            hours: (hours * 100.0).round() / 100.0,
        },
        scope: scope(a),
        inputs: a.inputs.clone(),
        totals: Totals {
            files_read: a.inputs.iter().filter(|i| i.error.is_none()).count() as u64,
            books: b.clone(),
            entries_out_of_scope: b.out_of_scope(),
            issues: issues.len() as u64,
        },
        skipped: skipped.into_values().collect(),
        issues,
        priorities,
        distribution,
        service_health,
        component_health,
        timeline,
        clusters,
        changes,
        history: comparison.history,
    }
}

/// Components where the data names them (the logger of an issue's events), with the status the
/// priorities of their issues give: FAILING with a P0 issue, DEGRADED with a P1, else OPERATIONAL.
fn component_health(issues: &[Issue]) -> Vec<ComponentHealth> {
    let mut by: BTreeMap<(String, String), (usize, usize, u64, u64)> = BTreeMap::new();
    for i in issues {
        let Some(component) = i.components.first() else { continue };
        let e = by.entry((i.services[0].clone(), component.clone())).or_default();
        e.0 += (i.priority == Priority::P0) as usize;
        e.1 += (i.priority == Priority::P1) as usize;
        e.2 += 1;
        e.3 += i.count;
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut out: Vec<ComponentHealth> = by
        .into_iter()
        .map(|((service, component), (p0, p1, n, events))| {
            let (status, reason) = if p0 > 0 {
                (Health::Failing, format!("{p0} P0 issue{}", plural(p0)))
            } else if p1 > 0 {
                (Health::Degraded, format!("{p1} P1 issue{}", plural(p1)))
            } else {
                (Health::Operational, "no P0/P1 issue".to_string())
            };
            ComponentHealth {
                service,
                component,
                status,
                symbol: status.symbol(),
                reason,
                issues: n,
                events,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.status.cmp(&x.status).then(x.service.cmp(&y.service)).then(x.component.cmp(&y.component))
    });
    out
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

fn scope(a: &Analysis) -> Scope {
    let ignored_issues = a
        .judged
        .iter()
        .filter_map(|j| {
            let rule = j.judgement.ignored_by.clone()?;
            let def = &a.grouping.issues[j.index];
            Some(IssueRef {
                number: 0,
                id: def.id.clone(),
                title: title_of(&def.template),
                count: a.aggregates.issues[j.index].events,
                reason: rule,
            })
        })
        .collect();
    let o = &a.options;
    let mut parts = vec![format!("severity >= {}", o.min_severity)];
    if let Some(s) = &o.since {
        parts.push(format!("since {s}"));
    }
    if let Some(u) = &o.until {
        parts.push(format!("until {u}"));
    }
    if !o.services.is_empty() {
        parts.push(format!("services {}", o.services.join(", ")));
    }
    Scope {
        min_severity: o.min_severity,
        since: o.since.clone(),
        until: o.until.clone(),
        services: o.services.clone(),
        input_format: format!("{:?}", o.input_format).to_lowercase(),
        line_format: o.line_format.clone(),
        rules_file: a.rules_file.clone(),
        ignored_issues,
        description: parts.join("; "),
    }
}

fn timeline(a: &Analysis) -> Timeline {
    let ag = &a.aggregates;
    let n = if a.window.is_some() { ag.bucket_count as usize } else { 0 };
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
    let multi_day = ag.bucket_width * n as i64 > 86_400_000_000_000;
    let labels = (0..n)
        .map(|i| {
            let t = format_nanos(ag.bucket_start + ag.bucket_width * i as i64, 0);
            if multi_day {
                format!("{} {}", &t[5..10], &t[11..16])
            } else {
                t[11..16].to_string()
            }
        })
        .collect();
    let mut per_service: BTreeMap<&str, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
    for &(svc, bucket, e, w) in &ag.service_timeline {
        let entry = per_service
            .entry(a.service_names[svc as usize].as_str())
            .or_insert_with(|| (vec![0; n], vec![0; n]));
        if (bucket as usize) < n {
            entry.0[bucket as usize] += e;
            entry.1[bucket as usize] += w;
        }
    }
    let services = per_service
        .into_iter()
        .map(|(name, (e, w))| ServiceTimeline {
            service: name.to_string(),
            errors: e.iter().sum(),
            warnings: w.iter().sum(),
            errors_sparkline: sparkline(&e),
            warnings_sparkline: sparkline(&w),
        })
        .collect();
    Timeline {
        bucket_start: a.window.map(|w| format_nanos(w.0, 0)),
        bucket_minutes: ag.bucket_width / 60_000_000_000,
        labels,
        errors_sparkline: sparkline(&errors),
        warnings_sparkline: sparkline(&warnings),
        max: errors.iter().chain(&warnings).copied().max().unwrap_or(0),
        errors,
        warnings,
        services,
    }
}

/// `<project or service>-<window start, UTC>`, so that weekly reports sort by date.
pub fn stem(projects: &[String], services: &[String], start: Option<i64>) -> String {
    let name = match (projects, services) {
        ([p], _) => p.clone(),
        (_, [s]) => s.clone(),
        _ => "log-gardener".to_string(),
    };
    let name: String =
        name.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
    match start {
        Some(t) => {
            let s = format_nanos(t, 0); // 2025-09-11T05:00:00Z
            format!("{name}-{}{}{}T{}{}Z", &s[0..4], &s[5..7], &s[8..10], &s[11..13], &s[14..16])
        }
        None => format!("{name}-undated"),
    }
}

/// A title from a template: its first line, shortened at a word boundary.
pub fn title_of(template: &str) -> String {
    let line = template.lines().next().unwrap_or("").trim();
    clip(line, 100)
}

/// Shortens text to at most `max` characters, marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{cut} …")
}

/// Eight-level bars, one per bucket; blank where nothing happened.
pub fn sparkline(buckets: &[u64]) -> String {
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
    fn stems_sort_by_date() {
        let t = crate::normalize::time::Timestamp::parse("2025-09-11T05:17:11.5Z").unwrap().nanos;
        assert_eq!(stem(&["netra-staging".into()], &[], Some(t)), "netra-staging-20250911T0517Z");
        assert_eq!(stem(&[], &["a".into(), "b".into()], None), "log-gardener-undated");
        assert_eq!(stem(&["x/y z".into()], &[], None), "x_y_z-undated");
    }

    #[test]
    fn sparkline_and_clip() {
        assert_eq!(sparkline(&[0, 1, 8, 4]), " ▂█▅");
        assert_eq!(clip("aaaa bbbb cccc", 10), "aaaa bbbb …");
        assert_eq!(title_of("first line\nsecond"), "first line");
    }
}
