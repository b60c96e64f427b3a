//! Stack traces (Python, Java, .NET, Node, Go, PHP, Ruby, Rust): fingerprinted by exception type and the innermost frames, as Cloud Error
//! Reporting groups them, so the same crash with different values is one issue and the same
//! exception type raised in two places is two.

use crate::normalize::multiline::{
    has_at_frames, has_exception_shape, is_exception_line, is_node_source_line, GO_RECOVERED_PANIC,
    PHP_FATAL,
};
use crate::normalize::{ruby, rust_panic};

/// What a stack trace is grouped by and shown as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trace {
    /// `KeyError`, `java.lang.NullPointerException`, `panic`.
    pub(crate) exception: String,
    /// The exception's message (the text after `Type: `), unmasked.
    pub(crate) message: String,
    /// Innermost frames first, as `file:function` (no line numbers: they move with every edit).
    pub(crate) frames: Vec<String>,
    /// Java and Node: the exception that escaped (type and message), when the key is its root
    /// cause, another one; it is what the title shows.
    pub(crate) top: Option<(String, String)>,
    /// Quoted words of the message are code, not values (Rust's `` `Option::unwrap()` ``): the
    /// title keeps them.
    pub(crate) quotes_code: bool,
}

/// How many innermost frames make the fingerprint.
const FINGERPRINT_FRAMES: usize = 3;

impl Trace {
    /// A trace whose message's quoted words are values (all but Rust's).
    fn of(
        exception: impl Into<String>,
        message: impl Into<String>,
        frames: Vec<String>,
        top: Option<(String, String)>,
    ) -> Trace {
        let (exception, message) = (exception.into(), message.into());
        Trace { exception, message, frames, top, quotes_code: false }
    }

    pub(crate) fn fingerprint(&self) -> String {
        let frames: Vec<&str> =
            self.frames.iter().take(FINGERPRINT_FRAMES).map(String::as_str).collect();
        format!("{} @ {}", self.exception, frames.join(" < "))
    }
}

/// Parses a Python traceback, a Java, .NET or Node stack trace, a Go panic or a PHP uncaught
/// exception out of a message; None when the message holds none.
pub(crate) fn parse(message: &str) -> Option<Trace> {
    // Every stack trace has more than one line; most messages have one.
    if !message.contains('\n') {
        return parse_escaped_php(message);
    }
    if message.starts_with(PHP_FATAL) && message.contains("\nStack trace:\n#") {
        return parse_php(message);
    }
    if let Some(trace) = parse_ruby(message).or_else(|| parse_rust(message)) {
        return Some(trace);
    }
    if message.contains("Traceback (most recent call last)") {
        return parse_python(message);
    }
    if has_at_frames(message) {
        return parse_java_or_node(message);
    }
    if message.contains("goroutine ") {
        if let Some(trace) = parse_go(message) {
            return Some(trace);
        }
    }
    if message.contains("\nNode.js v") {
        if let Some(trace) = parse_node_crash(message) {
            return Some(trace);
        }
    }
    if message.starts_with("  File \"") || message.contains("\n  File \"") {
        // A Python traceback whose `Traceback` line is before the export's start.
        return parse_python(message);
    }
    None
}

fn parse_python(message: &str) -> Option<Trace> {
    // With chained exceptions the last traceback is the one that escaped.
    let (body, skip) = match message.rfind("Traceback (most recent call last)") {
        Some(last) => (&message[last..], 1),
        None => (message, 0),
    };
    let mut frames = Vec::new();
    let mut exception_line = None;
    for line in body.lines().skip(skip).map(ungroup) {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("File \"") {
            let (file, rest) = rest.split_once('"')?;
            let function = rest.rsplit_once(", in ").map(|(_, f)| f.trim()).unwrap_or("?");
            frames.push(format!("{}:{}", short_path(file), function));
        } else if !line.starts_with(' ') && !line.trim().is_empty() {
            exception_line = Some(line.trim());
            break;
        }
    }
    let exception_line = exception_line?;
    if skip == 0 && frames.is_empty() {
        return None;
    }
    let (exception, text) = match exception_line.split_once(':') {
        Some((t, m)) => (t.trim(), m.trim()),
        None => (exception_line, ""),
    };
    frames.reverse();
    let (exception, message) = (exception.to_string(), text.to_string());
    Some(Trace::of(exception, message, frames, None))
}

/// A line of an exception group's traceback without its `  | ` margins (one per level of
/// nesting), so that its frames and exception line read as a plain traceback's.
fn ungroup(line: &str) -> &str {
    let mut rest = line;
    while let Some(r) = rest.trim_start().strip_prefix('|') {
        rest = r.strip_prefix(' ').unwrap_or(r);
    }
    rest
}

/// Java, Node and .NET: the exception that escaped is the first exception line with `at` frames
/// after it (a logger's own line may come first); the key is its root cause (the last `Caused
/// by:`, .NET's innermost `--->`), what failed first, with that cause's frames.
fn parse_java_or_node(message: &str) -> Option<Trace> {
    let lines: Vec<&str> = message.lines().collect();
    let first_frame = lines.iter().position(|l| is_at_frame(l))?;
    let top_at = top_exception(&lines[..first_frame]);
    let root_at = lines.iter().rposition(|l| is_cause(l)).unwrap_or(top_at);
    let (exception, text) = exception_of(lines[root_at]);
    let frames = lines[root_at + 1..]
        .iter()
        .take_while(|l| !is_cause(l) && !l.trim_start().starts_with("--- End of inner"))
        .filter(|l| is_at_frame(l))
        .map(|l| frame_name(l.trim_start().trim_start_matches("at ")))
        .collect();
    let top = (root_at != top_at).then(|| {
        let (t, m) = exception_of(lines[top_at]);
        (t.to_string(), m.to_string())
    });
    Some(Trace::of(exception, text, frames, top))
}

/// The line of the exception that escaped, among the lines before the first frame: one known by
/// its name, else one of an exception's shape (the frames below say it is one; a logger's line
/// before it is not of that shape: `fail: Microsoft.AspNetCore...[13]`).
fn top_exception(head: &[&str]) -> usize {
    let known = |l: &&str| {
        l.starts_with("Exception in thread ")
            || l.starts_with("Unhandled exception. ")
            || is_exception_line(l)
    };
    head.iter()
        .position(known)
        .or_else(|| head.iter().position(|l| has_exception_shape(l.trim())))
        .unwrap_or(0)
}

/// Java's `Caused by: ...`, .NET's ` ---> System.X: inner`.
fn is_cause(line: &str) -> bool {
    line.starts_with("Caused by: ") || line.trim_start().starts_with("---> ")
}

/// A Node crash report without `at` frames: where it was thrown (`node:internal/process/
/// promises:391`, the frame, without its line), the source line and caret, then the value
/// thrown (`[UnhandledPromiseRejection: ...] {`, `Error: ...`), the exception.
fn parse_node_crash(message: &str) -> Option<Trace> {
    let mut lines = message.lines();
    let source = lines.next().filter(|l| is_node_source_line(l))?;
    let thrown = lines.find(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']))?;
    let thrown = thrown.strip_prefix('[').unwrap_or(thrown);
    let thrown = thrown.trim_end().trim_end_matches(" {").trim_end_matches(']');
    let (exception, text) = exception_of(thrown);
    let frame = source.rsplit_once(':').map_or(source, |(path, _)| path);
    // Node's own modules are named in full; a script's path is cut like a Python file's.
    let frame = if frame.starts_with("node:") { frame } else { short_path(frame) };
    let frames = vec![frame.to_string()];
    Some(Trace::of(exception, text, frames, None))
}

/// `Exception in thread "main" java.lang.X: msg`, `Caused by: X: msg`, `Error: msg`, .NET's
/// `Unhandled exception. System.X: msg` and ` ---> System.X: msg`.
fn exception_of(line: &str) -> (&str, &str) {
    let head = line.trim();
    let head = head.strip_prefix("Caused by: ").unwrap_or(head);
    let head = head.strip_prefix("---> ").unwrap_or(head);
    let head = head.strip_prefix("Unhandled exception. ").unwrap_or(head);
    let head = head.rsplit_once("Exception in thread ").map(|(_, h)| h).unwrap_or(head);
    let head = match head.strip_prefix('"') {
        Some(rest) => rest.split_once("\" ").map(|(_, h)| h).unwrap_or(rest), // the thread's name
        None => head,
    };
    match head.split_once(": ") {
        Some((t, m)) => (t.trim(), m.trim()),
        None => (head, ""),
    }
}

/// `\tat ` (Java), `    at ` (Node), `   at ` (.NET, three spaces; deeper under a logger's line).
fn is_at_frame(line: &str) -> bool {
    (line.starts_with('\t') || line.starts_with("   ")) && line.trim_start().starts_with("at ")
}

/// A frame as `function` (Java `com.x.Foo.bar`, Node `async renderQuote`), or the file for
/// Node's anonymous frames, without line and column numbers.
fn frame_name(frame: &str) -> String {
    let name = frame.split(" (").next().unwrap_or(frame);
    let name = name.split('(').next().unwrap_or(name).trim();
    let mut name = name;
    for _ in 0..2 {
        if let Some((before, n)) = name.rsplit_once(':') {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                name = before;
            }
        }
    }
    name.to_string()
}

/// A Go panic (`panic: ...`, or one net/http recovered: `... http: panic serving ADDR: ...`) or
/// a runtime's `fatal error: ...`, keyed by the first goroutine's frames: the one that crashed;
/// the others differ from crash to crash.
fn parse_go(message: &str) -> Option<Trace> {
    if !message.contains("\ngoroutine ") {
        return None;
    }
    let (exception, text) = message.lines().find_map(go_head)?;
    let mut frames = Vec::new();
    let mut lines = message.lines().skip_while(|l| !l.starts_with("goroutine ")).skip(1);
    while let Some(func) = lines.next() {
        if func.trim().is_empty() {
            break;
        }
        let _location = lines.next();
        let name = go_frame_name(func);
        if name == "panic" {
            // Frames above `panic(...)` are the deferred functions that recovered or re-panicked.
            frames.clear();
        } else if !name.starts_with("runtime.") {
            frames.push(name.to_string());
        }
    }
    Some(Trace::of(exception, text, frames, None))
}

/// `panic: text`, `fatal error: text`, `... http: panic serving ADDR: text`: the kind and text.
fn go_head(line: &str) -> Option<(&'static str, &str)> {
    if let Some(text) = line.strip_prefix("panic: ") {
        return Some(("panic", text.trim()));
    }
    if let Some(text) = line.strip_prefix("fatal error: ") {
        return Some(("fatal error", text.trim()));
    }
    let (_, rest) = line.split_once(GO_RECOVERED_PANIC)?;
    Some(("panic", rest.split_once(": ").map_or(rest, |(_, text)| text).trim()))
}

/// A goroutine's function line without its arguments (`main.(*exporter).flush(0x0, {0x1})` is
/// `main.(*exporter).flush`); `created by X in goroutine 1` is `created by X` (no arguments, so
/// its last parenthesis is the receiver's, which must stay).
fn go_frame_name(func: &str) -> &str {
    let func = func.trim();
    if func.starts_with("created by ") {
        return func.split(" in goroutine ").next().unwrap_or(func);
    }
    func.rfind('(').map_or(func, |i| &func[..i]).trim()
}

/// One exception of a PHP trace: its line (`PDOException: text in /file.php:12`) and frames.
struct PhpException<'a> {
    head: String,
    frames: Vec<&'a str>,
    /// A fatal error that is no exception (`Allowed memory size ...`, with PHP 8.5's trace).
    plain: bool,
}

/// PHP's uncaught exception (`PHP Fatal error:  Uncaught PDOException: ... in /db.php:12`,
/// `Stack trace:`, `#0 /db.php(12): PDO->__construct(...)`, `#1 {main}`, `  thrown in ...`). A
/// chain prints the first exception first and each that wrapped it after a `Next`, so the key
/// is the first (the root cause, as Java's last `Caused by:`) and the title shows the last.
fn parse_php(message: &str) -> Option<Trace> {
    let exceptions = php_exceptions(message);
    let root = exceptions.first()?;
    let (exception, text) = if root.plain {
        ("Fatal error", without_php_location(&root.head))
    } else {
        php_exception_of(&root.head)
    };
    let frames = root.frames.iter().map(|f| php_frame_name(f)).collect();
    let top = exceptions.last().filter(|_| exceptions.len() > 1).map(|last| {
        let (t, m) = php_exception_of(&last.head);
        (t.to_string(), m.to_string())
    });
    Some(Trace::of(exception, text, frames, top))
}

/// The exceptions of a PHP trace in the order printed: each head's lines (a message may have
/// several) up to its `Stack trace:`, then its `#N` frames.
fn php_exceptions(message: &str) -> Vec<PhpException<'_>> {
    let mut found: Vec<PhpException> = Vec::new();
    let mut in_head = false;
    for (n, line) in message.lines().enumerate() {
        let first = (n == 0).then(|| line[PHP_FATAL.len()..].trim_start());
        let uncaught = first.and_then(|l| l.strip_prefix("Uncaught "));
        if let Some(head) = uncaught.or(first).or_else(|| line.strip_prefix("Next ")) {
            let plain = first.is_some() && uncaught.is_none();
            found.push(PhpException { head: head.to_string(), frames: Vec::new(), plain });
            in_head = true;
        } else if line == "Stack trace:" {
            in_head = false;
        } else if let Some(last) = found.last_mut() {
            if in_head {
                last.head.push('\n');
                last.head.push_str(line);
            } else if line.starts_with('#') {
                last.frames.push(line);
            }
        }
    }
    found
}

/// `PDOException: SQLSTATE[HY000] [2002] Connection refused in /db.php:12` (after `Uncaught ` or
/// `Next `) is (`PDOException`, `SQLSTATE[HY000] [2002] Connection refused`); PHP 5's `exception
/// 'PDOException' with message '...' in /db.php:12` likewise.
fn php_exception_of(head: &str) -> (&str, &str) {
    let head = without_php_location(head.trim());
    if let Some(rest) = head.strip_prefix("exception '") {
        let (name, rest) = rest.split_once('\'').unwrap_or((rest, ""));
        let text = rest.trim_start().strip_prefix("with message '").unwrap_or("");
        return (name, text.strip_suffix('\'').unwrap_or(text));
    }
    match head.split_once(": ") {
        Some((name, text)) => (name.trim(), text.trim()),
        None => (head, ""),
    }
}

/// The text without PHP's ` in /path/file.php:12` (or ` on line 12`) at its end: where it was
/// thrown moves with every edit, the frames say where.
fn without_php_location(text: &str) -> &str {
    let Some((before, place)) = text.rsplit_once(" in ") else { return text };
    let place = place.trim();
    let numbered = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    let located = match place.split_once(" on line ") {
        Some((path, n)) => !path.contains(' ') && numbered(n),
        None => place.rsplit_once(':').is_some_and(|(path, n)| !path.contains(' ') && numbered(n)),
    };
    if located {
        before.trim_end()
    } else {
        text
    }
}

/// `#0 /var/www/html/src/Db.php(19): PDO->__construct('mysql:...', ...)` is
/// `src/Db.php:PDO->__construct`: the file of the call, without its line, and the function
/// called, without its arguments (values); `#3 [internal function]: App\Jobs\Run->handle()` is
/// the function alone, `#2 {main}` is `{main}`.
fn php_frame_name(frame: &str) -> String {
    let rest = frame.trim_start_matches('#').trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.trim();
    // The place comes first and has no `): `; the arguments may (a string's value).
    let (file, call) = match rest.strip_prefix("[internal function]: ") {
        Some(call) => (None, call),
        None => match rest.split_once("): ") {
            Some((place, call)) => (place.rsplit_once('(').map(|(f, _)| f), call),
            None => (None, rest),
        },
    };
    let function = call.split('(').next().unwrap_or(call).trim();
    match file {
        Some(file) => format!("{}:{function}", short_path(file)),
        None => function.to_string(),
    }
}

/// Apache 2.4 writes a message's line breaks as `\n` in its error log: a PHP uncaught
/// exception is then one line, `PHP Fatal error:  Uncaught X: ...\nStack trace:\n#0 ...`.
fn parse_escaped_php(message: &str) -> Option<Trace> {
    if !message.starts_with(PHP_FATAL) || !message.contains("\\nStack trace:\\n#") {
        return None;
    }
    parse_php(&message.replace("\\n", "\n"))
}

/// Ruby's report of an uncaught exception (see `normalize::ruby`): keyed, as Java's, by the cause
/// at its bottom and that cause's frames; shown as the exception that escaped, the first.
fn parse_ruby(message: &str) -> Option<Trace> {
    let mut lines = message.lines();
    let first = ruby::raise_line(lines.next()?)?;
    let frame_name = |file: &str, method: &str| format!("{}:{method}", short_path(file));
    let mut sections = vec![(first, vec![frame_name(first.file, first.method)])];
    for line in lines {
        if let Some(raise) = ruby::raise_line(line) {
            sections.push((raise, vec![frame_name(raise.file, raise.method)]));
        } else if let Some((file, method)) = ruby::frame(line) {
            sections.last_mut()?.1.push(frame_name(file, method));
        }
    }
    let (root, frames) = sections.pop()?;
    let top = (!sections.is_empty()).then(|| (first.class.to_string(), first.message.to_string()));
    Some(Trace::of(root.class, root.message, frames, top))
}

/// Rust's report of a panic (see `normalize::rust_panic`), keyed as `panic` by the innermost
/// frames of the program's own code when a backtrace is there, else by where it panicked
/// (file and line: the report names no function).
fn parse_rust(message: &str) -> Option<Trace> {
    let mut lines = message.lines();
    let panic = rust_panic::panic_line(lines.next()?)?;
    let rest: Vec<&str> = lines.collect();
    let backtrace = rest.iter().position(|l| *l == rust_panic::BACKTRACE);
    let text = match panic.message {
        Some(text) => text.to_string(),
        None => rest[..backtrace.unwrap_or(rest.len())]
            .iter()
            .take_while(|l| !rust_panic::is_closing_note(l))
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let mut frames: Vec<String> = rest[backtrace.map_or(rest.len(), |b| b + 1)..]
        .iter()
        .filter_map(|l| rust_panic::frame_function(l))
        .filter(|f| !rust_panic::is_runtime_frame(f))
        .map(str::to_string)
        .collect();
    if frames.is_empty() {
        let place = panic.location.rsplit_once(':').map_or(panic.location, |(p, _)| p);
        frames.push(place.trim_start_matches("./").to_string());
    }
    Some(Trace { exception: "panic".into(), message: text, frames, top: None, quotes_code: true })
}

/// Drops the folders that differ between machines (virtualenvs, site-packages, /app).
fn short_path(file: &str) -> &str {
    for marker in ["site-packages/", "dist-packages/", "/lib/python"] {
        if let Some(i) = file.rfind(marker) {
            return &file[i + marker.len()..];
        }
    }
    let parts: Vec<&str> = file.rsplitn(3, '/').collect();
    if parts.len() == 3 {
        let keep = parts[0].len() + parts[1].len() + 1;
        return &file[file.len() - keep..];
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGURU: &str = "Traceback (most recent call last):\n  File \"/home/netra/.local/lib/python3.11/site-packages/loguru/_handler.py\", line 161, in emit\n    formatted = precomputed_format.format_map(formatter_record)\nKeyError: '\"timestamp\"'";

    #[test]
    fn python_traceback() {
        let t = parse(LOGURU).unwrap();
        assert_eq!(t.exception, "KeyError");
        assert_eq!(t.message, "'\"timestamp\"'");
        assert_eq!(t.frames, vec!["loguru/_handler.py:emit"]);
        assert_eq!(t.fingerprint(), "KeyError @ loguru/_handler.py:emit");
    }

    #[test]
    fn same_crash_other_line_numbers_same_fingerprint() {
        let other = LOGURU.replace("line 161", "line 170");
        assert_eq!(parse(&other).unwrap().fingerprint(), parse(LOGURU).unwrap().fingerprint());
    }

    #[test]
    fn chained_python_uses_the_last_traceback() {
        let msg = format!("{LOGURU}\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"/app/netra/main.py\", line 3, in run\nRuntimeError: logging broke");
        let t = parse(&msg).unwrap();
        assert_eq!(t.exception, "RuntimeError");
        assert_eq!(t.frames, vec!["netra/main.py:run"]);
    }

    #[test]
    fn java_and_go() {
        let java = "java.lang.IllegalStateException: boom\n\tat com.x.Foo.bar(Foo.java:10)\n\tat com.x.Main.main(Main.java:3)";
        let t = parse(java).unwrap();
        assert_eq!(t.exception, "java.lang.IllegalStateException");
        assert_eq!(t.frames, vec!["com.x.Foo.bar", "com.x.Main.main"]);
        let go = "panic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nmain.handler(0x0)\n\t/app/main.go:12 +0x1d\nmain.main()\n\t/app/main.go:20 +0x25\n";
        let t = parse(go).unwrap();
        assert_eq!(t.exception, "panic");
        assert_eq!(t.frames, vec!["main.handler", "main.main"]);
        assert!(parse("plain message").is_none());
        let method = "panic: x\n[signal SIGSEGV: segmentation violation]\ngoroutine 1 [running]:\nmain.(*exporter).flush(0x0, {0x1, 0x2})\n\t/app/export.go:88 +0x1d";
        assert_eq!(parse(method).unwrap().frames, vec!["main.(*exporter).flush"]);
    }

    #[test]
    fn java_root_cause_is_the_key_the_escaping_exception_the_title() {
        let java = "Exception in thread \"main\" java.lang.IllegalStateException: sync aborted\n\tat com.x.Main.run(Main.java:10)\nCaused by: java.net.ConnectException: Connection refused\n\tat sun.nio.ch.Net.pollConnect(Native Method)\n\t... 12 more";
        let t = parse(java).unwrap();
        assert_eq!(t.exception, "java.net.ConnectException");
        assert_eq!(t.frames, vec!["sun.nio.ch.Net.pollConnect"]);
        let top = ("java.lang.IllegalStateException".to_string(), "sync aborted".to_string());
        assert_eq!(t.top, Some(top));
    }

    #[test]
    fn node_after_a_logger_line_and_a_multi_line_message() {
        let node = "ERROR [Handler] boom\nError: quote service returned 502\nupstream body: <html>\n    at fetchQuote (file:///app/q.mjs:41:11)\n    at async file:///app/server.mjs:40:5";
        let t = parse(node).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("Error", "quote service returned 502")
        );
        assert_eq!(t.frames, vec!["fetchQuote", "async file:///app/server.mjs"]);
    }

    #[test]
    fn exception_lines_of_any_class_name() {
        let frames = "Traceback (most recent call last):\n  File \"/app/jobs/export.py\", line 41, in run\n    blob.upload_from_filename(path)\n";
        let t = parse(&format!("{frames}google.api_core.exceptions.NotFound: 404 gone")).unwrap();
        assert_eq!(t.exception, "google.api_core.exceptions.NotFound");
        let java = "feign.FeignException$NotFound: [404] during [GET]\n\tat com.acme.Client.get(Client.java:40)";
        let t = parse(java).unwrap();
        assert_eq!((t.exception.as_str(), t.frames.len()), ("feign.FeignException$NotFound", 1));
        // A logger's line before the trace is not the exception.
        let logged = format!("ERROR:root:cart update failed\n{java}");
        assert_eq!(parse(&logged).unwrap().exception, "feign.FeignException$NotFound");
    }

    /// .NET: the root cause is the innermost `--->`, with the frames above its `--- End of inner
    /// exception stack trace ---`; an ASP.NET Core logger's lines before the exception are not it.
    #[test]
    fn dotnet_unhandled_inner_and_logged() {
        let unhandled = "Unhandled exception. System.InvalidOperationException: outer\n ---> System.TimeoutException: inner\n   at Acme.Db.Open() in /src/Db.cs:line 9\n   --- End of inner exception stack trace ---\n   at Acme.Program.Main(String[] args) in /src/Program.cs:line 42";
        let t = parse(unhandled).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("System.TimeoutException", "inner")
        );
        assert_eq!(t.frames, vec!["Acme.Db.Open"]);
        let top = t.top.unwrap();
        assert_eq!((top.0.as_str(), top.1.as_str()), ("System.InvalidOperationException", "outer"));
        let logged = "fail: Microsoft.AspNetCore.Server.Kestrel[13]\n      Connection id \"0HN7\": An unhandled exception was thrown by the application.\n      System.Net.Http.HttpRequestException: 503\n         at Acme.Gateway.ChargeAsync(ChargeRequest req) in /src/G.cs:line 77";
        let t = parse(logged).unwrap();
        assert_eq!(t.exception, "System.Net.Http.HttpRequestException");
        assert_eq!(t.frames, vec!["Acme.Gateway.ChargeAsync"]);
    }

    /// An exception group: its last leaf's traceback (the innermost exception) is the key, as
    /// the last traceback of a chain is.
    #[test]
    fn python_exception_group_by_its_leaf() {
        let group = "ERROR:    Exception in ASGI application\n  + Exception Group Traceback (most recent call last):\n  |   File \"/usr/lib/python3.12/site-packages/anyio/_backends/_asyncio.py\", line 783, in __aexit__\n  |     raise BaseExceptionGroup(\n  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)\n  +-+---------------- 1 ----------------\n    | Traceback (most recent call last):\n    |   File \"/app/api/routes/search.py\", line 33, in search\n    |     hits = await index.query(q)\n    |   File \"/app/api/index.py\", line 61, in query\n    |     return resp[\"hits\"][\"hits\"]\n    |            ~~~~^^^^^^^^\n    | KeyError: 'hits'\n    +------------------------------------";
        let t = parse(group).unwrap();
        assert_eq!((t.exception.as_str(), t.message.as_str()), ("KeyError", "'hits'"));
        assert_eq!(t.frames, vec!["api/index.py:query", "routes/search.py:search"]);
    }

    #[test]
    fn a_node_crash_report_without_frames() {
        let crash = "node:internal/process/promises:391\n    triggerUncaughtException(err, true /* fromPromise */);\n    ^\n\n[UnhandledPromiseRejection: This error originated either by throwing inside of an async function.] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}\n\nNode.js v20.11.1";
        let t = parse(crash).unwrap();
        assert_eq!(t.exception, "UnhandledPromiseRejection");
        assert!(t.message.starts_with("This error originated") && t.message.ends_with("function."));
        assert_eq!(t.frames, vec!["node:internal/process/promises"]);
    }

    /// A fatal error's key and frames are the first goroutine's, whatever the others do; a panic
    /// that net/http recovered is keyed by the frames below `panic(...)`.
    #[test]
    fn go_fatal_errors_and_recovered_panics() {
        let crashed = "fatal error: concurrent map writes\n\ngoroutine 118 [running]:\ngithub.com/acme/cache.(*Store).Put(...)\n\t/src/cache/store.go:31\ngithub.com/acme/api.(*Server).ingest(0xc0)\n\t/src/api/server.go:88 +0x2c5\n";
        let a = parse(&format!("{crashed}\ngoroutine 1 [IO wait]:\ninternal/poll.runtime_pollWait(0x7f)\n\t/go/netpoll.go:343"));
        let b = parse(&format!("{crashed}\ngoroutine 1 [select]:\nmain.main()\n\t/src/main.go:77"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(
            (a.exception.as_str(), a.message.as_str()),
            ("fatal error", "concurrent map writes")
        );
        assert_eq!(
            a.frames,
            vec!["github.com/acme/cache.(*Store).Put", "github.com/acme/api.(*Server).ingest"]
        );
        let recovered = "2025/10/14 12:30:00 http: panic serving 10.8.0.3:51234: runtime error: index out of range [5] with length 3\ngoroutine 77 [running]:\nnet/http.(*conn).serve.func1()\n\t/go/net/http/server.go:1868 +0xb9\npanic({0x7b2c60?, 0xc0000163a8?})\n\t/go/runtime/panic.go:920 +0x270\ngithub.com/acme/api.parseBatch(...)\n\t/src/api/batch.go:22\ncreated by net/http.(*Server).Serve in goroutine 1\n\t/go/net/http/server.go:3086 +0x5cb";
        let t = parse(recovered).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("panic", "runtime error: index out of range [5] with length 3")
        );
        assert_eq!(
            t.frames,
            vec!["github.com/acme/api.parseBatch", "created by net/http.(*Server).Serve"]
        );
    }

    const PHP: &str = "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/src/Db.php:19\nStack trace:\n#0 /var/www/html/src/Db.php(19): PDO->__construct('mysql:host=10.2...', 'shop', Object(SensitiveParameterValue))\n#1 /var/www/html/public/index.php(8): App\\Db::connect()\n#2 {main}\n  thrown in /var/www/html/src/Db.php on line 19";

    /// PHP: the exception and its message without where it was thrown; frames as the file of the
    /// call and the function called, without line numbers or arguments (values).
    #[test]
    fn php_uncaught_exception() {
        let t = parse(PHP).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("PDOException", "SQLSTATE[HY000] [2002] Connection refused")
        );
        assert_eq!(
            t.frames,
            vec!["src/Db.php:PDO->__construct", "public/index.php:App\\Db::connect", "{main}"]
        );
        assert_eq!(t.top, None);
        let moved = PHP.replace("Db.php:19", "Db.php:23").replace("(19)", "(23)");
        assert_eq!(parse(&moved).unwrap().fingerprint(), t.fingerprint());
        // Apache 2.4 writes the line breaks as `\n`: the same trace.
        let apache = format!("{}, referer: https://shop.example.com/", PHP.replace('\n', "\\n"));
        assert_eq!(parse(&apache).unwrap().fingerprint(), t.fingerprint());
        // A fatal error without a trace, and a warning, are no trace.
        assert!(
            parse("PHP Fatal error:  Allowed memory size exhausted in /x.php on line 5").is_none()
        );
        assert!(parse("PHP Warning:  x\\nStack trace:\\n#0 {main}").is_none());
    }

    /// A chain (`Next`): the first exception is the root cause and the key; the last escaped
    /// and is the title. PHP 5's quoted form, internal functions, a message of several lines.
    #[test]
    fn php_chains_and_other_forms() {
        let chain = "PHP Fatal error:  Uncaught PDOException: refused in /var/www/html/src/Db.php:19\nStack trace:\n#0 /var/www/html/src/Db.php(19): PDO->__construct('x')\n#1 {main}\n\nNext App\\DbUnavailable: database unavailable in /var/www/html/src/Db.php:23\nStack trace:\n#0 [internal function]: App\\Db::connect('a): b')\n#1 {main}\n  thrown in /var/www/html/src/Db.php on line 23";
        let t = parse(chain).unwrap();
        assert_eq!((t.exception.as_str(), t.message.as_str()), ("PDOException", "refused"));
        assert_eq!(t.frames, vec!["src/Db.php:PDO->__construct", "{main}"]);
        let top = t.top.unwrap();
        assert_eq!(
            (top.0.as_str(), top.1.as_str()),
            ("App\\DbUnavailable", "database unavailable")
        );
        assert_eq!(
            php_frame_name("#0 [internal function]: App\\Db::connect('a): b')"),
            "App\\Db::connect"
        );
        let php5 = "PHP Fatal error:  Uncaught exception 'PDOException' with message 'SQLSTATE[HY000] [2002] refused' in /var/www/db.php:12\nStack trace:\n#0 /var/www/db.php(12): PDO->__construct('mysql:host=db')\n#1 {main}\n  thrown in /var/www/db.php on line 12";
        let t = parse(php5).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("PDOException", "SQLSTATE[HY000] [2002] refused")
        );
        let guzzle = "PHP Fatal error:  Uncaught GuzzleHttp\\Exception\\ClientException: Client error: 404 response:\n{\"error\":\"not found\"}\n in /var/www/vendor/guzzlehttp/guzzle/src/Exception/RequestException.php:113\nStack trace:\n#0 /var/www/vendor/guzzlehttp/guzzle/src/Middleware.php(72): GuzzleHttp\\Exception\\RequestException::create(Object(GuzzleHttp\\Psr7\\Request))\n#1 {main}\n  thrown in /var/www/vendor/guzzlehttp/guzzle/src/Exception/RequestException.php on line 113";
        let t = parse(guzzle).unwrap();
        assert_eq!(t.exception, "GuzzleHttp\\Exception\\ClientException");
        assert_eq!(t.message, "Client error: 404 response:\n{\"error\":\"not found\"}");
        let memory = "PHP Fatal error:  Allowed memory size of 1 bytes exhausted in /x/y/z.php on line 5\nStack trace:\n#0 /x/y/z.php(5): str_repeat('x', 100)\n#1 {main}";
        let t = parse(memory).unwrap();
        assert_eq!(
            (t.exception.as_str(), t.message.as_str()),
            ("Fatal error", "Allowed memory size of 1 bytes exhausted")
        );
    }

    #[test]
    fn python_whose_head_is_before_the_export() {
        let headless = "    packet.raise_for_error()\n    ^^^^^^\n  File \"/usr/lib/python3.12/site-packages/pymysql/err.py\", line 150, in raise_mysql_exception\n    raise errorclass(errno, errval)\npymysql.err.OperationalError: (1364, \"x\")";
        let t = parse(headless).unwrap();
        assert_eq!(t.exception, "pymysql.err.OperationalError");
        assert_eq!(t.frames, vec!["pymysql/err.py:raise_mysql_exception"]);
    }
}
