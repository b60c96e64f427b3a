//! `read::json_split`: never panics or hangs; spans lie inside the input, in order, without
//! overlap; for every prefix of a valid JSON array the complete entries returned parse.
#![no_main]
use libfuzzer_sys::fuzz_target;
use log_gardener::read::json_split::{split_array, split_concatenated, value_end, End, Span};

fn check(bytes: &[u8], from: usize, spans: &[Span], end: &End) {
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

fuzz_target!(|data: &[u8]| {
    // Arbitrary bytes, as an array body and as concatenated values.
    let mut arr = Vec::with_capacity(data.len() + 1);
    arr.push(b'[');
    arr.extend_from_slice(data);
    let (spans, end) = split_array(&arr, 0);
    check(&arr, 1, &spans, &end);
    let (spans, end) = split_concatenated(data, 0);
    check(data, 0, &spans, &end);
    for i in 0..data.len().min(64) {
        if let Some(e) = value_end(data, i) {
            assert!(e >= i && e <= data.len());
        }
    }

    // A valid array: whole, every entry is found and parses to the element; cut anywhere,
    // the complete entries returned parse and the cut is never reported as clean.
    let Ok(serde_json::Value::Array(items)) = serde_json::from_slice::<serde_json::Value>(data)
    else {
        return;
    };
    let open = data.iter().position(|&b| b == b'[').unwrap();
    let (spans, end) = split_array(data, open);
    assert_eq!(end, End::Clean);
    assert_eq!(spans.len(), items.len());
    for (s, item) in spans.iter().zip(&items) {
        let v: serde_json::Value = serde_json::from_slice(&data[s.start..s.end]).unwrap();
        assert_eq!(&v, item);
    }
    let last = data.iter().rposition(|&b| b == b']').unwrap();
    for cut in open + 1..=last {
        let prefix = &data[..cut];
        let (spans, end) = split_array(prefix, open);
        check(prefix, open + 1, &spans, &end);
        assert_ne!(end, End::Clean, "cut at {cut} reported clean");
        for s in &spans {
            let slice = &prefix[s.start..s.end];
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(slice) {
                panic!(
                    "cut at {cut}: span {:?} does not parse: {e}",
                    String::from_utf8_lossy(slice)
                );
            }
        }
    }
});
