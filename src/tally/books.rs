//! The books: every entry read ends up in scope, out of scope (with the filter that excluded
//! it), a duplicate, or skipped (with why), and the counts add up.

/// Entry counts; `entries_read` = skipped + duplicates + out of scope + in scope. The report's
/// `totals` are these, as they are named here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Books {
    pub(crate) entries_read: u64,
    pub(crate) entries_skipped: u64,
    pub(crate) duplicates: u64,
    pub(crate) below_min_severity: u64,
    pub(crate) outside_window: u64,
    pub(crate) service_not_selected: u64,
    /// Entries of issues that a rule says to ignore.
    pub(crate) ignored_by_rule: u64,
    pub(crate) entries_in_scope: u64,
    pub(crate) events_in_scope: u64,
    /// In-scope entries whose severity was inferred from the payload.
    pub(crate) severity_inferred: u64,
    /// Entries that carried no usable time.
    pub(crate) entries_without_time: u64,
}

impl Books {
    pub(crate) fn out_of_scope(&self) -> u64 {
        self.below_min_severity
            + self.outside_window
            + self.service_not_selected
            + self.ignored_by_rule
    }
}
