//! The one record type every source is normalized into.

use super::severity::Severity;
use super::time::Timestamp;
use std::borrow::Cow;

/// Where an entry came from: the input's index in the run and its position in that input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Origin {
    pub input: u32,
    /// 1-based line of the entry's first byte.
    pub line: u64,
    /// Byte offset of the entry's first byte (in the decompressed stream).
    pub offset: u64,
}

impl Origin {
    /// The entry's place among all entries read: its input, then its byte offset (its line where
    /// no offset is known). Entries are read in this order.
    pub fn position(&self) -> (u32, u64) {
        (self.input, self.offset.max(self.line))
    }
}

/// The request part of a request log (`httpRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub status: u16,
    pub method: String,
    /// The path without query or fragment.
    pub path: String,
    /// What the proxy in front said of the response, where it says: a load balancer's
    /// `statusDetails` (`failed_to_connect_to_backend`, `response_sent_by_backend`). Empty
    /// otherwise.
    pub detail: String,
}

/// The call an audit log records: `compute.googleapis.com`, `v1.compute.instances.setMetadata`,
/// `PERMISSION_DENIED`. The caller is not kept (it is personal data; the message names it
/// redacted). Other platform logs that record a call and its outcome are keyed the same way:
/// Cloud Tasks and Cloud Scheduler attempts, Cloud Functions (1st gen) executions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub service: String,
    pub method: String,
    /// The canonical name of `status.code` (`OK` when the call succeeded), or the outcome as the
    /// platform names it (`timeout`).
    pub status: &'static str,
}

/// One log entry after normalization. Every message here is already redacted.
///
/// Text borrows from the input where it can (`'a` is the chunk being parsed): most entries are
/// reduced to a few ids and hashes right after parsing, and copying their names, ids and messages
/// into owned strings first was the largest cost of reading. [`Record::into_owned`] detaches one.
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    pub time: Option<Timestamp>,
    pub severity: Severity,
    /// True when `severity` was inferred from the payload because the entry carried none.
    pub severity_inferred: bool,
    pub project: Option<Cow<'a, str>>,
    pub service: Cow<'a, str>,
    pub revision: Option<Cow<'a, str>>,
    pub component: Option<Cow<'a, str>>,
    pub message: Cow<'a, str>,
    pub request: Option<Request>,
    pub insert_id: Option<Cow<'a, str>>,
    pub log_name: Option<Cow<'a, str>>,
    pub trace: Option<Cow<'a, str>>,
    /// The instance (container) that wrote the entry, for reassembling split tracebacks.
    pub instance: Option<Cow<'a, str>>,
    /// The text was cut at the runtime's line limit (GKE's 16 KiB): the next entry of the stream
    /// holds the rest.
    pub cut_at_limit: bool,
    /// One of the entries a too-long LogEntry was split into (`split`): the parts are one event.
    pub split_part: bool,
    /// What an audit log (or another `protoPayload` with a service and method) says was done.
    pub audit: Option<Audit>,
    /// An id shared by the entries of one operation (an audit log's `operation.id`, written on
    /// its `first` and `last` entries): they are one event.
    pub operation: Option<Cow<'a, str>>,
    pub origin: Origin,
    /// How many entries this record stands for: 1, or more for a traceback reassembled from
    /// continuation lines.
    pub entries: u32,
    /// The ids of those entries (the LogEntry's `insertId`, or `PATH:LINE` where it has none):
    /// its own first, then those of its continuation lines. Filled only when ids were asked for
    /// (`--assignments`, tools); counting uses `entries`.
    pub entry_ids: Vec<String>,
}

impl Record<'_> {
    pub fn time_nanos(&self) -> Option<i64> {
        self.time.map(|t| t.nanos)
    }

    /// The record with every borrowed text copied.
    pub fn into_owned(self) -> Record<'static> {
        fn own(text: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
            text.map(|t| Cow::Owned(t.into_owned()))
        }
        Record {
            time: self.time,
            severity: self.severity,
            severity_inferred: self.severity_inferred,
            project: own(self.project),
            service: Cow::Owned(self.service.into_owned()),
            revision: own(self.revision),
            component: own(self.component),
            message: Cow::Owned(self.message.into_owned()),
            request: self.request,
            insert_id: own(self.insert_id),
            log_name: own(self.log_name),
            trace: own(self.trace),
            instance: own(self.instance),
            cut_at_limit: self.cut_at_limit,
            split_part: self.split_part,
            audit: self.audit,
            operation: own(self.operation),
            origin: self.origin,
            entries: self.entries,
            entry_ids: self.entry_ids,
        }
    }
}

/// Messages longer than this are cut (after redaction, so no secret is cut in half and missed):
/// a 200 MB payload is a dump, not a message, and would otherwise dominate memory and masking.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Cuts a message to [`MAX_MESSAGE_BYTES`] at a character boundary, saying how much was cut.
pub fn clip_message(message: Cow<'_, str>) -> Cow<'_, str> {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let total = message.len();
    let mut cut = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut clipped = message[..cut].to_string();
    clipped.push_str(&format!(" … [cut: {cut} of {total} bytes shown]"));
    Cow::Owned(clipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = clip_message(long.into());
        assert!(cut.len() < MAX_MESSAGE_BYTES + 64);
        assert!(cut.ends_with(&format!("of {} bytes shown]", 2 * MAX_MESSAGE_BYTES)));
        assert_eq!(clip_message("short".into()), "short");
    }
}
