//! Normalize: turns every source's entries into one [`Record`] type.
//!
//! `gcp` maps a Cloud Logging LogEntry, `severity` and `time` own the two fields every source
//! must agree on, `infer` recovers a severity from the payload where the entry carries none,
//! `multiline` reassembles tracebacks written one line per entry, `redact` removes secrets
//! before anything downstream sees a message, and `hash` makes the identities of entries and
//! streams.

pub mod gcp;
pub mod hash;
pub mod infer;
pub mod multiline;
pub mod record;
pub mod redact;
pub mod severity;
pub mod time;

pub use record::Record;
pub use severity::Severity;
