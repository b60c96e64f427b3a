//! What the property tests (`tests/fuzz_readers.rs`) and the cargo-fuzz targets (`fuzz/`) share:
//! the dictionaries inputs are built from, and the checks every reader must pass. The fuzz
//! targets include this file with `#[path]`, so a check is written once and runs in both.

#![allow(dead_code)]

use log_gardener::config::Config;
use log_gardener::normalize::record::Record;
use log_gardener::normalize::redact::default_redactor;
use log_gardener::normalize::text::LineFormat;
use log_gardener::normalize::Normalizer;
use log_gardener::normalize::Severity;
use log_gardener::pipeline::read_records;
use log_gardener::pipeline::{run, Options};
use log_gardener::read::json_split::{split_array, End, Span, WrappedSplitter};
use log_gardener::read::{InputFormat, InputReport, Problem, ReadOptions, Source};
use serde_json::Value;
use std::io::Write;

/// Line formats (Loghub notation) that text inputs are read with.
pub const LINE_FORMATS: &[&str] = &[
    "<Content>",
    "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    r"\[<Level>\] <Content>",
    "<Timestamp> <Level> <Content>",
    "<Date> <Time>,<Ms> <Level> [<Component>] <Content>",
];

/// LogEntry field names, top level and nested, that LogEntry-like inputs are built from.
pub const KEYS: &[&str] = &[
    "timestamp",
    "receiveTimestamp",
    "receive_timestamp",
    "severity",
    "resource",
    "labels",
    "jsonPayload",
    "json_payload",
    "textPayload",
    "text_payload",
    "protoPayload",
    "httpRequest",
    "insertId",
    "logName",
    "trace",
    "spanId",
    "sourceLocation",
    "errorGroups",
    "type",
    "service_name",
    "revision_name",
    "project_id",
    "job_name",
    "execution_name",
    "container_name",
    "namespace_name",
    "pod_name",
    "function_name",
    "module_id",
    "version_id",
    "python_logger",
    "instanceId",
    "status",
    "message",
    "methodName",
    "serviceName",
    "requestMethod",
    "requestUrl",
    "file",
    "function",
    "id",
    "msg",
    "error",
    "exception",
    "stack_trace",
    "stackTrace",
    "traceback",
    "level",
    "levelname",
    "logger",
    "name",
    "loggerName",
    "password",
    "token",
];

/// Values that exercise parsing: severities, times, log names, URLs, stack traces, secrets.
pub const STRINGS: &[&str] = &[
    "",
    "ERROR",
    "warn",
    "E",
    "500",
    "2025-09-11T05:17:11.373739Z",
    "2025-09-11T05:17:11+02:00",
    "9999-12-31T23:59:59.999999999Z",
    "0000-01-01T00:00:00Z",
    "projects/p/logs/run.googleapis.com%2Fstderr",
    "projects/",
    "https://u:pw@host/a/b?q=1#f",
    "://",
    "Traceback (most recent call last):\n  File \"x\", line 1",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "password=hunter2",
    "\u{0}\u{ffff}",
    "<redacted:secret>",
];

/// Spans inside the input, non-empty, in order, without overlap; the end names a real offset.
pub fn check_spans(bytes: &[u8], from: usize, spans: &[Span], end: &End) {
    let mut prev = from;
    for s in spans {
        assert!(s.start >= prev, "span {s:?} starts before {prev}");
        assert!(s.start < s.end, "empty span {s:?}");
        assert!(s.end <= bytes.len(), "span {s:?} beyond {}", bytes.len());
        prev = s.end;
    }
    match *end {
        End::Truncated { start } => assert!(start >= prev && start < bytes.len()),
        End::Unexpected { offset, byte } => {
            assert!(offset >= prev && offset < bytes.len());
            assert_eq!(bytes[offset], byte);
        }
        End::Clean | End::UnclosedArray => {}
    }
}

/// The whole array splits into its elements; every cut of it gives complete entries that parse
/// and is never reported as clean.
pub fn check_array_and_prefixes(text: &[u8]) {
    // Elements as serde_json reads them back (floats do not always survive a round trip).
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(text) else {
        panic!("not a JSON array: {}", String::from_utf8_lossy(text))
    };
    let open = text.iter().position(|&b| b == b'[').unwrap();
    let (spans, end) = split_array(text, open);
    assert_eq!(end, End::Clean);
    assert_eq!(spans.len(), items.len());
    for (s, item) in spans.iter().zip(&items) {
        let v: Value = serde_json::from_slice(&text[s.start..s.end]).unwrap();
        assert_eq!(&v, item);
    }
    let last = text.iter().rposition(|&b| b == b']').unwrap();
    for cut in open + 1..=last {
        let prefix = &text[..cut];
        let (spans, end) = split_array(prefix, open);
        check_spans(prefix, open + 1, &spans, &end);
        assert_ne!(end, End::Clean, "cut at {cut} reported clean");
        for s in &spans {
            let slice = &prefix[s.start..s.end];
            assert!(
                serde_json::from_slice::<Value>(slice).is_ok(),
                "cut at {cut}: returned entry {:?} does not parse",
                String::from_utf8_lossy(slice)
            );
        }
    }
}

/// Every non-blank line is in exactly one record's entry ids or in a problem.
pub fn check_text_accounting(format: &LineFormat, body: &[u8]) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(body).unwrap();
    file.flush().unwrap();
    let label = file.path().display().to_string();
    let normalizer =
        Normalizer { line_format: Some(format.clone()), entry_ids: true, ..Normalizer::default() };
    let options = ReadOptions { input_format: InputFormat::Text, ..ReadOptions::default() };
    let (records, inputs, problems) =
        read_records(&[Source::File(file.path().to_path_buf())], &options, &normalizer);
    let unmatched = problems.iter().filter_map(|p| p.position.strip_prefix("line "));
    let text = String::from_utf8_lossy(body);
    let wanted: Vec<u64> = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| !l.strip_suffix('\r').unwrap_or(l).trim().is_empty())
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut got: Vec<u64> = records
        .iter()
        .flat_map(|r| r.entry_ids.iter())
        .map(|id| id.strip_prefix(&format!("{label}:")).unwrap().parse::<u64>().unwrap())
        .chain(unmatched.map(|n| n.parse::<u64>().unwrap()))
        .collect();
    got.sort_unstable();
    assert_eq!(got, wanted, "lines not accounted for");
    let entries: u64 = inputs.iter().map(|i| i.entries).sum();
    if !wanted.is_empty() {
        assert_eq!(entries, wanted.len() as u64);
    }
    for r in &records {
        assert!(!r.entry_ids.is_empty());
        assert_eq!(r.entries as usize, r.entry_ids.len());
        assert_eq!(r.origin.line.to_string(), r.entry_ids[0].rsplit(':').next().unwrap());
    }
}

/// read_all and pipeline::run on a file with these bytes: no panic, and the books balance.
pub fn check_pipeline(
    body: &[u8],
    input_format: InputFormat,
    gzip: bool,
    min_severity: Severity,
    since: Option<String>,
) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body).unwrap();
        file.write_all(&gz.finish().unwrap()).unwrap();
    } else {
        file.write_all(body).unwrap();
    }
    file.flush().unwrap();
    let path = file.path().to_path_buf();

    let (records, inputs, problems) = read_records(
        &[Source::File(path.clone())],
        &ReadOptions { input_format, ..ReadOptions::default() },
        &Normalizer::default(),
    );
    let entries: u64 = inputs.iter().map(|i| i.entries).sum();
    let skipped: u64 = problems.iter().map(|p| p.entries).sum();
    let in_records: u64 = records.iter().map(|r| r.entries as u64).sum();
    assert_eq!(entries, skipped + in_records, "read_records: entries != skipped + in records");

    let options = Options {
        inputs: vec![path],
        min_severity,
        since,
        until: None,
        services: Vec::new(),
        input_format,
        line_format: None,
        assignments: true,
        progress: None,
        message_budget: None,
    };
    match run(
        options,
        &Config::defaults().rules,
        default_redactor(),
        &log_gardener::judge::history::Choice::None,
    ) {
        Ok(verdict) => {
            let report =
                log_gardener::render::build::build(&verdict, "2025-01-01T00:00:00Z".into());
            let (t, out_of_scope) = (&report.totals, report.totals.entries_out_of_scope);
            assert_eq!(
                t.entries_read,
                t.entries_skipped + t.duplicates + out_of_scope + t.entries_in_scope,
                "books do not balance: {t:?}"
            );
            assert_eq!(t.entries_read, entries);
        }
        // The one failure a readable file may give: nothing in it at all.
        Err(e) => {
            assert_eq!(entries, 0, "the pipeline failed on a file with {entries} entries: {e}");
            assert!(e.0.starts_with("nothing could be read"), "unexpected failure: {e}");
        }
    }
}

/// The wrapped-response splitter on `data`: spans sound; and split in two pieces at `cut` (the
/// first not the end of the input, then resumed where it said), it finds the same entries and
/// ends the same way as on the whole.
pub fn check_wrapped(data: &[u8], cut: usize) {
    let mut whole = WrappedSplitter::default();
    let (spans, _) = whole.split(data, true);
    let end = whole.stop.clone().expect("the end of the input stops the splitter");
    check_spans(data, 0, &spans, &end);

    let cut = cut.min(data.len());
    let mut pieces = WrappedSplitter::default();
    let (mut got, resume) = pieces.split(&data[..cut], false);
    assert!(resume <= cut, "resume {resume} beyond the piece ({cut})");
    if let Some(stop) = pieces.stop.clone() {
        // Stopped in the first piece: only for a byte that cannot be read, found on the whole too.
        assert!(matches!(stop, End::Unexpected { .. }), "{stop:?}");
        assert_eq!(stop, end);
        assert_eq!(got, spans[..got.len()]);
        return;
    }
    let (rest, _) = pieces.split(&data[resume..], true);
    got.extend(rest.iter().map(|s| Span { start: s.start + resume, end: s.end + resume }));
    assert_eq!(got, spans, "cut at {cut}");
    let shifted = match pieces.stop.clone().unwrap() {
        End::Truncated { start } => End::Truncated { start: start + resume },
        End::Unexpected { offset, byte } => End::Unexpected { offset: offset + resume, byte },
        other => other,
    };
    assert_eq!(shifted, end, "cut at {cut}");
}

/// How a body is written to a file: as it is, UTF-16LE or UTF-16BE with a BOM (Windows
/// PowerShell's `>`), or UTF-8 with a BOM and CRLF line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf8BomCrlf,
}

pub const ENCODINGS: [Encoding; 4] =
    [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be, Encoding::Utf8BomCrlf];

/// `text` in `encoding`.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf16Le => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        Encoding::Utf16Be => {
            let mut out = vec![0xFE, 0xFF];
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            out
        }
        Encoding::Utf8BomCrlf => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
            out
        }
    }
}

/// `text` read as a file in every encoding gives the same entries, problems and messages as in
/// UTF-8 (CRLF aside, which only moves byte offsets).
pub fn check_encodings_agree(text: &str, input_format: InputFormat) {
    let read = |encoding| {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&encode(text, encoding)).unwrap();
        file.flush().unwrap();
        let options = ReadOptions { input_format, ..ReadOptions::default() };
        let normalizer = Normalizer::default();
        let (records, inputs, problems) =
            read_records(&[Source::File(file.path().to_path_buf())], &options, &normalizer);
        let messages: Vec<String> = records.iter().map(|r| r.message.to_string()).collect();
        let reasons: Vec<String> = problems.iter().map(|p| p.reason.clone()).collect();
        (inputs[0].entries, messages, reasons)
    };
    let utf8 = read(Encoding::Utf8);
    for encoding in [Encoding::Utf16Le, Encoding::Utf16Be] {
        assert_eq!(read(encoding), utf8, "{encoding:?}");
    }
}

/// A Logs Explorer CSV of `entries` (LogEntry-like objects): columns the sorted union of their
/// flattened paths (map keys quoted when they are not identifiers), every cell with characters
/// beyond letters, digits, space and `._/[]` guarded by a `'`, arrays as JSON text.
pub fn logs_explorer_csv(entries: &[Value]) -> String {
    fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    let plain = !k.is_empty()
                        && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@');
                    let key = if plain { k.clone() } else { format!("\"{}\"", k.replace('"', "")) };
                    let path = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                    flatten(&path, v, out);
                }
            }
            Value::Object(_) | Value::Null => out.push((prefix.to_string(), String::new())),
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    fn cell(text: &str) -> String {
        let plain = text.chars().all(|c| c.is_ascii_alphanumeric() || " ._/[]".contains(c));
        let guarded = if plain { text.to_string() } else { format!("'{text}") };
        if guarded.contains([',', '"', '\n', '\r']) || guarded.starts_with('\'') {
            format!("\"{}\"", guarded.replace('"', "\"\""))
        } else {
            guarded
        }
    }
    let rows: Vec<Vec<(String, String)>> = entries
        .iter()
        .map(|e| {
            let mut cells = Vec::new();
            flatten("", e, &mut cells);
            cells.retain(|(path, _)| !path.is_empty());
            cells
        })
        .collect();
    let mut columns: Vec<String> = rows.iter().flatten().map(|(p, _)| p.clone()).collect();
    columns.sort();
    columns.dedup();
    let mut csv = columns.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    for row in &rows {
        csv.push('\n');
        let line: Vec<String> = columns
            .iter()
            .map(|c| row.iter().find(|(p, _)| p == c).map_or(String::new(), |(_, v)| cell(v)))
            .collect();
        csv.push_str(&line.join(","));
    }
    csv
}

/// Reads `text` (an export in `format`) through the library: one entry per row or document,
/// each in a record or counted as skipped.
pub fn check_rows(text: &str, format: &str, rows: u64) {
    let (records, inputs, problems) = read_as_file(text.as_bytes());
    assert_eq!(inputs[0].format, format, "{text}");
    assert_eq!(inputs[0].entries, rows, "{text}");
    let skipped: u64 = problems.iter().map(|p| p.entries).sum();
    assert_eq!(records.len() as u64 + skipped, rows, "{problems:?}");
}

/// Reads `bytes` as a file through the library: entries = those in records + those skipped.
pub fn check_read_balances(bytes: &[u8]) {
    let (records, inputs, problems) = read_as_file(bytes);
    let in_records: u64 = records.iter().map(|r| r.entries as u64).sum();
    let skipped: u64 = problems.iter().map(|p| p.entries).sum();
    assert_eq!(inputs[0].entries, in_records + skipped, "{problems:?}");
}

/// `bytes` written to a file and read through the library with the default options.
fn read_as_file(bytes: &[u8]) -> (Vec<Record<'static>>, Vec<InputReport>, Vec<Problem>) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file.flush().unwrap();
    read_records(
        &[Source::File(file.path().to_path_buf())],
        &ReadOptions::default(),
        &Normalizer::default(),
    )
}

/// `entries` as `gcloud logging read` prints them by default: YAML documents between `---`.
pub fn gcloud_yaml(entries: &[Value]) -> String {
    let documents: Vec<String> =
        entries.iter().map(|e| serde_yaml_ng::to_string(e).unwrap()).collect();
    documents.join("---\n")
}

/// `entries` as Logging API responses: `pages` pages (some without `entries`), concatenated.
pub fn api_pages(entries: &[Value], pages: usize) -> String {
    let pages = pages.max(1);
    let per = entries.len().div_ceil(pages).max(1);
    let mut out = String::new();
    for (i, chunk) in entries.chunks(per).enumerate() {
        let page = serde_json::json!({"entries": chunk, "nextPageToken": format!("t{i}")});
        out.push_str(&serde_json::to_string_pretty(&page).unwrap());
        out.push_str("\n{\"nextPageToken\": \"empty\"}\n");
    }
    out
}

pub fn check_idempotent(text: &str) {
    let r = default_redactor();
    let once = r.redact(text).into_owned();
    let twice = r.redact(&once);
    assert_eq!(twice, once, "redaction not idempotent for {text:?}");
}
