//! Masking of the variable parts of one log message: numbers, hex ids, UUIDs, IPs and
//! `host:port`, MAC addresses, host names, durations and sizes with their units, timestamps,
//! quoted values, bracketed lists, file paths, URL segments, emails, tokens mixing letters and
//! digits, and anything already redacted as `<redacted:KIND>`. Each becomes `<*>`. A quoted
//! single word with no variable part keeps its quotes (`'await'`) for mining to judge;
//! [`mask_unmined`] masks it too, for texts that are not mined.
//!
//! It is hand-written byte scanning (no regex), in two passes. First the message is cut into
//! whitespace-separated words; a quoted value or a comma-separated list in brackets may span
//! several words; a word is classified as a whole (path, email, address, host name) or else cut
//! into segments at punctuation, where a segment holding a digit is a variable. Plain words are
//! copied untouched, so "Redis" and "Postgres" stay apart. Then the
//! word list is tidied so that optional or variable-length parts of one value do not change
//! the template: day and month names next to a value, a unit after a value ("5.2 KB"), a
//! bracketed restatement ("1190 bytes (1.16 KB)") and runs of values collapse into one `<*>`.
//! Whitespace is normalised to single spaces.

/// The placeholder written for every variable part.
pub(crate) const VAR: &str = "<*>";

/// Replaces every variable part of `message` with `<*>`, returning the masked text, for
/// mining: a quoted word with no variable part in it stays (`'await'`), and mining makes it
/// `<*>` where it varies between the messages of a template.
pub fn mask_message(message: &str) -> String {
    mask(message, true)
}

/// Like [`mask_message`], for a text that is not mined (the message of a stack trace, keyed by
/// its frames): every quoted value is `<*>`, since nothing would tell a quoted constant from
/// a value that only the first event happened to show.
pub fn mask_unmined(message: &str) -> String {
    mask(message, false)
}

fn mask(message: &str, keep_quoted_words: bool) -> String {
    let b = message.as_bytes();
    // Masked words are written one after another into `buf`; `spans` marks where each ends.
    let mut buf = String::with_capacity(message.len() + 8);
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(16);
    let mut i = 0;
    let n = b.len();
    while i < n {
        // Skip whitespace between words.
        while i < n && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= n {
            break;
        }
        let s = buf.len() as u32;
        let start = i;
        while i < n && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        // A quoted value opening at the start of a word runs to its matching quote, which may
        // lie several words on ("John Smith"). Inside a word (logfmt `msg="upstream request
        // failed"`) a quote is left to the word's masking: there it is mostly the message.
        // A list of comma-separated items in brackets (`[a, b, c]`, `k={a=1, b=2}`) is one
        // value too: its length varies with the data.
        // The first word of a list of several ends with its first item's comma.
        let list = if b[i - 1] == b',' { list_in_word(b, start, i) } else { None };
        match list.or_else(|| quoted_end(b, start).map(|end| (start, end))) {
            Some((open, end)) => {
                mask_word_cold(&message[start..open], &mut buf);
                if list.is_some() {
                    buf.push(b[open] as char);
                    buf.push_str(VAR);
                    buf.push(b[end - 1] as char);
                } else {
                    push_quoted(&message[open..end], keep_quoted_words, &mut buf);
                }
                i = end;
                // Whatever punctuation follows the closing quote stays (", ;" ...).
                let rest = i;
                while i < n && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                buf.push_str(&message[rest..i]);
            }
            None => mask_word(&message[start..i], &mut buf),
        }
        spans.push((s, buf.len() as u32));
    }
    join_words(&buf, &spans)
}

/// Second pass over the masked words: timestamps spelled with day and month names, units
/// after a value ("5.2 KB", "1190 bytes (1.16 KB)") and empty values ("()") join the variable,
/// then runs of variables collapse to one `<*>`, so optional or variable-length parts of a
/// value do not change the template.
fn join_words(buf: &str, spans: &[(u32, u32)]) -> String {
    let mut words: Vec<&str> = spans.iter().map(|&(s, e)| &buf[s as usize..e as usize]).collect();
    // Day and month names next to a variable are part of a timestamp.
    let mut k = 0;
    while k < words.len() {
        if !(is_var_like(words[k]) || is_date_word(words[k])) {
            k += 1;
            continue;
        }
        let s = k;
        let mut has_var = false;
        let mut has_date = false;
        while k < words.len() && (is_var_like(words[k]) || is_date_word(words[k])) {
            has_var |= is_var_like(words[k]);
            has_date |= is_date_word(words[k]);
            k += 1;
        }
        if has_var && has_date {
            for w in &mut words[s..k] {
                if is_date_word(w) {
                    *w = VAR;
                }
            }
        }
    }
    // The words, with a space between each two.
    let mut out = String::with_capacity(buf.len() + spans.len());
    let mut prev_bare_var = false; // the last written word is exactly "<*>"
    let mut last_start = 0;
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        if prev_bare_var {
            // A bracketed restatement of the value just written ("1190 bytes (1.16 KB)",
            // "1.2.3.4 (host.example.com)", "1.2.3.4 ()") belongs to it.
            if let Some(end) = restated_group(&words, k) {
                k = end;
                continue;
            }
            // A unit or a further value joins it: "<*> KB," -> "<*>,", "<*> <*>" -> "<*>".
            let (core, tail) = split_trailing(w);
            let rest = if is_var_like(w) {
                Some(&w[VAR.len()..])
            } else if is_unit(core) {
                Some(tail)
            } else {
                None
            };
            if let Some(rest) = rest {
                out.truncate(last_start);
                out.push_str(VAR);
                out.push_str(rest);
                prev_bare_var = rest.is_empty();
                k += 1;
                continue;
            }
        }
        // An empty value is still a value: "()" -> "(<*>)", "''" -> "<*>".
        let w_out = match w {
            "()" => "(<*>)",
            "[]" => "[<*>]",
            "{}" => "{<*>}",
            "''" | "\"\"" => VAR,
            _ => w,
        };
        if !out.is_empty() {
            out.push(' ');
        }
        last_start = out.len();
        out.push_str(w_out);
        prev_bare_var = w_out == VAR;
        k += 1;
    }
    out
}

/// If `words[k]` opens a bracket group of at most four words holding only values and units,
/// returns the index just past it.
fn restated_group(words: &[&str], k: usize) -> Option<usize> {
    let first = words[k];
    let close = match first.as_bytes().first() {
        Some(b'(') => ')',
        Some(b'[') => ']',
        _ => return None,
    };
    for (j, &word) in words.iter().enumerate().skip(k).take(4) {
        let mut w = word;
        if j == k {
            w = &w[1..];
        }
        let closes = w.ends_with(close);
        if closes {
            w = &w[..w.len() - 1];
        }
        if !(w.is_empty() || w == VAR || is_unit(w)) {
            return None;
        }
        if closes {
            return Some(j + 1);
        }
    }
    None
}

/// `<*>` possibly followed by punctuation ("<*>,", "<*>:").
fn is_var_like(w: &str) -> bool {
    w.starts_with(VAR) && w[3..].bytes().all(|c| c.is_ascii_punctuation() && c != b'<')
}

/// Splits trailing punctuation off a word.
fn split_trailing(w: &str) -> (&str, &str) {
    // Bytes, not chars: the punctuation is ASCII, which no byte of a longer character equals.
    let trailing = w.bytes().rev().take_while(|&c| is_trailing(c)).count();
    w.split_at(w.len() - trailing)
}

fn is_trailing(c: u8) -> bool {
    matches!(c, b',' | b';' | b':' | b'.' | b')' | b']' | b'}')
}

fn is_date_word(w: &str) -> bool {
    // Most words are longer than any date word at their fourth byte already.
    if w.len() > 3 && !is_trailing(w.as_bytes()[3]) {
        return false;
    }
    let (core, _) = split_trailing(w);
    matches!(
        core,
        "Mon"
            | "Tue"
            | "Wed"
            | "Thu"
            | "Fri"
            | "Sat"
            | "Sun"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "May"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
            | "AM"
            | "PM"
            | "UTC"
            | "GMT"
    )
}

/// Units that follow a number as a separate word.
fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "B" | "KB"
            | "MB"
            | "GB"
            | "TB"
            | "PB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "kB"
            | "bytes"
            | "byte"
            | "ms"
            | "us"
            | "ns"
            | "s"
            | "sec"
            | "secs"
            | "second"
            | "seconds"
            | "min"
            | "mins"
            | "minute"
            | "minutes"
            | "h"
            | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "day"
            | "days"
            | "%"
            | "Hz"
            | "kHz"
            | "MHz"
            | "GHz"
    )
}

/// Where a bracketed list opens in the word `b[start..end]` (at its start, or after `=` or
/// `:`) and the index just past its closing bracket, when the list runs over several words and
/// every space inside it follows a comma: `[alice, bob]`, `{mode=1, user=root}`. Brackets
/// holding prose ("(estimated size 93.0 B, free 317.1 KB)") are not lists.
fn list_in_word(b: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let open = (start..end).find(|&j| {
        matches!(b[j], b'[' | b'{') && (j == start || matches!(b[j - 1], b'=' | b':'))
    })?;
    if open > start
        && !(start..open).all(|j| {
            b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'-' | b'.' | b'=' | b':')
        })
    {
        return None;
    }
    let limit = (open + 1024).min(b.len());
    let mut depth = 0usize;
    let mut spaced = false;
    for j in open..limit {
        match b[j] {
            b'[' | b'{' | b'(' => depth += 1,
            b']' | b'}' | b')' => {
                depth -= 1;
                if depth == 0 {
                    let pair = matches!((b[open], b[j]), (b'[', b']') | (b'{', b'}'));
                    return (pair && spaced).then_some((open, j + 1));
                }
            }
            c if c.is_ascii_whitespace() => {
                if !(b[j - 1] == b',' || b[j - 1].is_ascii_whitespace()) {
                    return None;
                }
                spaced = true;
            }
            _ => {}
        }
    }
    None
}

/// A quoted value: one word with no variable part in it is kept with its quotes (`'await'`,
/// `'sparkDriver'`, `'com.example.Foo'`), so that mining can tell a quoted constant, the same in every message of
/// a template, from a quoted variable; anything else (several words, digits, paths) is `<*>`.
fn push_quoted(quoted: &str, keep_words: bool, out: &mut String) {
    let inner = &quoted[1..quoted.len() - 1];
    let start = out.len();
    if keep_words
        && inner.len() <= MAX_QUOTED_WORD
        && !inner.bytes().any(|c| c.is_ascii_whitespace())
    {
        mask_word_cold(inner, out);
        if &out[start..] == inner {
            out.truncate(start);
            out.push_str(quoted);
            return;
        }
        out.truncate(start);
    }
    out.push_str(VAR);
}

/// Longest quoted word kept as it is; longer ones are values (tokens, dumps).
const MAX_QUOTED_WORD: usize = 64;

/// If a quote opens at `i`, returns the index just past its closing quote; the closing quote
/// must end a word (followed by space, end or punctuation) so apostrophes inside words
/// ("can't") are not taken as quotes.
fn quoted_end(b: &[u8], i: usize) -> Option<usize> {
    let q = b[i];
    if q != b'\'' && q != b'"' && q != b'`' {
        return None;
    }
    // A quoted HTTP request line ("GET /v2/x HTTP/1.1") is structure, not a value: its method
    // must stay, so its words are masked one by one instead.
    const METHODS: [&[u8]; 7] =
        [b"GET ", b"POST ", b"PUT ", b"DELETE ", b"HEAD ", b"PATCH ", b"OPTIONS "];
    if METHODS.iter().any(|m| b[i + 1..].starts_with(m)) {
        return None;
    }
    let limit = (i + 1 + 1024).min(b.len());
    let mut j = i + 1;
    while j < limit {
        if b[j] == q {
            let next = b.get(j + 1).copied();
            let ends_word = match next {
                None => true,
                Some(c) => c.is_ascii_whitespace() || b",;:.)]}!?".contains(&c),
            };
            if ends_word && j > i + 1 {
                return Some(j + 1);
            }
            if ends_word {
                return None; // empty quote '' : leave it as text
            }
        }
        j += 1;
    }
    None
}

// `<` is not peeled: in "<1" it belongs to the value.
const LEAD: &[u8] = b"([{\"'`";
const TRAIL: &[u8] = b")]}>\"'`,;:.!?";

/// [`mask_word`] for the rare words inside quotes and before lists, kept out of line so that
/// the hot loop of [`mask`] inlines its one call.
#[inline(never)]
fn mask_word_cold(word: &str, out: &mut String) {
    mask_word(word, out)
}

/// Masks one whitespace-free word and appends it to `out`.
#[inline(always)]
fn mask_word(word: &str, out: &mut String) {
    let b = word.as_bytes();
    // Most words are plain text: nothing in them can start a variable.
    if !b.iter().any(|&c| SPECIAL[c as usize]) {
        out.push_str(word);
        return;
    }
    // Already-masked or redacted values are one variable each.
    if word == VAR {
        out.push_str(VAR);
        return;
    }
    // Peel surrounding punctuation; the core is classified, the punctuation kept.
    let mut s = 0;
    let mut e = b.len();
    while s < e
        && LEAD.contains(&b[s])
        && !b[s..].starts_with(b"<*>")
        && !b[s..].starts_with(b"<redacted:")
    {
        s += 1;
    }
    let redacted = word.contains("<redacted:");
    while e > s
        && TRAIL.contains(&b[e - 1])
        && !b[..e].ends_with(b"<*>")
        && !(redacted && b[e - 1] == b'>')
    {
        e -= 1;
    }
    let core = &word[s..e];
    if core.is_empty() {
        out.push_str(word);
        return;
    }
    out.push_str(&word[..s]);
    let start = out.len();
    if is_whole_variable(core.as_bytes()) {
        out.push_str(VAR);
    } else if let Some(p) = core.find("://") {
        mask_url(core, p, out, start);
    } else {
        if mask_segments(core, out, start) {
            out.truncate(start);
            out.push_str(VAR);
        }
    }
    // A core left with no letters outside placeholders ("<*>:<*>", "<*>/<*>") is one value;
    // the brackets and punctuation around it stay.
    if collapse_punct_only(&out[start..]) {
        out.truncate(start);
        // "[fe80::1]:443": the bracket closes inside the value, so it is part of it.
        let opened = &word[..s];
        let closed_inside = (opened.contains('[') && core.contains(']'))
            || (opened.contains('(') && core.contains(')'));
        if closed_inside {
            out.truncate(start - s);
        }
        out.push_str(VAR);
    }
    out.push_str(&word[e..]);
}

/// Bytes that may start or mark a variable: digits, path and address punctuation, quotes,
/// and `<` of `<*>` / `<redacted:..>`. A word with none of them is copied as it is.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = true;
        c += 1;
    }
    let marks = b"/\\@:.<\"'`";
    let mut i = 0;
    while i < marks.len() {
        t[marks[i] as usize] = true;
        i += 1;
    }
    t
};

/// Words that are variables as a whole: paths, emails, addresses, redactions.
fn is_whole_variable(c: &[u8]) -> bool {
    if c.starts_with(b"<redacted:") && c.ends_with(b">") {
        return true;
    }
    // Absolute or home-relative Unix paths, Windows drive and UNC paths.
    if (c[0] == b'/'
        && c.len() > 1
        && c[1] != b'/'
        && c[1..].iter().any(|&x| x == b'/' || x == b'.'))
        || c.starts_with(b"~/")
        || c.starts_with(b"./")
        || c.starts_with(b"../")
        || c.starts_with(b"\\\\")
        || (c.len() > 2
            && c[0].is_ascii_alphabetic()
            && c[1] == b':'
            && (c[2] == b'\\' || c[2] == b'/'))
    {
        return true;
    }
    // email: local@domain.tld
    if let Some(at) = c.iter().position(|&x| x == b'@') {
        let (l, d) = (&c[..at], &c[at + 1..]);
        if !l.is_empty()
            && l.iter().all(|&x| x.is_ascii_alphanumeric() || b"._%+-".contains(&x))
            && d.contains(&b'.')
            && d.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'.' || x == b'-')
            && d.last().is_some_and(|x| x.is_ascii_alphabetic())
        {
            return true;
        }
    }
    // Colon-separated hex groups: MAC addresses, IPv6, fingerprints ("FF:F2:9F:16:C4:C2").
    if c.iter().filter(|&&x| x == b':').count() >= 2
        && c.iter().all(|&x| x.is_ascii_hexdigit() || x == b':')
        && c.iter().any(|x| x.is_ascii_digit())
    {
        return true;
    }
    if is_hostname(c) {
        return true;
    }
    // host:port: the whole address is the variable. The host is a dotted name, or a
    // lower-case single label with a port of two digits or more ("wpad:80"), which keeps
    // "key:3" style pairs ("Floor:3") as key + value.
    if let Some(colon) = c.iter().rposition(|&x| x == b':') {
        let (h, p) = (&c[..colon], &c[colon + 1..]);
        if !h.is_empty()
            && !p.is_empty()
            && p.len() <= 5
            && p.iter().all(|x| x.is_ascii_digit())
            && h[0].is_ascii_alphanumeric()
            && h.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'.' || x == b'-' || x == b'_')
            && (h.contains(&b'.') || (p.len() >= 2 && h.iter().all(|&x| !x.is_ascii_uppercase())))
        {
            return true;
        }
    }
    false
}

/// A lower-case DNS name ending in a common top-level domain or a two-letter country code
/// ("ns.example.com", "proxy.cse.cuhk.edu.hk"); Java packages ("org.apache.spark") and file
/// names ("wcp.dll") do not end so and stay.
fn is_hostname(c: &[u8]) -> bool {
    if !c.contains(&b'.') || !c[0].is_ascii_alphanumeric() {
        return false;
    }
    // Host labels may hold capitals ("MacBook-Pro.local"); the last label is lower case.
    if !c.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'.' || x == b'-') {
        return false;
    }
    let mut labels = c.rsplit(|&x| x == b'.');
    let tld = labels.next().unwrap_or(b"");
    if tld.iter().any(|x| x.is_ascii_uppercase()) {
        return false;
    }
    let second = labels.next().unwrap_or(b"");
    let generic = |l: &[u8]| {
        matches!(
            l,
            b"com"
                | b"net"
                | b"org"
                | b"edu"
                | b"gov"
                | b"mil"
                | b"int"
                | b"info"
                | b"biz"
                | b"io"
                | b"local"
                | b"localdomain"
                | b"lan"
                | b"internal"
                | b"arpa"
                | b"cloud"
                | b"dev"
                | b"app"
        )
    };
    // Country codes only behind a generic second level ("edu.hk", "co.uk"): a bare two-letter
    // last label is as often a property name ("mapred.job.id").
    generic(tld)
        || (tld.len() == 2
            && tld.iter().all(|x| x.is_ascii_alphabetic())
            && (generic(second) || matches!(second, b"co" | b"ac" | b"ne" | b"or" | b"go")))
}

/// `scheme://host[:port]/path?query`: scheme and letter-only host and path segments stay,
/// segments with digits or ids become `<*>`, the query becomes `<*>`.
fn mask_url(core: &str, p: usize, out: &mut String, start: usize) {
    out.push_str(&core[..p + 3]);
    let rest = &core[p + 3..];
    let (before_q, has_q) = match rest.find(['?', '#']) {
        Some(q) => (&rest[..q], true),
        None => (rest, false),
    };
    for (k, seg) in before_q.split('/').enumerate() {
        if k > 0 {
            out.push('/');
        }
        if k == 0 {
            // host[:port]: userinfo or digits make it a variable
            let host = seg.split(':').next().unwrap_or("");
            if host.bytes().any(|x| x.is_ascii_digit()) || seg.contains('@') {
                out.push_str(VAR);
            } else {
                out.push_str(host);
                if seg.len() > host.len() {
                    out.push_str(":<*>");
                }
            }
        } else if !seg.is_empty() {
            mask_segments(seg, out, start);
        }
    }
    if has_q {
        out.push_str("?<*>");
    }
}

/// Bytes that belong to a segment; everything else separates segments and is kept.
#[inline]
fn seg_byte(x: u8) -> bool {
    x.is_ascii_alphanumeric() || matches!(x, b'_' | b'-' | b'.' | b'+' | b'$' | b'~') || x >= 0x80
}

/// Cuts `core` into segments at punctuation; a segment with a digit in it is a variable.
/// Returns whether `core` is a relative path of three parts or more ("lib/x86/libfoo.so",
/// "app/models/user.rb"): segments joined by single slashes only. One slash is as often prose
/// ("read/write", "TCP/IP").
fn mask_segments(core: &str, out: &mut String, start: usize) -> bool {
    let b = core.as_bytes();
    let (mut slashes, mut other_punctuation) = (0, false);
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"<*>") {
            push_var(out, start);
            i += 3;
            continue;
        }
        if b[i..].starts_with(b"<redacted:") {
            if let Some(close) = b[i..].iter().position(|&x| x == b'>') {
                push_var(out, start);
                i += close + 1;
                continue;
            }
        }
        if !seg_byte(b[i]) {
            if b[i] == b'/' && i > 0 && b[i - 1] != b'/' {
                slashes += 1;
            } else {
                other_punctuation = true;
            }
            out.push(b[i] as char);
            i += 1;
            continue;
        }
        let s = i;
        let mut digit = false;
        // A run of two or more dots ("instruction......0") separates, it is not part of a name.
        while i < b.len() && seg_byte(b[i]) && !(b[i] == b'.' && b.get(i + 1) == Some(&b'.')) {
            digit |= b[i].is_ascii_digit();
            i += 1;
        }
        if i == s {
            // the dot run itself
            while i < b.len() && b[i] == b'.' {
                i += 1;
            }
            out.push_str(&core[s..i]);
            continue;
        }
        // Keep trailing dots as text ("done." / "...") out of the segment.
        let mut e = i;
        while e > s + 1 && b[e - 1] == b'.' {
            e -= 1;
        }
        if (digit && !is_qualified_class(&b[s..e])) || is_hostname(&b[s..e]) {
            push_var(out, start);
        } else {
            out.push_str(&core[s..e]);
        }
        out.push_str(&core[e..i]);
    }
    slashes >= 2 && !other_punctuation && b.last() != Some(&b'/')
}

/// A class named with its package or module (`urllib3.exceptions.MaxRetryError`,
/// `psycopg2.OperationalError`, `io.netty.handler.codec.http2.Http2Exception`): the digits in
/// a library's name are not a value, and the class is often the most telling word of an
/// error. Dotted identifiers, the last one a capitalised word; a part with more than two
/// digits, or more digits than letters, is an id after all (`c4f2a9e1.Task`).
fn is_qualified_class(segment: &[u8]) -> bool {
    let mut parts = segment.split(|&x| x == b'.');
    let Some(class) = parts.next_back() else { return false };
    let identifier = |part: &[u8]| {
        let digits = part.iter().filter(|x| x.is_ascii_digit()).count();
        let letters = part.iter().filter(|x| x.is_ascii_alphabetic()).count();
        part.first().is_some_and(|x| x.is_ascii_alphabetic() || *x == b'_')
            && part.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'_')
            && digits <= 2.min(letters)
    };
    let mut package = parts.peekable();
    package.peek().is_some()
        && package.all(identifier)
        && identifier(class)
        && class[0].is_ascii_uppercase()
        && class.iter().any(|x| x.is_ascii_lowercase())
}

/// Appends `<*>` unless the word being written (from `start`) already ends with one, so
/// "<*>-<*>" inside a word stays short.
#[inline]
fn push_var(out: &mut String, start: usize) {
    if !out[start..].ends_with(VAR) {
        out.push_str(VAR);
    }
}

/// A word with a placeholder and no letters outside placeholders becomes a bare `<*>`,
/// ("<*>:<*>" and "<*>/<*>" are one value).
fn collapse_punct_only(w: &str) -> bool {
    if !w.contains(VAR) {
        return false;
    }
    let b = w.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"<*>") {
            i += 3;
            continue;
        }
        if b[i].is_ascii_alphanumeric() || b[i] >= 0x80 {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::mask_message as m;

    #[test]
    fn constant_words_stay_apart() {
        let a = m("Failed to connect to Redis at 10.0.0.5:6379");
        let b = m("Failed to connect to Postgres at 10.0.0.6:5432");
        assert_ne!(a, b);
        assert_eq!(a, "Failed to connect to Redis at <*>");
        assert_eq!(b, "Failed to connect to Postgres at <*>");
    }

    /// The digits in a library's name are not a value: an error's class stays its title.
    #[test]
    fn qualified_class_names_keep_their_digits() {
        assert_eq!(
            m("psycopg2.OperationalError: connection to server failed"),
            "psycopg2.OperationalError: connection to server failed"
        );
        assert_eq!(
            m("urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='x', port=443)"),
            "urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='x', port=<*>)"
        );
        assert_eq!(
            m("io.netty.handler.codec.http2.Http2Exception: stream closed"),
            "io.netty.handler.codec.http2.Http2Exception: stream closed"
        );
        assert_eq!(m("org.apache.log4j.Logger init"), "org.apache.log4j.Logger init");
        // Ids that only look dotted stay values: hex-like parts, lower-case last parts.
        assert_eq!(m("task c4f2a9e1.Task failed"), "task <*> failed");
        assert_eq!(m("worker12.queue stalled"), "<*> stalled");
        assert_eq!(m("job 7f3a.Retry"), "job <*>");
    }

    #[test]
    fn request_id_example() {
        assert_eq!(
            m("request_id 'defensive_auth_1a2b3c' has invalid format. Expected UUID or UnifiedIDManager structured format."),
            "request_id <*> has invalid format. Expected UUID or UnifiedIDManager structured format."
        );
    }

    #[test]
    fn ids_and_addresses() {
        assert_eq!(m("user 123e4567-e89b-12d3-a456-426614174000 logged in"), "user <*> logged in");
        assert_eq!(m("object 0x7fed806eb5d freed"), "object <*> freed");
        assert_eq!(m("sha deadbeef01234567 ok"), "sha <*> ok");
        assert_eq!(m("from 192.168.1.20 port 22"), "from <*> port <*>");
        assert_eq!(m("peer [fe80::1]:443 closed"), "peer <*> closed");
        assert_eq!(m("took 12ms then 1.5s"), "took <*> then <*>");
        assert_eq!(m("mail to bob.smith@example.com failed"), "mail to <*> failed");
        assert_eq!(m("open /var/log/app.log failed"), "open <*> failed");
        assert_eq!(m("secret <redacted:token> used"), "secret <*> used");
        assert_eq!(m("auth token=<redacted:secret>, retry"), "auth token=<*>, retry");
        assert_eq!(
            m("GET https://api.example.com/v1/users/42?x=1 done"),
            "GET https://api.example.com/<*>/users/<*>?<*> done"
        );
    }

    #[test]
    fn odd_input_and_idempotence() {
        for x in [
            "",
            " ",
            "<*>",
            "<*> <*>",
            "(",
            ")",
            "\"",
            "'",
            "''",
            "()",
            "[",
            "é 12 ü",
            "naïve café 0x1f",
            "a..b",
            "...",
            "<redacted:",
            "<redacted:x",
            "x://",
            "://a",
            "/",
            "//",
            "@",
            "a@b",
            ":",
            "::",
            "a:1",
            "[1.2.3.4]:80",
            "日本語 123",
            "'x'",
            "'await' expression",
            "[a, b]",
            "k=\"a b\" c",
            "{a=1, b=[x, y]}",
            "a/b/c",
            "Host-1.local",
        ] {
            let once = m(x);
            assert_eq!(m(&once), once, "not idempotent on {x:?}");
        }
        assert_eq!(m("naïve café 0x1f"), "naïve café <*>");
        assert_eq!(m("  spaced\tout\r\n words  "), "spaced out words");
    }

    #[test]
    fn quoted_words_stay_for_mining() {
        // one word with no variable part keeps its quotes: mining decides whether it varies
        let awaited = "object UnifiedWebSocketManager can't be used in 'await' expression";
        assert_eq!(m(awaited), awaited);
        assert_eq!(m("No module named 'redis'"), "No module named 'redis'");
        assert_eq!(m("service \"sparkDriver\" started"), "service \"sparkDriver\" started");
        assert_eq!(m("class 'org.example.Foo' loaded"), "class 'org.example.Foo' loaded");
        // several words, digits, paths: a value
        assert_eq!(m("user 'John Smith' left"), "user <*> left");
        assert_eq!(m("worker 'pool-3' idle"), "worker <*> idle");
        assert_eq!(m("open '/app/x.py' failed"), "open <*> failed");
        // inside a word a quote is left to the word's masking (logfmt messages stay readable)
        assert_eq!(
            m("level=error msg=\"upstream request failed\" path=/api/x/42"),
            "level=error msg=\"upstream request failed\" path=/api/x/<*>"
        );
        assert_eq!(m("tag='*launch*', uid=1000"), "tag='*launch*', uid=<*>");
    }

    #[test]
    fn unmined_texts_mask_every_quote() {
        use super::mask_unmined as u;
        assert_eq!(u("No module named 'redis'"), "No module named <*>");
        assert_eq!(
            u("invalid literal for int() with base 10: 'all'"),
            "invalid literal for int() with base <*>: <*>"
        );
        assert_eq!(u("users [alice, bob] left"), "users [<*>] left");
    }

    #[test]
    fn lists_paths_and_hosts() {
        assert_eq!(m("users [alice, bob, carol] left"), "users [<*>] left");
        assert_eq!(m("users [alice] left"), "users [alice] left");
        assert_eq!(m("params {mode=fast, user=root} set"), "params {<*>} set");
        assert_eq!(m("listeners=[a, b] ok"), "listeners=[<*>] ok");
        assert_eq!(
            m("Disconnecting: too many failures [preauth]"),
            "Disconnecting: too many failures [preauth]"
        );
        assert_eq!(m("loading lib/x86/libfoo.so now"), "loading <*> now");
        assert_eq!(m("read/write error on TCP/IP"), "read/write error on TCP/IP");
        assert_eq!(m("reply from MacBook-Pro.local port"), "reply from <*> port");
    }

    #[test]
    fn quotes_and_keys() {
        assert_eq!(m("key \"a b c\" missing"), "key <*> missing");
        assert_eq!(
            m("10.1.1.1 \"GET /v2/54fa/servers HTTP/1.1\" status: 200"),
            "<*> \"GET <*> HTTP/<*>\" status: <*>"
        );
        assert_eq!(m("can't open it"), "can't open it");
        assert_eq!(m("uid=0 euid=0 tty=NODEVssh"), "uid=<*> euid=<*> tty=NODEVssh");
        assert_eq!(m("values 1 2 3 end"), "values <*> end");
        assert_eq!(
            m("close, 1190 bytes (1.16 KB) sent, 403 bytes received, lifetime <1 sec"),
            "close, <*> sent, <*> received, lifetime <*>"
        );
        assert_eq!(m("at Fri Jun 17 07:07:00 2005 from ()"), "at <*> from (<*>)");
        assert_eq!(m("from 1.2.3.4 (host-1.example.com) at"), "from <*> at");
        assert_eq!(m("from 1.2.3.4 () at"), "from <*> at");
        assert_eq!(m("(estimated size 93.0 B, free 317.1 KB)"), "(estimated size <*>, free <*>)");
        assert_eq!(
            m("Finished task 1.0 in stage 0.0 (TID 1). 2 bytes"),
            "Finished task <*> in stage <*> (TID <*>). <*>"
        );
        assert_eq!(m("wpad:80 error"), "<*> error");
        assert_eq!(m("illegal instruction......0"), "illegal instruction......<*>");
        assert_eq!(m("chip FF:F2:9F:16:C4:C2:00:0D:60:E9:3B:3D ip=10.2.1.37"), "chip <*> ip=<*>");
        assert_eq!(m("for ns.example.com [1.2.3.4] failed"), "for <*> failed");
        assert_eq!(
            m("class org.apache.spark.Foo and wcp.dll"),
            "class org.apache.spark.Foo and wcp.dll"
        );
    }
}
