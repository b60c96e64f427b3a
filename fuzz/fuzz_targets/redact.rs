//! `Redactor::redact`: never panics, idempotent (redacting a redacted text changes nothing).
#![no_main]
use fuzz_support::check_idempotent;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

fuzz_target!(|data: &[u8]| {
    check_idempotent(&String::from_utf8_lossy(data));
});
