//! Redaction of secrets and personal data in log text.
//!
//! This module owns the decision of what in a log message is a secret or personal data, and
//! replaces each with the marker `<redacted:KIND>`. Everything that leaves the tool (Markdown,
//! JSON, HTML, assignments, our own messages) passes through [`Redactor::redact`] first, so a
//! miss here is a leak into a postmortem.
//!
//! Covered (kind in brackets):
//! * by shape: private key blocks, PEM or with literal `\n` as in service-account JSON
//!   (`private_key`); JWTs (`jwt`); Google OAuth `ya29.` access and `1//0` refresh tokens
//!   (`oauth_token`), API keys `AIza` (`google_api_key`), OAuth client secrets `GOCSPX-`
//!   (`google_client_secret`); AWS access key ids (`aws_access_key`), and a 40-character secret
//!   access key in a text that names an id (`aws_secret_key`); GitHub classic and fine-grained
//!   tokens, GitLab, Slack tokens and webhooks, Stripe `sk_`/`rk_`/`whsec_`, Twilio API keys
//!   `SK` + 32 hex, Shopify, Hugging Face, Anthropic, OpenAI, npm, SendGrid (each its vendor's
//!   name); Azure `AccountKey=`/`SharedAccessKey=` (`azure_storage_key`); signatures of signed
//!   URLs (`url_signature`);
//! * by context: `Bearer`/`Basic` credentials, passwords in URLs and connection strings,
//!   `key=value`/`"key": "value"`/`Key: value`/`--key value` with a key naming a secret
//!   (password, token, api_key, cookie, session, `PGPASSWORD`, ...), a random-looking value
//!   after such a word in prose (`Twilio auth token d3ea...`), SQL `IDENTIFIED BY '...'`;
//! * personal data: emails, phone numbers in phone-like formatting (see `phones`), IP addresses
//!   (see `addresses`; kept with [`RedactOptions::keep_ip_addresses`]), card numbers (Luhn).
//!
//! Knowingly left out: Twilio account SIDs (`AC` + 32 hex: an account id, like a project id);
//! Sentry DSNs' public key (public by design; an old-style DSN's secret is a URL password and
//! goes); OAuth client ids; secrets with no shape, key or naming word (a bare random password
//! in prose, an AWS secret key in another message than its id); host names that spell an
//! address with dashes; user and person names.
//!
//! Files: this one holds the [`Redactor`] (rule order, the pass loop, markers and splicing);
//! `patterns` the built-in rules; `keys` which keys name a secret and where their values end;
//! `phones` and `addresses` phone numbers and IP addresses; `cards` card numbers; `tests` the
//! unit tests.
//!
//! Design:
//! * one `RegexSet` pass of cheap trigger patterns decides which rules can apply at all; a message
//!   with no trigger (the common case) costs that single DFA scan and returns `Cow::Borrowed`;
//! * rules then run in a fixed order, most specific first (vendor rules, user rules, contextual
//!   rules, phones, IP addresses, card numbers), so a JWT after `auth=` is labelled `jwt` rather
//!   than `auth`;
//! * a rule never touches an existing `<redacted:KIND>` marker, and a key-value whose value is
//!   already a marker (or `Bearer <marker>`) is left alone, which makes redaction idempotent.
//!
//! Limits: unquoted values end at whitespace, `,`, `;`, `&` or a quote, except
//! `Authorization`/`Cookie` header values, which run to the end of the line; a value after a
//! weak separator (`Key: value`, `--flag value`) must look like a value, not a word of prose.
mod addresses;
mod cards;
mod keys;
mod memo;
mod patterns;
mod phones;
#[cfg(test)]
mod tests;

use regex::{Regex, RegexSet};
use std::borrow::Cow;
use std::sync::OnceLock;

const MARK_OPEN: &str = "<redacted:";

/// A byte range of the text to replace, and the kind its marker names.
type Span<'k> = (usize, usize, &'k str);

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
    /// `key token-value` in prose, with a key naming a secret: the value when it looks random.
    ProseKey,
    /// Matches that the function (text, start, end) accepts: IP addresses, phone numbers, AWS
    /// secret keys. A rejected match may hide one starting inside it, so the search resumes
    /// just after its start: patterns of this kind must keep their matches short.
    Checked(fn(&str, usize, usize) -> bool),
}

struct Rule {
    kind: String,
    re: Regex,
    action: Action,
}

/// What the user's rules file (`[redaction]`) changes in the built-in redaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RedactOptions {
    /// Keep IP addresses (redacted as `<redacted:ip>` by default).
    pub keep_ip_addresses: bool,
}

/// Redacts secrets and personal data from log text. Cheap to share (`&Redactor` is `Sync`).
pub struct Redactor {
    rules: Vec<Rule>,
    /// Trigger patterns: `triggers[i]` for `rules[i]`, then one for card numbers.
    triggers: RegexSet,
    /// The user's own patterns and switches, as given.
    user: (Vec<(String, String)>, RedactOptions),
    /// Tells this redactor's remembered results (`memo`) from another's.
    id: u64,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Extra passes after the first one that changed the text (in practice one suffices).
const MAX_PASSES: usize = 4;

impl Redactor {
    /// Built-in patterns plus extra (kind, regex) pairs from the user's rules file.
    ///
    /// A user regex without capture groups has its whole match replaced by `<redacted:KIND>`;
    /// one with a capture group has only group 1 replaced (so `employee=(\d+)` keeps the key).
    /// User rules run after the built-in vendor-token patterns and before the contextual ones.
    pub fn new(
        extra: &[(String, String)],
        options: &RedactOptions,
    ) -> Result<Redactor, regex::Error> {
        let mut rules = Vec::new();
        let mut triggers = Vec::new();
        let builtin = |rules: &mut Vec<Rule>, triggers: &mut Vec<String>, list| {
            for patterns::Builtin { kind, action, pattern, trigger } in list {
                rules.push(Rule { kind: kind.to_string(), re: Regex::new(&pattern)?, action });
                triggers.push(trigger);
            }
            Ok::<(), regex::Error>(())
        };
        builtin(&mut rules, &mut triggers, patterns::vendor_rules())?;
        for (kind, pattern) in extra {
            let re = Regex::new(pattern)?;
            let action = if re.captures_len() > 1 { Action::Group } else { Action::Whole };
            rules.push(Rule { kind: sanitize_kind(kind), re, action });
            triggers.push(pattern.clone());
        }
        builtin(&mut rules, &mut triggers, patterns::contextual_rules())?;
        builtin(&mut rules, &mut triggers, phones::phone_rules())?;
        if !options.keep_ip_addresses {
            builtin(&mut rules, &mut triggers, addresses::address_rules())?;
        }
        triggers.push(cards::CARD_TRIGGER.to_string());
        let triggers = RegexSet::new(&triggers)?;
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Redactor { rules, triggers, user: (extra.to_vec(), *options), id })
    }

    /// The user's own patterns (`[[redact]]`, as (kind, pattern)) and switches (`[redaction]`).
    pub(crate) fn user_settings(&self) -> &(Vec<(String, String)>, RedactOptions) {
        &self.user
    }

    /// Returns text with every secret replaced by `<redacted:KIND>`; Cow::Borrowed when nothing
    /// matched. A text this thread redacted shortly before is answered from memory (`memo`).
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // `is_match` stops at the first trigger and allocates nothing: the clean path is one scan.
        if text.is_empty() || !self.triggers.is_match(text) {
            return Cow::Borrowed(text);
        }
        if text.len() > memo::MAX_TEXT {
            return self.to_fixed_point(text);
        }
        if let Some(known) = memo::recall(self.id, text) {
            return known.map_or(Cow::Borrowed(text), Cow::Owned);
        }
        let out = self.to_fixed_point(text);
        let redacted = match &out {
            Cow::Owned(s) => Some(s.as_str()),
            Cow::Borrowed(_) => None,
        };
        memo::remember(self.id, text, redacted);
        out
    }

    /// The rules are heuristics applied in turn, and a redaction can reveal a match another rule
    /// missed (`l@e.ss-credential=x`: the key stands apart only once the email is gone). Passes
    /// repeat until nothing changes, so the result is a fixed point: redacting it again changes
    /// nothing.
    fn to_fixed_point<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = self.apply_rules(text);
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
        // `is_match` stops at the first trigger and allocates nothing: the clean path is one scan.
        if text.is_empty() || !self.triggers.is_match(text) {
            return Cow::Borrowed(text);
        }
        self.apply_rules(text)
    }

    /// One pass of the rules whose triggers match `text`.
    fn apply_rules<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let hits = self.triggers.matches(text);
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        for (i, rule) in self.rules.iter().enumerate() {
            if hits.matched(i) {
                if let Some(s) = rule.apply(&cur) {
                    cur = Cow::Owned(s);
                }
            }
        }
        if hits.matched(self.rules.len()) {
            if let Some(s) = cards::redact_cards(&cur) {
                cur = Cow::Owned(s);
            }
        }
        cur
    }
}

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
fn splice(text: &str, spans: &[Span<'_>]) -> String {
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
        let mut spans: Vec<Span<'_>> = Vec::new();
        match self.action {
            Action::Whole => self.whole(text, &marks, &mut spans),
            Action::Group | Action::UrlPassword => self.group(text, &marks, &mut spans),
            Action::Bearer | Action::Basic => self.auth_scheme(text, &marks, &mut spans),
            Action::Email => self.emails(text, &marks, &mut spans),
            Action::Checked(accept) => self.checked(accept, text, &marks, &mut spans),
            Action::ProseKey => keys::prose_keys(&self.re, text, &marks, &mut spans),
            Action::CliFlag => keys::cli_flags(&self.re, text, &marks, &mut spans),
            Action::KeyValue => keys::key_values(&self.re, text, &marks, &mut spans),
        }
        if spans.is_empty() {
            None
        } else {
            Some(splice(text, &spans))
        }
    }

    fn whole<'r>(&'r self, text: &str, marks: &[(usize, usize)], spans: &mut Vec<Span<'r>>) {
        for m in self.re.find_iter(text) {
            if !m.is_empty() && !overlaps(marks, m.start(), m.end()) {
                spans.push((m.start(), m.end(), &self.kind));
            }
        }
    }

    fn group<'r>(&'r self, text: &str, marks: &[(usize, usize)], spans: &mut Vec<Span<'r>>) {
        for c in self.re.captures_iter(text) {
            let Some(v) = c.get(1) else { continue };
            if !v.is_empty() && !overlaps(marks, v.start(), v.end()) {
                spans.push((v.start(), v.end(), &self.kind));
            }
        }
    }

    /// `Bearer <token>` and `Basic <credentials>`: group `v`, when it looks like a credential.
    fn auth_scheme<'r>(&'r self, text: &str, marks: &[(usize, usize)], spans: &mut Vec<Span<'r>>) {
        for c in self.re.captures_iter(text) {
            let v = c.name("v").expect("group v");
            let rest = &text[v.end()..];
            // A value that runs on (`Bearer password=...`) or into a marker a key-value rule
            // left (`Bearer password=<redacted:...>`) is that rule's, not a token: taking it on
            // a second pass would break idempotence.
            let runs_on = rest
                .chars()
                .next()
                .is_some_and(|ch| ch.is_alphanumeric() || ch == '_' || ch == ':' || ch == '=');
            if runs_on || rest.starts_with(MARK_OPEN) {
                continue;
            }
            let ok = match self.action {
                Action::Bearer => patterns::looks_like_token(v.as_str()),
                _ => patterns::looks_like_basic(v.as_str()),
            };
            if ok && !overlaps(marks, v.start(), v.end()) {
                spans.push((v.start(), v.end(), &self.kind));
            }
        }
    }

    fn emails<'r>(&'r self, text: &str, marks: &[(usize, usize)], spans: &mut Vec<Span<'r>>) {
        for m in self.re.find_iter(text) {
            let tld = m.as_str().rsplit('.').next().unwrap_or("");
            if !patterns::is_file_extension(tld) && !overlaps(marks, m.start(), m.end()) {
                spans.push((m.start(), m.end(), &self.kind));
            }
        }
    }

    /// Matches that `accept` takes. A rejected one may hide one that starts inside it
    /// (`id:2001:db8::1`), so the search resumes just after its start.
    fn checked<'r>(
        &'r self,
        accept: fn(&str, usize, usize) -> bool,
        text: &str,
        marks: &[(usize, usize)],
        spans: &mut Vec<Span<'r>>,
    ) {
        let mut at = 0;
        while let Some(m) = self.re.find_at(text, at) {
            let ok = accept(text, m.start(), m.end()) && !overlaps(marks, m.start(), m.end());
            if ok {
                spans.push((m.start(), m.end(), &self.kind));
                at = m.end();
            } else {
                at = next_boundary(text, m.start());
            }
        }
    }
}

/// Shared default instance (OnceLock): built-in rules, default options.
pub fn default_redactor() -> &'static Redactor {
    static DEFAULT: OnceLock<Redactor> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        Redactor::new(&[], &RedactOptions::default()).expect("built-in redaction patterns compile")
    })
}

/// True for JSON/header keys whose value is secret by name: password, passwd, pwd, secret, token,
/// access_token, refresh_token, id_token, auth, authorization, api_key, apikey, x-api-key, cookie,
/// set-cookie, session, client_secret, private_key, credentials, and compounds ending in such a
/// name (`db_password`, `githubToken`, `AWS_SECRET_ACCESS_KEY`), case-insensitive and
/// `-`/`_`/camelCase agnostic. Words merely containing one stay non-sensitive:
/// `auth_token_validator`, `SessionMiddleware`, `prompt_tokens`, `token_count`.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    keys::classify_key(key).is_some()
}
