//! `pipeline::read_records` and `pipeline::run` on a file holding arbitrary bytes: never panic; exit-level
//! errors are `Err(Fatal)`; the books balance: entries read = skipped + duplicates + out of
//! scope + in scope (as `render::build::build` reports them), and every entry read is either
//! in a record or counted as skipped.
#![no_main]
use fuzz_support::check_pipeline;
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::Severity;
use log_gardener::read::InputFormat;

#[path = "../../tests/fuzz_support/mod.rs"]
mod fuzz_support;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let (sel, body) = (data[0], &data[1..]);
    // Low bits: the input format; next bits: a gzip wrapper, the minimum severity, a window.
    let input_format = [InputFormat::Auto, InputFormat::Gcp, InputFormat::Text][(sel % 3) as usize];
    let gzip = sel & 0x04 != 0;
    let min_severity = if sel & 0x08 != 0 { Severity::Default } else { Severity::Warning };
    let since = (sel & 0x10 != 0).then(|| "1h".to_string());
    check_pipeline(body, input_format, gzip, min_severity, since);
});
