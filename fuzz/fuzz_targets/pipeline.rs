//! `read::read_all` and `pipeline::run` on a file holding arbitrary bytes: never panic; exit-level
//! errors are `Err(Fatal)`; the books balance: entries read = skipped + duplicates + out of
//! scope + in scope (as `render::model::build` reports them), and every entry read is either
//! in a record or counted as skipped.
#![no_main]
use libfuzzer_sys::fuzz_target;
use log_gardener::config::Rules;
use log_gardener::normalize::redact::default_redactor;
use log_gardener::normalize::Severity;
use log_gardener::pipeline::{run, Options};
use log_gardener::read::{read_all, InputFormat, ReadOptions, Source};
use std::io::Write;

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
    let mut file = tempfile::NamedTempFile::new().unwrap();
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body).unwrap();
        file.write_all(&gz.finish().unwrap()).unwrap();
    } else {
        file.write_all(body).unwrap();
    }
    file.flush().unwrap();
    let path = file.path().to_path_buf();

    let read = read_all(
        &[Source::File(path.clone())],
        &ReadOptions { input_format, line_format: None, progress: None },
        default_redactor(),
    );
    let entries: u64 = read.inputs.iter().map(|i| i.entries).sum();
    let skipped: u64 = read.problems.iter().map(|p| p.entries).sum();
    let in_records: u64 = read.records.iter().map(|r| r.entry_ids.len() as u64).sum();
    assert_eq!(
        entries,
        skipped + in_records,
        "read: entries {entries} != skipped {skipped} + in records {in_records}"
    );

    let options = Options {
        inputs: vec![path],
        min_severity,
        since,
        until: None,
        services: Vec::new(),
        input_format,
        line_format: None,
        assignments: true,
        progress: None,
    };
    match run(options, &Rules::defaults(), default_redactor()) {
        Ok(analysis) => {
            let report =
                log_gardener::render::model::build(&analysis, "2025-01-01T00:00:00Z".into());
            let t = &report.totals;
            assert_eq!(
                t.entries_read,
                t.entries_skipped + t.duplicates + t.entries_out_of_scope + t.entries_in_scope,
                "books do not balance: {t:?}"
            );
            assert_eq!(t.entries_read, entries);
        }
        Err(_fatal) => {}
    }
});
