//! The Logs Explorer CSV reader: a download's header (flattened LogEntry columns, a guarded
//! quoted map key) followed by arbitrary rows: never panics, every row is an entry, the books
//! balance; and a CSV made from LogEntry-like objects gives one entry per object.
#![no_main]
use fuzz_support::{check_csv_rows, check_pipeline, logs_explorer_csv, KEYS, STRINGS};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::Severity;
use log_gardener::read::InputFormat;
use serde_json::{Map, Value};

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

const HEADER: &str = "httpRequest.requestUrl,httpRequest.status,insertId,jsonPayload.message,\
\"'labels.\"\"goog-managed-by\"\"\",logName,protoPayload.authorizationInfo.granted,\
protoPayload.authorizationInfo.permission,resource.labels.service_name,resource.type,severity,\
textPayload,timestamp\n";

fn entry(u: &mut Unstructured) -> Result<Value> {
    let mut map = Map::new();
    map.insert("insertId".into(), Value::from(u.arbitrary::<u32>()?.to_string()));
    map.insert("logName".into(), Value::from("projects/p/logs/app"));
    for _ in 0..u.int_in_range(0..=6)? {
        let value = match u.int_in_range(0..=3)? {
            0 => Value::from(*u.choose(STRINGS)?),
            1 => Value::from(u.arbitrary::<String>()?),
            2 => Value::from(u.arbitrary::<i32>()?),
            _ => {
                let mut inner = Map::new();
                inner.insert(u.choose(KEYS)?.to_string(), Value::from(*u.choose(STRINGS)?));
                Value::Object(inner)
            }
        };
        let key = *u.choose(KEYS)?;
        if key != "insertId" && key != "logName" {
            map.insert(key.to_string(), value);
        }
    }
    Ok(Value::Object(map))
}

fuzz_target!(|data: &[u8]| {
    let mut body = HEADER.as_bytes().to_vec();
    body.extend_from_slice(data);
    check_pipeline(&body, InputFormat::Auto, false, Severity::Default, None);
    let mut u = Unstructured::new(data);
    let entries: Vec<Value> =
        (0..u.int_in_range(1..=4).unwrap_or(1)).filter_map(|_| entry(&mut u).ok()).collect();
    if !entries.is_empty() {
        check_csv_rows(&logs_explorer_csv(&entries), entries.len() as u64);
    }
});
