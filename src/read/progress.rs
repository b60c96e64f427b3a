//! Counters the reader advances as it goes, for a progress bar drawn elsewhere (the CLI draws
//! one on a terminal; the library never prints).

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes read from the inputs as stored (before decompression).
    pub(crate) bytes: AtomicU64,
    /// Entries found so far.
    pub(crate) entries: AtomicU64,
    /// Bytes of all the inputs as stored, once they are known (0 for standard input alone).
    pub(crate) total: AtomicU64,
}

impl Progress {
    pub(crate) fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn add_entries(&self, n: u64) {
        self.entries.fetch_add(n, Ordering::Relaxed);
    }

    /// Notes the stored size of the inputs found.
    pub(crate) fn set_total(&self, sources: &[super::Source]) {
        let total = sources
            .iter()
            .filter_map(|s| match s {
                super::Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
                super::Source::Stdin => None,
            })
            .sum();
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn entries(&self) -> u64 {
        self.entries.load(Ordering::Relaxed)
    }
}
