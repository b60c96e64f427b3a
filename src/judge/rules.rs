//! Applies the rules (the user's, then the defaults) to one issue: its severity override, whether
//! it is ignored, its priority and the rule that gave it, and the impact, owner and link the user
//! mapped to it. The tool decides nothing here that a rule does not say.

use super::classify::ErrorClass;
use super::priority::Priority;
use crate::config::{Matcher, Rules};
use crate::group::IssueKind;
use crate::normalize::Severity;

/// What the rules look at.
pub struct IssueFacts<'a> {
    pub id: &'a str,
    pub kind: IssueKind,
    pub service: &'a str,
    pub template: &'a str,
    pub examples: &'a [String],
    pub components: &'a [String],
    pub severity: Severity,
    pub class: Option<ErrorClass>,
    pub count: u64,
    pub rate_per_hour: f64,
}

/// What the rules decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub severity: Severity,
    /// Set when a rule overrode the severity: the rule's name.
    pub severity_rule: Option<String>,
    pub priority: Priority,
    /// "rule NAME (SOURCE)".
    pub priority_rule: String,
    pub ignored_by: Option<String>,
    pub impact: Option<String>,
    pub owner: Option<String>,
    pub link: Option<String>,
    /// "What to check", only where the error class is certain.
    pub playbook: Vec<String>,
}

pub fn judge(rules: &Rules, facts: &IssueFacts) -> Judgement {
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
    let first = |get: fn(&crate::config::Rule) -> Option<&String>| {
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
pub fn matches(m: &Matcher, f: &IssueFacts, severity: Severity) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(
        severity: Severity,
        class: Option<ErrorClass>,
        count: u64,
        rate: f64,
    ) -> IssueFacts<'a> {
        IssueFacts {
            id: "lg-0000000001",
            kind: IssueKind::Message,
            service: "netra-backend-staging",
            template: "Agent handler setup failed: No module named <*>",
            examples: &[],
            components: &[],
            severity,
            class,
            count,
            rate_per_hour: rate,
        }
    }

    #[test]
    fn default_rules_in_order() {
        let r = Rules::defaults();
        let p = |f: IssueFacts| judge(&r, &f).priority;
        assert_eq!(p(facts(Severity::Critical, None, 1, 0.1)), Priority::P0);
        assert_eq!(p(facts(Severity::Error, Some(ErrorClass::ImportError), 1, 0.1)), Priority::P0);
        assert_eq!(p(facts(Severity::Error, Some(ErrorClass::Timeout), 1, 0.1)), Priority::P1);
        assert_eq!(p(facts(Severity::Warning, None, 100, 50.0)), Priority::P1);
        assert_eq!(p(facts(Severity::Warning, None, 5, 50.0)), Priority::P2);
        assert_eq!(p(facts(Severity::Info, None, 5, 50.0)), Priority::P3);
        let j = judge(&r, &facts(Severity::Error, Some(ErrorClass::ImportError), 1, 0.1));
        assert_eq!(j.priority_rule, "ERROR from a code defect (default rules)");
        assert!(!j.playbook.is_empty());
        assert_eq!(judge(&r, &facts(Severity::Error, None, 1, 0.1)).playbook, Vec::<String>::new());
    }

    #[test]
    fn user_rules_come_first_and_set_fields_independently() {
        let mut r = Rules::default();
        r.add(
            r##"
[[rule]]
name = "chat blockers"
match = { template = "No module named", service = "^netra-backend" }
priority = "P0"
impact = "Chat is down"
link = "#290"

[[rule]]
match = { service = "backend" }
owner = "@team-realtime"
priority = "P3"

[[rule]]
match = { template = "Session" }
ignore = true
"##,
            "g.toml",
            true,
        )
        .unwrap();
        r.rules.extend(Rules::defaults().rules);
        let j = judge(&r, &facts(Severity::Warning, None, 1, 0.1));
        assert_eq!(j.priority, Priority::P0);
        assert_eq!(j.priority_rule, "chat blockers (g.toml:5)");
        assert_eq!(j.impact.as_deref(), Some("Chat is down"));
        assert_eq!(j.link.as_deref(), Some("#290"));
        assert_eq!(
            j.owner.as_deref(),
            Some("@team-realtime"),
            "a later rule fills what the first left open"
        );
        assert_eq!(j.ignored_by, None);
    }
}
