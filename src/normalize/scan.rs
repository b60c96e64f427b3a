//! A fast, strict reader of JSON objects: the keys of an object and the raw text of each value,
//! without building anything. It is how a LogEntry is read (`gcp::scan_entry`): the dozen fields
//! the report uses are taken as borrowed text, and every other field is only checked and
//! skipped. A profile showed serde's derived visitors for LogEntry and its resource labels as the
//! largest cost of reading.
//!
//! Strict on purpose: anything it does not take in its stride (an escaped key, a value that is
//! not valid JSON, a control character in a string) makes it give up, and the caller reads the
//! entry with serde instead, which says exactly what is wrong. So it never accepts what serde
//! refuses.

use std::borrow::Cow;

/// The fields of one JSON object, in order: each key, then its value read as a raw text
/// ([`Fields::value`]) or, for an object the caller reads itself, as its fields
/// ([`Fields::object`]), so that nothing is scanned twice.
pub(super) struct Fields<'a> {
    text: &'a str,
    pos: usize,
    first: bool,
    /// A nested object: what follows its `}` is its parent's business.
    nested: bool,
}

/// The scanner met something it does not read; the caller falls back to serde.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct GiveUp;

impl<'a> Fields<'a> {
    /// The fields of the object `text` holds (whitespace around it allowed).
    pub(super) fn of(text: &'a str) -> Result<Fields<'a>, GiveUp> {
        let b = text.as_bytes();
        let start = skip_ws(b, 0);
        if b.get(start) != Some(&b'{') {
            return Err(GiveUp);
        }
        Ok(Fields { text, pos: start + 1, first: true, nested: false })
    }

    /// The next key, `None` at the end of the object; its value must be taken next.
    pub(super) fn next_key(&mut self) -> Result<Option<&'a str>, GiveUp> {
        let b = self.text.as_bytes();
        let mut i = skip_ws(b, self.pos);
        match (b.get(i), self.first) {
            (Some(b'}'), _) => {
                self.pos = i + 1;
                // Nothing but whitespace may follow a whole entry.
                if !self.nested && skip_ws(b, i + 1) != b.len() {
                    return Err(GiveUp);
                }
                return Ok(None);
            }
            (Some(b','), false) => i = skip_ws(b, i + 1),
            (_, false) => return Err(GiveUp),
            (_, true) => {}
        }
        self.first = false;
        if b.get(i) != Some(&b'"') {
            return Err(GiveUp);
        }
        let (key_end, escaped) = string_end_escaped(b, i)?;
        if escaped {
            return Err(GiveUp);
        }
        let key = &self.text[i + 1..key_end - 1];
        let colon = skip_ws(b, key_end);
        if b.get(colon) != Some(&b':') {
            return Err(GiveUp);
        }
        self.pos = skip_ws(b, colon + 1);
        Ok(Some(key))
    }

    /// The current key's value, checked, as raw JSON text.
    #[inline]
    pub(super) fn value(&mut self) -> Result<&'a str, GiveUp> {
        let start = self.pos;
        self.pos = value_end(self.text.as_bytes(), start)?;
        Ok(&self.text[start..self.pos])
    }

    /// The current key's value read as a string ([`string`]'s result), without a second look
    /// for escapes: the scan that found its end knows whether it has any (that second look was
    /// 3% of reading).
    pub(super) fn string(&mut self) -> Result<Option<Cow<'a, str>>, GiveUp> {
        let b = self.text.as_bytes();
        let start = self.pos;
        if b.get(start) != Some(&b'"') {
            return string(self.value()?);
        }
        let (end, escaped) = string_end_escaped(b, start)?;
        self.pos = end;
        if escaped {
            return string(&self.text[start..end]);
        }
        Ok(Some(Cow::Borrowed(&self.text[start + 1..end - 1])))
    }

    /// The current key's value as the fields of an object (`None` for `null`); anything else
    /// gives up. Read the object to its end, then [`Fields::after`] it.
    #[inline]
    pub(super) fn object(&mut self) -> Result<Option<Fields<'a>>, GiveUp> {
        match self.text.as_bytes().get(self.pos) {
            Some(b'{') => {
                Ok(Some(Fields { text: self.text, pos: self.pos + 1, first: true, nested: true }))
            }
            Some(b'n') => self.value().map(|_| None),
            _ => Err(GiveUp),
        }
    }

    /// Goes on after a nested object read to its end.
    pub(super) fn after(&mut self, child: Fields<'a>) {
        self.pos = child.pos;
    }

    /// The rest of the fields as (key, raw value) pairs, to the end of the object.
    #[cfg(test)]
    pub(super) fn next_field(&mut self) -> Result<Option<(&'a str, &'a str)>, GiveUp> {
        match self.next_key()? {
            Some(key) => Ok(Some((key, self.value()?))),
            None => Ok(None),
        }
    }
}

/// The raw values of an object's fields named in `names` (per slot, a name and its aliases),
/// `None` where absent or `null`; the other fields are checked and skipped. A field named twice
/// gives up, as serde's derived readers refuse it. Inlined: where the compiler chose not to, its
/// slot search became a call per key (3% more instructions on request logs).
#[inline(always)]
pub(super) fn named_values<'a, const N: usize>(
    raw: &'a str,
    names: &[&[&str]; N],
) -> Result<[Option<&'a str>; N], GiveUp> {
    let mut fields = Fields::of(raw)?;
    let mut values = [None; N];
    let mut seen = [false; N];
    while let Some(key) = fields.next_key()? {
        let Some(slot) = names.iter().position(|aliases| aliases.contains(&key)) else {
            fields.value()?;
            continue;
        };
        if std::mem::replace(&mut seen[slot], true) {
            return Err(GiveUp);
        }
        let value = fields.value()?;
        values[slot] = (value != "null").then_some(value);
    }
    Ok(values)
}

/// A raw JSON string's text, unescaped only where it has escapes; `None` for `null`. Anything
/// else gives up.
pub(super) fn string(raw: &str) -> Result<Option<Cow<'_, str>>, GiveUp> {
    if raw == "null" {
        return Ok(None);
    }
    if !raw.starts_with('"') {
        return Err(GiveUp);
    }
    let inner = &raw[1..raw.len() - 1];
    // The memchr crate's search (AVX2 where there is one): `str::contains` was 3% of reading.
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Ok(Some(Cow::Borrowed(inner)));
    }
    serde_json::from_str::<String>(raw).map(|s| Some(Cow::Owned(s))).map_err(|_| GiveUp)
}

#[inline(always)]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
        // Pretty-printed entries (gcloud's arrays) indent every field: spaces eight at a time.
        if let Some(word) = b.get(i..i + 8) {
            let others = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ SPACES;
            if b[i] == b' ' {
                i += (others.trailing_zeros() / 8) as usize;
                continue;
            }
        }
        i += 1;
    }
    i
}

/// Eight spaces as a little-endian word.
const SPACES: u64 = u64::from_le_bytes([b' '; 8]);

/// The end (exclusive) of the JSON value starting at `start`, checked: strings for escapes and
/// control characters, literals and numbers for their spelling, objects and arrays for their
/// separators.
fn value_end(b: &[u8], start: usize) -> Result<usize, GiveUp> {
    match b.get(start) {
        Some(b'"') => string_end(b, start),
        Some(b'{') => container_end(b, start, b'}', true),
        Some(b'[') => container_end(b, start, b']', false),
        Some(b't') => literal(b, start, b"true"),
        Some(b'f') => literal(b, start, b"false"),
        Some(b'n') => literal(b, start, b"null"),
        Some(b'-' | b'0'..=b'9') => number_end(b, start),
        _ => Err(GiveUp),
    }
}

fn literal(b: &[u8], start: usize, word: &[u8]) -> Result<usize, GiveUp> {
    if b[start..].starts_with(word) {
        Ok(start + word.len())
    } else {
        Err(GiveUp)
    }
}

/// A number as JSON spells it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn number_end(b: &[u8], start: usize) -> Result<usize, GiveUp> {
    let digits = |mut i: usize| {
        let from = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i > from)
    };
    let mut i = start + usize::from(b[start] == b'-');
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i).0,
        _ => return Err(GiveUp),
    }
    if b.get(i) == Some(&b'.') {
        let (end, any) = digits(i + 1);
        if !any {
            return Err(GiveUp);
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, any) = digits(i);
        if !any {
            return Err(GiveUp);
        }
        i = end;
    }
    Ok(i)
}

/// The end of the string whose quote is at `start`: escapes checked, no control characters.
/// Sixteen bytes at a time (SSE2), else eight (a word test, as serde_json skips strings): the
/// lowest byte the test flags is the first that may end the string, start an escape or be a
/// control character.
fn string_end(b: &[u8], start: usize) -> Result<usize, GiveUp> {
    string_end_escaped(b, start).map(|(end, _)| end)
}

/// [`string_end`], and whether the string has an escape (keys with one are left to serde; a
/// second look for a backslash was 4% of reading). Inlined, as are the whitespace step and the
/// sixteen-byte test: called some 45 times an entry, their set-up was a sixth of scanning.
#[inline(always)]
fn string_end_escaped(b: &[u8], start: usize) -> Result<(usize, bool), GiveUp> {
    let mut escaped = false;
    let mut i = start + 1;
    loop {
        // Strings were an eighth of all instructions eight bytes at a time.
        if let Some(flags) = special16(b, i) {
            if flags == 0 {
                i += 16;
                continue;
            }
            i += flags.trailing_zeros() as usize;
        } else if let Some(word) = b.get(i..i + 8) {
            let flags = special(u64::from_le_bytes(word.try_into().expect("eight bytes")));
            if flags == 0 {
                i += 8;
                continue;
            }
            i += (flags.trailing_zeros() / 8) as usize;
        }
        match *b.get(i).ok_or(GiveUp)? {
            b'"' => return Ok((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i = escape_end(b, i)?;
            }
            c if c < 0x20 => return Err(GiveUp),
            _ => i += 1,
        }
    }
}

/// One bit for each of the sixteen bytes at `i` that is `"`, `\\` or below 0x20 (`None` when
/// fewer than sixteen are left).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn special16(b: &[u8], i: usize) -> Option<u32> {
    use std::arch::x86_64::*;
    let chunk = b.get(i..i + 16)?;
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always available;
    // the unaligned load reads exactly the sixteen bytes `chunk` was just checked to hold.
    let mask = unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // x < 0x20 (unsigned) exactly when min(x, 0x1f) == x.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
    };
    Some(mask as u32)
}

#[cfg(not(target_arch = "x86_64"))]
fn special16(_: &[u8], _: usize) -> Option<u32> {
    None
}

/// The high bit of each of the eight bytes that is `"`, `\\` or below 0x20. Exact up to the
/// first such byte (a borrow can only flag bytes after it), which is all the caller uses.
fn special(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = zero_in(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_in(w ^ (ONES * u64::from(b'\\')));
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    (quote | backslash | control) & HIGH
}

/// The end of the escape at `at` (a backslash), if it is one JSON allows.
fn escape_end(b: &[u8], at: usize) -> Result<usize, GiveUp> {
    match b.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u')
            if b.get(at + 2..at + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
        {
            Ok(at + 6)
        }
        _ => Err(GiveUp),
    }
}

/// The end of an object (`pairs`) or array whose opening bracket is at `start`.
fn container_end(b: &[u8], start: usize, close: u8, pairs: bool) -> Result<usize, GiveUp> {
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&close) {
        return Ok(i + 1);
    }
    loop {
        if pairs {
            if b.get(i) != Some(&b'"') {
                return Err(GiveUp);
            }
            i = skip_ws(b, string_end(b, i)?);
            if b.get(i) != Some(&b':') {
                return Err(GiveUp);
            }
            i = skip_ws(b, i + 1);
        }
        i = skip_ws(b, value_end(b, i)?);
        match b.get(i) {
            Some(&c) if c == close => return Ok(i + 1),
            Some(b',') => i = skip_ws(b, i + 1),
            _ => return Err(GiveUp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Result<Vec<(&str, &str)>, GiveUp> {
        let mut f = Fields::of(text)?;
        let mut out = Vec::new();
        while let Some(kv) = f.next_field()? {
            out.push(kv);
        }
        Ok(out)
    }

    #[test]
    fn fields_and_raw_values() {
        let text = r#" { "a" : "x\"y", "b":[1, {"c": null}], "d": -1.5e3 ,"e":{}} "#;
        assert_eq!(
            fields(text).unwrap(),
            [("a", r#""x\"y""#), ("b", r#"[1, {"c": null}]"#), ("d", "-1.5e3"), ("e", "{}")]
        );
        assert_eq!(fields("{}").unwrap(), []);
        assert_eq!(string(r#""plain""#).unwrap().as_deref(), Some("plain"));
        assert_eq!(string(r#""a\nb""#).unwrap().as_deref(), Some("a\nb"));
        assert_eq!(string("null").unwrap(), None);
        assert_eq!(string("12"), Err(GiveUp));
    }

    /// The sixteen-byte test flags the first byte that may end a string, start an escape or be a
    /// control character, for every byte value at every position; strings end where serde says.
    #[test]
    fn sixteen_bytes_at_a_time_flag_what_may_end_a_string() {
        let first_flagged =
            |bytes: &[u8]| bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        for value in 0..=255u8 {
            for at in 0..16 {
                let mut bytes = [b'a'; 16];
                bytes[at] = value;
                let flags = special16(&bytes, 0);
                if let Some(flags) = flags {
                    let found = (flags != 0).then(|| flags.trailing_zeros() as usize);
                    assert_eq!(found, first_flagged(&bytes), "byte {value:#x} at {at}");
                }
                // The string is read as serde reads it (a lone byte above 0x7f is invalid
                // UTF-8, which is checked once per entry, not here).
                let text = [b"\"".as_slice(), &bytes, b"\"".as_slice()].concat();
                let serde_reads = serde_json::from_slice::<String>(&text).is_ok() || value >= 0x80;
                let read = string_end(&text, 0) == Ok(text.len());
                assert_eq!(read, serde_reads, "byte {value:#x} at {at}");
            }
        }
    }

    /// Runs of whitespace of every length and mix around every token (spaces are skipped eight
    /// at a time) read as the compact text does.
    #[test]
    fn whitespace_of_any_length_between_tokens() {
        for n in 0..20 {
            for filler in [" ", " \n", "\t ", "\r\n  "] {
                let ws: String = filler.repeat(n).chars().take(n).collect();
                let text = format!("{ws}{{{ws}\"a\"{ws}:{ws}[{ws}1{ws},{ws}\"x y\"{ws}]{ws},{ws}\"b\":{ws}{{}}{ws}}}{ws}");
                let read = fields(&text).unwrap_or_else(|_| panic!("{text:?}"));
                let compact: Vec<(String, String)> = read
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.split_whitespace().collect()))
                    .collect();
                let expected =
                    [("a".to_string(), "[1,\"xy\"]".to_string()), ("b".into(), "{}".into())];
                assert_eq!(compact, expected, "{text:?}");
            }
        }
    }

    /// Whatever serde refuses, the scanner refuses too (the caller then asks serde why).
    #[test]
    fn gives_up_where_serde_would_refuse() {
        for bad in [
            r#"{"a": tru}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": "x\qy"}"#,
            "{\"a\": \"x\u{1}y\"}",
            "{\"a\": \"x\ny\"}",
            r#"{"a": [1,]}"#,
            r#"{"a": 1,}"#,
            r#"{"a" 1}"#,
            r#"{"a": {"b" 1}}"#,
            r#"{"a\u0041": 1}"#,
            r#"{"a": 1} x"#,
            r#"[1]"#,
            r#"{"a": "cut"#,
        ] {
            assert!(fields(bad).is_err(), "{bad}");
        }
        for good in [r#"{"a": 0}"#, r#"{"a": "\u00e9\/"}"#, "{\n  \"a\": [\n    1\n  ]\n}"] {
            assert!(fields(good).is_ok(), "{good}");
            assert!(serde_json::from_str::<serde_json::Value>(good).is_ok());
        }
    }
}
