//! Application JSON logs: one JSON object a line as programs write them to stdout or a file and
//! as `kubectl logs`, `docker logs` and log shippers save them, not as Cloud Logging stores
//! them. zap (`ts`, `msg`, `stacktrace`), logrus and slog (`time`, `level`, `msg`), pino and
//! bunyan (numeric `level`, `time` in milliseconds, `err: {type, message, stack}`), structlog
//! (`event`), python-json-logger (`asctime`, `levelname`, `name`, `exc_info`), winston,
//! Serilog's compact JSON (`@t`, `@l`, `@m`), Elastic Common Schema (`@timestamp`,
//! `log.level`, `service.name`), Docker's json-file driver and Fluent Bit (`log`, `stream`,
//! `time`, `kubernetes`), MongoDB (`t.$date`, `s`, `c`, `msg`), and Cloud Logging's own
//! structured-logging lines (`severity`, `message`, `time`) before an agent read them.
//!
//! Such an object, when it has a message, is dressed as the LogEntry the logging agent would
//! have made of it: the object as `jsonPayload` (where the message, level, logger, error and
//! stack are read as for any payload), its time as `timestamp`, and its service (`service`,
//! `app`, `serviceContext.service`, Fluent Bit's `kubernetes` metadata, ...; else the file's
//! name, as for text logs) as a `generic_task` resource; an access-log line's request (pino-http,
//! ECS) as `httpRequest`, so that it counts in the service's health as a request log does.
//! Objects without a message stay "not a LogEntry object".

use serde_json::{Map, Value};

/// Keys that hold the message, in order of preference.
const MESSAGE_KEYS: [&str; 7] = ["message", "msg", "MESSAGE", "event", "@m", "@message", "log"];
/// Keys that hold the time.
const TIME_KEYS: [&str; 9] =
    ["time", "ts", "timestamp", "@timestamp", "@t", "t", "asctime", "date", "datetime"];
/// Level keys the payload reader does not know (it reads `severity`, `level` and `levelname`).
const LEVEL_KEYS: [&str; 5] = ["lvl", "@l", "log.level", "loglevel", "log_level"];
/// Keys that name the service, in order of preference.
const SERVICE_KEYS: [&str; 6] =
    ["service", "service_name", "serviceName", "app", "application", "service.name"];

/// The LogEntry JSON for an application's log object, or `None` when `text` is not an object
/// with a message. `file_service` names the service when the object does not.
pub(crate) fn as_log_entry(text: &str, file_service: &str) -> Option<String> {
    let object: Map<String, Value> = serde_json::from_str(text).ok()?;
    let message = MESSAGE_KEYS.iter().find_map(|k| object.get(*k)?.as_str().map(|m| (*k, m)));
    let (message_key, message) = message?;
    let message = message.trim_end_matches(['\n', '\r']).to_string();
    let time = TIME_KEYS.iter().find_map(|k| object.get(*k)).and_then(time_text);
    let service = service_of(&object).unwrap_or_else(|| file_service.to_string());
    let request = http_request_of(&object);
    let payload = payload_of(object, message_key, message);
    let mut entry = Map::new();
    entry.insert("jsonPayload".into(), Value::Object(payload));
    if let Some(request) = request {
        entry.insert("httpRequest".into(), request);
    }
    if let Some(time) = time {
        entry.insert("timestamp".into(), Value::String(time));
    }
    let labels = Map::from_iter([("job".to_string(), Value::String(service))]);
    let resource = Map::from_iter([
        ("type".to_string(), Value::from("generic_task")),
        ("labels".to_string(), Value::Object(labels)),
    ]);
    entry.insert("resource".into(), Value::Object(resource));
    Some(Value::Object(entry).to_string())
}

/// The object as a payload the LogEntry reader understands: the message under `message`, a
/// level under `level`, an `err` object's message and stack as `error` and `stack_trace`.
fn payload_of(
    mut object: Map<String, Value>,
    message_key: &str,
    message: String,
) -> Map<String, Value> {
    object.remove(message_key);
    object.insert("message".into(), Value::String(message));
    let has_level = ["severity", "level", "levelname"].iter().any(|k| object.contains_key(*k));
    if !has_level {
        let level = LEVEL_KEYS.iter().find_map(|k| dotted(&object, k)).cloned();
        if let Some(level) = level.or_else(|| mongodb_level(&object)) {
            object.insert("level".into(), level);
        }
    }
    // MongoDB names the component that logged under `c`.
    if !["logger", "logger_name", "loggerName", "name"].iter().any(|k| object.contains_key(*k)) {
        if let (Some(Value::String(c)), Some(_)) = (object.get("c"), object.get("s")) {
            object.insert("logger".into(), Value::String(c.clone()));
        }
    }
    if !object.contains_key("error") && !object.contains_key("exception") {
        // MongoDB's `attr.error` (its `msg` is a fixed text; the error says what failed).
        if let Some(error) = dotted(&object, "attr.error").filter(|e| e.is_string()).cloned() {
            object.insert("error".into(), error);
        }
    }
    if !object.contains_key("error") && !object.contains_key("exception") {
        if let Some(Value::Object(err)) = object.get("err").cloned() {
            let text = |k: &str| err.get(k).and_then(Value::as_str);
            let error = match (text("type").or(text("name")), text("message")) {
                (Some(kind), Some(m)) if !m.starts_with(kind) => Some(format!("{kind}: {m}")),
                (_, Some(m)) => Some(m.to_string()),
                (kind, None) => kind.map(str::to_string),
            };
            if let Some(error) = error {
                object.insert("error".into(), Value::String(error));
            }
            if let Some(stack) = text("stack") {
                object.insert("stack".into(), Value::String(stack.to_string()));
            }
            object.remove("err");
        }
    }
    let has_stack = ["stack_trace", "stackTrace", "traceback", "exc_info"]
        .iter()
        .any(|k| object.contains_key(*k));
    if !has_stack {
        if let Some(stack) = ["stacktrace", "stack"].iter().find_map(|k| object.remove(*k)) {
            object.insert("stack_trace".into(), stack);
        }
    }
    object
}

/// The request an access-log line records, as a LogEntry's `httpRequest`: pino-http's `req`
/// and `res` (with `responseTime` in milliseconds), Elastic Common Schema's `http.request`,
/// `http.response` and `url`. Only those shapes: a line that merely names a method and a status
/// may record a call the service made, not one it served.
fn http_request_of(object: &Map<String, Value>) -> Option<Value> {
    let text = |k: &str| dotted(object, k)?.as_str();
    let (method, status, url) = if let (Some(m), Some(s)) =
        (text("req.method"), dotted(object, "res.statusCode").and_then(Value::as_u64))
    {
        (m, s, text("req.originalUrl").or_else(|| text("req.url")))
    } else {
        let m = text("http.request.method")?;
        let s = dotted(object, "http.response.status_code").and_then(Value::as_u64)?;
        (m, s, text("url.original").or_else(|| text("url.path")))
    };
    let mut request = Map::new();
    request.insert("requestMethod".into(), Value::from(method));
    request.insert("status".into(), Value::from(status));
    if let Some(url) = url {
        request.insert("requestUrl".into(), Value::from(url));
    }
    if let Some(ms) = object.get("responseTime").and_then(Value::as_f64) {
        request.insert("latency".into(), Value::from(format!("{:.3}s", ms / 1000.0)));
    }
    Some(Value::Object(request))
}

/// MongoDB's severity letter (`s`: `F`, `E`, `W`, `I`, `D1` to `D5`) as a level.
fn mongodb_level(object: &Map<String, Value>) -> Option<Value> {
    let level = match object.get("s")?.as_str()? {
        "F" => "CRITICAL",
        "E" => "ERROR",
        "W" => "WARNING",
        "I" => "INFO",
        d if d.len() == 2 && d.starts_with('D') => "DEBUG",
        _ => return None,
    };
    Some(Value::from(level))
}

/// A key's value, also where the key is a path into nested objects (`log.level` as written by
/// ECS loggers: `{"log": {"level": "error"}}`).
fn dotted<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if let Some(value) = object.get(key) {
        return Some(value);
    }
    let (head, rest) = key.split_once('.')?;
    match object.get(head)? {
        Value::Object(inner) => dotted(inner, rest),
        _ => None,
    }
}

fn service_of(object: &Map<String, Value>) -> Option<String> {
    let text = |k: &str| dotted(object, k)?.as_str().map(str::trim).filter(|s| !s.is_empty());
    let named = SERVICE_KEYS.iter().chain(&["serviceContext.service"]).find_map(|k| text(k));
    // Fluent Bit's and Fluentd's Kubernetes metadata: the container, as a `k8s_container`
    // entry names its service (`namespace/container`).
    let container = || {
        let container = text("kubernetes.container_name")?;
        Some(match text("kubernetes.namespace_name") {
            Some(namespace) => format!("{namespace}/{container}"),
            None => container.to_string(),
        })
    };
    named.map(str::to_string).or_else(container)
}

/// A time as the LogEntry reader takes it (RFC 3339): text in the forms logging libraries write
/// (`2025-05-26 10:00:01,123` from Python's logging, `2025/05/26 10:00:01` from Go's; a time
/// without a zone is UTC, as Cloud Logging reads it), a number since the epoch. Text in no known
/// form is passed on as written, for the reader to say so.
fn time_text(value: &Value) -> Option<String> {
    use super::time::Timestamp;
    match value {
        // MongoDB's extended JSON: `{"$date": "2025-05-26T10:00:00.123+00:00"}`.
        Value::Object(wrapped) if wrapped.contains_key("$date") => time_text(&wrapped["$date"]),
        Value::String(s) => {
            let usual = || {
                let (date, rest) = s.split_at_checked(10)?;
                let rest = match rest.rsplit_once(',') {
                    Some((clock, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => {
                        format!("{clock}.{fraction}")
                    }
                    _ => rest.to_string(),
                };
                Timestamp::parse_loose(&format!("{}{rest}", date.replace('/', "-")))
            };
            let time = Timestamp::parse_loose(s).or_else(usual);
            Some(time.map_or_else(|| s.clone(), Timestamp::to_rfc3339))
        }
        other => super::lenient::epoch_time(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: &str) -> Value {
        serde_json::from_str(&as_log_entry(line, "api").expect("read as an application log"))
            .unwrap()
    }

    #[test]
    fn zap_lines_keep_message_level_time_error_and_stack() {
        let e = entry(
            r#"{"level":"error","ts":1748253601.456,"caller":"db/pool.go:88","msg":"failed to acquire connection","error":"context deadline exceeded","stacktrace":"main.run\n\t/app/main.go:55"}"#,
        );
        assert_eq!(e["timestamp"], "2025-05-26T10:00:01.456000Z");
        assert_eq!(e["jsonPayload"]["message"], "failed to acquire connection");
        assert_eq!(e["jsonPayload"]["level"], "error");
        assert_eq!(e["jsonPayload"]["stack_trace"], "main.run\n\t/app/main.go:55");
        assert_eq!(e["resource"]["labels"]["job"], "api", "the file names the service");
    }

    #[test]
    fn pino_errors_become_error_and_stack() {
        let e = entry(
            r#"{"level":50,"time":1748253601123,"msg":"db connect failed","err":{"type":"Error","message":"connect ECONNREFUSED","stack":"Error: connect ECONNREFUSED\n    at f (x.js:1:1)"}}"#,
        );
        assert_eq!(e["timestamp"], "2025-05-26T10:00:01.123Z");
        assert_eq!(e["jsonPayload"]["error"], "Error: connect ECONNREFUSED");
        assert!(e["jsonPayload"]["stack_trace"].as_str().unwrap().contains("x.js:1:1"));
        assert!(e["jsonPayload"].get("err").is_none());
    }

    #[test]
    fn services_levels_and_times_under_other_names() {
        let ecs = entry(
            r#"{"@timestamp":"2025-05-26T10:00:00Z","log":{"level":"warn"},"message":"slow","service":{"name":"billing"}}"#,
        );
        assert_eq!(ecs["jsonPayload"]["level"], "warn");
        assert_eq!(ecs["resource"]["labels"]["job"], "billing");
        let serilog = entry(
            r#"{"@t":"2025-05-26T10:00:00.1Z","@l":"Error","@m":"Payment 42 failed","app":"shop"}"#,
        );
        assert_eq!(serilog["jsonPayload"]["message"], "Payment 42 failed");
        assert_eq!(serilog["jsonPayload"]["level"], "Error");
        assert_eq!(serilog["resource"]["labels"]["job"], "shop");
        let docker = entry(
            r#"{"log":"panic: boom\n","stream":"stderr","time":"2025-05-26T10:00:00.123456789Z"}"#,
        );
        assert_eq!(docker["jsonPayload"]["message"], "panic: boom");
        assert_eq!(docker["timestamp"], "2025-05-26T10:00:00.123456789Z");
        let fluent_bit = entry(
            r#"{"log":"boom","stream":"stderr","kubernetes":{"namespace_name":"shop","container_name":"cart","pod_name":"cart-7d9f8c6b5-x2x4q"}}"#,
        );
        assert_eq!(fluent_bit["resource"]["labels"]["job"], "shop/cart");
        let structured =
            entry(r#"{"severity":"ERROR","message":"x","serviceContext":{"service":"worker"}}"#);
        assert_eq!(structured["resource"]["labels"]["job"], "worker");
        assert!(structured.get("timestamp").is_none());
    }

    #[test]
    fn mongodb_lines_keep_time_severity_and_component() {
        let e = entry(
            r#"{"t":{"$date":"2025-05-26T10:00:00.123+00:00"},"s":"E","c":"NETWORK","id":22944,"ctx":"conn12","msg":"Error receiving request from client","attr":{"error":"ProtocolError"}}"#,
        );
        assert_eq!(e["timestamp"], "2025-05-26T10:00:00.123Z");
        assert_eq!(e["jsonPayload"]["level"], "ERROR");
        assert_eq!(e["jsonPayload"]["logger"], "NETWORK");
        assert_eq!(e["jsonPayload"]["message"], "Error receiving request from client");
        assert_eq!(e["jsonPayload"]["error"], "ProtocolError");
    }

    #[test]
    fn times_in_the_forms_logging_libraries_write() {
        let time = |line: &str| entry(line)["timestamp"].as_str().map(str::to_string);
        let python = r#"{"asctime":"2025-05-26 10:00:01,123","levelname":"ERROR","message":"x"}"#;
        assert_eq!(time(python).as_deref(), Some("2025-05-26T10:00:01.123Z"));
        let go = r#"{"time":"2025/05/26 10:00:01","msg":"x"}"#;
        assert_eq!(time(go).as_deref(), Some("2025-05-26T10:00:01Z"));
        let zoned = r#"{"time":"2025-05-26T10:00:02.5+02:00","msg":"x"}"#;
        assert_eq!(time(zoned).as_deref(), Some("2025-05-26T08:00:02.5Z"));
        let unknown = r#"{"time":"yesterday","msg":"x"}"#;
        assert_eq!(time(unknown).as_deref(), Some("yesterday"), "left for the reader to name");
    }

    #[test]
    fn access_log_lines_carry_their_request() {
        let pino = entry(
            r#"{"level":50,"time":1748253601123,"req":{"id":7,"method":"POST","url":"/v1/cart?x=1"},"res":{"statusCode":503},"responseTime":1204,"msg":"request errored"}"#,
        );
        let request = &pino["httpRequest"];
        assert_eq!(
            (request["requestMethod"].as_str(), request["status"].as_u64()),
            (Some("POST"), Some(503))
        );
        assert_eq!(
            (request["requestUrl"].as_str(), request["latency"].as_str()),
            (Some("/v1/cart?x=1"), Some("1.204s"))
        );
        let ecs = entry(
            r#"{"@timestamp":"2025-05-26T10:00:00Z","message":"GET /cart","http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"path":"/cart"}}"#,
        );
        assert_eq!(ecs["httpRequest"]["status"], 200);
        // A method and a status alone may be a call the service made: no request.
        let call = entry(r#"{"msg":"upstream call failed","method":"GET","status":502}"#);
        assert!(call.get("httpRequest").is_none());
    }

    #[test]
    fn objects_without_a_message_are_not_logs() {
        assert_eq!(as_log_entry(r#"{"port": 8080, "env": "prod"}"#, "api"), None);
        assert_eq!(as_log_entry(r#"{"msg": 42}"#, "api"), None);
        assert_eq!(as_log_entry("[1, 2]", "api"), None);
    }
}
