//! Secrets named by a key: which key names a secret (`db_password`, `X-Api-Key`, `githubToken`)
//! and of what kind, and where the value after it (`key=value`, `"key": "value"`, `Key: value`,
//! `--key value`) starts and ends.
use super::{marker_ranges, next_boundary, overlaps, Span, MARK_OPEN};
use regex::{Captures, Regex};

/// Characters of a key in `key=value`, around a word that may name a secret.
pub(super) const KEY_WORDS: &str = r"(?i:pass|pwd|secret|token|auth|key|cookie|sess|cred)";

/// A key that `classify_key` can accept, right before its separator: a sensitive word ends it, or
/// is followed by one more word (`password_confirmation`, `password1`, `secret_key_base`).
pub(super) const KV_TRIGGER: &str = r#"(?i:pass(?:word|wd|phrase)|pwd|secret|token|auth|authorization|cookies?|session|sess(?:ion)?[_.\-]?id|credentials?|creds|(?:api|private|secret|access|signing|encryption|master|session)[_.\-]?key)(?:[_.\-]?[A-Za-z0-9]*)?\\?["']?[ \t]*[:=]"#;

/// Words that name a secret in prose (`Twilio auth token <value>`, `api key <value>`).
pub(super) const PROSE_KEY: &str =
    r"(?:token|secret|password|passwd|passphrase|api[ _\-]?key|apikey)";

/// Kinds whose value is secret even when it is a plain word (`password: hunter`).
const ALWAYS_SECRET: &[&str] =
    &["password", "secret", "client_secret", "private_key", "aws_secret_key"];

/// Spans of `key=value` values (groups `key`, `sep`, and one of `eq`/`dq`/`sq`/`uq` of `re`)
/// whose key names a secret.
pub(super) fn key_values(
    re: &Regex,
    text: &str,
    marks: &[(usize, usize)],
    spans: &mut Vec<Span<'_>>,
) {
    let mut pos = 0;
    while pos < text.len() {
        let Some(c) = re.captures_at(text, pos) else { break };
        let key = c.name("key").expect("key");
        let (v, quoted) = value_of(&c);
        let Some(kind) = classify_key(key.as_str()) else {
            // Not a secret key: look again from its value, which may hold `token=...`.
            pos = v.start().max(key.end() + 1);
            continue;
        };
        let vs = v.start();
        let ve = if quoted { v.end() } else { unquoted_end(text, &c, kind, vs, v.end()) };
        let val = &text[vs..ve];
        let sep = &c["sep"];
        if !is_prose(val, quoted, sep, kind)
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
    }
}

/// The value a key-value match captured, and whether it was quoted.
fn value_of<'t>(c: &Captures<'t>) -> (regex::Match<'t>, bool) {
    match (c.name("eq"), c.name("dq"), c.name("sq"), c.name("uq")) {
        (Some(v), ..) | (_, Some(v), ..) | (_, _, Some(v), _) => (v, true),
        (_, _, _, Some(v)) => (v, false),
        _ => unreachable!("one value alternative always matches"),
    }
}

/// End of an unquoted value: header values (`Cookie: a=1; b=2`) run to the end of their line,
/// others lose closing brackets that open nothing inside them.
fn unquoted_end(text: &str, c: &Captures, kind: &str, vs: usize, ve: usize) -> usize {
    let header_like = matches!(kind, "authorization" | "cookie") && c["sep"].contains(':');
    if header_like {
        let key_start = c.name("key").expect("key").start();
        end_of_line(text, vs, opening_quote(&text[..key_start]))
    } else {
        vs + trim_unbalanced_closers(&text[vs..ve])
    }
}

/// `invalid token: signature mismatch`, `auth: 12 sessions`: prose, not a credential. After a
/// weak separator (`: ` unquoted) the value must look like one; after `=` or a quote it is one.
fn is_prose(val: &str, quoted: bool, sep: &str, kind: &str) -> bool {
    !quoted
        && !sep.contains(['=', '"', '\'', '\\'])
        && !ALWAYS_SECRET.contains(&kind)
        && !looks_like_value(val)
}

/// Whether a value in prose can be a credential: tokens are never a plain word (`for`,
/// `Expired`, `re-auth`, `NONE`) nor a small count (`12`); anything with a digit beside letters,
/// mixed case, a symbol, or a run of 20 letters and more can be. Passwords may be plain words, so the
/// kinds in `ALWAYS_SECRET` do not ask this.
fn looks_like_value(val: &str) -> bool {
    let v = val.trim_end_matches(['.', ',', ':', '!', '?', ')']);
    let plain_word = |w: &str| {
        let rest_lower = w.bytes().skip(1).all(|b| b.is_ascii_lowercase());
        let caps = w.len() <= 8 && w.bytes().all(|b| b.is_ascii_uppercase());
        let letters = !w.is_empty() && w.len() < 20 && w.bytes().all(|b| b.is_ascii_alphabetic());
        letters && (rest_lower || caps)
    };
    let words = v.split('-').all(plain_word);
    let count = v.len() < 8 && v.bytes().all(|b| b.is_ascii_digit());
    !(v.is_empty() || words || count)
}

/// Spans of `--flag value` values (groups `key` and `v` of `re`) whose flag names a secret.
pub(super) fn cli_flags(
    re: &Regex,
    text: &str,
    marks: &[(usize, usize)],
    spans: &mut Vec<Span<'_>>,
) {
    // A rejected match (`--a '--passwd x'`, or one over an earlier redaction) must not hide a
    // flag inside its value: the search resumes just after its start.
    let mut at = 0;
    while let Some(c) = re.captures_at(text, at) {
        let whole = c.get(0).expect("group 0");
        at = whole.end().max(next_boundary(text, whole.start()));
        let Some(kind) = classify_key(&c["key"]) else {
            at = next_boundary(text, whole.start());
            continue;
        };
        let (s, e, quoted) = unquote(c.name("v").expect("group v"));
        let val = &text[s..e];
        // `--cookies for the authentication`: a flag named in prose is followed by a word.
        let value = quoted || ALWAYS_SECRET.contains(&kind) || looks_like_value(val);
        if value && !skip_value(val) && !covered(val) && !overlaps(marks, s, e) {
            spans.push((s, e, kind));
        } else {
            // Rejected: a secret flag may still start inside this match.
            at = next_boundary(text, whole.start());
        }
    }
}

/// Spans of values named in prose (groups `key` and `v` of `re`): `Twilio auth token d3ea...`.
/// Without `=` or `:` the value must look random (see [`looks_random`]): `token bucket`, `secret
/// stripe-webhook-key` and `password reset` stay.
pub(super) fn prose_keys(
    re: &Regex,
    text: &str,
    marks: &[(usize, usize)],
    spans: &mut Vec<Span<'_>>,
) {
    for c in re.captures_iter(text) {
        let Some(kind) = classify_key(&c["key"]) else { continue };
        let v = c.name("v").expect("group v");
        let (s, e) = (v.start(), v.start() + v.as_str().trim_end_matches('.').len());
        if looks_random(&text[s..e]) && !overlaps(marks, s, e) {
            spans.push((s, e, kind));
        }
    }
}

/// At least 16 characters, a letter and a digit together in one part, and some 3 bits of
/// entropy per character: hex and base64 tokens, not names made of words and numbers
/// (`rotation-2025-10-14-weekly`), versions or dates.
fn looks_random(v: &str) -> bool {
    let mixed = |part: &str| {
        part.bytes().any(|c| c.is_ascii_digit()) && part.bytes().any(|c| c.is_ascii_alphabetic())
    };
    if v.len() < 16 || !v.split(|c: char| !c.is_ascii_alphanumeric()).any(mixed) {
        return false;
    }
    let b = v.as_bytes();
    let mut counts = [0u32; 256];
    b.iter().for_each(|&c| counts[c as usize] += 1);
    let n = b.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.0
}

/// The span of a flag's value without its quotes, and whether it had them.
fn unquote(v: regex::Match) -> (usize, usize, bool) {
    let quoted = v.as_str().len() >= 2 && v.as_str().starts_with(['"', '\'']);
    if quoted {
        (v.start() + 1, v.end() - 1, true)
    } else {
        (v.start(), v.end(), false)
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
    const NOT_SECRET: &[&str] = &[
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
    ];
    let t = v.trim();
    t.is_empty()
        || t.bytes().all(|c| c == b'*')
        || NOT_SECRET.iter().any(|w| t.eq_ignore_ascii_case(w))
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
        if c.is_ascii_uppercase() && !cur.is_empty() && starts_camel_word(&chars, i) {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether the uppercase `chars[i]` starts a word: after a lowercase letter or digit (`xApi`),
/// or as the last capital of an acronym before a lowercase letter (`APIKey`).
fn starts_camel_word(chars: &[char], i: usize) -> bool {
    let prev = chars[i - 1];
    let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
    prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower)
}

/// The kind of secret a key names, or None. See [`super::is_sensitive_key`].
pub(super) fn classify_key(key: &str) -> Option<&'static str> {
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
    exact_kind(&words.concat()).or_else(|| kind_by_last_words(words))
}

/// Keys that are a secret's name as a whole, whatever their separators.
fn exact_kind(joined: &str) -> Option<&'static str> {
    Some(match joined {
        "password" | "passwd" | "pwd" | "passphrase" => "password",
        "secret" | "secretkey" => "secret",
        "token" => "token",
        "accesstoken" => "access_token",
        "refreshtoken" => "refresh_token",
        "idtoken" => "id_token",
        "auth" => "auth",
        "authorization" | "proxyauthorization" => "authorization",
        "apikey" | "xapikey" | "apitoken" | "xapitoken" => "api_key",
        "cookie" | "setcookie" | "cookies" => "cookie",
        "session" | "sessionid" | "sessiontoken" | "sessionkey" | "sessid" | "phpsessid"
        | "jsessionid" => "session",
        "clientsecret" => "client_secret",
        "privatekey" => "private_key",
        "credentials" | "credential" | "creds" => "credentials",
        "awssecretaccesskey" | "awssecretkey" | "secretaccesskey" => "aws_secret_key",
        _ => return None,
    })
}

/// Compound keys ending in a secret's name: `db_password`, `githubToken`, `AWS_SECRET_ACCESS_KEY`,
/// `PGPASSWORD`.
fn kind_by_last_words(words: &[String]) -> Option<&'static str> {
    let n = words.len();
    let last = words.last()?.as_str();
    let prev = if n >= 2 { words[n - 2].as_str() } else { "" };
    let has = |w: &str| words.iter().any(|x| x == w);
    Some(match (prev, last) {
        (_, "password" | "passwd" | "pwd" | "passphrase") => "password",
        // Environment variables run words together: `PGPASSWORD`, `MYSQL_ROOTPASSWORD`.
        (_, w) if w.ends_with("password") || w.ends_with("passwd") => "password",
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
