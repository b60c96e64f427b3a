//! Redaction of secrets and personal data in log text.
//!
//! This module owns the decision of what in a log message is a secret (tokens, keys, passwords,
//! private keys, cookies, credentials in URLs, key-values whose key names a secret) or personal
//! data (emails, payment card numbers), and replaces each with the marker `<redacted:KIND>`.
//! Everything that leaves the tool (Markdown or JSON reports) passes through [`Redactor::redact`]
//! first, so a miss here is a leak into a postmortem.
//!
//! Design:
//! * one `RegexSet` pass of cheap trigger patterns decides which rules can apply at all; a message
//!   with no trigger (the common case) costs that single DFA scan and returns `Cow::Borrowed`;
//! * rules then run in a fixed order, most specific first (PEM blocks, JWTs, vendor tokens, user
//!   rules, `Bearer`/`Basic`, URL passwords, key-values, CLI flags, emails, card numbers), so a
//!   JWT after `auth=` is labelled `jwt` rather than `auth`;
//! * a rule never touches an existing `<redacted:KIND>` marker, and a key-value whose value is
//!   already a marker (or `Bearer <marker>`) is left alone, which makes redaction idempotent.
//!
//! Limits: secrets without a recognisable shape or key (a bare random password in prose, an AWS
//! secret key outside a `*secret_access_key` key) cannot be found; unquoted values end at
//! whitespace, `,`, `;`, `&` or a quote, except `Authorization`/`Cookie` header values, which run
//! to the end of the line.
use regex::{Regex, RegexSet};
use std::borrow::Cow;
use std::sync::OnceLock;

const MARK_OPEN: &str = "<redacted:";

/// How a rule turns its matches into replaced spans.
#[derive(Clone, Copy, Debug)]
enum Action {
    /// Replace the whole match.
    Whole,
    /// Replace capture group 1 only (user rules with a group, SQL `IDENTIFIED BY '...'`).
    Group,
    /// `Bearer <token>`: replace the token when it looks like one.
    Bearer,
    /// `Basic <base64>`: replace the credentials when they look like them.
    Basic,
    /// `scheme://user:PASSWORD@host`: replace the password only.
    UrlPassword,
    /// `key=value`, `"key": "value"`, `Key: value` with a sensitive key.
    KeyValue,
    /// `--password value` command-line flags.
    CliFlag,
    /// Emails, minus things like `icon@2x.png`.
    Email,
}

struct Rule {
    kind: String,
    re: Regex,
    action: Action,
}

/// Redacts secrets and personal data from log text. Cheap to share (`&Redactor` is `Sync`).
pub struct Redactor {
    rules: Vec<Rule>,
    /// Trigger patterns: `triggers[i]` for `rules[i]`, then one for card numbers.
    triggers: RegexSet,
    /// The user's own patterns, as given.
    user: Vec<(String, String)>,
}

/// Characters of a key in `key=value`, around a word that may name a secret.
const KEY_WORDS: &str = r"(?i:pass|pwd|secret|token|auth|key|cookie|sess|cred)";

/// A key that `classify_key` can accept, right before its separator: a sensitive word ends it, or
/// is followed by one more word (`password_confirmation`, `password1`, `secret_key_base`).
const KV_TRIGGER: &str = r#"(?i:pass(?:word|wd|phrase)|pwd|secret|token|auth|authorization|cookies?|session|sess(?:ion)?[_.\-]?id|credentials?|creds|(?:api|private|secret|access|signing|encryption|master|session)[_.\-]?key)(?:[_.\-]?[A-Za-z0-9]*)?\\?["']?[ \t]*[:=]"#;

fn builtin_rules() -> Vec<(&'static str, Action, String, String)> {
    let b = r"(?-u:\b)";
    let kv_key = format!(r"[A-Za-z0-9_.\-]*{KEY_WORDS}[A-Za-z0-9_.\-]*");
    vec![
        (
            "private_key",
            Action::Whole,
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:(?s:.*?)-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|(?:[A-Za-z0-9+/=\s:,\-]|\\[nr])*)".into(),
            r"PRIVATE KEY".into(),
        ),
        (
            "jwt",
            Action::Whole,
            format!(r"{b}eyJ[A-Za-z0-9_\-]{{5,}}\.[A-Za-z0-9_\-]{{5,}}(?:\.[A-Za-z0-9_\-]*){{1,3}}"),
            r"eyJ[A-Za-z0-9_\-]{5,}\.".into(),
        ),
        (
            "oauth_token",
            Action::Whole,
            format!(r"{b}ya29\.[0-9A-Za-z_\-]{{10,}}|{b}1//0[0-9A-Za-z_\-]{{20,}}"),
            r"ya29\.|1//0".into(),
        ),
        ("google_api_key", Action::Whole, format!(r"{b}AIza[0-9A-Za-z_\-]{{35}}"), "AIza".into()),
        (
            "aws_access_key",
            Action::Whole,
            format!(r"{b}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{{16}}{b}"),
            r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}".into(),
        ),
        (
            "github",
            Action::Whole,
            format!(r"{b}(?:gh[pousr]_[A-Za-z0-9]{{16,}}|github_pat_[A-Za-z0-9_]{{20,}})"),
            r"gh[pousr]_[A-Za-z0-9]{16}|github_pat_".into(),
        ),
        (
            "gitlab",
            Action::Whole,
            format!(r"{b}gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_\-]{{16,}}"),
            r"gl(?:pat|dt|rt|ptt|cbt|soat)-".into(),
        ),
        (
            "slack",
            Action::Whole,
            format!(
                r"{b}xox[abposr]-[A-Za-z0-9\-]{{8,}}|{b}xapp-[0-9]-[A-Za-z0-9\-]{{8,}}|https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+"
            ),
            r"xox[abposr]-|xapp-|hooks\.slack\.com/services/".into(),
        ),
        (
            "stripe",
            Action::Whole,
            format!(r"{b}(?:[sr]k_(?:live|test)_[A-Za-z0-9]{{10,}}|whsec_[A-Za-z0-9]{{20,}})"),
            r"[sr]k_(?:live|test)_|whsec_".into(),
        ),
        ("anthropic", Action::Whole, format!(r"{b}sk-ant-[A-Za-z0-9_\-]{{20,}}"), "sk-ant-".into()),
        (
            "openai",
            Action::Whole,
            format!(r"{b}sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{{32,}}"),
            r"sk-[A-Za-z0-9_\-]{20}".into(),
        ),
        ("npm", Action::Whole, format!(r"{b}npm_[A-Za-z0-9]{{36}}{b}"), r"npm_[A-Za-z0-9]{36}".into()),
        (
            "sendgrid",
            Action::Whole,
            format!(r"{b}SG\.[A-Za-z0-9_\-]{{16,}}\.[A-Za-z0-9_\-]{{16,}}"),
            r"SG\.[A-Za-z0-9_\-]{16}".into(),
        ),
        // ---- user rules are inserted here (see `Redactor::new`) ----
        (
            "bearer",
            Action::Bearer,
            format!(r"{b}(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]+=*)"),
            format!(r"{b}(?i:bearer)[ \t]+[A-Za-z0-9\-._~+/]"),
        ),
        (
            "basic",
            Action::Basic,
            format!(r"{b}(?i:basic)[ \t]+(?P<v>[A-Za-z0-9+/]{{6,}}={{0,2}})"),
            format!(r"{b}(?i:basic)[ \t]+[A-Za-z0-9+/]{{6}}"),
        ),
        (
            "password",
            Action::UrlPassword,
            r#"[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s<>"']*:(?P<v>[^\s/?#"']*)@"#.into(),
            r#"://[^:/?#@\s<>"']*:[^\s/?#"']*@"#.into(),
        ),
        (
            "secret",
            Action::KeyValue,
            format!(
                r#"(?P<key>{kv_key})(?P<sep>\\?["']?[ \t]*(?:=>|:=|[:=])\s*)(?:\\"(?P<eq>(?:[^"\\]|\\[^"])*)\\"|[bBrRuU]?"(?P<dq>(?:[^"\\]|\\.)*)"|[bBrRuU]?'(?P<sq>(?:[^'\\]|\\.)*)'|(?:\\?["'])?(?P<uq>(?:[^\s"'\\,;&]|\\[^"'])+))"#
            ),
            KV_TRIGGER.into(),
        ),
        (
            "secret",
            Action::CliFlag,
            r#"--(?P<key>[A-Za-z][A-Za-z0-9_\-]*)[ \t]+(?P<v>"[^"]*"|'[^']*'|[^\s"'\-][^\s"']*)"#.into(),
            format!(r"--[A-Za-z0-9_\-]*{KEY_WORDS}[A-Za-z0-9_\-]*[ \t]"),
        ),
        (
            "password",
            Action::Group,
            format!(r#"(?i:{b}identified[ \t]+by|{b}password)[ \t]+'([^']*)'"#),
            r"(?i:identified[ \t]+by|password)[ \t]+'".into(),
        ),
        (
            "email",
            Action::Email,
            format!(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}{b}"),
            r"[A-Za-z0-9._%+\-]@[A-Za-z0-9\-]+\.".into(),
        ),
    ]
}

/// Index in `builtin_rules()` before which user rules go (right after the vendor patterns).
const USER_RULES_AT: usize = 13;
/// Trigger for the hand-written card-number scan.
const CARD_TRIGGER: &str =
    r"(?-u:\b)[2-6][0-9]{3}[ \-]?[0-9]{4}(?:[ \-]?[0-9]{4}|[0-9]{2}[ \-][0-9]{2})";

impl Redactor {
    /// Built-in patterns plus extra (kind, regex) pairs from the user's rules file.
    ///
    /// A user regex without capture groups has its whole match replaced by `<redacted:KIND>`;
    /// one with a capture group has only group 1 replaced (so `employee=(\d+)` keeps the key).
    /// User rules run after the built-in vendor-token patterns and before the contextual ones.
    pub fn new(extra: &[(String, String)]) -> Result<Redactor, regex::Error> {
        let mut rules = Vec::new();
        let mut triggers = Vec::new();
        let builtins = builtin_rules();
        debug_assert_eq!(builtins[USER_RULES_AT].0, "bearer");
        for (i, (kind, action, pattern, trigger)) in builtins.into_iter().enumerate() {
            if i == USER_RULES_AT {
                for (kind, pattern) in extra {
                    let re = Regex::new(pattern)?;
                    let action = if re.captures_len() > 1 { Action::Group } else { Action::Whole };
                    rules.push(Rule { kind: sanitize_kind(kind), re, action });
                    triggers.push(pattern.clone());
                }
            }
            rules.push(Rule { kind: kind.to_string(), re: Regex::new(&pattern)?, action });
            triggers.push(trigger);
        }
        triggers.push(CARD_TRIGGER.to_string());
        let triggers = RegexSet::new(&triggers)?;
        Ok(Redactor { rules, triggers, user: extra.to_vec() })
    }

    /// The user's own patterns (`[[redact]]`), as (kind, pattern).
    pub(crate) fn user_patterns(&self) -> &[(String, String)] {
        &self.user
    }

    /// Returns text with every secret replaced by `<redacted:KIND>`; Cow::Borrowed when nothing matched.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // The rules are heuristics applied in turn, and a redaction can reveal a match another
        // rule missed (`l@e.ss-credential=x`: the key stands apart only once the email is
        // gone). Passes repeat until nothing changes, so the result is a fixed point: redacting
        // it again changes nothing. Texts without secrets still take one scan.
        let mut out = self.redact_once(text);
        for _ in 0..MAX_PASSES {
            let Cow::Owned(current) = &out else { break };
            match self.redact_once(current) {
                Cow::Borrowed(_) => break,
                Cow::Owned(next) => out = Cow::Owned(next),
            }
        }
        out
    }

    fn redact_once<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.is_empty() {
            return Cow::Borrowed(text);
        }
        // `is_match` stops at the first trigger and allocates nothing: the clean path is one scan.
        if !self.triggers.is_match(text) {
            return Cow::Borrowed(text);
        }
        let hits = self.triggers.matches(text);
        if !hits.matched_any() {
            return Cow::Borrowed(text);
        }
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        for (i, rule) in self.rules.iter().enumerate() {
            if hits.matched(i) {
                if let Some(s) = rule.apply(&cur) {
                    cur = Cow::Owned(s);
                }
            }
        }
        if hits.matched(self.rules.len()) {
            if let Some(s) = redact_cards(&cur) {
                cur = Cow::Owned(s);
            }
        }
        cur
    }
}

/// Extra passes after the first one that changed the text (in practice one suffices).
const MAX_PASSES: usize = 4;

/// Kinds go inside `<redacted:...>`: keep them to `[a-z0-9_]` so markers stay recognisable.
fn sanitize_kind(kind: &str) -> String {
    let k: String = kind
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if k.is_empty() {
        "custom".into()
    } else {
        k
    }
}

/// Byte ranges of existing `<redacted:KIND>` markers in `text`.
fn marker_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for start in memchr::memmem::find_iter(bytes, MARK_OPEN.as_bytes()) {
        let kind_at = start + MARK_OPEN.len();
        let kind_len = bytes[kind_at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if kind_len > 0 && bytes.get(kind_at + kind_len) == Some(&b'>') {
            out.push((start, kind_at + kind_len + 1));
        }
    }
    out
}

fn overlaps(marks: &[(usize, usize)], s: usize, e: usize) -> bool {
    marks.iter().any(|&(ms, me)| s < me && ms < e)
}

/// Builds the output from non-overlapping spans sorted by start.
fn splice(text: &str, spans: &[(usize, usize, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 16);
    let mut last = 0;
    for &(s, e, kind) in spans {
        out.push_str(&text[last..s]);
        out.push_str(MARK_OPEN);
        out.push_str(kind);
        out.push('>');
        last = e;
    }
    out.push_str(&text[last..]);
    out
}

/// The next char boundary after `i`.
fn next_boundary(text: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

impl Rule {
    /// The text with this rule's matches redacted, or None when it changed nothing.
    fn apply(&self, text: &str) -> Option<String> {
        let marks = if memchr::memmem::find(text.as_bytes(), MARK_OPEN.as_bytes()).is_some() {
            marker_ranges(text)
        } else {
            Vec::new()
        };
        let mut spans: Vec<(usize, usize, &str)> = Vec::new();
        match self.action {
            Action::Whole => {
                for m in self.re.find_iter(text) {
                    if !m.is_empty() && !overlaps(&marks, m.start(), m.end()) {
                        spans.push((m.start(), m.end(), &self.kind));
                    }
                }
            }
            Action::Group | Action::UrlPassword => {
                for c in self.re.captures_iter(text) {
                    let Some(v) = c.get(1) else { continue };
                    if !v.is_empty() && !overlaps(&marks, v.start(), v.end()) {
                        spans.push((v.start(), v.end(), &self.kind));
                    }
                }
            }
            Action::Bearer | Action::Basic => {
                for c in self.re.captures_iter(text) {
                    let v = c.name("v").expect("group v");
                    let rest = &text[v.end()..];
                    let next = rest.chars().next();
                    // A value that runs on (`Bearer password=...`) or into a marker a key-value
                    // rule left (`Bearer password=<redacted:...>`) is that rule's, not a token:
                    // taking it on a second pass would break idempotence.
                    if next.is_some_and(|ch| {
                        ch.is_alphanumeric() || ch == '_' || ch == ':' || ch == '='
                    }) || rest.starts_with("<redacted:")
                    {
                        continue;
                    }
                    let ok = match self.action {
                        Action::Bearer => looks_like_token(v.as_str()),
                        _ => looks_like_basic(v.as_str()),
                    };
                    if ok && !overlaps(&marks, v.start(), v.end()) {
                        spans.push((v.start(), v.end(), &self.kind));
                    }
                }
            }
            Action::Email => {
                for m in self.re.find_iter(text) {
                    let tld = m.as_str().rsplit('.').next().unwrap_or("");
                    if !is_file_extension(tld) && !overlaps(&marks, m.start(), m.end()) {
                        spans.push((m.start(), m.end(), &self.kind));
                    }
                }
            }
            Action::CliFlag => {
                // A rejected match (`--a '--passwd x'`, or one over an earlier redaction) must
                // not hide a flag inside its value: the search resumes just after its start.
                let mut at = 0;
                while let Some(c) = self.re.captures_at(text, at) {
                    let whole = c.get(0).expect("group 0");
                    at = whole.end().max(next_boundary(text, whole.start()));
                    let Some(kind) = classify_key(&c["key"]) else {
                        at = next_boundary(text, whole.start());
                        continue;
                    };
                    let v = c.name("v").expect("group v");
                    let (mut s, mut e) = (v.start(), v.end());
                    if v.as_str().len() >= 2
                        && (v.as_str().starts_with('"') || v.as_str().starts_with('\''))
                    {
                        s += 1;
                        e -= 1;
                    }
                    let val = &text[s..e];
                    if !skip_value(val) && !covered(val) && !overlaps(&marks, s, e) {
                        spans.push((s, e, kind));
                    } else {
                        // Rejected: a secret flag may still start inside this match.
                        at = next_boundary(text, whole.start());
                    }
                }
            }
            Action::KeyValue => self.key_values(text, &marks, &mut spans),
        }
        if spans.is_empty() {
            None
        } else {
            Some(splice(text, &spans))
        }
    }

    fn key_values<'r>(
        &'r self,
        text: &str,
        marks: &[(usize, usize)],
        spans: &mut Vec<(usize, usize, &'r str)>,
    ) {
        let mut pos = 0;
        while pos < text.len() {
            let Some(c) = self.re.captures_at(text, pos) else {
                break;
            };
            let whole = c.get(0).expect("group 0");
            let key = c.name("key").expect("key");
            let (v, quoted) = match (c.name("eq"), c.name("dq"), c.name("sq"), c.name("uq")) {
                (Some(v), ..) | (_, Some(v), ..) | (_, _, Some(v), _) => (v, true),
                (_, _, _, Some(v)) => (v, false),
                _ => unreachable!("one value alternative always matches"),
            };
            let Some(kind) = classify_key(key.as_str()) else {
                // Not a secret key: look again from its value, which may hold `token=...`.
                pos = v.start().max(key.end() + 1);
                continue;
            };
            let (vs, mut ve) = (v.start(), v.end());
            let mut next = whole.end();
            if !quoted {
                let header_like =
                    matches!(kind, "authorization" | "cookie") && c["sep"].contains(':');
                if header_like {
                    ve = end_of_line(text, vs, opening_quote(&text[..key.start()]));
                    next = next.max(ve);
                } else {
                    ve = vs + trim_unbalanced_closers(&text[vs..ve]);
                }
            }
            let val = &text[vs..ve];
            // `invalid token: signature mismatch`, `auth: login failed`: prose, not a credential.
            // Tokens are never a short lowercase word; passwords may be, so those keys always redact.
            let prose = !quoted
                && !c["sep"].contains(['=', '"', '\'', '\\'])
                && !matches!(
                    kind,
                    "password" | "secret" | "client_secret" | "private_key" | "aws_secret_key"
                )
                && val.len() <= 12
                && val.bytes().all(|b| b.is_ascii_lowercase());
            if !prose
                && !skip_value(val)
                && !covered(val)
                && !marks.iter().any(|&(ms, me)| vs < me && ms < vs)
            {
                spans.push((vs, ve, kind));
                // Go on after the value as redacted: a value cut short (a header ending at its
                // quote) may be followed by another key inside what the pattern matched.
                pos = ve.max(key.end() + 1);
            } else {
                // Rejected: another key may start inside its value.
                pos = vs.max(key.end() + 1);
            }
            let _ = next;
        }
    }
}

/// The quote a header line sits in, from the text before its name: `\"`, `"`, `'` or none.
fn opening_quote(before: &str) -> &'static str {
    if before.ends_with("\\\"") {
        "\\\""
    } else if before.ends_with('"') {
        "\""
    } else if before.ends_with('\'') {
        "'"
    } else {
        ""
    }
}

/// End of a header line's value: end of line, an escaped newline, or the closing `quote`.
fn end_of_line(text: &str, from: usize, quote: &str) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\r' || b[i] == b'\n' {
            break;
        }
        if b[i] == b'\\' && matches!(b.get(i + 1), Some(b'n' | b'r')) {
            break;
        }
        if !quote.is_empty() && b[i..].starts_with(quote.as_bytes()) {
            break;
        }
        // Any quote escaped as `\"` ends a header that sits in a JSON string, and its
        // backslash is not part of the value.
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'"') {
            break;
        }
        i += 1;
    }
    // Trailing spaces stay outside the marker.
    while i > from && b[i - 1] == b' ' {
        i -= 1;
    }
    i
}

/// Length of `v` without trailing `)`, `]`, `}` that close nothing inside it (`Cfg(pw=x)`).
fn trim_unbalanced_closers(v: &str) -> usize {
    let mut end = v.len();
    while end > 0 {
        let (open, close) = match v.as_bytes()[end - 1] {
            b')' => (b'(', b')'),
            b']' => (b'[', b']'),
            b'}' => (b'{', b'}'),
            _ => break,
        };
        let s = &v.as_bytes()[..end];
        let opens = s.iter().filter(|&&c| c == open).count();
        let closes = s.iter().filter(|&&c| c == close).count();
        if closes > opens {
            end -= 1;
        } else {
            break;
        }
    }
    end
}

/// Values that are not secrets whatever the key: empty, null-likes, booleans, masks.
fn skip_value(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.bytes().all(|c| c == b'*')
        || [
            "null",
            "none",
            "nil",
            "undefined",
            "true",
            "false",
            "yes",
            "no",
            "[redacted]",
            "[filtered]",
            "redacted",
        ]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
}

/// True when `v` is already redacted: only markers, whitespace and at most an auth scheme word.
fn covered(v: &str) -> bool {
    if !v.contains(MARK_OPEN) {
        return false;
    }
    let mut rest = String::with_capacity(v.len());
    let mut last = 0;
    for (s, e) in marker_ranges(v) {
        rest.push_str(&v[last..s]);
        rest.push(' ');
        last = e;
    }
    rest.push_str(&v[last..]);
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.as_slice() {
        [] => true,
        [w] => ["bearer", "basic", "token", "digest", "negotiate"]
            .iter()
            .any(|s| w.eq_ignore_ascii_case(s)),
        _ => false,
    }
}

/// A `Bearer` argument that is a credential rather than prose ("bearer token", "Bearer realm").
fn looks_like_token(v: &str) -> bool {
    if v.len() < 8 {
        return false;
    }
    let has_digit = v.bytes().any(|c| c.is_ascii_digit());
    let has_punct = v.bytes().any(|c| !c.is_ascii_alphanumeric() && c != b'_');
    let mixed = v.bytes().skip(1).any(|c| c.is_ascii_uppercase())
        && v.bytes().any(|c| c.is_ascii_lowercase());
    has_digit || has_punct || mixed || v.len() >= 20
}

/// A `Basic` argument that is base64 credentials rather than prose ("Basic authentication").
fn looks_like_basic(v: &str) -> bool {
    if let Some(decoded) = base64_decode(v) {
        if decoded.contains(&b':') {
            return true;
        }
    }
    v.len() >= 8 && v.bytes().any(|c| c.is_ascii_digit() || c == b'=' || c == b'+' || c == b'/')
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn is_file_extension(tld: &str) -> bool {
    const EXT: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "css", "map", "json",
        "txt", "log", "py", "rs", "go", "java", "rb", "ts", "tsx", "jsx", "html", "htm", "xml",
        "yaml", "yml", "toml", "lock", "whl", "jar", "so", "tar", "gz", "zip",
    ];
    EXT.iter().any(|e| tld.eq_ignore_ascii_case(e))
}

/// Splits a key into lowercase words at `_`, `-`, `.`, spaces and camelCase boundaries:
/// `X-Api-Key` and `xApiKey` → [x, api, key]; `APIKey` → [api, key].
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The kind of secret a key names, or None. See [`is_sensitive_key`].
fn classify_key(key: &str) -> Option<&'static str> {
    let mut words = key_words(key);
    // `password2`, `token_1`: numbered copies are the same thing.
    for w in &mut words {
        while w.len() > 1 && w.ends_with(|c: char| c.is_ascii_digit()) {
            w.pop();
        }
    }
    words.retain(|w| !w.chars().all(|c| c.is_ascii_digit()));
    classify_words(&mut words)
}

/// Words that, after a secret's name, still name (a form of) its value: `password_confirmation`,
/// `new_password` is handled by the last word, `token_value` by this.
const VALUE_SUFFIXES: &[&str] = &[
    "value",
    "val",
    "str",
    "string",
    "text",
    "raw",
    "plain",
    "plaintext",
    "clear",
    "cleartext",
    "b64",
    "base64",
    "encoded",
    "confirmation",
    "confirm",
    "again",
    "repeat",
    "old",
    "new",
    "current",
    "hex",
    "bytes",
    "data",
    "base",
];

fn classify_words(words: &mut Vec<String>) -> Option<&'static str> {
    if words.len() >= 2 && VALUE_SUFFIXES.contains(&words[words.len() - 1].as_str()) {
        let last = words.pop();
        if let Some(kind) = classify_words(words) {
            return Some(kind);
        }
        words.extend(last);
    }
    let joined: String = words.concat();
    let exact = match joined.as_str() {
        "password" | "passwd" | "pwd" | "passphrase" => Some("password"),
        "secret" | "secretkey" => Some("secret"),
        "token" => Some("token"),
        "accesstoken" => Some("access_token"),
        "refreshtoken" => Some("refresh_token"),
        "idtoken" => Some("id_token"),
        "auth" => Some("auth"),
        "authorization" | "proxyauthorization" => Some("authorization"),
        "apikey" | "xapikey" | "apitoken" | "xapitoken" => Some("api_key"),
        "cookie" | "setcookie" | "cookies" => Some("cookie"),
        "session" | "sessionid" | "sessiontoken" | "sessionkey" | "sessid" | "phpsessid"
        | "jsessionid" => Some("session"),
        "clientsecret" => Some("client_secret"),
        "privatekey" => Some("private_key"),
        "credentials" | "credential" | "creds" => Some("credentials"),
        "awssecretaccesskey" | "awssecretkey" | "secretaccesskey" => Some("aws_secret_key"),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    let n = words.len();
    let last = words.last()?.as_str();
    let prev = if n >= 2 { words[n - 2].as_str() } else { "" };
    let has = |w: &str| words.iter().any(|x| x == w);
    Some(match (prev, last) {
        (_, "password" | "passwd" | "pwd" | "passphrase") => "password",
        ("client", "secret") => "client_secret",
        (_, "secret") => "secret",
        ("access", "token") => "access_token",
        ("refresh", "token") => "refresh_token",
        ("id", "token") => "id_token",
        ("session", "token") => "session",
        ("api", "token") => "api_key",
        (_, "token") => "token",
        (_, "apikey") | ("api", "key") => "api_key",
        ("access", "key") if has("secret") => "aws_secret_key",
        ("private", "key") => "private_key",
        ("secret" | "signing" | "encryption" | "master", "key") => "secret",
        ("session", "id" | "key") => "session",
        (_, "cookie" | "cookies") => "cookie",
        (_, "credentials" | "creds") => "credentials",
        (_, "authorization") => "authorization",
        (_, "auth") => "auth",
        _ => return None,
    })
}

/// True for JSON/header keys whose value is secret by name: password, passwd, pwd, secret, token,
/// access_token, refresh_token, id_token, auth, authorization, api_key, apikey, x-api-key, cookie,
/// set-cookie, session, client_secret, private_key, credentials, and compounds ending in such a
/// name (`db_password`, `githubToken`, `AWS_SECRET_ACCESS_KEY`), case-insensitive and
/// `-`/`_`/camelCase agnostic. Words merely containing one stay non-sensitive:
/// `auth_token_validator`, `SessionMiddleware`, `prompt_tokens`, `token_count`.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    classify_key(key).is_some()
}

/// Finds card-like digit runs (13–19 digits, optionally grouped by one kind of separator, ` ` or
/// `-`, as 4-4-4-x or 4-6-x) that start with a card-network digit (2–6) and pass Luhn.
fn redact_cards(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A maximal run of digit groups joined by single separators of one kind.
        let start = i;
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut sep: Option<u8> = None;
        let mut j = i;
        loop {
            let gs = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((gs, j));
            if j + 1 < b.len()
                && (b[j] == b' ' || b[j] == b'-')
                && sep.is_none_or(|s| s == b[j])
                && b[j + 1].is_ascii_digit()
            {
                sep = Some(b[j]);
                j += 1;
            } else {
                break;
            }
        }
        i = j;
        // Part of an identifier, decimal, version or phone number: not a card.
        let before_ok = match start.checked_sub(1).map(|p| b[p]) {
            None => true,
            Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'+' => false,
            Some(b'.') => !(start >= 2 && b[start - 2].is_ascii_digit()),
            Some(b'-') => {
                !(start >= 2 && (b[start - 2].is_ascii_alphanumeric() || b[start - 2] == b'_'))
            }
            _ => true,
        };
        let after_ok = match b.get(j) {
            None => true,
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => false,
            Some(b'.') => !b.get(j + 1).is_some_and(|c| c.is_ascii_digit()),
            _ => true,
        };
        if !before_ok || !after_ok {
            continue;
        }
        // Every card in the run: windows of whole groups with a printed card layout, else a
        // single group of card length. Layouts span at most 5 groups and start with 4 digits,
        // so this is linear in the run's length; after a match the scan goes on past it.
        let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
        let mut a = 0;
        while a < groups.len() {
            let window = (lens[a] == 4)
                .then(|| {
                    (a + 2..groups.len().min(a + 5)).rev().find(|&z| {
                        card_layout(&lens[a..=z]) && is_card(&b[groups[a].0..groups[z].1])
                    })
                })
                .flatten();
            if let Some(z) = window {
                spans.push((groups[a].0, groups[z].1, "card_number"));
                a = z + 1;
                continue;
            }
            if (13..=19).contains(&lens[a]) && is_card(&b[groups[a].0..groups[a].1]) {
                spans.push((groups[a].0, groups[a].1, "card_number"));
            }
            a += 1;
        }
    }
    if spans.is_empty() {
        None
    } else {
        Some(splice(text, &spans))
    }
}

/// Group layouts of printed card numbers: 4-4-4-(1..4) and 4-4-4-4-(1..3), or 4-6-(4|5).
fn card_layout(lens: &[usize]) -> bool {
    match lens {
        [4, 6, 4] | [4, 6, 5] => true,
        [4, 4, 4, l] => (1..=4).contains(l),
        [4, 4, 4, 4, l] => (1..=3).contains(l),
        _ => false,
    }
}

/// 13–19 digits (separators ignored), first digit 2–6, Luhn-valid.
fn is_card(s: &[u8]) -> bool {
    let digits: Vec<u32> =
        s.iter().filter(|c| c.is_ascii_digit()).map(|c| (c - b'0') as u32).collect();
    if !(13..=19).contains(&digits.len()) || !(2..=6).contains(&digits[0]) {
        return false;
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            if k % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Shared default instance (OnceLock).
pub fn default_redactor() -> &'static Redactor {
    static DEFAULT: OnceLock<Redactor> = OnceLock::new();
    DEFAULT.get_or_init(|| Redactor::new(&[]).expect("built-in redaction patterns compile"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> Cow<'_, str> {
        default_redactor().redact(text)
    }

    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4Q1W4y\nq8Ws0J4s9XKlfZ6yqe7vJ0dWq3Zb4PiJ1fM\n-----END RSA PRIVATE KEY-----";
    const PEM_BODY: &str = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4Q1W4y";

    fn marker(kind: &str) -> String {
        format!("<redacted:{kind}>")
    }

    /// Redacts, checks the secret is gone, the kind label is there, and a second pass is a no-op.
    #[track_caller]
    fn check(msg: &str, secret: &str, kind: &str) {
        let out = redact(msg);
        assert!(!out.contains(secret), "secret {secret:?} survived in {out:?} (input {msg:?})");
        assert!(
            out.contains(&marker(kind)),
            "expected {} in {out:?} (input {msg:?})",
            marker(kind)
        );
        let again = redact(&out);
        assert_eq!(again, out, "not idempotent for input {msg:?}");
        assert!(matches!(again, Cow::Borrowed(_)), "second pass allocated for {out:?}");
    }

    #[track_caller]
    fn unchanged(msg: &str) {
        let out = redact(msg);
        assert_eq!(out, msg, "false positive");
        assert!(matches!(out, Cow::Borrowed(_)));
    }

    /// Secrets recognisable by their own shape, whatever surrounds them.
    fn shaped_secrets() -> Vec<(String, &'static str)> {
        let s = |x: &str| x.to_string();
        vec![
            (s(JWT), "jwt"),
            (s("ya29.a0AfH6SMBx3kZ9qL_example-token_ABCdef123456"), "oauth_token"),
            (s("1//0gLq3xYz-AbCdEfGhIjKlMnOpQrStUvWxYz0123"), "oauth_token"),
            (s("AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"), "google_api_key"),
            (s("AKIAIOSFODNN7EXAMPLE"), "aws_access_key"),
            (s("ASIAY34FZKBOKMUTVV7A"), "aws_access_key"),
            (s("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), "github"),
            (s("gho_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
            (s("ghu_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
            (s("ghs_16C7e42F292c6912E7710c838347Ae178B4a"), "github"),
            (s("ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c3"), "github"),
            (s("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV"), "github"),
            (s("glpat-xY7z_Ab3CdEfGh1JkLmN"), "gitlab"),
            (s("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"), "slack"),
            (s("xoxp-123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef"), "slack"),
            (s("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "stripe"),
            (s("rk_live_51H8abcDEFghiJKLmnoPQRstu"), "stripe"),
            (s("npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), "npm"),
            (s("jane.doe+alerts@example.co.uk"), "email"),
            (s("4111 1111 1111 1111"), "card_number"),
            (s("5555-5555-5555-4444"), "card_number"),
            (s("378282246310005"), "card_number"),
            (s("3782 822463 10005"), "card_number"),
            (s("6011111111111117"), "card_number"),
            (s("4012888888881881"), "card_number"),
        ]
    }

    fn shapes() -> Vec<&'static str> {
        vec![
            "{}",
            "login failed for {} after 3 retries",
            "2024-01-15T10:00:00.123Z ERROR worker-7 value={} status=403",
            r#"{"user": "u-42", "value": "{}", "ok": false}"#,
            r#"{\"value\": \"{}\"}"#,
            "{'value': '{}', 'attempt': 2}",
            "GET https://api.example.com/v1/items?q={}&page=2 HTTP/1.1",
            "X-Custom-Header: {}",
            "payload=({})",
            "multi\nline\n{}\nend",
        ]
    }

    #[test]
    fn corpus_shaped_secrets_in_every_shape() {
        let mut n = 0;
        for (secret, kind) in shaped_secrets() {
            for shape in shapes() {
                check(&shape.replace("{}", &secret), &secret, kind);
                n += 1;
            }
        }
        assert!(n > 200);
    }

    #[test]
    fn corpus_key_values() {
        let keys = [
            ("password", "password"),
            ("passwd", "password"),
            ("pwd", "password"),
            ("DB_PASSWORD", "password"),
            ("userPassword", "password"),
            ("secret", "secret"),
            ("webhook_secret", "secret"),
            ("token", "token"),
            ("githubToken", "token"),
            ("auth", "auth"),
            ("api_key", "api_key"),
            ("apikey", "api_key"),
            ("apiKey", "api_key"),
            ("x-api-key", "api_key"),
            ("access_token", "access_token"),
            ("refresh_token", "refresh_token"),
            ("id_token", "id_token"),
            ("client_secret", "client_secret"),
            ("clientSecret", "client_secret"),
            ("aws_secret_access_key", "aws_secret_key"),
            ("AWS_SECRET_ACCESS_KEY", "aws_secret_key"),
            ("SecretAccessKey", "aws_secret_key"),
            ("session", "session"),
            ("sessionid", "session"),
            ("credentials", "credentials"),
            ("private_key", "private_key"),
            ("password_confirmation", "password"),
            ("password2", "password"),
            ("PASSWORD_CONFIRMATION", "password"),
            ("secret_key_base", "secret"),
        ];
        let forms = [
            "{k}={v}",
            "{k}: {v}",
            "{k} = {v}",
            "config {k}={v} loaded",
            r#""{k}": "{v}""#,
            r#"{"user":"bob","{k}":"{v}","retry":true}"#,
            "{'{k}': '{v}', 'user': 'bob'}",
            "{'{k}': b'{v}'}",
            "{k}='{v}'",
            r#"{k}="{v}""#,
            r#"{\"{k}\": \"{v}\"}"#,
            "https://svc.example.com/cb?state=abc&{k}={v}&next=1",
            "--{k}={v}",
            "--{k} {v}",
            "Settings(host='db', {k}={v})",
            "{k} => \"{v}\"",
            "env: {k}={v}; other=1",
        ];
        let mut n = 0;
        for (k, kind) in keys {
            assert!(is_sensitive_key(k), "{k}");
            for f in forms {
                for v in ["Zq7xK2mPw9vL", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"] {
                    let msg = f.replace("{k}", k).replace("{v}", v);
                    check(&msg, v, kind);
                    assert!(redact(&msg).contains(k), "key {k} must be kept: {msg}");
                    n += 1;
                }
            }
        }
        assert!(n > 500);
    }

    #[test]
    fn quoted_values_with_special_characters_are_redacted_whole() {
        for v in ["p@ss w0rd;&,x", "Tr0ub4dor&3", "a'b", "x\"y", "back\\slash"] {
            let dq =
                format!(r#"{{"password": "{}"}}"#, v.replace('\\', "\\\\").replace('"', "\\\""));
            let out = redact(&dq);
            assert_eq!(out, r#"{"password": "<redacted:password>"}"#, "{dq}");
        }
        check("{'password': 'p@ss w0rd;&,x'}", "w0rd", "password");
        check("password='Tr0ub4dor&3' user=bob", "Tr0ub4dor", "password");
        assert_eq!(redact("Cfg(password=abc)"), "Cfg(password=<redacted:password>)");
        assert_eq!(redact("password=pa(ss)word"), "password=<redacted:password>");
    }

    #[test]
    fn password_keys_redact_even_plain_words() {
        assert_eq!(redact("password: hunter"), "password: <redacted:password>");
        assert_eq!(redact("token=expired"), "token=<redacted:token>");
        assert_eq!(redact("pwd=x"), "pwd=<redacted:password>");
        assert_eq!(redact("{'token': 'abc'}"), "{'token': '<redacted:token>'}");
    }

    #[test]
    fn headers() {
        check(
            "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543",
            "8f14e45fceea167a5a36dedd4bea2543",
            "bearer",
        );
        assert_eq!(
            redact("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543"),
            "Authorization: Bearer <redacted:bearer>"
        );
        assert_eq!(
            redact(&format!("Authorization: Bearer {JWT}")),
            "Authorization: Bearer <redacted:jwt>"
        );
        check("authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy", "basic");
        check(
            "sent Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== upstream",
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
            "basic",
        );
        check(
            "curl -H 'Authorization: Bearer abc.def-ghi_123' https://x",
            "abc.def-ghi_123",
            "bearer",
        );
        let digest =
            r#"Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1""#;
        check(digest, "6629fae49393a05397450978507c4ef1", "authorization");
        check(
            "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
            "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
            "authorization",
        );
        let cookie = "Cookie: sessionid=abc123def456; csrftoken=xyz789qwe\r\nHost: example.com";
        let out = redact(cookie);
        assert_eq!(out, "Cookie: <redacted:cookie>\r\nHost: example.com");
        check(
            "Set-Cookie: sid=31d4d96e407aad42; Path=/; Secure; HttpOnly",
            "31d4d96e407aad42",
            "cookie",
        );
        check(
            r#"{"headers": {"Cookie": "a=1; sid=31d4d96e407aad42", "Host": "x"}}"#,
            "31d4d96e407aad42",
            "cookie",
        );
        check(
            r#"{"headers": {"Authorization": "Bearer tok_9f8e7d6c5b4a3210"}}"#,
            "tok_9f8e7d6c5b4a3210",
            "bearer",
        );
        assert_eq!(
            redact(r#"["Host: a", "Cookie: sid=31d4d96e407aad42; theme=dark", "Accept: */*"]"#),
            r#"["Host: a", "Cookie: <redacted:cookie>", "Accept: */*"]"#
        );
        assert_eq!(
            redact(r#"{"raw": "GET / HTTP/1.1\r\nCookie: sid=31d4d96e407aad42\r\nHost: x"}"#),
            r#"{"raw": "GET / HTTP/1.1\r\nCookie: <redacted:cookie>\r\nHost: x"}"#
        );
        check(
            "x-api-key: 0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef",
            "api_key",
        );
        check("headers={'X-Api-Key': 'k-77ab19'}", "k-77ab19", "api_key");
    }

    #[test]
    fn url_passwords_keep_user_and_host() {
        assert_eq!(
            redact("connecting to postgresql://user:pw@host/db"),
            "connecting to postgresql://user:<redacted:password>@host/db"
        );
        assert_eq!(
            redact("https://u:p@h.example.com/x"),
            "https://u:<redacted:password>@h.example.com/x"
        );
        check(
            "DATABASE_URL=postgresql://app:S3cr3t!pass@db.internal:5432/prod",
            "S3cr3t!pass",
            "password",
        );
        check("redis://:hunter2@cache:6379/0", "hunter2", "password");
        check("mongodb+srv://admin:p@ss@cluster0.mongodb.net/test", "p@ss", "password");
        check("jdbc:mysql://root:toor123@10.0.0.5:3306/app", "toor123", "password");
        check(r#"{"dsn": "amqp://guest:guest42@rabbit:5672/"}"#, "guest42", "password");
    }

    #[test]
    fn private_keys() {
        check(&format!("loaded key {PEM} ok"), PEM_BODY, "private_key");
        let escaped = PEM.replace('\n', "\\n");
        check(
            &format!(
                r#"{{"type": "service_account", "private_key": "{escaped}\n", "client_email": "x"}}"#
            ),
            PEM_BODY,
            "private_key",
        );
        check(
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
            "MIIEvQIBADANBgkqhkiG9w0BAQEF",
            "private_key",
        );
        check("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA", "private_key");
        check(
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----",
            "MHcCAQEEIBkg",
            "private_key",
        );
    }

    #[test]
    fn specific_kind_wins_over_key_kind() {
        assert_eq!(redact(&format!("auth={JWT}")), "auth=<redacted:jwt>");
        assert_eq!(
            redact(r#"{"token": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}"#),
            r#"{"token": "<redacted:github>"}"#
        );
        assert_eq!(redact("contact=jane@example.com"), "contact=<redacted:email>");
    }

    #[test]
    fn sql_and_misc() {
        check("CREATE USER app IDENTIFIED BY 'Sup3rS3cret'", "Sup3rS3cret", "password");
        check("ALTER ROLE app WITH LOGIN PASSWORD 'Sup3rS3cret'", "Sup3rS3cret", "password");
        check(
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "XXXXXXXXXXXXXXXXXXXXXXXX",
            "slack",
        );
        check(
            "openai key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "openai",
        );
        check(
            "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "sendgrid",
        );
    }

    #[test]
    fn false_positives_stay_unchanged() {
        for msg in [
            "request 550e8400-e29b-41d4-a716-446655440000 completed in 12ms",
            "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
            "request_id 'defensive_auth_1a2b3c' took 1.234s",
            // HDFS block ids: 19 digits after `_-`, about one in ten passes the Luhn check.
            "Receiving block blk_-6952295868487656571 src: /10.251.42.84:57069",
            "connect to 10.0.0.12:5432 and 2001:db8::1 port 443 from 192.168.1.1",
            "2024-01-15T10:23:45.123456Z GET /api/v1/users/123 200 OK in 45ms",
            "2024-01-15 10:23:45,123 INFO order 1234567890123 shipped",
            "order 4111 1111 1111 1112 failed validation",
            "invoice 5555555555554443 and ref 1705312345678 and ns 1705312345678901234",
            "ImportError: cannot import name 'auth_token_validator' from 'app.auth'",
            "SessionMiddleware raised RuntimeError while handling request",
            "prompt_tokens=1234 completion_tokens=56 total_tokens=1290 max_tokens: 4096",
            "token_count=17 token_type=bearer auth_type: oauth2 session_timeout=30m",
            "cache key=user:42:profile hit ratio 0.93",
            "auth: login failed for user; session: expired",
            "Access denied for user 'app'@'10.0.0.3' (using password: YES)",
            "invalid bearer token: signature mismatch",
            "Basic authentication failed for realm api",
            "password reset email sent; passwords rotated: 3",
            "user lookup by email failed: not found",
            "loaded icon@2x.png and @app.route('/x') decorator, npm i left-pad@1.3.0",
            "duration=1.5s p99=230ms bytes=1048576 status=503",
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
            "version 1.2.3-rc.4 build 20240115.1234",
            "pi is 3.14159265358979323846",
            "call +4412345678901 now",
            "already <redacted:jwt> and <redacted:password> here",
            "File \"/app/auth/views.py\", line 42, in login",
            "GET https://example.com:8443/a/b?page=2&sort=asc",
            "AKIAIOSFODNN7EXAMPL is too short",
            "",
            "ok",
        ] {
            unchanged(msg);
        }
    }

    #[test]
    fn luhn_decides_cards() {
        assert!(is_card(b"4111111111111111"));
        assert!(!is_card(b"4111111111111112"));
        assert!(!is_card(b"1234567890123452")); // Luhn-valid but not a card network prefix
        assert_eq!(redact("pay 4111-1111-1111-1111."), "pay <redacted:card_number>.");
        assert_eq!(redact("qty 2 4111 1111 1111 1111 ok"), "qty 2 <redacted:card_number> ok");
        unchanged("ids 4111111111111112 5105105105105101x");
    }

    #[test]
    fn extra_patterns_from_new() {
        let r = Redactor::new(&[
            ("employee_id".into(), r"EMP-\d{6}".into()),
            ("Internal Ticket".into(), r"ticket=(T\d+)".into()),
        ])
        .unwrap();
        assert_eq!(r.redact("user EMP-123456 logged in"), "user <redacted:employee_id> logged in");
        assert_eq!(r.redact("ticket=T998 opened"), "ticket=<redacted:internal_ticket> opened");
        let out = r.redact("EMP-123456 password=x1y2z3 ticket=T1");
        assert_eq!(
            out,
            "<redacted:employee_id> password=<redacted:password> ticket=<redacted:internal_ticket>"
        );
        assert_eq!(r.redact(&out), out);
        // Built-ins still work, and the default redactor knows nothing of user rules.
        assert_eq!(r.redact(&format!("t={JWT}")), "t=<redacted:jwt>");
        unchanged("user EMP-123456 logged in");
        assert!(Redactor::new(&[("bad".into(), "(".into())]).is_err());
    }

    #[test]
    fn idempotent_on_redacted_output_and_borrowed_when_clean() {
        let msg = format!(
            "user=jane@example.com password=hunter2 url=postgresql://a:b@h/db Authorization: Bearer {JWT}\n\
             card 4111111111111111 key AKIAIOSFODNN7EXAMPLE {{'secret': 'x9'}}"
        );
        let once = redact(&msg).into_owned();
        assert_ne!(once, msg);
        assert_eq!(redact(&once), once);
        assert!(matches!(redact("plain message with nothing to hide"), Cow::Borrowed(_)));
        assert!(matches!(redact(&once), Cow::Borrowed(_)));
    }

    #[test]
    fn sensitive_keys() {
        for k in [
            "password",
            "PASSWORD",
            "passwd",
            "pwd",
            "secret",
            "token",
            "access_token",
            "refresh_token",
            "id_token",
            "auth",
            "authorization",
            "Authorization",
            "api_key",
            "apikey",
            "x-api-key",
            "X-API-KEY",
            "cookie",
            "set-cookie",
            "Set-Cookie",
            "session",
            "client_secret",
            "private_key",
            "credentials",
            "db-password",
            "accessToken",
            "AWS_SECRET_ACCESS_KEY",
            "proxy-authorization",
            "api-key",
            "password1",
            "password2",
            "password_confirmation",
            "newPassword",
            "secret_value",
            "PHPSESSID",
            "csrf_token",
        ] {
            assert!(is_sensitive_key(k), "{k} should be sensitive");
        }
        for k in [
            "auth_token_validator",
            "SessionMiddleware",
            "prompt_tokens",
            "token_count",
            "token_type",
            "user",
            "request_id",
            "key",
            "cache_key",
            "author",
            "passwordless",
            "secretary",
            "session_timeout",
            "private_key_id",
            "email",
            "auth_type",
            "value",
            "new",
            "password_reset_url",
            "token_expiry",
        ] {
            assert!(!is_sensitive_key(k), "{k} should not be sensitive");
        }
    }

    /// Throughput on typical messages; run with
    /// `cargo test --release -- --ignored --nocapture throughput`.
    #[test]
    #[ignore]
    fn throughput() {
        let clean = [
            "2024-01-15T10:23:45.123Z GET /api/v1/users/12345/orders?page=2 200 45ms ua=\"Mozilla/5.0\"",
            "Traceback (most recent call last):\n  File \"/app/handlers/checkout.py\", line 214, in process\n    result = client.charge(order_id=order.id, amount=total)\nTimeoutError: upstream timed out after 30.0s",
            "{\"event\": \"cache_miss\", \"key\": \"user:42:profile\", \"latency_ms\": 12.5, \"region\": \"europe-west1\"}",
            "Worker 7 finished job 550e8400-e29b-41d4-a716-446655440000 in 1.234s (rows=10432, retries=0)",
            "Connection to 10.12.0.5:5432 refused; retrying in 500ms (attempt 3/5) trace=4bf92f3577b34da6a3ce929d0e0e4736",
            "INFO  [org.hibernate.engine] HHH000400: Using dialect: org.hibernate.dialect.PostgreSQLDialect",
        ];
        let dirty = [
            "POST /oauth/token 200 client_id=web access_token=ya29.a0AfH6SMBx3kZ9qL_example-token_ABCdef123456 expires_in=3599",
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "{\"user\": \"jane.doe@example.com\", \"password\": \"hunter2\", \"remember\": true}",
            "db connect postgresql://app:S3cr3t@db.internal:5432/prod failed: timeout after 5s",
            "payment declined for card 4111 1111 1111 1111 (code 51)",
            "{'api_key': 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', 'region': 'us-central1'}",
        ];
        for (name, set) in [("clean", &clean[..]), ("with secrets", &dirty[..])] {
            let msgs: Vec<String> =
                (0..20_000).map(|i| format!("{} #{i}", set[i % set.len()])).collect();
            let bytes: usize = msgs.iter().map(|m| m.len()).sum();
            let mut best = f64::MAX;
            let mut changed = 0;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                changed = msgs.iter().filter(|m| matches!(redact(m), Cow::Owned(_))).count();
                best = best.min(t.elapsed().as_secs_f64());
            }
            eprintln!(
                "{name}: {:.1} MB in {:.1} ms -> {:.0} MB/s ({changed}/{} messages changed)",
                bytes as f64 / 1e6,
                best * 1e3,
                bytes as f64 / 1e6 / best,
                msgs.len()
            );
        }
    }
}
