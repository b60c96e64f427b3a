//! Hashes of a record's text fields joined together, for the identities the pipeline compares:
//! an entry (duplicates across exports) and the stream it was written to (split tracebacks).

use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

/// Joined fields up to this long are hashed from the stack in one call (ids, names and log names
/// are well under it); the streaming hasher, which copied each field into a buffer of its own,
/// showed in profiles.
const ON_STACK: usize = 256;

/// xxh3-128 of `parts` joined by 0x1f.
pub(crate) fn joined128(parts: &[&[u8]]) -> u128 {
    match on_stack(parts) {
        Some((buf, len)) => xxh3_128(&buf[..len]),
        None => streaming(parts).digest128(),
    }
}

/// xxh3-64 of `parts` joined by 0x1f.
pub(crate) fn joined64(parts: &[&[u8]]) -> u64 {
    match on_stack(parts) {
        Some((buf, len)) => xxh3_64(&buf[..len]),
        None => streaming(parts).digest(),
    }
}

fn on_stack(parts: &[&[u8]]) -> Option<([u8; ON_STACK], usize)> {
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + parts.len().saturating_sub(1);
    if len > ON_STACK {
        return None;
    }
    let mut buf = [0u8; ON_STACK];
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            buf[at] = 0x1f;
            at += 1;
        }
        buf[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    Some((buf, len))
}

fn streaming(parts: &[&[u8]]) -> Xxh3 {
    let mut h = Xxh3::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h.update(&[0x1f]);
        }
        h.update(part);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_fields_hash_as_the_joined_text() {
        let long = "x".repeat(300);
        for parts in [vec!["a", "bc", ""], vec!["", ""], vec![long.as_str(), "y"], vec!["solo"]] {
            let bytes: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
            let joined = parts.join("\u{1f}");
            assert_eq!(joined128(&bytes), xxh3_128(joined.as_bytes()), "{parts:?}");
            assert_eq!(joined64(&bytes), xxh3_64(joined.as_bytes()), "{parts:?}");
        }
        // Where the separator falls is part of the identity.
        assert_ne!(joined128(&[b"ab", b"c"]), joined128(&[b"a", b"bc"]));
    }
}
