//! Stack traces: fingerprinted by exception type and the innermost frames, as Cloud Error
//! Reporting groups them, so the same crash with different values is one issue and the same
//! exception type raised in two places is two.

/// What a stack trace is grouped by and shown as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trace {
    /// `KeyError`, `java.lang.NullPointerException`, `panic`.
    pub(crate) exception: String,
    /// The exception's message (the text after `Type: `), unmasked.
    pub(crate) message: String,
    /// Innermost frames first, as `file:function` (no line numbers: they move with every edit).
    pub(crate) frames: Vec<String>,
}

/// How many innermost frames make the fingerprint.
const FINGERPRINT_FRAMES: usize = 3;

impl Trace {
    pub(crate) fn fingerprint(&self) -> String {
        let frames: Vec<&str> =
            self.frames.iter().take(FINGERPRINT_FRAMES).map(String::as_str).collect();
        format!("{} @ {}", self.exception, frames.join(" < "))
    }
}

/// Parses a Python traceback, a Java stack trace or a Go panic out of a message; None when the
/// message holds none.
pub(crate) fn parse(message: &str) -> Option<Trace> {
    // Every stack trace has more than one line; most messages have one.
    if !message.contains('\n') {
        return None;
    }
    if message.contains("Traceback (most recent call last)") {
        return parse_python(message);
    }
    if message.contains("\n\tat ") || message.contains("\n    at ") {
        return parse_java_or_node(message);
    }
    if message.starts_with("panic: ") && message.contains("goroutine ") {
        return parse_go(message);
    }
    None
}

fn parse_python(message: &str) -> Option<Trace> {
    // With chained exceptions the last traceback is the one that escaped.
    let last = message.rfind("Traceback (most recent call last)")?;
    let body = &message[last..];
    let mut frames = Vec::new();
    let mut exception_line = None;
    for line in body.lines().skip(1) {
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
    let (exception, text) = match exception_line.split_once(':') {
        Some((t, m)) => (t.trim(), m.trim()),
        None => (exception_line, ""),
    };
    frames.reverse();
    Some(Trace { exception: exception.to_string(), message: text.to_string(), frames })
}

fn parse_java_or_node(message: &str) -> Option<Trace> {
    // The root cause (the last "Caused by:") is what failed first.
    let start = message.rfind("Caused by: ").map(|i| i + "Caused by: ".len()).unwrap_or(0);
    let body = &message[start..];
    let mut lines = body.lines();
    let head = lines.next()?.trim();
    let head = head.rsplit_once("Exception in thread ").map(|(_, h)| h).unwrap_or(head);
    let head = head.split_once("\" ").map(|(_, h)| h).unwrap_or(head); // after the thread name
    let (exception, text) = match head.split_once(": ") {
        Some((t, m)) => (t.trim(), m.trim()),
        None => (head, ""),
    };
    let frames = lines
        .filter_map(|l| l.trim_start().strip_prefix("at "))
        .map(|f| {
            f.split(" (").next().unwrap_or(f).split('(').next().unwrap_or(f).trim().to_string()
        })
        .collect();
    Some(Trace { exception: exception.to_string(), message: text.to_string(), frames })
}

fn parse_go(message: &str) -> Option<Trace> {
    let first = message.lines().next()?;
    let text = first.strip_prefix("panic: ")?.trim();
    let mut frames = Vec::new();
    let mut lines = message.lines().skip_while(|l| !l.starts_with("goroutine ")).skip(1);
    while let Some(func) = lines.next() {
        if func.trim().is_empty() {
            break;
        }
        let _location = lines.next();
        let name = func.split('(').next().unwrap_or(func).trim();
        if !name.starts_with("panic") && !name.starts_with("runtime.") {
            frames.push(name.to_string());
        }
    }
    Some(Trace { exception: "panic".into(), message: text.to_string(), frames })
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
    }
}
