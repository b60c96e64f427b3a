//! One input, start to end: chunks from the stream, the format decided once there is enough to
//! look at, entries cut per format and handed to the caller's reduction in input order.

use super::detect::{detect, gcloud_preamble, Format};
use super::entry::{At, RawEntry, RawText, Rejected};
use super::flight::{Ctx, InFlight, Outlet, BATCH};
use super::folded::FoldedRows;
use super::json_split::{
    skip_ws, split_array, split_concatenated, End, Span, Splitter, WrappedSplitter,
};
use super::position::{Base, Cursor};
use super::Source;
use super::{
    csv_export, markdown, stream, text, yaml_export, InputFormat, InputReport, Problem,
    ReadOptions, Reduce,
};
use rayon::prelude::*;

/// Reads one source in chunks: each chunk's entries are handed to `reduce` in batches, in
/// parallel, and each chunk's reduced batches, in input order, to `sink`. Returns what the input
/// gave and its problems.
pub fn read_source<T: Send>(
    source: &Source,
    index: u32,
    options: &ReadOptions,
    reduce: Reduce<T>,
    sink: &mut dyn FnMut(Vec<T>),
) -> (InputReport, Vec<Problem>) {
    let label = source.label();
    let mut report = InputReport { label: label.clone(), ..InputReport::default() };
    let chunks = match stream::start(source, options.progress.clone()) {
        Ok(c) => c,
        Err(e) => {
            let detail = e.to_string();
            report.error = Some(detail.clone());
            return (report, vec![Problem::whole_input(&label, "could not be read", detail)]);
        }
    };
    report.gzip = chunks.gzip;
    let ctx = Ctx { label: &label, index, progress: options.progress.as_deref() };
    let mut reader = Reader {
        ctx: &ctx,
        format: None,
        buf: Vec::new(),
        base: Base::default(),
        skip: 0,
        splitter: Splitter::default(),
        wrapped: WrappedSplitter::default(),
        encoding: chunks.encoding,
        report,
        problems: Vec::new(),
    };
    let gzip_error = reader.run(&chunks, options.input_format, reduce, sink);
    let Reader { mut report, mut problems, base, buf, .. } = reader;
    if let Some(e) = gzip_error {
        problems.push(Problem {
            input: label.clone(),
            position: format!("byte {} (decompressed)", base.offset + buf.len() as u64),
            reason: "gzip cut off".into(),
            detail: format!(
                "the gzip data is corrupt or cut off ({e}); the entries before that point were read"
            ),
            entries: 0,
        });
    }
    report.bytes = chunks.raw_bytes.load(std::sync::atomic::Ordering::Relaxed);
    report.skipped = problems.iter().map(|p| p.entries).sum();
    (report, problems)
}

/// The state of reading one input.
struct Reader<'c> {
    ctx: &'c Ctx<'c>,
    format: Option<Format>,
    /// What is read and not yet handed on; `buf[..skip]` was handed on already (the head of a
    /// chunk that finished a carried NDJSON line).
    buf: Vec<u8>,
    base: Base,
    skip: usize,
    splitter: Splitter,
    wrapped: WrappedSplitter,
    /// Set for UTF-16 inputs, which the stream decodes (the report names it with the format).
    encoding: Option<stream::Encoding>,
    report: InputReport,
    problems: Vec<Problem>,
}

/// What looking at the head of an input decided.
enum Decision {
    Decided,
    /// Not enough to look at yet.
    Undecided,
    /// Not a log export: a problem says why, and nothing of it is read.
    Refused,
}

/// What a step of the loop says about going on.
#[derive(PartialEq, Eq)]
enum Next {
    Continue,
    Stop,
}

/// Where the reader's split chunks go: parsed on the pool's scope, kept in flight in input order,
/// their results handed to the outlet.
struct Pipe<'p, 's, 'o, T> {
    scope: &'p rayon::Scope<'s>,
    flight: &'p mut InFlight<T>,
    out: &'p mut Outlet<'o, T>,
    reduce: Reduce<'s, T>,
}

impl<'s, T: Send + 's> Pipe<'_, 's, '_, T> {
    /// Launches the parse of `spans` of `buffer` (from its `start`), at `base` in the input.
    /// `lines`: the spans are NDJSON lines, where a line of text is no broken entry.
    fn launch(
        &mut self,
        buffer: (Vec<u8>, usize),
        spans: Vec<Span>,
        (base, lines): (Base, bool),
        ctx: &'s Ctx<'s>,
    ) {
        self.flight.launch(self.scope, buffer, spans, (base, lines), ctx, self.reduce);
    }
}

impl<'c> Reader<'c> {
    /// The loop over chunks. Chunks are parsed on the pool while this thread reads and splits
    /// the next ones; their results are handed on in input order. Returns a gzip error, if the
    /// stream ended with one.
    fn run<T: Send>(
        &mut self,
        chunks: &stream::Chunks,
        input_format: InputFormat,
        reduce: Reduce<'c, T>,
        sink: &mut dyn FnMut(Vec<T>),
    ) -> Option<String> {
        let mut flight = InFlight::new();
        let mut gzip_error = None;
        let mut problems = Vec::new();
        let mut out = Outlet { sink, problems: &mut problems, chunks };
        let mut first = true;
        rayon::in_place_scope(|scope| loop {
            let mut pipe = Pipe { scope, flight: &mut flight, out: &mut out, reduce };
            let eof = match chunks.chunks.recv() {
                Ok(stream::Piece::Chunk(chunk)) => {
                    self.take_chunk(chunk, first, &mut pipe);
                    first = false;
                    false
                }
                Ok(stream::Piece::GzipError(e)) => {
                    gzip_error = Some(e);
                    true
                }
                Err(_) => true,
            };
            if self.format.is_none() {
                match self.decide_format(eof, input_format, chunks) {
                    Decision::Decided => {}
                    Decision::Undecided if !eof => continue,
                    Decision::Undecided | Decision::Refused => break,
                }
            }
            let next = match self.format.expect("decided") {
                Format::Ndjson => self.step_ndjson(eof, &mut pipe),
                Format::JsonArray | Format::ConcatenatedJson => self.step_json(eof, &mut pipe),
                Format::Wrapped(_) => self.step_wrapped(eof, &mut pipe),
                // Whole-input formats: small in practice; read to the end first.
                _ if !eof => Next::Continue,
                Format::Text => self.whole_text(pipe.out, reduce),
                Format::Csv => self.whole_folded(csv_export::read_csv(&self.buf), pipe.out, reduce),
                Format::Yaml => {
                    self.whole_folded(yaml_export::read_yaml(&self.buf), pipe.out, reduce)
                }
                Format::Markdown => self.whole_markdown(pipe.out, reduce),
                Format::Empty => self.empty(),
            };
            if next == Next::Stop || eof {
                pipe.flight.finish(pipe.out);
                if next == Next::Stop && !eof {
                    drain(chunks);
                }
                break;
            }
        });
        self.problems.splice(0..0, problems);
        gzip_error
    }

    /// Takes a chunk into the buffer. An NDJSON line or a JSON value carried over from the last
    /// chunk is finished with the head of this one and launched, and the chunk is then taken as
    /// it is instead of being copied behind the carry (a profile showed the copy: 2.5% of the
    /// CPU on a gcloud array).
    fn take_chunk<'s, T>(&mut self, chunk: Vec<u8>, first: bool, pipe: &mut Pipe<'_, 's, '_, T>)
    where
        'c: 's,
        T: Send + 's,
    {
        let carried = self.buf.len();
        if first && chunk.starts_with(b"\xEF\xBB\xBF") {
            self.buf.extend_from_slice(&chunk[3..]);
            self.base.offset = 3;
        } else if self.buf.is_empty() {
            // No copy when nothing is carried over; the old buffer goes back for reuse.
            pipe.out.chunks.recycle(std::mem::replace(&mut self.buf, chunk));
        } else if let (Some(Format::Ndjson), Some(nl)) =
            (self.format, memchr::memchr(b'\n', &chunk))
        {
            self.buf.extend_from_slice(&chunk[..=nl]);
            let spans = ndjson_spans(&self.buf);
            let end = self.buf.len();
            self.launch_carried(spans, end, carried, chunk, pipe);
        } else if let Some((spans, end)) = self.finish_carried_value(&chunk) {
            self.launch_carried(spans, end, carried, chunk, pipe);
        } else {
            self.buf.extend_from_slice(&chunk);
            pipe.out.chunks.recycle(chunk);
        }
    }

    /// Launches `spans`, the values of the buffer (a carry of `carried` bytes finished with the
    /// head of `chunk`) up to `end`, and takes `chunk` as the buffer from where they end.
    fn launch_carried<'s, T>(
        &mut self,
        spans: Vec<Span>,
        end: usize,
        carried: usize,
        chunk: Vec<u8>,
        pipe: &mut Pipe<'_, 's, '_, T>,
    ) where
        'c: 's,
        T: Send + 's,
    {
        self.report.entries += spans.len() as u64;
        let at = self.base;
        self.base.advance(&self.buf, end);
        let finished = std::mem::replace(&mut self.buf, chunk);
        let lines = self.format == Some(Format::Ndjson);
        pipe.launch((finished, 0), spans, (at, lines), self.ctx);
        pipe.flight.deliver(pipe.out);
        self.skip = end - carried;
    }

    /// A JSON value (an array's entry, an object, an API response's entry or key) carried over
    /// from the last chunk, finished with the head of this one (64 KB): the values the carry and
    /// the head complete, and where they end. The head's end is a chunk boundary like any other
    /// to the splitter. `None`, with nothing changed, when the head does not finish the carry
    /// (an entry longer than the head) or splitting stops in it (the whole chunk then meets the
    /// same stop).
    fn finish_carried_value(&mut self, chunk: &[u8]) -> Option<(Vec<Span>, usize)> {
        const HEAD: usize = 64 * 1024;
        if !matches!(
            self.format,
            Some(Format::JsonArray | Format::ConcatenatedJson | Format::Wrapped(_))
        ) {
            return None;
        }
        debug_assert_eq!(self.skip, 0, "the last step handed on the chunk before");
        let carried = self.buf.len();
        let before = (self.splitter.clone(), self.wrapped.clone());
        self.buf.extend_from_slice(&chunk[..chunk.len().min(HEAD)]);
        let (spans, resume) = self.split_values(false);
        if self.splitter.stop.is_some() || self.wrapped.stop.is_some() || resume < carried {
            (self.splitter, self.wrapped) = before;
            self.buf.truncate(carried);
            return None;
        }
        Some((spans, resume))
    }

    /// The complete values of `self.buf[self.skip..]` by the format's splitter, and where the
    /// next split resumes (counted from `skip`); a stop is left in the splitter.
    fn split_values(&mut self, eof: bool) -> (Vec<Span>, usize) {
        let data = &self.buf[self.skip..];
        match self.format {
            Some(Format::Wrapped(_)) => self.wrapped.split(data, eof),
            format => self.splitter.split(data, format == Some(Format::JsonArray), eof),
        }
    }

    /// Decides the format once there is enough to look at (64 KB, or everything there is). An
    /// input that is not a log export becomes a problem.
    fn decide_format(
        &mut self,
        eof: bool,
        wanted: InputFormat,
        chunks: &stream::Chunks,
    ) -> Decision {
        if !eof && self.buf.len() < 64 * 1024 {
            return Decision::Undecided;
        }
        let preamble = match wanted {
            InputFormat::Text => 0,
            _ => gcloud_preamble(&self.buf),
        };
        let detected = match wanted {
            InputFormat::Text => Ok(Format::Text),
            InputFormat::Auto => detect(&self.buf[preamble..], true),
            InputFormat::Gcp => detect(&self.buf[preamble..], false),
        };
        match detected {
            Ok(Format::Empty) if !eof => Decision::Undecided,
            Ok(f) => {
                self.format = Some(f);
                self.report.format = match self.encoding {
                    Some(encoding) => format!("{} ({})", f.name(), encoding.name()),
                    None => f.name().to_string(),
                };
                if preamble > 0 {
                    self.skip_preamble(preamble);
                }
                Decision::Decided
            }
            Err(unreadable) => {
                self.report.format = "unreadable".into();
                self.report.error = Some(unreadable.message.clone());
                self.problems.push(Problem {
                    input: self.ctx.label.to_string(),
                    position: self.base.position(&self.buf, unreadable.offset),
                    reason: unreadable.reason.into(),
                    detail: unreadable.message,
                    entries: 0,
                });
                drain(chunks);
                Decision::Refused
            }
        }
    }

    /// Steps over gcloud's own messages before the JSON, saying so in the input's format: they
    /// are no entries (and no entry was lost with them).
    fn skip_preamble(&mut self, preamble: usize) {
        let lines = self.buf[..preamble].iter().filter(|&&b| b == b'\n').count();
        self.report.format.push_str(&format!(
            ", after {lines} lines of gcloud's own messages (its standard error, saved with 2>&1)"
        ));
        self.base.advance(&self.buf, preamble);
        self.skip = preamble;
    }

    /// Hands on the complete lines of the buffer (all of it at the end of the input).
    fn step_ndjson<'s, T>(&mut self, eof: bool, pipe: &mut Pipe<'_, 's, '_, T>) -> Next
    where
        'c: 's,
        T: Send + 's,
    {
        let skip = self.skip;
        let data = &self.buf[skip..];
        let end = if eof {
            data.len()
        } else {
            match memchr::memrchr(b'\n', data) {
                Some(nl) => nl + 1,
                None => {
                    self.buf.drain(..skip);
                    self.skip = 0;
                    return Next::Continue;
                }
            }
        };
        let spans = ndjson_spans(&data[..end]);
        self.report.entries += spans.len() as u64;
        let at = self.base;
        self.base.advance(data, end);
        // The parse takes the buffer; only the unfinished last line stays.
        let rest = self.buf[skip + end..].to_vec();
        let whole = std::mem::replace(&mut self.buf, rest);
        pipe.launch((whole, skip), spans, (at, true), self.ctx);
        pipe.flight.deliver(pipe.out);
        self.skip = 0;
        Next::Continue
    }

    /// Hands on the complete values of a JSON array or of concatenated objects.
    fn step_json<'s, T>(&mut self, eof: bool, pipe: &mut Pipe<'_, 's, '_, T>) -> Next
    where
        'c: 's,
        T: Send + 's,
    {
        let (spans, resume) = self.split_values(eof);
        self.report.entries += spans.len() as u64;
        let stopped = self.splitter.stop.take().map(|stop| self.stop_problem(stop));
        self.hand_on_values(spans, resume, stopped, pipe)
    }

    /// Launches the parse of split values: the buffer up to `resume` (all of it when splitting
    /// `stopped`, with the problem that stopped it, if any), the rest kept for the next chunk.
    fn hand_on_values<'s, T>(
        &mut self,
        spans: Vec<Span>,
        resume: usize,
        stopped: Option<Option<Problem>>,
        pipe: &mut Pipe<'_, 's, '_, T>,
    ) -> Next
    where
        'c: 's,
        T: Send + 's,
    {
        // Spans and `resume` count from `skip`, where the chunk's own values begin.
        let skip = std::mem::take(&mut self.skip);
        if let Some(last) = stopped {
            let whole = std::mem::take(&mut self.buf);
            pipe.launch((whole, skip), spans, (self.base, false), self.ctx);
            pipe.flight.finish(pipe.out);
            self.problems.extend(last);
            return Next::Stop;
        }
        let at = self.base;
        self.base.advance(&self.buf[skip..], resume);
        let rest = self.buf[skip + resume..].to_vec();
        let whole = std::mem::replace(&mut self.buf, rest);
        pipe.launch((whole, skip), spans, (at, false), self.ctx);
        pipe.flight.deliver(pipe.out);
        Next::Continue
    }

    /// Hands on the complete entries of wrapped responses (`{"entries": [...]}` pages).
    fn step_wrapped<'s, T>(&mut self, eof: bool, pipe: &mut Pipe<'_, 's, '_, T>) -> Next
    where
        'c: 's,
        T: Send + 's,
    {
        let (spans, resume) = self.split_values(eof);
        self.report.entries += spans.len() as u64;
        let stopped = self.wrapped.stop.take().map(|stop| {
            let last = self.stop_problem(stop);
            match last {
                None if self.report.entries == 0 => Some(self.no_wrapped_entries()),
                last => last,
            }
        });
        self.hand_on_values(spans, resume, stopped, pipe)
    }

    /// Responses that hold no entry at all: an empty result, or the Firebase CLI's error output.
    fn no_wrapped_entries(&self) -> Problem {
        let pages = self.wrapped.pages;
        let detail = if self.wrapped.error_status {
            "the Firebase CLI's output says `\"status\": \"error\"`: the command failed and \
             returned no log entries (run it again, or export with gcloud logging read)"
                .to_string()
        } else {
            let responses = if pages == 1 {
                "the response holds".to_string()
            } else {
                format!("the {pages} responses hold")
            };
            format!("{responses} no entries (the query matched nothing, or `entries` is missing)")
        };
        Problem::whole_input(self.ctx.label, "no entries in the response", detail)
    }

    /// Why splitting JSON stopped, as a problem (none for a clean end).
    fn stop_problem(&mut self, stop: End) -> Option<Problem> {
        let (buf, base, label) = (&self.buf[self.skip..], self.base, self.ctx.label.to_string());
        match stop {
            End::Clean => None,
            End::UnclosedArray => Some(Problem {
                input: label,
                position: base.position(buf, buf.len()),
                reason: "array not closed".into(),
                detail: match self.format {
                    Some(Format::Wrapped(_)) => "the response ends before it is closed (no \
                        closing `]` or `}`); every complete entry was read"
                        .into(),
                    _ => "the JSON array has no closing `]`; every complete entry was read".into(),
                },
                entries: 0,
            }),
            End::Truncated { start } => {
                self.report.entries += 1;
                Some(Problem {
                    input: label,
                    position: base.position(buf, start),
                    reason: "export cut off".into(),
                    detail: format!(
                        "the input ends inside the entry that starts here ({} bytes of it); the {} complete entries before it were read",
                        buf.len() - start,
                        self.report.entries - 1
                    ),
                    entries: 1,
                })
            }
            End::Unexpected { offset, byte } => {
                // What follows is not JSON we can split; count it as one lost entry.
                self.report.entries += 1;
                Some(Problem {
                    input: label,
                    position: base.position(buf, offset),
                    reason: "invalid JSON".into(),
                    detail: format!(
                        "unexpected {:?} between entries; reading of this input stopped here",
                        byte as char
                    ),
                    entries: 1,
                })
            }
        }
    }

    /// A whole plain-text input, as lines in one ordered batch (the caller joins continuation
    /// lines, which needs them in order).
    fn whole_text<T: Send>(&mut self, out: &mut Outlet<T>, reduce: Reduce<T>) -> Next {
        let buf = std::mem::take(&mut self.buf);
        let decoded = text::decode(&buf);
        let mut lines = text::lines(&decoded, self.ctx.label, self.ctx.index);
        self.report.entries = lines.clone().count() as u64;
        let mut rejected = Vec::new();
        let reduced = reduce(&mut lines, &mut rejected);
        self.hand_on(vec![(reduced, rejected)], out);
        Next::Stop
    }

    /// A whole Logs Explorer CSV or gcloud YAML, its entries folded into LogEntry JSON: reduced
    /// in batches.
    fn whole_folded<T: Send>(
        &mut self,
        folded: FoldedRows,
        out: &mut Outlet<T>,
        reduce: Reduce<T>,
    ) -> Next {
        self.report.entries = folded.count;
        // Problems in row order, whether the CSV or the entry in it was broken.
        let rejected: Vec<Rejected> = folded
            .errors
            .into_iter()
            .map(|e| Rejected {
                at: At::Line(e.line),
                reason: e.reason.to_string(),
                detail: e.detail,
                entries: 1,
            })
            .collect();
        let (label, index) = (self.ctx.label, self.ctx.index);
        let entries: Vec<RawEntry> = folded
            .rows
            .iter()
            .map(|row| RawEntry {
                text: RawText::Json(row.json.as_bytes()),
                source: label,
                input: index,
                line: row.line,
                offset: row.offset,
            })
            .collect();
        self.reduce_all(&entries, rejected, out, reduce);
        Next::Stop
    }

    /// A whole Markdown document: the values of its fenced JSON blocks, each with its line.
    fn whole_markdown<T: Send>(&mut self, out: &mut Outlet<T>, reduce: Reduce<T>) -> Next {
        let buf = std::mem::take(&mut self.buf);
        let mut lines = LineCounter::default();
        let mut found: Vec<(Span, u64)> = Vec::new();
        let mut rejected = Vec::new();
        for block in markdown::json_blocks(&buf) {
            let content = &buf[block.start..block.end];
            let first = skip_ws(content, 0);
            let (spans, end) = match content.get(first) {
                Some(b'[') => split_array(content, first),
                _ => split_concatenated(content, first),
            };
            for span in spans {
                let start = block.start + span.start;
                let span = Span { start, end: block.start + span.end };
                found.push((span, lines.line_at(&buf, start)));
            }
            if let End::Truncated { start } | End::Unexpected { offset: start, .. } = end {
                let line = lines.line_at(&buf, block.start + start);
                rejected.push(Rejected {
                    at: At::Line(line),
                    reason: "invalid JSON".into(),
                    detail: "the fenced JSON block is not JSON from here to its end; the \
                             entries before it in the block were read"
                        .into(),
                    entries: 1,
                });
            }
        }
        self.report.entries = (found.len() + rejected.len()) as u64;
        let (label, index) = (self.ctx.label, self.ctx.index);
        let entries: Vec<RawEntry> = found
            .iter()
            .map(|&(span, line)| RawEntry {
                text: RawText::Json(&buf[span.start..span.end]),
                source: label,
                input: index,
                line,
                offset: self.base.offset + span.start as u64,
            })
            .collect();
        self.reduce_all(&entries, rejected, out, reduce);
        Next::Stop
    }

    /// Reduces a whole input's entries in batches on the pool and hands them on; `rejected`
    /// (what reading itself refused) and what the reduction rejects become problems, in line
    /// order.
    fn reduce_all<T: Send>(
        &mut self,
        entries: &[RawEntry],
        mut rejected: Vec<Rejected>,
        out: &mut Outlet<T>,
        reduce: Reduce<T>,
    ) {
        let batches: Vec<(T, Vec<Rejected>)> = entries
            .par_chunks(BATCH)
            .map(|batch| {
                let mut rejected = Vec::new();
                (reduce(&mut batch.iter().copied(), &mut rejected), rejected)
            })
            .collect();
        let mut reduced = Vec::with_capacity(batches.len());
        for (t, found) in batches {
            rejected.extend(found);
            reduced.push(t);
        }
        rejected.sort_by_key(|r| match r.at {
            At::Line(line) => line,
            At::Byte(_) => 0,
        });
        let mut cursor = Cursor::new(&self.buf, self.base);
        for r in rejected {
            self.problems.push(self.ctx.problem(r, &mut cursor));
        }
        (out.sink)(reduced);
    }

    /// Hands reduced batches on, and their rejected entries as problems.
    fn hand_on<T: Send>(&mut self, batches: Vec<(T, Vec<Rejected>)>, out: &mut Outlet<T>) {
        let mut reduced = Vec::with_capacity(batches.len());
        let mut cursor = Cursor::new(&self.buf, self.base);
        for (t, rejected) in batches {
            for r in rejected {
                self.problems.push(self.ctx.problem(r, &mut cursor));
            }
            reduced.push(t);
        }
        (out.sink)(reduced);
    }

    fn empty(&mut self) -> Next {
        self.problems.push(Problem::whole_input(
            self.ctx.label,
            "empty input",
            "the input holds no entries".into(),
        ));
        Next::Stop
    }
}

/// 1-based line numbers of offsets visited in increasing order, counted once (linear).
#[derive(Default)]
struct LineCounter {
    at: usize,
    lines: u64,
}

impl LineCounter {
    fn line_at(&mut self, buf: &[u8], offset: usize) -> u64 {
        if offset < self.at {
            *self = LineCounter::default();
        }
        self.lines += memchr::memchr_iter(b'\n', &buf[self.at..offset]).count() as u64;
        self.at = offset;
        self.lines + 1
    }
}

/// Lets the reading thread finish when we stop early.
fn drain(chunks: &stream::Chunks) {
    while chunks.chunks.recv().is_ok() {}
}

/// The lines of NDJSON text as spans, blank lines left out.
fn ndjson_spans(bytes: &[u8]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if start > bytes.len() {
            break;
        }
        // A line keeps its indentation: among JSON lines, an indented line of text is part of
        // a stack trace (`  File "x.py", line 3`), which the indentation tells.
        if bytes[start..end].iter().any(|b| !b.is_ascii_whitespace()) {
            spans.push(Span { start, end });
        }
        start = end + 1;
    }
    spans
}
