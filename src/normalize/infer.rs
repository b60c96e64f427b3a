//! Recovers a severity (and a logger name) from a message's text, for the plain stdout/stderr
//! lines Cloud Run stores without one: `ERROR:root:...`, `[WARNING] ...`, `level=error ...`,
//! `2025-09-11 05:17:11,373 - app.ws - ERROR - ...`, a Python traceback, a Go panic.

use super::severity::Severity;

/// What the text says about itself.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TextHint<'a> {
    pub(crate) severity: Option<Severity>,
    pub(crate) logger: Option<&'a str>,
}

pub(crate) fn from_text(text: &str) -> TextHint<'_> {
    let line = text.trim_start();
    let first_line = line.lines().next().unwrap_or("");

    if first_line.starts_with("Traceback (most recent call last)")
        || first_line.starts_with("Exception in thread")
    {
        return TextHint { severity: Some(Severity::Error), logger: None };
    }
    if first_line.starts_with("panic: ") || first_line.starts_with("fatal error: ") {
        return TextHint { severity: Some(Severity::Critical), logger: None };
    }

    // Python logging's default format: LEVEL:logger:message
    if let Some((level, rest)) = first_line.split_once(':') {
        if let Some(sev) = exact_level(level) {
            let logger = rest.split_once(':').map(|(l, _)| l).filter(|l| is_logger_name(l));
            return TextHint { severity: Some(sev), logger };
        }
    }

    // "[WARNING] ..." or "2025-09-11 05:17:11 [error] ..." (a bracketed level among the first words)
    for (i, word) in first_line.split_whitespace().take(8).enumerate() {
        if word.starts_with('[') && word.ends_with(']') && word.len() > 2 {
            if let Some(sev) = exact_level(&word[1..word.len() - 1]) {
                return TextHint { severity: Some(sev), logger: None };
            }
        }
        // "... - logger - LEVEL - message" (Python's '%(asctime)s - %(name)s - %(levelname)s')
        if i >= 1 && word.len() >= 4 {
            if let Some(sev) = exact_level(word) {
                let logger = first_line
                    .split(" - ")
                    .nth(1)
                    .filter(|l| is_logger_name(l) && exact_level(l).is_none());
                // Spelled in capitals as a field of its own; "user clicked error" is no level.
                let is_field = first_line.contains(&format!(" - {word} - "))
                    || (word.bytes().all(|b| b.is_ascii_uppercase())
                        && first_line.contains(&format!(" {word} ")));
                if is_field {
                    return TextHint { severity: Some(sev), logger };
                }
            }
        }
    }

    // logfmt: level=error / severity=warning / lvl=warn
    for key in ["level=", "severity=", "lvl="] {
        if let Some(pos) = first_line.find(key) {
            let before_ok = pos == 0 || first_line.as_bytes()[pos - 1] == b' ';
            let value = first_line[pos + key.len()..]
                .trim_start_matches('"')
                .split([' ', '"'])
                .next()
                .unwrap_or("");
            if before_ok {
                if let Some(sev) = Severity::parse_loose(value) {
                    return TextHint { severity: Some(sev), logger: None };
                }
            }
        }
    }
    TextHint::default()
}

/// A level word spelled out (not the one-letter forms, which are too easy to hit by accident).
fn exact_level(word: &str) -> Option<Severity> {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let is_upper = word.bytes().all(|b| b.is_ascii_uppercase());
    let is_lower = word.bytes().all(|b| b.is_ascii_lowercase());
    if !is_upper && !is_lower {
        return None;
    }
    Severity::parse_loose(word)
}

fn is_logger_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(text: &str) -> Option<Severity> {
        from_text(text).severity
    }

    #[test]
    fn common_prefixes() {
        assert_eq!(sev("ERROR: database is locked"), Some(Severity::Error));
        assert_eq!(
            from_text("WARNING:netra.redis:slow ping"),
            TextHint { severity: Some(Severity::Warning), logger: Some("netra.redis") }
        );
        assert_eq!(sev("[WARNING] disk 91% full"), Some(Severity::Warning));
        assert_eq!(sev("2025-09-11 05:17:11 [error] upstream timed out"), Some(Severity::Error));
        assert_eq!(sev("time=2025 level=error msg=\"boom\""), Some(Severity::Error));
        assert_eq!(sev("Traceback (most recent call last):\n  File \"x\""), Some(Severity::Error));
        assert_eq!(
            from_text("2025-09-11 05:17:11,373 - netra.ws - ERROR - handler failed"),
            TextHint { severity: Some(Severity::Error), logger: Some("netra.ws") }
        );
        assert_eq!(sev("panic: runtime error: index out of range"), Some(Severity::Critical));
    }

    #[test]
    fn ordinary_text_has_no_severity() {
        assert_eq!(sev("GET /health 200"), None);
        assert_eq!(sev("Error budget report ready"), None);
        assert_eq!(sev("E: something"), None);
        assert_eq!(sev("Info: a note about info"), None);
        assert_eq!(sev("user clicked the error button twice"), None);
    }
}
