//! Chunks handed to the caller's reduction in parallel, and their results handed on in input
//! order. The reading thread launches each chunk on the pool and goes on to the next instead of
//! waiting: a wait for every chunk left a core idle while the chunk's last batch finished and
//! while the next chunk was read and split.

use super::entry::{At, RawEntry, RawText, Rejected};
use super::json_split::Span;
use super::position::{Base, Cursor};
use super::{stream, Problem, Reduce};
use rayon::prelude::*;
use std::collections::VecDeque;

/// Entries reduced per batch (the unit of parallel work).
pub(crate) const BATCH: usize = 512;

/// What every batch of one input shares.
pub(crate) struct Ctx<'a> {
    pub(crate) label: &'a str,
    pub(crate) index: u32,
    pub(crate) progress: Option<&'a super::progress::Progress>,
}

impl Ctx<'_> {
    /// A rejected entry as a problem, its position counted by `cursor` (over the buffer the
    /// entry is in).
    pub(crate) fn problem(&self, rejected: Rejected, cursor: &mut Cursor) -> Problem {
        let position = match rejected.at {
            At::Byte(offset) => {
                cursor.position(offset.saturating_sub(cursor.base_offset()) as usize)
            }
            At::Line(line) => format!("line {line}"),
        };
        Problem {
            input: self.label.to_string(),
            position,
            reason: rejected.reason,
            detail: rejected.detail,
            entries: rejected.entries,
        }
    }
}

/// The values of a buffer, as cut by a splitter.
pub(crate) struct Spans<'b> {
    pub(crate) buf: &'b [u8],
    pub(crate) spans: &'b [Span],
    /// NDJSON lines: a line of text among them is handed on as text (what a program printed
    /// beside its JSON log), not as a broken entry.
    pub(crate) lines: bool,
}

/// Hands the JSON values at `spans` of `buf` to `reduce`, batch by batch in parallel, keeping
/// their order; what could not be read comes back as problems.
pub(crate) fn reduce_spans<T: Send>(
    Spans { buf, spans, lines }: Spans,
    ctx: &Ctx,
    base: Base,
    reduce: Reduce<T>,
) -> (Vec<T>, Vec<Problem>) {
    if let Some(p) = &ctx.progress {
        p.add_entries(spans.len() as u64);
    }
    let parsed: Vec<(T, Vec<Rejected>)> = spans
        .par_chunks(BATCH)
        .map(|batch| {
            let mut rejected = Vec::new();
            let mut entries = batch.iter().map(|span| RawEntry {
                text: raw_text(&buf[span.start..span.end], lines),
                source: ctx.label,
                input: ctx.index,
                line: 0,
                offset: base.offset + span.start as u64,
            });
            let reduced = reduce(&mut entries, &mut rejected);
            (reduced, rejected)
        })
        .collect();
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(parsed.len());
    let mut cursor = Cursor::new(buf, base);
    for (reduced, rejected) in parsed {
        problems.extend(rejected.into_iter().map(|r| ctx.problem(r, &mut cursor)));
        out.push(reduced);
    }
    (out, problems)
}

/// A span's text: JSON, or among NDJSON `lines` a line of text that is not JSON at all (one
/// starting as an object, broken or not, is a JSON entry).
#[inline]
fn raw_text(bytes: &[u8], lines: bool) -> RawText<'_> {
    let text = lines
        && bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err();
    match text.then(|| std::str::from_utf8(bytes).ok()).flatten() {
        Some(line) => RawText::TextAmongJson(line),
        None => RawText::Json(bytes),
    }
}

/// A chunk's parse: its reduced batches, its problems, and its buffer to recycle.
type Parsed<T> = (Vec<T>, Vec<Problem>, Vec<u8>);

/// Chunks being parsed on the pool, oldest first.
pub(crate) struct InFlight<T> {
    pending: VecDeque<std::sync::mpsc::Receiver<Parsed<T>>>,
    /// Chunks in flight before the reader waits for the oldest (bounds memory).
    limit: usize,
}

/// Where finished chunks go: the caller's sink for reduced batches, the input's problems, and
/// the stream that takes buffers back.
pub(crate) struct Outlet<'o, T> {
    pub(crate) sink: &'o mut dyn FnMut(Vec<T>),
    pub(crate) problems: &'o mut Vec<Problem>,
    pub(crate) chunks: &'o stream::Chunks,
}

impl<T: Send> InFlight<T> {
    pub(crate) fn new() -> InFlight<T> {
        InFlight { pending: VecDeque::new(), limit: rayon::current_num_threads() + 1 }
    }

    /// Reduces `buffer[start..]`'s `spans` on the pool.
    pub(crate) fn launch<'s>(
        &mut self,
        scope: &rayon::Scope<'s>,
        (buffer, start): (Vec<u8>, usize),
        spans: Vec<Span>,
        (base, lines): (Base, bool),
        ctx: &'s Ctx<'s>,
        reduce: Reduce<'s, T>,
    ) where
        T: 's,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move |_| {
            let spans = Spans { buf: &buffer[start..], spans: &spans, lines };
            let (reduced, problems) = reduce_spans(spans, ctx, base, reduce);
            // The receiver lives until the result is taken.
            let _ = tx.send((reduced, problems, buffer));
        });
        self.pending.push_back(rx);
    }

    /// Hands on the finished chunks at the front, in order; waits for the oldest while too many
    /// are in flight.
    pub(crate) fn deliver(&mut self, out: &mut Outlet<T>) {
        self.take(self.limit, out);
    }

    /// Waits for every chunk in flight and hands them on.
    pub(crate) fn finish(&mut self, out: &mut Outlet<T>) {
        self.take(0, out);
    }

    fn take(&mut self, keep: usize, out: &mut Outlet<T>) {
        while let Some(oldest) = self.pending.front() {
            let parsed = if self.pending.len() > keep {
                oldest.recv().ok()
            } else {
                match oldest.try_recv() {
                    Ok(parsed) => Some(parsed),
                    Err(std::sync::mpsc::TryRecvError::Empty) => return,
                    // The parse panicked; the scope re-raises the panic when it ends.
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
                }
            };
            self.pending.pop_front();
            if let Some((reduced, found, buffer)) = parsed {
                out.problems.extend(found);
                (out.sink)(reduced);
                out.chunks.recycle(buffer);
            }
        }
    }
}
