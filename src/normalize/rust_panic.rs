//! Rust's report of a panic, as the standard library's hook prints it to stderr, read by
//! reassembly and the stack-trace parser:
//!
//! ```text
//! thread 'tokio-runtime-worker' panicked at src/handlers/orders.rs:88:41:
//! called `Option::unwrap()` on a `None` value
//! note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
//! ```
//!
//! Before Rust 1.73 the message was on the first line (`thread 'main' panicked at 'index out of
//! bounds: ...', src/main.rs:12:5`). With `RUST_BACKTRACE=1` a `stack backtrace:` line and
//! numbered frames (`  12: orders::handlers::create`, `at ./src/handlers/orders.rs:88:41`
//! below each) come before a last `note:` line. A panic ends its thread, not always the process
//! (a tokio task's panic is caught by the runtime), so it is an ERROR.

/// The first line of a panic's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Panic<'a> {
    /// `src/handlers/orders.rs:88:41`
    pub(crate) location: &'a str,
    /// The message, when the first line holds it (before Rust 1.73).
    pub(crate) message: Option<&'a str>,
}

/// `thread 'NAME' panicked at LOCATION:` or `thread 'NAME' panicked at 'MESSAGE', LOCATION`.
pub(crate) fn panic_line(line: &str) -> Option<Panic<'_>> {
    let rest = line.strip_prefix("thread '")?;
    let (_thread, rest) = rest.split_once("' panicked at ")?;
    let rest = rest.trim_end();
    let (location, message) = match rest.strip_prefix('\'') {
        Some(quoted) => {
            let (message, location) = quoted.rsplit_once("', ")?;
            (location, Some(message))
        }
        // The colon after the location is missing where a program prints its own report.
        None => (rest.strip_suffix(':').unwrap_or(rest), None),
    };
    is_location(location).then_some(Panic { location, message })
}

/// `path:line:column`.
fn is_location(text: &str) -> bool {
    let mut parts = text.rsplitn(3, ':');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_some_and(|p| !p.is_empty())
}

/// The line before a backtrace's frames.
pub(crate) const BACKTRACE: &str = "stack backtrace:";

/// A report's last line: `note: run with `RUST_BACKTRACE=1` ...` or, below a backtrace, `note:
/// Some details are omitted, ...`.
pub(crate) fn is_closing_note(line: &str) -> bool {
    line.starts_with("note: run with `RUST_BACKTRACE")
        || line.starts_with("note: Some details are omitted")
}

/// A frame of a backtrace, `  12: orders::handlers::create::{{closure}}`: the function, without
/// the hash `RUST_BACKTRACE=full` adds (`::h0123456789abcdef`).
pub(crate) fn frame_function(line: &str) -> Option<&str> {
    let (number, name) = line.trim_start().split_once(": ")?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = name.trim();
    Some(match name.rsplit_once("::h") {
        Some((function, hash))
            if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            function
        }
        _ => name,
    })
}

/// Frames of the panic machinery and the runtime, above and below the code that panicked.
pub(crate) fn is_runtime_frame(function: &str) -> bool {
    let function = function.trim_start_matches('<');
    ["std::", "core::", "alloc::", "rust_begin_unwind", "__rust", "tokio::", "futures_", "_start"]
        .iter()
        .any(|prefix| function.starts_with(prefix))
        || function.starts_with("__libc")
        || function == "main"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_the_first_line() {
        let new =
            panic_line("thread 'tokio-runtime-worker' panicked at src/handlers/orders.rs:88:41:");
        assert_eq!(new, Some(Panic { location: "src/handlers/orders.rs:88:41", message: None }));
        let old = panic_line(
            "thread 'main' panicked at 'index out of bounds: the len is 3 but the index is 7', src/main.rs:12:5",
        );
        assert_eq!(
            old,
            Some(Panic {
                location: "src/main.rs:12:5",
                message: Some("index out of bounds: the len is 3 but the index is 7")
            })
        );
        let bare = panic_line("thread '<unnamed>' panicked at src/main.rs:49:13");
        assert_eq!(bare, Some(Panic { location: "src/main.rs:49:13", message: None }));
        for other in [
            "thread 'main' panicked at the thought",
            "thread 'main' panicked at src/main.rs:",
            "the thread 'main' panicked at src/main.rs:1:2:",
        ] {
            assert_eq!(panic_line(other), None, "{other}");
        }
    }

    #[test]
    fn frames_without_their_hash() {
        assert_eq!(
            frame_function("  12: orders::handlers::create::{{closure}}"),
            Some("orders::handlers::create::{{closure}}")
        );
        assert_eq!(
            frame_function("   0: rust_begin_unwind::h0123456789abcdef"),
            Some("rust_begin_unwind")
        );
        assert_eq!(frame_function("             at ./src/main.rs:3:5"), None);
        assert!(is_runtime_frame("core::panicking::panic_fmt"));
        assert!(is_runtime_frame("<core::pin::Pin<P> as core::future::future::Future>::poll"));
        assert!(!is_runtime_frame("orders::handlers::create"));
    }
}
