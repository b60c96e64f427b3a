//! Tells what an input holds from its first bytes: a gcloud JSON array, newline-delimited JSON,
//! pretty-printed objects one after another, or something we can name but not read (YAML from a
//! forgotten `--format=json`, a binary file).

use super::json_split::{skip_ws, value_end};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `gcloud logging read --format=json`: one JSON array.
    JsonArray,
    /// A Cloud Storage sink: one entry a line.
    Ndjson,
    /// Pretty-printed objects one after another (copied from the Logs Explorer).
    ConcatenatedJson,
    /// Plain text lines.
    Text,
    /// The Logs Explorer's CSV download (flattened columns such as `jsonPayload.message`).
    Csv,
    /// Nothing at all (or only whitespace).
    Empty,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonArray => "JSON array",
            Format::Ndjson => "newline-delimited JSON",
            Format::ConcatenatedJson => "concatenated JSON objects",
            Format::Text => "plain text",
            Format::Csv => "Logs Explorer CSV",
            Format::Empty => "empty",
        }
    }
}

/// Content we recognize but refuse, with the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub offset: usize,
    pub message: String,
}

/// Detects the format of `bytes` for `--input-format auto|gcp`. `allow_text` lets non-JSON
/// content through as plain text lines (auto); otherwise it is an error (gcp).
pub fn detect(bytes: &[u8], allow_text: bool) -> Result<Format, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // UTF-8 BOM
    let start = skip_ws(bytes, 0);
    if start == bytes.len() {
        return Ok(Format::Empty);
    }
    if let Some(offset) = binary_evidence(bytes) {
        return Err(Unreadable {
            offset,
            message: "this is binary data, not a log export (a log export is JSON or text); \
                      export with `gcloud logging read --format=json`"
                .into(),
        });
    }
    match bytes[start] {
        b'[' => return Ok(Format::JsonArray),
        b'{' => {
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
            return Ok(if first_fits || json_lines > 0 {
                Format::Ndjson
            } else {
                Format::ConcatenatedJson
            });
        }
        _ => {}
    }
    if looks_like_csv_export(&bytes[start..]) {
        return Ok(Format::Csv);
    }
    if looks_like_yaml_export(&bytes[start..]) {
        return Err(Unreadable {
            offset: start,
            message: "this looks like YAML, gcloud's default output; export again with \
                      `gcloud logging read ... --format=json`"
                .into(),
        });
    }
    if allow_text {
        Ok(Format::Text)
    } else {
        Err(Unreadable {
            offset: start,
            message: format!(
                "expected a JSON array or JSON objects (a Cloud Logging export), found {:?}; \
                 use --input-format text for plain-text logs",
                preview(&bytes[start..])
            ),
        })
    }
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

/// A header line naming LogEntry columns, as the Logs Explorer's "Download → CSV" writes it.
fn looks_like_csv_export(bytes: &[u8]) -> bool {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let first = String::from_utf8_lossy(first);
    let columns: Vec<&str> =
        first.trim_end().split(',').map(|c| c.trim().trim_matches('"')).collect();
    columns.len() >= 2
        && columns
            .iter()
            .any(|c| matches!(*c, "timestamp" | "receiveTimestamp" | "severity" | "insertId"))
        && columns.iter().any(|c| {
            c.starts_with("jsonPayload")
                || c.starts_with("textPayload")
                || c.starts_with("resource.")
                || *c == "logName"
        })
}

fn looks_like_yaml_export(bytes: &[u8]) -> bool {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let first = std::str::from_utf8(first).unwrap_or("").trim_end();
    first == "---"
        || [
            "insertId:",
            "- insertId:",
            "logName:",
            "httpRequest:",
            "jsonPayload:",
            "textPayload:",
            "protoPayload:",
            "receiveTimestamp:",
            "resource:",
            "severity:",
            "timestamp:",
        ]
        .iter()
        .any(|k| first.starts_with(k))
}

/// The first few characters of some content, for error messages.
pub(crate) fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]);
    text.lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_shapes() {
        assert_eq!(detect(b"  [\n {\"a\": 1}\n]", false), Ok(Format::JsonArray));
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
    fn names_what_it_refuses() {
        let yaml = detect(b"---\ninsertId: abc\nseverity: ERROR\n", true).unwrap_err();
        assert!(yaml.message.contains("--format=json"), "{}", yaml.message);
        let bin = detect(b"\x7fELF\x00\x01", true).unwrap_err();
        assert!(bin.message.contains("binary"));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(detect(&noise, true).is_err(), "random bytes are binary");
        // One NUL in an otherwise fine NDJSON file is the problem of that entry, not the file's.
        assert_eq!(detect(b"{\"a\":1}\n{\"a\":\x00}\n{\"a\":3}\n", false), Ok(Format::Ndjson));
        let text = detect(b"hello world\n", false).unwrap_err();
        assert!(text.message.contains("--input-format text"));
    }
}
