//! Ruby's ways of writing one error over several lines, as reassembly and the stack-trace parser
//! read them:
//!
//! * the interpreter's report of an exception nothing rescued, on stderr when the process dies:
//!   `/app/lib/sync.rb:42:in 'fetch': undefined method 'x' for nil (NoMethodError)`, then a
//!   `\tfrom /app/lib/sync.rb:17:in 'run'` line per frame (Ruby before 3.4 quotes the method
//!   as `` `fetch' ``), then, for an exception raised while handling another, the cause's
//!   report the same way;
//! * Rails' tagged logging of an exception a request raised: `[request-id]   `, `[request-id]
//!   ActiveRecord::RecordNotFound (Couldn't find User with 'id'=42):`, `[request-id]   `, then
//!   the backtrace, `[request-id] app/controllers/users_controller.rb:5:in 'show'`: one logger
//!   call, whose lines Cloud Run and GKE store as entries of their own.

/// The first line of the interpreter's report of an uncaught exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raise<'a> {
    pub(crate) file: &'a str,
    pub(crate) method: &'a str,
    pub(crate) message: &'a str,
    pub(crate) class: &'a str,
}

/// `path:N:in 'method': message (Class)`; `None` for anything else. Cheap to refuse: the line
/// must end with `)`.
pub(crate) fn raise_line(line: &str) -> Option<Raise<'_>> {
    let line = line.trim_end();
    let inner = line.strip_suffix(')')?;
    let (file, method, rest) = location(line)?;
    let rest = rest.strip_prefix(": ")?;
    let open = rest.rfind(" (")?;
    let class = &inner[line.len() - rest.len() + open + 2..];
    is_class_name(class).then_some(Raise { file, method, message: &rest[..open], class })
}

/// A frame of a Ruby backtrace: `\tfrom path:N:in 'method'` under an uncaught exception's line,
/// or `path:N:in 'method'` as Rails and `Exception#full_message` list them; (file, method).
pub(crate) fn frame(line: &str) -> Option<(&str, &str)> {
    let text = line.trim();
    let text = text.strip_prefix("from ").unwrap_or(text);
    let (file, method, rest) = location(text)?;
    rest.is_empty().then_some((file, method))
}

/// `path:N:in 'method'` (or `` `method' ``) at the start of `text`: the path, the method and
/// what follows the method's closing quote.
fn location(text: &str) -> Option<(&str, &str, &str)> {
    let at = memchr::memmem::find(text.as_bytes(), b":in ")?;
    let (place, after) = (&text[..at], &text[at + 4..]);
    let (file, number) = place.rsplit_once(':')?;
    if file.is_empty() || file.contains(' ') || number.is_empty() {
        return None;
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let quoted = after.strip_prefix(['`', '\''])?;
    let close = quoted.find('\'')?;
    Some((file, &quoted[..close], &quoted[close + 1..]))
}

/// `Errno::ECONNREFUSED`, `ActiveRecord::RecordNotFound`, `NoMethodError`.
fn is_class_name(name: &str) -> bool {
    !name.is_empty()
        && name.split("::").all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// What a line of Rails' tagged report of an exception is, after its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaggedPart {
    /// Nothing after the tags (the report's first and spacing lines).
    Blank,
    /// `ActiveRecord::RecordNotFound (Couldn't find User with 'id'=42):`
    Exception,
    /// `app/controllers/users_controller.rb:5:in 'show'`
    Frame,
    /// An indented line: the source around the error a template raised (`    1: <h1>...`).
    Source,
}

/// A line of Rails' tagged report of an exception: its first tag and what the line is; `None`
/// for a line without tags and for every other tagged line (`Started GET "/" for ...`).
pub(crate) fn tagged_part(line: &str) -> Option<(&str, TaggedPart)> {
    if !line.starts_with('[') {
        return None;
    }
    let (tag, rest) = super::text::cut_tags(line);
    let part = if rest.trim().is_empty() {
        TaggedPart::Blank
    } else if rest.starts_with([' ', '\t']) {
        TaggedPart::Source
    } else if is_rails_exception(rest) {
        TaggedPart::Exception
    } else if frame(rest).is_some() {
        TaggedPart::Frame
    } else {
        return None;
    };
    Some((tag?, part))
}

/// `Class::Name (message):`, as Rails' DebugExceptions logs the exception a request raised.
pub(crate) fn is_rails_exception(line: &str) -> bool {
    let line = line.trim_end();
    let Some(open) = line.find(" (") else { return false };
    line.ends_with("):") && is_class_name(&line[..open])
}

/// A line of a tagged report without its first tag and the space after it (the indentation of
/// what follows is the line's own).
pub(crate) fn untagged<'a>(line: &'a str, tag: &str) -> &'a str {
    match line.strip_prefix(tag) {
        Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interpreters_report_of_an_uncaught_exception() {
        let old = "/app/lib/sync/inventory.rb:42:in `fetch_stock': undefined method `fetch' for nil (NoMethodError)";
        let raise = raise_line(old).unwrap();
        assert_eq!(raise.file, "/app/lib/sync/inventory.rb");
        assert_eq!(raise.method, "fetch_stock");
        assert_eq!(raise.message, "undefined method `fetch' for nil");
        assert_eq!(raise.class, "NoMethodError");
        let new = "bin/sync:8:in 'Sync#run': Connection refused - connect(2) for 10.0.0.7:5432 (Errno::ECONNREFUSED)";
        let raise = raise_line(new).unwrap();
        assert_eq!(
            (raise.file, raise.method, raise.class),
            ("bin/sync", "Sync#run", "Errno::ECONNREFUSED")
        );
        assert_eq!(raise.message, "Connection refused - connect(2) for 10.0.0.7:5432");
        for other in [
            "GET /x (200)",
            "at foo (bar.js:1:2)",
            "x.rb:in `m': no line number (E)",
            "x.rb:12:in `m': lower-case class (oops)",
            "x.rb:12:in `m' no colon (E)",
            "Error: something (see docs)",
        ] {
            assert_eq!(raise_line(other), None, "{other}");
        }
    }

    #[test]
    fn frames_in_both_quotings() {
        assert_eq!(
            frame("\tfrom /app/x.rb:17:in `block in run'"),
            Some(("/app/x.rb", "block in run"))
        );
        assert_eq!(frame("\tfrom bin/sync:8:in '<main>'"), Some(("bin/sync", "<main>")));
        assert_eq!(
            frame("app/controllers/a.rb:5:in 'A#show'"),
            Some(("app/controllers/a.rb", "A#show"))
        );
        assert_eq!(frame("\tfrom /app/x.rb:17:in `run': and more"), None);
        assert_eq!(frame("from the start"), None);
    }

    #[test]
    fn the_lines_of_a_tagged_rails_report() {
        let tag = "[9f2c1a7e-5b1d-4c9a]";
        assert_eq!(tagged_part(&format!("{tag}   ")), Some((tag, TaggedPart::Blank)));
        assert_eq!(tagged_part(tag), Some((tag, TaggedPart::Blank)));
        let exception =
            format!("{tag} ActiveRecord::RecordNotFound (Couldn't find User with 'id'=42):");
        assert_eq!(tagged_part(&exception), Some((tag, TaggedPart::Exception)));
        let frame = format!("{tag} app/controllers/users_controller.rb:5:in `show'");
        assert_eq!(tagged_part(&frame), Some((tag, TaggedPart::Frame)));
        assert_eq!(tagged_part(&format!("{tag}     1: <h1>")), Some((tag, TaggedPart::Source)));
        assert_eq!(tagged_part(&format!("{tag} Started GET \"/users/42\" for 10.0.0.5")), None);
        assert_eq!(tagged_part("ActiveRecord::RecordNotFound (x):"), None);
        assert_eq!(untagged(&frame, tag), "app/controllers/users_controller.rb:5:in `show'");
        assert_eq!(untagged(&format!("{tag}   "), tag), "  ");
    }
}
