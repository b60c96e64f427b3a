//! `normalize::text`: `LineFormat::parse` never panics on any format; reading a text input never panics, and
//! every non-blank line is accounted for, once: in a record's entry ids or in a problem.
#![no_main]
use fuzz_support::{check_text_accounting, LINE_FORMATS};
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::text::LineFormat;

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // First byte picks the format: a fixed one, or the first line of the input itself.
    let (format, body) = match data[0] as usize % (LINE_FORMATS.len() + 1) {
        i if i < LINE_FORMATS.len() => (LineFormat::parse(LINE_FORMATS[i]).unwrap(), &data[1..]),
        _ => {
            let rest = &data[1..];
            let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let spec = String::from_utf8_lossy(&rest[..nl]);
            match LineFormat::parse(&spec) {
                Ok(f) => (f, &rest[(nl + 1).min(rest.len())..]),
                Err(e) => {
                    assert!(!e.is_empty());
                    return;
                }
            }
        }
    };
    check_text_accounting(&format, body);
});
