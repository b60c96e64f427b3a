//! Entries written in another notation than JSON (the Logs Explorer's CSV, gcloud's YAML),
//! folded back into LogEntry JSON text: what the reader hands on for such an input.

/// An entry that could not be read: its 1-based line and why.
pub(crate) struct RowError {
    pub(crate) line: u64,
    pub(crate) reason: &'static str,
    pub(crate) detail: String,
}

/// One entry, as LogEntry JSON text.
pub(crate) struct Row {
    /// 1-based line and byte offset of the entry's first byte.
    pub(crate) line: u64,
    pub(crate) offset: u64,
    pub(crate) json: String,
}

/// The entries of a whole input, and those that could not be read.
#[derive(Default)]
pub(crate) struct FoldedRows {
    pub(crate) rows: Vec<Row>,
    pub(crate) errors: Vec<RowError>,
    /// Entries found, readable or not.
    pub(crate) count: u64,
}
