//! The Logs Explorer's CSV download: one row an entry, LogEntry fields flattened into dotted
//! column names (`resource.labels.service_name`, `jsonPayload.message`, map keys quoted:
//! `labels."goog-managed-by"`). Each row is folded back into the LogEntry object the JSON
//! exports hold and normalized like any other entry, so every source meets the same rules.
//!
//! What the download does to values, undone here:
//! - a cell (header cells too) holding anything but letters, digits, space and `._/[]` starts
//!   with a `'`, the spreadsheet guard (`'2025-05-26T12:01:02Z`, `'my-project`, `'-42`); since
//!   `'` itself triggers the guard, every cell that starts with one has one, and exactly one
//!   `'` is taken off;
//! - every value is text: the fields the LogEntry format types (`httpRequest.status`,
//!   `traceSampled`, `operation.first`, `protoPayload.status.code`) get their type back, and
//!   payload values their JSON type where the text is exactly what JSON would write (`3`,
//!   `true`, `[..]`); labels stay text, as the format has them;
//! - a repeated message (`protoPayload.authorizationInfo[]`) becomes one column per leaf, each
//!   holding a JSON array over the elements (`'[null,true]`): leaves under one field whose cells
//!   are all arrays of one length are zipped back into an array of objects;
//! - an empty cell is a field that was absent.

use super::folded::{FoldedRows, Row, RowError};
use serde_json::{Map, Value};

/// The rows of a Logs Explorer CSV download, each as LogEntry JSON.
pub(crate) fn read_csv(bytes: &[u8]) -> FoldedRows {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<Vec<String>> = match reader.headers() {
        Ok(h) => h.iter().map(|c| column_path(unguarded(c.trim()))).collect(),
        Err(e) => {
            let error = RowError { line: 1, reason: "invalid CSV", detail: e.to_string() };
            return FoldedRows { rows: Vec::new(), errors: vec![error], count: 0 };
        }
    };
    let mut out = FoldedRows::default();
    for row in reader.byte_records() {
        out.count += 1;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RowError { line, reason: "invalid CSV", detail: e.to_string() });
                continue;
            }
        };
        let cells: Vec<(&[String], Value)> = headers
            .iter()
            .zip(row.iter())
            .filter(|(path, cell)| !cell.is_empty() && !path.is_empty())
            .map(|(path, cell)| {
                let text = String::from_utf8_lossy(cell);
                (path.as_slice(), typed(path, unguarded(&text)))
            })
            .collect();
        out.rows.push(Row {
            line: row.position().map_or(0, |p| p.line()),
            offset: row.position().map_or(0, |p| p.byte()),
            json: Value::Object(entry_of(cells)).to_string(),
        });
    }
    out
}

/// A cell without the spreadsheet guard.
fn unguarded(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// `labels."run.googleapis.com/task_index"` → `["labels", "run.googleapis.com/task_index"]`.
fn column_path(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    for c in name.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    if parts.iter().any(String::is_empty) {
        return Vec::new(); // not a field path; the column is left out
    }
    parts
}

/// A cell's value with the type the LogEntry format gives its field.
fn typed(path: &[String], text: &str) -> Value {
    let leaf = path.last().map_or("", String::as_str);
    let boolean = || match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => None,
    };
    let typed = match (path[0].as_str(), leaf) {
        ("traceSampled", _) | ("operation", "first" | "last") => boolean(),
        ("httpRequest", "cacheHit" | "cacheLookup" | "cacheValidatedWithOriginServer") => boolean(),
        ("httpRequest", "status") => text.parse::<u64>().ok().map(Value::from),
        ("jsonPayload" | "protoPayload", _) => json_literal(text),
        _ => None,
    };
    typed.unwrap_or_else(|| Value::String(text.to_string()))
}

/// The JSON value a payload cell holds, when the text is exactly how JSON writes it (`3`,
/// `true`, `[...]`); `-12.50` stays text, since JSON would have written the number `-12.5`.
fn json_literal(text: &str) -> Option<Value> {
    let first = *text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'[' | b'{' | b't' | b'f' | b'n')) {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let exact = match &value {
        Value::Number(n) => n.to_string() == text,
        _ => true,
    };
    exact.then_some(value)
}

/// A cell under a repeated message: its path below the message, and its array of values.
type Leaf<'c> = (&'c [String], &'c Value);

/// The LogEntry object of a row's cells, repeated messages zipped back into arrays.
fn entry_of(cells: Vec<(&[String], Value)>) -> Map<String, Value> {
    let repeated = repeated_prefixes(&cells);
    let mut entry = Map::new();
    let mut zipped: Vec<(&[String], Vec<Leaf>)> = Vec::new();
    for (path, value) in &cells {
        match repeated.iter().find(|p| path.starts_with(p)) {
            Some(prefix) => match zipped.iter_mut().find(|(p, _)| p == prefix) {
                Some((_, leaves)) => leaves.push((&path[prefix.len()..], value)),
                None => zipped.push((prefix, vec![(&path[prefix.len()..], value)])),
            },
            None => insert(&mut entry, path, value.clone()),
        }
    }
    for (prefix, leaves) in zipped {
        let n = leaves.first().and_then(|(_, v)| v.as_array()).map_or(0, Vec::len);
        let elements = (0..n)
            .map(|i| {
                let mut element = Map::new();
                for (rest, value) in &leaves {
                    match value.as_array().and_then(|a| a.get(i)) {
                        Some(Value::Null) | None => {}
                        Some(v) => insert(&mut element, rest, v.clone()),
                    }
                }
                Value::Object(element)
            })
            .collect();
        insert(&mut entry, prefix, Value::Array(elements));
    }
    entry
}

/// The fields of a row that were repeated messages: the shortest prefixes (below a payload) with
/// at least two leaves under them, all arrays of one length.
fn repeated_prefixes<'p>(cells: &[(&'p [String], Value)]) -> Vec<&'p [String]> {
    let mut found: Vec<&[String]> = Vec::new();
    for (path, value) in cells {
        if !value.is_array() || found.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        for len in 2..path.len() {
            let prefix = &path[..len];
            let leaves: Vec<&Value> =
                cells.iter().filter(|(p, _)| p.starts_with(prefix)).map(|(_, v)| v).collect();
            let n = value.as_array().map_or(0, Vec::len);
            let zip = leaves.len() >= 2
                && leaves.iter().all(|v| v.as_array().is_some_and(|a| a.len() == n));
            if zip {
                found.push(prefix);
                break;
            }
        }
    }
    found
}

/// `a.b.c = v` into nested objects; a column that is both a value and a prefix keeps the value.
fn insert(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut current = map;
    for part in parents {
        let next = current.entry(part.clone()).or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(m) => current = m,
            _ => return,
        }
    }
    current.entry(last.clone()).or_insert(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_columns_become_entries() {
        let csv = "timestamp,severity,resource.labels.service_name,jsonPayload.message,insertId,httpRequest.status\n\
                   2025-09-11T05:17:11.373Z,ERROR,backend,\"Failed, with comma\",id1,\n\
                   2025-09-11T05:17:12Z,WARNING,backend,,id2,503\n";
        let out = read_csv(csv.as_bytes());
        assert_eq!(out.count, 2);
        assert!(out.errors.is_empty());
        let first: Value = serde_json::from_str(&out.rows[0].json).unwrap();
        assert_eq!(first["resource"]["labels"]["service_name"], "backend");
        assert_eq!(first["jsonPayload"]["message"], "Failed, with comma");
        assert_eq!(out.rows[0].line, 2);
        let second: Value = serde_json::from_str(&out.rows[1].json).unwrap();
        assert_eq!(second["httpRequest"]["status"], 503);
        assert!(second.get("jsonPayload").is_none(), "empty cells are left out");
    }

    #[test]
    fn guards_quoted_keys_types_and_repeated_messages() {
        let csv = "\"'labels.\"\"goog-managed-by\"\"\",protoPayload.authorizationInfo.granted,\
                   protoPayload.authorizationInfo.permission,protoPayload.resourceLocation.currentLocations,\
                   protoPayload.status.code,jsonPayload.amount,jsonPayload.n,timestamp,traceSampled\n\
                   cloudfunctions,\"'[null,true]\",\"'[\"\"a.get\"\",\"\"a.set\"\"]\",\"'[\"\"eu\"\"]\",7,\"'-12.50\",3,\"'2025-05-26T12:01:02Z\",true\n";
        let out = read_csv(csv.as_bytes());
        let e: Value = serde_json::from_str(&out.rows[0].json).unwrap();
        assert_eq!(e["labels"]["goog-managed-by"], "cloudfunctions");
        assert_eq!(e["timestamp"], "2025-05-26T12:01:02Z");
        assert_eq!(e["traceSampled"], true);
        assert_eq!(e["protoPayload"]["status"]["code"], 7);
        assert_eq!(e["jsonPayload"]["amount"], "-12.50");
        assert_eq!(e["jsonPayload"]["n"], 3);
        assert_eq!(
            e["protoPayload"]["authorizationInfo"],
            serde_json::json!([{"permission": "a.get"}, {"granted": true, "permission": "a.set"}])
        );
        assert_eq!(
            e["protoPayload"]["resourceLocation"]["currentLocations"],
            serde_json::json!(["eu"])
        );
    }
}
