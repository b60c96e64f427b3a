//! PostgreSQL's server log as Cloud SQL and AlloyDB write it to Cloud Logging
//! (`cloudsql.googleapis.com%2Fpostgres.log`): one entry per line, each behind the server's line
//! prefix, `2025-05-26 10:10:30.060 UTC [4075710]: [2-1] db=shop,user=app DETAIL:  ...`.
//!
//! PostgreSQL writes one message as several lines: the message (`ERROR:  duplicate key value
//! violates unique constraint ...`), then its `DETAIL:`, `HINT:`, `CONTEXT:`, `QUERY:`,
//! `STATEMENT:` and `LOCATION:` lines, all with the same backend process id in brackets. Read
//! one entry at a time, each of those lines would be an issue of its own. This module tells the
//! backend (the stream the lines of one message share, `multiline` joins them) and cuts the
//! prefix off a message's later lines, so that they read as `psql` shows them.

/// The tags of a message's later lines; PostgreSQL writes two spaces after each.
const TAILS: [&str; 6] = ["DETAIL", "HINT", "CONTEXT", "QUERY", "STATEMENT", "LOCATION"];

/// Whether a line, its prefix cut, is a message's later line (`DETAIL:  ...`).
pub(crate) fn is_tail(line: &str) -> bool {
    TAILS.iter().any(|tag| line.strip_prefix(tag).is_some_and(|rest| rest.starts_with(":  ")))
}

/// Whether a text (raw or read) may hold a message's later line: a cheap look for a tag before
/// `:  `, so that such a line below the minimum severity is still read (it belongs to the
/// message before it, which may be an error).
pub(crate) fn may_hold_tail(text: &str) -> bool {
    text.match_indices(":  ").any(|(at, _)| TAILS.iter().any(|tag| text[..at].ends_with(tag)))
}

/// Whether the log is a PostgreSQL server log of Cloud SQL or AlloyDB.
pub(crate) fn is_server_log(log_name: &str) -> bool {
    log_name.ends_with("%2Fpostgres.log") || log_name.ends_with("/postgres.log")
}

/// One line of a server log, as far as joining needs it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// The backend process id (`4075710`): lines of one message share it.
    pub(crate) pid: &'a str,
    /// Where a message's later line begins (its tag, `DETAIL:  ...`), when it is one.
    pub(crate) tail: Option<usize>,
}

/// The backend and, for a message's later line, where its tag begins; `None` for a line without
/// the server's prefix (`[pid]` near its start, then `TAG:  `).
pub(crate) fn line(text: &str) -> Option<Line<'_>> {
    let open = text.get(..64.min(text.len()))?.find('[')?;
    let digits = text[open + 1..].bytes().take_while(u8::is_ascii_digit).count();
    let close = open + 1 + digits;
    if digits == 0 || text.as_bytes().get(close) != Some(&b']') {
        return None;
    }
    let pid = &text[open + 1..close];
    // The tag is the word before the first `:  ` after the process id.
    let colon = close + text[close..].find(":  ")?;
    let start = text[..colon].rfind(' ').map_or(0, |space| space + 1);
    let tail = TAILS.contains(&&text[start..colon]).then_some(start);
    Some(Line { pid, tail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_messages_later_lines_and_its_backend() {
        let detail = "2025-05-26 10:10:30.060 UTC [4075710]: [2-1] db=shop,user=app DETAIL:  Key \
                      (email)=(x) already exists.";
        let at = detail.find("DETAIL").unwrap();
        assert_eq!(line(detail), Some(Line { pid: "4075710", tail: Some(at) }));
        let error = "2025-05-26 10:10:30.060 UTC [4075710]: [1-1] db=shop,user=app ERROR:  \
                     duplicate key value violates unique constraint \"customers_email_key\"";
        assert_eq!(line(error), Some(Line { pid: "4075710", tail: None }));
        // Older Cloud SQL lines have no time before the process id.
        let statement = "[1430907]: [70-1] db=app,user=app STATEMENT:  SELECT 1";
        assert_eq!(line(statement).unwrap().tail, Some(statement.find("STATEMENT").unwrap()));
        // One space after the tag is no server line; nor is a bracket that holds no number.
        assert_eq!(line("[12]: [1-1] db=a,user=b DETAIL: x").map(|l| l.tail), None);
        assert_eq!(line("[main] DETAIL:  x"), None);
        assert_eq!(line("DETAIL:  x"), None);
        // A tag far into the text is still found; a bracket far into it is not a process id.
        assert_eq!(line(&format!("{} [12] ERROR:  x", "y".repeat(80))), None);
    }

    #[test]
    fn later_lines_once_cut() {
        assert!(is_tail("DETAIL:  Key (id)=(5) already exists."));
        assert!(is_tail("STATEMENT:  INSERT INTO t VALUES ($1)"));
        assert!(!is_tail("DETAIL: one space"));
        assert!(!is_tail("ERROR:  duplicate key value"));
        assert!(may_hold_tail("\"2025-05-26 10:10:30.060 UTC [7]: [2-1] db=a,user=b HINT:  x\""));
        assert!(!may_hold_tail("\"2025-05-26 10:10:30.060 UTC [7]: [1-1] db=a,user=b LOG:  x\""));
    }

    #[test]
    fn server_logs_by_name() {
        assert!(is_server_log("projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log"));
        assert!(is_server_log("projects/p/logs/alloydb.googleapis.com%2Fpostgres.log"));
        assert!(!is_server_log("projects/p/logs/cloudsql.googleapis.com%2Fmysql.err"));
    }
}
