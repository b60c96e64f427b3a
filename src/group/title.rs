//! How an issue reads in one line: its title, from its template.

/// A title from a template: its first line, shortened at a word boundary.
pub(crate) fn title_of(template: &str) -> String {
    let line = template.lines().next().unwrap_or("").trim();
    clip(line, 100)
}

/// Shortens text to at most `max` characters, marking the cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{cut} …")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_clips() {
        assert_eq!(clip("aaaa bbbb cccc", 10), "aaaa bbbb …");
        assert_eq!(title_of("first line\nsecond"), "first line");
    }
}
