//! `read::detect::detect` on arbitrary bytes: never panics, offsets stay inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use log_gardener::read::detect::detect;

fuzz_target!(|data: &[u8]| {
    for allow_text in [false, true] {
        if let Err(e) = detect(data, allow_text) {
            assert!(e.offset <= data.len(), "offset {} beyond {}", e.offset, data.len());
            assert!(!e.message.is_empty());
        }
    }
});
