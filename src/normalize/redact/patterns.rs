//! The built-in rules: their patterns, triggers and order, and the checks that tell a credential
//! from prose after a `Bearer`, `Basic` or email-shaped match.
//!
//! Two lists, each most specific first: vendor rules, which recognise a secret by its own shape
//! wherever it stands, and contextual rules, which need what surrounds a value (a header, a key,
//! a flag). The user's `[[redact]]` rules go between the two (see `Redactor::new`), so a token
//! with a vendor shape keeps its vendor kind and a user rule still runs before the generic ones.
use super::keys::{KEY_WORDS, KV_TRIGGER, PROSE_KEY};
use super::Action;

/// A built-in rule: `pattern` finds what to redact, `trigger` (cheaper, in the `RegexSet`) says
/// whether `pattern` can match at all.
pub(super) struct Builtin {
    pub kind: &'static str,
    pub action: Action,
    pub pattern: String,
    pub trigger: String,
}

pub(super) fn rule(kind: &'static str, action: Action, pattern: String, trigger: &str) -> Builtin {
    Builtin { kind, action, pattern, trigger: trigger.to_string() }
}

/// An ASCII word boundary (`\b` without Unicode tables is smaller and faster).
pub(super) const B: &str = r"(?-u:\b)";

/// Secrets recognisable by their shape alone: key blocks, JWTs, vendor tokens.
pub(super) fn vendor_rules() -> Vec<Builtin> {
    use Action::Whole;
    vec![
        rule(
            "private_key",
            Whole,
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:(?s:.*?)-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|(?:[A-Za-z0-9+/=\s:,\-]|\\[nr])*)".into(),
            r"PRIVATE KEY",
        ),
        rule(
            "jwt",
            Whole,
            format!(r"{B}eyJ[A-Za-z0-9_\-]{{5,}}\.[A-Za-z0-9_\-]{{5,}}(?:\.[A-Za-z0-9_\-]*){{1,3}}"),
            r"eyJ[A-Za-z0-9_\-]{5,}\.",
        ),
        rule(
            "oauth_token",
            Whole,
            format!(r"{B}ya29\.[0-9A-Za-z_\-]{{10,}}|{B}1//0[0-9A-Za-z_\-]{{20,}}"),
            r"ya29\.|1//0",
        ),
        rule("google_api_key", Whole, format!(r"{B}AIza[0-9A-Za-z_\-]{{35}}"), "AIza"),
        rule(
            "google_client_secret",
            Whole,
            format!(r"{B}GOCSPX-[A-Za-z0-9_\-]{{24,}}"),
            "GOCSPX-",
        ),
        rule(
            "aws_access_key",
            Whole,
            format!(r"{B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{{16}}{B}"),
            r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        ),
        // The secret access key has no shape of its own: 40 characters, taken only in a text
        // that names an access key id.
        rule(
            "aws_secret_key",
            Action::Checked(is_aws_secret_key),
            r"[A-Za-z0-9/+]{40}".into(),
            r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        ),
        rule(
            "github",
            Whole,
            format!(r"{B}(?:gh[pousr]_[A-Za-z0-9]{{16,}}|github_pat_[A-Za-z0-9_]{{20,}})"),
            r"gh[pousr]_[A-Za-z0-9]{16}|github_pat_",
        ),
        rule(
            "gitlab",
            Whole,
            format!(r"{B}gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_\-]{{16,}}"),
            r"gl(?:pat|dt|rt|ptt|cbt|soat)-",
        ),
        rule(
            "slack",
            Whole,
            format!(
                r"{B}xox[abposr]-[A-Za-z0-9\-]{{8,}}|{B}xapp-[0-9]-[A-Za-z0-9\-]{{8,}}|https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+"
            ),
            r"xox[abposr]-|xapp-|hooks\.slack\.com/services/",
        ),
        rule(
            "stripe",
            Whole,
            format!(
                r"{B}(?:[sr]k_(?:live|test|prod)_[A-Za-z0-9]{{10,}}|whsec_[A-Za-z0-9]{{20,}})"
            ),
            r"[sr]k_(?:live|test|prod)_|whsec_",
        ),
        // Twilio API key SIDs (`SK`); account SIDs (`AC`) identify an account, like a project
        // id, and stay. The auth token has no shape: see `keys::prose_keys`.
        rule("twilio", Whole, format!(r"{B}SK[0-9a-fA-F]{{32}}{B}"), r"SK[0-9a-fA-F]{32}"),
        rule(
            "shopify",
            Whole,
            format!(r"{B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{{32}}{B}"),
            r"shp(?:at|ca|pa|ss)_",
        ),
        rule("huggingface", Whole, format!(r"{B}hf_[A-Za-z]{{34}}{B}"), r"hf_[A-Za-z]{34}"),
        rule("anthropic", Whole, format!(r"{B}sk-ant-[A-Za-z0-9_\-]{{20,}}"), "sk-ant-"),
        rule(
            "openai",
            Whole,
            format!(r"{B}sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{{32,}}"),
            r"sk-[A-Za-z0-9_\-]{20}",
        ),
        rule("npm", Whole, format!(r"{B}npm_[A-Za-z0-9]{{36}}{B}"), r"npm_[A-Za-z0-9]{36}"),
        rule(
            "sendgrid",
            Whole,
            format!(r"{B}SG\.[A-Za-z0-9_\-]{{16,}}\.[A-Za-z0-9_\-]{{16,}}"),
            r"SG\.[A-Za-z0-9_\-]{16}",
        ),
        rule(
            "azure_storage_key",
            Action::Group,
            r"(?i:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})".into(),
            r"(?i:AccountKey|SharedAccessKey)=",
        ),
        // Signed URLs (Cloud Storage, S3, Azure SAS) carry their credential as the signature.
        rule(
            "url_signature",
            Action::Group,
            r"(?i:[?&](?:x-goog-signature|x-amz-signature|sig)=)([0-9A-Za-z%+/=_\-]{16,})".into(),
            r"(?i:[?&](?:x-goog-signature|x-amz-signature|sig)=)[0-9A-Za-z%+/=_\-]{16}",
        ),
    ]
}

/// 40 characters of base64 standing apart, with capitals, small letters and digits: an AWS
/// secret access key (the text named an access key id). Hex hashes and paths do not qualify.
fn is_aws_secret_key(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let part = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b'=' | b'_' | b'-');
    let apart = (s == 0 || !part(&b[s - 1])) && !b.get(e).is_some_and(part);
    let v = &b[s..e];
    apart
        && v.iter().any(u8::is_ascii_uppercase)
        && v.iter().any(u8::is_ascii_lowercase)
        && v.iter().any(u8::is_ascii_digit)
}

/// Secrets known by what surrounds them: auth schemes, URLs, keys, flags, SQL; then emails.
pub(super) fn contextual_rules() -> Vec<Builtin> {
    let kv_key = format!(r"[A-Za-z0-9_.\-]*{KEY_WORDS}[A-Za-z0-9_.\-]*");
    vec![
        rule(
            "bearer",
            Action::Bearer,
            format!(r"{B}(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]+=*)"),
            &format!(r"{B}(?i:bearer)[ \t]+[A-Za-z0-9\-._~+/]"),
        ),
        rule(
            "basic",
            Action::Basic,
            format!(r"{B}(?i:basic)[ \t]+(?P<v>[A-Za-z0-9+/]{{6,}}={{0,2}})"),
            &format!(r"{B}(?i:basic)[ \t]+[A-Za-z0-9+/]{{6}}"),
        ),
        rule(
            "password",
            Action::UrlPassword,
            r#"[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s<>"']*:(?P<v>[^\s/?#"']*)@"#.into(),
            r#"://[^:/?#@\s<>"']*:[^\s/?#"']*@"#,
        ),
        rule(
            "secret",
            Action::KeyValue,
            format!(
                r#"(?P<key>{kv_key})(?P<sep>\\?["']?[ \t]*(?:=>|:=|[:=])\s*)(?:\\"(?P<eq>(?:[^"\\]|\\[^"])*)\\"|[bBrRuU]?"(?P<dq>(?:[^"\\]|\\.)*)"|[bBrRuU]?'(?P<sq>(?:[^'\\]|\\.)*)'|(?:\\?["'])?(?P<uq>(?:[^\s"'\\,;&]|\\[^"'])+))"#
            ),
            KV_TRIGGER,
        ),
        rule(
            "secret",
            Action::CliFlag,
            r#"--(?P<key>[A-Za-z][A-Za-z0-9_\-]*)[ \t]+(?P<v>"[^"]*"|'[^']*'|[^\s"'\-][^\s"']*)"#
                .into(),
            &format!(r"--[A-Za-z0-9_\-]*{KEY_WORDS}[A-Za-z0-9_\-]*[ \t]"),
        ),
        rule(
            "secret",
            Action::ProseKey,
            format!(
                r"(?i:{B}(?P<key>(?:[a-z]+[ _\-])?{PROSE_KEY})[ \t]+)(?P<v>[A-Za-z0-9_\-./+=]{{16,}})"
            ),
            &format!(r"(?i:{PROSE_KEY})[ \t]+[A-Za-z0-9_\-./+=]{{16}}"),
        ),
        rule(
            "password",
            Action::Group,
            format!(r#"(?i:{B}identified[ \t]+by|{B}password)[ \t]+'([^']*)'"#),
            r"(?i:identified[ \t]+by|password)[ \t]+'",
        ),
        rule(
            "email",
            Action::Email,
            format!(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}{B}"),
            r"[A-Za-z0-9._%+\-]@[A-Za-z0-9\-]+\.",
        ),
    ]
}

/// A `Bearer` argument that is a credential rather than prose ("bearer token", "Bearer realm").
pub(super) fn looks_like_token(v: &str) -> bool {
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
pub(super) fn looks_like_basic(v: &str) -> bool {
    if base64_decode(v).is_some_and(|decoded| decoded.contains(&b':')) {
        return true;
    }
    v.len() >= 8 && v.bytes().any(|c| c.is_ascii_digit() || c == b'=' || c == b'+' || c == b'/')
}

/// Standard or URL-safe base64, padding optional; None on any other character.
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

/// An email-shaped match whose "TLD" is a file extension (`icon@2x.png`) is not an address.
pub(super) fn is_file_extension(tld: &str) -> bool {
    const EXT: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "css", "map", "json",
        "txt", "log", "py", "rs", "go", "java", "rb", "ts", "tsx", "jsx", "html", "htm", "xml",
        "yaml", "yml", "toml", "lock", "whl", "jar", "so", "tar", "gz", "zip",
    ];
    EXT.iter().any(|e| tld.eq_ignore_ascii_case(e))
}
