//! Payment card numbers: 13–19 digits, printed whole or in the groups cards print them in, that
//! start with a card-network digit and pass the Luhn check. Hand-written rather than a regex,
//! since which digits form a card depends on the groups around them and on a checksum.
use super::{splice, Span};

/// Trigger for the card-number scan (its slot in the `RegexSet` is the last one).
pub(super) const CARD_TRIGGER: &str =
    r"(?-u:\b)[2-6][0-9]{3}[ \-]?[0-9]{4}(?:[ \-]?[0-9]{4}|[0-9]{2}[ \-][0-9]{2})";

/// Finds card-like digit runs (13–19 digits, optionally grouped by one kind of separator, ` ` or
/// `-`, as 4-4-4-x or 4-6-x) that start with a card-network digit (2–6) and pass Luhn.
pub(super) fn redact_cards(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut spans: Vec<Span<'_>> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let groups = digit_groups(b, i);
        let (start, end) = (i, groups.last().expect("one group at least").1);
        i = end;
        if stands_alone(b, start, end) {
            cards_in_run(b, &groups, &mut spans);
        }
    }
    if spans.is_empty() {
        None
    } else {
        Some(splice(text, &spans))
    }
}

/// The maximal run of digit groups from `start`, joined by single separators of one kind.
fn digit_groups(b: &[u8], start: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut sep: Option<u8> = None;
    let mut j = start;
    loop {
        let gs = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        groups.push((gs, j));
        if j + 1 < b.len()
            && (b[j] == b' ' || b[j] == b'-')
            && sep.is_none_or(|s| s == b[j])
            && b[j + 1].is_ascii_digit()
        {
            sep = Some(b[j]);
            j += 1;
        } else {
            return groups;
        }
    }
}

/// False when the run is part of an identifier, decimal, version or phone number.
fn stands_alone(b: &[u8], start: usize, end: usize) -> bool {
    let before_ok = match start.checked_sub(1).map(|p| b[p]) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'+' => false,
        Some(b'.') => !(start >= 2 && b[start - 2].is_ascii_digit()),
        Some(b'-') => {
            !(start >= 2 && (b[start - 2].is_ascii_alphanumeric() || b[start - 2] == b'_'))
        }
        _ => true,
    };
    let after_ok = match b.get(end) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => false,
        Some(b'.') => !b.get(end + 1).is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    };
    before_ok && after_ok
}

/// Every card in a run: windows of whole groups with a printed card layout, else a single group
/// of card length. Layouts span at most 5 groups and start with 4 digits, so this is linear in
/// the run's length; after a match the scan goes on past it.
fn cards_in_run(b: &[u8], groups: &[(usize, usize)], spans: &mut Vec<Span<'_>>) {
    let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
    let mut a = 0;
    while a < groups.len() {
        let window = (lens[a] == 4)
            .then(|| {
                (a + 2..groups.len().min(a + 5))
                    .rev()
                    .find(|&z| card_layout(&lens[a..=z]) && is_card(&b[groups[a].0..groups[z].1]))
            })
            .flatten();
        if let Some(z) = window {
            spans.push((groups[a].0, groups[z].1, "card_number"));
            a = z + 1;
            continue;
        }
        if (13..=19).contains(&lens[a]) && is_card(&b[groups[a].0..groups[a].1]) {
            spans.push((groups[a].0, groups[a].1, "card_number"));
        }
        a += 1;
    }
}

/// Group layouts of printed card numbers: 4-4-4-(1..4) and 4-4-4-4-(1..3), or 4-6-(4|5).
fn card_layout(lens: &[usize]) -> bool {
    match lens {
        [4, 6, 4] | [4, 6, 5] => true,
        [4, 4, 4, l] => (1..=4).contains(l),
        [4, 4, 4, 4, l] => (1..=3).contains(l),
        _ => false,
    }
}

/// 13–19 digits (separators ignored), first digit 2–6, not all one digit, Luhn-valid.
pub(super) fn is_card(s: &[u8]) -> bool {
    let digits: Vec<u32> =
        s.iter().filter(|c| c.is_ascii_digit()).map(|c| (c - b'0') as u32).collect();
    if !(13..=19).contains(&digits.len()) || !(2..=6).contains(&digits[0]) {
        return false;
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    luhn_sum(&digits).is_multiple_of(10)
}

fn luhn_sum(digits: &[u32]) -> u32 {
    let doubled = |d: u32| if d * 2 > 9 { d * 2 - 9 } else { d * 2 };
    digits.iter().rev().enumerate().map(|(k, &d)| if k % 2 == 1 { doubled(d) } else { d }).sum()
}
