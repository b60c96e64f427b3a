//! Error classes recognized with certainty from a message's text: the exception name or a
//! phrase only that failure writes. A class drives default priorities and "what to check".

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorClass {
    /// `ModuleNotFoundError`, `ImportError`, `No module named`, `cannot import name`.
    ImportError,
    /// Wrong call signature, awaiting a non-awaitable, calling a non-callable.
    TypeError,
    /// `AttributeError`, `has no attribute`.
    AttributeError,
    /// `NameError`, `is not defined`.
    NameError,
    /// The application or a worker failed to start.
    StartupFailure,
    /// `Connection refused`, `Failed to connect`, DNS failures.
    ConnectionFailure,
    /// `timed out`, `TimeoutError`, `DeadlineExceeded`, `deadline exceeded`.
    Timeout,
    /// `MemoryError`, `out of memory`, `OOMKilled`, memory limit exceeded.
    MemoryPressure,
    /// 401/403, `permission denied`, `unauthorized`, invalid credentials.
    AuthFailure,
}

impl ErrorClass {
    /// The names rules files use, in the order of the enum.
    pub(crate) const NAMES: [&'static str; 9] = [
        "import_error",
        "type_error",
        "attribute_error",
        "name_error",
        "startup_failure",
        "connection_failure",
        "timeout",
        "memory_pressure",
        "auth_failure",
    ];
    const ALL: [ErrorClass; 9] = [
        ErrorClass::ImportError,
        ErrorClass::TypeError,
        ErrorClass::AttributeError,
        ErrorClass::NameError,
        ErrorClass::StartupFailure,
        ErrorClass::ConnectionFailure,
        ErrorClass::Timeout,
        ErrorClass::MemoryPressure,
        ErrorClass::AuthFailure,
    ];

    pub(crate) fn from_name(name: &str) -> Option<ErrorClass> {
        Self::NAMES.iter().position(|&n| n == name).map(|i| Self::ALL[i])
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            ErrorClass::ImportError => "import error",
            ErrorClass::TypeError => "type error (wrong call or await)",
            ErrorClass::AttributeError => "attribute error",
            ErrorClass::NameError => "name error",
            ErrorClass::StartupFailure => "startup failure",
            ErrorClass::ConnectionFailure => "connection failure",
            ErrorClass::Timeout => "timeout",
            ErrorClass::MemoryPressure => "memory pressure",
            ErrorClass::AuthFailure => "authentication/authorization failure",
        }
    }
}

/// The class of a message (template or example) and, for tracebacks, its exception type.
pub(crate) fn classify(
    text: &str,
    exception: Option<&str>,
    http_status: Option<u16>,
) -> Option<ErrorClass> {
    let exc = exception.map(|e| e.rsplit('.').next().unwrap_or(e));
    match exc {
        Some("ModuleNotFoundError" | "ImportError") => return Some(ErrorClass::ImportError),
        Some("TypeError") => return Some(ErrorClass::TypeError),
        Some("AttributeError") => return Some(ErrorClass::AttributeError),
        Some("NameError" | "UnboundLocalError") => return Some(ErrorClass::NameError),
        Some("MemoryError") => return Some(ErrorClass::MemoryPressure),
        Some("TimeoutError" | "ReadTimeout" | "ConnectTimeout" | "DeadlineExceeded") => {
            return Some(ErrorClass::Timeout)
        }
        Some("ConnectionRefusedError" | "ConnectionError" | "ConnectionResetError") => {
            return Some(ErrorClass::ConnectionFailure)
        }
        _ => {}
    }
    if let Some(status) = http_status {
        return match status {
            401 | 403 => Some(ErrorClass::AuthFailure),
            504 => Some(ErrorClass::Timeout),
            _ => None,
        };
    }
    let t = text.to_ascii_lowercase();
    let has = |p: &str| t.contains(p);
    if has("no module named")
        || has("modulenotfounderror")
        || has("importerror")
        || has("cannot import name")
    {
        Some(ErrorClass::ImportError)
    } else if has("missing 1 required positional argument")
        || has("required positional argument")
        || has("unexpected keyword argument")
        || has("can't be used in 'await' expression")
        || has("object is not callable")
        || has("takes ") && has(" positional argument")
        || has("typeerror")
    {
        Some(ErrorClass::TypeError)
    } else if has("has no attribute") || has("attributeerror") {
        Some(ErrorClass::AttributeError)
    } else if has("nameerror") || has("is not defined") && has("name ") {
        Some(ErrorClass::NameError)
    } else if has("application startup failed")
        || has("worker failed to boot")
        || has("failed to start")
        || has("startup failed")
        || has("startup validation fail")
        || has("container failed to start")
    {
        Some(ErrorClass::StartupFailure)
    } else if has("out of memory") || has("oomkilled") || has("memory limit") || has("memoryerror")
    {
        Some(ErrorClass::MemoryPressure)
    } else if has("timed out") || has("timeout") || has("deadline exceeded") {
        Some(ErrorClass::Timeout)
    } else if has("connection refused")
        || has("failed to connect")
        || has("could not connect")
        || has("connection reset")
        || has("name or service not known")
        || has("connection error")
    {
        Some(ErrorClass::ConnectionFailure)
    } else if has("permission denied")
        || has("unauthorized")
        || has("forbidden")
        || has("invalid credentials")
    {
        Some(ErrorClass::AuthFailure)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_from_text_and_exception() {
        let c = |t: &str| classify(t, None, None);
        assert_eq!(
            c("Agent handler setup failed: No module named 'x.y'"),
            Some(ErrorClass::ImportError)
        );
        assert_eq!(
            c("WebSocket manager creation failed: object M can't be used in 'await' expression"),
            Some(ErrorClass::TypeError)
        );
        assert_eq!(
            c("create_server_message() missing 1 required positional argument: 'data'"),
            Some(ErrorClass::TypeError)
        );
        assert_eq!(
            c("Failed to connect to Redis at <*>: Connection refused"),
            Some(ErrorClass::ConnectionFailure)
        );
        assert_eq!(c("request_id <*> has invalid format"), None);
        assert_eq!(classify("'\"timestamp\"'", Some("KeyError"), None), None);
        assert_eq!(classify("x", Some("builtins.TypeError"), None), Some(ErrorClass::TypeError));
        assert_eq!(classify("HTTP 403 GET /a", None, Some(403)), Some(ErrorClass::AuthFailure));
        assert_eq!(classify("HTTP 503 GET /a", None, Some(503)), None);
    }
}
