//! The rules file (`gardener.toml`): the user's judgement, read and checked before any input is.
//!
//! The built-in defaults (`default_rules.toml`, printed by `log-gardener rules`) are the same
//! format; the user's rules come first and the defaults after them. A mistake in the file is an
//! error naming the file and line, never a silently ignored rule.

use crate::group::IssueKind;
use crate::judge::classify::ErrorClass;
use crate::judge::priority::Priority;
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
    rule: Vec<RuleSpec>,
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

/// A checked rule, ready to match.
#[derive(Debug, Clone)]
pub struct Rule {
    /// How the report names it: its `name`, else "rule at FILE:LINE".
    pub name: String,
    /// "gardener.toml:12" or "default rules".
    pub source: String,
    pub matcher: Matcher,
    pub priority: Option<Priority>,
    pub severity: Option<Severity>,
    pub ignore: bool,
    pub impact: Option<String>,
    pub owner: Option<String>,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Matcher {
    pub id: Option<String>,
    pub template: Option<Regex>,
    pub text: Option<Regex>,
    pub service: Option<Regex>,
    pub component: Option<Regex>,
    pub min_severity: Option<Severity>,
    pub error_classes: Option<Vec<ErrorClass>>,
    pub kind: Option<IssueKind>,
    pub min_count: Option<u64>,
    pub min_rate_per_hour: Option<f64>,
}

/// Everything the rules files say, user rules first.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub rules: Vec<Rule>,
    /// Extra (kind, regex) secret patterns.
    pub redact: Vec<(String, String)>,
    /// Switches of the built-in redaction (`[redaction]`).
    pub redaction: RedactOptions,
    /// "What to check" per error class.
    pub playbook: BTreeMap<ErrorClass, Vec<String>>,
    /// The user's file, if one was read.
    pub file: Option<String>,
}

impl Rules {
    /// The defaults alone.
    pub fn defaults() -> Rules {
        let mut rules = Rules::default();
        rules.add(DEFAULT_RULES, "default rules", false).expect("the built-in rules are valid");
        rules
    }

    /// The user's file (if any) and then the defaults. `explicit` is `--config`; without it,
    /// `gardener.toml` in the current folder is read when present.
    pub fn load(explicit: Option<&Path>) -> Result<Rules, String> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(Path::new("gardener.toml").to_path_buf()).filter(|p| p.is_file()),
        };
        let mut rules = Rules::default();
        if let Some(path) = path {
            let label = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{label}: cannot read the rules file: {e}"))?;
            rules.add(&text, &label, true)?;
            rules.file = Some(label);
        }
        let defaults = Rules::defaults();
        rules.rules.extend(defaults.rules);
        for (class, steps) in defaults.playbook {
            rules.playbook.entry(class).or_insert(steps);
        }
        Ok(rules)
    }

    /// Parses and checks one rules file, appending its rules.
    pub fn add(&mut self, text: &str, label: &str, is_user: bool) -> Result<(), String> {
        let file: RulesFile =
            toml::from_str(text).map_err(|e| format!("{label}: {}", e.to_string().trim_end()))?;
        let at = |span: std::ops::Range<usize>| format!("{label}:{}", line_of(text, span.start));
        let regex = |s: &Spanned<String>, key: &str| -> Result<Regex, String> {
            Regex::new(s.get_ref()).map_err(|e| {
                format!("{}: `{key}` is not a valid regular expression: {e}", at(s.span()))
            })
        };
        for spec in file.rule {
            let m = &spec.matcher;
            let anchor = spec
                .priority
                .as_ref()
                .map(|p| p.span())
                .or(m.template.as_ref().map(|t| t.span()))
                .or(spec.severity.as_ref().map(|s| s.span()))
                .unwrap_or(0..0);
            let source = if is_user { at(anchor.clone()) } else { label.to_string() };
            let severity_of = |s: &Spanned<String>, key: &str| -> Result<Severity, String> {
                exact_severity(s.get_ref()).ok_or_else(|| {
                    format!("{}: `{key}` must be a severity name (DEFAULT, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY), not {:?}", at(s.span()), s.get_ref())
                })
            };
            let matcher = Matcher {
                id: m.id.clone(),
                template: m.template.as_ref().map(|s| regex(s, "match.template")).transpose()?,
                text: m.text.as_ref().map(|s| regex(s, "match.text")).transpose()?,
                service: m.service.as_ref().map(|s| regex(s, "match.service")).transpose()?,
                component: m.component.as_ref().map(|s| regex(s, "match.component")).transpose()?,
                min_severity: m
                    .severity
                    .as_ref()
                    .map(|s| severity_of(s, "match.severity"))
                    .transpose()?,
                error_classes: m
                    .error_class
                    .as_ref()
                    .map(|s| {
                        let names = match s.get_ref() {
                            OneOrMany::One(n) => vec![n.clone()],
                            OneOrMany::Many(v) => v.clone(),
                        };
                        names
                            .iter()
                            .map(|n| {
                                ErrorClass::from_name(n).ok_or_else(|| {
                                    format!(
                                        "{}: unknown error class {n:?} (known: {})",
                                        at(s.span()),
                                        ErrorClass::NAMES.join(", ")
                                    )
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?,
                kind: m
                    .kind
                    .as_ref()
                    .map(|s| match s.get_ref().as_str() {
                        "message" => Ok(IssueKind::Message),
                        "traceback" => Ok(IssueKind::Traceback),
                        "request" => Ok(IssueKind::Request),
                        other => Err(format!(
                            "{}: `match.kind` must be message, traceback or request, not {other:?}",
                            at(s.span())
                        )),
                    })
                    .transpose()?,
                min_count: m.min_count,
                min_rate_per_hour: m.min_rate_per_hour,
            };
            let priority = spec
                .priority
                .as_ref()
                .map(|p| {
                    Priority::from_name(p.get_ref()).ok_or_else(|| {
                        format!(
                            "{}: `priority` must be P0, P1, P2 or P3, not {:?}",
                            at(p.span()),
                            p.get_ref()
                        )
                    })
                })
                .transpose()?;
            let severity =
                spec.severity.as_ref().map(|s| severity_of(s, "severity")).transpose()?;
            let name = spec.name.clone().unwrap_or_else(|| format!("rule at {source}"));
            self.rules.push(Rule {
                name,
                source,
                matcher,
                priority,
                severity,
                ignore: spec.ignore.unwrap_or(false),
                impact: spec.impact,
                owner: spec.owner,
                link: spec.link,
            });
        }
        for r in file.redact {
            Regex::new(r.pattern.get_ref()).map_err(|e| {
                format!(
                    "{}: `pattern` of [[redact]] {:?} is not a valid regular expression: {e}",
                    at(r.pattern.span()),
                    r.kind
                )
            })?;
            self.redact.push((r.kind, r.pattern.into_inner()));
        }
        if let Some(keep) = file.redaction.and_then(|r| r.keep_ip_addresses) {
            self.redaction.keep_ip_addresses = keep;
        }
        for (class, steps) in file.playbook {
            let c = ErrorClass::from_name(&class).ok_or_else(|| {
                format!(
                    "{label}: [playbook] has unknown error class {class:?} (known: {})",
                    ErrorClass::NAMES.join(", ")
                )
            })?;
            self.playbook.insert(c, steps);
        }
        Ok(())
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

    #[test]
    fn defaults_parse_and_cover_every_issue() {
        let r = Rules::defaults();
        assert_eq!(r.rules.len(), 6);
        assert!(
            r.rules.last().unwrap().matcher.min_severity.is_none(),
            "the last default matches all"
        );
        assert!(r.playbook.contains_key(&ErrorClass::ImportError));
        assert!(!r.redaction.keep_ip_addresses, "addresses are redacted by default");
        let mut user = Rules::default();
        user.add("[redaction]\nkeep_ip_addresses = true\n", "g.toml", true).unwrap();
        assert!(user.redaction.keep_ip_addresses);
    }

    #[test]
    fn mistakes_name_the_line() {
        let mut r = Rules::default();
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
    }
}
