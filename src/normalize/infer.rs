//! Recovers a severity (and a logger name, and where the message proper starts) from a message's
//! text, for the lines a runtime stores without one or with the INFO it gives a whole stream:
//! `ERROR:root:...`, `[WARNING] ...`, `level=error ...`, `{"level": "error", ...}`,
//! `2025-09-11 05:17:11,373 - app.ws - ERROR - ...`, Nest's `[Nest] 1 - ... ERROR [Ctx] ...`,
//! Cloud Build's `Step #0 - "build": ERROR: ...`, a stack trace, a Go panic, a crash signal.
//!
//! The rules are in `docs/grouping.md` ("Severity from the text"). They read the text only where
//! the entry carries no severity, or carries the INFO/DEFAULT that a runtime gives every line
//! of a stream ([`runtime_loses_severity`]); and a text that names no level above INFO never
//! raises one ([`may_name_a_level`] is the cheap check that most lines stop at).

use super::multiline::{build_step_text, has_at_frames, has_exception_shape, is_exception_line};
use super::severity::Severity;
use std::sync::OnceLock;

/// What the text says about itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TextHint<'a> {
    pub(crate) severity: Option<Severity>,
    pub(crate) logger: Option<&'a str>,
    /// Where the message proper is, when the level was part of a log line's prefix
    /// (`2025-10-14 09:15:03,119 ERROR payments.capture capture failed ...` → `capture failed
    /// ...`): the same event written by a JSON handler has only that part as its message.
    pub(crate) body: Option<(usize, usize)>,
}

/// Logs whose entries get their severity from the stream, not from the line: Cloud Run's and
/// GKE's stdout/stderr (INFO or none for every line), App Engine's, and Cloud Build's log (INFO
/// for every line, a failed step included).
pub(crate) fn runtime_loses_severity(log_name: &str) -> bool {
    // Byte tests from the end: this runs for every entry.
    let b = log_name.as_bytes();
    let after = |name: &[u8]| {
        b.ends_with(name) && {
            let head = &b[..b.len() - name.len()];
            head.ends_with(b"/")
                || head.ends_with(b"%2F")
                || head.ends_with(b"%2f")
                || head.is_empty()
        }
    };
    after(b"stdout") || after(b"stderr") || after(b"cloudbuild")
}

/// Whether the text may name a severity above INFO (a level word, a trace, a crash): one scan
/// for a set of literals, so a plain line costs a single pass.
pub(crate) fn may_name_a_level(text: &str) -> bool {
    static WORDS: OnceLock<regex::Regex> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            regex::Regex::new(
                r"(?i)warn|err|crit|fatal|panic|alert|emerg|severe|traceback|exception|\[signal|core dumped",
            )
            .expect("static regex")
        })
        .is_match(text)
}

pub(crate) fn from_text(text: &str) -> TextHint<'_> {
    let start = text.len() - text.trim_start().len();
    let first_line = text[start..].lines().next().unwrap_or("");
    // Cloud Build prefixes every line of a step with `Step #N - "name": `.
    let step_text = build_step_text(first_line);
    let offset = start + (first_line.len() - step_text.len());
    if let Some(sev) = crash(text, step_text) {
        return TextHint { severity: Some(sev), ..TextHint::default() };
    }
    if let Some(sev) = exact_level(step_text.trim_end()).filter(|_| step_text.len() >= 4) {
        // A level alone on its line (Cloud Build's `ERROR` before the build's last line).
        return TextHint { severity: Some(sev), ..TextHint::default() };
    }
    let mut hint = prefixed_level(step_text).or_else(|| levelled_field(step_text));
    if let Some(h) = &mut hint {
        h.body = h.body.map(|(a, b)| (a + offset, b + offset));
        return hint.expect("set");
    }
    if let Some(sev) = logfmt_level(step_text).or_else(|| json_level(text)) {
        return TextHint { severity: Some(sev), ..TextHint::default() };
    }
    TextHint::default()
}

/// Searchers made once: `str::contains(&str)` builds its searcher on every call, which showed in
/// profiles (this runs for every entry whose severity is inferred).
static SEGFAULT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("Segmentation fault"));
static CORE_DUMPED: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("(core dumped)"));

fn contains(text: &str, finder: &memchr::memmem::Finder) -> bool {
    finder.find(text.as_bytes()).is_some()
}

/// A stack trace or a crash: ERROR for a trace, CRITICAL for a process that died.
fn crash(text: &str, first_line: &str) -> Option<Severity> {
    if first_line.starts_with("panic: ")
        || first_line.starts_with("fatal error: ")
        || first_line.starts_with("[signal ")
        || contains(first_line, &SEGFAULT)
        || contains(first_line, &CORE_DUMPED)
    {
        return Some(Severity::Critical);
    }
    let trace = first_line.starts_with("Traceback (most recent call last)")
        || first_line.starts_with("Exception in thread")
        || (text.contains('\n')
            && (text.contains("\nTraceback (most recent call last)")
                || (is_exception_head(first_line) && has_at_frames(text))));
    trace.then_some(Severity::Error)
}

/// A trace's first line when `at` frames follow: any class name (`feign.FeignException$NotFound:
/// ...`), .NET's `Unhandled exception. System.X: ...`.
fn is_exception_head(line: &str) -> bool {
    is_exception_line(line)
        || has_exception_shape(line)
        || line.starts_with("Unhandled exception. ")
}

/// `LEVEL:logger:message` (Python's default format) and `level: message` (winston's simple
/// format, `ERROR: ...` prefixes).
fn prefixed_level(line: &str) -> Option<TextHint<'_>> {
    let (level, rest) = line.split_once(':')?;
    let severity = exact_level(level)?;
    // Java's CONFIG/FINE and the like are words before a colon more often than levels.
    let java = ["config", "fine", "finer", "finest", "failure", "trace", "verbose"];
    if java.iter().any(|w| w.eq_ignore_ascii_case(level)) {
        return None;
    }
    let logger_part = rest.split_once(':').filter(|(l, _)| is_logger_name(l));
    let (logger, body_at) = match logger_part {
        Some((l, _)) => (Some(l), level.len() + 1 + l.len() + 1),
        None => (None, level.len() + 1),
    };
    let body_at = skip_spaces(line, body_at);
    Some(TextHint { severity: Some(severity), logger, body: Some((body_at, line.len())) })
}

/// A level among a prefix's first words: bracketed (`[WARNING]`, `[error]`), or a field of its
/// own spelled in capitals (`... 09:15:03,119 ERROR payments.capture ...`) or between dashes
/// (`... - logger - ERROR - ...`). "user clicked error" names no level.
fn levelled_field(line: &str) -> Option<TextHint<'_>> {
    // A level field is among the first 8 words; `body_after` looks at 2 more.
    let words = word_spans(line, 10);
    for (i, &(at, end)) in words.iter().take(8).enumerate() {
        let word = &line[at..end];
        let bracketed = word.len() > 2 && word.starts_with('[') && word.ends_with(']');
        let level = if bracketed { &word[1..word.len() - 1] } else { word };
        let Some(severity) = exact_level(level) else { continue };
        let dashed = line.contains(&format!(" - {word} - "));
        let capital_field = i >= 1
            && word.len() >= 4
            && word.bytes().all(|b| b.is_ascii_uppercase())
            && line[end..].starts_with(' ');
        if !(bracketed || dashed || capital_field) {
            continue;
        }
        let logger = line
            .split(" - ")
            .nth(1)
            .filter(|l| dashed && is_logger_name(l) && exact_level(l).is_none());
        let prefix = words[..i].iter().all(|&(a, b)| is_prefix_word(&line[a..b]));
        let body = prefix.then(|| body_after(line, &words[i + 1..], end));
        return Some(TextHint { severity: Some(severity), logger, body });
    }
    None
}

/// The message after a level field: past a logger or `[Context]` and a `-` that follow it, and
/// without Nest's `+3ms` at its end.
fn body_after(line: &str, rest: &[(usize, usize)], level_end: usize) -> (usize, usize) {
    let mut at = level_end;
    let mut words = rest.iter().peekable();
    if let Some(&&(a, b)) = words.peek() {
        let w = &line[a..b];
        let context = w.len() > 2 && w.starts_with('[') && w.ends_with(']');
        let logger = w.contains('.') && is_logger_name(w.trim_end_matches(':'));
        if context || logger || w == "-" {
            at = b;
            words.next();
        }
    }
    if let Some(&&(a, b)) = words.peek() {
        if matches!(&line[a..b], "-" | ":") {
            at = b;
        }
    }
    let mut end = line.trim_end().len();
    if let Some((before, last)) = line[..end].rsplit_once(' ') {
        let timing = last.strip_prefix('+').and_then(|t| t.strip_suffix("ms"));
        if timing.is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) {
            end = before.trim_end().len();
        }
    }
    let at = skip_spaces(line, at).min(end);
    (at, end)
}

/// A word of a log line's prefix: a timestamp, a pid, a bracketed name, a dash, a dotted logger.
fn is_prefix_word(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
        || (word.starts_with('[') && word.ends_with(']'))
        || word.bytes().all(|b| b.is_ascii_punctuation())
        || matches!(word, "AM" | "PM")
        || (word.contains('.') && is_logger_name(word))
}

/// logfmt: `level=error`, `severity=warning`, `lvl=warn`.
fn logfmt_level(line: &str) -> Option<Severity> {
    memchr::memchr(b'=', line.as_bytes())?;
    for key in ["level=", "severity=", "lvl="] {
        let Some(pos) = line.find(key) else { continue };
        let before_ok = pos == 0 || line.as_bytes()[pos - 1] == b' ';
        let value =
            line[pos + key.len()..].trim_start_matches('"').split([' ', '"']).next().unwrap_or("");
        if before_ok {
            if let Some(sev) = Severity::parse_loose(value) {
                return Some(sev);
            }
        }
    }
    None
}

/// A JSON `"level"`, `"levelname"` or `"severity"` key anywhere in the text (JSON written to
/// stdout that stayed text: pretty-printed, behind a prefix, cut in two). pino's numbers count.
fn json_level(text: &str) -> Option<Severity> {
    // Every key below is quoted and followed by a colon: most lines have neither.
    let b = text.as_bytes();
    if memchr::memchr(b'"', b).is_none() || memchr::memchr(b':', b).is_none() {
        return None;
    }
    for key in ["\"level\"", "\"levelname\"", "\"severity\""] {
        let mut from = 0;
        while let Some(pos) = text[from..].find(key) {
            let rest = text[from + pos + key.len()..].trim_start();
            from += pos + key.len();
            let Some(value) = rest.strip_prefix(':').map(str::trim_start) else { continue };
            let sev = match value.strip_prefix('"') {
                Some(v) => v.split('"').next().and_then(exact_level),
                None => pino_level(value),
            };
            if sev.is_some() {
                return sev;
            }
        }
    }
    None
}

/// pino's numeric levels (10 trace ... 60 fatal).
fn pino_level(value: &str) -> Option<Severity> {
    let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some(match digits.as_str() {
        "10" | "20" => Severity::Debug,
        "30" => Severity::Info,
        "40" => Severity::Warning,
        "50" => Severity::Error,
        "60" => Severity::Critical,
        _ => return None,
    })
}

/// A level word spelled out (not the one-letter forms, which are too easy to hit by accident).
fn exact_level(word: &str) -> Option<Severity> {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let is_upper = word.bytes().all(|b| b.is_ascii_uppercase());
    let is_lower = word.bytes().all(|b| b.is_ascii_lowercase());
    if !is_upper && !is_lower {
        return None;
    }
    Severity::parse_loose(word)
}

fn is_logger_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The byte spans of the first `at_most` whitespace-separated words of a line.
fn word_spans(line: &str, at_most: usize) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(at_most);
    let mut start = None;
    for (i, b) in line.bytes().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                spans.push((s, i));
                if spans.len() == at_most {
                    return spans;
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, line.len()));
    }
    spans
}

fn skip_spaces(line: &str, at: usize) -> usize {
    at + line[at.min(line.len())..].len() - line[at.min(line.len())..].trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(text: &str) -> Option<Severity> {
        from_text(text).severity
    }

    fn body(text: &str) -> &str {
        let (a, b) = from_text(text).body.expect("a body");
        &text[a..b]
    }

    /// A Java head of any class name, or .NET's, is a trace when `at` frames follow; alone it is
    /// no level.
    #[test]
    fn heads_of_any_class_name_with_at_frames() {
        for head in [
            "feign.FeignException$NotFound: [404 Not Found]\n\tat com.acme.Client.get(Client.java:40)",
            "Unhandled exception. System.InvalidOperationException: x\n   at Acme.Program.Main() in /src/Program.cs:line 42",
        ] {
            assert_eq!(from_text(head).severity, Some(Severity::Error), "{head}");
        }
        assert_eq!(from_text("feign.FeignException$NotFound: [404 Not Found]").severity, None);
        assert_eq!(from_text("Status: ok\nnext line").severity, None);
    }

    #[test]
    fn common_prefixes() {
        assert_eq!(sev("ERROR: database is locked"), Some(Severity::Error));
        assert_eq!(from_text("WARNING:netra.redis:slow ping").logger, Some("netra.redis"));
        assert_eq!(sev("WARNING:netra.redis:slow ping"), Some(Severity::Warning));
        assert_eq!(sev("[WARNING] disk 91% full"), Some(Severity::Warning));
        assert_eq!(sev("2025-09-11 05:17:11 [error] upstream timed out"), Some(Severity::Error));
        assert_eq!(sev("time=2025 level=error msg=\"boom\""), Some(Severity::Error));
        assert_eq!(sev("Traceback (most recent call last):\n  File \"x\""), Some(Severity::Error));
        let hint = from_text("2025-09-11 05:17:11,373 - netra.ws - ERROR - handler failed");
        assert_eq!((hint.severity, hint.logger), (Some(Severity::Error), Some("netra.ws")));
        assert_eq!(sev("panic: runtime error: index out of range"), Some(Severity::Critical));
    }

    #[test]
    fn levels_hidden_in_json_build_steps_and_stacks() {
        assert_eq!(sev("{\"event\": \"x\", \"level\": \"error\"}"), Some(Severity::Error));
        assert_eq!(sev("  \"level\": \"error\","), Some(Severity::Error));
        assert_eq!(
            sev("2025-10-14 10:23:05,771 {\"levelname\": \"WARNING\"}"),
            Some(Severity::Warning)
        );
        assert_eq!(sev("{\"level\":50,\"msg\":\"boom\"}"), Some(Severity::Error));
        assert_eq!(
            sev("Step #0 - \"build\": ERROR: No matching distribution"),
            Some(Severity::Error)
        );
        assert_eq!(sev("Error: boom\n    at f (file:///app/x.mjs:1:2)"), Some(Severity::Error));
        assert_eq!(
            sev("[signal SIGSEGV: segmentation violation code=0x1]"),
            Some(Severity::Critical)
        );
        assert_eq!(sev("ERROR"), Some(Severity::Error));
        assert_eq!(sev("error"), Some(Severity::Error));
    }

    #[test]
    fn the_message_proper_follows_the_prefix() {
        let line = "2025-10-14 09:15:03,119 ERROR payments.capture capture failed for order 1";
        assert_eq!(body(line), "capture failed for order 1");
        let nest = "[Nest] 1  - 10/14/2025, 9:15:03 AM   ERROR [ExceptionsHandler] connect ECONNREFUSED 10.0.0.1:6379 +2ms";
        assert_eq!(sev(nest), Some(Severity::Error));
        assert_eq!(body(nest), "connect ECONNREFUSED 10.0.0.1:6379");
        let gunicorn = "[2025-10-14 09:15:41 +0000] [1] [INFO] Starting gunicorn 23.0.0";
        assert_eq!(body(gunicorn), "Starting gunicorn 23.0.0");
        let logback = "10:23:05.112 [main] WARN  c.e.inventory.Retry - attempt 1/3 failed";
        assert_eq!(body(logback), "attempt 1/3 failed");
        assert_eq!(
            body("error: webhook signature verification failed {\"a\":1}"),
            "webhook signature verification failed {\"a\":1}"
        );
        assert_eq!(body("ERROR:root:cache miss storm"), "cache miss storm");
        assert_eq!(
            body("Step #0 - \"build\": ERROR: No matching distribution"),
            "No matching distribution"
        );
        // A level word inside prose is no prefix: the whole text stays the message.
        assert_eq!(from_text("user clicked ERROR twice").body, None);
    }

    #[test]
    fn ordinary_text_has_no_severity() {
        assert_eq!(sev("GET /health 200"), None);
        assert_eq!(sev("Error budget report ready"), None);
        assert_eq!(sev("E: something"), None);
        assert_eq!(sev("Info: a note about info"), None);
        assert_eq!(sev("config: loaded secret x (version 7)"), None);
        assert_eq!(sev("user clicked the error button twice"), None);
        assert_eq!(sev("{\"event\": \"level up\", \"player\": \"x\"}"), None);
        assert_eq!(sev("{\"message\": \"errors: 0\", \"level\": \"info\"}"), Some(Severity::Info));
        assert!(!may_name_a_level("GET /health 200 in 3 ms"));
        assert!(may_name_a_level("Step #0: ERROR: boom"));
    }

    #[test]
    fn runtimes_that_lose_severity() {
        assert!(runtime_loses_severity("projects/p/logs/run.googleapis.com%2Fstderr"));
        assert!(runtime_loses_severity("projects/p/logs/stdout"));
        assert!(runtime_loses_severity("projects/p/logs/cloudbuild"));
        assert!(!runtime_loses_severity("projects/p/logs/run.googleapis.com%2Frequests"));
        assert!(!runtime_loses_severity("projects/p/logs/app"));
    }
}
