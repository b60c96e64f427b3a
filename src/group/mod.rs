//! Group: decides which records are the same problem, and gives each problem a stable id.
//!
//! Four kinds of issue, each with its own key: stack traces by exception type and innermost
//! frames (`traceback`), request logs by status, method and route (`request`), audit logs by
//! service, method and status, and every other message by its template, mined (`miner`) over the
//! distinct messages after their variable parts are masked (`mask`); a multi-line message is
//! keyed by its most telling line (`telling`). An issue is one key within one service. Its id is
//! a hash of kind, service and key, so the same problem has the same id on every run and
//! machine. Titles are made distinct within a report (`title`).

pub mod mask;
pub(crate) mod matcher;
pub mod miner;
pub(crate) mod request;
pub(crate) mod telling;
pub(crate) mod title;
pub(crate) mod traceback;

use crate::normalize::record::{Audit, Request};
use crate::normalize::Record;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// What kind of evidence an issue is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    Message,
    Traceback,
    Request,
    Audit,
}

/// One issue's identity and how it reads.
#[derive(Debug, Clone)]
pub struct IssueDef {
    pub id: String,
    /// How the issue reads in one line: from its template, told apart from every other issue's.
    pub title: String,
    pub kind: IssueKind,
    pub service: String,
    /// The message with `<*>` for the variable parts.
    pub template: String,
    /// The exception type of a stack trace (`KeyError`).
    pub exception: Option<String>,
    /// Innermost frames of a stack trace.
    pub frames: Vec<String>,
    /// The HTTP status of a request issue.
    pub status: Option<u16>,
}

/// The issues found and, for each record, the index of its issue.
pub struct Grouping {
    pub issues: Vec<IssueDef>,
    pub issue_of: Vec<u32>,
}

/// Longest message prefix that takes part in mining: past it, messages are dumps, not templates.
const MAX_MINED_CHARS: usize = 4096;

/// What a record is grouped by, before mining: its masked message, its stack trace's
/// fingerprint, or its request route.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum Key {
    Message(String),
    Traceback {
        fingerprint: String,
        template: String,
        exception: String,
        frames: Vec<String>,
    },
    Request {
        template: String,
        status: u16,
    },
    /// An audit log's call: `v1.compute.instances.setMetadata PERMISSION_DENIED`.
    Audit {
        template: String,
        fingerprint: String,
    },
    /// A message keyed exactly, not mined: a slow query's statement shape.
    Exact(String),
}

/// One distinct (service, key) and how often it occurred, for [`group_keys`].
pub(crate) struct Keyed<'a> {
    pub service: &'a str,
    pub(crate) key: &'a Key,
    pub(crate) weight: u64,
}

/// Groups records (tests and tools; the report groups distinct keys with [`group_keys`]).
pub fn group(records: &[&Record]) -> Grouping {
    let keys: Vec<Key> = records.par_iter().map(|r| key_of(r)).collect();
    let keyed: Vec<Keyed> = records
        .iter()
        .zip(&keys)
        .map(|(r, k)| Keyed { service: &r.service, key: k, weight: 1 })
        .collect();
    group_keys(&keyed)
}

/// Mines templates over the distinct masked messages (in a fixed order, so the result does not
/// depend on input order), then makes an issue per (kind, service, template or fingerprint).
/// `issue_of[i]` is the issue of `keyed[i]`.
pub(crate) fn group_keys(keyed: &[Keyed]) -> Grouping {
    let mut weights: HashMap<&str, u64> = HashMap::default();
    for k in keyed {
        if let Key::Message(m) = k.key {
            *weights.entry(m.as_str()).or_default() += k.weight;
        }
    }
    let mut distinct: Vec<(&str, u64)> = weights.into_iter().collect();
    distinct.sort_unstable();
    let texts: Vec<&str> = distinct.iter().map(|(m, _)| *m).collect();
    let counts: Vec<u64> = distinct.iter().map(|(_, c)| *c).collect();
    let mined = miner::mine(&texts, &counts);
    let template_of: HashMap<&str, &str> = texts
        .iter()
        .zip(&mined.assignments)
        .map(|(m, &t)| (*m, mined.templates[t as usize].as_str()))
        .collect();

    // An issue per (kind, service, key); ids from their hash.
    let mut index: HashMap<(IssueKind, &str, String), u32> = HashMap::default();
    let mut issues: Vec<IssueDef> = Vec::new();
    let mut issue_of = Vec::with_capacity(keyed.len());
    for k in keyed {
        let service = k.service;
        let def = |kind, template: &str, fingerprint: &str| IssueDef {
            id: issue_id(kind, service, fingerprint),
            title: String::new(),
            kind,
            service: service.to_string(),
            template: template.to_string(),
            exception: None,
            frames: Vec::new(),
            status: None,
        };
        let (fingerprint, new) = match k.key {
            Key::Message(m) => {
                let t = template_of[m.as_str()];
                (t, def(IssueKind::Message, t, t))
            }
            Key::Exact(template) => {
                (template.as_str(), def(IssueKind::Message, template, template))
            }
            Key::Audit { template, fingerprint } => {
                (fingerprint.as_str(), def(IssueKind::Audit, template, fingerprint))
            }
            Key::Request { template, status } => (
                template.as_str(),
                IssueDef { status: Some(*status), ..def(IssueKind::Request, template, template) },
            ),
            Key::Traceback { fingerprint, template, exception, frames } => (
                fingerprint.as_str(),
                IssueDef {
                    exception: Some(exception.clone()),
                    frames: frames.clone(),
                    ..def(IssueKind::Traceback, template, fingerprint)
                },
            ),
        };
        let slot =
            *index.entry((new.kind, service, fingerprint.to_string())).or_insert_with(|| {
                issues.push(new);
                issues.len() as u32 - 1
            });
        issue_of.push(slot);
    }
    title::assign(&mut issues);
    Grouping { issues, issue_of }
}

/// The template of each of `messages` (masked, distinct), mined as `group_keys` mines them.
pub(crate) fn templates_of(messages: &[&str]) -> Vec<String> {
    let weights = vec![1; messages.len()];
    let mined = miner::mine(messages, &weights);
    mined.assignments.iter().map(|&t| mined.templates[t as usize].clone()).collect()
}

/// The key of one record: the expensive part (masking), run in parallel by callers.
pub(crate) fn key_of(rec: &Record) -> Key {
    key_of_parts(&rec.message, rec.request.as_ref(), rec.audit.as_ref())
}

/// The key of a message (and the request, for request logs; the call, for audit logs).
pub(crate) fn key_of_parts(message: &str, request: Option<&Request>, audit: Option<&Audit>) -> Key {
    // A request without a method (Cloud Scheduler's and App Engine's logs carry only the
    // status) has no route to group by: its message says what happened.
    if let Some(req) = request.filter(|r| !r.method.is_empty() || message.is_empty()) {
        return Key::Request { template: request::template(req), status: req.status };
    }
    if let Some(call) = audit {
        return Key::Audit {
            template: format!("{} {}", call.method, call.status),
            fingerprint: format!("{}|{}|{}", call.service, call.method, call.status),
        };
    }
    if let Some(trace) = traceback::parse(message) {
        return traceback_key(trace);
    }
    match telling::telling(message) {
        telling::Telling::Statement(shape) => Key::Exact(shape),
        telling::Telling::Line(line) => Key::Message(mask::mask_message(line)),
        telling::Telling::Whole => {
            Key::Message(mask::mask_message(truncate_chars(message, MAX_MINED_CHARS)))
        }
    }
}

/// A stack trace's key: fingerprinted by its (root) exception and frames; shown as the exception
/// that escaped, with its root cause where that is another. Its message is not mined (the
/// fingerprint groups), so every quoted value is masked: a title must not show whatever the
/// first event happened to carry.
fn traceback_key(trace: traceback::Trace) -> Key {
    let shown = |exception: &str, message: &str| {
        let masked = if trace.quotes_code {
            mask::mask_message(message)
        } else {
            mask::mask_unmined(message)
        };
        if masked.is_empty() {
            exception.to_string()
        } else {
            format!("{exception}: {masked}")
        }
    };
    let root = shown(&trace.exception, &trace.message);
    let place = trace.frames.first().map(|f| format!("in {f}"));
    let template = match (&trace.top, place) {
        (Some((t, m)), Some(place)) => format!("{} (root cause {root}, {place})", shown(t, m)),
        (Some((t, m)), None) => format!("{} (root cause {root})", shown(t, m)),
        (None, Some(place)) => format!("{root} ({place})"),
        (None, None) => root,
    };
    Key::Traceback {
        fingerprint: trace.fingerprint(),
        template,
        exception: trace.exception,
        frames: trace.frames,
    }
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// `lg-` and 10 hex digits of a hash that is the same on every machine (xxh3 with its fixed
/// default seed, over bytes only).
pub(crate) fn issue_id(kind: IssueKind, service: &str, fingerprint: &str) -> String {
    let kind = match kind {
        IssueKind::Message => "message",
        IssueKind::Traceback => "traceback",
        IssueKind::Request => "request",
        IssueKind::Audit => "audit",
    };
    let mut bytes = Vec::with_capacity(kind.len() + service.len() + fingerprint.len() + 2);
    bytes.extend_from_slice(kind.as_bytes());
    bytes.push(0x1f);
    bytes.extend_from_slice(service.as_bytes());
    bytes.push(0x1f);
    bytes.extend_from_slice(fingerprint.as_bytes());
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    format!("lg-{:010x}", hash >> 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::record::Request;

    fn rec<'a>(service: &'a str, message: &'a str) -> Record<'a> {
        Record { service: service.into(), message: message.into(), ..Record::default() }
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = issue_id(IssueKind::Message, "svc", "Failed to connect to Redis at <*>");
        assert_eq!(a, issue_id(IssueKind::Message, "svc", "Failed to connect to Redis at <*>"));
        assert_ne!(a, issue_id(IssueKind::Message, "other", "Failed to connect to Redis at <*>"));
        assert_ne!(a, issue_id(IssueKind::Request, "svc", "Failed to connect to Redis at <*>"));
        assert_eq!(a.len(), 13);
    }

    /// Archived baselines find their issues by id, so ids are pinned to their values here: a
    /// change of any of them is a migration (a new grouping engine version, said in the release
    /// notes), never an accident.
    #[test]
    fn ids_are_pinned() {
        let pinned = [
            (IssueKind::Message, "svc", "x", "lg-1b2bd4f670"),
            // As the bundled sample's report (and the README's excerpt of it) shows it.
            (
                IssueKind::Message,
                "netra-backend-staging",
                "WebSocket manager creation failed: object UnifiedWebSocketManager can't be used in 'await' expression",
                "lg-ab2c674471",
            ),
            // The same issue's id before quoted constants were kept (archived reports have it).
            (
                IssueKind::Message,
                "netra-backend-staging",
                "WebSocket manager creation failed: object UnifiedWebSocketManager can't be used in <*> expression",
                "lg-a9f21663e2",
            ),
            (IssueKind::Message, "netra-backend-staging", "Failed to connect to Redis at <*>", "lg-87ad548536"),
            (IssueKind::Traceback, "netra-backend-staging", "KeyError|app/x.py:f", "lg-9f03df22f3"),
            (IssueKind::Request, "netra-frontend-staging", "HTTP 503 GET /api/threads/<*>", "lg-5823e99e15"),
            (IssueKind::Message, "", "", "lg-61c0b3f68a"),
            (IssueKind::Message, "ünïcode/ns", "naïve <*> café", "lg-2c963ffb71"),
            (
                IssueKind::Audit,
                "gce_instance",
                "compute.googleapis.com|v1.compute.instances.setMetadata|PERMISSION_DENIED",
                "lg-8c6b72887d",
            ),
        ];
        for (kind, service, fingerprint, id) in pinned {
            assert_eq!(
                issue_id(kind, service, fingerprint),
                id,
                "{kind:?} {service} {fingerprint}"
            );
        }
    }

    #[test]
    fn same_service_same_template_is_one_issue_other_service_another() {
        let records = [
            rec("a", "boom"),
            rec("a", "boom"),
            rec("b", "boom"),
            Record {
                service: "a".into(),
                request: Some(Request {
                    status: 503,
                    method: "GET".into(),
                    path: "/x/1".into(),
                    detail: String::new(),
                }),
                message: "HTTP 503 GET /x/1".into(),
                ..Record::default()
            },
        ];
        let g = group(&records.iter().collect::<Vec<_>>());
        assert_eq!(g.issues.len(), 3);
        assert_eq!(g.issue_of[0], g.issue_of[1]);
        assert_ne!(g.issue_of[0], g.issue_of[2]);
        assert_eq!(g.issues[g.issue_of[3] as usize].template, "HTTP 503 GET /x/<*>");
        assert_eq!(g.issues[g.issue_of[3] as usize].kind, IssueKind::Request);
    }

    #[test]
    fn tracebacks_group_by_exception_and_frames() {
        let tb = |line: u32, key: &str| {
            format!("Traceback (most recent call last):\n  File \"/app/x.py\", line {line}, in f\nKeyError: '{key}'")
        };
        let (first, second) = (tb(1, "k1"), tb(2, "k2"));
        let records = [rec("a", &first), rec("a", &second)];
        let g = group(&records.iter().collect::<Vec<_>>());
        assert_eq!(g.issues.len(), 1);
        assert_eq!(g.issues[0].kind, IssueKind::Traceback);
        assert_eq!(g.issues[0].exception.as_deref(), Some("KeyError"));
    }
}
