//! Finds where each top-level JSON value starts and ends, without parsing it.
//!
//! One linear scan that tracks only string, escape and nesting state. It cuts a gcloud JSON
//! array, or several pretty-printed objects one after another, into entry slices that can then
//! be parsed independently and in parallel, and it tells exactly where an export was cut off.
//! Objects and arrays are stepped over 64 bytes at a time (`blocks`).

use super::blocks::Found;

/// A top-level value: its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// How a scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The input ended cleanly (for an array: after its closing `]`).
    Clean,
    /// The input ended inside a value that starts at this offset (a cut-off export).
    Truncated { start: usize },
    /// An array's closing `]` is missing, but the last value was complete.
    UnclosedArray,
    /// A byte that cannot start or separate values here.
    Unexpected { offset: usize, byte: u8 },
}

/// Splits the values of a JSON array whose `[` is at `open`.
pub fn split_array(bytes: &[u8], open: usize) -> (Vec<Span>, End) {
    debug_assert_eq!(bytes.get(open), Some(&b'['));
    let mut spans = Vec::new();
    let mut i = open + 1;
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            None => return (spans, End::UnclosedArray),
            Some(b']') => {
                let rest = skip_ws(bytes, i + 1);
                let end = if rest == bytes.len() {
                    End::Clean
                } else {
                    End::Unexpected { offset: rest, byte: bytes[rest] }
                };
                return (spans, end);
            }
            Some(b',') => i += 1,
            // A stray `}` cannot start a value (value_end would give an empty one, forever).
            Some(b'}') => return (spans, End::Unexpected { offset: i, byte: b'}' }),
            Some(&first) => match value_end(bytes, i) {
                // A scalar that runs to the end of the input may have been cut (`[tru`, `[12`).
                Some(end) if end == bytes.len() && !matches!(first, b'{' | b'[' | b'"') => {
                    return (spans, End::Truncated { start: i })
                }
                Some(end) => {
                    spans.push(Span { start: i, end });
                    i = end;
                }
                None => return (spans, End::Truncated { start: i }),
            },
        }
    }
}

/// Splits values written one after another (`{...}{...}`, with any whitespace between).
pub fn split_concatenated(bytes: &[u8], from: usize) -> (Vec<Span>, End) {
    let mut spans = Vec::new();
    let mut i = from;
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            None => return (spans, End::Clean),
            Some(b',') => i += 1, // tolerate "},\n{" from hand-copied entries
            Some(b'{') | Some(b'[') => match value_end(bytes, i) {
                Some(end) => {
                    spans.push(Span { start: i, end });
                    i = end;
                }
                None => return (spans, End::Truncated { start: i }),
            },
            Some(&byte) => return (spans, End::Unexpected { offset: i, byte }),
        }
    }
}

/// The end (exclusive) of the value starting at `start`, or None if the input ends inside it.
/// Scalars end at the next delimiter; objects and arrays at their matching bracket.
pub fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    match bytes.get(i)? {
        b'{' | b'[' => {}
        b'"' => return string_end(bytes, i),
        _ => {
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
            {
                i += 1;
            }
            return Some(i);
        }
    }
    match super::blocks::container_end(bytes, start) {
        Found::End(end) => Some(end),
        Found::Incomplete => None,
        Found::Irregular => container_end_bytewise(bytes, start),
    }
}

/// The end of the object or array whose bracket is at `start`, one byte after another: what
/// the block scan (`blocks`) is checked against, and what reads a backslash outside a string.
pub(super) fn container_end_bytewise(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Resumable splitting of a JSON array or concatenated objects across chunks: each call takes
/// the complete values of the buffer and says where the next call must resume.
#[derive(Default, Clone)]
pub struct Splitter {
    /// The array's `[` has been passed.
    opened: bool,
    /// An array was closed at the end of a buffer: the next may open another.
    between_arrays: bool,
    /// Set when splitting must stop (the end, or a problem).
    pub stop: Option<End>,
}

impl Splitter {
    /// Complete values in `buf`, and where to resume (the start of an incomplete value).
    pub fn split(&mut self, buf: &[u8], array: bool, eof: bool) -> (Vec<Span>, usize) {
        let mut spans = Vec::new();
        let mut i = 0;
        if array && !self.opened {
            i = skip_ws(buf, 0);
            match buf.get(i) {
                Some(b'[') => {
                    self.opened = true;
                    self.between_arrays = false;
                    i += 1;
                }
                Some(&byte) if self.between_arrays => {
                    self.stop = Some(End::Unexpected { offset: i, byte });
                    return (spans, i);
                }
                None if self.between_arrays => {
                    if eof {
                        self.stop = Some(End::Clean);
                    }
                    return (spans, i);
                }
                _ => {}
            }
        }
        loop {
            i = skip_ws(buf, i);
            let Some(&first) = buf.get(i) else {
                if eof {
                    self.stop = Some(if array { End::UnclosedArray } else { End::Clean });
                }
                return (spans, i);
            };
            match first {
                b',' => i += 1,
                b']' if array => {
                    let rest = skip_ws(buf, i + 1);
                    match buf.get(rest) {
                        // Arrays one after another: `gcloud logging read ... >> dump.json` run
                        // twice. Each is read whole, as concatenated API pages are.
                        Some(b'[') => i = rest + 1,
                        None if !eof => {
                            (self.opened, self.between_arrays) = (false, true);
                            return (spans, rest);
                        }
                        None => {
                            self.stop = Some(End::Clean);
                            return (spans, rest);
                        }
                        Some(&byte) => {
                            self.stop = Some(End::Unexpected { offset: rest, byte });
                            return (spans, rest);
                        }
                    }
                }
                b if !array && b != b'{' && b != b'[' => {
                    self.stop = Some(End::Unexpected { offset: i, byte: b });
                    return (spans, i);
                }
                b'}' => {
                    self.stop = Some(End::Unexpected { offset: i, byte: b'}' });
                    return (spans, i);
                }
                _ => match value_end(buf, i) {
                    // A scalar that runs to the end of the buffer may continue in the next chunk.
                    Some(end) if end == buf.len() && !matches!(first, b'{' | b'[' | b'"') => {
                        return self.incomplete(spans, i, eof);
                    }
                    Some(end) => {
                        spans.push(Span { start: i, end });
                        i = end;
                    }
                    None => return self.incomplete(spans, i, eof),
                },
            }
        }
    }

    /// A value that starts at `start` and is not complete in the buffer: cut off at the end of
    /// the input, or to be resumed with the next chunk.
    fn incomplete(&mut self, spans: Vec<Span>, start: usize, eof: bool) -> (Vec<Span>, usize) {
        if eof {
            self.stop = Some(End::Truncated { start });
        }
        (spans, start)
    }
}

/// Resumable splitting of API responses that wrap the entries: objects one after another (or
/// in an array), each holding its entries in an array under `entries` or `result`, or under
/// `result.entries` (a Firebase CLI result that is itself a response). Other keys
/// (`nextPageToken`, `status`) are passed over; a page without entries gives none.
#[derive(Default, Clone)]
pub struct WrappedSplitter {
    state: Wrapped,
    /// Set when splitting must stop (the end, or a problem). A cut inside the entries is
    /// [`End::Truncated`]; a cut elsewhere loses no entry and is [`End::UnclosedArray`].
    pub stop: Option<End>,
    /// Responses (pages) begun.
    pub pages: u64,
    /// A response said `"status": "error"` (the Firebase CLI's failure output).
    pub error_status: bool,
}

/// Where a [`WrappedSplitter`] is: between responses, among the keys of a response (nested
/// `depth` objects deep), or among the entries.
#[derive(Default, Clone, Copy)]
enum Wrapped {
    #[default]
    Between,
    Keys {
        depth: u8,
    },
    Entries {
        depth: u8,
    },
}

impl WrappedSplitter {
    /// Complete entries in `buf`, and where to resume.
    pub fn split(&mut self, buf: &[u8], eof: bool) -> (Vec<Span>, usize) {
        let mut spans = Vec::new();
        let mut i = 0;
        loop {
            i = skip_ws(buf, i);
            let Some(&byte) = buf.get(i) else {
                if eof {
                    let inside = !matches!(self.state, Wrapped::Between);
                    self.stop = Some(if inside { End::UnclosedArray } else { End::Clean });
                }
                return (spans, i);
            };
            let step = match self.state {
                Wrapped::Between => self.between(byte, i),
                Wrapped::Keys { depth } => self.key(buf, i, depth, eof),
                Wrapped::Entries { depth } => self.entry(buf, i, depth, eof, &mut spans),
            };
            match step {
                Some(next) => i = next,
                None => return (spans, i),
            }
        }
    }

    /// Between responses: `{` begins one; `[`, `,` and `]` of an array of them are passed.
    fn between(&mut self, byte: u8, i: usize) -> Option<usize> {
        match byte {
            b'[' | b',' | b']' => Some(i + 1),
            b'{' => {
                self.pages += 1;
                self.state = Wrapped::Keys { depth: 1 };
                Some(i + 1)
            }
            _ => self.unexpected(i, byte),
        }
    }

    /// Among a response's keys: the entries' array is entered, other values passed over.
    fn key(&mut self, buf: &[u8], i: usize, depth: u8, eof: bool) -> Option<usize> {
        match buf[i] {
            b',' => return Some(i + 1),
            b'}' => {
                self.state =
                    if depth == 1 { Wrapped::Between } else { Wrapped::Keys { depth: depth - 1 } };
                return Some(i + 1);
            }
            b'"' => {}
            byte => return self.unexpected(i, byte),
        }
        let Some(key_end) = string_end(buf, i) else { return self.cut(i, eof, false) };
        let colon = skip_ws(buf, key_end);
        match buf.get(colon) {
            None => return self.cut(i, eof, false),
            Some(b':') => {}
            Some(&byte) => return self.unexpected(colon, byte),
        }
        let value = skip_ws(buf, colon + 1);
        let Some(&first) = buf.get(value) else { return self.cut(i, eof, false) };
        match (&buf[i + 1..key_end - 1], first) {
            (b"entries" | b"result", b'[') => {
                self.state = Wrapped::Entries { depth };
                Some(value + 1)
            }
            (b"result", b'{') if depth < 4 => {
                self.state = Wrapped::Keys { depth: depth + 1 };
                Some(value + 1)
            }
            (key, _) => {
                if key == b"status" && buf[value..].starts_with(b"\"error\"") {
                    self.error_status = true;
                }
                match value_end(buf, value) {
                    // A scalar that runs to the end of the buffer may continue in the next chunk.
                    Some(end) if end < buf.len() || eof || matches!(first, b'{' | b'[' | b'"') => {
                        Some(end)
                    }
                    _ => self.cut(i, eof, false),
                }
            }
        }
    }

    /// Among the entries: each complete value is one.
    fn entry(
        &mut self,
        buf: &[u8],
        i: usize,
        depth: u8,
        eof: bool,
        spans: &mut Vec<Span>,
    ) -> Option<usize> {
        match buf[i] {
            b',' => Some(i + 1),
            b']' => {
                self.state = Wrapped::Keys { depth };
                Some(i + 1)
            }
            b'}' => self.unexpected(i, b'}'),
            first => match value_end(buf, i) {
                Some(end) if end == buf.len() && !matches!(first, b'{' | b'[' | b'"') => {
                    self.cut(i, eof, true)
                }
                Some(end) => {
                    spans.push(Span { start: i, end });
                    Some(end)
                }
                None => self.cut(i, eof, true),
            },
        }
    }

    /// Something incomplete at `start`: resumed with the next chunk, or cut off at the end of the
    /// input (an entry lost if it was an entry).
    fn cut(&mut self, start: usize, eof: bool, entry: bool) -> Option<usize> {
        if eof {
            self.stop = Some(if entry { End::Truncated { start } } else { End::UnclosedArray });
        }
        None
    }

    fn unexpected(&mut self, offset: usize, byte: u8) -> Option<usize> {
        self.stop = Some(End::Unexpected { offset, byte });
        None
    }
}

/// The end (exclusive) of the string whose opening quote is at `start`.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        let p = memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        i += p;
        if bytes[i] == b'\\' {
            i += 2;
            if i > bytes.len() {
                return None;
            }
        } else {
            return Some(i + 1);
        }
    }
}

pub fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(bytes: &'a [u8], spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| std::str::from_utf8(&bytes[s.start..s.end]).unwrap()).collect()
    }

    #[test]
    fn splits_an_array_with_tricky_strings() {
        let input = br#"[
  {"a": "x}\"{", "b": [1, [2, {"c": "]"}]]},
  {"a": "\\"}
]
"#;
        let (spans, end) = split_array(input, 0);
        assert_eq!(end, End::Clean);
        assert_eq!(
            texts(input, &spans),
            vec![r#"{"a": "x}\"{", "b": [1, [2, {"c": "]"}]]}"#, r#"{"a": "\\"}"#]
        );
    }

    #[test]
    fn reports_a_cut_off_array() {
        let input = b"[{\"a\":1},\n {\"b\": \"unfinished";
        let (spans, end) = split_array(input, 0);
        assert_eq!(spans.len(), 1);
        assert_eq!(end, End::Truncated { start: 11 });
        let (spans, end) = split_array(b"[{\"a\":1}", 0);
        assert_eq!((spans.len(), end), (1, End::UnclosedArray));
    }

    #[test]
    fn splits_concatenated_objects() {
        let input = b"{\n \"a\": {\"b\": 1}\n}\n{\"c\": [\"}\"]}\n";
        let (spans, end) = split_concatenated(input, 0);
        assert_eq!(end, End::Clean);
        assert_eq!(texts(input, &spans), vec!["{\n \"a\": {\"b\": 1}\n}", "{\"c\": [\"}\"]}"]);
    }

    #[test]
    fn arrays_appended_to_one_file_are_all_read_wherever_a_chunk_ends() {
        let input: &[u8] = b"[\n {\"a\": 1},\n {\"b\": 2}\n]\n[\n {\"c\": 3}\n]\n";
        for cut in 0..=input.len() {
            let mut splitter = Splitter::default();
            let (first, resume) = splitter.split(&input[..cut], true, false);
            let mut read = texts(&input[..cut], &first);
            let rest = &input[resume..];
            if splitter.stop.is_none() {
                let (second, _) = splitter.split(rest, true, true);
                read.extend(texts(rest, &second));
            }
            assert_eq!(read, [r#"{"a": 1}"#, r#"{"b": 2}"#, r#"{"c": 3}"#], "cut at {cut}");
            assert_eq!(splitter.stop, Some(End::Clean), "cut at {cut}");
        }
        let mut splitter = Splitter::default();
        let (spans, _) = splitter.split(b"[{\"a\": 1}] x", true, true);
        assert_eq!(spans.len(), 1);
        assert_eq!(splitter.stop, Some(End::Unexpected { offset: 11, byte: b'x' }));
    }

    #[test]
    fn every_cut_of_a_valid_array_is_reported_not_misread() {
        let input = br#"[{"k": "v\"]", "n": [1, 2]}, {"k": "w"}]"#;
        for cut in 1..input.len() {
            let (spans, end) = split_array(&input[..cut], 0);
            for s in &spans {
                serde_json::from_slice::<serde_json::Value>(&input[s.start..s.end]).unwrap();
            }
            assert_ne!(end, End::Clean, "cut at {cut}");
        }
    }
}
