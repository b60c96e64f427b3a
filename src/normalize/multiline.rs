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
//! `Traceback` head), a Java/Node/.NET stack with `at` frames, a Go panic with its goroutine, a
//! PHP uncaught exception with its `#N` frames, a Ruby uncaught exception with its `from` frames,
//! a Rust panic with its message and closing note (see `rust_panic`),
//! Rails' tagged report of an exception with its class line (see `ruby`), a JSON object with its
//! closing brace, a Cloud Build step failure with the build's `ERROR: build step ... failed`
//! line. Anything else stays as it was written.

use super::record::Record;
use super::redact::Redactor;
use super::ruby::{self, TaggedPart};
use super::rust_panic;
use super::severity::Severity;

/// Lines of one event are at most this far apart (Cloud Run stamps them as they are flushed).
pub(crate) const MAX_GAP_NANOS: i64 = 50_000_000;
/// A Cloud Build step's failure and the build's closing lines are written over a second or so.
const MAX_BUILD_GAP_NANOS: i64 = 5_000_000_000;
/// A log line joins the stack trace after it (as `logger.exception` writes them) only when the
/// trace follows immediately.
const MAX_HEAD_GAP_NANOS: i64 = 5_000_000;
/// What net/http logs, before the goroutine's stack, for a handler's panic it recovered.
pub(crate) const GO_RECOVERED_PANIC: &str = "http: panic serving ";
/// Built once: `str::contains` builds its searcher on every call, and this runs for every line.
static GO_RECOVERED_PANIC_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(GO_RECOVERED_PANIC));
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
    /// A part of a split LogEntry (`split`): the rest of the part before it.
    pub(crate) split: bool,
}

impl Part {
    pub(crate) fn of(rec: &Record) -> Part {
        Part {
            declared: declared_severity(rec),
            build: rec.log_name.as_deref().is_some_and(is_build_log),
            cut: rec.cut_at_limit,
            split: rec.split_part,
        }
    }
}

/// What a joined event is, for how its lines are glued and its severity settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A stack trace (Python, Java, .NET, Node, Go, PHP): at least ERROR.
    Trace,
    /// A pretty-printed JSON object: its severity is what its text says.
    Json,
    /// A line cut at the runtime's limit and its rest, glued without a line break.
    Cut,
    /// A failed Cloud Build step: ERROR.
    Build,
    /// A PostgreSQL message and its `DETAIL:`, `HINT:`, `STATEMENT:` ... lines: the highest
    /// severity of its lines.
    Postgres,
    /// Rails' report of an exception, every line tagged with the request's id: the severity
    /// its logger call had; the tags come off the joined text.
    Tagged,
}

/// The first line of a record, as reassembly sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// `Traceback (most recent call last):`, or an exception group's `  + Exception Group
    /// Traceback (most recent call last):` (Python 3.11+; its lines are indented by `  | `).
    PyStart,
    /// Starts with a space or a tab: frames, source lines, carets, `\tat ...`, `\t... 12 more`.
    Indented,
    /// `KeyError: 'x'`, `java.lang.IllegalStateException: ...`, Node's `Error: ...`, .NET's
    /// `Unhandled exception. System.X: ...`.
    Exception,
    /// A class name alone or before `: ` that is no known exception by its name
    /// (`NotFound: 404 ...`, `feign.FeignException$NotFound: ...`): the exception line after
    /// Python frames or before `at` frames ([`has_exception_shape`]).
    Named,
    /// `During handling of the above exception...`, `The above exception was the direct cause...`
    Chain,
    /// Java's `Caused by: ...`
    CausedBy,
    /// Java's `Exception in thread "main" ...`
    JavaHead,
    /// ASP.NET Core's console logger: `fail: Microsoft.AspNetCore.Server.Kestrel[13]`, its message
    /// and the exception indented below it.
    DotnetFail,
    /// Go's `panic: ...` or `fatal error: ...`, or net/http's log line for a handler's panic it
    /// recovered (`2025/10/14 12:30:00 http: panic serving 10.8.0.3:51234: ...`).
    GoPanic,
    /// Node's crash report begins with where it was thrown: `node:internal/process/promises:391`,
    /// `/app/node_modules/pg/lib/client.js:132`.
    NodeSource,
    /// Go's `[signal SIGSEGV: ...]`
    GoSignal,
    /// Go's `goroutine 1 [running]:`
    GoRoutine,
    /// Go's `main.main()`, `created by ...`
    GoFunc,
    /// SQLAlchemy's `[SQL: ...]`, `[parameters: ...]`, `(Background on this error at: ...)`
    SqlTail,
    /// A PostgreSQL message's later line, its server prefix cut (`postgres`): `DETAIL:  ...`,
    /// `HINT:  ...`, `STATEMENT:  ...`.
    PgTail,
    /// PHP's `PHP Fatal error:  Uncaught PDOException: ... in /var/www/html/db.php:12` (the
    /// message proper: a wrapper's prefix is cut when the severity is read).
    PhpFatal,
    /// PHP's `Stack trace:` between an exception and its frames.
    PhpStackTrace,
    /// PHP's frames: `#0 /var/www/html/db.php(12): PDO->__construct(...)`, `#1 {main}`.
    PhpFrame,
    /// Ruby's report of an uncaught exception: `path:N:in 'method': message (Class)`.
    RubyRaise,
    /// Rust's `thread 'main' panicked at src/main.rs:12:5:`.
    RustPanic,
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
        return match line.trim_start() {
            "" => Class::Blank,
            t if t.starts_with("+ Exception Group Traceback (most recent call last)") => {
                Class::PyStart
            }
            _ => Class::Indented,
        };
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
    } else if is_dotnet_failure(trimmed) {
        Class::DotnetFail
    } else if line.starts_with("panic: ")
        || line.starts_with("fatal error: ")
        || GO_RECOVERED_PANIC_FINDER.find(line.as_bytes()).is_some()
    {
        Class::GoPanic
    } else if ruby::raise_line(trimmed).is_some() {
        Class::RubyRaise
    } else if rust_panic::panic_line(line).is_some() {
        Class::RustPanic
    } else if is_node_source_line(trimmed) {
        Class::NodeSource
    } else if line.starts_with("[signal ") {
        Class::GoSignal
    } else if line.starts_with("goroutine ") && trimmed.ends_with("]:") {
        Class::GoRoutine
    } else if let Some(php) = php_class(trimmed) {
        php
    } else if super::postgres::is_tail(line) {
        Class::PgTail
    } else if line.starts_with("[SQL: ")
        || line.starts_with("[parameters: ")
        || line.starts_with("(Background on this error at:")
    {
        Class::SqlTail
    } else if is_exception_line(line) || line.starts_with("Unhandled exception. ") {
        Class::Exception
    } else if is_go_function_line(trimmed) {
        Class::GoFunc
    } else if has_exception_shape(trimmed) {
        Class::Named
    } else if is_word(trimmed) {
        Class::Word
    } else {
        Class::Other
    }
}

/// PHP's lines of a trace, told by their first bytes (this runs for every line).
fn php_class(line: &str) -> Option<Class> {
    match line.as_bytes().first()? {
        b'P' if line.starts_with(PHP_FATAL) => Some(Class::PhpFatal),
        b'S' if line == "Stack trace:" => Some(Class::PhpStackTrace),
        b'#' if is_php_frame(line) => Some(Class::PhpFrame),
        _ => None,
    }
}

/// `#12 ` at the start of a line: a PHP frame's number.
fn is_php_frame(line: &str) -> bool {
    let digits = line[1..].bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line.as_bytes().get(1 + digits) == Some(&b' ')
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
    /// After a line that is an exception only by its shape: its `at` frames must follow.
    Head,
    /// Java/Node `at` frames.
    AtFrames,
    /// After a Node crash's source location: the source line and its caret.
    NodeSource,
    /// After the value a Node crash threw (`Error: ...`, `[UnhandledPromiseRejection: ...] {`):
    /// its message, `at` frames and properties, up to the `Node.js v20.11.1` line.
    NodeThrown(u16),
    /// After Go's `panic:` line, before the goroutine.
    GoHead,
    /// Go's goroutine stacks.
    GoStack,
    /// After PHP's exception line (or a `Next` one), before its `Stack trace:`: the lines of a
    /// message that had line breaks (Guzzle's quotes the response), and ` in file:line`.
    PhpHead(u16),
    /// PHP's `#N` frames, a blank line and `Next X: ...` (the exception that wrapped this one),
    /// up to `  thrown in ... on line N`.
    PhpFrames,
    /// Ruby's `\tfrom ...` frames, and a cause's report below them.
    RubyFrames,
    /// Rails' tagged lines: the event's tag decides ([`may_continue`]).
    Tagged,
    /// After Rust's panic line: the message's lines, up to `stack backtrace:` or the closing
    /// `note:`.
    RustMessage(u16),
    /// A Rust backtrace's frames, up to the closing `note:`.
    RustFrames,
    /// Inside a pretty-printed JSON object.
    Json,
    /// A line cut at the limit: the next line is its rest.
    Cut,
    /// A Cloud Build step failing, until the build's last `ERROR:` line.
    Build,
    /// After a PostgreSQL message: its later lines (and a statement's indented lines).
    PgTails,
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
        (S::Frames, C::Exception | C::Named) => S::AfterException,
        (S::Frames, C::CausedBy) => S::Message(0),
        (S::AfterException, C::SqlTail | C::Indented | C::Blank | C::Word | C::Named) => {
            S::AfterException
        }
        (S::AfterException | S::Chained, C::Chain | C::Blank) => S::Chained,
        (S::Chained, C::PyStart) => S::Frames,
        (S::Message(_) | S::Head, C::Indented) if at_frame() => S::AtFrames,
        (S::Message(n), _)
            if n < MAX_MESSAGE_LINES && !matches!(class, C::PyStart | C::GoPanic) =>
        {
            S::Message(n + 1)
        }
        (S::AtFrames, C::Indented | C::Blank) => S::AtFrames,
        (S::AtFrames, C::CausedBy) => S::Message(0),
        (S::NodeSource, C::Indented | C::Blank) => S::NodeSource,
        (S::NodeSource | S::NodeThrown(_), _) if line.starts_with("Node.js v") => S::Done,
        (S::NodeSource, _) if !ends_a_node_crash(class) => S::NodeThrown(0),
        (S::NodeThrown(n), _) if n < MAX_MESSAGE_LINES && !ends_a_node_crash(class) => {
            S::NodeThrown(n + 1)
        }
        (S::GoHead, C::GoSignal | C::Blank) => S::GoHead,
        (S::GoHead | S::GoStack, C::GoRoutine) => S::GoStack,
        (S::GoStack, C::GoFunc | C::Indented | C::Blank) => S::GoStack,
        (S::PhpHead(_), C::PhpStackTrace) => S::PhpFrames,
        (S::PhpHead(n), _) if n < MAX_MESSAGE_LINES && !starts_another_trace(class) => {
            S::PhpHead(n + 1)
        }
        (S::PhpFrames, C::PhpFrame | C::Blank) => S::PhpFrames,
        (S::PhpFrames, C::Other) if line.starts_with("Next ") => S::PhpHead(0),
        // PHP's last line: the exception that escaped was thrown there.
        (S::PhpFrames, C::Indented) if line.trim_start().starts_with("thrown in ") => S::Done,
        (S::PgTails, C::PgTail | C::Indented) => S::PgTails,
        (S::RubyFrames, C::Indented | C::Blank | C::RubyRaise) => S::RubyFrames,
        (S::Tagged, _) => S::Tagged,
        (S::RustMessage(_) | S::RustFrames, _) if rust_panic::is_closing_note(line) => S::Done,
        (S::RustMessage(_), _) if line == rust_panic::BACKTRACE => S::RustFrames,
        (S::RustMessage(n), _) if n < MAX_MESSAGE_LINES && !starts_another_trace(class) => {
            S::RustMessage(n + 1)
        }
        (S::RustFrames, C::Indented | C::Blank) => S::RustFrames,
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
        C::Exception | C::JavaHead | C::CausedBy | C::DotnetFail => {
            (State::Message(0), Kind::Trace)
        }
        C::GoPanic => (State::GoHead, Kind::Trace),
        C::NodeSource => (State::NodeSource, Kind::Trace),
        C::PhpFatal => (State::PhpHead(0), Kind::Trace),
        C::RubyRaise => (State::RubyFrames, Kind::Trace),
        C::RustPanic => (State::RustMessage(0), Kind::Trace),
        C::Named => (State::Head, Kind::Trace),
        C::OpenBrace => (State::Json, Kind::Json),
        C::PgTail => (State::PgTails, Kind::Postgres),
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
    /// Node's last line of a crash report, `Node.js v20.11.1`.
    seen_node_version: bool,
    /// PHP's `#0 ...` below its `Stack trace:`.
    seen_php_frame: bool,
    /// Ruby's `\tfrom path:N:in 'method'`.
    seen_ruby_frame: bool,
    /// Rust's `thread '...' panicked at ...`: what follows it within the gap is its report.
    seen_rust_panic: bool,
    closed: bool,
    /// Rails' tagged report: the request's tag every line begins with, and the severity of its
    /// first line (the logger call's).
    tag: Option<(String, Severity)>,
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
            seen_node_version: false,
            seen_php_frame: false,
            seen_ruby_frame: false,
            seen_rust_panic: false,
            closed: false,
            tag: None,
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
            Class::Indented if trimmed.starts_with("from ") && ruby::frame(trimmed).is_some() => {
                self.seen_ruby_frame = true
            }
            Class::Exception
            | Class::Named
            | Class::JavaHead
            | Class::DotnetFail
            | Class::CausedBy
            | Class::GoPanic
            | Class::PhpFatal
            | Class::RubyRaise => self.seen_exception = true,
            Class::RustPanic => self.seen_rust_panic = true,
            Class::PhpFrame => self.seen_php_frame = true,
            Class::GoRoutine => self.seen_goroutine = true,
            Class::CloseBrace => self.closed = true,
            Class::Other if line.starts_with("Node.js v") => self.seen_node_version = true,
            _ => {}
        }
        if self.kind == Kind::Build && is_build_failed(line) {
            self.closed = true;
        }
        if let Some((tag, _)) = &self.tag {
            if ruby::is_rails_exception(ruby::untagged(line, tag)) {
                self.seen_exception = true;
            }
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
                    || self.seen_node_version
                    || (self.seen_php_frame && self.seen_exception)
                    || (self.seen_ruby_frame && self.seen_exception)
                    || self.seen_rust_panic
            }
            Kind::Tagged => self.seen_exception,
            Kind::Json | Kind::Build => self.closed,
            // The lines of one backend's message: its tags say so.
            Kind::Cut | Kind::Postgres => true,
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
                State::Build | State::Tagged | State::Done => self.state,
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
    /// The streams the input lists newest first (see [`written_order`]).
    newest_first: rustc_hash::FxHashSet<u64>,
}

/// Decides which lines are one event. Children follow their head in time order.
pub(crate) fn plan(lines: &[LineView]) -> Plan {
    let newest_first = newest_first_streams(lines);
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        la.stream
            .cmp(&lb.stream)
            .then(la.time.cmp(&lb.time))
            .then_with(|| written_order(la, lb, newest_first.contains(&la.stream)))
    });
    let (parent, kind) = (vec![None; lines.len()], vec![None; lines.len()]);
    let mut plan = Plan { parent, kind, newest_first };
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
            if !matches!(o.kind, Kind::Build | Kind::Tagged) {
                o.state = step(o.state, class, text).expect("checked");
            }
            // A rest that was cut again (a split entry's middle part, a line over twice the
            // limit) takes the next rest too.
            if o.kind == Kind::Cut && line.part.cut {
                o.state = State::Cut;
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
    // A PostgreSQL message's later lines carry whatever severity the log agent gave each.
    let declared_ok = !line.part.declared
        || class == Class::PyStart
        || o.kind == Kind::Postgres
        || (o.last_declared && o.last_severity == line.severity);
    if !declared_ok {
        return false;
    }
    match (o.state, &o.tag) {
        (State::Build, _) => line.part.build,
        // A line with a level of its own in its text is the program's next log line, not a
        // line of the panic's message.
        (State::RustMessage(_), _) if !line.part.declared && line.severity != Severity::Default => {
            false
        }
        (State::Tagged, Some((tag, severity))) => continues_tagged(line, text, tag, *severity),
        (s, _) => step(s, class, text).is_some(),
    }
}

/// A line of Rails' tagged report goes on: the same request's tag, a part of the report, and
/// the severity of the logger call (or none: the rest of that call's lines, stored apart).
fn continues_tagged(line: &LineView, text: &str, tag: &str, severity: Severity) -> bool {
    ruby::tagged_part(text).is_some_and(|(t, _)| t == tag)
        && (line.severity <= Severity::Info || line.severity == severity)
}

/// Rails' tagged report of an exception begins with a line of its logger call (ERROR or FATAL,
/// read off the line's Logger prefix, so not declared): the request's tag and nothing, or the
/// exception's class line.
fn start_tagged(line: &LineView, i: usize) -> Option<Open> {
    if line.part.declared || line.severity < Severity::Error {
        return None;
    }
    let (tag, part) = ruby::tagged_part(first_line(line.message))?;
    if !matches!(part, TaggedPart::Blank | TaggedPart::Exception) {
        return None;
    }
    let mut open = Open::new(Kind::Tagged, State::Tagged, i, line);
    open.tag = Some((tag.to_string(), line.severity));
    open.take(i, line);
    Some(open)
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
    if let Some(tagged) = start_tagged(line, i) {
        return Some(tagged);
    }
    let (state, kind) = start(class, line.part, first_line(line.message))?;
    let head = before.filter(|&p| {
        let free = plan.parent[p].is_none() && plan.kind[p].is_none();
        // A message's later line follows its message, of the same backend (the stream).
        if kind == Kind::Postgres {
            return free;
        }
        kind == Kind::Trace
            && matches!(
                class,
                Class::PyStart | Class::Exception | Class::Named | Class::JavaHead | Class::GoPanic
            )
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

/// The order two lines of the same time were written in: the input's, or its reverse where the
/// input lists the stream newest first (`gcloud logging read` does by default), so that a
/// traceback whose lines share a timestamp is not read upside down.
fn written_order(a: &LineView, b: &LineView, newest_first: bool) -> std::cmp::Ordering {
    if newest_first {
        b.order.cmp(&a.order)
    } else {
        a.order.cmp(&b.order)
    }
}

/// The streams whose lines, in input order, go back in time more often than forward.
fn newest_first_streams(lines: &[LineView]) -> rustc_hash::FxHashSet<u64> {
    let mut by_input: Vec<&LineView> = lines.iter().filter(|l| l.time.is_some()).collect();
    by_input.sort_unstable_by_key(|l| (l.stream, l.order));
    let mut steps: rustc_hash::FxHashMap<u64, i64> = rustc_hash::FxHashMap::default();
    for pair in by_input.windows(2).filter(|p| p[0].stream == p[1].stream) {
        let step = match pair[1].time.cmp(&pair[0].time) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Greater => 1,
            std::cmp::Ordering::Equal => 0,
        };
        *steps.entry(pair[0].stream).or_default() += step;
    }
    steps.into_iter().filter(|&(_, sum)| sum < 0).map(|(stream, _)| stream).collect()
}

/// The children of each head, in time order (the order [`plan`] walked them).
pub(crate) fn children_of(lines: &[LineView], plan: &Plan) -> Vec<Vec<usize>> {
    let (parent, newest_first) = (&plan.parent, &plan.newest_first);
    let mut order: Vec<usize> = (0..lines.len()).filter(|&i| parent[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lines[a], &lines[b]);
        la.time.cmp(&lb.time).then_with(|| written_order(la, lb, newest_first.contains(&la.stream)))
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
    redactor: &super::redact::Redactor,
) -> (Severity, bool) {
    let severity = event_severity(kind, message, lines);
    if kind == Kind::Tagged {
        *message = untag_report(message);
    }
    if kind == Kind::Cut {
        // Each part was redacted alone: a secret cut in two may show only once whole (with
        // every rule of the run, the user's own included).
        let whole = redactor.redact(message);
        if let std::borrow::Cow::Owned(redacted) = whole {
            *message = redacted;
        }
    }
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
        Kind::Postgres | Kind::Tagged => Severity::Default,
    };
    if floor > best.0 {
        (floor, true)
    } else {
        (best.0, !best.1)
    }
}

/// Rails' report without its tags, as a text log's record of it reads (`text`): the first
/// line's text after its tags, unless there is none, then each line after its first tag.
fn untag_report(message: &str) -> String {
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    let (tag, rest) = super::text::cut_tags(first);
    let tag = tag.unwrap_or("");
    let mut out = rest.trim_end().to_string();
    for line in lines {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(ruby::untagged(line, tag));
    }
    out
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
/// removed (their ids moved to the event's record). A line cut in parts is redacted again whole
/// with `redactor`.
pub fn reassemble<'a>(records: Vec<Record<'a>>, redactor: &Redactor) -> Vec<Record<'a>> {
    let views: Vec<LineView> = records
        .iter()
        .map(|r| LineView {
            stream: stream_hash(r),
            time: r.time_nanos(),
            part: Part::of(r),
            severity: r.severity,
            message: &r.message,
            order: r.origin.position(),
        })
        .collect();
    let plan = plan(&views);
    let children = children_of(&views, &plan);
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
            settle_event(kind, rec.message.to_mut(), severities.into_iter(), redactor);
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
        // A call with its outcome (an audit log, a function's execution status) is an event of
        // its own, keyed by that outcome: never a line of another.
        if rec.audit.is_some() {
            self.last = Some((stream, rec.time_nanos(), false));
            return false;
        }
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
    if part.cut || part.split {
        return true;
    }
    let line = first_line(&rec.message);
    if part.build {
        return is_build_error(line) || line.starts_with("Finished Step #") || line == "ERROR";
    }
    // A PostgreSQL message that matters may have later lines (`DETAIL:  ...`) still to come.
    let postgres = rec.log_name.as_deref().is_some_and(super::postgres::is_server_log);
    if postgres {
        return rec.severity >= Severity::Warning || super::postgres::is_tail(line);
    }
    if ruby::tagged_part(line).is_some()
        || line == rust_panic::BACKTRACE
        || rust_panic::is_closing_note(line)
    {
        return true;
    }
    match classify(line) {
        Class::Named => true,
        Class::Other | Class::Word => {
            // The message a logger wrote just before a trace.
            !part.declared && rec.severity >= Severity::Error && !rec.message.contains('\n')
        }
        Class::Indented
        | Class::Blank
        | Class::GoFunc
        | Class::GoSignal
        | Class::SqlTail
        | Class::PhpFrame => !part.declared || rec.severity >= Severity::Error,
        _ => true,
    }
}

/// How PHP begins a fatal error's line; an uncaught exception's stack trace follows it.
pub(crate) const PHP_FATAL: &str = "PHP Fatal error:";

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

/// `message.lines().next()`, found with the memchr crate's search: this runs several times for
/// every entry, and the standard library's search for a `char` was 3% of reading.
pub(crate) fn first_line(message: &str) -> &str {
    match memchr::memchr(b'\n', message.as_bytes()) {
        Some(end) => message[..end].strip_suffix('\r').unwrap_or(&message[..end]),
        None => message,
    }
}

/// The length of the name a line starts with (identifier bytes, `.` and `$`), if what follows
/// it is a colon or the line's end: the shape every exception line begins with.
fn name_before_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let name = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')))
        .unwrap_or(bytes.len());
    (name == bytes.len() || bytes[name] == b':').then_some(name)
}

/// `KeyError: '"timestamp"'`, `ValueError`, `pkg.mod.CustomError: text`, Node's `Error: text`.
pub(crate) fn is_exception_line(line: &str) -> bool {
    // The byte test first: most lines fail it at their first space, before any search.
    let name = match name_before_colon(line) {
        Some(len) if len > 0 => &line[..len],
        _ => return false,
    };
    let last = name.rsplit('.').next().unwrap_or("");
    last.ends_with("Error")
        || last.ends_with("Exception")
        || last.ends_with("Warning")
        || last.ends_with("Exit")
        || last.ends_with("Interrupt")
        || last.ends_with("Timeout")
        || last.ends_with("Denied")
        || last == "StopIteration"
}

/// Whether a text has `at` frames below its first line: Java's `\tat `, Node's `    at `, .NET's
/// `   at ` (.NET; deeper under a logger's line: `         at `).
pub(crate) fn has_at_frames(text: &str) -> bool {
    // Three spaces at least: prose indented by two (`  at least 3 retries`) is no frame.
    let indented = |l: &str| l.starts_with('\t') || l.starts_with("   ");
    text.lines().skip(1).any(|l| indented(l) && l.trim_start().starts_with("at "))
}

/// Where a Node crash was thrown, as its report's first line: `node:internal/process/
/// promises:391`, `/app/node_modules/pg/lib/client.js:132`, `file:///app/server.mjs:40`.
pub(crate) fn is_node_source_line(line: &str) -> bool {
    let Some((path, number)) = line.rsplit_once(':') else { return false };
    let script = [".js", ".mjs", ".cjs", ".ts"].iter().any(|ext| path.ends_with(ext));
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && !path.contains(char::is_whitespace)
        && (path.starts_with("node:")
            || (script && (path.starts_with('/') || path.starts_with("file://"))))
}

/// A line that begins another event rather than continuing a Node crash report.
fn ends_a_node_crash(class: Class) -> bool {
    matches!(class, Class::PyStart | Class::GoPanic | Class::NodeSource | Class::PhpFatal)
}

/// A line that begins another trace rather than continuing a PHP exception's message.
fn starts_another_trace(class: Class) -> bool {
    ends_a_node_crash(class) || matches!(class, Class::JavaHead | Class::PhpFrame)
}

/// `fail: Microsoft.AspNetCore.Server.Kestrel[13]` (or `crit:`): the line ASP.NET Core's console
/// logger writes before an error's message and exception, indented below it.
fn is_dotnet_failure(line: &str) -> bool {
    let Some(category) = line.strip_prefix("fail: ").or_else(|| line.strip_prefix("crit: ")) else {
        return false;
    };
    let Some((name, id)) = category.strip_suffix(']').and_then(|c| c.split_once('[')) else {
        return false;
    };
    has_exception_shape(name) && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

/// A class name alone or before `: ` (`NotFound: 404 ...`, `google.api_core.exceptions.Deadline
/// Exceeded: 504 ...`, `feign.FeignException$NotFound: ...`, `socket.timeout`), whatever the name
/// ends with. Too loose for a lone line (`Note: ...`); it is an exception line only where a
/// trace says one comes: after Python frames, before Java/.NET `at` frames.
pub(crate) fn has_exception_shape(line: &str) -> bool {
    let line = line.trim_end();
    // The byte tests first: most lines fail them at their first space, before any search.
    let Some(len) = name_before_colon(line) else { return false };
    let (name, rest) = (&line[..len], line.get(len + 1..).unwrap_or(""));
    let Some(&first) = name.as_bytes().first() else { return false };
    if !((rest.is_empty() || rest.starts_with(' '))
        && (first.is_ascii_alphabetic() || first == b'_')
        && name.len() <= 200)
    {
        return false;
    }
    let last = name.rsplit(['.', '$']).next().unwrap_or("");
    !name.ends_with(['.', '$'])
        // Module-qualified, or a class's capital: not a plain word (`done`, `note: ...`).
        && (name.contains(['.', '$']) || last.starts_with(|c: char| c.is_ascii_uppercase() || c == '_'))
        // A class name has a lower-case letter: `INFO:`, `WARN:` are levels.
        && last.bytes().any(|b| b.is_ascii_lowercase())
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
    if !line.ends_with(')') {
        return false;
    }
    let Some(open) = line.find('(') else { return false };
    let name = &line[..open];
    !name.is_empty()
        && !name.contains(' ')
        // `panic({0x7b2c60?, 0xc0000163a8?})` is the frame where a recovered panic was raised.
        && (name.contains('.') || name.contains('/') || name == "panic")
}

/// One token of identifier characters (`stripe_webhook_secret`, `items.0.name`).
fn is_word(line: &str) -> bool {
    !line.is_empty()
        && line.len() <= 120
        && line.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line tests as they were written before their byte-first rewrite: the reference.
    mod before {
        pub(super) fn is_exception_line(line: &str) -> bool {
            let name = line.split(':').next().unwrap_or("");
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
            {
                return false;
            }
            let last = name.rsplit('.').next().unwrap_or("");
            ["Error", "Exception", "Warning", "Exit", "Interrupt", "Timeout", "Denied"]
                .iter()
                .any(|end| last.ends_with(end))
                || last == "StopIteration"
        }

        pub(super) fn has_exception_shape(line: &str) -> bool {
            let line = line.trim_end();
            let (name, rest) = line.split_once(':').unwrap_or((line, ""));
            let Some(&first) = name.as_bytes().first() else { return false };
            if !((rest.is_empty() || rest.starts_with(' '))
                && (first.is_ascii_alphabetic() || first == b'_')
                && name.len() <= 200
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')))
            {
                return false;
            }
            let last = name.rsplit(['.', '$']).next().unwrap_or("");
            !name.ends_with(['.', '$'])
                && (name.contains(['.', '$'])
                    || last.starts_with(|c: char| c.is_ascii_uppercase() || c == '_'))
                && last.bytes().any(|b| b.is_ascii_lowercase())
        }

        pub(super) fn is_go_function_line(line: &str) -> bool {
            if line.starts_with("created by ") {
                return true;
            }
            let Some(open) = line.find('(') else { return false };
            let name = &line[..open];
            line.ends_with(')')
                && !name.is_empty()
                && !name.contains(' ')
                && (name.contains('.') || name.contains('/') || name == "panic")
        }
    }

    proptest::proptest! {
        /// The byte-first line tests say what the tests they replaced said, on lines made of the
        /// pieces those tests look at.
        #[test]
        fn line_tests_agree_with_their_reference(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("KeyError"), proptest::strategy::Just("pkg.mod"),
                proptest::strategy::Just("Foo$Bar"), proptest::strategy::Just("_x"),
                proptest::strategy::Just(":"), proptest::strategy::Just(": "),
                proptest::strategy::Just(" "), proptest::strategy::Just("."),
                proptest::strategy::Just("$"), proptest::strategy::Just("("),
                proptest::strategy::Just(")"), proptest::strategy::Just("main.run"),
                proptest::strategy::Just("created by "), proptest::strategy::Just("Timeout"),
                proptest::strategy::Just("INFO"), proptest::strategy::Just("\t"),
                proptest::strategy::Just("é"), proptest::strategy::Just("9"),
                proptest::strategy::Just("\r\n"), proptest::strategy::Just("\n"),
            ], 0..8),
        ) {
            let line = pieces.concat();
            proptest::prop_assert_eq!(is_exception_line(&line), before::is_exception_line(&line), "{:?}", line);
            proptest::prop_assert_eq!(has_exception_shape(&line), before::has_exception_shape(&line), "{:?}", line);
            proptest::prop_assert_eq!(is_go_function_line(&line), before::is_go_function_line(&line), "{:?}", line);
            proptest::prop_assert_eq!(first_line(&line), line.lines().next().unwrap_or(""), "{:?}", line);
        }
    }
    use crate::normalize::redact::default_redactor;
    use crate::normalize::time::Timestamp;

    fn at(id: &str, us: i64, sev: Severity, inferred: bool, msg: &str) -> Record<'static> {
        Record {
            time: Some(Timestamp::from_nanos(1_700_000_000_000_000_000 + us * 1_000, 6)),
            severity: sev,
            severity_inferred: inferred,
            service: "svc".into(),
            instance: Some("i1".into()),
            log_name: Some("projects/p/logs/run.googleapis.com%2Fstderr".into()),
            message: msg.to_string().into(),
            entries: 1,
            entry_ids: vec![id.into()],
            ..Record::default()
        }
    }

    fn line(id: &str, us: i64, msg: &str) -> Record<'static> {
        at(id, us, Severity::Default, false, msg)
    }

    fn ids<'a>(out: &'a [Record<'a>]) -> Vec<Vec<&'a str>> {
        out.iter().map(|r| r.entry_ids.iter().map(String::as_str).collect()).collect()
    }

    /// `gcloud logging read` lists entries newest first: a traceback whose lines share one
    /// timestamp comes upside down, and is read the right way up.
    #[test]
    fn lines_of_one_time_from_a_newest_first_export_are_read_in_reverse() {
        let newest_first = [
            line("later", 900_000, "  File \"/app/jobs.py\", line 9, in tick"),
            line("d", 0, "KeyError: 'items'"),
            line("c", 0, "    return order['items']"),
            line("b", 0, "  File \"/app/orders.py\", line 12, in process"),
            at("a", 0, Severity::Error, true, "Traceback (most recent call last):"),
        ];
        let records: Vec<Record> = newest_first
            .into_iter()
            .enumerate()
            .map(|(n, mut r)| {
                r.origin.line = n as u64 + 1;
                r
            })
            .collect();
        let out = reassemble(records, default_redactor());
        let joined = out.iter().find(|r| r.entry_ids.len() == 4).expect("one event of four lines");
        assert!(
            joined.message.starts_with("Traceback (most recent call last):"),
            "{}",
            joined.message
        );
        assert!(joined.message.ends_with("KeyError: 'items'"), "{}", joined.message);
    }

    #[test]
    fn joins_a_split_traceback_and_keeps_its_ids() {
        let records = vec![
            at("a", 0, Severity::Error, true, "Traceback (most recent call last):"),
            line("b", 1000, "  File \"/app/main.py\", line 3, in <module>"),
            line("c", 2000, "    run()"),
            line("d", 3000, "KeyError: 'x'"),
            line("e", 500_000, "  File \"unrelated\" later"),
            at("f", 501_000, Severity::Warning, false, "slow"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(ids(&out), [vec!["a", "b", "c", "d"], vec!["e"], vec!["f"]]);
        assert!(out[0].message.ends_with("KeyError: 'x'"));
        assert_eq!(out[0].severity, Severity::Error);
    }

    /// What Google's exception detector leaves of a Python 3.11+ chained traceback: the head
    /// (several lines, ERROR) and every line from the first caret on alone; here the chain's
    /// first part started before the export.
    #[test]
    fn carets_chains_declared_heads_and_tails_before_the_export() {
        let records = vec![
            line("1", 0, "    first_packet = self.connection._read_packet()"),
            line("2", 3, "                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"),
            line("3", 6, "  File \"/site-packages/pymysql/err.py\", line 150, in raise_mysql_exception"),
            line("4", 9, "pymysql.err.OperationalError: (1364, \"x\")"),
            line("5", 12, "The above exception was the direct cause of the following exception:"),
            at("6", 15, Severity::Error, false, "Traceback (most recent call last):\n  File \"/site-packages/flask/app.py\", line 1511, in wsgi_app\n    response = self.full_dispatch_request()"),
            line("7", 18, "               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^"),
            line("8", 21, "    ~~~~~~^^^^^"),
            line("9", 24, "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1364, \"x\")"),
            line("10", 27, "[SQL: INSERT INTO orders (a) VALUES (%(a)s)]"),
            line("11", 30, "[parameters: {'a': 1}]"),
            line("12", 33, "(Background on this error at: https://sqlalche.me/e/20/e3q8)"),
            at("13", 200_000, Severity::Info, false, "GET /health"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(out.len(), 2, "{:?}", ids(&out));
        assert_eq!(out[0].entries, 12);
        assert_eq!((out[0].severity, out[0].severity_inferred), (Severity::Error, false));
    }

    #[test]
    fn lines_declared_alike_join_other_declared_lines_do_not() {
        let e = Severity::Error;
        let records = vec![
            at("a", 0, e, false, "Traceback (most recent call last):"),
            at("b", 10, e, false, "  File \"/app/task.py\", line 112, in <module>"),
            at("c", 20, e, false, "FileNotFoundError: [Errno 2] No such file"),
            at("d", 30, Severity::Warning, false, "  indented warning"),
        ];
        assert_eq!(ids(&reassemble(records, default_redactor())), [vec!["a", "b", "c"], vec!["d"]]);
    }

    #[test]
    fn other_streams_and_incomplete_runs_stay_apart() {
        let mut other = line("x", 1, "  File \"/app/other.py\", line 1, in f");
        other.instance = Some("i2".into());
        let records = vec![
            at("a", 0, Severity::Error, true, "Traceback (most recent call last):"),
            other,
            at("b", 2, Severity::Error, false, "  declared line"),
        ];
        assert_eq!(reassemble(records, default_redactor()).len(), 3);
        // An exception line and lines after it, but no frames: not a stack trace.
        let records = vec![
            line("a", 0, "Error: something odd"),
            line("b", 10, "a log line that follows"),
            line("c", 20, "{"),
            line("d", 30, "  \"never closed\": true,"),
        ];
        assert_eq!(reassemble(records, default_redactor()).len(), 4);
    }

    #[test]
    fn logger_line_node_stack_and_go_panic() {
        let records = vec![
            at("h", 0, Severity::Error, true, "ERROR [ExceptionsHandler] connect ECONNREFUSED"),
            line("a", 1000, "Error: connect ECONNREFUSED 10.0.0.1:6379"),
            line("b", 1010, "upstream said: no"),
            line("c", 1020, "    at TCPConnectWrap.afterConnect (node:net:1607:16)"),
        ];
        assert_eq!(ids(&reassemble(records, default_redactor())), [vec!["h", "a", "b", "c"]]);
        let records = vec![
            line("1", 0, "panic: runtime error: invalid memory address"),
            line("2", 5, "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1]"),
            line("3", 10, "goroutine 1 [running]:"),
            line("4", 15, "main.(*exporter).flush(0x0, {0x1, 0x2})"),
            line("5", 20, "\t/app/export.go:88 +0x1d"),
            line("6", 25, "main.main()"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].severity, out[0].severity_inferred), (Severity::Critical, true));
    }

    #[test]
    fn split_entries_are_joined_in_order_and_redacted_whole() {
        let part = |id: &str, text: &str, cut: bool| {
            let mut r = at(id, 0, Severity::Error, false, text);
            (r.cut_at_limit, r.split_part) = (cut, true);
            r
        };
        let records = vec![
            part("a", "upstream rejected the session eyJhbGciOiJIUzI1Ni", true),
            part(
                "b",
                "J9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U and ",
                true,
            ),
            part("c", "gave up after 3 tries", false),
            line("d", 900_000, "next request"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(ids(&out), [vec!["a", "b", "c"], vec!["d"]]);
        assert!(out[0].message.ends_with(" and gave up after 3 tries"), "{}", out[0].message);
        assert!(!out[0].message.contains("dozjgNryP4J3jVmNHl0w5N"), "{}", out[0].message);
    }

    #[test]
    fn json_objects_and_cut_lines_are_read_whole() {
        let records = vec![
            line("1", 0, "{"),
            line("2", 3, "  \"event\": \"refund failed\","),
            line("3", 6, "  \"level\": \"error\""),
            line("4", 9, "}"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(out[0].message, "refund failed");
        assert_eq!((out[0].severity, out[0].entries), (Severity::Error, 4));
        let head =
            format!("{{\"event\": \"mismatch\", \"pad\": \"{}", "x".repeat(LINE_LIMIT_BYTES));
        let mut cut = at("1", 0, Severity::Info, false, &head[..LINE_LIMIT_BYTES]);
        cut.cut_at_limit = true;
        let rest = format!("{}\", \"level\": \"error\"}}", &head[LINE_LIMIT_BYTES..]);
        let out =
            reassemble(vec![cut, at("2", 1, Severity::Info, false, &rest)], default_redactor());
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].message.as_ref(), out[0].severity), ("mismatch", Severity::Error));
    }

    #[test]
    fn a_failed_build_step_up_to_the_build_line() {
        let build = |id: &str, ms: i64, msg: &str| {
            let mut r = at(id, ms * 1000, Severity::Info, false, msg);
            r.log_name = Some("projects/p/logs/cloudbuild".into());
            r
        };
        let records = vec![
            build("1", 0, "Step #0 - \"build\": Collecting flask==3.1.2"),
            build("2", 2000, "Step #0 - \"build\": ERROR: No matching distribution found for x"),
            build("3", 2300, "Step #0 - \"build\": The command '/bin/sh -c pip install' returned a non-zero code: 1"),
            build("4", 2400, "Finished Step #0 - \"build\""),
            build("5", 2401, "ERROR"),
            build("6", 2402, "ERROR: build step 0 \"gcr.io/cloud-builders/docker\" failed: step exited with non-zero status: 1"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(ids(&out), [vec!["1"], vec!["2", "3", "4", "5", "6"]]);
        assert_eq!((out[1].severity, out[1].severity_inferred), (Severity::Error, true));
    }

    /// Exception lines whose class name has no known ending (`DeadlineExceeded`, `NotFound`,
    /// `QueryCanceled`) end the traceback after its frames.
    #[test]
    fn after_python_frames_any_class_name_is_the_exception_line() {
        for exc in [
            "google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded",
            "NotFound: 404 No such object: b/o.csv",
            "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
            "orders.models.Order.DoesNotExist",
        ] {
            let records = vec![
                line("a", 0, "Traceback (most recent call last):"),
                line("b", 10, "  File \"/app/jobs/export.py\", line 41, in run"),
                line("c", 20, "    blob.upload_from_filename(path)"),
                line("d", 30, exc),
            ];
            let out = reassemble(records, default_redactor());
            assert_eq!(ids(&out), [vec!["a", "b", "c", "d"]], "{exc}");
        }
    }

    /// Alone, or after anything but frames, such a line is no exception line.
    #[test]
    fn a_class_shaped_line_without_frames_stays_apart() {
        let records = vec![
            line("a", 0, "Traceback (most recent call last):"),
            line("b", 10, "  File \"/app/jobs/export.py\", line 41, in run"),
            line("c", 20, "INFO: shutting down"),
        ];
        assert_eq!(ids(&reassemble(records, default_redactor())), [vec!["a", "b"], vec!["c"]]);
        let records = vec![line("a", 0, "Note: cache warm"), line("b", 10, "Status: ok")];
        assert_eq!(reassemble(records, default_redactor()).len(), 2);
        assert!(!is_exception_line("google.api_core.exceptions.NotFound: 404 gone"));
    }

    /// Java's nested classes (`Outer$Inner`) head a trace when `at` frames follow.
    #[test]
    fn a_java_head_of_any_name_before_at_frames() {
        let records = vec![
            line("a", 0, "feign.FeignException$NotFound: [404 Not Found] during [GET]"),
            line("b", 10, "\tat com.acme.cart.CatalogClient.get(CatalogClient.java:40)"),
            line("c", 20, "\tat com.acme.cart.CartService.add(CartService.java:77)"),
            line("d", 30_000, "Status: ok"),
            line("e", 30_010, "a line that follows"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(ids(&out), [vec!["a", "b", "c"], vec!["d"], vec!["e"]]);
        assert_eq!(out[0].severity, Severity::Error);
    }

    /// ASP.NET Core's `fail:` line, its message and the exception indented below it are one event;
    /// an `info:` line and its message are not.
    #[test]
    fn a_dotnet_failure_and_its_indented_exception() {
        let records = vec![
            line("a", 0, "fail: Microsoft.AspNetCore.Server.Kestrel[13]"),
            line("b", 10, "      Connection id \"0HN7\": An unhandled exception was thrown."),
            line("c", 20, "      System.Net.Http.HttpRequestException: 503 (Service Unavailable)."),
            line(
                "d",
                30,
                "         at Acme.Gateway.ChargeAsync(ChargeRequest req) in /src/G.cs:line 77",
            ),
            line("e", 40, "         --- End of inner exception stack trace ---"),
            line(
                "f",
                50,
                "         at Acme.ChargeController.Post(ChargeRequest req) in /src/C.cs:line 35",
            ),
            line("g", 200_000, "info: Microsoft.Hosting.Lifetime[0]"),
            line("h", 200_010, "      Now listening on: http://[::]:8080"),
        ];
        let out = reassemble(records, default_redactor());
        let event = vec!["a", "b", "c", "d", "e", "f"];
        assert_eq!(ids(&out), [event, vec!["g"], vec!["h"]]);
        assert_eq!(out[0].severity, Severity::Error);
        assert!(!is_dotnet_failure("fail: the build"));
    }

    /// An exception group (as uvicorn and anyio print one) with the logger's line before it.
    #[test]
    fn a_python_exception_group_and_its_logger_line() {
        let records = vec![
            at("h", 0, Severity::Error, true, "ERROR:    Exception in ASGI application"),
            line("a", 40, "  + Exception Group Traceback (most recent call last):"),
            line(
                "b",
                80,
                "  |   File \"/site-packages/anyio/_backends/_asyncio.py\", line 783, in __aexit__",
            ),
            line("c", 120, "  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)"),
            line("d", 160, "  +-+---------------- 1 ----------------"),
            line("e", 200, "    | Traceback (most recent call last):"),
            line("f", 240, "    |   File \"/app/api/index.py\", line 61, in query"),
            line("g", 280, "    | KeyError: 'hits'"),
            line("i", 320, "    +------------------------------------"),
            at(
                "j",
                200_000,
                Severity::Info,
                false,
                "INFO:     169.254.1.1:5000 - \"GET /search\" 500",
            ),
        ];
        let out = reassemble(records, default_redactor());
        let event = vec!["h", "a", "b", "c", "d", "e", "f", "g", "i"];
        assert_eq!(ids(&out), [event, vec!["j"]]);
        assert_eq!(out[0].severity, Severity::Error);
    }

    /// A Node crash report without `at` frames (an unhandled rejection) is one event up to its
    /// `Node.js v...` line; without that line it stays as written.
    #[test]
    fn a_node_crash_report_up_to_its_version_line() {
        let report = [
            "node:internal/process/promises:391",
            "    triggerUncaughtException(err, true /* fromPromise */);",
            "    ^",
            "",
            "[UnhandledPromiseRejection: This error originated either by ...] {",
            "  code: 'ERR_UNHANDLED_REJECTION'",
            "}",
            "",
            "Node.js v20.11.1",
        ];
        let records: Vec<Record> =
            (0..report.len()).map(|i| line(&i.to_string(), 40 * i as i64, report[i])).collect();
        let out = reassemble(records, default_redactor());
        assert_eq!(out.len(), 1, "{:?}", ids(&out));
        assert_eq!((out[0].entries, out[0].severity), (9, Severity::Error));
        let records: Vec<Record> =
            (0..8).map(|i| line(&i.to_string(), 40 * i as i64, report[i])).collect();
        assert_eq!(reassemble(records, default_redactor()).len(), 8);
        assert!(!is_node_source_line("Listening on http://0.0.0.0:8080"));
    }

    /// A handler's panic that net/http recovered and logged, with its goroutine: an ERROR event
    /// (the process lives on).
    #[test]
    fn a_recovered_go_panic() {
        let records = vec![
            line("1", 0, "2025/10/14 12:30:00 http: panic serving 10.8.0.3:51234: runtime error: index out of range [3] with length 3"),
            line("2", 40, "goroutine 77 [running]:"),
            line("3", 80, "net/http.(*conn).serve.func1()"),
            line("4", 120, "\t/usr/local/go/src/net/http/server.go:1868 +0xb9"),
            line("5", 160, "panic({0x7b2c60?, 0xc0000163a8?})"),
            line("6", 200, "\t/usr/local/go/src/runtime/panic.go:920 +0x270"),
            line("7", 240, "github.com/acme/ingest/internal/api.parseBatch(...)"),
        ];
        let out = reassemble(records, default_redactor());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Error);
    }

    /// PHP's uncaught exception, its `Stack trace:` and `#N` frames up to `thrown in`, each line
    /// an entry (PHP-FPM's wrapper cut from the first when its severity was read); a chain's
    /// `Next` exception joins; what follows `thrown in` does not.
    #[test]
    fn a_php_uncaught_exception_and_its_chain() {
        let records = vec![
            at("1", 0, Severity::Error, true, "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12"),
            line("2", 40, "Stack trace:"),
            line("3", 80, "#0 /var/www/html/db.php(12): PDO->__construct('mysql:host=...', 'app', Object(SensitiveParameterValue))"),
            line("4", 120, "#1 {main}"),
            line("5", 160, ""),
            line("6", 200, "Next App\\DbUnavailable: database unavailable in /var/www/html/db.php:14"),
            line("7", 240, "Stack trace:"),
            line("8", 280, "#0 {main}"),
            line("9", 320, "  thrown in /var/www/html/db.php on line 14"),
            line("10", 360, "  indented, but after the trace's end"),
            at("11", 400, Severity::Warning, true, "PHP Warning:  Undefined array key \"sku\" in /var/www/html/cart.php on line 57"),
        ];
        let out = reassemble(records, default_redactor());
        let event = vec!["1", "2", "3", "4", "5", "6", "7", "8", "9"];
        assert_eq!(ids(&out), [event, vec!["10"], vec!["11"]]);
        assert_eq!((out[0].severity, out[0].severity_inferred), (Severity::Error, true));
        assert!(out[0].message.ends_with("on line 14"));
    }

    /// A message with line breaks (Guzzle quotes the response) before `Stack trace:`; a fatal
    /// error without a trace, and `Stack trace:` without frames, stay as written.
    #[test]
    fn php_messages_of_several_lines_and_incomplete_runs() {
        let records = vec![
            line("1", 0, "PHP Fatal error:  Uncaught GuzzleHttp\\Exception\\ClientException: Client error: `GET https://api.example.com/x` resulted in a `404 Not Found` response:"),
            line("2", 40, "{\"error\":\"not found\"}"),
            line("3", 80, " in /var/www/vendor/guzzlehttp/guzzle/src/Exception/RequestException.php:113"),
            line("4", 120, "Stack trace:"),
            line("5", 160, "#0 /var/www/vendor/guzzlehttp/guzzle/src/Middleware.php(72): GuzzleHttp\\Exception\\RequestException::create(Object(GuzzleHttp\\Psr7\\Request), Object(GuzzleHttp\\Psr7\\Response), NULL, Array, NULL)"),
            line("6", 200, "#1 {main}"),
            line("7", 240, "  thrown in /var/www/vendor/guzzlehttp/guzzle/src/Exception/RequestException.php on line 113"),
        ];
        assert_eq!(reassemble(records, default_redactor()).len(), 1);
        let records = vec![
            line("1", 0, "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/html/export.php on line 12"),
            line("2", 40, "GET /export 500"),
            line("3", 1_000_000, "Stack trace:"),
            line("4", 1_000_040, "a line"),
        ];
        assert_eq!(reassemble(records, default_redactor()).len(), 4);
        assert_eq!(classify("#12 /var/www/html/index.php(8): App\\Db::connect()"), Class::PhpFrame);
        for not_a_frame in ["#hashtag", "#1", "#1x ", "# 1 comment"] {
            assert_ne!(classify(not_a_frame), Class::PhpFrame, "{not_a_frame}");
        }
    }

    #[test]
    fn classes() {
        assert!(is_exception_line("KeyError: '\"timestamp\"'"));
        assert!(is_exception_line("netra.errors.AuthError: denied"));
        assert!(is_exception_line("StopIteration"));
        assert!(!is_exception_line("Connection error: refused"));
        assert_eq!(classify("    ^^^^^"), Class::Indented);
        assert_eq!(classify("goroutine 1 [running]:"), Class::GoRoutine);
        assert_eq!(classify("main.main()"), Class::GoFunc);
        assert_eq!(classify("stripe_webhook_secret"), Class::Word);
        assert_eq!(classify("[SQL: SELECT 1]"), Class::SqlTail);
        assert_eq!(classify("GET /health 200"), Class::Other);
        assert_eq!(classify("NotFound: 404 gone"), Class::Named);
        assert_eq!(classify("socket.timeout"), Class::Named);
        for not_a_class in
            ["INFO:     started", "fail: x", "done", "2025 x: y", "Connection error: x"]
        {
            assert_ne!(classify(not_a_class), Class::Named, "{not_a_class}");
        }
    }
}
