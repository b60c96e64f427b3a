//! A report with every optional field set and every list holding one element: the shape of the
//! report model, against which templates are checked when they are loaded (a name a template
//! uses that the model lacks is an error, in branches not taken too). Being a struct literal,
//! it cannot miss a field the model gains; its test checks that nothing in it is empty.

use super::model::*;
use crate::group::IssueKind;
use crate::judge::health::Health;
use crate::judge::history::{BaselineIssue, HistoryEntry, Status};
use crate::judge::priority::Priority;
use crate::normalize::Severity;

fn s(text: &str) -> String {
    text.to_string()
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn window() -> Window {
    Window { start: some("t"), end: some("t"), hours: 1.0, rate_unit: Some("h") }
}

fn issue_ref() -> IssueRef {
    IssueRef { number: 1, id: s("lg-0"), title: s("t"), count: 1, reason: s("r") }
}

fn issue() -> Issue {
    Issue {
        number: 1,
        id: s("lg-0"),
        title: s("t"),
        kind: IssueKind::Message,
        severity: Severity::Error,
        priority: Priority::P0,
        priority_reason: s("r"),
        raised_from: Some(RaisedFrom { priority: Priority::P2, reason: s("r") }),
        severity_rule: some("r"),
        impact: some("i"),
        owner: some("o"),
        link: some("l"),
        error_class: some("c"),
        error_subtype: some("s"),
        what_to_check: vec![s("w")],
        count: 1,
        entries: 1,
        rate_per_hour: 1.0,
        rate: 1.0,
        busiest_hour: 1,
        first_seen: some("t"),
        last_seen: some("t"),
        first_seen_ever: some("t"),
        reports: 1,
        detailed: true,
        template: s("t"),
        examples: vec![s("e")],
        services: vec![s("s")],
        revisions: vec![RevisionCount { revision: s("r"), count: 1, first_seen: some("t") }],
        components: vec![s("c")],
        exception: some("e"),
        frames: vec![s("f")],
        appeared_with: Some(RevisionStart { revision: s("r"), started: some("t") }),
        cluster: Some(1),
        status: Some(Status::New),
        baseline_rate_per_hour: Some(1.0),
        baseline_rate: Some(1.0),
        buckets: vec![1],
        sparkline: s("█"),
    }
}

/// The probe (see the module doc). Long: one literal of the whole model, so the compiler
/// names any field it lacks.
pub(crate) fn report() -> Report {
    Report {
        tool: Tool { name: "log-gardener", version: "0" },
        generated_at: s("t"),
        title: s("t"),
        stem: s("s"),
        projects: vec![s("p")],
        services: vec![s("s")],
        window: window(),
        scope: Scope {
            min_severity: Severity::Warning,
            since: some("t"),
            until: some("t"),
            services: vec![s("s")],
            input_format: s("auto"),
            line_format: some("f"),
            rules_file: some("f"),
            ignored_issues: vec![issue_ref()],
            unmatched_rules: vec![s("r")],
            description: s("d"),
        },
        inputs: vec![Input {
            path: s("p"),
            format: s("f"),
            gzip: true,
            bytes: 1,
            entries: 1,
            skipped: 1,
            error: some("e"),
        }],
        totals: Totals {
            files_read: 1,
            entries_read: 1,
            entries_skipped: 1,
            duplicates: 1,
            below_min_severity: 1,
            outside_window: 1,
            service_not_selected: 1,
            ignored_by_rule: 1,
            entries_in_scope: 1,
            events_in_scope: 1,
            severity_inferred: 1,
            entries_without_time: 1,
            entries_out_of_scope: 1,
            issues: 1,
        },
        skipped: vec![SkipReason {
            reason: s("r"),
            entries: 1,
            read_in_part: 0,
            examples: vec![s("e")],
        }],
        issues: vec![issue()],
        priorities: vec![PriorityGroup {
            priority: Priority::P0,
            heading: "P0",
            issues: vec![issue_ref()],
        }],
        distribution: vec![DistributionRow {
            severity: Severity::Error,
            count: 1,
            primary_components: vec![s("c")],
        }],
        service_health: vec![ServiceHealth {
            service: s("s"),
            status: Health::Failing,
            symbol: "x",
            reason: s("r"),
            events: 1,
            errors: 1,
            warnings: 1,
            requests: 1,
            requests_5xx: 1,
            issues: 1,
            first_seen: some("t"),
            last_seen: some("t"),
            line: s("l"),
        }],
        component_health: vec![ComponentHealth {
            service: s("s"),
            component: s("c"),
            status: Health::Failing,
            symbol: "x",
            reason: s("r"),
            issues: 1,
            events: 1,
        }],
        timeline: Timeline {
            bucket_start: some("t"),
            bucket_minutes: 1,
            labels: vec![s("l")],
            errors: vec![1],
            warnings: vec![1],
            errors_sparkline: s("█"),
            warnings_sparkline: s("█"),
            max: 1,
            services: vec![ServiceTimeline {
                service: s("s"),
                errors: 1,
                warnings: 1,
                errors_sparkline: s("█"),
                warnings_sparkline: s("█"),
            }],
        },
        sequence: Sequence {
            origin: some("t"),
            lines: vec![SequenceLine {
                time: s("t"),
                offset: s("+0"),
                kind: "began",
                issue: Some(1),
                text: s("t"),
            }],
            issues_left_out: 1,
        },
        summary: Summary {
            priorities: vec![PriorityCount { priority: Priority::P0, issues: 1 }],
            urgent: vec![UrgentIssue {
                number: 1,
                id: s("lg-0"),
                title: s("t"),
                priority: Priority::P0,
                count: 1,
                rate: 1.0,
                status: Some(Status::New),
                owner: some("o"),
                link: some("l"),
                unowned: true,
            }],
            urgent_unowned: 1,
        },
        layout: Layout {
            details: 1,
            table_rows: 1,
            detailed: 1,
            in_table: 1,
            not_listed: 1,
            not_listed_events: 1,
        },
        clusters: vec![ClusterView {
            number: 1,
            issues: vec![1],
            ids: vec![s("lg-0")],
            began_together: vec![1],
            reasons: vec!["r"],
            start_spread_ms: Some(1.0),
            revision: some("r"),
            shared_traces: 1,
            summary: s("s"),
        }],
        changes: Some(Changes {
            baseline_file: s("f"),
            baseline_generated_at: some("t"),
            baseline_window: window(),
            new: 1,
            regressed: 1,
            escalating: 1,
            ongoing: 1,
            declining: 1,
            resolved: vec![BaselineIssue {
                id: s("lg-0"),
                title: s("t"),
                count: 1,
                rate_per_hour: 1.0,
                priority: some("P0"),
                first_seen: some("t"),
                last_seen: some("t"),
                services: vec![s("s")],
            }],
        }),
        history: vec![HistoryEntry {
            id: s("lg-0"),
            title: s("t"),
            first_seen: some("t"),
            last_seen: some("t"),
            reports: 1,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object's fields are there and nothing is null or empty, so the probe shows the
    /// whole shape of the model.
    fn check(path: &str, v: &serde_json::Value) {
        match v {
            serde_json::Value::Null => panic!("{path} is null in the probe"),
            serde_json::Value::Array(a) => {
                assert!(!a.is_empty(), "{path} is empty in the probe");
                a.iter().for_each(|x| check(&format!("{path}[]"), x));
            }
            serde_json::Value::Object(o) => {
                o.iter().for_each(|(k, x)| check(&format!("{path}.{k}"), x));
            }
            _ => {}
        }
    }

    #[test]
    fn the_probe_shows_every_field() {
        check("report", &serde_json::to_value(report()).unwrap());
    }
}
