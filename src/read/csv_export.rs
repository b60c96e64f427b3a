//! The Logs Explorer's CSV download: one row an entry, LogEntry fields flattened into dotted
//! column names (`resource.labels.service_name`, `jsonPayload.message`). Each row is folded back
//! into a LogEntry object and normalized like any other entry, so every source meets the same
//! rules.

use crate::normalize::gcp::parse_entry;
use crate::normalize::record::{Origin, Record};
use crate::normalize::redact::Redactor;
use serde_json::{Map, Value};

/// A row that could not be read: its 1-based line and why.
pub struct RowError {
    pub line: u64,
    pub reason: &'static str,
    pub detail: String,
}

pub struct CsvRead {
    pub records: Vec<Record<'static>>,
    pub errors: Vec<RowError>,
    pub rows: u64,
}

pub fn read_csv(bytes: &[u8], label: &str, input: u32, redactor: &Redactor) -> CsvRead {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            return CsvRead {
                records: Vec::new(),
                errors: vec![RowError { line: 1, reason: "invalid CSV", detail: e.to_string() }],
                rows: 0,
            }
        }
    };
    let mut out = CsvRead { records: Vec::new(), errors: Vec::new(), rows: 0 };
    for row in reader.byte_records() {
        out.rows += 1;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RowError { line, reason: "invalid CSV", detail: e.to_string() });
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let offset = row.position().map_or(0, |p| p.byte());
        let mut entry = Map::new();
        for (name, cell) in headers.iter().zip(row.iter()) {
            if cell.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(cell).into_owned();
            insert_dotted(&mut entry, name, text);
        }
        let json = Value::Object(entry).to_string();
        match parse_entry(json.as_bytes(), redactor) {
            Ok(rec) => {
                let mut rec = rec.into_owned();
                rec.origin = Origin { input, line, offset };
                let id = rec
                    .insert_id
                    .as_deref()
                    .map_or_else(|| format!("{label}:{line}"), str::to_string);
                rec.entry_ids = vec![id];
                out.records.push(rec);
            }
            Err(e) => out.errors.push(RowError { line, reason: e.reason, detail: e.detail }),
        }
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
    use crate::normalize::redact::default_redactor;
    use crate::normalize::Severity;

    #[test]
    fn flattened_columns_become_entries() {
        let csv = "timestamp,severity,resource.labels.service_name,resource.labels.revision_name,jsonPayload.message,insertId,httpRequest.status\n\
                   2025-09-11T05:17:11.373Z,ERROR,backend,backend-001,\"Failed, with comma\",id1,\n\
                   2025-09-11T05:17:12Z,WARNING,backend,backend-001,,id2,503\n";
        let out = read_csv(csv.as_bytes(), "dl.csv", 0, default_redactor());
        assert_eq!(out.rows, 2);
        assert!(out.errors.is_empty());
        let r = &out.records[0];
        assert_eq!(
            (r.severity, r.service.as_ref(), r.message.as_ref()),
            (Severity::Error, "backend", "Failed, with comma")
        );
        assert_eq!(r.entry_ids, vec!["id1"]);
        assert_eq!(r.origin.line, 2);
        assert_eq!(out.records[1].request.as_ref().map(|q| q.status), Some(503));
    }
}
