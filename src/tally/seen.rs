//! The identities of the entries read so far (hashes of insertId, logName and timestamp), for
//! dropping duplicates, in little memory.
//!
//! This set is the one thing that grows with every entry read. A hash set of `u128` used 17 to
//! 34 bytes an entry and, while growing, held its old and new tables at once (a 190 MB moment on
//! a 4 GB export). Here the top 96 bits of each 128-bit hash are kept (two different entries
//! share them with a chance of about 1 in 10^16 at 5 million entries, 1 in 10^13 at 100 million),
//! split by their first 16 bits into 65,536 sorted shards that store the other 80: 10 bytes an
//! entry and a quarter more at most, growing a shard at a time. Hashes are uniform, so a shard
//! holds `n / 65,536` entries (70 at 4.6 million) spread evenly over its range.

/// Hashes seen, in sorted shards.
pub(crate) struct Seen {
    shards: Vec<Vec<Stored>>,
    len: usize,
}

const SHARD_BITS: u32 = 16;
/// Bits of the hash kept after the shard's: 96 kept in all.
const REST_BITS: u32 = 80;
type Stored = [u8; (REST_BITS / 8) as usize];

/// The shard and the rest of a hash.
fn split(hash: u128) -> (usize, u128) {
    let kept = hash >> (128 - SHARD_BITS - REST_BITS);
    ((kept >> REST_BITS) as usize, kept & ((1u128 << REST_BITS) - 1))
}

fn value(stored: &Stored) -> u128 {
    let mut full = [0u8; 16];
    full[16 - stored.len()..].copy_from_slice(stored);
    u128::from_be_bytes(full)
}

fn store(rest: u128) -> Stored {
    rest.to_be_bytes()[16 - std::mem::size_of::<Stored>()..].try_into().expect("the low bytes")
}

/// Where `rest` would sit in a shard of `n` uniform values, in proportion to its top 32 bits.
fn estimate(n: usize, rest: u128) -> usize {
    let fraction = (rest >> (REST_BITS - 32)) as u64;
    ((fraction * n as u64) >> 32) as usize
}

/// Where `rest` is in a sorted shard, or would go. Hashes are uniform, so the shard's values
/// are spread evenly over their range: the search starts where `rest` would sit in proportion
/// and walks a few steps, touching a cache line or two (a binary search touched five or six,
/// and the set is too large for the cache).
fn position(shard: &[Stored], rest: u128) -> Result<usize, usize> {
    let n = shard.len();
    if n == 0 {
        return Err(0);
    }
    let mut i = estimate(n, rest);
    if value(&shard[i]) < rest {
        i += 1;
        while i < n && value(&shard[i]) < rest {
            i += 1;
        }
    } else {
        while i > 0 && value(&shard[i - 1]) >= rest {
            i -= 1;
        }
    }
    if i < n && value(&shard[i]) == rest {
        Ok(i)
    } else {
        Err(i)
    }
}

impl Default for Seen {
    fn default() -> Self {
        Seen { shards: (0..1usize << SHARD_BITS).map(|_| Vec::new()).collect(), len: 0 }
    }
}

impl Seen {
    /// Adds `hash`; false when it was there already.
    pub(crate) fn insert(&mut self, hash: u128) -> bool {
        let (shard, rest) = split(hash);
        let shard = &mut self.shards[shard];
        let at = match position(shard, rest) {
            Ok(_) => return false,
            Err(at) => at,
        };
        if shard.len() == shard.capacity() {
            // A quarter more, not double: every shard fills at the same pace, so doubling would
            // double the whole set at once.
            shard.reserve_exact((shard.len() / 4).max(4));
        }
        shard.insert(at, store(rest));
        self.len += 1;
        true
    }

    /// Adds each hash in turn (as [`Seen::insert`]), telling for each whether it was new. The
    /// set is far larger than the cache and each hash lands in a random shard, so the shards of
    /// the hashes a few steps ahead are fetched while the current one is inserted.
    pub(crate) fn insert_all(&mut self, hashes: &[u128], fresh: &mut Vec<bool>) {
        const AHEAD: usize = 8;
        for i in 0..hashes.len() {
            if let Some(&ahead) = hashes.get(i + AHEAD) {
                prefetch(&self.shards[split(ahead).0]);
            }
            if let Some(&near) = hashes.get(i + AHEAD / 2) {
                let (shard, rest) = split(near);
                let shard = &self.shards[shard];
                if !shard.is_empty() {
                    prefetch(&shard[estimate(shard.len(), rest)]);
                }
            }
            fresh.push(self.insert(hashes[i]));
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// Asks the processor to start loading `value`'s cache line.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(
            (value as *const T).cast::<i8>(),
            std::arch::x86_64::_MM_HINT_T0,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set() {
        // Hashes that share shards and differ only in their low bits, and repeats.
        let mut seen = Seen::default();
        let mut reference = HashSet::new();
        let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
        for i in 0..200_000u128 {
            x = x.wrapping_mul(0x2545_f491_4f6c_dd1d_2545_f491_4f6c_dd1d).wrapping_add(i);
            let hash = match i % 5 {
                0 => (x & 0x3ff) << 32, // shard 0, small values
                1 => (x >> 64) << 64,
                // Repeats, spread over the shards (an odd factor keeps them distinct).
                _ => (x % 150_000).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
            };
            // The identity is the top 96 bits.
            assert_eq!(seen.insert(hash), reference.insert(hash >> 32), "hash {hash:#x}");
        }
        assert_eq!(seen.len(), reference.len());
        for &kept in reference.iter().take(1000) {
            assert!(!seen.insert(kept << 32));
        }
    }

    #[test]
    fn insert_all_is_insert_in_turn() {
        // Repeats within one slice and across slices.
        let hashes: Vec<u128> = (0..5000u128)
            .map(|i| (i % 1700).wrapping_mul(0x9e37_79b9_7f4a_7c15_0000_0000_0000_0001))
            .collect();
        let (mut one, mut all) = (Seen::default(), Seen::default());
        let expected: Vec<bool> = hashes.iter().map(|&h| one.insert(h)).collect();
        let mut fresh = Vec::new();
        for part in hashes.chunks(777) {
            all.insert_all(part, &mut fresh);
        }
        assert_eq!(fresh, expected);
        assert_eq!(fresh.iter().filter(|&&f| f).count(), 1700);
        assert_eq!(all.len(), 1700);
    }

    #[test]
    fn the_identity_is_the_top_96_bits() {
        let mut seen = Seen::default();
        let low = 1u128 << 32; // the lowest bit kept
        assert!(seen.insert(low));
        assert!(seen.insert(low | (1 << 127))); // a shard bit
        assert!(seen.insert(low | (1 << 112))); // the lowest shard bit
        assert!(seen.insert(low | (1 << 111))); // the highest stored bit
        assert!(!seen.insert(low | (1 << 112)));
        assert!(!seen.insert(low | 0xffff_ffff)); // bits not kept
        assert_eq!(seen.len(), 4);
    }
}
