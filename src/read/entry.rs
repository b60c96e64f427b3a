//! What reading hands on: entries as found in an input, before anything reads their fields, and
//! what the next stage could not make of them.

/// One entry as found in an input: its text and where it sits. Reading knows formats (JSON
/// arrays, NDJSON, CSV downloads, text lines), not LogEntry fields; `normalize` reads those.
#[derive(Debug, Clone, Copy)]
pub struct RawEntry<'a> {
    pub text: RawText<'a>,
    /// The input as named in reports (`-` for standard input).
    pub source: &'a str,
    /// The input's index in the run.
    pub input: u32,
    /// 1-based line of the entry's first byte where the format counts lines (text and CSV), 0
    /// for JSON streams.
    pub line: u64,
    /// Byte offset of the entry's first byte (in the decompressed stream).
    pub offset: u64,
}

#[derive(Debug, Clone, Copy)]
pub enum RawText<'a> {
    /// One JSON value (a LogEntry, if the input is what it claims to be). Bytes, since invalid
    /// UTF-8 is the reader's to report, not to repair.
    Json(&'a [u8]),
    /// One line of a plain-text log, without its line end.
    Line(&'a str),
    /// A line of text among NDJSON lines, which is not JSON: what a program printed beside its
    /// JSON log (a Go panic, a Python traceback).
    TextAmongJson(&'a str),
}

impl RawEntry<'_> {
    /// The id `--assignments` gives an entry without an `insertId`: `PATH:LINE` where the
    /// format counts lines, `PATH@BYTE` in a JSON stream.
    pub fn fallback_id(&self) -> String {
        if self.line > 0 {
            format!("{}:{}", self.source, self.line)
        } else {
            format!("{}@{}", self.source, self.offset)
        }
    }
}

/// An entry the next stage could not read, or read only in part, and why. Reading turns it into
/// a [`super::Problem`] with a position a person can find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub at: At,
    /// Short reason used to count skipped entries ("invalid JSON", "not a LogEntry object").
    pub reason: String,
    pub detail: String,
    /// Entries lost with it: 1, or 0 for an entry that was read after all (repaired text).
    pub entries: u64,
}

/// Where a rejected entry (or the fault inside it) sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A byte offset in the decompressed input: shown as "line L, byte B".
    Byte(u64),
    /// A 1-based line: shown as "line L".
    Line(u64),
}
