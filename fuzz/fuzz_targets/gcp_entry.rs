//! `normalize::gcp::parse_entry`: never panics on any bytes, and on LogEntry-shaped JSON objects
//! whose fields have random types (strings, numbers, nulls, arrays, nested objects) never panics
//! and always gives a record (an odd field type must not make the entry unreadable... or panic).
#![no_main]
use fuzz_support::{KEYS, STRINGS};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::gcp::parse_entry;
use log_gardener::normalize::redact::default_redactor;
use serde_json::{Map, Value};

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let kind = u.int_in_range(0..=if depth > 3 { 4 } else { 6 })?;
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => match u.int_in_range(0..=3)? {
            0 => Value::from(u.arbitrary::<i64>()?),
            1 => Value::from(u.arbitrary::<u64>()?),
            2 => serde_json::Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
            _ => Value::from(u.int_in_range(0..=1000)? as i64),
        },
        3 => Value::from(*u.choose(STRINGS)?),
        4 => Value::from(u.arbitrary::<String>()?),
        5 => {
            let n = u.int_in_range(0..=3)?;
            Value::Array((0..n).map(|_| value(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => object(u, depth + 1)?,
    })
}

fn object(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=8)? {
        map.insert(u.choose(KEYS)?.to_string(), value(u, depth)?);
    }
    Ok(Value::Object(map))
}

fuzz_target!(|data: &[u8]| {
    let _ = parse_entry(data, default_redactor());
    let mut u = Unstructured::new(data);
    if let Ok(entry) = object(&mut u, 0) {
        let json = serde_json::to_vec(&entry).unwrap();
        let _ = parse_entry(&json, default_redactor());
    }
});
