//! IP addresses, v4 and v6: a client's address names a subscriber, so it is personal data and is
//! redacted as `<redacted:ip>` unless the rules file says `[redaction] keep_ip_addresses = true`.
//!
//! Decided: addresses that name no one stay (`0.0.0.0`, `127.x.x.x`, `255.x.x.x` netmasks and
//! broadcast, the metadata server `169.254.169.254`, `::`, `::1`); private ranges (`10.x`,
//! `192.168.x`) are redacted like any other, since they identify hosts and pods. A dotted quad
//! is a version, not an address, when it is glued to a letter or `~` (`v1.2.3.4`,
//! `~~6.3.1.4`), follows a product name and `/` or `-` (`Chrome/141.0.0.0`, `app-1.2.3.4`) or
//! the word `version`/`build`/..., or is part of a longer dotted number (OIDs). A host name
//! that starts with an address (`62.99.164.82.sh.example.at`) is redacted whole; names that
//! spell an address with dashes (`24-54-76-216.isp.net`) are knowingly left alone.
use super::patterns::{rule, Builtin, B};
use super::Action;

/// IPv6 first, so that `::ffff:10.0.0.1` is one address; then IPv4 and a host name it starts.
/// The patterns find candidates; [`is_address`] decides.
pub(super) fn address_rules() -> Vec<Builtin> {
    let h = "[0-9A-Fa-f]{1,4}";
    vec![
        rule(
            "ip",
            Action::Checked(is_address),
            format!(
                r"(?:(?:{h}:){{7}}{h}|(?:{h}(?::{h}){{0,6}})?::(?:{h}(?::{h}){{0,6}})?)(?:\.[0-9]{{1,3}}){{0,3}}"
            ),
            // `::`, or a first group of four digits (every global, link-local and unique-local
            // address written in full starts so). Counting seven groups made the trigger set a
            // third slower on clean text.
            r"::|[0-9A-Fa-f]{4}:[0-9A-Fa-f]{1,4}:",
        ),
        rule(
            "ip",
            Action::Checked(is_address),
            format!(
                r"{B}[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]{{1,3}}{B}(?:\.[A-Za-z0-9\-]*[A-Za-z][A-Za-z0-9\-]*)*"
            ),
            r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
        ),
    ]
}

/// Whether `text[s..e]`, a match of [`address_rules`], is an address to redact.
pub(super) fn is_address(text: &str, s: usize, e: usize) -> bool {
    if text[s..e].contains(':') {
        is_ipv6_at(text, s, e)
    } else {
        is_ipv4_at(text, s, e)
    }
}

fn is_ipv6_at(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let glued = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.');
    let before_ok = s == 0 || !glued(b[s - 1]);
    let after_ok = match b.get(e) {
        Some(b'.') => !b.get(e + 1).is_some_and(u8::is_ascii_digit),
        Some(&c) => !glued(c),
        None => true,
    };
    before_ok && after_ok && is_ipv6_to_redact(&text[s..e])
}

fn is_ipv4_at(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let quad_end = s + text[s..e].match_indices('.').nth(3).map_or(e - s, |(i, _)| i);
    let next_is = |f: fn(&u8) -> bool| b.get(e + 1).is_some_and(f);
    let longer_number = b.get(e) == Some(&b'.') && next_is(u8::is_ascii_digit);
    let version_suffix = b.get(e) == Some(&b'-') && next_is(u8::is_ascii_alphabetic);
    !longer_number
        && !version_suffix
        && opens_address(&text[..s])
        && is_ipv4_to_redact(&text[s..quad_end])
}

/// Whether the text before a dotted quad lets it be an address: nothing, a space, bracket,
/// quote or `=` (unless after `version`), a `/` not after a product name, a `-` after a digit
/// (a range), a `:` after a letter (`host:10.0.0.1`).
fn opens_address(before: &str) -> bool {
    let b = before.as_bytes();
    let prev2 = b.len().checked_sub(2).map(|i| b[i]);
    match b.last() {
        None => true,
        Some(&c) if c.is_ascii_whitespace() || b"([{<>\"'=,;@\\|".contains(&c) => {
            !after_version_word(before)
        }
        Some(b'/') => !ends_with_product_name(&before[..before.len() - 1]),
        Some(b'-') => prev2.is_some_and(|c| c.is_ascii_digit()),
        Some(b':') => prev2.is_some_and(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// `Chrome` in `Chrome/141.0.0.0`: a name starting with a letter, standing apart, not a path
/// segment (`/hosts/10.0.0.1`) nor a URL's host part.
fn ends_with_product_name(before: &str) -> bool {
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    let prev = before[..start].chars().next_back();
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && prev.is_none_or(|c| !matches!(c, '/' | ':' | '@'))
}

/// `version 1.2.3.4`, `build: 1.2.3.4`, `(v 1.2.3.4`.
fn after_version_word(before: &str) -> bool {
    let word = before.trim_end_matches([' ', ':', '=']);
    let last = word.rsplit([' ', '(', '"', '\'', ',', ';']).next().unwrap_or("");
    ["version", "ver", "v", "build", "release", "rev", "firmware"]
        .iter()
        .any(|w| last.eq_ignore_ascii_case(w))
}

fn is_ipv4_to_redact(quad: &str) -> bool {
    let ip = quad.parse::<std::net::Ipv4Addr>().ok().or_else(|| {
        // Leading zeros (`010.001.002.003`) are written by some tools; read them as decimal.
        let parts: Vec<u8> = quad.split('.').filter_map(|p| p.parse().ok()).collect();
        <[u8; 4]>::try_from(parts).ok().map(std::net::Ipv4Addr::from)
    });
    let Some(ip) = ip else { return false };
    let [first, ..] = ip.octets();
    let metadata = std::net::Ipv4Addr::new(169, 254, 169, 254);
    !(first == 0 || first == 127 || first == 255 || ip == metadata)
}

/// A valid IPv6 address of at least two groups, with a digit (`dead::beef` and `Foo::bar`-like
/// paths are not), other than `::` and `::1`.
fn is_ipv6_to_redact(candidate: &str) -> bool {
    let groups = candidate.split(':').filter(|g| !g.is_empty()).count();
    let has_digit = candidate.bytes().any(|c| c.is_ascii_digit());
    match candidate.parse::<std::net::Ipv6Addr>() {
        Ok(ip) => groups >= 2 && has_digit && !ip.is_loopback() && !ip.is_unspecified(),
        Err(_) => false,
    }
}
