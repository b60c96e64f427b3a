//! The line a multi-line message is keyed and titled by, where its first line is not the one an
//! engineer would read first:
//!
//! * a failed Cloud Build step, reassembled from the step's `ERROR:` lines up to the build's
//!   own `ERROR: build step N "..." failed: ...`: that last line (what failed), without its
//!   `ERROR: ` (the severity says it). The cause stays in the event's text.
//! * a MySQL slow-query log record (`# Time:`, `# User@Host:`, `# Query_time:`, `use db;`,
//!   `SET timestamp=N;`, the statement): the statement's shape, literals as `?` and a `VALUES`
//!   list as `(...)`, keyed exactly (not mined: two statements of the same length are not one
//!   template). Times, ids, hosts and the optional `use` line do not split it.
//!
//! * a PostgreSQL message joined with its later lines (`DETAIL:  ...`, `STATEMENT:  ...`): its
//!   first line, the message proper.
//!
//! * a message with a Go call stack under it (zap's `stacktrace` field, `debug.Stack()`: a
//!   function line, then its `\t/path/file.go:N` line, for each frame): its first line. The
//!   stack is no panic (`traceback` keys those by their frames); it says where the message was
//!   logged, which the message already tells apart.
//!
//! Everything else is keyed by its whole text. Single-line messages, most of them, leave at the
//! first check.

use crate::normalize::multiline::is_build_failed;
use crate::normalize::postgres::is_tail as is_postgres_tail;

pub(crate) enum Telling<'a> {
    /// Key the whole message.
    Whole,
    /// Mask and mine this line.
    Line(&'a str),
    /// Key exactly by this text.
    Statement(String),
}

pub(crate) fn telling(message: &str) -> Telling<'_> {
    if !message.contains('\n') {
        return Telling::Whole;
    }
    if message.starts_with("# Time:") || message.starts_with("# User@Host:") {
        if let Some(shape) = slow_query_statement(message).map(|s| sql_shape(&s)) {
            return Telling::Statement(shape);
        }
    }
    if let Some(line) = message.lines().rev().find(|l| is_build_failed(l)) {
        return Telling::Line(line.trim_start_matches("ERROR: "));
    }
    // A PostgreSQL message joined with its DETAIL, HINT, STATEMENT lines: the message says what
    // failed; the key values and statements below it differ from event to event.
    let mut lines = message.lines();
    if let (Some(first), Some(second)) = (lines.next(), lines.next()) {
        if is_postgres_tail(second) && !is_postgres_tail(first) {
            return Telling::Line(first);
        }
    }
    if has_go_stack_below(message) {
        return Telling::Line(message.lines().next().unwrap_or(message));
    }
    Telling::Whole
}

/// Whether a line after the first starts a Go call stack: a function line followed by its
/// tab-indented `file.go:N` line.
fn has_go_stack_below(message: &str) -> bool {
    let lines: Vec<&str> = message.lines().take(64).collect();
    lines.windows(2).skip(1).any(|pair| {
        let (func, place) = (pair[0], pair[1]);
        !func.starts_with(char::is_whitespace)
            && place.starts_with('\t')
            && place.split(':').next().is_some_and(|file| file.ends_with(".go"))
    })
}

/// The statement of a slow-query record: its lines after the `#` comments, `use db;` and
/// `SET timestamp=N;`.
fn slow_query_statement(record: &str) -> Option<String> {
    let statement: Vec<&str> = record
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !(l.starts_with("use ") && l.ends_with(';') && l.split(' ').count() == 2))
        .filter(|l| !l.to_ascii_uppercase().starts_with("SET TIMESTAMP="))
        .collect();
    (!statement.is_empty()).then(|| statement.join(" "))
}

/// A statement's shape: string and number literals as `?`, whitespace as one space, a `VALUES`
/// list of any number of rows as `(...)`, an `IN (?, ?, ...)` list as `IN (...)`, without the
/// final `;`.
pub(crate) fn sql_shape(statement: &str) -> String {
    let chars: Vec<char> = statement.chars().collect();
    let mut out = String::with_capacity(statement.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_ident = out.chars().last().is_some_and(|p: char| p.is_alphanumeric() || p == '_');
        if c == '\'' || c == '"' {
            i = skip_quoted(&chars, i);
            out.push('?');
            continue;
        }
        if c.is_ascii_digit() && !prev_ident {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push('?');
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    let shape = out.trim().trim_end_matches(';').trim_end().to_string();
    collapse_lists(&shape)
}

/// The index after the quoted literal starting at `start` (backslash escapes and doubled quotes
/// stay inside it).
fn skip_quoted(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// `VALUES (?, ?), (?, NOW())` → `VALUES (...)`; `IN (?, ?, ?)` → `IN (...)`.
fn collapse_lists(shape: &str) -> String {
    let mut out = String::with_capacity(shape.len());
    let mut rest = shape;
    loop {
        let upper = rest.to_ascii_uppercase();
        let next =
            ["VALUES (", "IN ("].iter().filter_map(|k| upper.find(k).map(|p| (p, k.len()))).min();
        let Some((at, len)) = next else { break };
        let open = at + len - 1;
        out.push_str(&rest[..open]);
        let mut end = balanced_end(rest, open);
        let is_values = upper[at..].starts_with("VALUES");
        if is_values {
            // Further rows: `, (...)` as often as they come.
            while let Some(more) =
                rest[end..].strip_prefix(", (").or_else(|| rest[end..].strip_prefix(",("))
            {
                let next_open = rest.len() - more.len() - 1;
                end = balanced_end(rest, next_open);
            }
        }
        let inside = &rest[open + 1..end.saturating_sub(1).max(open + 1)];
        let only_values = inside.split(',').all(|v| v.trim() == "?");
        if is_values || only_values {
            out.push_str("(...)");
        } else {
            out.push_str(&rest[open..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The index after the parenthesis that closes the one at `open`.
fn balanced_end(text: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, b) in text.bytes().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_shapes() {
        assert_eq!(
            sql_shape("UPDATE inventory SET reserved = reserved + 1, updated_at = NOW() WHERE sku = 'SKU-8834-C';"),
            "UPDATE inventory SET reserved = reserved + ?, updated_at = NOW() WHERE sku = ?"
        );
        let two = "INSERT INTO t (a, b) VALUES (430, 'x', NOW()), (913, 'y', NOW());";
        let three =
            "INSERT INTO t (a, b) VALUES (1, 'x', NOW()), (2, 'y', NOW()), (3, 'z''s', NOW());";
        assert_eq!(sql_shape(two), "INSERT INTO t (a, b) VALUES (...)");
        assert_eq!(sql_shape(three), sql_shape(two));
        assert_eq!(
            sql_shape("SELECT * FROM t1 WHERE id IN (1, 2, 3) LIMIT 20"),
            "SELECT * FROM t1 WHERE id IN (...) LIMIT ?"
        );
    }

    #[test]
    fn slow_query_records_are_keyed_by_their_statement() {
        let record = "# Time: 2025-10-14T03:02:57.387020Z\n# User@Host: app[app] @  [10.11.1.13]  Id: 49534\n# Query_time: 2.97  Lock_time: 2.97 Rows_sent: 0  Rows_examined: 1\nuse shop;\nSET timestamp=1760410974;\nDELETE FROM sessions WHERE expires_at < '2025-10-14 01:30:00' LIMIT 5000;";
        let Telling::Statement(shape) = telling(record) else { panic!("a statement") };
        assert_eq!(shape, "DELETE FROM sessions WHERE expires_at < ? LIMIT ?");
        assert!(matches!(telling("one line"), Telling::Whole));
    }

    #[test]
    fn a_message_with_a_go_call_stack_by_its_first_line() {
        let zap = "failed to acquire connection: context deadline exceeded\nmain.run\n\t/app/main.go:55\nmain.main\n\t/app/main.go:20";
        let Telling::Line(line) = telling(zap) else { panic!("a line") };
        assert_eq!(line, "failed to acquire connection: context deadline exceeded");
        // Other multi-line messages keep their whole text.
        assert!(matches!(telling("retrying\n\tattempt 2 of 3"), Telling::Whole));
        assert!(matches!(telling("see\nconfig.go\n\tline two"), Telling::Whole));
    }

    #[test]
    fn a_failed_build_by_its_last_line() {
        let build = "Step #0 - \"build\": ERROR: No matching distribution found for x==9\nFinished Step #0 - \"build\"\nERROR\nERROR: build step 0 \"gcr.io/cloud-builders/docker\" failed: step exited with non-zero status: 1";
        let Telling::Line(line) = telling(build) else { panic!("a line") };
        assert!(line.starts_with("build step 0 "));
    }
}
