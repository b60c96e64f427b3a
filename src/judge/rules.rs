//! Applies the rules (the user's, then the defaults) to one issue: its severity override, whether
//! it is ignored, its priority and the rule that gave it, and the impact, owner and link the user
//! mapped to it. The tool decides nothing here that a rule does not say.
//!
//! Two passes: [`judge`] applies every rule but the `raise_to` ones, from facts of this window
//! alone; [`raise`] then applies the `raise_to` rules, whose matches may name the issue's trend
//! (its status against the baseline, a deploy it arrived with), known only once the shown issues
//! are compared with the baseline. A raise only ever lifts a priority, and the report names the
//! rule that did it beside the one it lifted.

use super::classify::ErrorClass;
use super::history::Status;
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
    /// "What to check", per error class (`type_error`) or subtype (`type_error.await`): the
    /// user's entries, then the defaults'. The first layer naming the subtype or the class wins.
    pub(crate) playbook: Vec<BTreeMap<String, Vec<String>>>,
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
    /// Where the rule begins (its `[[rule]]` line), for a user's rule: "gardener.toml:10".
    pub(crate) user_at: Option<String>,
    pub(crate) matcher: Matcher,
    pub(crate) priority: Option<Priority>,
    /// Lifts the priority to at least this, in the second pass (see the module doc).
    pub(crate) raise_to: Option<Priority>,
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
    /// Events in the issue's busiest 60 minutes: the same whatever the window's length.
    pub(crate) min_busiest_hour: Option<u64>,
    /// The issue's status against the baseline (only `raise_to` rules may ask).
    pub(crate) statuses: Option<Vec<Status>>,
    /// Whether the issue arrived with a deploy inside the window (only `raise_to` rules).
    pub(crate) deploy: Option<bool>,
}

impl Matcher {
    /// Whether the matcher names particular issues (by id, template, text, service or
    /// component), rather than a kind of issue (severity, class, volume, status).
    pub(crate) fn names_issues(&self) -> bool {
        self.id.is_some()
            || self.template.is_some()
            || self.text.is_some()
            || self.service.is_some()
            || self.component.is_some()
    }
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
    /// The class's subtype (`await`), where the message says which.
    pub(crate) subtype: Option<&'static str>,
    pub(crate) count: u64,
    pub(crate) rate_per_hour: f64,
    pub(crate) busiest_hour: u64,
    /// Known in the second pass only (None in the first: a trend condition does not hold).
    pub(crate) status: Option<Status>,
    pub(crate) deploy: Option<bool>,
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
    /// Set when a `raise_to` rule lifted the priority: the priority and rule before it.
    pub(crate) raised_from: Option<(Priority, String)>,
    pub(crate) ignored_by: Option<String>,
    pub(crate) impact: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) link: Option<String>,
    /// "What to check", only where the error class is certain.
    pub(crate) playbook: Vec<String>,
}

/// The first pass: every rule but the `raise_to` ones.
pub(crate) fn judge(rules: &Rules, facts: &IssueFacts) -> Judgement {
    let plain = || rules.rules.iter().filter(|r| r.raise_to.is_none());
    let mut severity = facts.severity;
    let mut severity_rule = None;
    if let Some(rule) =
        plain().find(|r| r.severity.is_some() && matches(&r.matcher, facts, severity))
    {
        severity = rule.severity.expect("filtered on severity");
        severity_rule = Some(describe(&rule.name, &rule.source));
    }
    let ignored_by = plain()
        .find(|r| r.ignore && matches(&r.matcher, facts, severity))
        .map(|r| describe(&r.name, &r.source));
    let (priority, priority_rule) = plain()
        .find(|r| r.priority.is_some() && matches(&r.matcher, facts, severity))
        .map(|r| (r.priority.expect("filtered on priority"), describe(&r.name, &r.source)))
        .unwrap_or((Priority::P3, "no rule matched".to_string()));
    let first = |get: fn(&Rule) -> Option<&String>| {
        plain().filter(|r| matches(&r.matcher, facts, severity)).find_map(|r| get(r).cloned())
    };
    Judgement {
        severity,
        severity_rule,
        priority,
        priority_rule,
        raised_from: None,
        ignored_by,
        impact: first(|r| r.impact.as_ref()),
        owner: first(|r| r.owner.as_ref()),
        link: first(|r| r.link.as_ref()),
        playbook: playbook(rules, facts.class, facts.subtype),
    }
}

/// The second pass: the strongest `raise_to` rule that matches (the first of equals) lifts the
/// priority, if it is lower. `facts` carry the status and deploy.
pub(crate) fn raise(rules: &Rules, facts: &IssueFacts, judgement: &mut Judgement) {
    let severity = judgement.severity;
    let best = rules
        .rules
        .iter()
        .filter(|r| r.raise_to.is_some() && matches(&r.matcher, facts, severity))
        .min_by_key(|r| r.raise_to);
    if let Some(rule) = best {
        let to = rule.raise_to.expect("filtered on raise_to");
        if to < judgement.priority {
            let before = std::mem::replace(&mut judgement.priority, to);
            let rule_before =
                std::mem::replace(&mut judgement.priority_rule, describe(&rule.name, &rule.source));
            judgement.raised_from = Some((before, rule_before));
        }
    }
}

/// "What to check" for a class and subtype: the first playbook layer that names the subtype
/// or, failing that, the class.
fn playbook(rules: &Rules, class: Option<ErrorClass>, subtype: Option<&str>) -> Vec<String> {
    let Some(class) = class else { return Vec::new() };
    let specific = subtype.map(|s| format!("{}.{s}", class.name()));
    for layer in &rules.playbook {
        if let Some(steps) = specific.as_ref().and_then(|k| layer.get(k)) {
            return steps.clone();
        }
        if let Some(steps) = layer.get(class.name()) {
            return steps.clone();
        }
    }
    Vec::new()
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
        && m.min_busiest_hour.is_none_or(|n| f.busiest_hour >= n)
        && m.statuses.as_ref().is_none_or(|s| f.status.is_some_and(|x| s.contains(&x)))
        && m.deploy.is_none_or(|d| f.deploy == Some(d))
}
