//! `read::text`: `LineFormat::parse` never panics on any format; `read_text` never panics, and
//! every non-blank line is accounted for, once: in a record's entry ids or in `unmatched`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use log_gardener::normalize::redact::default_redactor;
use log_gardener::read::text::{read_text, LineFormat};

const FORMATS: [&str; 6] = [
    "<Content>",
    "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    r"\[<Level>\] <Content>",
    "<Timestamp> <Level> <Content>",
    "<Date> <Time>,<Ms> <Level> [<Component>] <Content>",
];

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // First byte picks the format: a fixed one, or the first line of the input itself.
    let (format, body) = match data[0] as usize % (FORMATS.len() + 1) {
        i if i < FORMATS.len() => (LineFormat::parse(FORMATS[i]).unwrap(), &data[1..]),
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
    let out = read_text(body, "logs/app.log", 0, &format, default_redactor());
    // The lines that must be accounted for.
    let text = String::from_utf8_lossy(body);
    let wanted: Vec<u64> = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| !l.strip_suffix('\r').unwrap_or(l).trim().is_empty())
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut got: Vec<u64> = out
        .records
        .iter()
        .flat_map(|r| r.entry_ids.iter())
        .map(|id| id.rsplit(':').next().unwrap().parse::<u64>().unwrap())
        .chain(out.unmatched.iter().copied())
        .collect();
    got.sort_unstable();
    assert_eq!(got, wanted, "lines not accounted for");
    assert_eq!(out.lines, wanted.len() as u64);
    for r in &out.records {
        assert!(!r.entry_ids.is_empty());
        assert_eq!(r.origin.line.to_string(), r.entry_ids[0].rsplit(':').next().unwrap());
    }
});
