//! Plain-text logs: one entry a line, its fields cut out by a line format in the Loghub notation
//! (`<Date> <Time> <Level> <Component>: <Content>`): `<Name>` is a field matched lazily, a run of
//! spaces matches a run of whitespace, anything else is a regular expression, and the whole line
//! must match. `Content` is the message, `Level` the severity, `Component` the component,
//! `Date`/`Time`/`Timestamp` the time where they parse. A line that does not match continues the
//! entry before it (a stack trace in a text log), as log viewers treat it.

use super::infer;
use super::multiline;
use super::record::{clip_message, Origin, Record};
use super::redact::Redactor;
use super::severity::Severity;
use super::time::Timestamp;
use crate::read::RawEntry;
use chrono::NaiveDateTime;
use regex::Regex;
use std::borrow::Cow;

/// A compiled line format.
#[derive(Debug, Clone)]
pub struct LineFormat {
    regex: Regex,
}

impl LineFormat {
    pub fn parse(format: &str) -> Result<LineFormat, String> {
        let field = Regex::new(r"<([^<>]+)>").expect("static regex");
        let spaces = Regex::new(r" +").expect("static regex");
        let mut pattern = String::from("^");
        let mut fields = Vec::new();
        let mut last = 0;
        for cap in field.captures_iter(format) {
            let whole = cap.get(0).expect("group 0");
            pattern.push_str(&spaces.replace_all(&format[last..whole.start()], r"\s+"));
            let name = &cap[1];
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("field name <{name}> may hold only letters, digits and _"));
            }
            if fields.iter().any(|f| f == name) {
                return Err(format!("field <{name}> appears twice"));
            }
            pattern.push_str(&format!("(?P<{name}>.*?)"));
            fields.push(name.to_string());
            last = whole.end();
        }
        pattern.push_str(&spaces.replace_all(&format[last..], r"\s+"));
        pattern.push('$');
        if !fields.iter().any(|f| f == "Content") {
            return Err("the line format has no <Content> field (the message)".into());
        }
        let regex = Regex::new(&pattern).map_err(|e| format!("not a valid pattern: {e}"))?;
        Ok(LineFormat { regex })
    }

    /// The format that takes each whole line as the message.
    pub(crate) fn whole_line() -> LineFormat {
        LineFormat::parse("<Content>").expect("static format")
    }
}

/// The record a line starts, or `None` when the line does not match the format (it continues the
/// entry before it).
pub(crate) fn record_of_line<'a>(
    raw: &RawEntry<'a>,
    line: &str,
    format: &LineFormat,
    redactor: &Redactor,
) -> Option<Record<'a>> {
    let caps = format.regex.captures(line)?;
    let get = |name: &str| caps.name(name).map(|m| m.as_str().trim());
    let content = get("Content").unwrap_or("");
    let mut rec = line_record(raw, content, get("Component"), time_of(&get), redactor);
    match get("Level").and_then(Severity::parse_loose) {
        Some(sev) => rec.severity = sev,
        None => {
            if let Some(sev) = infer::from_text(content).severity {
                rec.severity = sev;
                rec.severity_inferred = true;
            }
        }
    }
    Some(rec)
}

/// A line of a text log read without a line format that begins with a date and time (ISO 8601,
/// with `T` or a space, `.` or `,` before the fraction, maybe a zone, maybe in brackets; or Go's
/// and nginx's `2025/05/26 10:00:00`), as logback, log4j, Python's logging and most servers
/// write them: the record it begins, its time
/// read, its level, logger and message read as a LogEntry's text is (`infer::from_text`).
/// `None` for a line without one: it continues the record before it.
pub(crate) fn dated_record_of_line<'a>(
    raw: &RawEntry<'a>,
    line: &str,
    redactor: &Redactor,
) -> Option<Record<'a>> {
    let caps = DATED.captures(line)?;
    let get = |name: &str| caps.name(name).map(|m| m.as_str());
    let after_time = caps.get(0).expect("group 0").end();
    // A line of a stack trace stamped by the runtime that collected it (`kubectl logs
    // --timestamps`): its text as written, indentation and `panic: ` included, for the lines
    // of the event to be joined again.
    let rest = &line[after_time..];
    if let Some(kept) = stack_line_class(rest) {
        let mut rec = line_record(raw, rest.trim_end(), None, time_of(&get), redactor);
        if kept == multiline::Class::GoPanic {
            (rec.severity, rec.severity_inferred) = (Severity::Critical, true);
        }
        return Some(rec);
    }
    let hint = infer::from_text(line);
    let message = match hint.body {
        Some((start, end)) if start >= after_time => &line[start..end],
        _ => rest,
    };
    let mut rec = line_record(raw, message.trim(), hint.logger, time_of(&get), redactor);
    if let Some(sev) = hint.severity {
        rec.severity = sev;
        rec.severity_inferred = true;
    }
    Some(rec)
}

/// Ruby's Logger, as Rails, Sidekiq and most Ruby programs write with it: `E, [2025-05-26T10:00:06
/// .000001 #1] ERROR -- progname: message`; Rails' tagged logging puts `[request-id]` tags
/// before the message and before every line of a backtrace it writes. The record it begins
/// (time as written, without a zone: UTC, as Cloud Logging reads such times; the level; the
/// program name as logger), with the tags taken off, and its first tag, which the lines
/// continuing it carry too.
pub(crate) fn ruby_record_of_line<'a, 'l>(
    raw: &RawEntry<'a>,
    line: &'l str,
    redactor: &Redactor,
) -> Option<(Record<'a>, Option<&'l str>)> {
    static RUBY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(
            r"^[DIWEFAU], \[(?P<Time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) #\d+\] +(?P<Level>[A-Z]+) -- (?P<Prog>[^:]*): ?",
        )
        .expect("static regex")
    });
    if line.as_bytes().get(1..4) != Some(b", [") {
        return None;
    }
    let caps = RUBY.captures(line)?;
    let rest = &line[caps.get(0)?.end()..];
    let (tag, message) = cut_tags(rest);
    let prog = caps.name("Prog").map(|p| p.as_str().trim());
    let time = caps.name("Time").and_then(|t| Timestamp::parse_loose(t.as_str()));
    let mut rec = line_record(raw, message.trim_end(), prog, time, redactor);
    let level = caps.name("Level").map_or("", |l| l.as_str());
    if let Some(severity) = Severity::parse_loose(level).filter(|_| level != "ANY") {
        (rec.severity, rec.severity_inferred) = (severity, true);
    }
    Some((rec, tag))
}

/// Rails' tags before a message (`[9f2c1a7e-...] [Job] text`): the first tag and the text after
/// them all.
pub(crate) fn cut_tags(text: &str) -> (Option<&str>, &str) {
    let mut rest = text;
    let mut first = None;
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        if close == 0 || inner[..close].contains(' ') {
            break;
        }
        let tag = &rest[..close + 2];
        first.get_or_insert(tag);
        rest = inner[close + 1..].strip_prefix(' ').unwrap_or(&inner[close + 1..]);
    }
    (first, rest)
}

/// A date and time at the start of a line, as text logs write them.
static DATED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(
        r"^\[?(?P<Date>\d{4}(?:-\d{2}-\d{2}|/\d{2}/\d{2}))[T ](?P<Time>\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\]?(?:\s|$)",
    )
    .expect("static regex")
});

/// The class of a line of a stack trace whose text must stay as written: frames (indented),
/// Python's `Traceback` head, Go's panic (`panic: `, `fatal error: `: the process dies), signal,
/// goroutine and function lines. (A panic net/http recovered is a log line like others.)
fn stack_line_class(text: &str) -> Option<multiline::Class> {
    use multiline::Class;
    let class = multiline::classify(text);
    let dies = text.starts_with("panic: ") || text.starts_with("fatal error: ");
    let kept = match class {
        Class::GoPanic => dies,
        Class::Indented | Class::PyStart | Class::GoSignal | Class::GoRoutine | Class::GoFunc => {
            true
        }
        _ => false,
    };
    kept.then_some(class)
}

/// A line that is a date and time and then a JSON object (`kubectl logs --timestamps` and
/// `docker logs -t` of a program that logs JSON): the time and the object's text.
pub(crate) fn json_after_time(line: &str) -> Option<(Option<Timestamp>, &str)> {
    let after = line.find(" {")?;
    let caps = DATED.captures(&line[..after + 1])?;
    let object = line[after + 1..].trim_end();
    if caps.get(0)?.end() != after + 1 || !object.ends_with('}') {
        return None;
    }
    let get = |name: &str| caps.name(name).map(|m| m.as_str());
    Some((time_of(&get), object))
}

/// A text record once its continuation lines are in: one that said no level on its first line
/// takes what its whole text says (a Python traceback or a Go panic below a plain line is an
/// error, as the same lines joined from a LogEntry's stream are).
pub(crate) fn finish_record(mut rec: Record<'_>) -> Record<'_> {
    if rec.entries > 1 && rec.severity == Severity::Default {
        if let Some(severity) = infer::from_text(&rec.message).severity {
            rec.severity = severity;
            rec.severity_inferred = true;
        }
    }
    rec
}

/// The record of one line of a text log: its message redacted, its component (if any), the
/// file's name as its service.
fn line_record<'a>(
    raw: &RawEntry<'a>,
    message: &str,
    component: Option<&str>,
    time: Option<Timestamp>,
    redactor: &Redactor,
) -> Record<'a> {
    Record {
        message: clip_message(Cow::Owned(redactor.redact(message).into_owned())),
        component: component.filter(|c| !c.is_empty()).map(|c| Cow::Owned(c.to_string())),
        service: Cow::Owned(label_service(raw.source)),
        origin: Origin { input: raw.input, line: raw.line, offset: raw.offset },
        entries: 1,
        time,
        ..Record::default()
    }
}

/// Adds a line that does not match the format to the entry before it.
pub(crate) fn continue_record(rec: &mut Record, line: &str, redactor: &Redactor) {
    let message = rec.message.to_mut();
    // A first line that said nothing (Rails' `FATAL -- : [request-id]` before its error).
    if !message.is_empty() {
        message.push('\n');
    }
    message.push_str(&redactor.redact(line));
    rec.entries += 1;
}

/// Text logs have no service field; the file's name (without folders and extensions) stands in.
pub(crate) fn label_service(label: &str) -> String {
    if label == "-" {
        return "stdin".into();
    }
    let name = label.rsplit(['/', '\\']).next().unwrap_or(label);
    name.split('.').next().filter(|s| !s.is_empty()).unwrap_or(name).to_string()
}

/// A time from the `Timestamp`, `Date` and `Time` fields, in the formats common in text logs.
/// Year-less formats (syslog's `Jun 14 15:16:01`) give no time: a guessed year would be invented.
fn time_of<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Option<Timestamp> {
    if let Some(ts) = get("Timestamp") {
        if let Some(t) = Timestamp::parse(ts) {
            return Some(t);
        }
        if let Ok(secs) = ts.parse::<i64>() {
            if (946_684_800..4_102_444_800).contains(&secs) {
                return Some(Timestamp::from_nanos(secs * 1_000_000_000, 0));
            }
        }
    }
    let joined = match (get("Date"), get("Time")) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        (Some(d), None) => d.to_string(),
        (None, Some(t)) => t.to_string(),
        (None, None) => return None,
    };
    // A comma before the fraction (Python's logging, log4j's ISO8601): read as a point, since
    // chrono's `%f` would take `,118` as 118 nanoseconds.
    let joined = fraction_point(joined.trim_end_matches(','));
    let joined = joined.as_str();
    if let Some(t) =
        Timestamp::parse(joined).or_else(|| Timestamp::parse(&joined.replacen(' ', "T", 1)))
    {
        return Some(t);
    }
    const FORMATS: [&str; 8] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S,%f",
        "%Y/%m/%d %H:%M:%S%.f",
        "%y/%m/%d %H:%M:%S",
        "%y%m%d %H%M%S",
        "%Y%m%d-%H:%M:%S:%3f",
        "%Y-%m-%d-%H.%M.%S%.f",
        "%d/%b/%Y:%H:%M:%S",
    ];
    for f in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(joined, f) {
            // The fraction's digits: after the last point that follows the seconds (none for
            // `10:03:07`, which the `%.f` formats also take), or after the last colon where the
            // format puts it there (`22:15:29:606`).
            let seconds_at = joined.rfind(':').unwrap_or(0);
            let fraction = if f.ends_with(":%3f") {
                joined.rsplit_once(':').map(|(_, f)| f)
            } else {
                joined[seconds_at..].rsplit_once(['.', ',']).map(|(_, f)| f)
            };
            let digits = fraction.map_or(0, |frac| {
                if f.ends_with("%f") || f.ends_with("%.f") || f.ends_with("%3f") {
                    frac.len().min(9) as u8
                } else {
                    0
                }
            });
            let nanos = dt.and_utc().timestamp_nanos_opt()?;
            return Some(Timestamp::from_nanos(nanos, digits));
        }
    }
    None
}

/// `2025-05-26 10:02:00,118` as `2025-05-26 10:02:00.118`: a comma right after the seconds
/// (`:SS,`) and before a digit is the fraction's.
fn fraction_point(text: &str) -> String {
    let b = text.as_bytes();
    let comma = (3..b.len().saturating_sub(1)).find(|&i| {
        b[i] == b','
            && b[i - 3] == b':'
            && b[i - 2].is_ascii_digit()
            && b[i - 1].is_ascii_digit()
            && b[i + 1].is_ascii_digit()
    });
    match comma {
        Some(i) => format!("{}.{}", &text[..i], &text[i + 1..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::redact::default_redactor;
    use crate::normalize::Normalizer;
    use crate::read::Rejected;

    /// The records of a text input, and the lines that started no record.
    fn read(format: &str, text: &str) -> (Vec<Record<'static>>, Vec<Rejected>) {
        let format = LineFormat::parse(format).unwrap();
        let normalizer = Normalizer {
            redactor: default_redactor(),
            line_format: Some(format),
            entry_ids: true,
            ..Normalizer::default()
        };
        let mut raw = crate::read::text::lines(text, "logs/app.log", 0);
        let mut rejected = Vec::new();
        let records = normalizer.records(&mut raw, &mut rejected).map(Record::into_owned).collect();
        (records, rejected)
    }

    #[test]
    fn loghub_hdfs_line() {
        let (records, _) = read(
            "<Date> <Time> <Pid> <Level> <Component>: <Content>",
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\n",
        );
        let rec = &records[0];
        assert_eq!(rec.severity, Severity::Info);
        assert_eq!(rec.component.as_deref(), Some("dfs.DataNode$PacketResponder"));
        assert!(rec.message.starts_with("PacketResponder 1 for block"));
        assert_eq!(rec.time.unwrap().to_rfc3339(), "2008-11-09T20:36:15Z");
        assert_eq!(rec.entry_ids, vec!["logs/app.log:1"]);
        assert_eq!(rec.service, "app");
    }

    #[test]
    fn brackets_optional_groups_and_continuations() {
        let (records, _) = read(
            r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure\r\n\tcontinued\nJun 14 15:16:02 combo kernel: ok\n",
        );
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].component.as_deref(), Some("sshd(pam_unix)"));
        assert_eq!(records[0].entry_ids, vec!["logs/app.log:1", "logs/app.log:2"]);
        assert_eq!(records[0].entries, 2);
        assert_eq!(records[0].time, None, "a year-less date gives no time");
    }

    #[test]
    fn levels_in_the_usual_spellings_and_unmatched_head() {
        let (records, rejected) =
            read(r"\[<Level>\] <Content>", "garbage\n[W] disk low\n[SEVERE] db down\n");
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].at, crate::read::At::Line(1));
        assert_eq!(records[0].severity, Severity::Warning);
        assert_eq!(records[1].severity, Severity::Error);
    }

    #[test]
    fn a_comma_before_the_fraction_is_a_point() {
        let (records, _) =
            read("<Date> <Time> <Level> <Content>", "2025-05-26 10:02:00,118 ERROR boom\n");
        assert_eq!(records[0].time.unwrap().to_rfc3339(), "2025-05-26T10:02:00.118Z");
        assert_eq!(fraction_point("10:02:00,5"), "10:02:00.5");
        // No fraction, no fraction digits; one after a colon where the format says so.
        let (records, _) = read("<Date> <Time> <Content>", "2025/05/26 10:03:07 boom\n");
        assert_eq!(records[0].time.unwrap().to_rfc3339(), "2025-05-26T10:03:07Z");
        let (records, _) = read("<Date> <Content>", "20171223-22:15:29:606 boom\n");
        assert_eq!(records[0].time.unwrap().to_rfc3339(), "2017-12-23T22:15:29.606Z");
        assert_eq!(fraction_point("a, b"), "a, b");
    }

    #[test]
    fn bad_formats_are_refused() {
        assert!(LineFormat::parse("<Date> <Level>").unwrap_err().contains("Content"));
        assert!(LineFormat::parse("<Date> <Date> <Content>").unwrap_err().contains("twice"));
    }
}
