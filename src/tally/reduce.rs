//! The parsing threads' half of tallying: a batch of records reduced, as soon as it is parsed, to
//! compact lines: hashes of the duplicate identity, stream and trace, names numbered within the
//! batch, the key of each record in scope with its examples and trace ids. The text is dropped
//! here, except for lines that may belong to a traceback split over entries.

use super::events::{NO_KEY, NO_TIME};
use super::keys::{note_trace, Examples};
use super::names::Interner;
use super::templates::{Fit, Mined, SharedTemplates};
use crate::group::{key_of, Key};
use crate::normalize::multiline;
use crate::normalize::record::Request;
use crate::normalize::time::Timestamp;
use crate::normalize::{Record, Severity};
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;

/// What is taken at all, known before reading, so that batches are reduced to what counts on
/// the parsing threads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    pub(crate) min_severity: Severity,
    /// Services asked for (`--service`); empty for all.
    pub(crate) services: HashSet<String>,
    /// A window known before reading (`--since`/`--until` given as times), else open.
    pub(crate) window: (Option<i64>, Option<i64>),
    /// Keep entry ids (`--assignments`).
    pub(crate) want_ids: bool,
}

/// A batch of records reduced by [`reduce`] to what the collector keeps. Names and keys are
/// numbered within the batch; the collector maps them to its own ids.
pub(crate) struct Batch {
    pub(super) services: Interner,
    pub(super) revisions: Interner,
    pub(super) components: Interner,
    pub(super) projects: Interner,
    pub(super) keys: Vec<BatchKey>,
    pub(super) lines: Vec<Reduced>,
    /// The templates the batch's messages were fitted to, if known when it was reduced.
    pub(super) fit: Fit,
}

/// A key as found in one batch: its examples and trace ids there.
pub(super) struct BatchKey {
    /// The batch's service id the key was found under.
    pub(super) service: u32,
    pub(super) key: Key,
    /// The index of the template (of the batch's `fit`) that its messages fit: `key` is then
    /// that template, and stands for all of them.
    pub(super) template: Option<u32>,
    pub(super) examples: Examples,
    pub(super) traces: Vec<u64>,
}

/// Why a line is not taken (counted after the duplicate check, which only the collector can do).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    Taken,
    ServiceNotSelected,
    OutsideWindow,
}

/// A line as reduced on a parsing thread, with what only the collector's first look needs: the
/// duplicate hash (for entries with an insertId), its fate, and its key in the batch (unless it
/// may join a traceback: then it is keyed once reassembled). Kept apart from [`Line`] so that
/// the lines waiting for reassembly stay small.
pub(super) struct Reduced {
    pub(super) line: Line,
    pub(super) dedup: Option<u128>,
    pub(super) fate: Fate,
    pub(super) joins: bool,
    pub(super) key: u32,
}

/// Reduces parsed records to lines, on the parsing threads: hashes for duplicates, streams and
/// traces, the key of each record in scope with its examples and trace ids per batch, and the
/// text only of lines that may be reassembled.
///
/// Examples and trace ids are gathered before the collector drops duplicates, so a duplicate's
/// text could stand as an example: a duplicate has the same insertId, logName and timestamp, so
/// it is the same entry exported twice, with the same text.
///
/// Over the message budget, messages are fitted here to the templates `templates` has for the
/// batch, when it has them yet: one key per template and batch instead of one per message.
pub(crate) fn reduce<'r>(
    records: impl Iterator<Item = Record<'r>>,
    selection: &Selection,
    templates: &SharedTemplates,
) -> Batch {
    let mut services = Interner::new(false);
    let mut revisions = Interner::new(true);
    let mut components = Interner::new(true);
    let mut projects = Interner::new(true);
    let mut keys: Vec<BatchKey> = Vec::new();
    // The batch's keys by (service, key): ids into `keys`, which holds the one copy of each key.
    let mut key_ids: hashbrown::HashTable<u32> = hashbrown::HashTable::new();
    let mut lines = Vec::with_capacity(records.size_hint().1.unwrap_or(0));
    let (since, until) = selection.window;
    let mut candidates = multiline::Candidates::default();
    let mut known = KnownMessages::default();
    // Decided at the batch's first record, by its position.
    let mut fit: Option<Fit> = None;
    let mut template_ids = rustc_hash::FxHashMap::default();
    lines.extend(records.map(|rec| {
        let fit = fit.get_or_insert_with(|| templates.fit_for(rec.origin.position()));
        let stream = multiline::stream_hash(&rec);
        let part = multiline::Part::of(&rec);
        let joins = candidates.may_join(&rec, stream, part);
        let service = services.id(&rec.service);
        let time = rec.time_nanos();
        let fate = if !selection.services.is_empty()
            && !selection.services.contains(rec.service.as_ref())
        {
            Fate::ServiceNotSelected
        } else if time.is_some_and(|t| since.is_some_and(|s| t < s) || until.is_some_and(|u| t > u))
        {
            Fate::OutsideWindow
        } else {
            Fate::Taken
        };
        let trace =
            rec.trace.as_deref().map_or(0, |t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()) | 1);
        let mut key = NO_KEY;
        if fate == Fate::Taken && !joins && rec.severity >= selection.min_severity {
            key = match known.get(service, &rec) {
                Some(id) => id,
                None => {
                    let found = key_of(&rec);
                    let id = match (fitted(fit), &found) {
                        (Some(mined), Key::Message(text)) => match mined.matcher.find_index(text) {
                            Some(index) => {
                                let at = (service, index);
                                *template_ids.entry(at).or_insert_with(|| {
                                    template_key(&mut keys, service, mined, index)
                                })
                            }
                            None => batch_key_id(&mut key_ids, &mut keys, service, found),
                        },
                        _ => batch_key_id(&mut key_ids, &mut keys, service, found),
                    };
                    known.remember(service, &rec, id);
                    id
                }
            };
            let this = &mut keys[key as usize];
            this.examples.offer(time.unwrap_or(NO_TIME), &rec.message);
            note_trace(&mut this.traces, trace);
        }
        let dedup =
            rec.insert_id.as_deref().map(|id| dedup_hash(id, rec.log_name.as_deref(), time));
        let line = Line {
            stream,
            time: rec.time,
            part,
            writer: writer_hash(&rec),
            severity: rec.severity,
            inferred: rec.severity_inferred,
            service,
            revision: revisions.opt(rec.revision.as_deref()),
            component: components.opt(rec.component.as_deref()),
            project: projects.opt(rec.project.as_deref()),
            trace,
            entries: rec.entries,
            ids: if selection.want_ids { rec.entry_ids } else { Vec::new() },
            input: rec.origin.input,
            offset: rec.origin.position().1,
            request: rec.request,
            message: if joins && fate == Fate::Taken {
                rec.message.into_owned()
            } else {
                String::new()
            },
        };
        Reduced { line, dedup, fate, joins, key }
    }));
    let fit = fit.unwrap_or_default();
    Batch { services, revisions, components, projects, keys, lines, fit }
}

/// The templates a batch's messages were fitted to, if there are any.
fn fitted(fit: &Fit) -> Option<&Mined> {
    match fit {
        Fit::Fitted(Some(mined)) => Some(mined),
        _ => None,
    }
}

/// A new key of the batch standing for the messages of `service` that fit `mined`'s template at
/// `index`.
fn template_key(keys: &mut Vec<BatchKey>, service: u32, mined: &Mined, index: u32) -> u32 {
    keys.push(BatchKey {
        service,
        key: Key::Message(mined.matcher.template(index).to_string()),
        template: Some(index),
        examples: Examples::default(),
        traces: Vec::new(),
    });
    keys.len() as u32 - 1
}

/// The id of (`service`, `found`) among the batch's `keys`, added if new (without a copy).
fn batch_key_id(
    key_ids: &mut hashbrown::HashTable<u32>,
    keys: &mut Vec<BatchKey>,
    service: u32,
    found: Key,
) -> u32 {
    let hash = |service: u32, key: &Key| super::fx_hash(&(service, key));
    let h = hash(service, &found);
    let same = |&id: &u32| {
        let k = &keys[id as usize];
        k.service == service && k.key == found
    };
    if let Some(&id) = key_ids.find(h, same) {
        return id;
    }
    let id = keys.len() as u32;
    let (examples, traces) = (Examples::default(), Vec::new());
    keys.push(BatchKey { service, key: found, template: None, examples, traces });
    key_ids.insert_unique(h, id, |&id| hash(keys[id as usize].service, &keys[id as usize].key));
    id
}

/// The batch's key of each message seen in it, by service and text: one message often repeats
/// many times in a batch, and keying it (masking, hashing the key) was a tenth of the reading.
/// Only records keyed by their message alone (no request, no audit call) are remembered.
/// Messages borrowed from the input are remembered without a copy.
#[derive(Default)]
struct KnownMessages<'a> {
    /// (service, message, batch key id), found by the hash of the first two.
    table: hashbrown::HashTable<(u32, Cow<'a, str>, u32)>,
}

impl<'a> KnownMessages<'a> {
    fn hash(service: u32, message: &str) -> u64 {
        super::fx_hash(&(service, message))
    }

    fn keyed_by_message(rec: &Record) -> bool {
        rec.request.is_none() && rec.audit.is_none()
    }

    fn get(&self, service: u32, rec: &Record) -> Option<u32> {
        if !Self::keyed_by_message(rec) {
            return None;
        }
        let message: &str = &rec.message;
        let hash = Self::hash(service, message);
        self.table.find(hash, |(s, m, _)| *s == service && &**m == message).map(|&(_, _, id)| id)
    }

    fn remember(&mut self, service: u32, rec: &Record<'a>, id: u32) {
        if Self::keyed_by_message(rec) {
            let hash = Self::hash(service, &rec.message);
            let message = match &rec.message {
                Cow::Borrowed(text) => Cow::Borrowed(*text),
                Cow::Owned(text) => Cow::Owned(text.clone()),
            };
            let entry = (service, message, id);
            self.table.insert_unique(hash, entry, |(s, m, _)| Self::hash(*s, m));
        }
    }
}

/// A record reduced to what the collector needs: interned names, hashes, the message (only
/// where an example or a reassembly may need it).
#[derive(Default)]
pub(super) struct Line {
    pub(super) stream: u64,
    pub(super) time: Option<Timestamp>,
    pub(super) part: multiline::Part,
    /// Who wrote the line, for entries that are one event ([`super::same_event`]): a hash of the
    /// instance, or of an audit log's operation id (high bit set); 0 for neither.
    pub(super) writer: u64,
    pub(super) severity: Severity,
    pub(super) inferred: bool,
    pub(super) service: u32,
    pub(super) revision: u32,
    pub(super) component: u32,
    pub(super) project: u32,
    pub(super) trace: u64,
    pub(super) entries: u32,
    /// Entry ids, only when `--assignments` asked for them.
    pub(super) ids: Vec<String>,
    pub(super) input: u32,
    pub(super) offset: u64,
    pub(super) request: Option<Request>,
    pub(super) message: String,
}

/// The instance that wrote a record (service, revision and instance id), or the operation an
/// audit log belongs to: what [`super::same_event`] compares. 0 when there is neither.
fn writer_hash(rec: &Record) -> u64 {
    use crate::normalize::hash::joined64;
    if let Some(op) = rec.operation.as_deref() {
        return joined64(&[rec.service.as_bytes(), op.as_bytes()]) | (1 << 63);
    }
    let Some(instance) = rec.instance.as_deref() else { return 0 };
    let revision = rec.revision.as_deref().unwrap_or("");
    (joined64(&[rec.service.as_bytes(), revision.as_bytes(), instance.as_bytes()]) & !(1 << 63))
        .max(1)
}

/// Duplicates are the same insertId, logName and timestamp. [`Seen`] keeps 96 bits of this hash,
/// which makes a false match (and so a wrongly dropped entry) practically impossible.
fn dedup_hash(insert_id: &str, log_name: Option<&str>, time: Option<i64>) -> u128 {
    let time = time.unwrap_or(NO_TIME).to_le_bytes();
    crate::normalize::hash::joined128(&[
        insert_id.as_bytes(),
        log_name.unwrap_or("").as_bytes(),
        &time,
    ])
}
