//! Phone numbers, redacted as `<redacted:phone>`. Only phone-like formatting counts, so order
//! ids, timestamps, durations and counts stay: an international number written with its `+`
//! (`+14155550123`, `+44 7700 900461`, `+1 (415) 555-0123`; 10 to 15 digits), a North American
//! number with its area code in brackets (`(415) 555-0123`), or one written `415-555-0123`,
//! `415.555.0123` or `415 555 0123` when a word such as phone, call, SMS or contact comes
//! shortly before it. Not covered: national numbers of other countries without `+`
//! (`07700 900461`), and US numbers written without separators or context.
use super::patterns::{rule, Builtin, B};
use super::Action;

/// The tail every North American number ends with (`555-0123`), standing apart so that UUIDs
/// (`a716-4466...`) do not fire it: whole-number triggers, with the area code in brackets or
/// not, made the trigger set a fifth slower on clean text.
const NANP_TRIGGER: &str = r"(?-u:\b)[0-9]{3}[\-. ][0-9]{4}(?-u:\b)";

pub(super) fn phone_rules() -> Vec<Builtin> {
    vec![
        rule(
            "phone",
            Action::Checked(is_international),
            r"\+[1-9][0-9]{0,2}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{1,12})){1,5}".into(),
            r"\+[1-9][0-9 .\-()]{8}",
        ),
        rule(
            "phone",
            Action::Checked(is_bracketed_us),
            r"\([2-9][0-9]{2}\)[ \-.]?[2-9][0-9]{2}[ \-.][0-9]{4}".into(),
            NANP_TRIGGER,
        ),
        rule(
            "phone",
            Action::Checked(is_us_in_context),
            format!(r"{B}[2-9][0-9]{{2}}[\-. ][2-9][0-9]{{2}}[\-. ][0-9]{{4}}{B}"),
            NANP_TRIGGER,
        ),
    ]
}

/// `+` and 10–15 digits, standing apart from other digits and words.
fn is_international(text: &str, s: usize, e: usize) -> bool {
    let digits = text[s..e].bytes().filter(u8::is_ascii_digit).count();
    (10..=15).contains(&digits) && stands_apart(text, s, e)
}

fn is_bracketed_us(text: &str, s: usize, e: usize) -> bool {
    stands_apart(text, s, e)
}

/// `415-555-0123` with one kind of separator, after a word that speaks of phones.
fn is_us_in_context(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    b[s + 3] == b[s + 7] && stands_apart(text, s, e) && phone_word_before(text, s)
}

/// Not glued to a word, a sign, or a longer number (`1e+10`, `v+1234567890`, `+1234567890.5`).
fn stands_apart(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let joins = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-' | b'.' | b'/');
    let before_ok = s == 0 || !joins(b[s - 1]);
    let after_ok = match b.get(e) {
        Some(b'.' | b'-' | b':' | b'/') => !b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric),
        Some(&c) => !(c.is_ascii_alphanumeric() || c == b'_'),
        None => true,
    };
    before_ok && after_ok
}

/// Whether a phone word (phone, tel, mobile, cell, call, SMS, fax, contact, ...) is among the
/// 40 bytes before `s`.
fn phone_word_before(text: &str, s: usize) -> bool {
    const WORDS: &[&str] = &[
        "phone", "tel", "mobile", "cell", "call", "sms", "text", "fax", "contact", "whatsapp",
        "dial", "caller",
    ];
    let mut from = s.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = text[from..s].to_ascii_lowercase();
    WORDS.iter().any(|w| window.contains(w))
}
