//! `read::json_split`: never panics or hangs; spans lie inside the input, in order, without
//! overlap; for every prefix of a valid JSON array the complete entries returned parse; the
//! wrapped-response splitter (`{"entries": [...]}` pages) finds the same entries whether it gets
//! the input whole or in two pieces.
#![no_main]
use fuzz_support::{check_array_and_prefixes, check_spans, check_wrapped};
use libfuzzer_sys::fuzz_target;
use log_gardener::read::json_split::{split_array, split_concatenated, value_end};

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes, as an array body and as concatenated values.
    let mut arr = Vec::with_capacity(data.len() + 1);
    arr.push(b'[');
    arr.extend_from_slice(data);
    let (spans, end) = split_array(&arr, 0);
    check_spans(&arr, 1, &spans, &end);
    let (spans, end) = split_concatenated(data, 0);
    check_spans(data, 0, &spans, &end);
    // As responses, and as the entries of one, cut where the first byte says.
    let cut = data.first().map_or(0, |&b| b as usize);
    check_wrapped(data, cut);
    let mut page = b"{\"entries\": [".to_vec();
    page.extend_from_slice(data);
    check_wrapped(&page, cut);
    for i in 0..data.len().min(64) {
        if let Some(e) = value_end(data, i) {
            assert!(e >= i && e <= data.len());
        }
    }

    // A valid array: whole, every entry is found and parses to the element; cut anywhere,
    // the complete entries returned parse and the cut is never reported as clean.
    if let Ok(serde_json::Value::Array(_)) = serde_json::from_slice::<serde_json::Value>(data) {
        check_array_and_prefixes(data);
    }
});
