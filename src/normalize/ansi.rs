//! Removes ANSI escape sequences (terminal colours and cursor moves) from a message.
//!
//! Loggers colour their output when they think a terminal reads it (NestJS's `ConsoleLogger`
//! unless `NO_COLOR` is set, winston's `colorize()`); Cloud Logging stores the escape bytes as
//! they were written. Left in, they split templates (`\x1b[31mERROR\x1b[39m`), hide levels from
//! inference and show as `\x1b[<*>` in titles. Most messages have none: one `memchr` for the
//! escape byte is all they cost.

use std::borrow::Cow;

const ESC: u8 = 0x1b;

/// The text without its escape sequences; borrowed when it has none.
pub(crate) fn strip(text: Cow<'_, str>) -> Cow<'_, str> {
    if memchr::memchr(ESC, text.as_bytes()).is_none() {
        return text;
    }
    Cow::Owned(strip_str(&text))
}

fn strip_str(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut kept = 0;
    while let Some(found) = memchr::memchr(ESC, &bytes[i..]) {
        let at = i + found;
        out.push_str(&text[kept..at]);
        i = at + sequence_len(&bytes[at..]);
        kept = i;
    }
    out.push_str(&text[kept..]);
    out
}

/// The length of the escape sequence at the start of `bytes` (which starts with ESC): CSI
/// (`ESC [ params final`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`), or a two-byte escape.
fn sequence_len(bytes: &[u8]) -> usize {
    match bytes.get(1) {
        Some(b'[') => {
            // Parameters and intermediates are 0x20..=0x3f; the final byte is 0x40..=0x7e.
            let end = bytes[2..].iter().position(|b| !(0x20..=0x3f).contains(b));
            match end {
                Some(p) if (0x40..=0x7e).contains(&bytes[2 + p]) => 2 + p + 1,
                Some(p) => 2 + p,
                None => bytes.len(),
            }
        }
        Some(b']') => {
            let body = &bytes[2..];
            let bel = body.iter().position(|&b| b == 0x07).map(|p| p + 1);
            let st = body.windows(2).position(|w| w == [ESC, b'\\']).map(|p| p + 2);
            2 + bel.into_iter().chain(st).min().unwrap_or(body.len())
        }
        // A lone ESC at the end, or ESC and one character (`ESC c`, `ESC =`). The character is
        // ASCII or the escape is dropped alone, so a multi-byte character is never cut.
        Some(b) if b.is_ascii() => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        strip(Cow::Borrowed(text)).into_owned()
    }

    #[test]
    fn colours_and_styles_go() {
        assert_eq!(
            s("\x1b[32m[Nest] 1  - \x1b[39m10/14/2025 \x1b[31m  ERROR\x1b[39m \x1b[38;5;3m[Ctx] \x1b[39m\x1b[31mboom\x1b[39m"),
            "[Nest] 1  - 10/14/2025   ERROR [Ctx] boom"
        );
        assert_eq!(s("\x1b[1;31merror\x1b[0m: x"), "error: x");
        assert_eq!(s("\x1b]0;title\x07text"), "text");
        assert_eq!(s("é\x1b"), "é");
        assert_eq!(s("\x1bé"), "é");
        assert!(matches!(strip(Cow::Borrowed("plain")), Cow::Borrowed("plain")));
    }
}
