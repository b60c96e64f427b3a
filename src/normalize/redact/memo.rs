//! A small memory, per thread, of recent redactions that had work to do. One message (a
//! middleware's warning, a failing call with a key in its URL) often repeats thousands of times,
//! and running the rules over it was the costliest thing done to most entries. Texts without a
//! trigger are not remembered: their one scan is cheaper than remembering.
use std::cell::RefCell;

/// Direct-mapped: a text's hash picks its slot, a newer text takes it over.
const SLOTS: usize = 1024;
/// Longer texts (stack traces, dumps) are not remembered: they rarely repeat whole.
pub(super) const MAX_TEXT: usize = 2048;

struct Slot {
    /// Which redactor (rules differ between them).
    redactor: u64,
    text: Box<str>,
    /// `None` when redaction changed nothing.
    redacted: Option<Box<str>>,
}

thread_local! {
    static MEMO: RefCell<Vec<Option<Slot>>> = RefCell::new((0..SLOTS).map(|_| None).collect());
}

fn slot_of(text: &str) -> usize {
    (xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as usize) % SLOTS
}

/// What `redactor` made of `text` before on this thread: `Some(None)` for "nothing changed".
pub(super) fn recall(redactor: u64, text: &str) -> Option<Option<String>> {
    MEMO.with(|memo| {
        let memo = memo.borrow();
        let slot = memo[slot_of(text)].as_ref()?;
        (slot.redactor == redactor && &*slot.text == text)
            .then(|| slot.redacted.as_ref().map(|r| r.to_string()))
    })
}

/// Remembers what `redactor` made of `text` (`None`: nothing changed).
pub(super) fn remember(redactor: u64, text: &str, redacted: Option<&str>) {
    MEMO.with(|memo| {
        memo.borrow_mut()[slot_of(text)] =
            Some(Slot { redactor, text: text.into(), redacted: redacted.map(Into::into) });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recalls_only_the_same_text_of_the_same_redactor() {
        remember(1, "token=abc", Some("token=<redacted:token>"));
        remember(1, "user=bob", None);
        assert_eq!(recall(1, "token=abc"), Some(Some("token=<redacted:token>".into())));
        assert_eq!(recall(1, "user=bob"), Some(None));
        assert_eq!(recall(2, "token=abc"), None, "another redactor's rules");
        assert_eq!(recall(1, "token=abd"), None);
    }
}
