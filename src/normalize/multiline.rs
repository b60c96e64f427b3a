//! Reassembles events that a runtime wrote one line per entry: stack traces, pretty-printed JSON,
//! lines cut at a length limit, a failed Cloud Build step.
//!
//! A container's plain stderr reaches Cloud Logging a line at a time: a Python traceback becomes
//! `Traceback (most recent call last):`, its `  File ...` lines, caret lines and the final
//! `KeyError: ...` as separate entries of the same instance and stream, microseconds apart, none
//! with a severity. Google's exception detector joins some of them and stops at the first line
//! its rules do not know (a Python 3.11 caret line), so the first entry may hold several lines
//! and carry `ERROR`. Counting those as a dozen issues would be wrong, so the lines of one event
//! are joined back into one record; the event keeps every entry's id.
//!
//! Lines are walked per stream (service, revision, instance, log) in time order. Each line is
//! classified by its first line of text ([`Class`]); a small state machine per event kind says
//! which class may follow which ([`step`]). An event is joined only when it is complete enough to
//! be sure of ([`Open::is_event`]): a Python traceback with an exception line (or its
//! `Traceback` head), a Java/Node stack with `at` frames, a Go panic with its goroutine, a JSON
//! object with its closing brace, a Cloud Build step failure with the build's `ERROR: build step
//! ... failed` line. Anything else stays as it was written.

use super::record::Record;
use super::severity::Severity;

/// Lines of one event are at most this far apart (Cloud Run stamps them as they are flushed).
pub(crate) const MAX_GAP_NANOS: i64 = 50_000_000;
/// A Cloud Build step's failure and the build's closing lines are written over a second or so.
const MAX_BUILD_GAP_NANOS: i64 = 5_000_000_000;
/// A log line joins the stack trace after it (as `logger.exception` writes them) only when the
/// trace follows immediately.
const MAX_HEAD_GAP_NANOS: i64 = 5_000_000;
/// Lines of an exception's message before its first `at` frame (Node prints the message as is).
const MAX_MESSAGE_LINES: u16 = 40;
/// GKE cuts stdout/stderr lines at this many bytes and writes the rest as the next entry.
pub(crate) const LINE_LIMIT_BYTES: usize = 16 * 1024;

/// What reassembly looks at for one line.
pub(crate) struct LineView<'a> {
    /// Lines join only within a stream (service, revision, instance, log).
    pub(crate) stream: u64,
    pub(crate) time: Option<i64>,
    pub(crate) part: Part,
    pub(crate) severity: Severity,
    pub(crate) message: &'a str,
    /// Input order, to break ties between lines with the same time.
    pub(crate) order: (u32, u64),
}

/// What is known of a line before its neighbours are: kept with each candidate line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Part {
    /// The entry carried a severity of its own (not inferred, and not the INFO/DEFAULT that a
    /// runtime gives every line of a stream).
    pub(crate) declared: bool,
    /// A Cloud Build log line.
    pub(crate) build: bool,
    /// The text was cut at the runtime's line limit: the next entry holds the rest.
    pub(crate) cut: bool,
}

impl Part {
    pub(crate) fn of(rec: &Record) -> Part {
        Part {
            declared: declared_severity(rec),
            build: rec.log_name.as_deref().is_some_and(is_build_log),
            cut: rec.cut_at_limit,
        }
    }
}

/// What a joined event is, for how its lines are glued and its severity settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A stack trace (Python, Java, Node, Go): at least ERROR.
    Trace,
    /// A pretty-printed JSON object: its severity is what its text says.
    Json,
    /// A line cut at the runtime's limit and its rest, glued without a line break.
    Cut,
    /// A failed Cloud Build step: ERROR.
    Build,
}

/// The first line of a record, as reassembly sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// `Traceback (most recent call last):`
    PyStart,
    /// Starts with a space or a tab: frames, source lines, carets, `\tat ...`, `\t... 12 more`.
    Indented,
    /// `KeyError: 'x'`, `java.lang.IllegalStateException: ...`, Node's `Error: ...`.
    Exception,
    /// `During handling of the above exception...`, `The above exception was the direct cause...`
    Chain,
    /// Java's `Caused by: ...`
    CausedBy,
    /// Java's `Exception in thread "main" ...`
    JavaHead,
    /// Go's `panic: ...` or `fatal error: ...`
    GoPanic,
    /// Go's `[signal SIGSEGV: ...]`
    GoSignal,
    /// Go's `goroutine 1 [running]:`
    GoRoutine,
    /// Go's `main.main()`, `created by ...`
    GoFunc,
    /// SQLAlchemy's `[SQL: ...]`, `[parameters: ...]`, `(Background on this error at: ...)`
    SqlTail,
    Blank,
    /// `{` or `[` alone: a pretty-printed JSON value begins.
    OpenBrace,
    /// `}` or `]` alone (maybe with a comma).
    CloseBrace,
    /// One word: a pydantic field name under `N validation errors for Model`.
    Word,
    Other,
}

/// How a line's first line of text takes part in an event.
pub(crate) fn classify(line: &str) -> Class {
    let Some(&first) = line.as_bytes().first() else { return Class::Blank };
    if first == b' ' || first == b'\t' {
        return if line.trim().is_empty() { Class::Blank } else { Class::Indented };
    }
    let trimmed = line.trim_end();
    match trimmed {
        "{" | "[" => return Class::OpenBrace,
        "}" | "}," | "]" | "]," => return Class::CloseBrace,
        _ => {}
    }
    if line.starts_with("Traceback (most recent call last)") {
        Class::PyStart
    } else if is_chain_line(line) {
        Class::Chain
    } else if line.starts_with("Caused by: ") {
        Class::CausedBy
    } else if line.starts_with("Exception in thread ") {
        Class::JavaHead
    } else if line.starts_with("panic: ") || line.starts_with("fatal error: ") {
        Class::GoPanic
    } else if line.starts_with("[signal ") {
        Class::GoSignal
    } else if line.starts_with("goroutine ") && trimmed.ends_with("]:") {
        Class::GoRoutine
    } else if line.starts_with("[SQL: ")
        || line.starts_with("[parameters: ")
        || line.starts_with("(Background on this error at:")
    {
        Class::SqlTail
    } else if is_exception_line(line) {
        Class::Exception
    } else if is_go_function_line(trimmed) {
        Class::GoFunc
    } else if is_word(trimmed) {
        Class::Word
    } else {
        Class::Other
    }
}

/// Where an open event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Python frames (or indented lines of a trace whose head is before the export).
    Frames,
    /// After a Python exception line: its details, SQLAlchemy's tail, a chain line.
    AfterException,
    /// After `During handling ...`: blank lines, then the next `Traceback`.
    Chained,
    /// After a Java/Node exception line, before its first `at` frame: the message's other lines.
    Message(u16),
    /// Java/Node `at` frames.
    AtFrames,
    /// After Go's `panic:` line, before the goroutine.
    GoHead,
    /// Go's goroutine stacks.
    GoStack,
    /// Inside a pretty-printed JSON object.
    Json,
    /// A line cut at the limit: the next line is its rest.
    Cut,
    /// A Cloud Build step failing, until the build's last `ERROR:` line.
    Build,
    /// The event is complete: nothing more joins it.
    Done,
}

/// The state after `line` (of class `class`) in an event at `state`, or `None` when it does not
/// continue the event.
fn step(state: State, class: Class, line: &str) -> Option<State> {
    use Class as C;
    use State as S;
    let at_frame = || line.trim_start().starts_with("at ");
    Some(match (state, class) {
        (S::Frames, C::Indented | C::Blank) => S::Frames,
        (S::Frames, C::Exception) => S::AfterException,
        (S::Frames, C::CausedBy) => S::Message(0),
        (S::AfterException, C::SqlTail | C::Indented | C::Blank | C::Word) => S::AfterException,
        (S::AfterException | S::Chained, C::Chain | C::Blank) => S::Chained,
        (S::Chained, C::PyStart) => S::Frames,
        (S::Message(_), C::Indented) if at_frame() => S::AtFrames,
        (S::Message(n), _)
            if n < MAX_MESSAGE_LINES && !matches!(class, C::PyStart | C::GoPanic) =>
        {
            S::Message(n + 1)
        }
        (S::AtFrames, C::Indented | C::Blank) => S::AtFrames,
        (S::AtFrames, C::CausedBy) => S::Message(0),
        (S::GoHead, C::GoSignal | C::Blank) => S::GoHead,
        (S::GoHead | S::GoStack, C::GoRoutine) => S::GoStack,
        (S::GoStack, C::GoFunc | C::Indented | C::Blank) => S::GoStack,
        (S::Json, C::CloseBrace) => S::Done,
        (S::Json, _) if class != C::OpenBrace => S::Json,
        (S::Cut, _) => S::Done,
        _ => return None,
    })
}

/// The state and kind of an event that `line` (of class `class`) starts, if it may start one.
fn start(class: Class, part: Part, line: &str) -> Option<(State, Kind)> {
    use Class as C;
    if part.cut {
        return Some((State::Cut, Kind::Cut));
    }
    if part.build {
        return is_build_error(line).then_some((State::Build, Kind::Build));
    }
    Some(match class {
        C::PyStart | C::Indented => (State::Frames, Kind::Trace),
        C::Exception | C::JavaHead | C::CausedBy => (State::Message(0), Kind::Trace),
        C::GoPanic => (State::GoHead, Kind::Trace),
        C::OpenBrace => (State::Json, Kind::Json),
        _ => return None,
    })
}

/// The event being gathered in one stream.
struct Open {
    members: Vec<usize>,
    kind: Kind,
    state: State,
    /// What was seen, to tell a complete event from lines that only look alike.
    seen_py_start: bool,
    seen_py_frame: bool,
    seen_exception: bool,
    seen_at_frame: bool,
    seen_goroutine: bool,
    closed: bool,
    /// Severity and declaration of the last member (a declared line continues only a run of
    /// lines declared alike, as a runtime that stamps every line writes them).
    last_severity: Severity,
    last_declared: bool,
}

impl Open {
    fn new(kind: Kind, state: State, first: usize, line: &LineView) -> Open {
        Open {
            members: vec![first],
            kind,
            state,
            seen_py_start: false,
            seen_py_frame: false,
            seen_exception: false,
            seen_at_frame: false,
            seen_goroutine: false,
            closed: false,
            last_severity: line.severity,
            last_declared: line.part.declared,
        }
    }

    /// Notes what one line of text shows.
    fn note(&mut self, class: Class, line: &str) {
        let trimmed = line.trim_start();
        match class {
            Class::PyStart => self.seen_py_start = true,
            Class::Indented if trimmed.starts_with("File \"") => self.seen_py_frame = true,
            Class::Indented if trimmed.starts_with("at ") => self.seen_at_frame = true,
            Class::Exception | Class::JavaHead | Class::CausedBy | Class::GoPanic => {
                self.seen_exception = true
            }
            Class::GoRoutine => self.seen_goroutine = true,
            Class::CloseBrace => self.closed = true,
            _ => {}
        }
        if self.kind == Kind::Build && is_build_failed(line) {
            self.closed = true;
        }
    }

    /// Whether the lines gathered are surely one event (else they stay as written).
    fn is_event(&self) -> bool {
        if self.members.len() < 2 {
            return false;
        }
        match self.kind {
            Kind::Trace => {
                self.seen_py_start
                    || (self.seen_py_frame && self.seen_exception)
                    || (self.seen_at_frame && self.seen_exception)
                    || self.seen_goroutine
            }
            Kind::Json | Kind::Build => self.closed,
            Kind::Cut => true,
        }
    }

    /// Takes in one record: every line of its text moves the state on; a line that does not
    /// fit ends the event after this record.
    fn take(&mut self, i: usize, line: &LineView) {
        if self.members.last() != Some(&i) {
            self.members.push(i);
        }
        self.last_severity = line.severity;
        self.last_declared = line.part.declared;
        for (n, text) in line.message.lines().enumerate() {
            let class = classify(text);
            self.note(class, text);
            if n == 0 {
                continue;
            }
            self.state = match self.state {
                State::Build | State::Done => self.state,
                s => step(s, class, text).unwrap_or(State::Done),
            };
        }
        if self.kind == Kind::Build && self.closed {
            self.state = State::Done;
        }
    }
}

/// The plan for a set of lines: for each, the line that starts its event (`None` for lines
/// that start one or stand alone), and for each event's first line the event's kind.
pub(crate) struct Plan {
    pub(crate) parent: Vec<Option<usize>>,
    pub(crate) kind: Vec<Option<Kind>>,
}

/// Decides which lines are one event. Children follow their head in time order.
pub(crate) fn plan(lines: &[LineView]) -> Plan {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        la.stream.cmp(&lb.stream).then(la.time.cmp(&lb.time)).then(la.order.cmp(&lb.order))
    });
    let mut plan = Plan { parent: vec![None; lines.len()], kind: vec![None; lines.len()] };
    let mut open: Option<Open> = None;
    let mut prev: Option<usize> = None;
    for &i in &order {
        let line = &lines[i];
        let same_stream = prev.is_some_and(|p| lines[p].stream == line.stream);
        let gap = prev.filter(|_| same_stream).and_then(|p| Some(line.time? - lines[p].time?));
        let within = |max: i64| gap.is_some_and(|g| (0..=max).contains(&g));
        let text = first_line(line.message);
        let class = classify(text);

        let continues = open.as_ref().is_some_and(|o| {
            let max = if o.kind == Kind::Build { MAX_BUILD_GAP_NANOS } else { MAX_GAP_NANOS };
            within(max) && may_continue(o, line, class, text)
        });
        if continues {
            let o = open.as_mut().expect("checked");
            if o.kind != Kind::Build {
                o.state = step(o.state, class, text).expect("checked");
            }
            o.take(i, line);
        } else {
            if let Some(done) = open.take() {
                settle(done, &mut plan);
            }
            open = start_at(lines, i, prev.filter(|_| within(MAX_HEAD_GAP_NANOS)), &plan, class);
        }
        prev = Some(i);
    }
    if let Some(done) = open.take() {
        settle(done, &mut plan);
    }
    plan
}

/// Whether `line` may continue the open event.
fn may_continue(o: &Open, line: &LineView, class: Class, text: &str) -> bool {
    if o.state == State::Done {
        return false;
    }
    // A line with a severity of its own continues only what its own writer started: a traceback
    // head (the exception detector's first group), or a run of lines all declared alike.
    let declared_ok = !line.part.declared
        || class == Class::PyStart
        || (o.last_declared && o.last_severity == line.severity);
    if !declared_ok {
        return false;
    }
    match o.state {
        State::Build => line.part.build,
        s => step(s, class, text).is_some(),
    }
}

/// The event `i` starts, if any, with the line before it as its head when that line is the
/// message a logger wrote for the trace (`logger.exception`, Nest's `ERROR [Handler] ...`).
fn start_at(
    lines: &[LineView],
    i: usize,
    before: Option<usize>,
    plan: &Plan,
    class: Class,
) -> Option<Open> {
    let line = &lines[i];
    let (state, kind) = start(class, line.part, first_line(line.message))?;
    let head = before.filter(|&p| {
        kind == Kind::Trace
            && matches!(class, Class::PyStart | Class::Exception | Class::JavaHead | Class::GoPanic)
            && plan.parent[p].is_none()
            && plan.kind[p].is_none()
            && !lines[p].part.declared
            && lines[p].severity >= Severity::Error
            && !lines[p].message.contains('\n')
    });
    let mut open = Open::new(kind, state, head.unwrap_or(i), line);
    open.take(i, line);
    Some(open)
}

/// Records a complete event in the plan; lines of an incomplete one stay as they are.
fn settle(open: Open, plan: &mut Plan) {
    if !open.is_event() {
        return;
    }
    let head = open.members[0];
    plan.kind[head] = Some(open.kind);
    for &m in &open.members[1..] {
        plan.parent[m] = Some(head);
    }
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

/// Appends a child's text to its event's: on a new line, or glued where the line before was cut
/// at the runtime's limit.
pub(crate) fn append(message: &mut String, child: &str, after_cut: bool) {
    if !after_cut {
        message.push('\n');
    }
    message.push_str(child);
}

/// Settles a joined event: its severity ([`event_severity`]) and, for JSON written as text, its
/// message (the object's message field, as a jsonPayload's would be read).
pub(crate) fn settle_event(
    kind: Kind,
    message: &mut String,
    lines: impl Iterator<Item = (Severity, bool)>,
) -> (Severity, bool) {
    let severity = event_severity(kind, message, lines);
    if matches!(kind, Kind::Json | Kind::Cut) {
        if let Some((text, _, _)) = super::gcp::message_of_json_text(message) {
            *message = text;
        }
    }
    severity
}

/// The severity of a joined event: the highest of its lines, at least ERROR for a stack trace or
/// a failed build (CRITICAL for a Go panic, which ends the process); for JSON and cut lines,
/// what the joined text says (`"level": "error"` may sit on any of its lines). Inferred unless a
/// line declared that severity itself.
fn event_severity(
    kind: Kind,
    message: &str,
    lines: impl Iterator<Item = (Severity, bool)>,
) -> (Severity, bool) {
    let mut best = (Severity::Default, false);
    for (severity, declared) in lines {
        if severity > best.0 || (severity == best.0 && declared) {
            best = (severity, declared);
        }
    }
    let floor = match kind {
        Kind::Trace if message.starts_with("panic: ") => Severity::Critical,
        Kind::Trace | Kind::Build => Severity::Error,
        Kind::Json | Kind::Cut => {
            super::infer::from_text(message).severity.unwrap_or(Severity::Default)
        }
    };
    if floor > best.0 {
        (floor, true)
    } else {
        (best.0, !best.1)
    }
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

/// Joins continuation lines into the record that starts their event (tests and tools; the report
/// does the same in `tally`). Returns the records in their original order, continuation lines
/// removed (their ids moved to the event's record).
pub fn reassemble(records: Vec<Record<'_>>) -> Vec<Record<'_>> {
    let views: Vec<LineView> = records
        .iter()
        .map(|r| LineView {
            stream: stream_hash(r),
            time: r.time_nanos(),
            part: Part::of(r),
            severity: r.severity,
            message: &r.message,
            order: (r.origin.input, r.origin.offset.max(r.origin.line)),
        })
        .collect();
    let plan = plan(&views);
    let children = children_of(&views, &plan.parent);
    let parts: Vec<Part> = views.iter().map(|v| v.part).collect();
    drop(views);
    let mut slots: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for i in 0..slots.len() {
        if plan.parent[i].is_some() {
            continue;
        }
        let mut rec = slots[i].take().expect("each record is taken once");
        let Some(kind) = plan.kind[i] else {
            out.push(rec);
            continue;
        };
        let mut severities = vec![(rec.severity, parts[i].declared)];
        let mut after_cut = parts[i].cut;
        for &c in &children[i] {
            let child = slots[c].take().expect("a child has one parent");
            append(rec.message.to_mut(), &child.message, after_cut);
            after_cut = parts[c].cut;
            severities.push((child.severity, parts[c].declared));
            rec.entries += child.entries;
            rec.entry_ids.extend(child.entry_ids);
        }
        (rec.severity, rec.severity_inferred) =
            settle_event(kind, rec.message.to_mut(), severities.into_iter());
        out.push(rec);
    }
    out
}

/// Decides, as records are reduced, which may take part in a reassembly and so are kept whole
/// until their stream's neighbours are known. One per batch, fed the batch's records in order.
///
/// A record is taken when its own text looks like a part of an event (one classification of its
/// first line: a byte test and a few prefix checks), or when it follows, in the same stream and
/// within the gap, a record taken for its own text: that catches the lines of an exception's
/// message that look like nothing (Node prints the message as is before its `at` frames) and a
/// cut line's rest, in whichever order the input lists them.
#[derive(Default)]
pub(crate) struct Candidates {
    last: Option<(u64, Option<i64>, bool)>,
}

impl Candidates {
    /// `stream` and `part` are the record's ([`stream_hash`], [`Part::of`]), computed once by
    /// the caller.
    pub(crate) fn may_join(&mut self, rec: &Record, stream: u64, part: Part) -> bool {
        let own = looks_like_a_part(rec, part);
        let time = rec.time_nanos();
        let follows = self.last.is_some_and(|(s, t, own_before)| {
            let max = if part.build { MAX_BUILD_GAP_NANOS } else { MAX_GAP_NANOS };
            own_before
                && s == stream
                && !part.declared
                && matches!((t, time), (Some(a), Some(b)) if (a - b).abs() <= max)
        });
        self.last = Some((stream, time, own));
        own || follows
    }
}

/// Whether a record's own text may be a part of an event.
fn looks_like_a_part(rec: &Record, part: Part) -> bool {
    if part.cut {
        return true;
    }
    let line = first_line(&rec.message);
    if part.build {
        return is_build_error(line) || line.starts_with("Finished Step #") || line == "ERROR";
    }
    match classify(line) {
        Class::Other | Class::Word => {
            // The message a logger wrote just before a trace.
            !part.declared && rec.severity >= Severity::Error && !rec.message.contains('\n')
        }
        Class::Indented | Class::Blank | Class::GoFunc | Class::GoSignal | Class::SqlTail => {
            !part.declared || rec.severity >= Severity::Error
        }
        _ => true,
    }
}

/// Cloud Build's log (`projects/P/logs/cloudbuild`).
pub(crate) fn is_build_log(log_name: &str) -> bool {
    log_name.ends_with("/cloudbuild")
}

/// A Cloud Build line saying a step failed: `Step #0 - "build": ERROR: ...`, `ERROR`, `ERROR:
/// build step 0 ... failed`.
fn is_build_error(line: &str) -> bool {
    let text = build_step_text(line);
    text == "ERROR" || text.starts_with("ERROR: ")
}

/// The build's own last line about a failed step.
pub(crate) fn is_build_failed(line: &str) -> bool {
    line.starts_with("ERROR: build step ") && line.contains(" failed")
}

/// The text of a build step's line without its `Step #N - "name": ` prefix.
pub(crate) fn build_step_text(line: &str) -> &str {
    match line.strip_prefix("Step #") {
        Some(rest) => rest.split_once("\": ").map_or(line, |(_, t)| t.trim_start()),
        None => line,
    }
}

/// Whether a record carries a severity of its own: not inferred, and not the INFO (or DEFAULT)
/// that a runtime gives every line of stdout, stderr or a build log.
pub(crate) fn declared_severity(rec: &Record) -> bool {
    rec.severity != Severity::Default
        && !rec.severity_inferred
        && !(rec.severity <= Severity::Info
            && rec.log_name.as_deref().is_some_and(super::infer::runtime_loses_severity))
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

/// `KeyError: '"timestamp"'`, `ValueError`, `pkg.mod.CustomError: text`, Node's `Error: text`.
pub(crate) fn is_exception_line(line: &str) -> bool {
    let name = line.split(':').next().unwrap_or("");
    let last = name.rsplit('.').next().unwrap_or("");
    !name.is_empty()
        && !name.contains(' ')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'$')
        && (last.ends_with("Error")
            || last.ends_with("Exception")
            || last.ends_with("Warning")
            || last.ends_with("Exit")
            || last.ends_with("Interrupt")
            || last.ends_with("Timeout")
            || last.ends_with("Denied")
            || last == "StopIteration")
}

fn is_chain_line(line: &str) -> bool {
    line.starts_with("During handling of the above exception")
        || line.starts_with("The above exception was the direct cause")
}

/// `main.main()`, `main.(*exporter).flush(0x0, {0x1, 0x2})`, `created by main.start in goroutine 1`.
fn is_go_function_line(line: &str) -> bool {
    if line.starts_with("created by ") {
        return true;
    }
    let Some(open) = line.find('(') else { return false };
    let name = &line[..open];
    line.ends_with(')')
        && !name.is_empty()
        && !name.contains(' ')
        && (name.contains('.') || name.contains('/'))
}

/// One token of identifier characters (`stripe_webhook_secret`, `items.0.name`).
fn is_word(line: &str) -> bool {
    !line.is_empty()
        && line.len() <= 120
        && line.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}
