//! gcloud's default output: `gcloud logging read` without `--format=json` prints each entry as a
//! YAML document, documents separated by `---` lines, keys sorted, timestamps and numeric label
//! values quoted, long text folded over indented lines or written as a `|-` block. Each document
//! is read with a YAML parser and written back as the LogEntry JSON the other exports hold, so
//! every source meets the same normalizer.
//!
//! Also read: a document holding a list of entries (`- insertId: ...`, JSON arrays converted to
//! YAML) and an API response (`entries:` with the list under it). A document that is not YAML,
//! or holds something other than entries, is a problem at its first line; the documents around
//! it are read.
//!
//! The input is read whole (like the CSV download); documents are parsed in parallel.

use super::folded::{FoldedRows, Row, RowError};
use rayon::prelude::*;
use serde_json::Value;

/// A document: its text, and the 1-based line and byte offset where that text starts.
struct Document<'a> {
    text: &'a str,
    line: u64,
    offset: u64,
}

/// The entries of a gcloud YAML output, each as LogEntry JSON.
pub(crate) fn read_yaml(bytes: &[u8]) -> FoldedRows {
    let text = String::from_utf8_lossy(bytes);
    let parsed: Vec<Result<Vec<Row>, RowError>> =
        documents(&text).par_iter().map(entries_of).collect();
    let mut out = FoldedRows::default();
    for result in parsed {
        match result {
            Ok(rows) => {
                out.count += rows.len() as u64;
                out.rows.extend(rows);
            }
            Err(error) => {
                out.count += 1;
                out.errors.push(error);
            }
        }
    }
    out
}

/// The documents of `text`: what lies between `---` (and `...`) lines, blank ones left out.
fn documents(text: &str) -> Vec<Document<'_>> {
    let mut out = Vec::new();
    let (mut start, mut start_line) = (0usize, 1u64);
    let mut offset = 0usize;
    for (number, line) in (1u64..).zip(text.split_inclusive('\n')) {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." || bare.starts_with("--- ") {
            push_document(&mut out, text, start, offset, start_line);
            start = offset + line.len();
            start_line = number + 1;
        }
        offset += line.len();
    }
    push_document(&mut out, text, start, text.len(), start_line);
    out
}

fn push_document<'a>(
    out: &mut Vec<Document<'a>>,
    text: &'a str,
    start: usize,
    end: usize,
    line: u64,
) {
    let body = &text[start..end];
    let has_content = body.lines().any(|l| {
        let l = l.trim_start();
        !l.is_empty() && !l.starts_with('#')
    });
    if has_content {
        out.push(Document { text: body, line, offset: start as u64 });
    }
}

/// The entries one document holds.
fn entries_of(doc: &Document) -> Result<Vec<Row>, RowError> {
    let value: Value = serde_yaml_ng::from_str(doc.text).map_err(|e| yaml_error(doc, &e))?;
    let items = match value {
        Value::Object(mut map) if is_api_response(&map) => match map.remove("entries") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err(not_entries(doc)),
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(_) => {
                Ok(Row { line: doc.line, offset: doc.offset, json: item.to_string() })
            }
            _ => Err(not_entries(doc)),
        })
        .collect()
}

/// `{entries: [...], nextPageToken: ...}`: a response, not an entry with a field of that name.
fn is_api_response(map: &serde_json::Map<String, Value>) -> bool {
    matches!(map.get("entries"), Some(Value::Array(_)))
        && map.keys().all(|k| k == "entries" || k == "nextPageToken")
}

fn not_entries(doc: &Document) -> RowError {
    RowError {
        line: doc.line,
        reason: "not a log entry",
        detail: "this YAML document holds neither a LogEntry mapping nor a list of them".into(),
    }
}

/// The parser's complaint, at the document's first line (where the entry is found again; the
/// parser may notice an unclosed bracket only at the document's end, which it names). Messages
/// that could quote the input (it may hold secrets, and reading has no redactor) are replaced
/// by a description.
fn yaml_error(doc: &Document, error: &serde_yaml_ng::Error) -> RowError {
    let message = error.to_string();
    let what = message.split(" at line ").next().unwrap_or_default();
    let what = if what.contains(['"', '`', '\'']) { "" } else { what };
    let stopped = error.location().map(|l| doc.line + l.line().saturating_sub(1) as u64);
    let detail = match (what, stopped) {
        ("", None) => "this YAML document cannot be read".to_string(),
        ("", Some(at)) => format!("this YAML document cannot be read (stopped at line {at})"),
        (what, None) => format!("this YAML document cannot be read: {what}"),
        (what, Some(at)) => {
            format!("this YAML document cannot be read: {what} (stopped at line {at})")
        }
    };
    RowError { line: doc.line, reason: "invalid YAML", detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(yaml: &str) -> Vec<Value> {
        let rows = read_yaml(yaml.as_bytes());
        assert!(
            rows.errors.is_empty(),
            "{:?}",
            rows.errors.iter().map(|e| &e.detail).collect::<Vec<_>>()
        );
        rows.rows.iter().map(|r| serde_json::from_str(&r.json).unwrap()).collect()
    }

    #[test]
    fn documents_between_separators_are_entries_with_their_first_line() {
        let yaml = "insertId: a\nseverity: ERROR\n---\ninsertId: b\ntextPayload: |-\n  line one\n  line two\n---\n";
        let rows = read_yaml(yaml.as_bytes());
        assert_eq!(rows.count, 2);
        assert_eq!(rows.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 4]);
        let second: Value = serde_json::from_str(&rows.rows[1].json).unwrap();
        assert_eq!(second["textPayload"], "line one\nline two");
    }

    #[test]
    fn quoted_timestamps_and_labels_stay_text_and_statuses_numbers() {
        let yaml = "---\nhttpRequest:\n  status: 503\nresource:\n  labels:\n    instance_id: '6275470258441220297'\ntimestamp: '2026-08-24T07:27:02.136622Z'\ntraceSampled: true\n";
        let entry = &entries(yaml)[0];
        assert_eq!(entry["httpRequest"]["status"], 503);
        assert_eq!(entry["resource"]["labels"]["instance_id"], "6275470258441220297");
        assert_eq!(entry["timestamp"], "2026-08-24T07:27:02.136622Z");
        assert_eq!(entry["traceSampled"], true);
    }

    #[test]
    fn folded_plain_text_is_joined_with_spaces() {
        let yaml = "protoPayload:\n  requestMetadata:\n    callerSuppliedUserAgent: google-cloud-sdk gcloud/581.0.0\n      command/gcloud.compute.instances.add-tags\nseverity: NOTICE\n";
        let agent = &entries(yaml)[0]["protoPayload"]["requestMetadata"]["callerSuppliedUserAgent"];
        assert_eq!(
            agent,
            "google-cloud-sdk gcloud/581.0.0 command/gcloud.compute.instances.add-tags"
        );
    }

    #[test]
    fn lists_and_api_responses_hold_several_entries() {
        assert_eq!(entries("- insertId: a\n- insertId: b\n").len(), 2);
        let response = "entries:\n- insertId: a\n- insertId: b\nnextPageToken: xyz\n";
        assert_eq!(entries(response).len(), 2);
        // An entry whose payload has a field called entries is still one entry.
        assert_eq!(entries("jsonPayload:\n  entries: []\ninsertId: a\n").len(), 1);
    }

    #[test]
    fn a_broken_document_is_a_problem_at_its_line_and_the_others_are_read() {
        let yaml = "insertId: a\n---\ninsertId: b\n  severity: [ERROR\n---\ninsertId: c\n";
        let rows = read_yaml(yaml.as_bytes());
        assert_eq!(rows.count, 3);
        assert_eq!(rows.rows.len(), 2);
        assert_eq!(rows.errors.len(), 1);
        assert_eq!(rows.errors[0].reason, "invalid YAML");
        assert_eq!(rows.errors[0].line, 3);
        assert!(rows.errors[0].detail.contains("(stopped at line 4)"), "{}", rows.errors[0].detail);
        assert!(!rows.errors[0].detail.contains("ERROR"), "{}", rows.errors[0].detail);
    }

    #[test]
    fn a_scalar_document_is_not_an_entry() {
        let rows = read_yaml(b"insertId: a\n---\njust some words\n");
        assert_eq!((rows.rows.len(), rows.errors.len()), (1, 1));
        assert_eq!(rows.errors[0].reason, "not a log entry");
        assert_eq!(rows.errors[0].line, 3);
    }
}
