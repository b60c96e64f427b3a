//! Read: turns the inputs named on the command line (files, folders read recursively, `-` for
//! standard input) into normalized records, chunk by chunk, parsed in parallel, detecting
//! compression and format from the content. Nothing is dropped silently: every entry that cannot
//! be read becomes a [`Problem`] naming the input, the position and the reason.
//!
//! `source` names the inputs, `stream` opens, decompresses and chunks them on a thread of its
//! own, `detect` names the format, `json_split` cuts JSON into entries, `text` reads plain-text
//! lines, `csv_export` the Logs Explorer's CSV, `progress` counts for a progress bar.

pub mod csv_export;
pub mod detect;
pub mod json_split;
pub mod progress;
pub mod source;
pub mod stream;
pub mod text;

use crate::normalize::gcp::{parse_entry_from, EntryError};
use crate::normalize::record::{Origin, Record};
use crate::normalize::redact::Redactor;
use crate::normalize::Severity;
use detect::{detect, Format};
use json_split::{End, Span};
use rayon::prelude::*;
pub use source::Source;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use text::LineFormat;

/// `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect from the content: Cloud Logging JSON in any of its shapes, else plain text lines.
    #[default]
    Auto,
    /// Cloud Logging JSON only (a JSON array, NDJSON or concatenated objects).
    Gcp,
    /// Plain-text lines, cut into fields by --line-format.
    Text,
}

#[derive(Default)]
pub struct ReadOptions {
    pub input_format: InputFormat,
    pub line_format: Option<LineFormat>,
    /// Entries whose declared severity is below this are read without their text (they never
    /// reach an issue); `DEFAULT` reads every text.
    pub text_from: Severity,
    /// Advanced as bytes and entries are read, for a progress bar.
    pub progress: Option<std::sync::Arc<progress::Progress>>,
    /// Fill each record's `entry_ids` (otherwise only `entries` counts them).
    pub entry_ids: bool,
}

/// What the caller makes of a batch of records, run in parallel as they are parsed, while they
/// may still borrow from the chunk: the report reduces them to a few ids and hashes, tools keep
/// them ([`Record::into_owned`]).
pub type Reduce<'f, T> = &'f (dyn for<'a> Fn(&mut dyn Iterator<Item = Record<'a>>) -> T + Sync);

/// Records parsed and reduced per batch of this many entries (the unit of parallel work).
const BATCH: usize = 512;

/// What one input gave (also the report model's `inputs`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct InputReport {
    /// The input as named on the command line (or found in a folder); `-` for stdin.
    #[serde(rename = "path")]
    pub label: String,
    pub format: String,
    pub gzip: bool,
    /// Bytes as stored (before decompression).
    pub bytes: u64,
    /// Entries found in it, readable or not.
    pub entries: u64,
    /// Entries that could not be read.
    pub skipped: u64,
    /// Set when the input as a whole could not be read.
    pub error: Option<String>,
}

/// An entry (or a whole input) that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub input: String,
    /// "line 12", "byte 4096 (line 80)", or "" for the input as a whole.
    pub position: String,
    /// Short reason used to count skipped entries.
    pub reason: String,
    pub detail: String,
    /// Entries lost with it (0 for an input that could not be opened: nothing was read).
    pub entries: u64,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position.as_str() {
            "" => write!(f, "{}: {}: {}", self.input, self.reason, self.detail),
            pos => write!(f, "{}:{}: {}: {}", self.input, pos, self.reason, self.detail),
        }
    }
}

pub struct ReadResult {
    pub records: Vec<Record<'static>>,
    pub inputs: Vec<InputReport>,
    pub problems: Vec<Problem>,
}

/// Expands folders into the files under them (sorted, so runs are reproducible). Paths that
/// cannot be listed become problems.
pub fn discover(inputs: &[PathBuf]) -> (Vec<Source>, Vec<Problem>) {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            sources.push(Source::Stdin);
        } else if input.is_dir() {
            walk(input, &mut sources, &mut problems);
        } else {
            sources.push(Source::File(input.clone()));
        }
    }
    (sources, problems)
}

fn walk(dir: &Path, sources: &mut Vec<Source>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(whole_input_problem(
                &dir.display().to_string(),
                "folder could not be listed",
                e.to_string(),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, sources, problems);
        } else {
            sources.push(Source::File(path));
        }
    }
}

fn whole_input_problem(input: &str, reason: &str, detail: String) -> Problem {
    Problem {
        input: input.to_string(),
        position: String::new(),
        reason: reason.to_string(),
        detail,
        entries: 0,
    }
}

/// Reads every source, keeping all records (tests and tools; the report streams instead).
pub fn read_all(sources: &[Source], options: &ReadOptions, redactor: &Redactor) -> ReadResult {
    let mut result = ReadResult { records: Vec::new(), inputs: Vec::new(), problems: Vec::new() };
    for (i, s) in sources.iter().enumerate() {
        let keep: Reduce<Vec<Record<'static>>> =
            &|records| records.map(Record::into_owned).collect();
        let (report, problems) =
            read_source(s, i as u32, options, redactor, keep, &mut |batches| {
                result.records.extend(batches.into_iter().flatten())
            });
        result.inputs.push(report);
        result.problems.extend(problems);
    }
    result
}

/// Where a buffer sits in its input, for positions in messages.
#[derive(Clone, Copy, Default)]
struct Base {
    offset: u64,
    /// Newlines before the buffer.
    lines: u64,
}

impl Base {
    fn position(&self, buf: &[u8], off: usize) -> String {
        let off = off.min(buf.len());
        let line = self.lines + memchr::memchr_iter(b'\n', &buf[..off]).count() as u64 + 1;
        format!("line {line}, byte {}", self.offset + off as u64)
    }

    /// Moves past the first `n` bytes of `buf`.
    fn advance(&mut self, buf: &[u8], n: usize) {
        self.lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        self.offset += n as u64;
    }
}

/// Reads one source in chunks: the records of each batch are handed to `reduce` as soon as they
/// are parsed (in parallel), and each chunk's reduced batches, in input order, to `sink`.
/// Returns what the input gave and its problems.
pub fn read_source<T: Send>(
    source: &Source,
    index: u32,
    options: &ReadOptions,
    redactor: &Redactor,
    reduce: Reduce<T>,
    sink: &mut dyn FnMut(Vec<T>),
) -> (InputReport, Vec<Problem>) {
    let label = source.label();
    let mut report = InputReport { label: label.clone(), ..InputReport::default() };
    let mut problems = Vec::new();
    let chunks = match stream::start(source, options.progress.clone()) {
        Ok(c) => c,
        Err(e) => {
            let detail = e.to_string();
            report.error = Some(detail.clone());
            return (report, vec![whole_input_problem(&label, "could not be read", detail)]);
        }
    };
    report.gzip = chunks.gzip;
    let ctx = Ctx {
        label: &label,
        index,
        redactor,
        progress: options.progress.as_deref(),
        text_from: options.text_from,
        entry_ids: options.entry_ids,
    };

    let mut buf: Vec<u8> = Vec::new();
    let mut base = Base::default();
    let mut format: Option<Format> = None;
    let mut splitter = Splitter::default();
    let mut eof = false;
    let mut gzip_error = None;
    let mut first = true;
    let mut skip = 0usize;
    // Chunks are parsed on the pool while this thread reads and splits the next ones; their
    // results are handed on in input order.
    let mut flight = InFlight { pending: VecDeque::new(), limit: rayon::current_num_threads() + 1 };
    rayon::in_place_scope(|scope| {
        while !eof {
            match chunks.chunks.recv() {
                Ok(stream::Piece::Chunk(chunk)) => {
                    if first && chunk.starts_with(b"\xEF\xBB\xBF") {
                        buf.extend_from_slice(&chunk[3..]);
                        base.offset = 3;
                    } else if buf.is_empty() {
                        // No copy when nothing is carried over; the old buffer goes back for reuse.
                        chunks.recycle(std::mem::replace(&mut buf, chunk));
                    } else if let (Some(Format::Ndjson), Some(nl)) =
                        (format, memchr::memchr(b'\n', &chunk))
                    {
                        // Finish the carried line with the head of the chunk, then take the chunk as
                        // it is instead of copying it behind the carry (a profile showed the copy).
                        buf.extend_from_slice(&chunk[..=nl]);
                        let spans = ndjson_spans(&buf);
                        report.entries += spans.len() as u64;
                        let at = base;
                        base.advance(&buf, buf.len());
                        let carried = std::mem::replace(&mut buf, chunk);
                        flight.launch(scope, carried, 0, spans, at, &ctx, reduce);
                        flight.deliver(sink, &mut problems, &chunks);
                        skip = nl + 1;
                    } else {
                        buf.extend_from_slice(&chunk);
                        chunks.recycle(chunk);
                    }
                    first = false;
                }
                Ok(stream::Piece::GzipError(e)) => {
                    gzip_error = Some(e);
                    eof = true;
                }
                Err(_) => eof = true,
            }
            // Decide the format once there is enough to look at (or everything there is).
            if format.is_none() {
                if !eof && buf.len() < 64 * 1024 {
                    continue;
                }
                let detected = match options.input_format {
                    InputFormat::Text => Ok(Format::Text),
                    InputFormat::Auto => detect(&buf, true),
                    InputFormat::Gcp => detect(&buf, false),
                };
                match detected {
                    Ok(Format::Empty) if !eof => continue,
                    Ok(f) => {
                        format = Some(f);
                        report.format = f.name().to_string();
                    }
                    Err(unreadable) => {
                        report.format = "unreadable".into();
                        report.error = Some(unreadable.message.clone());
                        problems.push(Problem {
                            input: label.clone(),
                            position: base.position(&buf, unreadable.offset),
                            reason: "not a log export".into(),
                            detail: unreadable.message,
                            entries: 0,
                        });
                        drain(&chunks);
                        break;
                    }
                }
            }
            match format {
                // Whole-input formats: small in practice; read to the end first.
                Some(Format::Text) | Some(Format::Csv) | Some(Format::Empty) if !eof => continue,
                Some(Format::Ndjson) => {
                    // `buf[..skip]` was taken already (the head of a chunk that finished a line).
                    let data = &buf[skip..];
                    let end = if eof {
                        data.len()
                    } else {
                        match memchr::memrchr(b'\n', data) {
                            Some(nl) => nl + 1,
                            None => {
                                buf.drain(..skip);
                                skip = 0;
                                continue;
                            }
                        }
                    };
                    let spans = ndjson_spans(&data[..end]);
                    report.entries += spans.len() as u64;
                    let at = base;
                    base.advance(data, end);
                    // The parse takes the buffer; only the unfinished last line stays.
                    let rest = buf[skip + end..].to_vec();
                    let whole = std::mem::replace(&mut buf, rest);
                    flight.launch(scope, whole, skip, spans, at, &ctx, reduce);
                    flight.deliver(sink, &mut problems, &chunks);
                    skip = 0;
                }
                Some(Format::JsonArray) | Some(Format::ConcatenatedJson) => {
                    let array = format == Some(Format::JsonArray);
                    let (spans, resume) = splitter.split(&buf, array, eof);
                    report.entries += spans.len() as u64;
                    if let Some(stop) = splitter.stop.take() {
                        let mut last = Vec::new();
                        json_stop_problem(stop, &buf, base, &ctx, &mut report, &mut last);
                        let whole = std::mem::take(&mut buf);
                        flight.launch(scope, whole, 0, spans, base, &ctx, reduce);
                        flight.finish(sink, &mut problems, &chunks);
                        problems.extend(last);
                        drain(&chunks);
                        break;
                    }
                    let at = base;
                    base.advance(&buf, resume);
                    let rest = buf[resume..].to_vec();
                    let whole = std::mem::replace(&mut buf, rest);
                    flight.launch(scope, whole, 0, spans, at, &ctx, reduce);
                    flight.deliver(sink, &mut problems, &chunks);
                }
                Some(Format::Text) => {
                    let fallback;
                    let line_format = match &options.line_format {
                        Some(f) => f,
                        None => {
                            fallback = LineFormat::whole_line();
                            &fallback
                        }
                    };
                    let out = text::read_text(&buf, &label, index, line_format, redactor);
                    report.entries = out.lines;
                    for line in &out.unmatched {
                        problems.push(Problem {
                            input: label.clone(),
                            position: format!("line {line}"),
                            reason: "line does not match --line-format".into(),
                            detail: "no entry before it to continue".into(),
                            entries: 1,
                        });
                    }
                    sink(reduce_owned(out.records, reduce));
                }
                Some(Format::Csv) => {
                    let out = csv_export::read_csv(&buf, &label, index, redactor);
                    report.entries = out.rows;
                    for e in out.errors {
                        problems.push(Problem {
                            input: label.clone(),
                            position: format!("line {}", e.line),
                            reason: e.reason.to_string(),
                            detail: e.detail,
                            entries: 1,
                        });
                    }
                    sink(reduce_owned(out.records, reduce));
                }
                Some(Format::Empty) => problems.push(whole_input_problem(
                    &label,
                    "empty input",
                    "the input holds no entries".into(),
                )),
                None => {}
            }
        }
        flight.finish(sink, &mut problems, &chunks);
    });
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
        let line = &bytes[start..end];
        let first = start + line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if first < end {
            spans.push(Span { start: first, end });
        }
        start = end + 1;
    }
    spans
}

/// Resumable splitting of a JSON array or concatenated objects across chunks.
#[derive(Default)]
struct Splitter {
    /// The array's `[` has been passed.
    opened: bool,
    /// Complete entries so far (for messages).
    entries: u64,
    /// Set when splitting must stop (the end, or a problem).
    stop: Option<End>,
}

impl Splitter {
    /// Complete values in `buf`, and where to resume (the start of an incomplete value).
    fn split(&mut self, buf: &[u8], array: bool, eof: bool) -> (Vec<Span>, usize) {
        let mut spans = Vec::new();
        let mut i = 0;
        if array && !self.opened {
            i = json_split::skip_ws(buf, 0);
            if buf.get(i) == Some(&b'[') {
                self.opened = true;
                i += 1;
            }
        }
        loop {
            i = json_split::skip_ws(buf, i);
            match buf.get(i) {
                None => {
                    if eof {
                        self.stop = Some(if array { End::UnclosedArray } else { End::Clean });
                    }
                    return (spans, i);
                }
                Some(b',') => i += 1,
                Some(b']') if array => {
                    let rest = json_split::skip_ws(buf, i + 1);
                    self.stop = Some(match buf.get(rest) {
                        None => End::Clean,
                        Some(&byte) => End::Unexpected { offset: rest, byte },
                    });
                    return (spans, rest);
                }
                Some(&b) if !array && b != b'{' && b != b'[' => {
                    self.stop = Some(End::Unexpected { offset: i, byte: b });
                    return (spans, i);
                }
                Some(b'}') => {
                    self.stop = Some(End::Unexpected { offset: i, byte: b'}' });
                    return (spans, i);
                }
                Some(&first) => match json_split::value_end(buf, i) {
                    // A scalar that runs to the end of the buffer may continue in the next chunk.
                    Some(end) if end == buf.len() && !matches!(first, b'{' | b'[' | b'"') => {
                        if eof {
                            self.stop = Some(End::Truncated { start: i });
                        }
                        return (spans, i);
                    }
                    Some(end) => {
                        spans.push(Span { start: i, end });
                        self.entries += 1;
                        i = end;
                    }
                    None => {
                        if eof {
                            self.stop = Some(End::Truncated { start: i });
                        }
                        return (spans, i);
                    }
                },
            }
        }
    }
}

fn json_stop_problem(
    stop: End,
    buf: &[u8],
    base: Base,
    ctx: &Ctx,
    report: &mut InputReport,
    problems: &mut Vec<Problem>,
) {
    let label = ctx.label.to_string();
    match stop {
        End::Clean => {}
        End::UnclosedArray => problems.push(Problem {
            input: label,
            position: base.position(buf, buf.len()),
            reason: "array not closed".into(),
            detail: "the JSON array has no closing `]`; every complete entry was read".into(),
            entries: 0,
        }),
        End::Truncated { start } => {
            report.entries += 1;
            problems.push(Problem {
                input: label,
                position: base.position(buf, start),
                reason: "export cut off".into(),
                detail: format!(
                    "the input ends inside the entry that starts here ({} bytes of it); the {} complete entries before it were read",
                    buf.len() - start,
                    report.entries - 1
                ),
                entries: 1,
            });
        }
        End::Unexpected { offset, byte } => {
            // What follows is not JSON we can split; count it as one lost entry.
            report.entries += 1;
            problems.push(Problem {
                input: label,
                position: base.position(buf, offset),
                reason: "invalid JSON".into(),
                detail: format!(
                    "unexpected {:?} between entries; reading of this input stopped here",
                    byte as char
                ),
                entries: 1,
            });
        }
    }
}

/// What every parse of one input shares.
struct Ctx<'a> {
    label: &'a str,
    index: u32,
    redactor: &'a Redactor,
    progress: Option<&'a progress::Progress>,
    text_from: Severity,
    entry_ids: bool,
}

/// An entry that could not be read (`Err`), or was read only after repairing its UTF-8 (`Ok`).
type Odd = (Span, Result<(), EntryError>);

/// Parses entry slices of `buf` and reduces them, batch by batch in parallel, keeping their
/// order.
fn parse_spans<T: Send>(
    buf: &[u8],
    spans: &[Span],
    ctx: &Ctx,
    base: Base,
    reduce: Reduce<T>,
) -> (Vec<T>, Vec<Problem>) {
    let mut problems = Vec::new();
    if let Some(p) = &ctx.progress {
        p.add_entries(spans.len() as u64);
    }
    let redactor = ctx.redactor;
    let parsed: Vec<(T, Vec<Odd>)> = spans
        .par_chunks(BATCH)
        .map(|batch| {
            // Entries that could not be read, or were read only after repairing their UTF-8.
            let mut odd = Vec::new();
            let mut records = batch.iter().filter_map(|span| {
                let slice = &buf[span.start..span.end];
                let mut rec = match parse_entry_from(slice, redactor, ctx.text_from) {
                    Ok(rec) => rec,
                    // An entry with invalid UTF-8 is still read, with the bad bytes replaced,
                    // and noted.
                    Err(e) => match std::str::from_utf8(slice) {
                        Ok(_) => {
                            odd.push((*span, Err(e)));
                            return None;
                        }
                        Err(_) => {
                            let text = String::from_utf8_lossy(slice);
                            match parse_entry_from(text.as_bytes(), redactor, ctx.text_from) {
                                Ok(rec) => {
                                    odd.push((*span, Ok(())));
                                    rec.into_owned()
                                }
                                Err(_) => {
                                    odd.push((*span, Err(e)));
                                    return None;
                                }
                            }
                        }
                    },
                };
                let offset = base.offset + span.start as u64;
                rec.origin = Origin { input: ctx.index, line: 0, offset };
                if ctx.entry_ids {
                    let id = match &rec.insert_id {
                        Some(id) => id.to_string(),
                        None => format!("{}@{offset}", ctx.label),
                    };
                    rec.entry_ids = vec![id];
                }
                Some(rec)
            });
            let reduced = reduce(&mut records);
            drop(records);
            (reduced, odd)
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for (reduced, odd) in parsed {
        for (span, result) in odd {
            problems.push(match result {
                Ok(()) => {
                    let bad = std::str::from_utf8(&buf[span.start..span.end])
                        .err()
                        .map_or(0, |e| span.start + e.valid_up_to());
                    Problem {
                        input: ctx.label.to_string(),
                        position: base.position(buf, bad),
                        reason: "invalid UTF-8 (read with U+FFFD in its place)".into(),
                        detail: "the entry is in the report; fix the encoding to see the original \
                                 text"
                            .into(),
                        entries: 0,
                    }
                }
                Err(e) => Problem {
                    input: ctx.label.to_string(),
                    position: base.position(buf, span.start),
                    reason: e.reason.to_string(),
                    detail: e.detail,
                    entries: 1,
                },
            });
        }
        out.push(reduced);
    }
    (out, problems)
}

/// A chunk's parse: its reduced batches, its problems, and its buffer to recycle.
type Parsed<T> = (Vec<T>, Vec<Problem>, Vec<u8>);

/// Chunks being parsed on the pool, oldest first. The reading thread launches each chunk and goes
/// on to the next instead of waiting: a wait for every chunk left a core idle while the chunk's
/// last batch finished and while the next chunk was read and split.
struct InFlight<T> {
    pending: VecDeque<std::sync::mpsc::Receiver<Parsed<T>>>,
    /// Chunks in flight before the reader waits for the oldest (bounds memory).
    limit: usize,
}

impl<T: Send> InFlight<T> {
    /// Parses `buffer[start..]`'s `spans` on the pool.
    #[allow(clippy::too_many_arguments)]
    fn launch<'s>(
        &mut self,
        scope: &rayon::Scope<'s>,
        buffer: Vec<u8>,
        start: usize,
        spans: Vec<Span>,
        base: Base,
        ctx: &'s Ctx<'s>,
        reduce: Reduce<'s, T>,
    ) where
        T: 's,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move |_| {
            let (reduced, problems) = parse_spans(&buffer[start..], &spans, ctx, base, reduce);
            // The receiver lives until the result is taken.
            let _ = tx.send((reduced, problems, buffer));
        });
        self.pending.push_back(rx);
    }

    /// Hands on the finished chunks at the front, in order; waits for the oldest while too many
    /// are in flight.
    fn deliver(
        &mut self,
        sink: &mut dyn FnMut(Vec<T>),
        problems: &mut Vec<Problem>,
        chunks: &stream::Chunks,
    ) {
        self.take(self.limit, sink, problems, chunks);
    }

    /// Waits for every chunk in flight and hands them on.
    fn finish(
        &mut self,
        sink: &mut dyn FnMut(Vec<T>),
        problems: &mut Vec<Problem>,
        chunks: &stream::Chunks,
    ) {
        self.take(0, sink, problems, chunks);
    }

    fn take(
        &mut self,
        keep: usize,
        sink: &mut dyn FnMut(Vec<T>),
        problems: &mut Vec<Problem>,
        chunks: &stream::Chunks,
    ) {
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
                problems.extend(found);
                sink(reduced);
                chunks.recycle(buffer);
            }
        }
    }
}

/// Reduces records read whole (text, CSV) in batches, in parallel.
fn reduce_owned<T: Send>(records: Vec<Record<'static>>, reduce: Reduce<T>) -> Vec<T> {
    let mut batches = Vec::new();
    let mut rest = records.into_iter();
    loop {
        let batch: Vec<Record<'static>> = rest.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        batches.push(batch);
    }
    batches.into_par_iter().map(|batch| reduce(&mut batch.into_iter())).collect()
}

/// "line L, byte B" for an offset, counting lines only when a message needs one.
pub fn position(bytes: &[u8], offset: usize) -> String {
    let offset = offset.min(bytes.len());
    let line = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
    format!("line {line}, byte {offset}")
}
