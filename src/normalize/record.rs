//! The one record type every source is normalized into.

use super::severity::Severity;
use super::time::Timestamp;

/// Where an entry came from: the input's index in the run and its position in that input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Origin {
    pub input: u32,
    /// 1-based line of the entry's first byte.
    pub line: u64,
    /// Byte offset of the entry's first byte (in the decompressed stream).
    pub offset: u64,
}

/// The request part of a request log (`httpRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub status: u16,
    pub method: String,
    /// The path without query or fragment.
    pub path: String,
}

/// One log entry after normalization. Every message here is already redacted.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub time: Option<Timestamp>,
    pub severity: Severity,
    /// True when `severity` was inferred from the payload because the entry carried none.
    pub severity_inferred: bool,
    pub project: Option<String>,
    pub service: String,
    pub revision: Option<String>,
    pub component: Option<String>,
    pub message: String,
    pub request: Option<Request>,
    pub insert_id: Option<String>,
    pub log_name: Option<String>,
    pub trace: Option<String>,
    pub span_id: Option<String>,
    /// The instance (container) that wrote the entry, for reassembling split tracebacks.
    pub instance: Option<String>,
    pub error_group: Option<String>,
    pub origin: Origin,
    /// The ids of the entries this record stands for (the LogEntry's `insertId`, or `PATH:LINE`
    /// where it has none): its own first, then the continuation lines of a traceback that was
    /// reassembled into it.
    pub entry_ids: Vec<String>,
}

impl Record {
    pub fn time_nanos(&self) -> Option<i64> {
        self.time.map(|t| t.nanos)
    }
}

/// Messages longer than this are cut (after redaction, so no secret is cut in half and missed):
/// a 200 MB payload is a dump, not a message, and would otherwise dominate memory and masking.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Cuts a message to [`MAX_MESSAGE_BYTES`] at a character boundary, saying how much was cut.
pub fn clip_message(mut message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let total = message.len();
    let mut cut = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    message.truncate(cut);
    message.push_str(&format!(" … [cut: {cut} of {total} bytes shown]"));
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = clip_message(long);
        assert!(cut.len() < MAX_MESSAGE_BYTES + 64);
        assert!(cut.ends_with(&format!("of {} bytes shown]", 2 * MAX_MESSAGE_BYTES)));
        assert_eq!(clip_message("short".into()), "short");
    }
}
