//! A tiny JSON tree and writer for the generator: compact output (one NDJSON line) and
//! Python-style pretty output (`json.dumps(indent=2, sort_keys=True)`, as `gcloud --format=json`
//! prints), both with keys sorted at every level; plus the PRNG and RFC 3339 timestamp formatting.
//!
//! Building a throw-away `serde_json::Value` per entry is avoided on purpose: this path writes
//! gigabytes for the benchmarks.

use std::rc::Rc;

/// One JSON value. Object keys are static; [`V::sort`] orders them before writing.
#[derive(Debug, Clone)]
pub enum V {
    /// Owned string.
    S(String),
    /// Static string.
    St(&'static str),
    /// Shared string (project, service and revision names, instance ids).
    R(Rc<str>),
    /// Integer.
    I(i64),
    /// Boolean.
    B(bool),
    /// Object; keys are sorted by [`V::sort`] before writing.
    O(Vec<(&'static str, V)>),
    /// Array.
    A(Vec<V>),
}

impl V {
    /// Sorts the keys of every object in the tree (byte order, which is code-point order, as
    /// Python's `sort_keys=True`).
    pub fn sort(&mut self) {
        match self {
            V::O(fields) => {
                fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
                for (_, v) in fields.iter_mut() {
                    v.sort();
                }
            }
            V::A(items) => items.iter_mut().for_each(V::sort),
            _ => {}
        }
    }

    /// Writes the value compactly (`{"a":1,"b":[2]}`), keys in their current order.
    pub fn write_compact(&self, buf: &mut Vec<u8>) {
        match self {
            V::O(fields) => {
                buf.push(b'{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    escape(k, buf);
                    buf.push(b':');
                    v.write_compact(buf);
                }
                buf.push(b'}');
            }
            V::A(items) => {
                buf.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    v.write_compact(buf);
                }
                buf.push(b']');
            }
            _ => self.write_scalar(buf),
        }
    }

    /// Writes the value pretty-printed like Python's `json.dumps(v, indent=2)`: `": "` after keys,
    /// `","` at line ends, `{}`/`[]` for empty containers. `indent` is the current depth in spaces;
    /// the first line is not indented (the caller has placed the cursor).
    pub fn write_pretty(&self, indent: usize, buf: &mut Vec<u8>) {
        match self {
            V::O(fields) if fields.is_empty() => buf.extend_from_slice(b"{}"),
            V::A(items) if items.is_empty() => buf.extend_from_slice(b"[]"),
            V::O(fields) => {
                buf.extend_from_slice(b"{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    spaces(indent + 2, buf);
                    escape(k, buf);
                    buf.extend_from_slice(b": ");
                    v.write_pretty(indent + 2, buf);
                    if i + 1 < fields.len() {
                        buf.push(b',');
                    }
                    buf.push(b'\n');
                }
                spaces(indent, buf);
                buf.push(b'}');
            }
            V::A(items) => {
                buf.extend_from_slice(b"[\n");
                for (i, v) in items.iter().enumerate() {
                    spaces(indent + 2, buf);
                    v.write_pretty(indent + 2, buf);
                    if i + 1 < items.len() {
                        buf.push(b',');
                    }
                    buf.push(b'\n');
                }
                spaces(indent, buf);
                buf.push(b']');
            }
            _ => self.write_scalar(buf),
        }
    }

    fn write_scalar(&self, buf: &mut Vec<u8>) {
        match self {
            V::S(s) => escape(s, buf),
            V::St(s) => escape(s, buf),
            V::R(s) => escape(s, buf),
            V::I(n) => {
                let mut tmp = [0u8; 20];
                let mut i = tmp.len();
                let neg = *n < 0;
                let mut u = n.unsigned_abs();
                loop {
                    i -= 1;
                    tmp[i] = b'0' + (u % 10) as u8;
                    u /= 10;
                    if u == 0 {
                        break;
                    }
                }
                if neg {
                    buf.push(b'-');
                }
                buf.extend_from_slice(&tmp[i..]);
            }
            V::B(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
            V::O(_) | V::A(_) => unreachable!("containers are not scalars"),
        }
    }
}

fn spaces(n: usize, buf: &mut Vec<u8>) {
    const SP: &[u8; 64] = &[b' '; 64];
    let mut n = n;
    while n > 0 {
        let k = n.min(SP.len());
        buf.extend_from_slice(&SP[..k]);
        n -= k;
    }
}

/// Writes `s` as a JSON string literal. Non-ASCII text is written as UTF-8, as gcloud prints it.
pub fn escape(s: &str, buf: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[(b >> 4) as usize]);
            buf.push(HEX[(b & 15) as usize]);
        } else {
            buf.extend_from_slice(short);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// The splitmix64 finalizer: a bijection on `u64`, so distinct inputs give distinct outputs.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64: small, fast, deterministic on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(mix(seed ^ 0x6c6f_672d_6761_7264)) // "log-gard"
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Appends `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut left = 0;
        let mut bits = 0u64;
        for _ in 0..n {
            if left == 0 {
                bits = self.next_u64();
                left = 16;
            }
            out.push(HEX[(bits & 15) as usize] as char);
            bits >>= 4;
            left -= 1;
        }
    }

    pub fn hex_string(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.hex(n, &mut s);
        s
    }

    /// Appends `n` characters from `alphabet`.
    pub fn chars(&mut self, n: usize, alphabet: &[u8], out: &mut String) {
        for _ in 0..n {
            out.push(*self.pick(alphabet) as char);
        }
    }

    /// A random version-4 UUID, lowercase.
    pub fn uuid(&mut self) -> String {
        let mut s = String::with_capacity(36);
        self.hex(8, &mut s);
        s.push('-');
        self.hex(4, &mut s);
        s.push_str("-4");
        self.hex(3, &mut s);
        s.push('-');
        s.push(*self.pick(b"89ab") as char);
        self.hex(3, &mut s);
        s.push('-');
        self.hex(12, &mut s);
        s
    }
}

/// Appends `ns` (nanoseconds since the Unix epoch) as RFC 3339 UTC with 6 or 9 fraction digits
/// and a `Z`, e.g. `2025-09-11T05:17:11.373739Z`.
pub fn push_timestamp(ns: i64, nine_digits: bool, out: &mut String) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    push_num(y, 4, out);
    out.push('-');
    push_num(m, 2, out);
    out.push('-');
    push_num(d, 2, out);
    out.push('T');
    push_num(sod / 3600, 2, out);
    out.push(':');
    push_num(sod / 60 % 60, 2, out);
    out.push(':');
    push_num(sod % 60, 2, out);
    out.push('.');
    if nine_digits {
        push_num(frac, 9, out);
    } else {
        push_num(frac / 1000, 6, out);
    }
    out.push('Z');
}

#[cfg(test)]
pub fn timestamp(ns: i64, nine_digits: bool) -> String {
    let mut s = String::with_capacity(30);
    push_timestamp(ns, nine_digits, &mut s);
    s
}

fn push_num(v: i64, width: usize, out: &mut String) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    let mut u = v.unsigned_abs();
    while u > 0 {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
    }
    let digits = tmp.len() - i;
    for _ in digits..width {
        out.push('0');
    }
    out.push_str(std::str::from_utf8(&tmp[i..]).unwrap_or(""));
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Base64url without padding (as in JWTs).
pub fn base64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::with_capacity(data.len() * 4 / 3 + 3);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=n {
            s.push(A[((v >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_chrono() {
        for &ns in
            &[0i64, 1_757_566_631_373_739_123, 951_782_400_000_000_001, 4_102_444_799_999_999_999]
        {
            let dt = chrono::DateTime::from_timestamp_nanos(ns);
            assert_eq!(timestamp(ns, true), dt.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string());
            assert_eq!(timestamp(ns, false), dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
    }

    #[test]
    fn writers_match_serde_json() {
        let mut v = V::O(vec![
            ("zeta", V::A(vec![V::I(-5), V::B(true), V::O(vec![])])),
            ("alpha", V::S("quote \" backslash \\ newline \n tab \t ctl \u{1} ▲".into())),
            ("mid", V::O(vec![("b", V::A(vec![])), ("a", V::St("x"))])),
        ]);
        v.sort();
        let mut compact = Vec::new();
        v.write_compact(&mut compact);
        let parsed: serde_json::Value = serde_json::from_slice(&compact).unwrap();
        // serde_json's default map is sorted, so its compact output is the reference.
        assert_eq!(
            String::from_utf8(compact.clone()).unwrap(),
            serde_json::to_string(&parsed).unwrap()
        );
        let mut pretty = Vec::new();
        v.write_pretty(0, &mut pretty);
        let expected = "{\n  \"alpha\": \"quote \\\" backslash \\\\ newline \\n tab \\t ctl \\u0001 ▲\",\n  \"mid\": {\n    \"a\": \"x\",\n    \"b\": []\n  },\n  \"zeta\": [\n    -5,\n    true,\n    {}\n  ]\n}";
        assert_eq!(String::from_utf8(pretty).unwrap(), expected);
    }

    #[test]
    fn base64url_encodes() {
        assert_eq!(
            base64url(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        );
        assert_eq!(base64url(b"ab"), "YWI");
    }
}
