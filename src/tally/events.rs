//! Counted events: alike events counted together, kept in a vector that grows without copies.

use crate::normalize::Severity;

/// Sentinel for "no time".
pub(crate) const NO_TIME: i64 = i64::MIN;
/// Sentinel for "not keyed" (below the minimum severity).
pub(crate) const NO_KEY: u32 = u32::MAX;

/// Events alike in everything the report counts (key, service, revision, component, project,
/// severity, status, and the minute they fell in) counted together, with their first and last
/// time. Memory then follows the number of such combinations, not the number of entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    /// The first time (or [`NO_TIME`]) and its fraction digits.
    pub(crate) time: i64,
    pub(crate) digits: u8,
    /// The last time and its fraction digits.
    pub(crate) last: i64,
    pub(crate) last_digits: u8,
    /// Events counted in this row.
    pub(crate) count: u64,
    pub(crate) severity: Severity,
    pub(crate) inferred: bool,
    pub(crate) service: u32,
    /// 0 = none, for revision, component and project.
    pub(crate) revision: u32,
    pub(crate) component: u32,
    pub(crate) project: u32,
    pub(crate) status: u16,
    pub(crate) key: u32,
    pub(crate) entries: u64,
}

impl Event {
    pub(crate) fn time(&self) -> Option<i64> {
        (self.time != NO_TIME).then_some(self.time)
    }

    pub(crate) fn last(&self) -> Option<i64> {
        (self.last != NO_TIME).then_some(self.last)
    }
}

/// A vector kept in fixed-size segments: it grows without the doubling copy that made a
/// vector of a million events briefly twice its size.
pub(crate) struct Segmented<T> {
    segments: Vec<Vec<T>>,
    len: usize,
}

const SEGMENT: usize = 1 << 16;

impl<T> Default for Segmented<T> {
    fn default() -> Self {
        Segmented { segments: Vec::new(), len: 0 }
    }
}

impl<T> Segmented<T> {
    /// The elements, in order, in one vector.
    pub(crate) fn into_vec(self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        for segment in self.segments {
            out.extend(segment);
        }
        out
    }

    pub(crate) fn push(&mut self, value: T) {
        if self.segments.last().is_none_or(|s| s.len() == SEGMENT) {
            self.segments.push(Vec::with_capacity(SEGMENT));
        }
        self.segments.last_mut().expect("just pushed").push(value);
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl<T> std::ops::IndexMut<usize> for Segmented<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.segments[i / SEGMENT][i % SEGMENT]
    }
}

impl<T> std::ops::Index<usize> for Segmented<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.segments[i / SEGMENT][i % SEGMENT]
    }
}
