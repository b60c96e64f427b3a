//! Maps one Cloud Logging `LogEntry` (as `gcloud logging read --format=json`, a Cloud Storage
//! sink, or the Logs Explorer writes it) to a [`Record`].
//!
//! Only the fields the report uses are deserialized, as borrowed text where the JSON allows;
//! fields whose type varies between writers (payload values, severity) are taken as raw JSON and
//! interpreted here, so an odd value never makes a whole entry unreadable.

use super::lenient;
use super::record::{clip_message, Audit, Record, Request};
use super::redact::Redactor;
use super::resource::{self, object, EntryLabels, Resource, ResourceLabels};
use super::scan;
use super::severity::Severity;
use super::time::Timestamp;
use super::{ansi, infer, multiline, postgres};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct LogEntry<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "receive_timestamp")]
    receive_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    severity: Option<&'a RawValue>,
    #[serde(borrow, deserialize_with = "object")]
    resource: Option<Resource<'a>>,
    #[serde(borrow, deserialize_with = "object")]
    labels: Option<EntryLabels<'a>>,
    #[serde(borrow, alias = "json_payload")]
    json_payload: Option<&'a RawValue>,
    #[serde(borrow, alias = "text_payload")]
    text_payload: Option<&'a RawValue>,
    #[serde(borrow, alias = "proto_payload")]
    proto_payload: Option<ProtoPayload<'a>>,
    #[serde(borrow, alias = "http_request", deserialize_with = "object")]
    http_request: Option<HttpRequest<'a>>,
    #[serde(borrow, alias = "insert_id")]
    insert_id: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "log_name")]
    log_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    trace: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "source_location", deserialize_with = "object")]
    source_location: Option<SourceLocation<'a>>,
    #[serde(borrow)]
    operation: Option<Operation<'a>>,
    #[serde(deserialize_with = "object")]
    split: Option<LogSplit>,
}

/// `split`: one of the entries a too-long LogEntry was split into (client libraries split
/// payloads over Cloud Logging's size limit; the parts share `uid`, in `index` order).
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct LogSplit {
    index: Option<i64>,
    total_splits: Option<i64>,
}

impl LogSplit {
    /// Whether a later part holds the rest of this one's text.
    fn continues(&self) -> bool {
        // The first part's index, 0, is left out of the JSON (proto3 writes no defaults).
        self.total_splits.is_some_and(|n| self.index.unwrap_or(0) + 1 < n)
    }
}

/// The fields of a `protoPayload` that say what was done: an audit log's (`AuditLog`: service,
/// method, status, resource, caller) and the same names in other payload types.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct ProtoPayload<'a> {
    /// An RPC status object; App Engine's RequestLog puts the HTTP status number here, which
    /// `httpRequest` carries too (not an unexpected type, so no note).
    #[serde(borrow, deserialize_with = "rpc_status")]
    status: Option<ProtoStatus<'a>>,
    /// App Engine's RequestLog: the request's method and path (with its query).
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource: Option<Cow<'a, str>>,
    /// App Engine's RequestLog: the app's own log lines during the request.
    #[serde(borrow)]
    line: Option<Vec<AppLine<'a>>>,
    #[serde(borrow)]
    method_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    authentication_info: Option<AuthenticationInfo<'a>>,
}

/// One app log line of an App Engine RequestLog.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct AppLine<'a> {
    #[serde(borrow)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow)]
    log_message: Option<Cow<'a, str>>,
}

/// `protoPayload.status` as an RPC status object; a number (RequestLog's HTTP status) or null
/// is no RPC status.
fn rpc_status<'de, D>(deserializer: D) -> Result<Option<ProtoStatus<'de>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct StatusOrNumber;
    impl<'de> serde::de::Visitor<'de> for StatusOrNumber {
        type Value = Option<ProtoStatus<'de>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RPC status object or an HTTP status number")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let map = serde::de::value::MapAccessDeserializer::new(map);
            ProtoStatus::deserialize(map).map(Some)
        }
    }
    deserializer.deserialize_any(StatusOrNumber)
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct ProtoStatus<'a> {
    code: Option<i64>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct AuthenticationInfo<'a> {
    #[serde(borrow)]
    principal_email: Option<Cow<'a, str>>,
}

/// A LogEntry's `operation`: the entries of one long-running operation share its id.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct Operation<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
struct HttpRequest<'a> {
    #[serde(borrow, alias = "request_method")]
    request_method: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "request_url")]
    request_url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<RawJson<'a>>,
}

impl<'a> HttpRequest<'a> {
    /// `httpRequest` read by the scanner (serde's derived reader was 6% of reading request
    /// logs); what serde refuses (a field named twice, a method that is not a string) gives up,
    /// and the entry is read by serde.
    fn scan(raw: &'a str) -> Result<Option<HttpRequest<'a>>, scan::GiveUp> {
        match raw.as_bytes()[0] {
            b'{' => {}
            b'n' => return Ok(None),
            _ => return Err(scan::GiveUp),
        }
        let names: [&[&str]; 3] =
            [&["requestMethod", "request_method"], &["requestUrl", "request_url"], &["status"]];
        let [method, url, status] = scan::named_values(raw, &names)?;
        let http = HttpRequest {
            request_method: method.map(scan::string).transpose()?.flatten(),
            request_url: url.map(scan::string).transpose()?.flatten(),
            status: status.map(RawJson),
        };
        Ok(Some(http))
    }
}

/// A JSON value's raw text, borrowed from the input (serde reads it as a [`RawValue`]).
#[derive(Debug, Clone, Copy)]
struct RawJson<'a>(&'a str);

impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| RawJson(raw.get()))
    }
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct SourceLocation<'a> {
    #[serde(borrow)]
    file: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function: Option<Cow<'a, str>>,
}

/// The fields of a `jsonPayload` as serde reads them: for payloads the scanner gives up on.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct SerdePayload<'a> {
    /// `MESSAGE`: systemd's journal, as GKE's node logs (kubelet, containerd) and the Ops
    /// Agent's journald receiver write it.
    #[serde(borrow, alias = "MESSAGE")]
    message: Option<&'a RawValue>,
    #[serde(borrow)]
    msg: Option<&'a RawValue>,
    /// structlog's message key.
    #[serde(borrow)]
    event: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    #[serde(borrow)]
    exception: Option<&'a RawValue>,
    #[serde(borrow, alias = "stackTrace")]
    stack_trace: Option<&'a RawValue>,
    #[serde(borrow)]
    traceback: Option<&'a RawValue>,
    /// python-json-logger's formatted traceback.
    #[serde(borrow)]
    exc_info: Option<&'a RawValue>,
    #[serde(borrow)]
    severity: Option<&'a RawValue>,
    #[serde(borrow)]
    level: Option<&'a RawValue>,
    #[serde(borrow)]
    levelname: Option<&'a RawValue>,
    #[serde(borrow)]
    logger: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow, alias = "logger_name")]
    #[serde(rename = "loggerName")]
    logger_name: Option<&'a RawValue>,
    /// A Kubernetes event (`"kind": "Event"`): its `reason` says what happened (`BackOff`,
    /// `FailedScheduling`), the message only to what.
    #[serde(borrow)]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    reason: Option<&'a RawValue>,
}

/// The fields of a `jsonPayload` that carry the message, its severity and its logger, each as
/// its raw JSON text (`None` for absent or `null`).
#[derive(Default, Debug)]
struct JsonPayload<'a> {
    message: Option<&'a str>,
    msg: Option<&'a str>,
    event: Option<&'a str>,
    error: Option<&'a str>,
    exception: Option<&'a str>,
    stack_trace: Option<&'a str>,
    traceback: Option<&'a str>,
    exc_info: Option<&'a str>,
    severity: Option<&'a str>,
    level: Option<&'a str>,
    levelname: Option<&'a str>,
    logger: Option<&'a str>,
    name: Option<&'a str>,
    logger_name: Option<&'a str>,
    kind: Option<&'a str>,
    reason: Option<&'a str>,
}

impl<'a> JsonPayload<'a> {
    /// The payload's fields, read by the scanner (serde's derived reader was 4% of reading
    /// JSON-payload exports), or by serde where the scanner gives up; a payload that is not an
    /// object, or names a field twice, has none (as serde has it).
    fn read(raw: &'a str) -> JsonPayload<'a> {
        Self::scan(raw).unwrap_or_else(|_| {
            serde_json::from_str::<SerdePayload>(raw).map(Self::from).unwrap_or_default()
        })
    }

    fn scan(raw: &'a str) -> Result<JsonPayload<'a>, scan::GiveUp> {
        const NAMES: [&[&str]; 16] = [
            &["message", "MESSAGE"],
            &["msg"],
            &["event"],
            &["error"],
            &["exception"],
            &["stack_trace", "stackTrace"],
            &["traceback"],
            &["exc_info"],
            &["severity"],
            &["level"],
            &["levelname"],
            &["logger"],
            &["name"],
            &["loggerName", "logger_name"],
            &["kind"],
            &["reason"],
        ];
        let [message, msg, event, error, exception, stack_trace, traceback, exc_info, severity, level, levelname, logger, name, logger_name, kind, reason] =
            scan::named_values(raw, &NAMES)?;
        Ok(JsonPayload {
            message,
            msg,
            event,
            error,
            exception,
            stack_trace,
            traceback,
            exc_info,
            severity,
            level,
            levelname,
            logger,
            name,
            logger_name,
            kind,
            reason,
        })
    }
}

impl<'a> From<SerdePayload<'a>> for JsonPayload<'a> {
    fn from(p: SerdePayload<'a>) -> JsonPayload<'a> {
        let get = |v: Option<&'a RawValue>| v.map(RawValue::get);
        JsonPayload {
            message: get(p.message),
            msg: get(p.msg),
            event: get(p.event),
            error: get(p.error),
            exception: get(p.exception),
            stack_trace: get(p.stack_trace),
            traceback: get(p.traceback),
            exc_info: get(p.exc_info),
            severity: get(p.severity),
            level: get(p.level),
            levelname: get(p.levelname),
            logger: get(p.logger),
            name: get(p.name),
            logger_name: get(p.logger_name),
            kind: get(p.kind),
            reason: get(p.reason),
        }
    }
}

/// Why an entry could not be turned into a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// Short reason used to count skipped entries ("invalid JSON", "not a LogEntry").
    pub reason: &'static str,
    pub detail: String,
}

/// Parses one LogEntry's JSON text.
pub fn parse_entry<'a>(json: &'a [u8], redactor: &Redactor) -> Result<Record<'a>, EntryError> {
    parse_entry_from(json, redactor, Severity::Default).map(|(rec, _)| rec)
}

/// What was read of an entry only in part: a field of an unexpected type left out or converted
/// (the entry is in the report; the note says what happened to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNote {
    pub reason: &'static str,
    pub detail: String,
}

/// Parses one LogEntry, leaving out the text of entries whose declared severity is below
/// `text_from`: they count for volumes and request health but never reach an issue, and their
/// message (extraction, redaction, inference) was a third of the parsing time on typical exports.
/// An entry with a field of an unexpected type is read without it (`lenient`), with notes.
#[inline]
pub(crate) fn parse_entry_from<'a>(
    json: &'a [u8],
    redactor: &Redactor,
    text_from: Severity,
) -> Result<(Record<'a>, Vec<FieldNote>), EntryError> {
    // serde's derived structs also take an array, field by field (`["2025-...", "x"]` would be
    // a LogEntry with a timestamp): only an object is one.
    if json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(not_an_object(Some(b'[')));
    }
    // One check of the whole entry's UTF-8, then parsing text known to be valid: parsing bytes
    // checked every string on its own (a few percent of the time). simdutf8 checks 32 bytes at
    // a time where the processor can (a third of the instructions of the standard library's
    // check); only an invalid entry is checked again, by the standard library, for serde.
    let text = match simdutf8::basic::from_utf8(json) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(json),
    };
    let mut parsed = match text {
        Ok(text) => scan_entry(text).or_else(|_| serde_json::from_str::<LogEntry>(text)),
        Err(_) => serde_json::from_slice::<LogEntry>(json),
    };
    // The entry is read in place: moved, it was copied several times (a LogEntry and a Record
    // are some 400 bytes each).
    match (&mut parsed, text) {
        (Ok(entry), _) if entry.has_fields() => {
            let timed = entry.has_time();
            let record = normalize(entry, redactor, text_from);
            let notes = time_note(timed, &record).into_iter().collect();
            Ok((record, notes))
        }
        (Ok(_), Ok(text)) => match pubsub_data(text) {
            Some(inner) => parse_entry_from(inner.as_bytes(), redactor, text_from)
                .map(|(rec, notes)| (rec.into_owned(), notes)),
            None => Err(not_a_log_entry(text, redactor)),
        },
        (Err(e), Ok(text)) if e.is_data() => read_leniently(text, redactor, text_from),
        (Ok(_), Err(_)) => Err(not_a_log_entry("", redactor)),
        (Err(e), _) => Err(entry_error(e)),
    }
}

/// A LogEntry read with the scanner (`scan`): the fields the report uses taken as borrowed text,
/// the others checked and skipped. Gives up (and serde reads the entry, saying what is wrong)
/// on anything unusual: a field twice, a value of an unexpected type, an escaped key.
fn scan_entry(text: &str) -> Result<LogEntry<'_>, scan::GiveUp> {
    use scan::GiveUp;
    let mut e = LogEntry::default();
    let mut seen = 0u32;
    let mut fields = scan::Fields::of(text)?;
    while let Some(key) = fields.next_key()? {
        let bit = match key {
            "timestamp" => 0,
            "receiveTimestamp" | "receive_timestamp" => 1,
            "severity" => 2,
            "resource" => 3,
            "labels" => 4,
            "jsonPayload" | "json_payload" => 5,
            "textPayload" | "text_payload" => 6,
            "protoPayload" | "proto_payload" => 7,
            "httpRequest" | "http_request" => 8,
            "insertId" | "insert_id" => 9,
            "logName" | "log_name" => 10,
            "trace" => 11,
            "sourceLocation" | "source_location" => 12,
            "operation" => 13,
            "split" => 14,
            _ => {
                fields.value()?;
                continue;
            }
        };
        if seen & (1 << bit) != 0 {
            return Err(GiveUp);
        }
        seen |= 1 << bit;
        match bit {
            3 => e.resource = scan_resource(&mut fields)?,
            4 => {
                if let Some(mut object) = fields.object()? {
                    let mut labels = EntryLabels::default();
                    fill(&mut object, &mut labels)?;
                    fields.after(object);
                    e.labels = Some(labels);
                }
            }
            0 => e.timestamp = fields.string()?,
            1 => e.receive_timestamp = fields.string()?,
            9 => e.insert_id = fields.string()?,
            10 => e.log_name = fields.string()?,
            11 => e.trace = fields.string()?,
            _ => take_field(&mut e, bit, fields.value()?)?,
        }
    }
    Ok(e)
}

/// Sets the field `bit` names from its raw value.
fn take_field<'a>(e: &mut LogEntry<'a>, bit: u32, raw: &'a str) -> Result<(), scan::GiveUp> {
    let null = raw == "null";
    match bit {
        2 => e.severity = (!null).then(|| raw_value(raw)),
        5 => e.json_payload = (!null).then(|| raw_value(raw)),
        6 => e.text_payload = (!null).then(|| raw_value(raw)),
        // Objects the report reads a few fields of, and rarer: serde reads them.
        7 => e.proto_payload = serde_json::from_str(raw).map_err(|_| scan::GiveUp)?,
        8 => e.http_request = HttpRequest::scan(raw)?,
        12 => e.source_location = object_of(raw)?,
        14 => e.split = object_of(raw)?,
        _ => e.operation = serde_json::from_str(raw).map_err(|_| scan::GiveUp)?,
    }
    Ok(())
}

/// An object-only field (see `resource::object`) read by serde; an array or scalar gives up.
fn object_of<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<Option<T>, scan::GiveUp> {
    match raw.as_bytes()[0] {
        b'{' => serde_json::from_str(raw).map(Some).map_err(|_| scan::GiveUp),
        b'n' => Ok(None),
        _ => Err(scan::GiveUp),
    }
}

/// `resource`: its type and the labels the model reads.
fn scan_resource<'a>(parent: &mut scan::Fields<'a>) -> Result<Option<Resource<'a>>, scan::GiveUp> {
    let Some(mut fields) = parent.object()? else { return Ok(None) };
    let mut resource = Resource::default();
    let mut seen = [false; 2];
    while let Some(key) = fields.next_key()? {
        match key {
            "type" if !seen[0] => {
                seen[0] = true;
                resource.kind = fields.string()?;
            }
            "labels" if !seen[1] => {
                seen[1] = true;
                if let Some(mut object) = fields.object()? {
                    let mut labels = Box::<ResourceLabels>::default();
                    fill(&mut object, labels.as_mut())?;
                    fields.after(object);
                    resource.labels = Some(labels);
                }
            }
            "type" | "labels" => return Err(scan::GiveUp),
            _ => {
                fields.value()?;
            }
        }
    }
    parent.after(fields);
    Ok(Some(resource))
}

/// Fills the string fields of `target` from an object's fields; a field twice gives up.
fn fill<'a>(
    fields: &mut scan::Fields<'a>,
    target: &mut impl resource::Labels<'a>,
) -> Result<(), scan::GiveUp> {
    while let Some(key) = fields.next_key()? {
        let Some(slot) = target.field(key) else {
            fields.value()?;
            continue;
        };
        if slot.is_some() {
            return Err(scan::GiveUp);
        }
        *slot = fields.string()?;
    }
    Ok(())
}

/// JSON text the scanner checked, as serde's borrowed raw value.
fn raw_value(json: &str) -> &RawValue {
    // SAFETY: `RawValue` is `#[repr(transparent)]` over `str` (serde_json makes its own borrowed
    // raw values the same way), and the scanner has checked that `json` is one JSON value.
    unsafe { &*(json as *const str as *const RawValue) }
}

/// An entry serde refused for the type of a field: read again without the fields that do not
/// fit (or with them converted), each named in a note.
fn read_leniently(
    text: &str,
    redactor: &Redactor,
    text_from: Severity,
) -> Result<(Record<'static>, Vec<FieldNote>), EntryError> {
    let fits = |t: &str| serde_json::from_str::<LogEntry>(t).map(|_| ()).map_err(|e| e.to_string());
    let Some((fixed, repairs)) = lenient::repair(text, &fits) else {
        return Err(not_an_object(text.trim_start().bytes().next()));
    };
    let mut entry = serde_json::from_str::<LogEntry>(&fixed).map_err(|e| entry_error(&e))?;
    if !entry.has_fields() {
        return Err(not_a_log_entry(text, redactor));
    }
    let timed = entry.has_time();
    let record = normalize(&mut entry, redactor, text_from).into_owned();
    let mut notes = lenient::notes(&repairs);
    notes.extend(time_note(timed, &record));
    Ok((record, notes))
}

/// An entry that has a time no reading understood is kept (untimed, and counted so in the
/// report), with a note: a time in a format nobody expected must not vanish without a word.
fn time_note(timed: bool, record: &Record) -> Option<FieldNote> {
    (timed && record.time.is_none()).then(|| FieldNote {
        reason: "time not understood",
        detail:
            "`timestamp` (and `receiveTimestamp`) is not a date and time this tool reads \
                 (RFC 3339, or `YYYY-MM-DD hh:mm:ss[.f]` in UTC); the entry was read without a time"
                .to_string(),
    })
}

/// JSON that is not an object where a LogEntry belongs, named by its kind.
fn not_an_object(first: Option<u8>) -> EntryError {
    let what = match first {
        Some(b'[') => "a JSON array",
        Some(b'"') => "a JSON string",
        Some(b't' | b'f') => "a JSON boolean",
        Some(b'n') => "JSON null",
        Some(b'-' | b'0'..=b'9') => "a JSON number",
        Some(_) => "text that is not JSON",
        None => "nothing",
    };
    let detail = format!("{what}, where a LogEntry object belongs");
    EntryError { reason: "not a LogEntry object", detail }
}

/// A JSON object with none of a LogEntry's fields (a config block, an API response that was not
/// taken apart): named with its keys, redacted, so that the user can tell what it is.
/// The LogEntry a Pub/Sub message carries, decoded: a log sink to a topic publishes each entry
/// as a message's `data` (base64), and what a user saves of a subscription is the messages,
/// `gcloud pubsub subscriptions pull --format=json` (`{"ackId", "message": {...}}`), a push
/// endpoint's request body (`{"message": {...}, "subscription"}`) or the message itself.
/// Only data that decodes to a JSON object is taken; anything else is not a LogEntry, as before.
fn pubsub_data(text: &str) -> Option<String> {
    use base64::Engine;
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let message = value.get("message").unwrap_or(&value);
    let data = message.get("data")?.as_str()?;
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(data.trim()).ok()?;
    let inner = String::from_utf8(bytes).ok()?;
    inner.trim_start().starts_with('{').then_some(inner)
}

/// The reason of an object (or other JSON) that is not a LogEntry.
pub(crate) const NOT_A_LOG_ENTRY: &str = "not a LogEntry object";

fn not_a_log_entry(text: &str, redactor: &Redactor) -> EntryError {
    let keys: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .map(|m| m.keys().take(8).cloned().collect())
            .unwrap_or_default();
    let keys = redactor.redact(&keys.join(", ")).into_owned();
    EntryError {
        reason: "not a LogEntry object",
        detail: format!(
            "a JSON object without any LogEntry field (timestamp, logName, resource, insertId, a \
             payload, httpRequest); its keys: {keys}"
        ),
    }
}

/// A specific reason for the common ways an entry is broken. The detail is serde's message
/// without the text it quotes from the input.
fn entry_error(e: &serde_json::Error) -> EntryError {
    let detail = lenient::scrub(&e.to_string());
    let reason = if e.is_data() {
        "not a LogEntry object"
    } else if e.is_eof() {
        "entry cut off"
    } else if detail.contains("recursion limit") {
        "nested too deeply (over 128 levels)"
    } else if detail.contains("control character") {
        "control character (such as NUL) inside a string"
    } else if detail.contains("unicode") || detail.contains("UTF-8") {
        "invalid UTF-8"
    } else {
        "invalid JSON"
    };
    EntryError { reason, detail }
}

impl LogEntry<'_> {
    /// Whether the object has any of the fields that make a LogEntry (severity and labels alone
    /// do not: plenty of other JSON has those).
    fn has_time(&self) -> bool {
        self.timestamp.is_some() || self.receive_timestamp.is_some()
    }

    fn has_fields(&self) -> bool {
        self.timestamp.is_some()
            || self.receive_timestamp.is_some()
            || self.resource.is_some()
            || self.log_name.is_some()
            || self.insert_id.is_some()
            || self.json_payload.is_some()
            || self.text_payload.is_some()
            || self.proto_payload.is_some()
            || self.http_request.is_some()
    }
}

fn normalize<'a>(entry: &mut LogEntry<'a>, redactor: &Redactor, text_from: Severity) -> Record<'a> {
    let mut rec = Record { entries: 1, ..Record::default() };
    rec.time = entry
        .timestamp
        .as_deref()
        .and_then(Timestamp::parse_loose)
        .or_else(|| entry.receive_timestamp.as_deref().and_then(Timestamp::parse_loose));
    // Client-library dumps write fields without presence as "" (`"trace": ""`): no value.
    rec.insert_id = nonempty(entry.insert_id.take());
    rec.trace = nonempty(entry.trace.take());
    let resource_kind = entry.resource.as_ref().and_then(|r| r.kind.as_deref());
    let stderr_error =
        entry.log_name.as_deref().is_some_and(|log| infer::stream_gives_error(log, resource_kind));
    rec.component = where_from(&mut rec, entry);

    rec.operation = entry.operation.as_ref().and_then(|o| nonempty(o.id.clone()));

    // Severity as written: a name or a number; DEFAULT counts as "none given". The INFO that a
    // runtime gives every line of a stream is weak: the text may say more.
    let declared = entry.severity.and_then(raw_severity).filter(|s| *s != Severity::Default);
    let weak = declared.is_some_and(|s| s <= Severity::Info)
        && rec.log_name.as_deref().is_some_and(infer::runtime_loses_severity);
    // GKE's ERROR for every stderr line: a level the line states replaces it.
    let stream = stderr_error && declared == Some(Severity::Error);
    if let Some(s) = declared.filter(|&s| s < text_from) {
        let raw = entry.text_payload.or(entry.json_payload);
        let build = rec.log_name.as_deref().is_some_and(multiline::is_build_log);
        // A PostgreSQL message's later line counts with its message, which may be in scope.
        let postgres = rec.log_name.as_deref().is_some_and(postgres::is_server_log)
            && raw.is_some_and(|r| postgres::may_hold_tail(r.get()));
        if !(stream || postgres || weak && (build || weak_line_may_matter(raw))) {
            rec.severity = s;
            rec.request = entry.http_request.as_ref().and_then(|http| {
                let status =
                    http.status.and_then(|raw| json_text(raw.0).trim().parse::<u16>().ok())?;
                Some(Request {
                    status,
                    method: String::new(),
                    path: String::new(),
                    detail: String::new(),
                })
            });
            return rec;
        }
    }

    let payloads = (entry.json_payload, entry.text_payload, entry.proto_payload.as_ref());
    let (message, payload_severity) = payload_message(payloads, &mut rec, redactor);
    // A split entry's next part is its text's rest: joined as a line cut at a runtime's limit.
    if let Some(split) = &entry.split {
        rec.split_part = true;
        rec.cut_at_limit |= split.continues();
    }
    let mut message = message;
    if let Some(http) = &entry.http_request {
        if let Some(mut req) = request_of(http, redactor) {
            req.detail = proxy_detail(entry.json_payload, redactor);
            app_engine_request(&mut req, entry.proto_payload.as_ref(), redactor);
            if message.is_empty() {
                message = Cow::Owned(format!("HTTP {} {} {}", req.status, req.method, req.path));
            }
            rec.request = Some(req);
        }
    }
    if rec.component.is_none() {
        if let Some(loc) = entry.source_location.take() {
            rec.component = nonempty(loc.function).or(loc.file);
        }
    }
    let message = postgres_line(&mut rec, message);
    let declared = Declared { severity: declared, weak, stream };
    let message = settle_severity(&mut rec, declared, payload_severity, message);
    if rec.audit.is_none() {
        rec.audit = function_execution(&message);
    }
    rec.message = clip_message(redact_trimmed(message, redactor, !rec.cut_at_limit));
    rec
}

/// A PostgreSQL server line (Cloud SQL, AlloyDB): the backend that wrote it is the instance (the
/// lines of one message share it, so `multiline` joins them), and a message's later line loses
/// the server's prefix (`DETAIL:  Key (email)=(...) already exists.`).
fn postgres_line<'a>(rec: &mut Record<'a>, message: Cow<'a, str>) -> Cow<'a, str> {
    if !rec.log_name.as_deref().is_some_and(postgres::is_server_log) {
        return message;
    }
    let Some((pid, tail)) = postgres::line(&message).map(|l| (l.pid.to_string(), l.tail)) else {
        return message;
    };
    if rec.instance.is_none() {
        rec.instance = Some(Cow::Owned(format!("pid {pid}")));
    }
    match tail {
        Some(start) => {
            let first_end = message.find('\n').unwrap_or(message.len());
            message_body(message, (start, first_end))
        }
        None => message,
    }
}

/// A Cloud Functions (1st gen) execution's end, as a call with its outcome: `'timeout'` and
/// `'crash'` are two problems, grouped apart as audit logs' statuses are.
fn function_execution(message: &str) -> Option<Audit> {
    let status = infer::function_outcome(message)?;
    let method = "Function execution finished with status".to_string();
    Some(Audit { service: "cloudfunctions.googleapis.com".into(), method, status })
}

/// Whether a line with its runtime's INFO, below the minimum severity, is read after all: when
/// its raw text may name a level above INFO, or may be a part of a multi-line event (indented, a
/// brace, cut at the line limit). The cheap checks most such lines stop at.
fn weak_line_may_matter(raw: Option<&RawValue>) -> bool {
    let Some(text) = raw.map(RawValue::get) else { return false };
    let first = text.as_bytes().get(1).copied().unwrap_or(b'"');
    matches!(first, b' ' | b'\\' | b'{' | b'}' | b'[' | b']')
        || text.len() >= multiline::LINE_LIMIT_BYTES
        || infer::may_name_a_level(text)
}

/// The message of the payload, without escape sequences, and the severity the payload states;
/// JSON written as text (behind a prefix, pretty-printed) is read as JSON.
fn payload_message<'a>(
    (json, text, proto): (Option<&'a RawValue>, Option<&'a RawValue>, Option<&ProtoPayload<'a>>),
    rec: &mut Record<'a>,
    redactor: &Redactor,
) -> (Cow<'a, str>, Option<Severity>) {
    if let Some(raw) = json {
        if let Some((message, call)) = typed_call(raw, redactor) {
            rec.audit = Some(call);
            return (Cow::Owned(message), None);
        }
        let (msg, sev, logger) = json_payload_of(raw, redactor);
        if rec.component.is_none() {
            rec.component = logger;
        }
        return (ansi::strip(msg), sev);
    }
    if let Some(raw) = text {
        let text = raw_text(raw);
        rec.cut_at_limit = text.len() == multiline::LINE_LIMIT_BYTES;
        let text = ansi::strip(text);
        if let Some((msg, sev, logger)) = message_of_json_text(&text) {
            if rec.component.is_none() {
                rec.component = logger.map(Cow::Owned);
            }
            return (Cow::Owned(msg), sev);
        }
        return (text, None);
    }
    if let Some(proto) = proto {
        if let Some((line, severity)) = worst_app_line(proto) {
            return (ansi::strip(line), severity);
        }
        return (ansi::strip(proto_message(proto, rec)), None);
    }
    (Cow::Borrowed(""), None)
}

/// The JSON object in a text (after a prefix of timestamp characters at most), read as a
/// jsonPayload would be, when it has a message field: its message, severity and logger.
pub(crate) fn message_of_json_text(
    text: &str,
) -> Option<(String, Option<Severity>, Option<String>)> {
    let body = text.trim_end();
    if !body.ends_with('}') {
        return None;
    }
    let open = body.find('{')?;
    let prefix = &body[..open];
    let timestamp_like = prefix.len() <= 40
        && prefix.bytes().all(|b| !b.is_ascii_alphabetic() || b == b'T' || b == b'Z');
    if !timestamp_like {
        return None;
    }
    let raw: &RawValue = serde_json::from_str(&body[open..]).ok()?;
    let fields = JsonPayload::read(raw.get());
    // Without a message field it is data, not a log line: the text stays as written.
    fields.message.or(fields.msg).or(fields.event)?;
    let (message, severity, logger) = json_payload_message(raw, default_redactor_for_fields());
    Some((message.into_owned(), severity, logger.map(Cow::into_owned)))
}

/// `payload_as_text` blanks secret-named fields by name and needs no patterns.
fn default_redactor_for_fields() -> &'static Redactor {
    super::redact::default_redactor()
}

/// Project, service, revision and instance from the monitored resource, the entry's labels and
/// the log name (`resource`, docs/resources.md).
/// Returns the `python_logger` label, the component when the entry names one there.
fn where_from<'a>(rec: &mut Record<'a>, entry: &mut LogEntry<'a>) -> Option<Cow<'a, str>> {
    let resource = entry.resource.take().unwrap_or_default();
    let mut resource_labels = resource.labels.unwrap_or_default();
    let log_name = entry.log_name.take();
    rec.project = project(resource_labels.project_id.take(), log_name.as_deref());
    let mut labels = entry.labels.take().unwrap_or_default();
    let component = labels.python_logger.take();
    let placed = resource::place(resource::Where {
        kind: resource.kind.as_deref(),
        resource: &mut resource_labels,
        labels: &mut labels,
        log_name: log_name.as_deref(),
        audited: entry.proto_payload.as_ref().and_then(|p| p.service_name.clone()),
    });
    rec.service = placed.service;
    rec.revision = placed.revision;
    rec.instance = placed.instance;
    rec.log_name = log_name;
    component
}

/// The severity an entry carries, and whether it is only the one its runtime gives every line:
/// `weak`, INFO or lower that the text may raise; `stream`, GKE's ERROR for stderr that a level
/// the text states replaces.
struct Declared {
    severity: Option<Severity>,
    weak: bool,
    stream: bool,
}

/// Severity: declared, else what the payload says, else what the text says (or the request's
/// status). A weak declared severity (INFO from stdout/stderr or Cloud Build) is raised where the
/// payload or the text names a higher one, never lowered; a stream's ERROR gives way to a level
/// the payload or the text states, and is raised by a crash. The text is read only when it is
/// needed for a severity or a logger; where its level sat in a log line's prefix, the message
/// is what follows the prefix.
fn settle_severity<'a>(
    rec: &mut Record,
    declared: Declared,
    from_payload: Option<Severity>,
    message: Cow<'a, str>,
) -> Cow<'a, str> {
    let strong = declared.severity.filter(|_| !declared.weak && !declared.stream);
    let read_text = match (strong, from_payload) {
        (None, None) => !declared.weak || infer::may_name_a_level(&message),
        _ => rec.component.is_none(),
    };
    let hint = match (read_text, strong) {
        (false, _) => infer::TextHint::default(),
        // The severity is known: the text is read only for its prefix's logger and body.
        (true, Some(_)) => infer::prefix_of(&message),
        (true, None) => infer::from_text(&message),
    };
    let from_request = || rec.request.as_ref().and_then(|r| severity_of_status(r.status));
    let said = from_payload.or(hint.severity);
    let stated = from_payload.or(hint.severity.filter(|_| hint.stated));
    let (severity, inferred) = match (strong, declared.severity, said) {
        (Some(s), _, _) => (s, false),
        (None, Some(given), _) if declared.stream && stated.is_some_and(|s| s != given) => {
            (stated.expect("checked"), true)
        }
        (None, Some(weak), Some(s)) if s > weak => (s, true),
        (None, Some(weak), _) => (weak, false),
        (None, None, Some(s)) => (s, true),
        (None, None, None) => match from_request() {
            Some(s) => (s, true),
            None => (Severity::Default, false),
        },
    };
    rec.severity = severity;
    rec.severity_inferred = inferred;
    if rec.component.is_none() {
        rec.component = hint.logger.map(|l| Cow::Owned(l.to_string()));
    }
    // A build's lines stay as written: the failed step's event is read from them.
    let build = rec.log_name.as_deref().is_some_and(multiline::is_build_log);
    let quoted = hint.quoted;
    match hint.body {
        Some(body) if !build => unquoted(message_body(message, body), quoted),
        _ => message,
    }
}

/// The message without the quotes around its head, where the hint says it is quoted (klog's
/// structured lines); later lines are kept.
fn unquoted(message: Cow<'_, str>, quoted: bool) -> Cow<'_, str> {
    if !quoted {
        return message;
    }
    let first_end = message.find('\n').unwrap_or(message.len());
    match infer::unquote_head(&message[..first_end]) {
        Some(head) => Cow::Owned(format!("{head}{}", &message[first_end..])),
        None => message,
    }
}

/// The message without the log line's prefix (and without what the body leaves off the end of
/// the first line); later lines are kept.
fn message_body(message: Cow<'_, str>, (start, end): (usize, usize)) -> Cow<'_, str> {
    let first_end = message.find('\n').unwrap_or(message.len());
    if start == 0 && end == first_end {
        return message;
    }
    match message {
        Cow::Borrowed(text) if end == first_end => Cow::Borrowed(&text[start..]),
        text => Cow::Owned(format!("{}{}", &text[start..end], &text[first_end..])),
    }
}

/// The message without trailing whitespace, redacted, copied only where either changed it.
/// The message redacted, its trailing whitespace trimmed unless `trim` is false (a cut line: its
/// rest follows, and a space at the cut is part of the text).
fn redact_trimmed<'a>(message: Cow<'a, str>, redactor: &Redactor, trim: bool) -> Cow<'a, str> {
    let end = |text: &str| if trim { text.trim_end().len() } else { text.len() };
    match message {
        Cow::Borrowed(text) => redactor.redact(&text[..end(text)]),
        Cow::Owned(mut text) => {
            let trimmed = end(&text);
            text.truncate(trimmed);
            match redactor.redact(&text) {
                Cow::Borrowed(_) => Cow::Owned(text),
                Cow::Owned(redacted) => Cow::Owned(redacted),
            }
        }
    }
}

fn nonempty(text: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    text.filter(|t| !t.is_empty())
}

fn raw_severity(raw: &RawValue) -> Option<Severity> {
    severity_of_json(raw.get())
}

/// A severity written as a JSON value (raw text): a name, or Cloud Logging's number.
fn severity_of_json(text: &str) -> Option<Severity> {
    // Cloud Logging's own names, as it writes them, first: every entry has one.
    if let Some(severity) = canonical_severity(text) {
        return Some(severity);
    }
    if text.starts_with('"') {
        Severity::parse_loose(&json_text(text))
    } else {
        text.parse::<f64>().ok().map(|n| Severity::from_number(n as i64))
    }
}

/// A LogSeverity name as Cloud Logging writes it in a LogEntry (`"WARNING"`, quoted).
fn canonical_severity(text: &str) -> Option<Severity> {
    let name = text.strip_prefix('"')?.strip_suffix('"')?;
    Severity::ALL.into_iter().find(|s| s.name() == name)
}

/// A payload's `level`: pino's and bunyan's numbers (10 trace ... 60 fatal) are their scale, not
/// Cloud Logging's (where 50 would be DEFAULT); any other value is read as a severity.
fn level_field(text: &str) -> Option<Severity> {
    infer::pino_number(text).or_else(|| severity_of_json(text))
}

/// A raw JSON value as text: strings unquoted and unescaped, anything else as written.
fn raw_text(raw: &RawValue) -> Cow<'_, str> {
    json_text(raw.get())
}

/// [`raw_text`] of a value's raw JSON text.
fn json_text(text: &str) -> Cow<'_, str> {
    if text.starts_with('"') {
        // Borrowed unless it has escapes; serde reads those (and anything the scanner refuses).
        match scan::string(text) {
            Ok(Some(inner)) => inner,
            _ => serde_json::from_str::<Cow<str>>(text).unwrap_or(Cow::Borrowed(text)),
        }
    } else if text == "null" {
        Cow::Borrowed("")
    } else if text.starts_with(['{', '[']) {
        compact_json(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// An object or array as a sink writes it, without the whitespace between tokens: gcloud's
/// and the Logs Explorer's pretty-printed copy of an entry must give the same message (and
/// issue id) as the sink's one-line copy.
#[inline(never)]
fn compact_json(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut compact: Option<Vec<u8>> = None;
    let (mut in_string, mut escaped) = (false, false);
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            (in_string, escaped) = (escaped || b != b'"', !escaped && b == b'\\');
        } else if b.is_ascii_whitespace() {
            compact.get_or_insert_with(|| bytes[..at].to_vec());
            continue;
        } else {
            in_string = b == b'"';
        }
        if let Some(out) = compact.as_mut() {
            out.push(b);
        }
    }
    match compact {
        // Only ASCII whitespace outside strings was taken out: still UTF-8.
        Some(out) => Cow::Owned(String::from_utf8(out).expect("UTF-8 in, UTF-8 out")),
        None => Cow::Borrowed(text),
    }
}

/// The message, severity and logger of a jsonPayload, also of one written as a string (some
/// writers serialize the payload twice, `"jsonPayload": "{\"message\": ...}"`): a string holding
/// a JSON object is read as that object, any other string is the message.
fn json_payload_of<'a>(
    raw: &'a RawValue,
    redactor: &Redactor,
) -> (Cow<'a, str>, Option<Severity>, Option<Cow<'a, str>>) {
    if !raw.get().starts_with('"') {
        return json_payload_message(raw, redactor);
    }
    let text = raw_text(raw);
    match serde_json::from_str::<&RawValue>(&text) {
        Ok(inner) if inner.get().starts_with('{') => {
            let (message, severity, logger) = json_payload_message(inner, redactor);
            let own = |t: Cow<str>| Cow::Owned(t.into_owned());
            (own(message), severity, logger.map(own))
        }
        _ => (text, None, None),
    }
}

/// A Kubernetes event's reason (`BackOff`), when the payload is an event.
fn event_reason<'a>(payload: &JsonPayload<'a>) -> Option<Cow<'a, str>> {
    let is_event = payload.kind.is_some_and(|k| k == "\"Event\"");
    payload.reason.filter(|_| is_event).map(json_text).filter(|r| !r.is_empty())
}

/// The message, severity and logger of a jsonPayload. Without a message field the payload's
/// JSON itself is the message (with secret-named fields blanked), so nothing is dropped.
fn json_payload_message<'a>(
    raw: &'a RawValue,
    redactor: &Redactor,
) -> (Cow<'a, str>, Option<Severity>, Option<Cow<'a, str>>) {
    let payload = JsonPayload::read(raw.get());
    fn text_of(v: Option<&str>) -> Option<Cow<'_, str>> {
        v.map(json_text).filter(|t| !t.is_empty())
    }
    let main = text_of(payload.message)
        .or_else(|| text_of(payload.msg))
        .or_else(|| text_of(payload.event));
    let main = match (main, event_reason(&payload)) {
        (Some(m), Some(reason)) if !m.starts_with(reason.as_ref()) => {
            Some(Cow::Owned(format!("{reason}: {m}")))
        }
        (main, _) => main,
    };
    let error = text_of(payload.error).or_else(|| text_of(payload.exception));
    let stack = text_of(payload.stack_trace)
        .or_else(|| text_of(payload.traceback))
        .or_else(|| text_of(payload.exc_info));
    let mut message = match (main, error) {
        // Loggers often repeat the exception in the message; append it only when it adds text.
        (Some(m), Some(e)) if !m.contains(e.split_once(": ").map_or(e.as_ref(), |(_, t)| t)) => {
            Cow::Owned(format!("{m}: {e}"))
        }
        (Some(m), _) => m,
        (None, Some(e)) => e,
        (None, None) => Cow::Borrowed(""),
    };
    if let Some(stack) = stack {
        if !message.contains(stack.as_ref()) {
            let text = message.to_mut();
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&stack);
        }
    }
    if message.is_empty() {
        message = Cow::Owned(payload_as_text(raw, redactor));
    }
    let severity =
        [payload.severity.and_then(severity_of_json), payload.level.and_then(level_field)]
            .into_iter()
            .chain([payload.levelname.and_then(severity_of_json)])
            .flatten()
            .find(|s| *s != Severity::Default);
    let logger = [payload.logger, payload.logger_name, payload.name]
        .into_iter()
        .flatten()
        .map(json_text)
        .find(|t| !t.is_empty() && t.len() < 200);
    (message, severity, logger)
}

/// A payload without a message field, as compact JSON with the values of secret-named keys
/// replaced.
fn payload_as_text(raw: &RawValue, redactor: &Redactor) -> String {
    let _ = redactor;
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(mut value) => {
            blank_sensitive(&mut value, 0);
            value.to_string()
        }
        Err(_) => raw.get().to_string(),
    }
}

/// The call a Google service's typed payload records, when it has no message: Cloud Tasks'
/// attempts (`TaskActivityLog`) and Cloud Scheduler's (`AttemptFinished`), grouped as audit
/// logs are, by what was called and its status (a queue whose target answers NOT_FOUND and one
/// whose target is UNAVAILABLE are two problems). The target is its method and path: the host
/// and query are left out (the queue or job is the service; queries carry tokens). Read only
/// when `@type` is the payload's first key, as the services write it, so that other payloads
/// cost one look.
fn typed_call(raw: &RawValue, redactor: &Redactor) -> Option<(String, Audit)> {
    let first_key = raw.get().trim_start().strip_prefix('{')?.trim_start();
    if !first_key.starts_with("\"@type\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(raw.get()).ok()?;
    let text = |v: &serde_json::Value, key: &str| v.get(key)?.as_str().map(str::to_string);
    let kind = text(&value, "@type")?;
    let (service, what, log, url) = if kind.ends_with("tasks.logging.v1.TaskActivityLog") {
        let (what, log) =
            [("task attempt", "attemptResponseLog"), ("task dispatch", "attemptDispatchLog")]
                .into_iter()
                .find_map(|(what, key)| Some((what, value.get(key)?)))?;
        let address = text(log, "targetAddress").or_else(|| text(&value, "targetAddress"));
        ("cloudtasks.googleapis.com", what, log, address)
    } else if kind.ends_with("scheduler.logging.AttemptFinished") {
        ("cloudscheduler.googleapis.com", "job attempt", &value, text(&value, "url"))
    } else {
        return None;
    };
    // The call is the issue's key and title: its path is redacted here (the message is later).
    let target = url.map(|address| match address.split_once(' ') {
        Some((method, url)) => format!(" {method} {}", redacted_path(url, redactor)),
        None => format!(" {}", redacted_path(&address, redactor)),
    });
    let method = format!("{what}{}", target.unwrap_or_default());
    let status = text(log, "status").map_or("OK", |s| status_of_name(&s));
    let message = format!("{method} {status}");
    Some((message, Audit { service: service.to_string(), method, status }))
}

fn blank_sensitive(value: &mut serde_json::Value, depth: usize) {
    use serde_json::Value;
    if depth > 32 {
        *value = Value::String("<nested too deep>".into());
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if super::redact::is_sensitive_key(key) {
                    *v = Value::String("<redacted:secret>".into());
                } else {
                    blank_sensitive(v, depth + 1);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| blank_sensitive(v, depth + 1)),
        _ => {}
    }
}

/// The app line of an App Engine RequestLog that matters most: the first of the highest
/// severity (a traceback at ERROR over the INFO lines around it), with that severity.
fn worst_app_line<'a>(proto: &ProtoPayload<'a>) -> Option<(Cow<'a, str>, Option<Severity>)> {
    let lines = proto.line.as_ref()?;
    let rank = |l: &AppLine| l.severity.as_deref().and_then(Severity::parse_loose);
    let mut worst: Option<&AppLine> = None;
    for line in lines.iter().filter(|l| l.log_message.as_deref().is_some_and(|m| !m.is_empty())) {
        if worst.is_none_or(|w| rank(line) > rank(w)) {
            worst = Some(line);
        }
    }
    let worst = worst?;
    Some((worst.log_message.clone()?, rank(worst)))
}

/// A request log's method and path from App Engine's RequestLog, where `httpRequest` has only
/// the status.
fn app_engine_request(req: &mut Request, proto: Option<&ProtoPayload>, redactor: &Redactor) {
    let Some(proto) = proto.filter(|_| req.method.is_empty()) else { return };
    if let Some(method) = nonempty(proto.method.clone()) {
        req.method = method.to_ascii_uppercase();
    }
    if let Some(resource) = nonempty(proto.resource.clone()) {
        req.path = redacted_path(&resource, redactor);
    }
}

/// The message of a `protoPayload`. With a service and a method (an audit log, and other types
/// that name them) the record gets the call ([`Audit`]) it is grouped by, and the message says
/// what was called, how it ended, on what, and by what kind of caller (never who: the caller
/// is personal data).
fn proto_message<'a>(proto: &ProtoPayload<'a>, rec: &mut Record<'a>) -> Cow<'a, str> {
    let status_message = proto.status.as_ref().and_then(|s| nonempty(s.message.clone()));
    let (Some(service), Some(method)) =
        (nonempty(proto.service_name.clone()), nonempty(proto.method_name.clone()))
    else {
        return status_message.or_else(|| proto.method_name.clone()).unwrap_or(Cow::Borrowed(""));
    };
    let code = proto.status.as_ref().and_then(|s| s.code).unwrap_or(0);
    let status = status_name(code);
    let mut message = format!("{method} {status}");
    if let Some(text) = status_message.filter(|m| m.as_ref() != status) {
        message.push_str(&format!(": {text}"));
    }
    if let Some(resource) = nonempty(proto.resource_name.clone()) {
        message.push_str(&format!(" (resource {resource})"));
    }
    if let Some(caller) =
        proto.authentication_info.as_ref().and_then(|a| a.principal_email.as_deref())
    {
        let kind =
            if caller.ends_with(".gserviceaccount.com") { "service account" } else { "user" };
        message.push_str(&format!(" (caller: {kind} <redacted:principal>)"));
    }
    rec.audit = Some(Audit { service: service.into_owned(), method: method.into_owned(), status });
    Cow::Owned(message)
}

/// The canonical name of a `google.rpc.Code`.
fn status_name(code: i64) -> &'static str {
    usize::try_from(code).ok().and_then(|c| STATUS_NAMES.get(c)).copied().unwrap_or("UNKNOWN")
}

/// A status written by name (`"UNAVAILABLE"`), as its canonical name.
fn status_of_name(name: &str) -> &'static str {
    STATUS_NAMES.iter().find(|n| n.eq_ignore_ascii_case(name)).copied().unwrap_or("UNKNOWN")
}

const STATUS_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

fn request_of(http: &HttpRequest, redactor: &Redactor) -> Option<Request> {
    let status = http.status.and_then(|raw| json_text(raw.0).trim().parse::<u16>().ok())?;
    let method = http.request_method.as_deref().unwrap_or("").to_ascii_uppercase();
    let url = http.request_url.as_deref().unwrap_or("");
    Some(Request { status, method, path: redacted_path(url, redactor), detail: String::new() })
}

/// A load balancer's word on a response, from its payload's `statusDetails`
/// (`failed_to_connect_to_backend`, `backend_timeout`, `response_sent_by_backend`): whether the
/// proxy or the backend failed, and how. Taken only when it is one such word (lower case, digits,
/// underscores: a fixed vocabulary), so no free text reaches a key; empty otherwise.
fn proxy_detail(payload: Option<&RawValue>, redactor: &Redactor) -> String {
    let Some(raw) = payload.map(RawValue::get).filter(|p| p.starts_with('{')) else {
        return String::new();
    };
    let Ok([Some(value)]) = scan::named_values(raw, &[&["statusDetails"]]) else {
        return String::new();
    };
    let text = json_text(value);
    let is_word = (1..=80).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if is_word {
        redactor.redact(&text).into_owned()
    } else {
        String::new()
    }
}

/// A URL's path, decoded and redacted. Paths carry emails and tokens too (`/reset/<token>`),
/// and they reach templates; decoded first, so that `%40` in an email or `%20` before a token
/// cannot hide them.
fn redacted_path(url: &str, redactor: &Redactor) -> String {
    let path = path_of_url(url);
    let path = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    redactor.redact(&path).into_owned()
}

/// The path of a URL, without scheme, host, query and fragment (queries carry ids and tokens).
pub(crate) fn path_of_url(url: &str) -> String {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map(|j| &after[j..]).unwrap_or("/")
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..end];
    if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    }
}

/// Cloud Run's own mapping for request logs that carry no severity.
fn severity_of_status(status: u16) -> Option<Severity> {
    match status {
        500..=599 => Some(Severity::Error),
        400..=499 => Some(Severity::Warning),
        100..=399 => Some(Severity::Info),
        _ => None,
    }
}

/// The project: `resource.labels.project_id`, else the one in `logName`. Some services put the
/// project's number in the resource (Dataflow), and a report must not show one project as two:
/// a number gives way to the name in `logName`.
fn project<'a>(
    from_resource: Option<Cow<'a, str>>,
    log_name: Option<&str>,
) -> Option<Cow<'a, str>> {
    let is_number = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    // The log name is looked at only when needed: this runs for every entry.
    let from_log = || log_name.and_then(project_of).map(|p| Cow::Owned(p.to_string()));
    match nonempty(from_resource) {
        Some(res) if is_number(&res) => from_log().filter(|log| !is_number(log)).or(Some(res)),
        Some(res) => Some(res),
        None => from_log(),
    }
}

fn project_of(log_name: &str) -> Option<&str> {
    let rest = log_name.strip_prefix("projects/")?;
    rest.split('/').next().filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::redact::default_redactor;

    #[test]
    fn canonical_severities_read_as_any_severity_is_read() {
        for severity in Severity::ALL {
            let quoted = format!("\"{}\"", severity.name());
            assert_eq!(canonical_severity(&quoted), Some(severity));
            assert_eq!(Severity::parse_loose(severity.name()), Some(severity), "{quoted}");
        }
        assert_eq!(canonical_severity("\"warning\""), None, "left to the general reading");
    }

    /// A payload's error object reads the same from a sink's one-line entry and from gcloud's
    /// pretty-printed one: whitespace between tokens goes, whitespace in strings stays.
    #[test]
    fn nested_values_in_a_message_read_alike_however_printed() {
        let pretty = "{\n  \"type\": \"Operational Error\",\n  \"codes\": [ 1, 2 ],\n  \"q\": \"a \\\" b\"\n}";
        let one_line = r#"{"type":"Operational Error","codes":[1,2],"q":"a \" b"}"#;
        assert_eq!(json_text(pretty), one_line);
        assert!(matches!(json_text(one_line), Cow::Borrowed(_)), "nothing to take out");
        let message = |error: &str| {
            let payload = format!(r#"{{"message": "post failed", "error": {error}}}"#);
            let raw: &RawValue = serde_json::from_str(&payload).unwrap();
            json_payload_message(raw, default_redactor()).0.into_owned()
        };
        assert_eq!(message(pretty), message(one_line));
        assert_eq!(message(one_line), format!("post failed: {one_line}"));
    }

    /// `httpRequest` as the scanner reads it and as serde does, or both refuse it.
    #[test]
    fn http_request_as_serde_reads_it() {
        let requests = [
            r#"{"requestMethod": "GET", "requestUrl": "https://x/a?b=1", "status": 503}"#,
            r#"{"request_method": "post", "status": "404", "latency": "0.2s", "userAgent": "a\"b"}"#,
            r#"{"requestUrl": "/p\u00e9", "status": null, "requestMethod": null}"#,
            r#"{"status": 200, "status": 500}"#,
            r#"{"requestMethod": 7}"#,
            r#"{}"#,
        ];
        for raw in requests {
            let scanned = HttpRequest::scan(raw).map(|h| format!("{h:?}")).ok();
            let by_serde =
                serde_json::from_str::<HttpRequest>(raw).map(|h| format!("{:?}", Some(h))).ok();
            assert_eq!(scanned, by_serde, "{raw}");
        }
        assert!(HttpRequest::scan(r#"{"status": 200, "status": 500}"#).is_err());
    }

    /// The scanner reads a payload's fields as serde's derived reader does: the same raw texts,
    /// `null` as absent, aliases, and nothing at all for a field named twice or a non-object.
    #[test]
    fn payload_fields_as_serde_reads_them() {
        let payloads = [
            r#"{"message": "boom", "severity": "ERROR", "logger": "app.db"}"#,
            r#"{"msg": "a \"quoted\" word", "level": 50, "name": null}"#,
            r#"{"event": "login", "stackTrace": "at x", "loggerName": "n", "extra": {"message": 1}}"#,
            r#"{"message": "one", "message": "two"}"#,
            r#"{"stack_trace": "a", "stackTrace": "b"}"#,
            r#"{"kind": "Event", "reason": "BackOff", "message": [1, 2], "error": {"code": 5}}"#,
            r#"{"mess\u0061ge": "escaped key"}"#,
            r#"  {"levelname": "WARNING" , "exc_info" : "Traceback"}  "#,
            r#"[1, 2]"#,
            r#"{}"#,
        ];
        for raw in payloads {
            let scanned = JsonPayload::read(raw);
            let by_serde: JsonPayload = serde_json::from_str::<SerdePayload>(raw.trim())
                .map(JsonPayload::from)
                .unwrap_or_default();
            assert_eq!(format!("{scanned:?}"), format!("{by_serde:?}"), "{raw}");
        }
        assert_eq!(JsonPayload::read(r#"{"message": "x", "message": "y"}"#).message, None);
        assert_eq!(JsonPayload::read(r#"{"msg": "hi"}"#).msg, Some(r#""hi""#));
    }

    /// Every entry of the fixtures and the sample: their JSON texts as the files hold them.
    fn fixture_entries() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("samples/netra-staging.json")];
        for dir in ["tests/fixtures/exports", "tests/fixtures/messages"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "json" || x == "ndjson") {
                    files.push(path);
                }
            }
        }
        let mut out = Vec::new();
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let bytes = text.as_bytes();
            let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
            if bytes.get(start) == Some(&b'[') {
                let (spans, _) = crate::read::json_split::split_array(bytes, start);
                out.extend(spans.iter().map(|s| text[s.start..s.end].to_string()));
            } else {
                out.extend(text.lines().filter(|l| l.starts_with('{')).map(str::to_string));
            }
        }
        out
    }

    /// The scanner reads every entry exactly as serde does, or gives up (and serde reads it).
    #[test]
    fn the_scanner_reads_entries_as_serde_does() {
        let entries = fixture_entries();
        assert!(entries.len() > 800, "{} entries", entries.len());
        let mut scanned = 0;
        for text in &entries {
            let Ok(fast) = scan_entry(text) else { continue };
            scanned += 1;
            let slow: LogEntry =
                serde_json::from_str(text).expect("serde reads what the scanner reads");
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
        }
        assert!(scanned * 10 > entries.len() * 9, "the scanner reads most entries ({scanned})");
    }

    /// Cut or changed anywhere, an entry the scanner still reads, serde reads alike.
    #[test]
    fn the_scanner_never_takes_what_serde_refuses() {
        let entries = fixture_entries();
        for (n, text) in entries.iter().enumerate().step_by(7) {
            let b = text.as_bytes();
            for k in 0..24 {
                let at = (n * 31 + k * 97) % b.len();
                let mut cut = b[..at].to_vec();
                let mut changed = b.to_vec();
                changed[at] = [b'"', b'}', b',', b'\\', 0x01, b'x', b':', b' '][k % 8];
                for variant in [&mut cut, &mut changed] {
                    let Ok(v) = std::str::from_utf8(variant) else { continue };
                    if let Ok(fast) = scan_entry(v) {
                        let slow = serde_json::from_str::<LogEntry>(v);
                        assert!(slow.is_ok(), "the scanner took what serde refuses: {v}");
                        assert_eq!(format!("{fast:?}"), format!("{:?}", slow.unwrap()));
                    }
                }
            }
        }
    }

    fn parse(json: &str) -> Record<'static> {
        parse_entry(json.as_bytes(), default_redactor()).unwrap().into_owned()
    }

    #[test]
    fn cloud_run_json_payload() {
        let rec = parse(
            r#"{"insertId":"abc","jsonPayload":{"message":"Agent handler setup failed","logger":"netra.ws"},
            "logName":"projects/netra-staging/logs/run.googleapis.com%2Fstderr",
            "resource":{"type":"cloud_run_revision","labels":{"service_name":"backend","revision_name":"backend-00184-vhc","project_id":"netra-staging"}},
            "severity":"ERROR","timestamp":"2025-09-11T05:17:11.373739Z"}"#,
        );
        assert_eq!(rec.severity, Severity::Error);
        assert!(!rec.severity_inferred);
        assert_eq!(rec.service, "backend");
        assert_eq!(rec.revision.as_deref(), Some("backend-00184-vhc"));
        assert_eq!(rec.project.as_deref(), Some("netra-staging"));
        assert_eq!(rec.component.as_deref(), Some("netra.ws"));
        assert_eq!(rec.message, "Agent handler setup failed");
        assert_eq!(rec.time.unwrap().to_rfc3339(), "2025-09-11T05:17:11.373739Z");
        assert_eq!(rec.insert_id.as_deref(), Some("abc"));
    }

    #[test]
    fn numeric_severity_snake_case_and_receive_timestamp() {
        let rec = parse(
            r#"{"severity":500,"text_payload":"boom","receive_timestamp":"2025-09-11T05:00:00.5Z",
                "log_name":"projects/p/logs/app"}"#,
        );
        assert_eq!(rec.severity, Severity::Error);
        assert_eq!(rec.message, "boom");
        assert_eq!(rec.service, "app");
        assert_eq!(rec.project.as_deref(), Some("p"));
        assert_eq!(rec.time.unwrap().to_rfc3339(), "2025-09-11T05:00:00.5Z");
    }

    #[test]
    fn severity_inferred_from_payload_and_text() {
        let rec = parse(r#"{"jsonPayload":{"message":"slow","level":"warning"}}"#);
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Warning, true));
        let rec = parse(r#"{"severity":"DEFAULT","textPayload":"ERROR:root:cache miss storm"}"#);
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Error, true));
        let rec = parse(r#"{"textPayload":"just a line"}"#);
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Default, false));
    }

    /// pino and bunyan write `level` as a number of their own scale; on a jsonPayload or as
    /// the whole text it is the entry's severity, and 30 stays INFO.
    #[test]
    fn pino_numeric_levels_in_payloads_and_texts() {
        let cases = [
            (r#"{"jsonPayload":{"level":50,"msg":"upstream timeout"}}"#, Severity::Error),
            (r#"{"jsonPayload":{"level":60,"msg":"out of memory"}}"#, Severity::Critical),
            (r#"{"jsonPayload":{"level":40,"msg":"slow query"}}"#, Severity::Warning),
            (r#"{"jsonPayload":{"level":30,"msg":"request errored count reset"}}"#, Severity::Info),
            (r#"{"jsonPayload":{"level":20,"msg":"cache lookup"}}"#, Severity::Debug),
            (r#"{"jsonPayload":{"level":10,"msg":"enter"}}"#, Severity::Debug),
            (r#"{"textPayload":"{\"level\":50,\"msg\":\"boom\"}"}"#, Severity::Error),
            (r#"{"textPayload":"{\"level\": 30, \"msg\": \"errors: 0\"}"}"#, Severity::Info),
        ];
        for (json, want) in cases {
            let rec = parse(json);
            assert_eq!((rec.severity, rec.severity_inferred), (want, true), "{json}");
        }
        // Only `level` holds pino's scale; other numbers keep Cloud Logging's.
        let rec = parse(r#"{"jsonPayload":{"severity":50,"msg":"x"}}"#);
        assert_eq!(rec.severity, Severity::Default);
        let rec = parse(r#"{"jsonPayload":{"level":500,"msg":"x"}}"#);
        assert_eq!(rec.severity, Severity::Error);
        let rec = parse(r#"{"jsonPayload":{"level":55,"msg":"x"}}"#);
        assert_eq!(rec.severity, Severity::Default);
    }

    fn gke(log: &str, severity: &str, payload: &str) -> Record<'static> {
        parse(&format!(
            r#"{{"logName":"projects/p/logs/{log}","severity":"{severity}",
                "resource":{{"type":"k8s_container","labels":{{"namespace_name":"ns","container_name":"app"}}}},
                {payload}}}"#
        ))
    }

    /// GKE gives every stderr line ERROR: a level the line states wins, up or down, and the
    /// message loses its prefix; a line that states none stays ERROR.
    #[test]
    fn gke_stderr_error_gives_way_to_a_stated_level() {
        let cases = [
            (
                r#""textPayload":"INFO:root:Starting pusher on port 8080""#,
                Severity::Info,
                "Starting pusher on port 8080",
            ),
            (
                r#""textPayload":"[2025-10-14 16:00:04 +0000] [1] [INFO] Booting worker""#,
                Severity::Info,
                "Booting worker",
            ),
            (
                r#""textPayload":"time=2025 level=info msg=ok""#,
                Severity::Info,
                "time=2025 level=info msg=ok",
            ),
            (
                r#""textPayload":"I1014 09:00:02.323456       1 leaderelection.go:258] acquired lease""#,
                Severity::Info,
                "acquired lease",
            ),
            (
                r#""textPayload":"W1014 09:00:01.223456       1 warnings.go:70] deprecated""#,
                Severity::Warning,
                "deprecated",
            ),
            (
                r#""textPayload":"F1014 09:00:01.223456       1 main.go:70] cannot start""#,
                Severity::Critical,
                "cannot start",
            ),
            (r#""jsonPayload":{"level":"info","msg":"served"}"#, Severity::Info, "served"),
            (
                r#""textPayload":"panic: runtime error: index out of range""#,
                Severity::Critical,
                "panic: runtime error: index out of range",
            ),
        ];
        for (payload, want, message) in cases {
            let rec = gke("stderr", "ERROR", payload);
            assert_eq!((rec.severity, rec.message.as_ref()), (want, message), "{payload}");
            assert!(rec.severity_inferred, "{payload}");
        }
        // No stated level: the stream's ERROR stays, as declared.
        let rec = gke("stderr", "ERROR", r#""textPayload":"LiteLLM completion() model= x""#);
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Error, false));
        let rec = gke("stderr", "ERROR", r#""textPayload":"ERROR:pusher.ws:send failed""#);
        assert_eq!((rec.severity, rec.message.as_ref()), (Severity::Error, "send failed"));
        // Only GKE's stderr: another log's or another resource's ERROR is the line's.
        let rec = gke("app", "ERROR", r#""textPayload":"INFO:root:Starting""#);
        assert_eq!(rec.severity, Severity::Error);
        let rec = parse(
            r#"{"logName":"projects/p/logs/run.googleapis.com%2Fstderr","severity":"ERROR",
                "resource":{"type":"cloud_run_revision"},"textPayload":"INFO:root:Starting"}"#,
        );
        assert_eq!(rec.severity, Severity::Error);
    }

    /// Cloud Functions (1st gen) writes its `finished with status: 'timeout'` at DEBUG.
    #[test]
    fn function_timeouts_written_at_debug_are_errors() {
        let entry = |text: &str| {
            parse(&format!(
                r#"{{"logName":"projects/p/logs/cloudfunctions.googleapis.com%2Fcloud-functions",
                    "severity":"DEBUG","resource":{{"type":"cloud_function"}},"textPayload":"{text}"}}"#
            ))
        };
        let rec = entry("Function execution took 60003 ms, finished with status: 'timeout'");
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Error, true));
        // Keyed by its outcome: a timeout and a crash are two issues.
        assert_eq!(rec.audit.map(|call| call.status), Some("timeout"));
        let rec = entry("Function execution took 1204 ms, finished with status: 'crash'");
        assert_eq!(rec.audit.map(|call| call.status), Some("crash"));
        let rec = entry("Function execution took 12 ms, finished with status: 'ok'");
        assert_eq!((rec.severity, rec.severity_inferred), (Severity::Debug, false));
        let rec = entry("Function execution took 88 ms, finished with status code: 200");
        assert_eq!(rec.severity, Severity::Debug);
    }

    #[test]
    fn request_logs_become_http_lines() {
        let rec = parse(
            r#"{"httpRequest":{"requestMethod":"post","requestUrl":"https://x.run.app/api/threads/42/messages?token=abc","status":503},
                "logName":"projects/p/logs/run.googleapis.com%2Frequests"}"#,
        );
        assert_eq!(rec.message, "HTTP 503 POST /api/threads/42/messages");
        assert_eq!(rec.severity, Severity::Error);
        assert_eq!(rec.request.unwrap().status, 503);
    }

    #[test]
    fn payload_without_message_keeps_fields_but_not_secrets() {
        let rec = parse(r#"{"jsonPayload":{"event":"login","password":"hunter2"}}"#);
        assert!(rec.message.contains("login"));
        assert!(!rec.message.contains("hunter2"));
    }

    #[test]
    fn resources_name_services_and_audit_logs_their_service() {
        let rec = parse(
            r#"{"resource":{"type":"k8s_pod","labels":{"namespace_name":"shop","pod_name":"checkout-6d8f9c7b5-x2x4q"}},
                "logName":"projects/p/logs/events","textPayload":"Back-off"}"#,
        );
        assert_eq!((rec.service.as_ref(), rec.revision), ("shop/checkout", None));
        let rec = parse(
            r#"{"resource":{"type":"gce_instance","labels":{"instance_id":"42"}},
                "logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity",
                "protoPayload":{"serviceName":"compute.googleapis.com","methodName":"v1.compute.instances.stop"}}"#,
        );
        assert_eq!(rec.service, "compute.googleapis.com");
        let rec =
            parse(r#"{"logName":"projects/p/logs/run.googleapis.com%2Fstderr","textPayload":"x"}"#);
        assert_eq!(rec.service, "unknown", "a Google log name is not a service");
    }

    #[test]
    fn queues_subscriptions_and_dataflow_jobs_are_services() {
        let place = |resource: &str| {
            let json = format!(
                r#"{{"resource":{resource},"logName":"projects/shop/logs/x","textPayload":"t"}}"#
            );
            let rec = parse(&json);
            (rec.service.to_string(), rec.revision.map(|r| r.to_string()), rec.project)
        };
        let queue = place(r#"{"type":"cloud_tasks_queue","labels":{"queue_id":"email-send"}}"#);
        assert_eq!(queue.0, "email-send", "not the resource type: queues are told apart");
        let sub = r#"{"type":"pubsub_subscription","labels":{"subscription_id":"orders-push"}}"#;
        assert_eq!(place(sub).0, "orders-push");
        let job = r#"{"type":"cloud_scheduler_job","labels":{"job_id":"nightly"}}"#;
        assert_eq!(place(job).0, "nightly");
        let flow = place(
            r#"{"type":"dataflow_step","labels":{"job_name":"ingest","job_id":"2025-10-14_01_02_03-123","project_id":"8123456789"}}"#,
        );
        assert_eq!(
            (flow.0.as_str(), flow.1.as_deref()),
            ("ingest", Some("2025-10-14_01_02_03-123"))
        );
        assert_eq!(flow.2.as_deref(), Some("shop"), "the log's project, not the resource's number");
    }

    #[test]
    fn kubernetes_events_say_their_reason() {
        let rec = parse(
            r#"{"jsonPayload":{"kind":"Event","reason":"FailedScheduling","type":"Warning",
                "message":"0/3 nodes are available: 3 Insufficient memory."}}"#,
        );
        assert_eq!(
            rec.message,
            "FailedScheduling: 0/3 nodes are available: 3 Insufficient memory."
        );
        // `reason` elsewhere is a field like any other.
        let rec = parse(r#"{"jsonPayload":{"reason":"quota","message":"denied"}}"#);
        assert_eq!(rec.message, "denied");
    }

    #[test]
    fn task_and_scheduler_attempts_are_calls_with_their_status() {
        let rec = parse(
            r#"{"severity":"ERROR","jsonPayload":{"@type":"type.googleapis.com/google.cloud.tasks.logging.v1.TaskActivityLog",
                "targetAddress":"POST https://mailer.example.com/send?token=abc",
                "attemptResponseLog":{"status":"NOT_FOUND","dispatchCount":"1"}}}"#,
        );
        assert_eq!(rec.message, "task attempt POST /send NOT_FOUND");
        let call = rec.audit.unwrap();
        assert_eq!((call.method.as_str(), call.status), ("task attempt POST /send", "NOT_FOUND"));
        let rec = parse(
            r#"{"severity":"ERROR","jsonPayload":{"@type":"type.googleapis.com/google.cloud.scheduler.logging.AttemptFinished",
                "url":"https://reports.example.com/run?key=sk_live_x","status":"UNAVAILABLE"},"httpRequest":{"status":503}}"#,
        );
        assert_eq!(rec.message, "job attempt /run UNAVAILABLE");
        // The path is the issue's key and title: a secret in it is redacted there too.
        let rec = parse(
            r#"{"severity":"ERROR","jsonPayload":{"@type":"type.googleapis.com/google.cloud.tasks.logging.v1.TaskActivityLog",
                "targetAddress":"POST https://hooks.example.com/notify/ada.lovelace@example.com",
                "attemptResponseLog":{"status":"UNAVAILABLE"}}}"#,
        );
        let call = rec.audit.unwrap();
        assert!(!call.method.contains("ada.lovelace"), "{}", call.method);
        assert!(!rec.message.contains("ada.lovelace"), "{}", rec.message);
        // Other payloads with a type are read as before.
        let rec = parse(r#"{"jsonPayload":{"@type":"x.Other","message":"hello"}}"#);
        assert_eq!((rec.message.as_ref(), rec.audit.is_none()), ("hello", true));
    }

    #[test]
    fn app_engine_request_logs_show_the_request_and_the_worst_app_line() {
        let json = br#"{"severity":"ERROR","httpRequest":{"status":500},
            "protoPayload":{"@type":"type.googleapis.com/google.appengine.logging.v1.RequestLog",
              "method":"POST","resource":"/checkout?session=abc","status":500,
              "line":[{"severity":"INFO","logMessage":"Handling order 1000"},
                      {"severity":"ERROR","logMessage":"AttributeError: 'NoneType' object has no attribute 'total'"},
                      {"severity":"WARNING","logMessage":"slow"}]}}"#;
        let (rec, notes) = parse_entry_from(json, default_redactor(), Severity::Default).unwrap();
        assert!(
            notes.is_empty(),
            "a number as status is RequestLog's, not an odd field: {notes:?}"
        );
        assert_eq!(rec.message, "AttributeError: 'NoneType' object has no attribute 'total'");
        let req = rec.request.unwrap();
        assert_eq!(
            (req.status, req.method.as_str(), req.path.as_str()),
            (500, "POST", "/checkout")
        );
    }

    #[test]
    fn odd_fields_are_left_out_and_noted_without_their_text() {
        let json =
            br#"{"httpRequest":"GET /login?password=hunter2","textPayload":"boom","insertId":7}"#;
        let (rec, notes) = parse_entry_from(json, default_redactor(), Severity::Default).unwrap();
        assert_eq!((rec.message.as_ref(), rec.insert_id.as_deref()), ("boom", Some("7")));
        let reasons: Vec<&str> = notes.iter().map(|n| n.reason).collect();
        assert_eq!(
            reasons,
            ["field of unexpected type ignored", "field of unexpected type converted"]
        );
        assert!(notes.iter().all(|n| !n.detail.contains("hunter2")));
        // Not a LogEntry: said what it is, never read as an empty entry.
        let err = parse_entry(br#"["2025-09-11T05:00:00Z", "x"]"#, default_redactor()).unwrap_err();
        assert_eq!(err.detail, "a JSON array, where a LogEntry object belongs");
        let err = parse_entry(br#"{"retries": 3}"#, default_redactor()).unwrap_err();
        assert!(err.detail.ends_with("its keys: retries"), "{}", err.detail);
    }

    #[test]
    fn bad_entries_say_why() {
        let err = parse_entry(b"[1,2]", default_redactor()).unwrap_err();
        assert_eq!(err.reason, "not a LogEntry object");
        let err = parse_entry(b"{\"a\":", default_redactor()).unwrap_err();
        assert_eq!(err.reason, "entry cut off");
        let err = parse_entry(b"{\"a\": tru}", default_redactor()).unwrap_err();
        assert_eq!(err.reason, "invalid JSON");
        let err = parse_entry(b"{\"textPayload\": \"a\x00b\"}", default_redactor()).unwrap_err();
        assert_eq!(err.reason, "control character (such as NUL) inside a string");
        let deep = format!("{{\"jsonPayload\": {}{}}}", "[".repeat(200), "]".repeat(200));
        // A payload too deep to walk is still read: its text becomes the message.
        let rec = parse_entry(deep.as_bytes(), default_redactor()).unwrap();
        assert!(rec.message.starts_with("[[[["));
    }
}
