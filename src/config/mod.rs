//! The rules file (`gardener.toml`): the user's judgement, read and checked before any input is,
//! into the rules `judge` applies and the secret patterns `normalize` redacts with.
//!
//! The built-in defaults (`default_rules.toml`, printed by `log-gardener rules`) are the same
//! format; the user's rules come first and the defaults after them. A mistake in the file is an
//! error naming the file and line, never a silently ignored rule.

use crate::group::IssueKind;
use crate::judge::classify::ErrorClass;
use crate::judge::history::Status;
use crate::judge::priority::Priority;
use crate::judge::rules::{Matcher, Rule, Rules};
use crate::normalize::redact::RedactOptions;
use crate::normalize::Severity;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// The default rules, documented; `log-gardener rules` prints them.
pub const DEFAULT_RULES: &str = include_str!("default_rules.toml");

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    redact: Vec<RedactSpec>,
    redaction: Option<RedactionSpec>,
    #[serde(default)]
    playbook: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: Option<String>,
    #[serde(default, rename = "match")]
    matcher: MatchSpec,
    priority: Option<Spanned<String>>,
    raise_to: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    ignore: Option<bool>,
    impact: Option<String>,
    owner: Option<String>,
    link: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MatchSpec {
    id: Option<String>,
    template: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    service: Option<Spanned<String>>,
    component: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    error_class: Option<Spanned<OneOrMany>>,
    kind: Option<Spanned<String>>,
    min_count: Option<u64>,
    min_rate_per_hour: Option<f64>,
    min_busiest_hour: Option<u64>,
    status: Option<Spanned<OneOrMany>>,
    deploy: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactSpec {
    kind: String,
    pattern: Spanned<String>,
}

/// `[redaction]`: switches of the built-in redaction.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactionSpec {
    keep_ip_addresses: Option<bool>,
}

/// Everything the rules files say: the rules to judge by, and what redaction takes.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub rules: Rules,
    /// Extra (kind, regex) secret patterns, from `[[redact]]`.
    pub redact: Vec<(String, String)>,
    /// Switches of the built-in redaction (`[redaction]`).
    pub redaction: RedactOptions,
}

/// Where a checked rules file's errors point: "FILE:LINE".
struct Source<'t> {
    label: &'t str,
    text: &'t str,
}

impl Source<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> String {
        format!("{}:{}", self.label, line_of(self.text, span.start))
    }

    fn regex(&self, s: &Spanned<String>, key: &str) -> Result<Regex, String> {
        Regex::new(s.get_ref()).map_err(|e| {
            format!("{}: `{key}` is not a valid regular expression: {e}", self.at(s.span()))
        })
    }

    fn severity(&self, s: &Spanned<String>, key: &str) -> Result<Severity, String> {
        exact_severity(s.get_ref()).ok_or_else(|| {
            format!("{}: `{key}` must be a severity name (DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY), not {:?}", self.at(s.span()), s.get_ref())
        })
    }
}

impl Config {
    /// The defaults alone.
    pub fn defaults() -> Config {
        let mut config = Config::default();
        config.add(DEFAULT_RULES, "default rules", false).expect("the built-in rules are valid");
        config
    }

    /// The user's file (if any) and then the defaults. `explicit` is `--config`; without it,
    /// `gardener.toml` in the current folder is read when present.
    pub fn load(explicit: Option<&Path>) -> Result<Config, String> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(Path::new("gardener.toml").to_path_buf()).filter(|p| p.is_file()),
        };
        let mut config = Config::default();
        if let Some(path) = path {
            let label = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{label}: cannot read the rules file: {e}"))?;
            config.add(&text, &label, true)?;
            config.rules.file = Some(label);
        }
        let defaults = Config::defaults().rules;
        config.rules.rules.extend(defaults.rules);
        config.rules.playbook.extend(defaults.playbook);
        Ok(config)
    }

    /// Parses and checks one rules file, appending its rules.
    pub fn add(&mut self, text: &str, label: &str, is_user: bool) -> Result<(), String> {
        let file: RulesFile =
            toml::from_str(text).map_err(|e| format!("{label}: {}", e.to_string().trim_end()))?;
        let src = Source { label, text };
        for spec in file.rule {
            let span = spec.span();
            let mut rule = rule_of(spec.into_inner(), span.clone(), &src, is_user)?;
            rule.user_at = is_user.then(|| src.at(span));
            self.rules.rules.push(rule);
        }
        for r in file.redact {
            Regex::new(r.pattern.get_ref()).map_err(|e| {
                format!(
                    "{}: `pattern` of [[redact]] {:?} is not a valid regular expression: {e}",
                    src.at(r.pattern.span()),
                    r.kind
                )
            })?;
            self.redact.push((r.kind, r.pattern.into_inner()));
        }
        if let Some(keep) = file.redaction.and_then(|r| r.keep_ip_addresses) {
            self.redaction.keep_ip_addresses = keep;
        }
        for key in file.playbook.keys() {
            playbook_key(key, label)?;
        }
        if !file.playbook.is_empty() {
            self.rules.playbook.push(file.playbook);
        }
        Ok(())
    }
}

/// A `[playbook]` key: an error class, or `"class.subtype"`.
fn playbook_key(key: &str, label: &str) -> Result<(), String> {
    let (class, subtype) = match key.split_once('.') {
        Some((c, s)) => (c, Some(s)),
        None => (key, None),
    };
    let c = ErrorClass::from_name(class).ok_or_else(|| {
        format!(
            "{label}: [playbook] has unknown error class {class:?} (known: {})",
            ErrorClass::NAMES.join(", ")
        )
    })?;
    match subtype {
        Some(s) if !c.subtypes().contains(&s) => Err(format!(
            "{label}: [playbook] has unknown subtype {key:?} (known for {class}: {})",
            if c.subtypes().is_empty() { "none".to_string() } else { c.subtypes().join(", ") }
        )),
        _ => Ok(()),
    }
}

/// A `raise_to` rule only raises; a rule that does not raise cannot ask about the trend (the
/// statuses are known only once the first pass has decided which issues are shown).
fn check_raise(spec: &RuleSpec, src: &Source) -> Result<(), String> {
    let m = &spec.matcher;
    match &spec.raise_to {
        Some(r) => {
            let sets_more = spec.priority.is_some()
                || spec.severity.is_some()
                || spec.ignore.is_some()
                || spec.impact.is_some()
                || spec.owner.is_some()
                || spec.link.is_some();
            if sets_more {
                return Err(format!(
                    "{}: a rule with `raise_to` sets nothing else (write the priority, severity, ignore, impact, owner or link in a rule of its own)",
                    src.at(r.span())
                ));
            }
        }
        None => {
            let trend = m.status.as_ref().map(|s| s.span()).or(m.deploy.as_ref().map(|d| d.span()));
            if let Some(span) = trend {
                return Err(format!(
                    "{}: `match.status` and `match.deploy` can only be used in a rule with `raise_to` (they are known once priorities are)",
                    src.at(span)
                ));
            }
        }
    }
    Ok(())
}

/// One `[[rule]]` (`whole` is where it is in the file), checked.
fn rule_of(
    spec: RuleSpec,
    whole: std::ops::Range<usize>,
    src: &Source,
    is_user: bool,
) -> Result<Rule, String> {
    check_raise(&spec, src)?;
    let m = &spec.matcher;
    let anchor = spec
        .priority
        .as_ref()
        .or(spec.raise_to.as_ref())
        .map(|p| p.span())
        .or(m.template.as_ref().map(|t| t.span()))
        .or(spec.severity.as_ref().map(|s| s.span()))
        .unwrap_or(whole);
    let source = if is_user { src.at(anchor) } else { src.label.to_string() };
    let priority_of = |p: &Spanned<String>, key: &str| {
        Priority::from_name(p.get_ref()).ok_or_else(|| {
            format!("{}: `{key}` must be P0, P1, P2 or P3, not {:?}", src.at(p.span()), p.get_ref())
        })
    };
    let priority = spec.priority.as_ref().map(|p| priority_of(p, "priority")).transpose()?;
    let raise_to = spec.raise_to.as_ref().map(|p| priority_of(p, "raise_to")).transpose()?;
    let matcher = matcher_of(m, src)?;
    let severity = spec.severity.as_ref().map(|s| src.severity(s, "severity")).transpose()?;
    let name = spec.name.clone().unwrap_or_else(|| format!("rule at {source}"));
    Ok(Rule {
        name,
        source,
        user_at: None,
        matcher,
        priority,
        raise_to,
        severity,
        ignore: spec.ignore.unwrap_or(false),
        impact: spec.impact,
        owner: spec.owner,
        link: spec.link,
    })
}

/// A rule's `match`, checked.
fn matcher_of(m: &MatchSpec, src: &Source) -> Result<Matcher, String> {
    let regex =
        |s: &Option<Spanned<String>>, key| s.as_ref().map(|s| src.regex(s, key)).transpose();
    Ok(Matcher {
        id: m.id.clone(),
        template: regex(&m.template, "match.template")?,
        text: regex(&m.text, "match.text")?,
        service: regex(&m.service, "match.service")?,
        component: regex(&m.component, "match.component")?,
        min_severity: m.severity.as_ref().map(|s| src.severity(s, "match.severity")).transpose()?,
        error_classes: m.error_class.as_ref().map(|s| error_classes(s, src)).transpose()?,
        kind: m.kind.as_ref().map(|s| kind_of(s, src)).transpose()?,
        min_count: m.min_count,
        min_rate_per_hour: m.min_rate_per_hour,
        min_busiest_hour: m.min_busiest_hour,
        statuses: m.status.as_ref().map(|s| statuses(s, src)).transpose()?,
        deploy: m.deploy.as_ref().map(|d| *d.get_ref()),
    })
}

fn statuses(s: &Spanned<OneOrMany>, src: &Source) -> Result<Vec<Status>, String> {
    s.get_ref()
        .names()
        .iter()
        .map(|n| {
            Status::ALL.into_iter().find(|x| x.name().eq_ignore_ascii_case(n)).ok_or_else(|| {
                format!(
                    "{}: `match.status` must be NEW, REGRESSED, ESCALATING, ONGOING or DECLINING, not {n:?}",
                    src.at(s.span())
                )
            })
        })
        .collect()
}

impl OneOrMany {
    fn names(&self) -> Vec<String> {
        match self {
            OneOrMany::One(n) => vec![n.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

fn error_classes(s: &Spanned<OneOrMany>, src: &Source) -> Result<Vec<ErrorClass>, String> {
    s.get_ref()
        .names()
        .iter()
        .map(|n| {
            ErrorClass::from_name(n).ok_or_else(|| {
                format!(
                    "{}: unknown error class {n:?} (known: {})",
                    src.at(s.span()),
                    ErrorClass::NAMES.join(", ")
                )
            })
        })
        .collect()
}

fn kind_of(s: &Spanned<String>, src: &Source) -> Result<IssueKind, String> {
    match s.get_ref().as_str() {
        "message" => Ok(IssueKind::Message),
        "traceback" => Ok(IssueKind::Traceback),
        "request" => Ok(IssueKind::Request),
        "audit" => Ok(IssueKind::Audit),
        other => Err(format!(
            "{}: `match.kind` must be message, traceback, request or audit, not {other:?}",
            src.at(s.span())
        )),
    }
}

/// A severity spelled out (rules are config, so no loose spellings).
fn exact_severity(name: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(name))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::rules::{judge, raise, IssueFacts};

    #[test]
    fn defaults_parse_and_cover_every_issue() {
        let r = Config::defaults().rules;
        assert_eq!(r.rules.len(), 8);
        let last_priority_rule = r.rules.iter().rev().find(|r| r.priority.is_some()).unwrap();
        assert!(last_priority_rule.matcher.min_severity.is_none(), "the last default matches all");
        assert!(r.playbook[0].contains_key("import_error"));
        assert!(r.playbook[0].contains_key("type_error.await"));
        assert!(
            !Config::defaults().redaction.keep_ip_addresses,
            "addresses are redacted by default"
        );
        let mut user = Config::default();
        user.add("[redaction]\nkeep_ip_addresses = true\n", "g.toml", true).unwrap();
        assert!(user.redaction.keep_ip_addresses);
    }

    #[test]
    fn mistakes_name_the_line() {
        let mut r = Config::default();
        let err = r.add("[[rule]]\nname = \"x\"\npriority = \"P9\"\n", "g.toml", true).unwrap_err();
        assert!(err.starts_with("g.toml:3: `priority` must be P0"), "{err}");
        let err = r
            .add(
                "[[rule]]\nmatch = { template = \"(unclosed\" }\npriority = \"P1\"\n",
                "g.toml",
                true,
            )
            .unwrap_err();
        assert!(
            err.starts_with("g.toml:2: `match.template` is not a valid regular expression"),
            "{err}"
        );
        let err = r.add("[[rule]]\n\nprioritty = \"P1\"\n", "g.toml", true).unwrap_err();
        assert!(err.contains("line 3") && err.contains("prioritty"), "{err}");
        let err = r.add("[[rule]]\nmatch = { severity = \"LOUD\" }\n", "g.toml", true).unwrap_err();
        assert!(err.starts_with("g.toml:2: `match.severity` must be a severity name"), "{err}");
        let err =
            r.add("[[rule]]\nmatch = { error_class = [\"oops\"] }\n", "g.toml", true).unwrap_err();
        assert!(err.contains("unknown error class \"oops\""), "{err}");
        let err = r.add("[redaction]\nkeep_ips = true\n", "g.toml", true).unwrap_err();
        assert!(err.contains("line 2") && err.contains("keep_ips"), "{err}");
        let err = r.add("[[rule\n", "g.toml", true).unwrap_err();
        assert!(err.starts_with("g.toml: TOML parse error at line 1"), "{err}");
        let err = r
            .add(
                "[[rule]]\nmatch = { status = \"ESCALATING\" }\npriority = \"P1\"\n",
                "g.toml",
                true,
            )
            .unwrap_err();
        assert!(err.starts_with("g.toml:2: `match.status` and `match.deploy` can only be used in a rule with `raise_to`"), "{err}");
        let err = r
            .add(
                "[[rule]]\nmatch = { status = \"ESCALATNG\" }\nraise_to = \"P1\"\n",
                "g.toml",
                true,
            )
            .unwrap_err();
        assert!(err.starts_with("g.toml:2: `match.status` must be NEW"), "{err}");
        let err =
            r.add("[[rule]]\nraise_to = \"P1\"\nowner = \"@x\"\n", "g.toml", true).unwrap_err();
        assert!(err.starts_with("g.toml:2: a rule with `raise_to` sets nothing else"), "{err}");
        let err =
            r.add("[playbook]\n\"type_error.awiat\" = [\"x\"]\n", "g.toml", true).unwrap_err();
        assert!(
            err.contains("unknown subtype \"type_error.awiat\" (known for type_error: await,"),
            "{err}"
        );
    }

    #[test]
    fn user_rules_know_the_line_they_begin_at() {
        let mut c = Config::default();
        c.add("# mine\n\n[[rule]]\nname = \"a\"\npriority = \"P1\"\n\n[[rule]]\n# b\nmatch = { id = \"lg-x\" }\nowner = \"@o\"\n", "g.toml", true)
            .unwrap();
        let at: Vec<&str> = c.rules.rules.iter().map(|r| r.user_at.as_deref().unwrap()).collect();
        assert_eq!(at, ["g.toml:3", "g.toml:7"]);
        assert!(Config::defaults().rules.rules.iter().all(|r| r.user_at.is_none()));
    }

    // The rules applied (judge::rules) as the rules files give them.
    /// `busiest` is both the busiest hour and the rate over the window (a one-hour window).
    fn facts<'a>(
        severity: Severity,
        class: Option<ErrorClass>,
        count: u64,
        busiest: u64,
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
            subtype: None,
            count,
            rate_per_hour: busiest as f64,
            busiest_hour: busiest,
            status: None,
            deploy: None,
        }
    }

    #[test]
    fn default_rules_in_order() {
        let r = Config::defaults().rules;
        let p = |f: IssueFacts| judge(&r, &f).priority;
        assert_eq!(p(facts(Severity::Critical, None, 1, 0)), Priority::P0);
        assert_eq!(p(facts(Severity::Error, Some(ErrorClass::ImportError), 1, 0)), Priority::P0);
        assert_eq!(p(facts(Severity::Error, Some(ErrorClass::Timeout), 1, 0)), Priority::P1);
        assert_eq!(p(facts(Severity::Warning, None, 100, 50)), Priority::P1);
        assert_eq!(p(facts(Severity::Warning, None, 5, 50)), Priority::P2);
        assert_eq!(p(facts(Severity::Warning, None, 345, 9)), Priority::P2, "spread thin");
        assert_eq!(p(facts(Severity::Info, None, 5, 50)), Priority::P3);
        let j = judge(&r, &facts(Severity::Error, Some(ErrorClass::ImportError), 1, 0));
        assert_eq!(j.priority_rule, "ERROR from a code defect (default rules)");
        assert!(!j.playbook.is_empty());
        assert_eq!(judge(&r, &facts(Severity::Error, None, 1, 0)).playbook, Vec::<String>::new());
    }

    #[test]
    fn what_to_check_follows_the_subtype() {
        let r = Config::defaults().rules;
        let steps = |subtype| {
            let mut f = facts(Severity::Error, Some(ErrorClass::TypeError), 1, 0);
            f.subtype = subtype;
            judge(&r, &f).playbook.join(" ")
        };
        assert!(steps(Some("await")).contains("not awaitable"));
        assert!(!steps(Some("missing_argument")).contains("await"));
        assert!(!steps(Some("not_callable")).contains("await"));
        assert!(steps(Some("not_callable")).contains("called as a function"));
        assert!(!steps(None).contains("await"), "a type error of no known subtype");
        // Your class entry comes before the default subtype's.
        let mut c = Config::default();
        c.add("[playbook]\ntype_error = [\"ours\"]\n", "g.toml", true).unwrap();
        c.rules.playbook.extend(r.playbook.clone());
        let mut f = facts(Severity::Error, Some(ErrorClass::TypeError), 1, 0);
        f.subtype = Some("await");
        assert_eq!(judge(&c.rules, &f).playbook, ["ours"]);
    }

    #[test]
    fn trends_raise_priorities_and_say_which_rule_did() {
        let r = Config::defaults().rules;
        let mut f = facts(Severity::Warning, None, 40, 6);
        let mut j = judge(&r, &f);
        assert_eq!(j.priority, Priority::P2);
        f.status = Some(Status::Escalating);
        raise(&r, &f, &mut j);
        assert_eq!(j.priority, Priority::P1);
        assert_eq!(j.priority_rule, "ESCALATING since the last report (default rules)");
        assert_eq!(j.raised_from, Some((Priority::P2, "WARNING (default rules)".to_string())));
        // A raise never lowers, and a NEW issue without a deploy is not raised.
        let mut p0 = judge(&r, &facts(Severity::Critical, None, 1, 0));
        raise(&r, &f, &mut p0);
        assert_eq!((p0.priority, p0.raised_from), (Priority::P0, None));
        let mut g = facts(Severity::Warning, None, 3, 1);
        g.status = Some(Status::New);
        g.deploy = Some(false);
        let mut k = judge(&r, &g);
        raise(&r, &g, &mut k);
        assert_eq!(k.priority, Priority::P2);
        g.deploy = Some(true);
        raise(&r, &g, &mut k);
        assert_eq!(k.priority, Priority::P1);
    }

    #[test]
    fn user_rules_come_first_and_set_fields_independently() {
        let mut c = Config::default();
        c.add(
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
        let mut r = c.rules;
        r.rules.extend(Config::defaults().rules.rules);
        let j = judge(&r, &facts(Severity::Warning, None, 1, 0));
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
