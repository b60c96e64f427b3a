//! Property tests for the readers (issue 4), the stable-toolchain companion of the cargo-fuzz
//! targets in `fuzz/`, plus the regression tests for what fuzzing found. See docs/fuzzing.md.
//!
//! Every property runs a modest number of cases by default so that `cargo test` stays fast. For a
//! long run set `FUZZ_CASES` (every property but the pipeline one) and `FUZZ_PIPELINE_CASES`
//! (the pipeline property, ~1000x slower per case), e.g.
//! `FUZZ_CASES=200000 FUZZ_PIPELINE_CASES=20000 cargo test --release --test fuzz_readers`.
//! proptest's own `PROPTEST_CASES` also works but overrides every property, the pipeline included.

mod fuzz_support;

use fuzz_support::*;
use log_gardener::normalize::gcp::parse_entry;
use log_gardener::normalize::redact::default_redactor;
use log_gardener::normalize::text::LineFormat;
use log_gardener::normalize::Severity;
use log_gardener::read::detect::detect;
use log_gardener::read::json_split::{
    split_array, split_concatenated, value_end, End, WrappedSplitter,
};
use log_gardener::read::InputFormat;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

fn cases_from(var: &str, default: u32) -> u32 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn config(default: u32) -> Config {
    Config {
        cases: cases_from("FUZZ_CASES", default),
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

/// Bytes drawn mostly from the characters that matter to a JSON scanner, some arbitrary.
fn jsonish_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(b"{}[]\",:\\ \n\r\t0123456789-.eEtrufalsn".to_vec());
    prop::collection::vec(prop_oneof![4 => interesting, 1 => any::<u8>()], 0..max)
}

/// Any JSON value, with strings full of quotes, escapes and brackets.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[\\[\\]{}\",:\\\\a-z \n\u{e9}\u{1F600}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z\"{}\\\\]{0,4}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A LogEntry-like object: known field names (top level and nested) with values of any type.
fn log_entry_like() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u16..1000).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(STRINGS).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    });
    prop::collection::vec((prop::sample::select(KEYS), value), 0..10)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// Text lines that sometimes match `LINE_FORMATS`.
fn text_body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just(String::new()),
        Just(" \t".to_string()),
        Just("\r".to_string()),
        "[A-Za-z0-9 :\\[\\]<>,.\t\u{a0}\u{85}\u{3000}\r-]{0,40}",
        Just("081109 203615 148 INFO dfs.DataNode: done".to_string()),
        Just("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure".to_string()),
        Just("[W] disk low".to_string()),
        Just("2025-09-11T05:17:11Z ERROR boom".to_string()),
        Just("1700000000 E x".to_string()),
        Just("2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: Created".to_string()),
        Just("\tat com.example.Foo.bar(Foo.java:12)".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

/// Entries as an export holds them: each with an `insertId` and a `logName`.
fn as_exported(entries: Vec<Value>) -> Vec<Value> {
    let stamp = |(i, mut e): (usize, Value)| {
        e["insertId"] = Value::from(format!("id-{i}"));
        e["logName"] = Value::from("projects/p/logs/app");
        e
    };
    entries.into_iter().enumerate().map(stamp).collect()
}

/// Each entry as a JSON line, followed by the text lines, every line stamped with a time when
/// asked.
fn json_lines_with_text(parts: &[(Value, String, bool)]) -> String {
    let mut out = String::new();
    for (entry, text, stamped) in parts {
        let stamp = if *stamped { "2025-05-26T10:00:00.123456789Z " } else { "" };
        out.push_str(&format!("{stamp}{entry}\n"));
        for line in text.lines() {
            out.push_str(&format!("{stamp}{line}\n"));
        }
    }
    out
}

/// YAML-looking text: gcloud's keys, separators, lists, blocks, flow brackets and quotes, in
/// any order and indentation.
fn yamlish_body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("---".to_string()),
        Just("...".to_string()),
        Just("insertId: abc".to_string()),
        Just("severity: ERROR".to_string()),
        Just("textPayload: |-".to_string()),
        Just("jsonPayload:".to_string()),
        Just("- insertId: x".to_string()),
        Just("entries:".to_string()),
        Just("timestamp: '2025-05-26T10:00:00Z'".to_string()),
        Just("  message: [a, {b: c}".to_string()),
        Just("  - &a [*a, *a]".to_string()),
        Just("\"unterminated".to_string()),
        "[ -]{0,6}[A-Za-z:'\"{}\\[\\],|>&*!#%@-]{0,20}",
        any::<String>(),
    ];
    prop::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// Strings made of pieces that look like secrets and markers.
fn secretish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("password=".to_string()),
        Just("token: ".to_string()),
        Just("api_key=\"".to_string()),
        Just("Authorization: Bearer ".to_string()),
        Just("Basic dXNlcjpwYXNz".to_string()),
        Just("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl".to_string()),
        Just("AKIAIOSFODNN7EXAMPLE".to_string()),
        Just("ghp_0123456789abcdefghijABCDEFGHIJ012345".to_string()),
        Just("https://user:pw@host/x".to_string()),
        Just("postgres://u:p@db:5432/x".to_string()),
        Just("alice@example.com".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----".to_string()),
        Just("<redacted:secret>".to_string()),
        Just("<redacted:".to_string()),
        Just("--password ".to_string()),
        Just("IDENTIFIED BY 'x'".to_string()),
        Just("Cookie: a=b; c=d".to_string()),
        Just("secret_access_key=".to_string()),
        "[ =:;,&\"'\n<>@/a-zA-Z0-9_.-]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn json_split_never_panics_and_spans_are_sound(data in jsonish_bytes(96)) {
        let mut arr = vec![b'['];
        arr.extend_from_slice(&data);
        let (spans, end) = split_array(&arr, 0);
        check_spans(&arr, 1, &spans, &end);
        let (spans, end) = split_concatenated(&data, 0);
        check_spans(&data, 0, &spans, &end);
        for i in 0..data.len() {
            if let Some(e) = value_end(&data, i) {
                prop_assert!(e >= i && e <= data.len());
            }
        }
    }

    #[test]
    fn detect_never_panics(data in jsonish_bytes(96), bom in any::<bool>()) {
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&data);
        for allow_text in [false, true] {
            if let Err(e) = detect(&bytes, allow_text) {
                prop_assert!(e.offset <= bytes.len());
            }
        }
    }

    #[test]
    fn parse_entry_never_panics_on_bytes(data in prop_oneof![jsonish_bytes(128), prop::collection::vec(any::<u8>(), 0..64)]) {
        let _ = parse_entry(&data, default_redactor());
    }

    #[test]
    fn redaction_is_idempotent(text in secretish_text()) {
        check_idempotent(&text);
    }

    #[test]
    fn line_format_parse_never_panics(format in "[<>A-Za-z_ ()\\[\\]\\\\?*+.{}0-9|^$:-]{0,30}") {
        let _ = LineFormat::parse(&format);
    }

    #[test]
    fn text_lines_are_all_accounted_for(which in 0..LINE_FORMATS.len(), body in text_body()) {
        let format = LineFormat::parse(LINE_FORMATS[which]).unwrap();
        check_text_accounting(&format, body.as_bytes());
    }

    #[test]
    fn wrapped_split_never_panics_and_resumes_anywhere(data in jsonish_bytes(96), cut in 0..110usize) {
        check_wrapped(&data, cut);
        let mut page = b"{\"entries\": [".to_vec();
        page.extend_from_slice(&data);
        check_wrapped(&page, cut);
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn json_split_every_prefix_of_a_valid_array(items in prop::collection::vec(json_value(), 0..5), pretty in any::<bool>()) {
        let array = Value::Array(items);
        let text = if pretty {
            serde_json::to_vec_pretty(&array).unwrap()
        } else {
            serde_json::to_vec(&array).unwrap()
        };
        check_array_and_prefixes(&text);
    }

    #[test]
    fn wrapped_pages_give_every_entry(
        items in prop::collection::vec(json_value(), 0..6),
        pages in 1..4usize,
        cut in 0..2000usize,
    ) {
        let text = api_pages(&items, pages);
        let mut splitter = WrappedSplitter::default();
        let (spans, _) = splitter.split(text.as_bytes(), true);
        prop_assert_eq!(splitter.stop.clone(), Some(End::Clean));
        // The entries as serde_json reads the pages back (floats do not always survive a round
        // trip).
        let read_back: Vec<Value> = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .flat_map(|page| page.unwrap()["entries"].as_array().cloned().unwrap_or_default())
            .collect();
        prop_assert_eq!(spans.len(), items.len());
        for (span, item) in spans.iter().zip(&read_back) {
            let v: Value = serde_json::from_slice(&text.as_bytes()[span.start..span.end]).unwrap();
            prop_assert_eq!(&v, item);
        }
        check_wrapped(text.as_bytes(), cut);
    }

    #[test]
    fn utf16_reads_like_utf8(
        entries in prop::collection::vec(log_entry_like(), 0..4),
        text in text_body(),
        which in 0..3usize,
    ) {
        let body = match which {
            0 => serde_json::to_string_pretty(&entries).unwrap(),
            1 => entries.iter().map(|e| e.to_string() + "\n").collect(),
            _ => text.replace('\0', ""),
        };
        check_encodings_agree(&body, InputFormat::Auto);
    }

    #[test]
    fn logs_explorer_csv_rows_are_all_read(entries in prop::collection::vec(log_entry_like(), 1..5)) {
        // Every row names a LogEntry column, as a download's header does.
        let entries = as_exported(entries);
        let csv = logs_explorer_csv(&entries);
        check_rows(&csv, "Logs Explorer CSV", entries.len() as u64);
    }

    #[test]
    fn yamlish_text_never_panics_and_every_document_is_accounted_for(body in yamlish_body()) {
        // Whatever it was detected as, every entry found is read or counted as skipped.
        check_read_balances(body.as_bytes());
    }

    #[test]
    fn gcloud_yaml_documents_are_all_read(entries in prop::collection::vec(log_entry_like(), 1..5)) {
        // gcloud prints every entry with its insertId and logName.
        let entries = as_exported(entries);
        check_rows(&gcloud_yaml(&entries), "gcloud YAML", entries.len() as u64);
    }

    #[test]
    fn parse_entry_reads_log_entry_like_objects(entry in log_entry_like()) {
        // Odd field types may make an entry unreadable (a counted problem), never a panic.
        let json = serde_json::to_vec(&entry).unwrap();
        let _ = parse_entry(&json, default_redactor());
    }
}

proptest! {
    #![proptest_config(Config {
        cases: cases_from("FUZZ_PIPELINE_CASES", 24),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn pipeline_never_panics_and_the_books_balance(
        body in prop_oneof![
            jsonish_bytes(200),
            text_body().prop_map(String::into_bytes),
            prop::collection::vec(log_entry_like(), 0..4).prop_map(|v| serde_json::to_vec(&v).unwrap()),
            prop::collection::vec(log_entry_like(), 0..4).prop_map(|v| {
                v.iter().map(|e| e.to_string() + "\n").collect::<String>().into_bytes()
            }),
            (prop::collection::vec(log_entry_like(), 0..4), 1..3usize)
                .prop_map(|(v, pages)| api_pages(&v, pages).into_bytes()),
            prop::collection::vec(log_entry_like(), 1..4).prop_map(|v| logs_explorer_csv(&v).into_bytes()),
            prop::collection::vec(log_entry_like(), 1..4).prop_map(|v| gcloud_yaml(&v).into_bytes()),
            // JSON lines with text among them (a panic printed beside a JSON log), some
            // stamped with a time as `kubectl logs --timestamps` writes them.
            (prop::collection::vec((log_entry_like(), text_body(), any::<bool>()), 1..4))
                .prop_map(|v| json_lines_with_text(&v).into_bytes()),
            (text_body(), 0..ENCODINGS.len()).prop_map(|(t, e)| encode(&t, ENCODINGS[e])),
        ],
        fmt in 0..3usize,
        gzip in any::<bool>(),
        all in any::<bool>(),
    ) {
        let input_format = [InputFormat::Auto, InputFormat::Gcp, InputFormat::Text][fmt];
        let min = if all { Severity::Default } else { Severity::Warning };
        check_pipeline(&body, input_format, gzip, min, None);
    }
}

// ---------------------------------------------------------------------------------------------
// Regression tests for what fuzzing found

/// Runs `f` on its own thread and fails (instead of hanging the test run) if it takes too long.
fn within_seconds<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).expect("did not finish: endless loop")
}

/// Found by fuzzing: a stray `}` inside an array (`[{"a":1}}]`, `[}`) made `split_array` loop
/// forever pushing empty spans, until memory ran out.
#[test]
fn regression_stray_closing_brace_in_array() {
    for input in [&b"[}"[..], b"[{\"a\":1}}]", b"[1}", b"[ {} , } ]"] {
        let owned = input.to_vec();
        let (spans, end) = within_seconds(5, move || split_array(&owned, 0));
        check_spans(input, 1, &spans, &end);
        assert!(
            matches!(end, End::Unexpected { byte: b'}', .. }),
            "{:?}: {end:?}",
            String::from_utf8_lossy(input)
        );
    }
}

/// Found by the prefix property: an array cut inside a scalar (`[tru`, `[{"a":1}, 12`) returned
/// the cut scalar as a complete entry (`tru` does not parse; `12` may have been `123`) and
/// reported the array as merely unclosed.
#[test]
fn regression_array_cut_inside_a_scalar() {
    for (input, first_cut) in
        [(&b"[tru"[..], 1), (b"[{\"a\":1}, 12", 10), (b"[1.5e", 1), (b"[-", 1)]
    {
        let (spans, end) = split_array(input, 0);
        check_spans(input, 1, &spans, &end);
        assert_eq!(end, End::Truncated { start: first_cut });
    }
    // A scalar followed by a delimiter is complete.
    let (spans, end) = split_array(b"[12, true", 0);
    assert_eq!((spans.len(), end), (1, End::Truncated { start: 5 }));
    let (spans, end) = split_array(b"[12, true ", 0);
    assert_eq!((spans.len(), end), (2, End::UnclosedArray));
}

/// Found by fuzzing (redaction_is_idempotent): `Bearer` (or `Basic`) followed by a key-value. The first pass
/// skips the Bearer rule (its value `password=` is followed by a letter) and the key-value rule
/// redacts `hunter2`; the second pass sees `password=` followed by `<` and redacts it as a
/// bearer token, so the key name is lost and the output changes again.
#[test]
fn regression_redact_bearer_before_key_value_is_idempotent() {
    // Found by cargo-fuzz after the first fixes (minimized): a flag whose key is not secret
    // hid the secret flag inside its quoted value on the first pass.
    check_idempotent("IDEnTIFIED BY '--a '--passwd I'");
    check_idempotent("IDEnTIFIED BY '--password 's://:w@--password e'");
    check_idempotent("IDEnTIFIED BY '--passwd 'a://:w@--passwd D'");
    check_idempotent("\"Authorization:k\\\"Authorization:p\\\"");
    check_idempotent("l@e.ss-credeNtial=n");
    assert!(!default_redactor().redact("run --a '--passwd hunter2'").contains("hunter2"));
    check_idempotent("Bearer password=hunter2");
    check_idempotent("Bearer secret_access_key=x");
    check_idempotent("password=Authorization: Bearer secret_access_key=password=");
    check_idempotent("Basic dXNlcjpwYXNzpassword=alice@example.com");
}

/// Found by fuzzing (cargo-fuzz `redact`): two card numbers in one run of space-separated digit
/// groups. The first pass redacts only the first (the scan stops at the first card layout in a
/// run), so the second card number leaks, and only a second pass redacts it.
#[test]
fn regression_redact_two_card_numbers_in_one_run() {
    let r = default_redactor();
    assert_eq!(
        r.redact("4111 1111 1111 1111 4111 1111 1111 1111"),
        "<redacted:card_number> <redacted:card_number>"
    );
    check_idempotent("4111 1111 1111 1111 4111 1111 1111 1111");
    // A card of one group beside other digits, and two such cards.
    assert_eq!(r.redact("4111111111111111 1234"), "<redacted:card_number> 1234");
    assert_eq!(
        r.redact("4111111111111111 4111111111111111"),
        "<redacted:card_number> <redacted:card_number>"
    );
}
