//! Recovers a severity (and a logger name, and where the message proper starts) from a message's
//! text, for the lines a runtime stores without one or with the INFO it gives a whole stream:
//! `ERROR:root:...`, `[WARNING] ...`, `level=error ...`, `{"level": "error", ...}`,
//! `2025-09-11 05:17:11,373 - app.ws - ERROR - ...`, Nest's `[Nest] 1 - ... ERROR [Ctx] ...`,
//! Cloud Build's `Step #0 - "build": ERROR: ...`, klog's `E1014 09:12:03.123456 1 x.go:58] ...`,
//! PHP's `PHP Warning:` inside PHP-FPM's `NOTICE: PHP message: `, a stack trace, a Go panic, a
//! crash signal, a process or a PHP-FPM worker killed, a Cloud Functions timeout.
//!
//! The rules are in `docs/grouping.md` ("Severity from the text"). They read the text only where
//! the entry carries no severity, or carries the INFO/DEFAULT that a runtime gives every line
//! of a stream ([`runtime_loses_severity`]: the text may raise it), or the ERROR that GKE gives
//! every stderr line ([`stream_gives_error`]: a level the text states replaces it); and a text
//! that names no level above INFO never raises one ([`may_name_a_level`] is the cheap check
//! that most lines stop at).

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
    /// The level is written as one (a prefix, a field, a header, a JSON key), not read from a
    /// trace or a crash: only such a level may lower a severity a stream gave the line.
    pub(crate) stated: bool,
    /// The body begins with its message in quotes (klog's structured lines, `"Eviction manager:
    /// pod evicted" pod="shop/x" reason="Evicted"`): read without them ([`unquote_head`]).
    pub(crate) quoted: bool,
}

/// Logs whose entries get their severity (INFO or lower) from the stream or the platform, not
/// from the line; the text may raise it: Cloud Run's and GKE's stdout/stderr (INFO or none for
/// every line), App Engine's, Cloud Build's log (INFO for every line, a failed step included),
/// and Cloud Functions' (1st gen) log (INFO for stdout, DEBUG for its own `Function execution
/// took ...` lines, a timeout included).
pub(crate) fn runtime_loses_severity(log_name: &str) -> bool {
    let is = |id: &[u8]| log_id_is(log_name, id);
    is(b"stdout") || is(b"stderr") || is(b"cloudbuild") || is(b"cloud-functions")
}

/// Resources whose logging agent gives every stderr line ERROR (and stdout INFO) whatever the
/// line says: GKE's `k8s_container`, and `container` of GKE's legacy agent. Cloud Run and App
/// Engine give stderr no severity, so they are not here.
const STDERR_IS_ERROR: [&str; 2] = ["k8s_container", "container"];

/// Whether an entry's ERROR is only the one its runtime gives every stderr line
/// ([`STDERR_IS_ERROR`]): a level the text states (`INFO:root:`, `[INFO]`, `level=info`, a JSON
/// level, a klog or celery header) replaces it, up or down; without one it stays ERROR.
pub(crate) fn stream_gives_error(log_name: &str, resource: Option<&str>) -> bool {
    resource.is_some_and(|r| STDERR_IS_ERROR.contains(&r)) && log_id_is(log_name, b"stderr")
}

/// Whether the log's id (after `logs/`, possibly a `service%2F` before it) is `id`.
fn log_id_is(log_name: &str, id: &[u8]) -> bool {
    // Byte tests from the end: this runs for every entry.
    let b = log_name.as_bytes();
    b.ends_with(id) && {
        let head = &b[..b.len() - id.len()];
        head.ends_with(b"/") || head.ends_with(b"%2F") || head.ends_with(b"%2f") || head.is_empty()
    }
}

/// Whether the text may name a severity above INFO (a level word, a trace, a crash): one scan
/// for a set of literals, so a plain line costs a single pass.
/// A raw JSON string (its opening quote) is read as its text.
pub(crate) fn may_name_a_level(text: &str) -> bool {
    static WORDS: OnceLock<regex::Regex> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            regex::Regex::new(
                r"(?i)warn|err|crit|fatal|panic|alert|emerg|severe|traceback|exception|\[signal|core dumped|killed|out of memory|status: '|exited on signal",
            )
            .expect("static regex")
        })
        .is_match(text)
        || klog_header(text.trim_start_matches('"')).is_some_and(|(s, _)| s > Severity::Info)
}

/// What [`from_text`] says of a log line's prefix (its logger, where the message proper starts)
/// for an entry whose severity is already known. Only a first line with a level word in it can
/// have such a prefix (klog's letter header, a level word, PHP's `PHP Warning:`); the others,
/// most lines, cost one search instead of every parser. The same result as [`from_text`]'s
/// logger and body.
pub(crate) fn prefix_of(text: &str) -> TextHint<'_> {
    let first_line = super::multiline::first_line(text.trim_start());
    if !may_hold_level(first_line) {
        return TextHint::default();
    }
    let hint = from_text(text);
    TextHint { severity: None, stated: false, ..hint }
}

/// Whether a run of ASCII letters in `line` is a level word (any case), or `PHP`, or ends
/// with a klog level letter followed by a digit (`I1014`: a klog header may start there). Every
/// level the prefix parsers accept is such a run: `exact_level` and `zerolog_level` take only
/// whole alphabetic words, and the bracket, colon, dot and slash around them end the run. One
/// pass over the line, since most lines have neither.
fn may_hold_level(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphabetic() {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
            at += 1;
        }
        let word = &bytes[start..at];
        if (3..=12).contains(&word.len()) && is_level_name(word) {
            return true;
        }
        let klog_letter = matches!(bytes[at - 1], b'I' | b'W' | b'E' | b'F');
        if klog_letter && bytes.get(at).is_some_and(u8::is_ascii_digit) {
            return true;
        }
    }
    false
}

/// The words of three to twelve letters that `Severity::parse_loose` or `zerolog_level` read as
/// a level, and `PHP`.
const LEVEL_NAMES: [&[u8]; 31] = [
    b"DEFAULT",
    b"TRACE",
    b"FINEST",
    b"FINER",
    b"FINE",
    b"DEBUG",
    b"DBG",
    b"VERBOSE",
    b"INFO",
    b"INFORMATION",
    b"CONFIG",
    b"NOTICE",
    b"WARNING",
    b"WARN",
    b"ERROR",
    b"ERR",
    b"SEVERE",
    b"FAILURE",
    b"CRITICAL",
    b"CRIT",
    b"FATAL",
    b"PANIC",
    b"ALERT",
    b"EMERGENCY",
    b"EMERG",
    b"TRC",
    b"INF",
    b"WRN",
    b"FTL",
    b"PNC",
    b"PHP",
];

/// Whether `word` (3 to 12 ASCII letters) is one of [`LEVEL_NAMES`], in any case.
fn is_level_name(word: &[u8]) -> bool {
    // Most runs are told apart by their length and first two letters, before any copying: per
    // length, the first letters of the names, and their second letters (bit 0 for `A`).
    const fn letters(at: usize) -> [u32; 13] {
        let mut table = [0u32; 13];
        let mut i = 0;
        while i < LEVEL_NAMES.len() {
            table[LEVEL_NAMES[i].len()] |= 1 << (LEVEL_NAMES[i][at] - b'A');
            i += 1;
        }
        table
    }
    const FIRST_LETTERS: [u32; 13] = letters(0);
    const SECOND_LETTERS: [u32; 13] = letters(1);
    let (first, second) = (word[0].to_ascii_uppercase(), word[1].to_ascii_uppercase());
    if FIRST_LETTERS[word.len()] & (1 << (first - b'A')) == 0
        || SECOND_LETTERS[word.len()] & (1 << (second - b'A')) == 0
    {
        return false;
    }
    let mut upper = [0u8; 12];
    upper[..word.len()].copy_from_slice(word);
    upper[..word.len()].make_ascii_uppercase();
    LEVEL_NAMES.contains(&&upper[..word.len()])
}

pub(crate) fn from_text(text: &str) -> TextHint<'_> {
    let hint = from_line(text);
    let Some((at, program)) = syslog_header(text) else { return hint };
    // A syslog line (`May 26 06:14:52 host program[pid]: message`, Compute Engine's `syslog`):
    // the message is what the program wrote, read as a line of its own; the program is the
    // logger.
    let rest = from_line(&text[at..]);
    let first_end = at + super::multiline::first_line(&text[at..]).len();
    // A program's own level in capitals before its message (`ERROR could not write ...`).
    let level_word = text[at..].split_once(' ').filter(|(w, _)| {
        w.len() >= 4 && w.bytes().all(|b| b.is_ascii_uppercase()) && exact_level(w).is_some()
    });
    let after_level = level_word.map_or(at, |(w, _)| skip_spaces(text, at + w.len()));
    // The kernel's time since boot (`[812331.224512] Out of memory: ...`) is no part of it.
    let after_level = kernel_uptime(&text[after_level..]).map_or(after_level, |n| after_level + n);
    TextHint {
        severity: hint.severity.or(rest.severity),
        logger: rest.logger.or(Some(program)),
        body: rest.body.map(|(a, b)| (a + at, b + at)).or(Some((after_level, first_end))),
        stated: if hint.severity.is_some() { hint.stated } else { rest.stated },
        quoted: rest.quoted,
    }
}

/// The end of a syslog header (RFC 3164: `May 26 06:14:52 host program[pid]: `) and the
/// program's name.
fn syslog_header(text: &str) -> Option<(usize, &str)> {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let b = text.as_bytes();
    if b.len() < 20 || !MONTHS.contains(&text.get(..3)?) || b[3] != b' ' {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit();
    let day = (b[4] == b' ' || digit(4)) && digit(5) && b[6] == b' ';
    let time = digit(7) && digit(8) && b[9] == b':' && digit(10) && digit(11) && b[12] == b':';
    if !(day && time && digit(13) && digit(14) && b[15] == b' ') {
        return None;
    }
    let (host, rest) = text[16..].split_once(' ')?;
    let (tag, _) = rest.split_once(": ")?;
    let program = tag.split_once('[').map_or(tag, |(name, pid)| {
        let pid_ok = pid.strip_suffix(']').is_some_and(|p| p.bytes().all(|d| d.is_ascii_digit()));
        if pid_ok {
            name
        } else {
            ""
        }
    });
    let fine = |w: &str| !w.is_empty() && !w.contains(char::is_whitespace);
    (fine(host) && fine(program)).then(|| (16 + host.len() + 1 + tag.len() + 2, program))
}

/// The length of the kernel's `[seconds.micros] ` before its message, if the text starts so.
fn kernel_uptime(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('[')?.split_once("] ")?.0;
    let (secs, micros) = inner.trim_start().split_once('.')?;
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    (digits(secs) && digits(micros)).then_some(inner.len() + 3)
}

/// [`from_text`] for a line without a syslog header.
fn from_line(text: &str) -> TextHint<'_> {
    let start = text.len() - text.trim_start().len();
    let first_line = super::multiline::first_line(&text[start..]);
    // Cloud Build prefixes every line of a step with `Step #N - "name": `.
    let step_text = build_step_text(first_line);
    let offset = start + (first_line.len() - step_text.len());
    let found = |sev| TextHint { severity: Some(sev), ..TextHint::default() };
    if let Some(sev) = crash(text, step_text).or_else(|| function_status(step_text)) {
        return found(sev);
    }
    if let Some(sev) = exact_level(step_text.trim_end()).filter(|_| step_text.len() >= 4) {
        // A level alone on its line (Cloud Build's `ERROR` before the build's last line).
        return found(sev);
    }
    let mut hint = klog_hint(step_text)
        .or_else(|| php_error(step_text))
        .or_else(|| prefixed_level(step_text))
        .or_else(|| levelled_field(step_text));
    if let Some(h) = &mut hint {
        h.body = h.body.map(|(a, b)| (a + offset, b + offset));
        h.stated = true;
        // The level PHP-FPM states for a worker's death is lower than what the death is.
        h.severity = h.severity.max(worker_died(step_text));
        return hint.expect("set");
    }
    match logfmt_level(step_text).or_else(|| json_level(text)) {
        Some(sev) => TextHint { stated: true, ..found(sev) },
        None => TextHint::default(),
    }
}

/// klog's header (`I1014 09:12:03.123456       1 leaderelection.go:258] message`), Kubernetes'
/// and its controllers' format: the letter's level, the message after the header.
fn klog_hint(line: &str) -> Option<TextHint<'_>> {
    let (severity, at) = klog_header(line)?;
    let body = Some((at, line.len()));
    let quoted = quoted_head_end(&line[at..]).is_some();
    Some(TextHint { severity: Some(severity), body, quoted, ..TextHint::default() })
}

/// Where the quoted message that begins `text` ends (after its closing quote), when a key and
/// value or nothing follows it: klog's structured `"message" key="value" ...`.
fn quoted_head_end(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => {
                let after = &text[i + 1..];
                let key_follows = after.strip_prefix(' ').is_some_and(|rest| {
                    rest.split_once('=').is_some_and(|(key, _)| is_logger_name(key))
                });
                return (after.is_empty() || key_follows).then_some(i + 1);
            }
            _ => i += 1,
        }
    }
    None
}

/// A body whose message is quoted ([`TextHint::quoted`]) without its quotes and escapes:
/// `"Failed to \"pull\"" err="x"` reads `Failed to "pull" err="x"`.
pub(crate) fn unquote_head(body: &str) -> Option<String> {
    let end = quoted_head_end(body)?;
    let inner = &body[1..end - 1];
    let unescaped = inner.replace("\\\"", "\"").replace("\\\\", "\\");
    Some(format!("{unescaped}{}", &body[end..]))
}

/// The level and the message's start of a klog header, in exactly its shape: a letter of `IWEF`,
/// month and day, a space, `hh:mm:ss.micros`, spaces, a thread id, a space, `file:line]`.
fn klog_header(line: &str) -> Option<(Severity, usize)> {
    let b = line.as_bytes();
    let severity = match b.first()? {
        b'I' => Severity::Info,
        b'W' => Severity::Warning,
        b'E' => Severity::Error,
        b'F' => Severity::Critical,
        _ => return None,
    };
    if b.len() < 24 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let time = digits(1..5)
        && b[5] == b' '
        && [6..8, 9..11, 12..14, 15..21].into_iter().all(digits)
        && (b[8], b[11], b[14]) == (b':', b':', b'.');
    if !time || b.get(21) != Some(&b' ') {
        return None;
    }
    let rest = line[21..].trim_start_matches(' ');
    let (thread, rest) = rest.split_once(' ')?;
    let (file, rest) = rest.split_once(']')?;
    let (name, line_no) = file.rsplit_once(':')?;
    let file_ok = !name.is_empty() && !name.contains(' ') && !line_no.is_empty();
    let numbers = [thread, line_no].iter().all(|n| n.bytes().all(|d| d.is_ascii_digit()));
    if !(file_ok && numbers && !thread.is_empty()) {
        return None;
    }
    Some((severity, skip_spaces(line, line.len() - rest.len())))
}

/// PHP's own messages, also inside another prefix (PHP-FPM's `NOTICE: PHP message: PHP Fatal
/// error:  Uncaught ...`, Apache's `[php:error] [pid 12] [client ...] PHP Warning:  ...`): the
/// wrapper's level is its own (PHP-FPM writes a worker's every message at NOTICE), so PHP's
/// level wins, up or down. A fatal error ends the request, not the worker that serves the next
/// one: ERROR, as an uncaught exception in another runtime's request handler, not CRITICAL as a
/// process that died. Notices, deprecations and strict standards are code hygiene written at
/// volume: INFO.
fn php_error(line: &str) -> Option<TextHint<'_>> {
    let heads = [
        ("Fatal error:", Severity::Error),
        ("Parse error:", Severity::Error),
        ("Recoverable fatal error:", Severity::Error),
        ("Warning:", Severity::Warning),
        ("Notice:", Severity::Info),
        ("Deprecated:", Severity::Info),
        ("Strict Standards:", Severity::Info),
    ];
    for (at, _) in line.match_indices("PHP ") {
        let rest = &line[at + 4..];
        if let Some(&(_, severity)) = heads.iter().find(|(head, _)| rest.starts_with(head)) {
            let body = Some((at, line.len()));
            return Some(TextHint { severity: Some(severity), body, ..TextHint::default() });
        }
    }
    None
}

/// PHP-FPM's master on a worker that died by a signal (`[pool www] child 31 exited on signal 9
/// (SIGKILL) after 12.3 seconds from start`), which it writes at WARNING: SIGKILL is a process
/// killed (the OOM killer, most often), ERROR as `Killed` is; a crash signal (`SIGSEGV - core
/// dumped`) CRITICAL as `Segmentation fault` is. Its request died with it. SIGTERM and SIGQUIT
/// are the master's own stop (a reload): the line's level stands.
fn worker_died(line: &str) -> Option<Severity> {
    let (_, rest) = line.split_once(" exited on signal ")?;
    let name = rest.split_once(" (")?.1;
    let name = name.split([')', ' ']).next().unwrap_or("");
    match name {
        "SIGKILL" => Some(Severity::Error),
        "SIGSEGV" | "SIGBUS" | "SIGABRT" | "SIGILL" | "SIGFPE" => Some(Severity::Critical),
        _ => None,
    }
}

/// Cloud Functions' (1st gen) `Function execution took 60003 ms, finished with status:
/// 'timeout'`, which it writes at DEBUG: a timeout, a crash, a connection error or an error is
/// ERROR; `'ok'` and `status code: 200` say nothing.
fn function_status(line: &str) -> Option<Severity> {
    let status = function_outcome(line)?;
    (status != "ok").then_some(Severity::Error)
}

/// The status of a Cloud Functions (1st gen) execution line, among those it writes: each is a
/// different problem, and the issue is keyed by it (masking would make them one).
pub(crate) fn function_outcome(line: &str) -> Option<&'static str> {
    let rest = line.strip_prefix("Function execution took ")?;
    let (_, status) = rest.split_once("finished with status: '")?;
    let status = status.trim_end().strip_suffix('\'')?;
    ["ok", "timeout", "crash", "connection error", "error"].into_iter().find(|s| *s == status)
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
    if killed(text.trim(), first_line) {
        return Some(Severity::Error);
    }
    // net/http's recovered panic with its goroutine below it (a joined event of a text log).
    if first_line.contains(super::multiline::GO_RECOVERED_PANIC) && text.contains("\ngoroutine ") {
        return Some(Severity::Error);
    }
    let trace = first_line.starts_with("Traceback (most recent call last)")
        || first_line.starts_with("Exception in thread")
        || (text.contains('\n')
            && (text.contains("\nTraceback (most recent call last)")
                || (is_exception_head(first_line) && has_at_frames(text))))
        // Ruby's report of an exception nothing rescued and Rust's of a panic (frames or not:
        // their shape is the runtime's own).
        || super::ruby::raise_line(first_line).is_some()
        || super::rust_panic::panic_line(first_line).is_some();
    trace.then_some(Severity::Error)
}

/// A process killed: the shell's `Killed` alone, the kernel's OOM killer, systemd's `code=killed`.
fn killed(text: &str, first_line: &str) -> bool {
    text == "Killed"
        || first_line.contains("Out of memory: Killed process ")
        || first_line.contains("code=killed, status=")
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
    Some(TextHint {
        severity: Some(severity),
        logger,
        body: Some((body_at, line.len())),
        stated: true,
        quoted: false,
    })
}

/// A level among a prefix's first words: bracketed (`[WARNING]`, `[error]`, structlog's
/// `[error    ]`), a field of its own spelled in capitals (`... 09:15:03,119 ERROR payments ...`)
/// or between dashes (`... - logger - ERROR - ...`), followed by a colon (`... 16:20:13 ERROR:`,
/// Laravel's `production.ERROR:`, winston's `...Z error:`), celery's `[...: ERROR/Worker-2]`,
/// zerolog's `4:20PM ERR`. "user clicked error" names no level.
fn levelled_field(line: &str) -> Option<TextHint<'_>> {
    // A level field is among the first 8 words; `body_after` looks at 2 more.
    let words = word_spans(line, 10);
    for i in 0..words.len().min(8) {
        let prefix = words[..i].iter().all(|&(a, b)| is_prefix_word(&line[a..b]));
        let Some(level) = level_word(line, &words, i, prefix) else { continue };
        let logger = line
            .split(" - ")
            .nth(1)
            .filter(|l| level.dashed && is_logger_name(l) && exact_level(l).is_none());
        let body = prefix.then(|| body_after(line, &words[i + level.words..], level.end));
        let severity = Some(level.severity);
        return Some(TextHint { severity, logger, body, stated: true, quoted: false });
    }
    None
}

/// A level field found by [`level_word`]: how many words it spans and where it ends.
struct LevelWord {
    severity: Severity,
    words: usize,
    end: usize,
    dashed: bool,
}

/// The level that word `i` of a line states as a field, if it does (`prefix`: the words before
/// it are all a prefix's: timestamps, pids, bracketed names).
fn level_word(line: &str, words: &[(usize, usize)], i: usize, prefix: bool) -> Option<LevelWord> {
    let (at, end) = words[i];
    let word = &line[at..end];
    let one = |severity| LevelWord { severity, words: 1, end, dashed: false };
    let bracketed = word.len() > 2 && word.starts_with('[') && word.ends_with(']');
    let inner = if bracketed { &word[1..word.len() - 1] } else { word };
    // MySQL's error log brackets its levels in title case: `[Warning]`, `[Note]`.
    let title_case = bracketed && inner.len() >= 4 && is_title_case(inner);
    if let Some(severity) = exact_level(inner)
        .or_else(|| title_case.then(|| Severity::parse_loose(inner)).flatten().filter(|_| prefix))
    {
        let dashed = line.contains(&format!(" - {word} - "));
        let capital_field = i >= 1
            && word.len() >= 4
            && word.bytes().all(|b| b.is_ascii_uppercase())
            && line[end..].starts_with(' ');
        if bracketed || dashed || capital_field {
            return Some(LevelWord { severity, words: 1, end, dashed });
        }
    }
    // structlog's console renderer pads the level inside its brackets: `[error    ] msg`.
    let closed = words.get(i + 1).filter(|&&(a, b)| &line[a..b] == "]");
    if let (Some(level), Some(&(_, close))) = (word.strip_prefix('['), closed) {
        let severity = exact_level(level).filter(|_| level.len() < 8)?;
        return Some(LevelWord { severity, words: 2, end: close, dashed: false });
    }
    if i == 0 {
        return None;
    }
    if let Some(head) = word.strip_suffix(':').filter(|_| prefix) {
        let after_time = words[..i].iter().any(|&(a, b)| is_time(&line[a..b]));
        return colon_level(head, after_time).map(one);
    }
    let first_is_bracket = line.starts_with('[');
    if let Some((level, worker)) = word.strip_suffix(']').and_then(|w| w.split_once('/')) {
        // celery's `[2025-10-14 15:30:00,123: ERROR/ForkPoolWorker-2] message`.
        let upper = level.bytes().all(|b| b.is_ascii_uppercase());
        let ok = first_is_bracket && prefix && upper && is_logger_name(worker);
        return exact_level(level).filter(|_| ok).map(one);
    }
    // zerolog's console writer: `4:20PM ERR message`.
    let zerolog = i == 1 && is_time(&line[words[0].0..words[0].1]);
    zerolog.then(|| zerolog_level(word)).flatten().map(one)
}

/// `ERROR:` (Go's log, PostgreSQL, sidekiq, PHP-FPM) and Laravel's `production.ERROR:` in
/// capitals; in lower case (winston's `error:`) only after a timestamp (`after_time`). Only
/// after a prefix: `Caused by: ...PSQLException: FATAL: ...` quotes another program's level.
fn colon_level(head: &str, after_time: bool) -> Option<Severity> {
    let (channel, level) = head.rsplit_once('.').unwrap_or(("", head));
    let upper = level.bytes().all(|b| b.is_ascii_uppercase());
    let channel_ok = channel.is_empty() || (upper && is_logger_name(channel));
    exact_level(level).filter(|_| channel_ok && (upper || (after_time && channel.is_empty())))
}

/// zerolog's three-letter levels.
fn zerolog_level(word: &str) -> Option<Severity> {
    Some(match word {
        "TRC" | "DBG" => Severity::Debug,
        "INF" => Severity::Info,
        "WRN" => Severity::Warning,
        "ERR" => Severity::Error,
        "FTL" | "PNC" => Severity::Critical,
        _ => return None,
    })
}

/// A word that is (part of) a time of day or a date: digits with `:`, `-` or `/` (`16:20:13`,
/// `2025/10/14`, `2025-10-14T16:20:13Z`, `4:20PM`).
fn is_time(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| matches!(b, b':' | b'-' | b'/'))
}

/// The message after a level field: past a logger or `[Context]` and a `-` that follow it, and
/// without Nest's `+3ms` at its end.
fn body_after(line: &str, rest: &[(usize, usize)], level_end: usize) -> (usize, usize) {
    let mut at = level_end;
    let mut words = rest.iter().peekable();
    let mut ruby = false;
    let mut context = false;
    if let Some(&&(a, b)) = words.peek() {
        let w = &line[a..b];
        context = w.len() > 2 && w.starts_with('[') && w.ends_with(']');
        let logger = w.contains('.') && is_logger_name(w.trim_end_matches(':'));
        // Ruby's Logger: `E, [... #1] ERROR -- progname: message` (the progname may be empty).
        ruby = w == "--";
        if context || logger || w == "-" || ruby {
            at = b;
            words.next();
        }
    }
    if let Some(&&(a, b)) = words.peek() {
        let w = &line[a..b];
        let progname = ruby && w.len() > 1 && is_logger_name(&w[..w.len() - 1]);
        if matches!(w, "-" | ":") || (progname && w.ends_with(':')) {
            at = b;
        } else if context && w.len() > 2 && w.starts_with('[') && w.ends_with(']') {
            // MySQL's `[Warning] [MY-010055] [Server] message`: an error code, then the part.
            at = b;
        } else if context && w.contains('.') && is_logger_name(w) {
            // Logback's and log4j's default: `ERROR [thread] com.example.Logger - message`.
            words.next();
            if let Some(&&(_, dash_end)) = words.peek().filter(|&&&(c, d)| &line[c..d] == "-") {
                at = dash_end;
            }
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
        || matches!(word, "AM" | "PM" | "UTC" | "GMT")
        // Ruby's Logger opens with its level's letter: `E, [2025-10-14T09:00:00.123456 #1]`.
        || matches!(word.as_bytes(), [b'D' | b'I' | b'W' | b'E' | b'F' | b'A', b','])
        || word.split_once('=').is_some_and(|(k, v)| is_logger_name(k) && !v.is_empty())
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
                None => pino_number(value.split([',', '}', ' ', '\n']).next().unwrap_or("")),
            };
            if sev.is_some() {
                return sev;
            }
        }
    }
    None
}

/// pino's and bunyan's numeric levels (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal):
/// exactly one of those numbers, nothing else (`500`, `50.5` and `"50"` are not pino's).
pub(crate) fn pino_number(value: &str) -> Option<Severity> {
    Some(match value.trim() {
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

/// `Warning`: a capital, then lower-case letters.
fn is_title_case(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase()) && bytes.all(|b| b.is_ascii_lowercase())
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
        // Logback's and log4j's other default: the level before the thread.
        let logback =
            "2025-05-26 10:00:05.456 ERROR [http-nio-8080-exec-3] c.q.shop.Orders - failed";
        assert_eq!(body(logback), "failed");
        // klog's structured lines: the quoted message, the keys after it.
        let structured = r#"E0526 09:10:02.117300    1520 eviction_manager.go:366] "Eviction manager: pod evicted" pod="shop/x" reason="Evicted""#;
        let hint = from_text(structured);
        assert!(hint.quoted);
        let (a, b) = hint.body.unwrap();
        assert_eq!(
            unquote_head(&structured[a..b]).as_deref(),
            Some(r#"Eviction manager: pod evicted pod="shop/x" reason="Evicted""#)
        );
        assert_eq!(unquote_head(r#""a \"b\" c""#).as_deref(), Some(r#"a "b" c"#));
        assert_eq!(unquote_head(r#""quoted" and prose"#), None);
        let mysql = "2025-05-26T10:15:00.204004Z 0 [Warning] [MY-010055] [Server] IP address 'x' could not be resolved";
        assert_eq!(body(mysql), "IP address 'x' could not be resolved");
        // Syslog: the program's message, whatever its own prefix; the program is the logger.
        let syslog = "May 26 06:20:14 quill-batch-02 run-invoices[3011]: ERROR could not write x";
        assert_eq!((sev(syslog), body(syslog)), (Some(Severity::Error), "could not write x"));
        assert_eq!(from_text(syslog).logger, Some("run-invoices"));
        let kernel = "May 26 06:14:52 quill-batch-01 kernel: [812331.224512] Out of memory: Killed";
        assert_eq!(body(kernel), "Out of memory: Killed");
        assert_eq!(kernel_uptime("[    5.120004] usb 1-1: new device"), Some(15));
        assert_eq!(kernel_uptime("[main] x"), None);
        assert_eq!(syslog_header("May  6 06:14:52 h cron: x").map(|h| h.1), Some("cron"));
        assert_eq!(syslog_header("Maybe 26 06:14:52 h cron: x"), None);
        let no_dash = "2025-05-26 10:00:05.456 ERROR [main] c.q.shop.Orders failed";
        assert_eq!(body(no_dash), "c.q.shop.Orders failed");
        assert_eq!(
            body("error: webhook signature verification failed {\"a\":1}"),
            "webhook signature verification failed {\"a\":1}"
        );
        assert_eq!(body("ERROR:root:cache miss storm"), "cache miss storm");
        // Ruby's Logger, with and without a program name.
        let ruby = "E, [2025-10-14T09:00:00.123456 #1] ERROR -- : NoMethodError (undefined method)";
        assert_eq!(
            (sev(ruby), body(ruby)),
            (Some(Severity::Error), "NoMethodError (undefined method)")
        );
        let ruby = "W, [2025-10-14T09:00:00.123456 #1]  WARN -- sidekiq: retrying job 42";
        assert_eq!(body(ruby), "retrying job 42");
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

    /// klog's header gives its letter's level, and the message starts after `file:line] `.
    #[test]
    fn klog_headers() {
        let line = "E1014 09:00:00.123456       1 reflector.go:138] failed to list *v1.Pod";
        let hint = from_text(line);
        assert_eq!((hint.severity, hint.stated), (Some(Severity::Error), true));
        assert_eq!(body(line), "failed to list *v1.Pod");
        let info = "I1014 09:12:03.123456       1 leaderelection.go:258] acquired lease";
        assert_eq!((sev(info), body(info)), (Some(Severity::Info), "acquired lease"));
        assert_eq!(
            sev("W1014 09:00:01.223456 7 warnings.go:70] deprecated"),
            Some(Severity::Warning)
        );
        assert_eq!(
            sev("F1014 09:00:01.223456 7 main.go:9] cannot start"),
            Some(Severity::Critical)
        );
        assert!(may_name_a_level("\"E1014 09:00:00.123456 1 a.go:1] x"));
        // Only that exact shape.
        assert_eq!(sev("E1014 is the error code of the device"), None);
        assert_eq!(sev("I1014 09:12:03 1 leaderelection.go:258] no micros"), None);
        assert_eq!(sev("X1014 09:12:03.123456 1 a.go:1] unknown letter"), None);
        assert_eq!(sev("E1014 09:12:03.123456 1 a.go] no line number"), None);
    }

    /// A level followed by a colon after a timestamp, a pid or a bracket; in capitals, or in
    /// lower case right after a timestamp.
    #[test]
    fn levels_with_a_colon_after_a_prefix() {
        let cases = [
            ("2025/10/14 16:20:13 ERROR: could not connect", Severity::Error, "could not connect"),
            ("16:20:13 ERROR: could not connect", Severity::Error, "could not connect"),
            ("pid=1 ERROR: could not connect", Severity::Error, "could not connect"),
            (
                "2025-10-14 16:20:13.123 UTC [55] ERROR:  duplicate key",
                Severity::Error,
                "duplicate key",
            ),
            (
                "2025-10-14 16:20:13.123 UTC [55] FATAL:  password failed",
                Severity::Critical,
                "password failed",
            ),
            (
                "[2025-10-14 16:20:13] production.ERROR: no redis {\"a\":1}",
                Severity::Error,
                "no redis {\"a\":1}",
            ),
            ("2025-10-14T16:20:13.123Z error: charge failed", Severity::Error, "charge failed"),
            (
                "2025-10-14T16:20:19Z pid=1 tid=abc class=MailJob ERROR: Net::ReadTimeout",
                Severity::Error,
                "Net::ReadTimeout",
            ),
            (
                "[14-Oct-2025 13:30:00] WARNING: [pool www] child 31 exited",
                Severity::Warning,
                "[pool www] child 31 exited",
            ),
            (
                "2025-10-14 14:00:11 [error    ] webhook delivery failed",
                Severity::Error,
                "webhook delivery failed",
            ),
            ("4:20PM ERR charge failed order=17", Severity::Error, "charge failed order=17"),
            (
                "[2025-10-14 15:30:00,123: ERROR/ForkPoolWorker-2] Task x raised",
                Severity::Error,
                "Task x raised",
            ),
            (
                "[2025-10-14 15:36:00,000: INFO/MainProcess] Task x succeeded",
                Severity::Info,
                "Task x succeeded",
            ),
        ];
        for (line, want, message) in cases {
            let hint = from_text(line);
            let got = hint.body.map(|(a, b)| &line[a..b]);
            assert_eq!((hint.severity, got), (Some(want), Some(message)), "{line}");
        }
    }

    /// Words before a colon that are no level field: prose, a quoted program's level, an
    /// informational line that mentions errors.
    #[test]
    fn colons_in_prose_state_no_level() {
        assert_eq!(sev("Caused by: org.postgresql.util.PSQLException: FATAL: auth failed"), None);
        assert_eq!(sev("404 error: page not found"), None);
        assert_eq!(sev("Migration error: none found"), None);
        assert_eq!(sev("2025-10-14 16:20:13.003 UTC [55] LOG:  checkpoint complete"), None);
        assert_eq!(sev("2025-10-14 16:20:13 sync done: errors: 0"), None);
        assert_eq!(sev("4:20PM INF served errors=0"), Some(Severity::Info));
        assert_eq!(sev("[done ] 3 files"), None);
    }

    /// PHP's fatal errors are ERROR inside PHP-FPM's NOTICE; the message starts at `PHP`.
    #[test]
    fn php_errors_inside_other_prefixes() {
        let line = "NOTICE: PHP message: PHP Fatal error:  Uncaught PDOException: refused";
        assert_eq!(
            (sev(line), body(line)),
            (Some(Severity::Error), "PHP Fatal error:  Uncaught PDOException: refused")
        );
        assert_eq!(sev("PHP Warning:  Undefined array key \"sku\""), Some(Severity::Warning));
        assert_eq!(sev("NOTICE: PHP message: cart saved"), Some(Severity::Notice));
    }

    /// PHP's level, not its wrapper's, whichever way: notices and deprecations are INFO inside
    /// PHP-FPM's NOTICE and Apache's `[php:notice]`, a fatal error inside either is ERROR.
    #[test]
    fn php_levels_inside_their_wrappers() {
        let cases = [
            ("NOTICE: PHP message: PHP Notice:  Undefined variable $x in /a.php on line 3", Severity::Info),
            ("NOTICE: PHP message: PHP Deprecated:  strlen(): Passing null in /a.php on line 9", Severity::Info),
            ("[29-Oct-2025 10:00:00 UTC] PHP Deprecated:  Creation of dynamic property", Severity::Info),
            ("[29-Oct-2025 10:00:00 UTC] PHP Parse error:  syntax error, unexpected '}'", Severity::Error),
            ("[Tue Oct 14 13:20:00.123456 2025] [php:error] [pid 12] [client 10.0.0.1:5555] PHP Fatal error:  Uncaught Error: x", Severity::Error),
            ("[Tue Oct 14 13:20:00.123456 2025] [php:notice] [pid 12] [client 10.0.0.1:5555] PHP Notice:  Undefined index: q", Severity::Info),
            ("PHP Recoverable fatal error:  Object of class Foo could not be converted", Severity::Error),
        ];
        for (line, want) in cases {
            let hint = from_text(line);
            assert_eq!((hint.severity, hint.stated), (Some(want), true), "{line}");
            assert!(body(line).starts_with("PHP "), "{line}");
        }
        // Not PHP's own heads: the wrapper's level stands.
        assert_eq!(
            sev("NOTICE: PHP message: the PHP Notices page was saved"),
            Some(Severity::Notice)
        );
    }

    /// PHP-FPM's WARNING for a worker that died: killed is ERROR, a crash signal CRITICAL; the
    /// master's own stop and other pool warnings keep their level, and the message stays the
    /// text after the prefix.
    #[test]
    fn php_fpm_workers_that_died() {
        let killed = "[14-Oct-2025 13:30:00] WARNING: [pool www] child 31 exited on signal 9 (SIGKILL) after 12.3 seconds from start";
        assert_eq!(sev(killed), Some(Severity::Error));
        assert!(body(killed).starts_with("[pool www] child 31 exited"));
        assert!(may_name_a_level("NOTICE: [pool www] child 31 exited on signal 9 (SIGKILL)"));
        let crashed = "WARNING: [pool www] child 7 exited on signal 11 (SIGSEGV - core dumped) after 3.1 seconds from start";
        assert_eq!(sev(crashed), Some(Severity::Critical));
        for (line, want) in [
            ("NOTICE: [pool www] child 9 exited on signal 15 (SIGTERM) after 80.2 seconds from start", Severity::Notice),
            ("[14-Oct-2025 13:30:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it", Severity::Warning),
            ("NOTICE: [pool www] child 12 exited with code 0 after 60.0 seconds from start", Severity::Notice),
        ] {
            assert_eq!(sev(line), Some(want), "{line}");
        }
    }

    /// Cloud Functions' platform line: failed statuses are ERROR, `'ok'` and a status code not.
    #[test]
    fn function_execution_statuses() {
        for status in ["timeout", "crash", "connection error", "error"] {
            let line =
                format!("Function execution took 60003 ms, finished with status: '{status}'");
            assert_eq!(sev(&line), Some(Severity::Error), "{line}");
            assert!(may_name_a_level(&line));
        }
        assert_eq!(sev("Function execution took 12 ms, finished with status: 'ok'"), None);
        assert_eq!(sev("Function execution took 88 ms, finished with status code: 200"), None);
        assert_eq!(sev("Function execution started"), None);
    }

    /// A process killed is ERROR (not CRITICAL: it is restarted); the word in prose is not.
    #[test]
    fn processes_killed() {
        for line in [
            "Killed",
            "kernel: Out of memory: Killed process 4242 (gunicorn) total-vm:1024kB",
            "Main process exited, code=killed, status=9/KILL",
        ] {
            assert_eq!(sev(line), Some(Severity::Error), "{line}");
            assert!(may_name_a_level(line));
        }
        assert_eq!(sev("Killed 3 idle connections"), None);
        assert_eq!(sev("Main process exited, code=exited, status=0/SUCCESS"), None);
    }

    /// Whose ERROR is its stream's: GKE's stderr, not Cloud Run's or another log's.
    #[test]
    fn streams_that_give_error() {
        assert!(stream_gives_error("projects/p/logs/stderr", Some("k8s_container")));
        assert!(stream_gives_error("projects/p/logs/stderr", Some("container")));
        assert!(!stream_gives_error("projects/p/logs/stdout", Some("k8s_container")));
        assert!(!stream_gives_error("projects/p/logs/app", Some("k8s_container")));
        assert!(!stream_gives_error(
            "projects/p/logs/run.googleapis.com%2Fstderr",
            Some("cloud_run_revision")
        ));
        assert!(!stream_gives_error("projects/p/logs/stderr", None));
        // A level the text states is marked as such; a trace's is not.
        assert!(from_text("INFO:root:Starting").stated);
        assert!(from_text("level=info msg=x").stated);
        assert!(!from_text("Traceback (most recent call last):\n  File \"x\"").stated);
    }

    #[test]
    fn runtimes_that_lose_severity() {
        assert!(runtime_loses_severity("projects/p/logs/run.googleapis.com%2Fstderr"));
        assert!(runtime_loses_severity("projects/p/logs/stdout"));
        assert!(runtime_loses_severity("projects/p/logs/cloudbuild"));
        assert!(runtime_loses_severity(
            "projects/p/logs/cloudfunctions.googleapis.com%2Fcloud-functions"
        ));
        assert!(!runtime_loses_severity("projects/p/logs/run.googleapis.com%2Frequests"));
        assert!(!runtime_loses_severity("projects/p/logs/app"));
    }

    /// `prefix_of` is `from_text`'s logger and body, found faster: the same on every shape of
    /// prefix and on lines without one.
    #[test]
    fn prefix_of_agrees_with_from_text() {
        let lines = [
            "I1014 09:12:03.123456       1 leaderelection.go:258] lost lease",
            "E1014 09:12:03.123456       1 reflector.go:138] failed to list",
            "NOTICE: PHP message: PHP Fatal error:  Uncaught Exception: boom in /app/x.php:3",
            "[14-Oct-2025 09:00:00] WARNING: [pool www] child 31 exited on signal 9 (SIGKILL)",
            "WARNING:netra.redis:slow ping",
            "ERROR: database is locked",
            "[WARNING] disk 91% full",
            "2025-10-14 09:15:03,119 ERROR payments.capture capture failed",
            "2025-10-14 09:15:03,119 - payments - ERROR - capture failed",
            "[2025-10-14 15:30:00,123: ERROR/ForkPoolWorker-2] task failed",
            "4:20PM ERR connection refused",
            "4:20PM INF listening",
            "[error    ] request failed",
            "2025-10-14T16:20:13Z error: upstream timeout +3ms",
            "[2025-10-14 16:20:13] production.ERROR: Undefined variable",
            "E, [2025-10-14T09:00:00.123456 #1] ERROR -- app: boom",
            "level=error msg=\"boom\"",
            "Traceback (most recent call last):\n  File \"x\", line 1",
            "User oncxmpqb failed login from portal yyjqbheaqgfw",
            "Failed to extract auth SessionMiddleware must be installed",
            "user clicked error button",
            "   INFO   indented start",
            "",
        ];
        for line in lines {
            let (full, fast) = (from_text(line), prefix_of(line));
            assert_eq!((fast.logger, fast.body), (full.logger, full.body), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn prefix_of_agrees_on_made_up_lines(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[A-Za-z]{1,8}",
                    "(ERROR|error|Warn|WARNING|info|INF|ERR|FATAL|crit|notice|DEBUG|trace)",
                    "(ERROR|error|WARNING|info):?",
                    "\\[(ERROR|warn|INFO)\\]",
                    "[0-9]{2}:[0-9]{2}:[0-9]{2}(,[0-9]{3})?",
                    "(I|W|E|F)[0-9]{4}",
                    "[a-z]{2,6}\\.[a-z]{2,6}:?",
                    "(-|--|:|PHP|Fatal error:|Warning:)",
                ],
                0..8,
            )
        ) {
            let line = words.join(" ");
            let (full, fast) = (from_text(&line), prefix_of(&line));
            proptest::prop_assert_eq!((fast.logger, fast.body), (full.logger, full.body));
        }
    }
}
