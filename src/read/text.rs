//! Plain-text logs: the lines of an input, as raw entries. Cutting a line into fields (the
//! `--line-format`) and joining continuation lines is `normalize::text`'s job.

use super::entry::{RawEntry, RawText};

/// The text of a whole input, its invalid UTF-8 replaced (a text log is read as text).
pub fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The non-blank lines of `text`, without their line ends (`\n` or `\r\n`), with 1-based line
/// numbers and byte offsets.
pub fn lines<'a>(
    text: &'a str,
    source: &'a str,
    input: u32,
) -> impl Iterator<Item = RawEntry<'a>> + Clone {
    let mut offset = 0u64;
    text.split('\n').enumerate().filter_map(move |(i, raw)| {
        let at = offset;
        offset += raw.len() as u64 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        (!line.trim().is_empty()).then_some(RawEntry {
            text: RawText::Line(line),
            source,
            input,
            line: i as u64 + 1,
            offset: at,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blanks_and_strip_line_ends() {
        let text = "a\r\n\n  \nb\nc";
        let got: Vec<(u64, u64, &str)> = lines(text, "x.log", 0)
            .map(|e| match e.text {
                RawText::Line(l) => (e.line, e.offset, l),
                RawText::Json(_) | RawText::TextAmongJson(_) => unreachable!(),
            })
            .collect();
        assert_eq!(got, [(1, 0, "a"), (4, 7, "b"), (5, 9, "c")]);
    }
}
