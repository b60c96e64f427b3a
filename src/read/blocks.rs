//! Where an object or array ends, found 64 bytes at a time (the first stage of simdjson,
//! Langdale and Lemire 2019): each block's quotes, backslashes and brackets become bit masks,
//! the escaped bytes and the inside of strings follow from them with a few word operations, and
//! only the brackets outside strings are looked at one by one. Splitting a pretty-printed gcloud
//! array looked at every byte of it on the main thread, which hands the chunks to the parsers:
//! a sixth of the CPU on such input.
//!
//! It reads valid JSON exactly as the byte-by-byte scan in `json_split` does. A backslash
//! outside a string is the one thing the two could see differently (the byte scan passes over
//! it, the block scan lets it escape the byte after it): it makes the block scan give up, and
//! the byte scan decides.

/// What the block scan found for the container opening at the start.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// The container ends just before this offset.
    End(usize),
    /// The input ends inside it.
    Incomplete,
    /// A backslash outside a string: for the byte scan to read.
    Irregular,
}

/// The end of the object or array whose `{` or `[` is at `start`.
pub(super) fn container_end(bytes: &[u8], start: usize) -> Found {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, just checked.
        return unsafe { container_end_avx2(bytes, start) };
    }
    scan(bytes, start, Masks::of)
}

/// [`scan`] compiled for AVX2: its masks take two 32-byte loads a block instead of four of 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn container_end_avx2(bytes: &[u8], start: usize) -> Found {
    scan(bytes, start, |block| {
        // SAFETY: this function only runs where AVX2 is (see `container_end`).
        unsafe { Masks::of_avx2(block) }
    })
}

#[inline(always)]
fn scan(bytes: &[u8], start: usize, masks_of: impl Fn(&[u8]) -> Masks) -> Found {
    let mut depth = 0u32;
    let mut escapes = Escapes::default();
    let mut inside_before = 0u64;
    let mut at = start;
    while at < bytes.len() {
        let block = masks_of(&bytes[at..bytes.len().min(at + 64)]);
        let escaped = if block.backslash == 0 && escapes.carry == 0 {
            0
        } else {
            escapes.escaped(block.backslash)
        };
        // Bit i: inside a string, from its opening quote up to (not with) its closing one.
        let inside = prefix_xor(block.quote & !escaped) ^ inside_before;
        inside_before = ((inside as i64) >> 63) as u64;
        if block.backslash & !inside != 0 {
            return Found::Irregular;
        }
        let mut brackets = (block.open | block.close) & !inside;
        while brackets != 0 {
            let bit = brackets.trailing_zeros();
            brackets &= brackets - 1;
            if block.open >> bit & 1 == 1 {
                depth += 1;
            } else {
                depth -= 1;
                if depth == 0 {
                    return Found::End(at + bit as usize + 1);
                }
            }
        }
        at += 64;
    }
    Found::Incomplete
}

/// The quote, backslash, opening and closing bits of one vector of bytes (`part`), the same for
/// SSE2's 16 bytes and AVX2's 32: only the intrinsics' names and the vector type differ. The
/// caller vouches for the instruction set (`unsafe`).
#[cfg(target_arch = "x86_64")]
macro_rules! vector_masks {
    ($part:expr, $vector:ty, $load:ident, $equal:ident, $splat:ident, $or:ident, $movemask:ident) => {{
        let v = $load($part.as_ptr().cast::<$vector>());
        let is = |c: u8| $equal(v, $splat(c as i8));
        // movemask sets one bit per byte, in the low 16 or 32 bits.
        [is(b'"'), is(b'\\'), $or(is(b'{'), is(b'[')), $or(is(b'}'), is(b']'))]
            .map(|m| $movemask(m) as u32)
    }};
}

/// Bit i set: byte i of a block (of at most 64 bytes) is such a byte.
#[derive(Debug, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` or `[`.
    open: u64,
    /// `}` or `]`.
    close: u64,
}

impl Masks {
    fn of(block: &[u8]) -> Masks {
        with_full_block(block, Masks::of_full)
    }

    /// # Safety
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn of_avx2(block: &[u8]) -> Masks {
        use std::arch::x86_64::*;
        with_full_block(block, |block| {
            Masks::from_parts(block, 32, |part| {
                // SAFETY: AVX2 is there (the caller's promise); the unaligned load reads exactly
                // the 32 bytes of `part`.
                unsafe {
                    vector_masks!(
                        part,
                        __m256i,
                        _mm256_loadu_si256,
                        _mm256_cmpeq_epi8,
                        _mm256_set1_epi8,
                        _mm256_or_si256,
                        _mm256_movemask_epi8
                    )
                }
            })
        })
    }

    #[cfg(target_arch = "x86_64")]
    fn of_full(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::*;
        Masks::from_parts(block, 16, |part| {
            // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
            // available; the unaligned load reads exactly the sixteen bytes of `part`.
            unsafe {
                vector_masks!(
                    part,
                    __m128i,
                    _mm_loadu_si128,
                    _mm_cmpeq_epi8,
                    _mm_set1_epi8,
                    _mm_or_si128,
                    _mm_movemask_epi8
                )
            }
        })
    }

    /// The masks of a block from those of its parts of `width` bytes: `part` gives a part's
    /// quote, backslash, opening and closing bits.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn from_parts(block: &[u8; 64], width: usize, part: impl Fn(&[u8]) -> [u32; 4]) -> Masks {
        let mut masks = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
        for (k, bytes) in block.chunks_exact(width).enumerate() {
            let [quote, backslash, open, close] = part(bytes).map(u64::from);
            let shift = k * width;
            masks.quote |= quote << shift;
            masks.backslash |= backslash << shift;
            masks.open |= open << shift;
            masks.close |= close << shift;
        }
        masks
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of_full(block: &[u8; 64]) -> Masks {
        Masks::bytewise(block)
    }

    /// Byte by byte: the reference the vector version is tested against, and its stand-in on
    /// other machines.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn bytewise(block: &[u8]) -> Masks {
        let mut masks = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
        for (i, &c) in block.iter().enumerate() {
            masks.quote |= u64::from(c == b'"') << i;
            masks.backslash |= u64::from(c == b'\\') << i;
            masks.open |= u64::from(c == b'{' || c == b'[') << i;
            masks.close |= u64::from(c == b'}' || c == b']') << i;
        }
        masks
    }
}

/// `masks` of a block of 64 bytes; a shorter last block is padded with spaces, none of the
/// bytes looked for.
#[inline(always)]
fn with_full_block(block: &[u8], masks: impl Fn(&[u8; 64]) -> Masks) -> Masks {
    if let Ok(full) = <&[u8; 64]>::try_from(block) {
        return masks(full);
    }
    let mut padded = [b' '; 64];
    padded[..block.len()].copy_from_slice(block);
    masks(&padded)
}

/// Which backslashes escape the byte after them, block after block: in a run of backslashes,
/// every other one (simdjson's `find_escaped_branchless`).
#[derive(Default)]
struct Escapes {
    /// 1 when the previous block ended with a backslash that escapes this block's first byte.
    carry: u64,
}

impl Escapes {
    /// The bits of the escaped bytes of a block whose backslashes are `backslash`.
    fn escaped(&mut self, backslash: u64) -> u64 {
        const EVEN: u64 = 0x5555_5555_5555_5555;
        let backslash = backslash & !self.carry;
        let follows_escape = (backslash << 1) | self.carry;
        let odd_starts = backslash & !EVEN & !follows_escape;
        let (even_starts, overflow) = odd_starts.overflowing_add(backslash);
        self.carry = u64::from(overflow);
        (EVEN ^ (even_starts << 1)) & follows_escape
    }
}

/// Bit i: the xor of bits 0 to i of `x`.
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The escaped bytes of a text, found one byte at a time.
    fn escaped_one_by_one(text: &[u8]) -> Vec<usize> {
        let (mut out, mut i) = (Vec::new(), 0);
        while i < text.len() {
            if text[i] == b'\\' && i + 1 < text.len() {
                out.push(i + 1);
                i += 2;
            } else {
                i += 1;
            }
        }
        out
    }

    fn escaped_by_blocks(text: &[u8]) -> Vec<usize> {
        let mut escapes = Escapes::default();
        let mut out = Vec::new();
        for (block, start) in text.chunks(64).zip((0..).step_by(64)) {
            let mut bits = escapes.escaped(Masks::bytewise(block).backslash);
            while bits != 0 {
                out.push(start + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        // A backslash at the very end escapes nothing that is there.
        out.retain(|&at| at < text.len());
        out
    }

    fn json_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            4 => Just(b'a'),
            2 => Just(b' '),
            2 => Just(b'"'),
            2 => Just(b'\\'),
            1 => Just(b'{'),
            1 => Just(b'}'),
            1 => Just(b'['),
            1 => Just(b']'),
            1 => Just(b','),
        ];
        proptest::collection::vec(byte, 0..max)
    }

    proptest! {
        /// Runs of backslashes of any length, across block boundaries.
        #[test]
        fn escapes_found_by_blocks_are_those_found_byte_by_byte(text in json_bytes(300)) {
            prop_assert_eq!(escaped_by_blocks(&text), escaped_one_by_one(&text));
        }

        #[test]
        fn vector_and_bytewise_masks_agree(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let block: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            prop_assert_eq!(Masks::of_full(block), Masks::bytewise(block));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2, just checked.
                prop_assert_eq!(unsafe { Masks::of_avx2(block) }, Masks::bytewise(block));
            }
        }

        /// Wherever the block scan decides, it decides as the byte scan does; random texts of
        /// brackets, quotes and backslashes, and JSON that serde wrote.
        #[test]
        fn the_block_scan_ends_containers_where_the_byte_scan_does(
            text in json_bytes(400),
            value in proptest::collection::vec("[a-z\"\\\\{}\\[\\] ]{0,12}", 0..40),
        ) {
            let written = serde_json::to_vec(&serde_json::json!({ "v": value })).unwrap();
            for text in [[b"{".as_slice(), &text].concat(), [b"[".as_slice(), &text].concat(), written] {
                let bytewise = super::super::json_split::container_end_bytewise(&text, 0);
                // The machine's best masks, and the baseline ones.
                for found in [container_end(&text, 0), scan(&text, 0, Masks::of)] {
                    match found {
                        Found::End(end) => prop_assert_eq!(Some(end), bytewise),
                        Found::Incomplete => prop_assert_eq!(None, bytewise),
                        Found::Irregular => {}
                    }
                }
            }
        }
    }

    #[test]
    fn containers_end_across_blocks_and_escapes() {
        let long = "x".repeat(100);
        let text = format!(r#"{{"a\"}}":"{long}","b":["\\",{{}}]}} tail"#);
        assert_eq!(container_end(text.as_bytes(), 0), Found::End(text.len() - 5));
        assert_eq!(container_end(&text.as_bytes()[..text.len() - 6], 0), Found::Incomplete);
        assert_eq!(container_end(br#"{"a": 1 \"}"#, 0), Found::Irregular);
        assert_eq!(container_end(b"[[]] ", 1), Found::End(3));
    }
}
