//! Normalize: turns every raw entry that reading hands on into one [`Record`] type, the same
//! whatever the source.
//!
//! `gcp` maps a Cloud Logging LogEntry, `text` a plain-text line cut by a line format,
//! `severity` and `time` own the two fields every source must agree on, `ansi` removes terminal
//! escape sequences from every text, `infer` recovers a severity from the text where the entry
//! carries none (or only its runtime's INFO), `multiline` decides which records are lines of one
//! event (a stack trace, a pretty-printed JSON object, a cut line, a failed build step, a
//! PostgreSQL message and its `DETAIL:` lines, whose backend `postgres` tells) written one line
//! per entry, `redact` removes secrets before
//! anything downstream sees a message, and `hash` makes the identities of entries and streams.

pub(crate) mod ansi;
mod app_json;
pub mod gcp;
pub(crate) mod hash;
pub(crate) mod infer;
mod lenient;
pub mod multiline;
pub(crate) mod postgres;
pub mod record;
pub mod redact;
mod resource;
pub(crate) mod ruby;
pub(crate) mod rust_panic;
mod scan;
pub mod severity;
pub mod text;
pub mod time;

use crate::read::{At, RawEntry, RawText, Rejected};
pub use record::Record;
use redact::Redactor;
pub use severity::Severity;

/// How raw entries become records: the same for every input of a run.
pub struct Normalizer<'r> {
    pub redactor: &'r Redactor,
    /// Entries whose declared severity is below this are read without their text (they never
    /// reach an issue); `DEFAULT` reads every text.
    pub text_from: Severity,
    /// The line format of plain-text inputs (`None`: a line that begins with a date and time
    /// begins an entry and the lines after it without one continue it, see
    /// [`text::dated_record_of_line`]; in a text without such lines each line is an entry).
    pub line_format: Option<text::LineFormat>,
    /// Fill each record's `entry_ids` (`--assignments`, tools); counting uses `entries`.
    pub entry_ids: bool,
}

impl Default for Normalizer<'static> {
    fn default() -> Self {
        Normalizer {
            redactor: redact::default_redactor(),
            text_from: Severity::Default,
            line_format: None,
            entry_ids: false,
        }
    }
}

impl<'r> Normalizer<'r> {
    /// The records of `raw`, in order; what cannot be read goes into `rejected`. Plain-text lines
    /// that do not match the line format continue the record before them.
    pub fn records<'a, 'i>(
        &'i self,
        raw: &'i mut dyn Iterator<Item = RawEntry<'a>>,
        rejected: &'i mut Vec<Rejected>,
    ) -> impl Iterator<Item = Record<'a>> + 'i
    where
        'a: 'i,
    {
        Records {
            normalizer: self,
            raw,
            rejected,
            pending: None,
            pending_dated: false,
            ready: None,
            tag: None,
        }
    }

    /// A LogEntry's record. An entry with invalid UTF-8 is still read, with the bad bytes
    /// replaced, and noted. (Always inlined into its two callers: called, the record it returns
    /// is copied once more.)
    #[inline(always)]
    fn json<'a>(
        &self,
        raw: &RawEntry<'a>,
        bytes: &'a [u8],
        rejected: &mut Vec<Rejected>,
    ) -> Option<Record<'a>> {
        let at = |inside: usize| match raw.line {
            0 => At::Byte(raw.offset + inside as u64),
            line => At::Line(line),
        };
        let (mut rec, mut notes) = match gcp::parse_entry_from(bytes, self.redactor, self.text_from)
        {
            Ok(parsed) => parsed,
            Err(e) => self.json_otherwise(raw, bytes, e, rejected)?,
        };
        // Cloud Logging's structured-logging line as a program wrote it (`{"severity", "message",
        // "timestamp"}`): a LogEntry by its time and severity, but its message is no LogEntry
        // field. Read as the application's line it is.
        if rec.message.is_empty() && rec.log_name.is_none() && rec.request.is_none() {
            self.read_as_app_line(raw, bytes, &mut rec, &mut notes);
        }
        // Fields of an unexpected type: the entry is read, the note says what was left out.
        for note in notes {
            rejected.push(read_with_note(at(0), note));
        }
        rec.origin = record::Origin { input: raw.input, line: raw.line, offset: raw.offset };
        if self.entry_ids {
            let id = match &rec.insert_id {
                Some(id) => id.to_string(),
                None => raw.fallback_id(),
            };
            rec.entry_ids = vec![id];
        }
        Some(rec)
    }
}

/// An entry read in part (a field left out or converted): no entry lost, the note says what.
fn read_with_note(at: At, note: gcp::FieldNote) -> Rejected {
    Rejected { at, reason: note.reason.into(), detail: note.detail, entries: 0 }
}

impl Normalizer<'_> {
    /// An entry that is not a LogEntry as it stands: an application's own JSON log line, or an
    /// entry with invalid UTF-8 (read with the bad bytes replaced, and noted). `None`, with the
    /// entry rejected for `error`, when it is neither.
    #[cold]
    fn json_otherwise(
        &self,
        raw: &RawEntry,
        bytes: &[u8],
        error: gcp::EntryError,
        rejected: &mut Vec<Rejected>,
    ) -> Option<(Record<'static>, Vec<gcp::FieldNote>)> {
        if error.reason == gcp::NOT_A_LOG_ENTRY {
            if let Some(parsed) = self.app_log(raw, bytes) {
                return Some(parsed);
            }
        }
        let at = |inside: usize| match raw.line {
            0 => At::Byte(raw.offset + inside as u64),
            line => At::Line(line),
        };
        let lost =
            Rejected { at: at(0), reason: error.reason.into(), detail: error.detail, entries: 1 };
        let Err(bad) = std::str::from_utf8(bytes) else {
            rejected.push(lost);
            return None;
        };
        let text = String::from_utf8_lossy(bytes);
        let Ok((rec, notes)) =
            gcp::parse_entry_from(text.as_bytes(), self.redactor, self.text_from)
        else {
            rejected.push(lost);
            return None;
        };
        rejected.push(Rejected {
            at: at(bad.valid_up_to()),
            reason: "invalid UTF-8 (read with U+FFFD in its place)".into(),
            detail: "the entry is in the report; fix the encoding to see the original text".into(),
            entries: 0,
        });
        Some((rec.into_owned(), notes))
    }

    /// Replaces a record by the application line its entry is, where it is one.
    #[cold]
    #[inline(never)]
    fn read_as_app_line<'a>(
        &self,
        raw: &RawEntry,
        bytes: &[u8],
        rec: &mut Record<'a>,
        notes: &mut Vec<gcp::FieldNote>,
    ) {
        if let Some((app, app_notes)) = self.app_log(raw, bytes) {
            (*rec, *notes) = (app, app_notes);
        }
    }

    /// An application's JSON log line after the time its runtime stamped it with (`kubectl
    /// logs --timestamps`): read as [`Self::app_log`], at that time when it states none.
    fn timed_app_log(
        &self,
        raw: &RawEntry,
        object: &str,
        time: Option<time::Timestamp>,
    ) -> Option<(Record<'static>, Vec<gcp::FieldNote>)> {
        let (mut rec, notes) = self.app_log(raw, object.as_bytes())?;
        rec.time = rec.time.or(time);
        rec.origin = record::Origin { input: raw.input, line: raw.line, offset: raw.offset };
        Some((rec, notes))
    }

    /// An application's own JSON log line (zap, pino, logrus, ...; `app_json`), read as the
    /// LogEntry a logging agent would have made of it.
    #[cold]
    fn app_log(
        &self,
        raw: &RawEntry,
        bytes: &[u8],
    ) -> Option<(Record<'static>, Vec<gcp::FieldNote>)> {
        let text = std::str::from_utf8(bytes).ok()?;
        let entry = app_json::as_log_entry(text, &text::label_service(raw.source))?;
        let (rec, notes) =
            gcp::parse_entry_from(entry.as_bytes(), self.redactor, self.text_from).ok()?;
        Some((rec.into_owned(), notes))
    }
}

/// The iterator behind [`Normalizer::records`]: a text record is handed on once the line after
/// it shows it is complete.
struct Records<'a, 'i> {
    normalizer: &'i Normalizer<'i>,
    raw: &'i mut dyn Iterator<Item = RawEntry<'a>>,
    rejected: &'i mut Vec<Rejected>,
    /// The text record being continued.
    pending: Option<Record<'a>>,
    /// Without a line format: the pending record began with a date and time, so the lines
    /// without one after it are its continuation (a stack trace).
    pending_dated: bool,
    /// A JSON entry read while a text record was pending: handed on right after it.
    ready: Option<Record<'a>>,
    /// The tag (`[request-id]`) the pending record's line began with, which its continuation
    /// lines carry too (Rails' tagged logging).
    tag: Option<String>,
}

impl<'a> Records<'a, '_> {
    /// Without a line format: a line with a date and time begins a record, and so does every
    /// line of a text whose records do not begin so (the whole line is the message); a line
    /// without one after a dated record continues it (`None`).
    ///
    /// Text lines among JSON lines (`among_json`: what a program printed beside its JSON log)
    /// are one event from the first to the next JSON line or dated line: a Go panic with its
    /// goroutines, an uncaught exception's traceback.
    fn start_unformatted(
        &mut self,
        raw: &RawEntry<'a>,
        line: &str,
        among_json: bool,
    ) -> Option<Record<'a>> {
        if let Some((rec, tag)) = text::ruby_record_of_line(raw, line, self.normalizer.redactor) {
            self.pending_dated = true;
            self.tag = tag.map(str::to_string);
            return Some(rec);
        }
        let started = self.start_other(raw, line, among_json);
        if started.is_some() {
            self.tag = None;
        }
        started
    }

    /// [`Self::start_unformatted`] for a line that is not Ruby's Logger's.
    fn start_other(
        &mut self,
        raw: &RawEntry<'a>,
        line: &str,
        among_json: bool,
    ) -> Option<Record<'a>> {
        let redactor = self.normalizer.redactor;
        if let Some((time, object)) = text::json_after_time(line) {
            if let Some((rec, notes)) = self.normalizer.timed_app_log(raw, object, time) {
                let at = At::Line(raw.line);
                self.rejected.extend(notes.into_iter().map(|note| read_with_note(at, note)));
                self.pending_dated = true;
                return Some(rec);
            }
        }
        if let Some(rec) = text::dated_record_of_line(raw, line, redactor) {
            self.pending_dated = true;
            return Some(rec);
        }
        // Ruby's report of an exception nothing rescued and Rust's of a panic are the runtime's,
        // never lines of the logger's record before them; their other lines continue them.
        let runtime_report =
            ruby::raise_line(line).is_some() || rust_panic::panic_line(line).is_some();
        if self.pending.is_some() && self.pending_dated && !runtime_report {
            return None;
        }
        static WHOLE_LINE: std::sync::OnceLock<text::LineFormat> = std::sync::OnceLock::new();
        let whole_line = WHOLE_LINE.get_or_init(text::LineFormat::whole_line);
        self.pending_dated = among_json || runtime_report;
        text::record_of_line(raw, line, whole_line, redactor)
    }
}

impl<'a> Iterator for Records<'a, '_> {
    type Item = Record<'a>;

    /// At most one record per raw entry, plus the one being continued: callers size their
    /// vectors by it instead of growing them by doubling copies.
    fn size_hint(&self) -> (usize, Option<usize>) {
        let pending = usize::from(self.pending.is_some());
        (0, self.raw.size_hint().1.map(|n| n + pending))
    }

    fn next(&mut self) -> Option<Record<'a>> {
        let n = self.normalizer;
        loop {
            if let Some(ready) = self.ready.take() {
                return Some(ready);
            }
            let Some(raw) = self.raw.next() else {
                return self.pending.take().map(text::finish_record);
            };
            let (line, among_json) = match raw.text {
                RawText::TextAmongJson(line) => (line, true),
                // The text lines before it are one event, complete now. (Apart from the common
                // case, which returns the record without moving it.)
                RawText::Json(bytes) if self.pending.is_some() => {
                    if let Some(rec) = n.json(&raw, bytes, self.rejected) {
                        self.ready = Some(rec);
                        return self.pending.take().map(text::finish_record);
                    }
                    continue;
                }
                RawText::Json(bytes) => match n.json(&raw, bytes, self.rejected) {
                    Some(rec) => return Some(rec),
                    None => continue,
                },
                RawText::Line(line) => (line, false),
            };
            // Colours go before anything reads the line (format, level, redaction, masking).
            let line = ansi::strip(std::borrow::Cow::Borrowed(line));
            let line = line.as_ref();
            let started = match &n.line_format {
                Some(format) if !among_json => text::record_of_line(&raw, line, format, n.redactor),
                _ => self.start_unformatted(&raw, line, among_json),
            };
            match started {
                Some(mut rec) => {
                    if n.entry_ids {
                        rec.entry_ids = vec![raw.fallback_id()];
                    }
                    if let Some(done) = self.pending.replace(rec) {
                        return Some(text::finish_record(done));
                    }
                }
                None => match &mut self.pending {
                    Some(prev) => {
                        // A line of a Rails backtrace carries its request's tag.
                        let line =
                            self.tag.as_deref().map_or(line, |tag| ruby::untagged(line, tag));
                        text::continue_record(prev, line, n.redactor);
                        if n.entry_ids {
                            prev.entry_ids.push(raw.fallback_id());
                        }
                    }
                    None => self.rejected.push(Rejected {
                        at: At::Line(raw.line),
                        reason: "line does not match --line-format".into(),
                        detail: "no entry before it to continue".into(),
                        entries: 1,
                    }),
                },
            }
        }
    }
}
