//! Tells what an input holds from its first bytes (at least 64 KB of them, or all there is): a
//! gcloud JSON array, newline-delimited JSON, pretty-printed objects one after another, an API
//! response that wraps the entries (`{"entries": [...]}`, the Firebase CLI's `{"status",
//! "result"}`), the Logs Explorer's CSV, Markdown with LogEntries in fenced blocks, a plain-text
//! log; or something we can name but do not read as a log (YAML, binary data, a README, notes, a
//! CSV that is not a Logs Explorer download), with the reason.
//!
//! Plain text is read as a log when the user says so (`--input-format text`, `--line-format`) or
//! when it looks like one: at least half of its lines that start a record (lines that do not
//! start with whitespace) carry a time, a date or a level near their start, as log records do
//! (`Sep 11 05:17:11`, `2025-09-11 05:17:11,123`, `081109 203615`, `[10.30 16:49:06]`, `ERROR`).
//! Prose, notes, configuration and tables do not, and are skipped with a warning rather than
//! read line by line into issues.

use super::json_split::{skip_ws, string_end, value_end};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `gcloud logging read --format=json`: one JSON array.
    JsonArray,
    /// A Cloud Storage sink: one entry a line.
    Ndjson,
    /// Pretty-printed objects one after another (copied from the Logs Explorer).
    ConcatenatedJson,
    /// Responses that hold the entries in an array under a key, one or more of them.
    Wrapped(Wrapper),
    /// Plain text lines.
    Text,
    /// The Logs Explorer's CSV download (flattened columns such as `jsonPayload.message`).
    Csv,
    /// `gcloud logging read` without `--format=json`: YAML documents separated by `---`.
    Yaml,
    /// A Markdown document with LogEntries in fenced code blocks (an incident note).
    Markdown,
    /// Nothing at all (or only whitespace).
    Empty,
}

/// Who wraps the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// The Logging API's `entries.list` response, `{"entries": [...], "nextPageToken": "..."}`,
    /// as `curl`, client libraries and tools save it; pages may be concatenated.
    LoggingApi,
    /// `firebase functions:log --json`: `{"status": "success", "result": [...]}`.
    FirebaseCli,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonArray => "JSON array",
            Format::Ndjson => "newline-delimited JSON",
            Format::ConcatenatedJson => "concatenated JSON objects",
            Format::Wrapped(Wrapper::LoggingApi) => "Logging API response (entries.list)",
            Format::Wrapped(Wrapper::FirebaseCli) => "Firebase CLI output (functions:log --json)",
            Format::Text => "plain text",
            Format::Csv => "Logs Explorer CSV",
            Format::Yaml => "gcloud YAML",
            Format::Markdown => "Markdown with fenced JSON",
            Format::Empty => "empty",
        }
    }
}

/// Content we recognize but refuse, with the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub offset: usize,
    /// Short reason used to count it: "not a log export" for content that cannot be read (binary
    /// data, YAML, text where JSON was asked for), "skipped: ..." for files that are not logs.
    pub reason: &'static str,
    pub message: String,
}

/// Detects the format of `bytes` for `--input-format auto|gcp`. `allow_text` lets plain text
/// that looks like a log through (auto); otherwise text is an error (gcp). Messages never quote
/// the input (it may hold secrets, and reading has no redactor): they describe it.
pub fn detect(bytes: &[u8], allow_text: bool) -> Result<Format, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // UTF-8 BOM
    let start = skip_ws(bytes, 0);
    if start == bytes.len() {
        return Ok(Format::Empty);
    }
    if let Some(offset) = binary_evidence(bytes) {
        return Err(refused(
            offset,
            "this is binary data, not a log export (a log export is JSON or text); \
             export with `gcloud logging read --format=json`",
        ));
    }
    if let Some(format) = json_format(bytes, start) {
        return Ok(format);
    }
    let head = &bytes[start..];
    if looks_like_csv_export(head) {
        return Ok(Format::Csv);
    }
    if looks_like_yaml_export(head) {
        return Ok(Format::Yaml);
    }
    if has_fenced_json(head) {
        return Ok(Format::Markdown);
    }
    if allow_text && !looks_like_csv_table(head) && looks_like_log(head) {
        return Ok(Format::Text);
    }
    let (reason, what) = what_text_is(head);
    if allow_text {
        let message =
            format!("{what}; to read it as a plain-text log anyway, use --input-format text");
        return Err(Unreadable { offset: start, reason, message });
    }
    Err(refused(
        start,
        "expected a JSON array or JSON objects (a Cloud Logging export), found text that is not \
         JSON; use --input-format text for plain-text logs",
    ))
}

fn refused(offset: usize, message: &str) -> Unreadable {
    Unreadable { offset, reason: "not a log export", message: message.to_string() }
}

/// The JSON shapes, from the first value.
fn json_format(bytes: &[u8], start: usize) -> Option<Format> {
    match bytes[start] {
        b'[' => {
            let first = skip_ws(bytes, start + 1);
            let wrapped =
                if bytes.get(first) == Some(&b'{') { wrapper_of(bytes, first) } else { None };
            if let Some(wrapper) = wrapped {
                return Some(Format::Wrapped(wrapper));
            }
            json_array_opens(bytes, first).then_some(Format::JsonArray)
        }
        b'{' => {
            if let Some(wrapper) = wrapper_of(bytes, start) {
                return Some(Format::Wrapped(wrapper));
            }
            // NDJSON when the first value ends on its own line, or (the first line being broken)
            // when the next lines are whole objects.
            let line_end = memchr::memchr(b'\n', &bytes[start..]).map(|p| start + p);
            let first_fits = match (value_end(bytes, start), line_end) {
                (Some(end), Some(nl)) => end <= nl,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let json_lines = bytes[start..]
                .split(|&b| b == b'\n')
                .take(5)
                .filter(|line| looks_like_json_line(line))
                .count();
            Some(if first_fits || json_lines > 0 {
                Format::Ndjson
            } else {
                Format::ConcatenatedJson
            })
        }
        _ => None,
    }
}

/// Whether `[` opens a JSON array rather than a text line such as `[10.30 16:49:06] chrome.exe`
/// or `[INFO] started`: its first element is an object, an array or a string, it is empty, or
/// its first value is a JSON literal (a number, `true`, `false`, `null`) followed by `,` or `]`.
fn json_array_opens(bytes: &[u8], first: usize) -> bool {
    match bytes.get(first) {
        None | Some(b'{' | b'[' | b']' | b'"') => true,
        Some(_) => match value_end(bytes, first) {
            Some(end) => {
                let literal = serde_json::from_slice::<serde_json::Value>(&bytes[first..end]);
                let next = bytes.get(skip_ws(bytes, end));
                literal.is_ok() && matches!(next, Some(b',' | b']') | None)
            }
            None => true,
        },
    }
}

/// The wrapper an object at `open` is, if it is one: the Logging API's response has `entries`
/// or `nextPageToken` (a page without entries has only the token), the Firebase CLI's output
/// `status` with `result` or `error`. No LogEntry has any of these keys.
fn wrapper_of(bytes: &[u8], open: usize) -> Option<Wrapper> {
    let keys = top_keys(bytes, open);
    let has = |k: &[u8]| keys.contains(&k);
    if has(b"status") && (has(b"result") || has(b"error")) {
        Some(Wrapper::FirebaseCli)
    } else if has(b"entries") || has(b"nextPageToken") || has(b"result") {
        Some(Wrapper::LoggingApi)
    } else {
        None
    }
}

/// The keys of the object at `open`, as far as its values are complete in `bytes` (the key of
/// an incomplete value is the last one).
fn top_keys(bytes: &[u8], open: usize) -> Vec<&[u8]> {
    let mut keys = Vec::new();
    let mut i = open + 1;
    while keys.len() < 32 {
        i = skip_ws(bytes, i);
        if bytes.get(i) == Some(&b',') {
            i = skip_ws(bytes, i + 1);
        }
        if bytes.get(i) != Some(&b'"') {
            break;
        }
        let Some(end) = string_end(bytes, i) else { break };
        keys.push(&bytes[i + 1..end - 1]);
        i = skip_ws(bytes, end);
        if bytes.get(i) != Some(&b':') {
            break;
        }
        let Some(value) = value_end(bytes, skip_ws(bytes, i + 1)) else { break };
        i = value;
    }
    keys
}

/// A first line that opens and closes like one compact JSON object (it may itself be broken).
fn looks_like_json_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.len() > 2 && line.starts_with(b"{") && line.ends_with(b"}")
}

/// Known binary signatures, or a head with many NUL/control bytes. A stray NUL inside an
/// otherwise textual export is not binary: the entry holding it is reported on its own.
fn binary_evidence(bytes: &[u8]) -> Option<usize> {
    const MAGIC: [&[u8]; 7] =
        [b"\x7fELF", b"PK\x03\x04", b"\x89PNG", b"%PDF", b"BZh", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd"];
    if MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Some(0);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
        .count();
    if control > 4 && control * 100 > head.len() * 2 {
        return Some(
            head.iter()
                .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
                .unwrap_or(0),
        );
    }
    None
}

/// The header of a CSV file, its cells unquoted and without the Logs Explorer's `'` guard.
fn csv_header(bytes: &[u8]) -> Vec<String> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let first = String::from_utf8_lossy(first);
    first
        .trim_end()
        .split(',')
        .map(|c| {
            let c = c.trim().trim_matches('"');
            c.strip_prefix('\'').unwrap_or(c).to_string()
        })
        .collect()
}

/// A header line naming LogEntry columns, as the Logs Explorer's "Download → CSV" writes it.
fn looks_like_csv_export(bytes: &[u8]) -> bool {
    let columns = csv_header(bytes);
    columns.len() >= 2
        && columns.iter().any(|c| {
            matches!(c.as_str(), "timestamp" | "receiveTimestamp" | "severity" | "insertId")
        })
        && columns.iter().any(|c| {
            c.starts_with("jsonPayload")
                || c.starts_with("textPayload")
                || c.starts_with("protoPayload")
                || c.starts_with("httpRequest")
                || c.starts_with("resource.")
                || c == "logName"
        })
}

/// gcloud's own messages before an export saved with its standard error (`> dump.json 2>&1`):
/// `WARNING: ...`, `ERROR: ...` (a warning, not a failure, when output follows), the notice that
/// updates are available and how to install them. The length of those lines when JSON (`[` or
/// `{`) follows them, else 0.
pub(crate) fn gcloud_preamble(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut skipped = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n').take(40) {
        let text = String::from_utf8_lossy(line);
        let bare = text.trim();
        if bare.starts_with('[') || bare.starts_with('{') {
            return skipped;
        }
        let gcloud_says = bare.is_empty()
            || [
                "WARNING: ",
                "ERROR: ",
                "Updates are available",
                "To install them",
                "please run:",
                "$ gcloud ",
            ]
            .iter()
            .any(|p| bare.starts_with(p))
            || line.starts_with(b"  ") && skipped > 0;
        if !gcloud_says {
            return 0;
        }
        at += line.len();
        skipped = at;
    }
    0
}

/// gcloud's YAML: the first document's lines at the margin are all `key:` (or `- key:`), and
/// its keys are a LogEntry's: one that only an entry has (`insertId`, `logName`, a payload, ...)
/// or two that entries share with other YAML (`severity`, `timestamp`, `resource`, ...). Front
/// matter, configuration and Kubernetes manifests have other keys.
fn looks_like_yaml_export(bytes: &[u8]) -> bool {
    const ENTRY_ONLY: [&str; 7] = [
        "insertId",
        "logName",
        "receiveTimestamp",
        "textPayload",
        "jsonPayload",
        "protoPayload",
        "httpRequest",
    ];
    const SHARED: [&str; 10] = [
        "severity",
        "timestamp",
        "resource",
        "labels",
        "trace",
        "spanId",
        "traceSampled",
        "sourceLocation",
        "operation",
        "entries",
    ];
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty() || l.trim_end() == "---");
    let (mut entry_only, mut shared) = (0, 0);
    for line in lines.by_ref().take(500) {
        if line.trim_end() == "---" {
            break;
        }
        if line.starts_with([' ', '#']) || line.trim().is_empty() {
            continue;
        }
        // `- ` at the margin: an entry of a list of entries, or an item of a list-valued field.
        let item = line.strip_prefix("- ").or_else(|| (line.trim_end() == "-").then_some(""));
        let Some(key) = yaml_key(item.unwrap_or(line)) else {
            if item.is_some() {
                continue;
            }
            return false;
        };
        entry_only += ENTRY_ONLY.contains(&key) as usize;
        shared += SHARED.contains(&key) as usize;
    }
    entry_only >= 1 || shared >= 2
}

/// The key of a `key:` or `key: value` line.
fn yaml_key(line: &str) -> Option<&str> {
    let (key, rest) = line.split_once(':')?;
    let is_name = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (is_name && (rest.is_empty() || rest.starts_with(' '))).then_some(key)
}

/// A fence line (```` ``` ```` or `~~~`, indented by up to three spaces): its info string.
pub(crate) fn fence_info(line: &str) -> Option<&str> {
    let t = line.trim_end_matches('\r');
    let indent = t.len() - t.trim_start_matches(' ').len();
    let t = &t[indent..];
    if indent > 3 || !(t.starts_with("```") || t.starts_with("~~~")) {
        return None;
    }
    let mark = t.as_bytes()[0];
    Some(t.trim_start_matches(mark as char).trim())
}

/// Markdown with a fenced block of JSON (marked `json`, or unmarked and opening with `{`/`[`).
fn has_fenced_json(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = fence_info(line) else { continue };
        let first = lines.clone().find(|l| !l.trim().is_empty()).unwrap_or("");
        let json_info = matches!(info.split_whitespace().next(), Some("json" | "jsonc" | "json5"));
        if json_info || (info.is_empty() && first.trim_start().starts_with(['{', '['])) {
            return true;
        }
        // Past this block's closing fence.
        for l in lines.by_ref() {
            if fence_info(l).is_some() {
                break;
            }
        }
    }
    false
}

/// The lines sampled to decide whether text is a log: the non-blank ones of the head.
const SAMPLE_LINES: usize = 200;

/// Plain text that looks like a log: at least half of its record lines (non-blank, not
/// indented) carry a time, a date or a level within their first 48 bytes.
pub(crate) fn looks_like_log(head: &[u8]) -> bool {
    static RECORD: OnceLock<Regex> = OnceLock::new();
    let record = RECORD.get_or_init(|| {
        Regex::new(
            r"(?x)
            \b\d{1,2}:\d{2}:\d{2}\b                   # a clock time with seconds
            | \b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}          # 2025-09-11, 2005.06.03
            | \b\d{1,2}/\d{1,2}/\d{2,4}\b              # 17/06/09
            | \b\d{6}[\sT-]\d{6}\b                     # 081109 203615
            | \b\d{10}(?:\d{3})?\b                     # epoch seconds or milliseconds
            | \b(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRIT|CRITICAL|NOTICE|SEVERE|ALERT|EMERG|PANIC)\b
            | (?i:\[(?:error|warn|warning|info|debug|trace|fatal|critical|notice)\])",
        )
        .expect("static regex")
    });
    let text = String::from_utf8_lossy(head);
    let (mut lines, mut records) = (0usize, 0usize);
    // Rails' tagged logging: the `[request-id]` of a logger line, which the lines of a backtrace
    // it writes below carry too.
    let mut tag: Option<&str> = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(SAMPLE_LINES) {
        if line.starts_with([' ', '\t']) || tag.is_some_and(|t| line.starts_with(t)) {
            continue; // a continuation (a stack frame), not a record
        }
        tag = line.split_once(" -- ").and_then(|(_, rest)| {
            let message = rest.split_once(": ")?.1;
            let close = message.find(']')?;
            message.starts_with('[').then(|| &message[..=close])
        });
        lines += 1;
        let mut cut = line.len().min(48);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        records += record.is_match(&line[..cut]) as usize;
    }
    lines > 0 && records * 2 >= lines
}

/// A table of comma-separated values: two lines or more, each with the same number of commas.
/// (A Logs Explorer download is recognized before, by its header.)
fn looks_like_csv_table(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).take(50);
    let commas = |l: &str| l.matches(',').count();
    let Some(first) = lines.next().map(commas).filter(|&n| n > 0) else { return false };
    let mut rest = lines.peekable();
    rest.peek().is_some() && rest.all(|l| commas(l) == first)
}

/// What text that is not a log is: the reason it is skipped for, and why in words.
fn what_text_is(head: &[u8]) -> (&'static str, &'static str) {
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(50).collect();
    let yaml_key = |l: &&&str| {
        let t = l.trim_start().trim_start_matches("- ");
        let key = t.split(':').next().unwrap_or("");
        t.len() > key.len()
            && !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
            && (t[key.len() + 1..].is_empty() || t[key.len() + 1..].starts_with(' '))
    };
    let yaml = lines.iter().filter(yaml_key).count();
    if looks_like_csv_table(head) {
        (
            "skipped: CSV table, not a Logs Explorer download",
            "a CSV table whose header names no LogEntry field (a Logs Explorer download has \
             `timestamp`, `severity`, `logName`, `resource.*` and payload columns)",
        )
    } else if yaml > 0 && yaml * 2 >= lines.len() {
        ("skipped: YAML, not a log", "YAML (configuration), not a log export")
    } else if lines.first().is_some_and(|l| l.starts_with("# ")) {
        (
            "skipped: Markdown without fenced JSON",
            "a Markdown document with no fenced JSON block, so no LogEntries to read",
        )
    } else {
        (
            "skipped: text that does not look like a log",
            "plain text whose lines do not start with a time, a date or a level as log records do \
             (at least half of them must)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_shapes() {
        assert_eq!(detect(b"  [\n {\"a\": 1}\n]", false), Ok(Format::JsonArray));
        assert_eq!(detect(b"[]", false), Ok(Format::JsonArray));
        assert_eq!(detect(b"{\"a\":1}\n{\"a\":2}\n", false), Ok(Format::Ndjson));
        assert_eq!(detect(b"{\"a\":1}", false), Ok(Format::Ndjson));
        assert_eq!(detect(b"{\"a\":1, \"broken\n{\"a\":2}\n", false), Ok(Format::Ndjson));
        assert_eq!(detect(b"{\"a\":\"x\", \"b\": 1 }\r\n{\"a\":2}\n", false), Ok(Format::Ndjson));
        assert_eq!(
            detect(b"{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n", false),
            Ok(Format::ConcatenatedJson)
        );
        assert_eq!(detect(b" \n ", false), Ok(Format::Empty));
        assert_eq!(detect(b"Sep 11 05:17:11 host sshd[1]: ok\n", true), Ok(Format::Text));
    }

    #[test]
    fn detects_wrapped_responses() {
        let api = Ok(Format::Wrapped(Wrapper::LoggingApi));
        assert_eq!(detect(b"{\n  \"entries\": [\n    {\"a\": 1}", false), api);
        assert_eq!(detect(b"{\"nextPageToken\": \"x\"}\n{\"entries\": []}", false), api);
        assert_eq!(detect(b"[{\"entries\": [{\"a\": 1}]}]", false), api);
        let firebase = Ok(Format::Wrapped(Wrapper::FirebaseCli));
        assert_eq!(detect(b"{\n  \"status\": \"success\",\n  \"result\": [", false), firebase);
        assert_eq!(detect(b"{\"status\": \"error\", \"error\": \"x\"}", false), firebase);
        // A LogEntry with a status inside is not a wrapper.
        assert_eq!(detect(b"{\"httpRequest\": {\"status\": 500}}\n", false), Ok(Format::Ndjson));
    }

    #[test]
    fn text_is_a_log_only_when_it_looks_like_one() {
        let spark = b"17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls\n";
        assert_eq!(detect(spark, true), Ok(Format::Text));
        let proxifier = b"[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open\n";
        assert_eq!(detect(proxifier, true), Ok(Format::Text));
        let bracketed = b"[INFO] 2025-09-11 05:17:11 started\n[ERROR] 2025-09-11 05:17:12 boom\n";
        assert_eq!(detect(bracketed, true), Ok(Format::Text));
        assert_eq!(detect(b"[1, 2]", false), Ok(Format::JsonArray));
        let java = b"2025-09-11 05:17:11,123 ERROR boom\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)\n";
        assert_eq!(detect(java, true), Ok(Format::Text));
        let notes = b"call notes 26 May\n\n10:05 dana: seeing 500s\n10:07 sam: pool full\n";
        let refused = detect(notes, true).unwrap_err();
        assert_eq!(refused.reason, "skipped: text that does not look like a log");
        assert!(refused.message.contains("--input-format text"));
        let yaml = detect(b"service: ledger-api\nenv:\n  LOG_LEVEL: WARNING\n", true).unwrap_err();
        assert_eq!(yaml.reason, "skipped: YAML, not a log");
        let csv = detect(b"minute,p95,errors\n2025-05-26T10:00:00Z,182,0.002\n", true).unwrap_err();
        assert_eq!(csv.reason, "skipped: CSV table, not a Logs Explorer download");
        let md = b"# Notes\n\nSome text.\n\n```json\n{\"insertId\": \"a\"}\n```\n";
        assert_eq!(detect(md, true), Ok(Format::Markdown));
        let readme = detect(b"# Bundle\n\nEverything we pulled.\n- a file\n", true).unwrap_err();
        assert_eq!(readme.reason, "skipped: Markdown without fenced JSON");
    }

    #[test]
    fn gclouds_messages_before_json_are_a_preamble() {
        let warned = b"WARNING: Reauthentication required.\n[\n  {\"insertId\": \"a\"}\n]\n";
        assert_eq!(gcloud_preamble(warned), 36);
        let update = b"Updates are available for some Google Cloud CLI components.  To install them,\nplease run:\n  $ gcloud components update\n\n{\"insertId\": \"a\"}\n";
        assert_eq!(&update[gcloud_preamble(update)..], b"{\"insertId\": \"a\"}\n");
        // No JSON after them, or other text first: no preamble.
        assert_eq!(gcloud_preamble(b"WARNING: disk low\nERROR: boom\n"), 0);
        assert_eq!(gcloud_preamble(b"notes\nWARNING: x\n[]\n"), 0);
        assert_eq!(gcloud_preamble(b"[]\n"), 0);
    }

    #[test]
    fn gcloud_yaml_is_told_from_other_yaml_by_its_keys() {
        let gcloud = Ok(Format::Yaml);
        assert_eq!(detect(b"---\ninsertId: abc\nseverity: ERROR\n", true), gcloud);
        assert_eq!(detect(b"httpRequest:\n  status: 500\ninsertId: abc\n---\n", false), gcloud);
        assert_eq!(detect(b"severity: ERROR\ntimestamp: '2025-01-01T00:00:00Z'\n", true), gcloud);
        assert_eq!(detect(b"- insertId: a\n  severity: ERROR\n- insertId: b\n", true), gcloud);
        assert_eq!(detect(b"entries:\n- insertId: a\nnextPageToken: x\n", false), gcloud);
        // Front matter, configuration and manifests are not entries.
        let front = b"---\ntitle: Incident 42\ndate: 2025-05-26\n---\n# What happened\n";
        assert_ne!(detect(front, true), gcloud);
        let manifest = b"apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    app: x\n";
        assert_ne!(detect(manifest, true), gcloud);
        assert_ne!(detect(b"severity: high\nowner: payments\n", true), gcloud);
    }

    #[test]
    fn names_what_it_refuses() {
        let bin = detect(b"\x7fELF\x00\x01", true).unwrap_err();
        assert!(bin.message.contains("binary"));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(detect(&noise, true).is_err(), "random bytes are binary");
        // One NUL in an otherwise fine NDJSON file is the problem of that entry, not the file's.
        assert_eq!(detect(b"{\"a\":1}\n{\"a\":\x00}\n{\"a\":3}\n", false), Ok(Format::Ndjson));
        let text = detect(b"hello password=hunter2\n", false).unwrap_err();
        assert!(text.message.contains("--input-format text"));
        assert!(!text.message.contains("hunter2"), "the input is never quoted");
    }
}
