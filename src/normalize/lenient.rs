//! Entries that do not fit the LogEntry format whole: an optional field of an unexpected type
//! (`"httpRequest": "GET /..."`, `"trace": 123`, `"labels": [...]`) must not cost the entry.
//! The field is repaired where its meaning is plain (a number where an id or a time belongs),
//! else left out; the entry is read and each field is named in a note, so the report says what
//! was left out. This runs only for entries serde refused, never on the way of good entries.
//!
//! Nothing taken from the input goes into the notes: serde's messages quote the value they
//! refused (a password in a URL, a token in a label), so notes are built from the field's name
//! (one of the names the LogEntry format knows) and the JSON kinds alone, and every other
//! message is scrubbed of quoted text ([`scrub`]).

use serde_json::{Map, Value};

/// What was done to one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fix {
    /// Left out; the kind the format wants there.
    Ignored { expected: String },
    /// A number or boolean read as its text (an `insertId` of `8812`).
    AsText,
    /// Seconds (or ms, µs, ns) since the epoch, or `{seconds, nanos}`, read as the time.
    AsTime,
}

/// A field of an unexpected type and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Repair {
    /// The field's path (`httpRequest`, `labels.instanceId`), as the format names it.
    pub(super) path: String,
    /// The JSON kind found there ("a string", "an array").
    pub(super) found: &'static str,
    pub(super) fix: Fix,
}

/// How deep the search for the odd field goes (the format nests three levels at most).
const MAX_DEPTH: usize = 4;

/// The entry without (or with repaired) fields of an unexpected type, as JSON text, and what was
/// done; `None` if the text is not a JSON object at all. `fits` says whether a JSON text fits the
/// format, or serde's message if not.
pub(super) fn repair(
    text: &str,
    fits: &dyn Fn(&str) -> Result<(), String>,
) -> Option<(String, Vec<Repair>)> {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else { return None };
    let mut repairs = Vec::new();
    prune(&mut map, &mut Vec::new(), fits, &mut repairs);
    Some((Value::Object(map).to_string(), repairs))
}

/// Checks each field of `map` (at `path`) alone; repairs or removes the ones that do not fit.
fn prune(
    map: &mut Map<String, Value>,
    path: &mut Vec<String>,
    fits: &dyn Fn(&str) -> Result<(), String>,
    repairs: &mut Vec<Repair>,
) {
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        path.push(key.clone());
        let value = map.get(&key).cloned().unwrap_or(Value::Null);
        if let Err(message) = check(path, &value, fits) {
            let found = kind_of(&value);
            let fixed = as_time(path, &value)
                .map(|v| (v, Fix::AsTime))
                .or_else(|| as_text(&value).map(|v| (v, Fix::AsText)))
                .filter(|(v, _)| check(path, v, fits).is_ok());
            if let Some((v, fix)) = fixed {
                map.insert(key.clone(), v);
                repairs.push(Repair { path: shown(path), found, fix });
            } else if !inner_fixed(map, &key, path, fits, repairs) {
                map.remove(&key);
                let expected = expected_of(&message);
                repairs.push(Repair { path: shown(path), found, fix: Fix::Ignored { expected } });
            }
        }
        path.pop();
    }
}

/// An object field that does not fit: repairs inside it; true if that made it fit.
fn inner_fixed(
    map: &mut Map<String, Value>,
    key: &str,
    path: &mut Vec<String>,
    fits: &dyn Fn(&str) -> Result<(), String>,
    repairs: &mut Vec<Repair>,
) -> bool {
    let Some(Value::Object(inner)) = map.get_mut(key) else { return false };
    if path.len() >= MAX_DEPTH {
        return false;
    }
    let before = repairs.len();
    prune(inner, path, fits, repairs);
    let value = map.get(key).cloned().unwrap_or(Value::Null);
    if check(path, &value, fits).is_ok() {
        return true;
    }
    // Still does not fit as a whole: the field goes, and with it the notes about its parts.
    repairs.truncate(before);
    false
}

/// Whether `value` at `path` alone fits the format.
fn check(
    path: &[String],
    value: &Value,
    fits: &dyn Fn(&str) -> Result<(), String>,
) -> Result<(), String> {
    let mut wrapped = value.clone();
    for key in path.iter().rev() {
        let mut map = Map::new();
        map.insert(key.clone(), wrapped);
        wrapped = Value::Object(map);
    }
    fits(&wrapped.to_string())
}

/// A time written as a number since the epoch (its unit told by its size) or as a protobuf
/// `{seconds, nanos}`, for the two time fields.
fn as_time(path: &[String], value: &Value) -> Option<Value> {
    if path.len() != 1
        || !matches!(path[0].as_str(), "timestamp" | "receiveTimestamp" | "receive_timestamp")
    {
        return None;
    }
    epoch_time(value).map(Value::String)
}

/// A number since the epoch (seconds, milliseconds, microseconds or nanoseconds, told by its
/// size) or a protobuf `{seconds, nanos}`, as RFC 3339.
pub(super) fn epoch_time(value: &Value) -> Option<String> {
    // Fraction digits as the unit gives them: milliseconds 3, microseconds 6, nanoseconds 9.
    let (nanos, digits): (i64, u8) = match value {
        Value::Number(n) => match n.as_i64() {
            Some(whole) => {
                let (scale, digits): (i64, u8) = match whole.unsigned_abs() {
                    a if a < 100_000_000_000 => (1_000_000_000, 0),
                    a if a < 100_000_000_000_000 => (1_000_000, 3),
                    a if a < 100_000_000_000_000_000 => (1_000, 6),
                    _ => (1, 9),
                };
                (whole.checked_mul(scale)?, digits)
            }
            None => {
                let x = n.as_f64()?;
                let scale = match x.abs() {
                    a if a < 1e11 => 1e6,
                    a if a < 1e14 => 1e3,
                    a if a < 1e17 => 1.0,
                    _ => 1e-3,
                };
                // Fractions of seconds in a double hold microseconds, not nanoseconds.
                let micros = (x * scale).round();
                let nanos =
                    (micros.is_finite() && micros.abs() < 9.2e15).then(|| micros as i64 * 1000)?;
                (nanos, 6)
            }
        },
        Value::Object(m) => {
            let seconds =
                m.get("seconds").and_then(|s| s.as_i64().or_else(|| s.as_str()?.parse().ok()))?;
            let frac = m.get("nanos").and_then(Value::as_i64).unwrap_or(0);
            (seconds.checked_mul(1_000_000_000)?.checked_add(frac)?, 9)
        }
        _ => return None,
    };
    let digits = if nanos % 1_000_000_000 == 0 { 0 } else { digits };
    Some(super::time::format_nanos(nanos, digits))
}

/// A number or boolean as its text.
fn as_text(value: &Value) -> Option<Value> {
    match value {
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// The notes for an entry's repairs: one per kind of fix, naming every field it touched.
pub(super) fn notes(repairs: &[Repair]) -> Vec<super::gcp::FieldNote> {
    let ignored: Vec<String> = repairs
        .iter()
        .filter_map(|r| match &r.fix {
            Fix::Ignored { expected } => {
                Some(format!("`{}` is {} where the format has {expected}", r.path, r.found))
            }
            _ => None,
        })
        .collect();
    let converted: Vec<String> = repairs
        .iter()
        .filter_map(|r| match r.fix {
            Fix::AsText => Some(format!("`{}` is {}, read as its text", r.path, r.found)),
            Fix::AsTime => Some(format!("`{}` is {}, read as a time", r.path, r.found)),
            Fix::Ignored { .. } => None,
        })
        .collect();
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(super::gcp::FieldNote {
            reason: "field of unexpected type ignored",
            detail: format!("{}; the entry was read without it", ignored.join("; ")),
        });
    }
    if !converted.is_empty() {
        notes.push(super::gcp::FieldNote {
            reason: "field of unexpected type converted",
            detail: format!("{}; the entry was read", converted.join("; ")),
        });
    }
    notes
}

/// The JSON kind of a value, in words.
pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What serde expected, from its message (`invalid type: string "…", expected struct
/// HttpRequest at line 1 column 9` → "an object"); only the words serde itself wrote.
fn expected_of(message: &str) -> String {
    let Some((_, rest)) = message.rsplit_once(", expected ") else {
        return "another type".into();
    };
    let expected = rest.split(" at line ").next().unwrap_or("");
    if expected.starts_with("struct ") || expected.starts_with("map") || expected == "an object" {
        "an object".into()
    } else if expected.contains("string") {
        "a string".into()
    } else if !expected.is_empty()
        && expected.len() < 40
        && expected.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ')
    {
        expected.into()
    } else {
        "another type".into()
    }
}

/// A field path as the Logs Explorer writes it (`labels."run.googleapis.com/task_index"`). Only
/// names the format reads can fail to fit, so these are its own names; anything else is
/// replaced all the same, in case.
fn shown(path: &[String]) -> String {
    let part = |p: &String| {
        let plain = p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let known =
            p.len() <= 64 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-./".contains(&b));
        match (plain, known) {
            (true, _) => p.clone(),
            (false, true) => format!("\"{p}\""),
            (false, false) => "…".to_string(),
        }
    };
    path.iter().map(part).collect::<Vec<_>>().join(".")
}

/// serde's message without the text it quotes from the input: double-quoted parts always go,
/// back-quoted ones unless they are a plain word (a field name such as `timestamp`).
pub(super) fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[i] as char;
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find(quote) else {
            out.push('…');
            return out;
        };
        let inner = &after[..j];
        let word = quote == '`'
            && !inner.is_empty()
            && inner.len() <= 32
            && inner.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
        if word {
            out.push_str(&format!("`{inner}`"));
        } else {
            out.push('…');
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for the format: `a` must be an object of strings, `t` a string.
    fn fits(text: &str) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            s: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            a: Option<Inner>,
            t: Option<String>,
            timestamp: Option<String>,
        }
        serde_json::from_str::<Outer>(text).map(|_| ()).map_err(|e| e.to_string())
    }

    #[test]
    fn odd_fields_are_left_out_or_repaired_and_named() {
        let (json, repairs) =
            repair(r#"{"a": {"s": 5, "k": 1}, "t": [1], "timestamp": 1748271611, "x": 1}"#, &fits)
                .unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["a"]["s"], "5");
        assert!(v.get("t").is_none());
        assert_eq!(v["timestamp"], "2025-05-26T15:00:11Z");
        assert_eq!(v["x"], 1);
        assert_eq!(
            repairs,
            vec![
                Repair { path: "a.s".into(), found: "a number", fix: Fix::AsText },
                Repair {
                    path: "t".into(),
                    found: "an array",
                    fix: Fix::Ignored { expected: "a string".into() }
                },
                Repair { path: "timestamp".into(), found: "a number", fix: Fix::AsTime },
            ]
        );
        assert!(repair("[1, 2]", &fits).is_none());
    }

    #[test]
    fn messages_lose_what_they_quote() {
        assert_eq!(
            scrub(r#"invalid type: string "password=hunter2", expected a string at line 1"#),
            "invalid type: string …, expected a string at line 1"
        );
        assert_eq!(scrub("duplicate field `timestamp`"), "duplicate field `timestamp`");
        assert_eq!(scrub("invalid type: integer `123`"), "invalid type: integer …");
        assert_eq!(scrub("cut \"off"), "cut …");
        assert_eq!(
            shown(&["labels".into(), "run.googleapis.com/task_index".into()]),
            "labels.\"run.googleapis.com/task_index\""
        );
        assert_eq!(shown(&["a b=c".into()]), "…");
    }
}
