//! How an issue reads in one line: its title, from its template, and told apart from every other
//! issue's in the same report.
//!
//! A title is the template's first line, shortened at a word boundary; a trailing JSON object of
//! extra fields (`... failed {"provider":"x","status":400}`) is left to the examples; a template
//! of variables only gets words saying so. Where two issues would still read the same, in this
//! order: a title cut short shows where the templates differ; issues of other services name their
//! service; issues of another kind name it; anything left names its id.

use super::{IssueDef, IssueKind};
use std::collections::HashMap;

/// Longest title, in characters.
const MAX_TITLE: usize = 100;

/// A title from a template: its first line, shortened at a word boundary.
pub(crate) fn title_of(template: &str) -> String {
    let line = template.lines().next().unwrap_or("").trim();
    let line = without_trailing_fields(line);
    if !line.bytes().any(|b| b.is_ascii_alphanumeric() && b != b'*')
        || line.replace("<*>", "").trim().is_empty()
    {
        return format!("{} (no fixed text)", clip(line, MAX_TITLE - 16)).trim_start().to_string();
    }
    clip(line, MAX_TITLE)
}

/// The line without a JSON object of extra fields after the message.
fn without_trailing_fields(line: &str) -> &str {
    if !line.ends_with('}') {
        return line;
    }
    // After `:` or `=` the object is the value the message is about, not extra fields.
    match line.find(" {\"") {
        Some(at)
            if line[..at].bytes().filter(u8::is_ascii_alphabetic).count() >= 8
                && !line[..at].ends_with([':', '=']) =>
        {
            line[..at].trim_end()
        }
        _ => line,
    }
}

/// Gives every issue its title, distinct within `issues`.
pub(crate) fn assign(issues: &mut [IssueDef]) {
    for issue in issues.iter_mut() {
        issue.title = title_of(&issue.template);
    }
    for step in [Step::WhereTheyDiffer, Step::Service, Step::Kind, Step::Id] {
        for group in collisions(issues) {
            for &i in &group {
                let others: Vec<&IssueDef> =
                    group.iter().filter(|&&j| j != i).map(|&j| &issues[j]).collect();
                if let Some(title) = retitle(&issues[i], &others, step) {
                    issues[i].title = title;
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Step {
    WhereTheyDiffer,
    Service,
    Kind,
    Id,
}

/// Groups of issues (indices) that share a title, in a fixed order.
fn collisions(issues: &[IssueDef]) -> Vec<Vec<usize>> {
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, issue) in issues.iter().enumerate() {
        by_title.entry(issue.title.as_str()).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_title.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

/// A title that tells `issue` from `others` (which share its title) by `step`, if that step can.
fn retitle(issue: &IssueDef, others: &[&IssueDef], step: Step) -> Option<String> {
    match step {
        Step::WhereTheyDiffer => {
            let line = issue.template.lines().next().unwrap_or("").trim();
            let differ_at = others
                .iter()
                .filter(|o| o.template != issue.template)
                .map(|o| common_prefix(line, o.template.lines().next().unwrap_or("").trim()))
                .max()?;
            Some(clip_around(line, differ_at))
        }
        Step::Service => others
            .iter()
            .any(|o| o.service != issue.service)
            .then(|| format!("{} [{}]", issue.title, issue.service)),
        Step::Kind => others
            .iter()
            .any(|o| o.kind != issue.kind)
            .then(|| format!("{} ({})", issue.title, kind_name(issue.kind))),
        Step::Id => Some(format!("{} ({})", issue.title, issue.id)),
    }
}

fn kind_name(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::Message => "message",
        IssueKind::Traceback => "stack trace",
        IssueKind::Request => "request",
        IssueKind::Audit => "audit log",
    }
}

/// Bytes two texts share at their start (on a character boundary).
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// The line shortened so that the part from byte `at` on shows: its start, `…`, and the words
/// around `at`.
fn clip_around(line: &str, at: usize) -> String {
    if line.chars().count() <= MAX_TITLE || line[..at].chars().count() < MAX_TITLE - 30 {
        return clip(line, MAX_TITLE);
    }
    let head = clip(line, 40);
    let word_start = line[..at].rfind(' ').map_or(at, |i| i + 1);
    let tail = clip(&line[word_start..], MAX_TITLE - head.chars().count() - 1);
    format!("{} {tail}", head.trim_end_matches(" …").to_string() + " …")
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

    fn issue(id: &str, service: &str, kind: IssueKind, template: &str) -> IssueDef {
        IssueDef {
            id: id.into(),
            title: String::new(),
            kind,
            service: service.into(),
            template: template.into(),
            exception: None,
            frames: Vec::new(),
            status: None,
        }
    }

    #[test]
    fn titles_and_clips() {
        assert_eq!(clip("aaaa bbbb cccc", 10), "aaaa bbbb …");
        assert_eq!(title_of("first line\nsecond"), "first line");
        assert_eq!(
            title_of("webhook signature verification failed {\"a\":\"<*>\"}"),
            "webhook signature verification failed"
        );
        assert_eq!(title_of("<*>"), "<*> (no fixed text)");
        assert_eq!(
            title_of("database unavailable: {\"type\":\"x\"}"),
            "database unavailable: {\"type\":\"x\"}"
        );
    }

    #[test]
    fn no_two_issues_share_a_title() {
        let long = "# Time: <*> # User@Host: app[app] @ [<*>] Id: <*> # Query_time: <*> Lock_time: <*> Rows_sent: <*> Rows_examined: <*>";
        let mut issues = vec![
            issue("lg-1", "a", IssueKind::Message, &format!("{long} SELECT a FROM t")),
            issue("lg-2", "a", IssueKind::Message, &format!("{long} DELETE FROM t")),
            issue("lg-3", "a", IssueKind::Message, "boom"),
            issue("lg-4", "b", IssueKind::Message, "boom"),
            issue("lg-5", "a", IssueKind::Traceback, "boom"),
            issue("lg-6", "a", IssueKind::Message, "<*>"),
            issue("lg-7", "a", IssueKind::Message, "<*> <*>"),
        ];
        assign(&mut issues);
        let titles: Vec<&str> = issues.iter().map(|i| i.title.as_str()).collect();
        let mut distinct = titles.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), titles.len(), "{titles:#?}");
        assert!(titles[0].ends_with("SELECT a FROM t"), "{}", titles[0]);
        assert_eq!(titles[3], "boom [b]");
        assert!(titles.iter().all(|t| t.chars().count() <= 140));
    }
}
