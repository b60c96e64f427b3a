//! The Logs Explorer's CSV download: one row an entry, LogEntry fields flattened into dotted
//! column names (`resource.labels.service_name`, `jsonPayload.message`). Each row is folded back
//! into a LogEntry object and normalized like any other entry, so every source meets the same
//! rules.

use serde_json::{Map, Value};

/// A row that could not be read: its 1-based line and why.
pub(crate) struct RowError {
    pub(crate) line: u64,
    pub(crate) reason: &'static str,
    pub(crate) detail: String,
}

/// One row, folded back into a LogEntry's JSON text.
pub(crate) struct Row {
    /// 1-based line and byte offset of the row's first byte.
    pub(crate) line: u64,
    pub(crate) offset: u64,
    pub(crate) json: String,
}

pub(crate) struct CsvRows {
    pub(crate) rows: Vec<Row>,
    pub(crate) errors: Vec<RowError>,
    /// Rows found, readable or not.
    pub(crate) count: u64,
}

/// The rows of a Logs Explorer CSV download, each as LogEntry JSON.
pub(crate) fn read_csv(bytes: &[u8]) -> CsvRows {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            let error = RowError { line: 1, reason: "invalid CSV", detail: e.to_string() };
            return CsvRows { rows: Vec::new(), errors: vec![error], count: 0 };
        }
    };
    let mut out = CsvRows { rows: Vec::new(), errors: Vec::new(), count: 0 };
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
        let mut entry = Map::new();
        for (name, cell) in headers.iter().zip(row.iter()) {
            if !cell.is_empty() {
                insert_dotted(&mut entry, name, String::from_utf8_lossy(cell).into_owned());
            }
        }
        out.rows.push(Row {
            line: row.position().map_or(0, |p| p.line()),
            offset: row.position().map_or(0, |p| p.byte()),
            json: Value::Object(entry).to_string(),
        });
    }
    out
}

/// `a.b.c = v` into nested objects; a column that is both a value and a prefix keeps the value.
fn insert_dotted(map: &mut Map<String, Value>, path: &str, value: String) {
    let mut parts = path.split('.').peekable();
    let mut current = map;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.entry(part.to_string()).or_insert(Value::String(value));
            return;
        }
        let next = current.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(m) => current = m,
            _ => return,
        }
    }
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
        assert_eq!(second["httpRequest"]["status"], "503");
        assert!(second.get("jsonPayload").is_none(), "empty cells are left out");
    }
}
