//! Positions a person can find: "line L, byte B" in an input, counted only when a message needs
//! one, and counted once: a [`Cursor`] carries the line count from one problem to the next, so
//! an input with a problem on every line costs a pass over it, not a pass per problem.

/// Where a buffer sits in its input.
#[derive(Clone, Copy, Default)]
pub(crate) struct Base {
    pub(crate) offset: u64,
    /// Newlines before the buffer.
    pub(crate) lines: u64,
}

impl Base {
    /// "line L, byte B" of the byte at `off` in `buf` (which starts at this base).
    pub(crate) fn position(&self, buf: &[u8], off: usize) -> String {
        let off = off.min(buf.len());
        let line = self.lines + memchr::memchr_iter(b'\n', &buf[..off]).count() as u64 + 1;
        format!("line {line}, byte {}", self.offset + off as u64)
    }

    /// Moves past the first `n` bytes of `buf`.
    pub(crate) fn advance(&mut self, buf: &[u8], n: usize) {
        self.lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        self.offset += n as u64;
    }
}

/// Positions of offsets in a buffer, counted incrementally: offsets asked in increasing order
/// (as problems come, in input order) cost one pass over the buffer in all.
pub(crate) struct Cursor<'b> {
    buf: &'b [u8],
    base: Base,
    /// Offset in `buf` up to which newlines are counted, and the count.
    at: usize,
    lines: u64,
}

impl<'b> Cursor<'b> {
    pub(crate) fn new(buf: &'b [u8], base: Base) -> Cursor<'b> {
        Cursor { buf, base, at: 0, lines: base.lines }
    }

    /// The offset in the input of the buffer's first byte.
    pub(crate) fn base_offset(&self) -> u64 {
        self.base.offset
    }

    /// "line L, byte B" of the byte at `off` in the buffer.
    pub(crate) fn position(&mut self, off: usize) -> String {
        let off = off.min(self.buf.len());
        if off < self.at {
            self.at = 0;
            self.lines = self.base.lines;
        }
        self.lines += memchr::memchr_iter(b'\n', &self.buf[self.at..off]).count() as u64;
        self.at = off;
        format!("line {}, byte {}", self.lines + 1, self.base.offset + off as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_counts_like_a_fresh_count() {
        let buf = b"a\nbb\n\nccc\nd";
        let base = Base { offset: 100, lines: 7 };
        let mut cursor = Cursor::new(buf, base);
        for off in [0, 2, 3, 6, 7, 12, 12, 1, 9] {
            assert_eq!(cursor.position(off), base.position(buf, off), "offset {off}");
        }
    }
}
