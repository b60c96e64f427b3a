//! Reassembles tracebacks that Cloud Run wrote one line per entry.
//!
//! A container's plain stderr reaches Cloud Logging a line at a time: a Python traceback becomes
//! `Traceback (most recent call last):`, its `  File ...` lines and the final `KeyError: ...` as
//! separate entries of the same instance and stream, microseconds to a few milliseconds apart,
//! none with a severity. Counting those as a dozen issues would be wrong, so they are joined
//! back into one event with the severity of its first line; the event keeps every entry's id.

use super::record::Record;
use super::severity::Severity;

/// Lines of one event are at most this far apart (Cloud Run stamps them as they are flushed).
pub(crate) const MAX_GAP_NANOS: i64 = 50_000_000;
/// A `Traceback` line joins a preceding log line (as `logger.exception` writes them) only when
/// it follows immediately.
const MAX_HEAD_GAP_NANOS: i64 = 5_000_000;

/// What reassembly looks at for one line.
pub(crate) struct LineView<'a> {
    /// Lines join only within a stream (service, revision, instance, log).
    pub(crate) stream: u64,
    pub(crate) time: Option<i64>,
    /// The entry carried a severity of its own (it cannot continue another line).
    pub(crate) declared: bool,
    pub(crate) severity: Severity,
    pub(crate) message: &'a str,
    /// Input order, to break ties between lines with the same time.
    pub(crate) order: (u32, u64),
}

/// For each line, the line that starts its event (`None` for lines that start one). Children
/// follow their head in time order.
pub(crate) fn plan(lines: &[LineView]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        la.stream.cmp(&lb.stream).then(la.time.cmp(&lb.time)).then(la.order.cmp(&lb.order))
    });

    let mut parent: Vec<Option<usize>> = vec![None; lines.len()];
    let mut head: Option<usize> = None; // the line that starts the open event
    let mut state = State::Closed;
    let mut prev: Option<usize> = None;
    for &i in &order {
        let rec = &lines[i];
        let line = first_line(rec.message);
        let same_stream = prev.is_some_and(|p| lines[p].stream == rec.stream);
        let gap = prev.filter(|_| same_stream).and_then(|p| Some(rec.time? - lines[p].time?));
        let close = |gap: Option<i64>, max: i64| gap.is_some_and(|g| (0..=max).contains(&g));
        let declared = rec.declared;

        let mut joined = false;
        if !declared && line.starts_with("Traceback (most recent call last)") {
            // Starts a traceback: joins the preceding line if that is the message it explains.
            let p = prev.filter(|&p| {
                close(gap, MAX_HEAD_GAP_NANOS)
                    && state == State::Closed
                    && lines[p].severity >= Severity::Error
                    && !lines[p].message.contains('\n')
            });
            match (p, head, state) {
                (_, Some(h), State::Chained) if close(gap, MAX_GAP_NANOS) => {
                    parent[i] = Some(h);
                    joined = true;
                }
                (Some(p), _, _) => {
                    let h = parent[p].unwrap_or(p);
                    parent[i] = Some(h);
                    head = Some(h);
                    joined = true;
                }
                _ => head = Some(i),
            }
            state = State::InFrames;
        } else if let (Some(h), false, true) = (head, declared, close(gap, MAX_GAP_NANOS)) {
            let next = match state {
                State::InFrames if is_frame_line(line) => Some(State::InFrames),
                State::InFrames if is_exception_line(line) => Some(State::AfterException),
                State::AfterException | State::Chained if line.trim().is_empty() => Some(state),
                State::AfterException | State::Chained if is_chain_line(line) => {
                    Some(State::Chained)
                }
                _ => None,
            };
            if let Some(next) = next {
                parent[i] = Some(h);
                state = next;
                joined = true;
            }
        }
        if !joined && !line.starts_with("Traceback (most recent call last)") {
            head = None;
            state = State::Closed;
        }
        prev = Some(i);
    }
    parent
}

/// The children of each head, in time order (the order [`plan`] walked them).
pub(crate) fn children_of(lines: &[LineView], parent: &[Option<usize>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lines.len()).filter(|&i| parent[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        la.time.cmp(&lb.time).then(la.order.cmp(&lb.order))
    });
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    for i in order {
        children[parent[i].expect("filtered")].push(i);
    }
    children
}

/// A hash of the stream a record was written to.
pub(crate) fn stream_hash(rec: &Record) -> u64 {
    fn text(t: Option<&str>) -> &[u8] {
        t.unwrap_or("").as_bytes()
    }
    super::hash::joined64(&[
        rec.service.as_bytes(),
        text(rec.revision.as_deref()),
        text(rec.instance.as_deref()),
        text(rec.log_name.as_deref()),
    ])
}

/// Joins continuation lines into the record that starts their event. Returns the records in
/// their original order, continuation lines removed (their ids moved to the event's record).
pub fn reassemble(records: Vec<Record<'_>>) -> Vec<Record<'_>> {
    let views: Vec<LineView> = records
        .iter()
        .map(|r| LineView {
            stream: stream_hash(r),
            time: r.time_nanos(),
            declared: declared_severity(r),
            severity: r.severity,
            message: &r.message,
            order: (r.origin.input, r.origin.offset.max(r.origin.line)),
        })
        .collect();
    let parent = plan(&views);
    let children = children_of(&views, &parent);
    drop(views);
    let mut slots: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for i in 0..slots.len() {
        if parent[i].is_some() {
            continue;
        }
        let mut rec = slots[i].take().expect("each record is taken once");
        for &c in &children[i] {
            let child = slots[c].take().expect("a child has one parent");
            let message = rec.message.to_mut();
            message.push('\n');
            message.push_str(&child.message);
            rec.entries += child.entries;
            rec.entry_ids.extend(child.entry_ids);
        }
        if !children[i].is_empty() && !declared_severity(&rec) && rec.severity < Severity::Error {
            rec.severity = Severity::Error;
            rec.severity_inferred = true;
        }
        out.push(rec);
    }
    out
}

/// Whether a record may take part in a reassembly: a line without a severity of its own that
/// looks like part of a traceback, or a text line whose severity was read from its text (the
/// message `logger.exception` writes before the traceback). Only these are kept whole until the
/// end of the input.
pub(crate) fn may_join(rec: &Record) -> bool {
    if declared_severity(rec) {
        return false;
    }
    let line = first_line(&rec.message);
    line.starts_with("Traceback (most recent call last)")
        || is_frame_line(line)
        || line.trim().is_empty()
        || is_exception_line(line)
        || is_chain_line(line)
        || (rec.severity_inferred && rec.severity >= Severity::Error && !rec.message.contains('\n'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    InFrames,
    AfterException,
    Chained,
}

pub(crate) fn declared_severity(rec: &Record) -> bool {
    rec.severity != Severity::Default && !rec.severity_inferred
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

/// `  File "x.py", line 3, in f`, the source line under it, `    ^^^^`, Java's `\tat ...`.
fn is_frame_line(line: &str) -> bool {
    line.starts_with(' ') || line.starts_with('\t')
}

/// `KeyError: '"timestamp"'`, `ValueError`, `pkg.mod.CustomError: text`.
pub(crate) fn is_exception_line(line: &str) -> bool {
    let name = line.split(':').next().unwrap_or("");
    let last = name.rsplit('.').next().unwrap_or("");
    !name.is_empty()
        && !name.contains(' ')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && (last.ends_with("Error")
            || last.ends_with("Exception")
            || last.ends_with("Warning")
            || last.ends_with("Exit")
            || last.ends_with("Interrupt")
            || last.ends_with("Timeout")
            || last == "StopIteration")
}

fn is_chain_line(line: &str) -> bool {
    line.starts_with("During handling of the above exception")
        || line.starts_with("The above exception was the direct cause")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::time::Timestamp;

    fn rec(id: &str, ms: i64, sev: Severity, inferred: bool, msg: &str) -> Record<'static> {
        Record {
            time: Some(Timestamp::from_nanos(1_700_000_000_000_000_000 + ms * 1_000_000, 6)),
            severity: sev,
            severity_inferred: inferred,
            service: "svc".into(),
            instance: Some("i1".into()),
            log_name: Some("stderr".into()),
            message: msg.to_string().into(),
            entries: 1,
            entry_ids: vec![id.into()],
            ..Record::default()
        }
    }

    #[test]
    fn joins_a_split_traceback_and_keeps_its_ids() {
        let d = Severity::Default;
        let records = vec![
            rec("a", 0, Severity::Error, true, "Traceback (most recent call last):"),
            rec("b", 1, d, false, "  File \"/app/main.py\", line 3, in <module>"),
            rec("c", 2, d, false, "    run()"),
            rec("d", 3, d, false, "KeyError: 'x'"),
            rec("e", 500, d, false, "  File \"unrelated\" later"),
            rec("f", 501, Severity::Warning, false, "slow"),
        ];
        let out = reassemble(records);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].entry_ids, vec!["a", "b", "c", "d"]);
        assert!(out[0].message.ends_with("KeyError: 'x'"));
        assert_eq!(out[0].severity, Severity::Error);
        assert_eq!(out[1].entry_ids, vec!["e"]);
        assert_eq!(out[2].entry_ids, vec!["f"]);
    }

    #[test]
    fn other_streams_and_declared_lines_stay_apart() {
        let d = Severity::Default;
        let mut other = rec("x", 1, d, false, "  File \"/app/other.py\", line 1, in f");
        other.instance = Some("i2".into());
        let records = vec![
            rec("a", 0, Severity::Error, true, "Traceback (most recent call last):"),
            other,
            rec("b", 2, Severity::Error, false, "  declared line"),
        ];
        let out = reassemble(records);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn logger_exception_head_joins_its_traceback() {
        let d = Severity::Default;
        let records = vec![
            rec("h", 0, Severity::Error, true, "ERROR:app:Unhandled error in handler"),
            rec("a", 0, d, true, "Traceback (most recent call last):"),
            rec("b", 1, d, false, "  File \"/app/x.py\", line 9, in h"),
            rec("c", 1, d, false, "ValueError: bad"),
        ];
        let out = reassemble(records);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].entry_ids, vec!["h", "a", "b", "c"]);
    }

    #[test]
    fn exception_lines() {
        assert!(is_exception_line("KeyError: '\"timestamp\"'"));
        assert!(is_exception_line("netra.errors.AuthError: denied"));
        assert!(is_exception_line("StopIteration"));
        assert!(!is_exception_line("Connection error: refused"));
    }
}
