//! UTF-16 inputs (`gcloud ... > file` in Windows PowerShell writes UTF-16LE with a BOM): a text
//! read as UTF-16LE or UTF-16BE gives the same entries, records and problems as in UTF-8, for
//! every input format. Also no panic on the raw bytes given a UTF-16 byte-order mark.
#![no_main]
use fuzz_support::{check_encodings_agree, check_pipeline};
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
    let input_format = [InputFormat::Auto, InputFormat::Gcp, InputFormat::Text][(sel % 3) as usize];
    // A NUL right after a leading `[` or `{` reads as UTF-16 without a BOM, by design.
    let text = String::from_utf8_lossy(body).replace('\0', "");
    check_encodings_agree(&text, input_format);
    // Arbitrary bytes after a BOM: odd lengths, unpaired surrogates.
    let mut raw = if sel & 0x04 != 0 { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    raw.extend_from_slice(body);
    check_pipeline(&raw, input_format, sel & 0x08 != 0, Severity::Default, None);
});
