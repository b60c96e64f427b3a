//! The identities of the entries read so far (128-bit hashes of insertId, logName and
//! timestamp), for dropping duplicates exactly, in little memory.
//!
//! This set is the one thing that grows with every entry read. A hash set of `u128` used 17 to
//! 34 bytes an entry and, while growing, held its old and new tables at once (a 190 MB moment on
//! a 4 GB export). Here the hashes are split by their top 16 bits into 65,536 sorted shards that
//! keep only the other 112 bits: 14 bytes an entry and a quarter more at most, growing a shard at
//! a time. Hashes are uniform, so a shard holds `n / 65,536` entries (70 at 4.6 million), and an
//! insert is a binary search and a short move.

/// Hashes seen, in sorted shards.
pub struct Seen {
    shards: Vec<Vec<[u8; 14]>>,
    len: usize,
}

const SHARD_BITS: u32 = 16;
const REST_MASK: u128 = u128::MAX >> SHARD_BITS;

fn value(stored: &[u8; 14]) -> u128 {
    let mut full = [0u8; 16];
    full[2..].copy_from_slice(stored);
    u128::from_be_bytes(full)
}

/// Where `rest` is in a sorted shard, or would go. Hashes are uniform, so the shard's values
/// are spread evenly over their range: the search starts where `rest` would sit in proportion
/// and walks a few steps, touching a cache line or two (a binary search touched five or six,
/// and the set is too large for the cache).
fn position(shard: &[[u8; 14]], rest: u128) -> Result<usize, usize> {
    let n = shard.len();
    if n == 0 {
        return Err(0);
    }
    let fraction = (rest >> (128 - SHARD_BITS - 32)) as u64; // the top 32 of the 112 bits
    let mut i = ((fraction * n as u64) >> 32) as usize;
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
    pub fn insert(&mut self, hash: u128) -> bool {
        let shard = &mut self.shards[(hash >> (128 - SHARD_BITS)) as usize];
        let rest = hash & REST_MASK;
        let at = match position(shard, rest) {
            Ok(_) => return false,
            Err(at) => at,
        };
        if shard.len() == shard.capacity() {
            // A quarter more, not double: every shard fills at the same pace, so doubling would
            // double the whole set at once.
            shard.reserve_exact((shard.len() / 4).max(4));
        }
        shard.insert(at, rest.to_be_bytes()[2..].try_into().expect("16 - 2 bytes"));
        self.len += 1;
        true
    }

    /// Adds each hash in turn (as [`Seen::insert`]), telling for each whether it was new. The
    /// set is far larger than the cache and each hash lands in a random shard, so the shards of
    /// the hashes a few steps ahead are fetched while the current one is inserted.
    pub fn insert_all(&mut self, hashes: &[u128], fresh: &mut Vec<bool>) {
        const AHEAD: usize = 8;
        for i in 0..hashes.len() {
            if let Some(&ahead) = hashes.get(i + AHEAD) {
                prefetch(&self.shards[(ahead >> (128 - SHARD_BITS)) as usize]);
            }
            if let Some(&near) = hashes.get(i + AHEAD / 2) {
                let shard = &self.shards[(near >> (128 - SHARD_BITS)) as usize];
                if !shard.is_empty() {
                    let fraction = ((near & REST_MASK) >> (128 - SHARD_BITS - 32)) as u64;
                    prefetch(&shard[((fraction * shard.len() as u64) >> 32) as usize]);
                }
            }
            fresh.push(self.insert(hashes[i]));
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
                0 => x & 0x3ff, // shard 0, small values
                1 => (x >> 64) << 64,
                // Repeats, spread over the shards (an odd factor keeps them distinct).
                _ => (x % 150_000).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
            };
            assert_eq!(seen.insert(hash), reference.insert(hash), "hash {hash:#x}");
        }
        assert_eq!(seen.len(), reference.len());
        for &hash in reference.iter().take(1000) {
            assert!(!seen.insert(hash));
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
    fn the_top_bits_are_part_of_the_identity() {
        let mut seen = Seen::default();
        assert!(seen.insert(1));
        assert!(seen.insert(1 | (1 << 127)));
        assert!(seen.insert(1 | (1 << 112)));
        assert!(!seen.insert(1 | (1 << 112)));
        assert_eq!(seen.len(), 3);
    }
}
