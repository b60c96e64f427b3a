//! Applies the rules (the user's, then the defaults) to one issue: its severity override, whether
//! it is ignored, its priority and the rule that gave it, and the impact, owner and link the user
//! mapped to it. The tool decides nothing here that a rule does not say.

use super::classify::ErrorClass;
use super::priority::Priority;
use crate::group::IssueKind;
use crate::normalize::Severity;
use regex::Regex;
use std::collections::BTreeMap;

/// The rules to judge by, the user's first and the defaults after them (`config` reads them
/// from the rules files).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub(crate) rules: Vec<Rule>,
    /// "What to check" per error class.
    pub(crate) playbook: BTreeMap<ErrorClass, Vec<String>>,
    /// The user's file, if one was read.
    pub(crate) file: Option<String>,
}

/// A checked rule, ready to match.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// How the report names it: its `name`, else "rule at FILE:LINE".
    pub(crate) name: String,
    /// "gardener.toml:12" or "default rules".
    pub(crate) source: String,
    pub(crate) matcher: Matcher,
    pub(crate) priority: Option<Priority>,
    pub(crate) severity: Option<Severity>,
    pub(crate) ignore: bool,
    pub(crate) impact: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) link: Option<String>,
}

/// What a rule matches; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    pub(crate) id: Option<String>,
    pub(crate) template: Option<Regex>,
    pub(crate) text: Option<Regex>,
    pub(crate) service: Option<Regex>,
    pub(crate) component: Option<Regex>,
    pub(crate) min_severity: Option<Severity>,
    pub(crate) error_classes: Option<Vec<ErrorClass>>,
    pub(crate) kind: Option<IssueKind>,
    pub(crate) min_count: Option<u64>,
    pub(crate) min_rate_per_hour: Option<f64>,
}

/// What the rules look at.
pub(crate) struct IssueFacts<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: IssueKind,
    pub(crate) service: &'a str,
    pub(crate) template: &'a str,
    pub(crate) examples: &'a [String],
    pub(crate) components: &'a [String],
    pub(crate) severity: Severity,
    pub(crate) class: Option<ErrorClass>,
    pub(crate) count: u64,
    pub(crate) rate_per_hour: f64,
}

/// What the rules decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judgement {
    pub(crate) severity: Severity,
    /// Set when a rule overrode the severity: the rule's name.
    pub(crate) severity_rule: Option<String>,
    pub(crate) priority: Priority,
    /// "rule NAME (SOURCE)".
    pub(crate) priority_rule: String,
    pub(crate) ignored_by: Option<String>,
    pub(crate) impact: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) link: Option<String>,
    /// "What to check", only where the error class is certain.
    pub(crate) playbook: Vec<String>,
}

pub(crate) fn judge(rules: &Rules, facts: &IssueFacts) -> Judgement {
    let mut severity = facts.severity;
    let mut severity_rule = None;
    if let Some(rule) =
        rules.rules.iter().find(|r| r.severity.is_some() && matches(&r.matcher, facts, severity))
    {
        severity = rule.severity.expect("filtered on severity");
        severity_rule = Some(describe(&rule.name, &rule.source));
    }
    let ignored_by = rules
        .rules
        .iter()
        .find(|r| r.ignore && matches(&r.matcher, facts, severity))
        .map(|r| describe(&r.name, &r.source));
    let (priority, priority_rule) = rules
        .rules
        .iter()
        .find(|r| r.priority.is_some() && matches(&r.matcher, facts, severity))
        .map(|r| (r.priority.expect("filtered on priority"), describe(&r.name, &r.source)))
        .unwrap_or((Priority::P3, "no rule matched".to_string()));
    let first = |get: fn(&Rule) -> Option<&String>| {
        rules
            .rules
            .iter()
            .filter(|r| matches(&r.matcher, facts, severity))
            .find_map(|r| get(r).cloned())
    };
    Judgement {
        severity,
        severity_rule,
        priority,
        priority_rule,
        ignored_by,
        impact: first(|r| r.impact.as_ref()),
        owner: first(|r| r.owner.as_ref()),
        link: first(|r| r.link.as_ref()),
        playbook: facts.class.and_then(|c| rules.playbook.get(&c).cloned()).unwrap_or_default(),
    }
}

fn describe(name: &str, source: &str) -> String {
    if name.contains(source) {
        name.to_string()
    } else {
        format!("{name} ({source})")
    }
}

/// Every condition of the matcher holds. `severity` is the issue's severity after overrides.
pub(crate) fn matches(m: &Matcher, f: &IssueFacts, severity: Severity) -> bool {
    m.id.as_deref().is_none_or(|id| id == f.id)
        && m.template.as_ref().is_none_or(|re| re.is_match(f.template))
        && m.text
            .as_ref()
            .is_none_or(|re| re.is_match(f.template) || f.examples.iter().any(|e| re.is_match(e)))
        && m.service.as_ref().is_none_or(|re| re.is_match(f.service))
        && m.component.as_ref().is_none_or(|re| f.components.iter().any(|c| re.is_match(c)))
        && m.min_severity.is_none_or(|s| severity >= s)
        && m.error_classes.as_ref().is_none_or(|cs| f.class.is_some_and(|c| cs.contains(&c)))
        && m.kind.is_none_or(|k| k == f.kind)
        && m.min_count.is_none_or(|n| f.count >= n)
        && m.min_rate_per_hour.is_none_or(|r| f.rate_per_hour >= r)
}
