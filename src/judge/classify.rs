//! Error classes recognized with certainty from a message's text: the exception name or a
//! phrase only that failure writes. A class drives default priorities and "what to check".
//!
//! Some classes have subtypes, named where the message says which (a playbook entry
//! `"type_error.await"` applies to those only):
//!
//! | class | subtype | the message says |
//! |---|---|---|
//! | `type_error` | `await` | `can't be used in 'await' expression`, `can't be awaited` |
//! | `type_error` | `missing_argument` | `missing N required positional/keyword-only argument(s)` |
//! | `type_error` | `unexpected_argument` | `got an unexpected keyword argument`, `takes N positional arguments but M were given` |
//! | `type_error` | `not_callable` | `object is not callable` |
//! | `import_error` | `module_not_found` | `No module named`, `ModuleNotFoundError` |
//! | `import_error` | `cannot_import_name` | `cannot import name` |

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
    /// A request the load balancer's security policy (Cloud Armor) refused:
    /// `denied_by_security_policy`, `throttled_by_security_policy`.
    PolicyBlock,
}

impl ErrorClass {
    /// The names rules files use, in the order of the enum.
    pub(crate) const NAMES: [&'static str; 10] = [
        "import_error",
        "type_error",
        "attribute_error",
        "name_error",
        "startup_failure",
        "connection_failure",
        "timeout",
        "memory_pressure",
        "auth_failure",
        "policy_block",
    ];
    const ALL: [ErrorClass; 10] = [
        ErrorClass::ImportError,
        ErrorClass::TypeError,
        ErrorClass::AttributeError,
        ErrorClass::NameError,
        ErrorClass::StartupFailure,
        ErrorClass::ConnectionFailure,
        ErrorClass::Timeout,
        ErrorClass::MemoryPressure,
        ErrorClass::AuthFailure,
        ErrorClass::PolicyBlock,
    ];

    pub(crate) fn from_name(name: &str) -> Option<ErrorClass> {
        Self::NAMES.iter().position(|&n| n == name).map(|i| Self::ALL[i])
    }

    /// The name rules files use.
    pub(crate) fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|&c| c == self).expect("every class is listed")]
    }

    /// The subtypes of the class (see the module doc), as playbook keys name them.
    pub(crate) fn subtypes(self) -> &'static [&'static str] {
        match self {
            ErrorClass::TypeError => {
                &["await", "missing_argument", "unexpected_argument", "not_callable"]
            }
            ErrorClass::ImportError => &["module_not_found", "cannot_import_name"],
            _ => &[],
        }
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
            ErrorClass::PolicyBlock => "blocked by a security policy",
        }
    }
}

/// What a load balancer's word on a response (the request template's closing `(detail)`, see
/// `group::request::template`) says failed, where the status alone does not: a 502 it could not
/// connect for is a connection failure, a `backend_timeout` a timeout. `text` is the template,
/// then the first example on the lines after it.
fn balancer_detail_class(text: &str) -> Option<ErrorClass> {
    let template = text.lines().next()?;
    let (_, detail) = template.strip_suffix(')')?.rsplit_once(" (")?;
    if detail.ends_with("_by_security_policy") {
        // Cloud Armor refused it: no credentials or IAM binding to check, a policy's rule.
        Some(ErrorClass::PolicyBlock)
    } else if detail.contains("timeout") {
        Some(ErrorClass::Timeout)
    } else if detail.starts_with("failed_to_connect")
        || detail.contains("connection_closed")
        || detail.contains("connection_reset")
        || matches!(detail, "failed_to_pick_backend" | "no_healthy_upstream")
    {
        Some(ErrorClass::ConnectionFailure)
    } else {
        None
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
        if let Some(class) = balancer_detail_class(text) {
            return Some(class);
        }
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

/// The subtype of a message of `class` (see the module doc), when its text says which.
pub(crate) fn subtype(class: ErrorClass, text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    let has = |p: &str| t.contains(p);
    match class {
        ErrorClass::TypeError
            if has("can't be used in 'await' expression") || has("can't be awaited") =>
        {
            Some("await")
        }
        ErrorClass::TypeError
            if has("required positional argument") || has("required keyword-only argument") =>
        {
            Some("missing_argument")
        }
        ErrorClass::TypeError
            if has("unexpected keyword argument")
                || has("positional argument") && has(" were given") =>
        {
            Some("unexpected_argument")
        }
        ErrorClass::TypeError if has("object is not callable") => Some("not_callable"),
        ErrorClass::ImportError if has("cannot import name") => Some("cannot_import_name"),
        ErrorClass::ImportError if has("no module named") || has("modulenotfounderror") => {
            Some("module_not_found")
        }
        _ => None,
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

    #[test]
    fn a_load_balancers_detail_says_what_failed() {
        let c = |template: &str, status| classify(template, None, Some(status));
        let connection = Some(ErrorClass::ConnectionFailure);
        assert_eq!(c("HTTP 502 POST /a (failed_to_connect_to_backend)", 502), connection);
        assert_eq!(
            c("HTTP 502 POST /a (backend_connection_closed_before_data_sent_to_client)", 502),
            connection
        );
        assert_eq!(c("HTTP 503 GET /v1/<*> (no_healthy_upstream)", 503), connection);
        assert_eq!(c("HTTP 504 GET /a (backend_timeout)", 504), Some(ErrorClass::Timeout));
        assert_eq!(c("HTTP 502 GET /a (backend_timeout)", 502), Some(ErrorClass::Timeout));
        // As the judge asks: the template, then the first example.
        assert_eq!(c("HTTP 502 GET /a (failed_to_connect_to_backend)\n{\"x\":1}", 502), connection);
        // The backend's own status, and a detail that names no failure: the status decides.
        assert_eq!(c("HTTP 500 GET /a (response_sent_by_backend)", 500), None);
        let policy = Some(ErrorClass::PolicyBlock);
        assert_eq!(c("HTTP 403 GET /a (denied_by_security_policy)", 403), policy);
        assert_eq!(c("HTTP 429 GET /a (throttled_by_security_policy)", 429), policy);
        assert_eq!(c("HTTP 403 GET /a", 403), Some(ErrorClass::AuthFailure));
    }

    #[test]
    fn subtypes_from_the_message() {
        let t = ErrorClass::TypeError;
        assert_eq!(subtype(t, "object M can't be used in 'await' expression"), Some("await"));
        assert_eq!(
            subtype(t, "create_server_message() missing 1 required positional argument: 'data'"),
            Some("missing_argument")
        );
        assert_eq!(
            subtype(t, "Exception 'bool' object is not callable in staging"),
            Some("not_callable")
        );
        assert_eq!(
            subtype(t, "f() takes 2 positional arguments but 3 were given"),
            Some("unexpected_argument")
        );
        assert_eq!(subtype(t, "TypeError: unsupported operand"), None);
        assert_eq!(
            subtype(ErrorClass::ImportError, "No module named 'x'"),
            Some("module_not_found")
        );
        assert_eq!(subtype(ErrorClass::Timeout, "timed out"), None);
        for c in ErrorClass::ALL {
            assert_eq!(ErrorClass::from_name(c.name()), Some(c));
        }
    }
}
