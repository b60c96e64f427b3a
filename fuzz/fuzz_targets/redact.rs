//! `Redactor::redact`: never panics, idempotent (redacting a redacted text changes nothing).
#![no_main]
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::redact::default_redactor;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = default_redactor();
    let once = r.redact(&text).into_owned();
    let twice = r.redact(&once);
    assert_eq!(twice, once, "not idempotent for input {text:?}");
});
