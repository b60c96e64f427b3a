//! Markdown: the report model through a template (`templates/worklog.md.j2` by default, built
//! into the binary; `--template FILE` for the user's own), with filters that keep user text from
//! breaking the Markdown: table cells, inline code and fenced blocks are escaped by length-aware
//! fences rather than by guessing.
//!
//! A template is checked against the model when it is loaded ([`Template::new`]): a name the
//! model lacks is an error naming the file, the line and the name, even in a branch the data
//! would not take. Undefined values are errors when rendering too (strict mode).

use super::model::Report;
use super::template_check;
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, Error, ErrorKind, Value};

/// The built-in worklog template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/worklog.md.j2");
/// How errors name the built-in template.
pub const DEFAULT_TEMPLATE_NAME: &str = "templates/worklog.md.j2 (built in)";

/// A template checked against the report model, ready to render.
pub struct Template {
    env: Environment<'static>,
    name: String,
}

fn syntax() -> SyntaxConfig {
    SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .expect("the syntax settings are valid")
}

impl Template {
    /// Parses `text` (the template `name`, a file or the built-in one) and checks every name it
    /// uses against the report model. The error is "NAME:LINE: what".
    pub fn new(name: &str, text: &str) -> Result<Template, String> {
        let mut env = Environment::new();
        env.set_syntax(syntax());
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_debug(true);
        env.add_filter("cell", cell);
        env.add_filter("code", code);
        env.add_filter("fence", fence);
        env.add_filter("md", md);
        env.add_filter("num", num);
        env.add_filter("rate", rate);
        env.add_filter("spark", spark);
        env.add_template_owned(name.to_string(), text.to_string())
            .map_err(|e| template_check::located(name, &e))?;
        template_check::check(name, text, syntax())?;
        Ok(Template { env, name: name.to_string() })
    }

    /// Renders the report. The error is "NAME:LINE: what (in `expression`)".
    pub fn render(&self, report: &Report) -> Result<String, String> {
        let located = |e: Error| template_check::located(&self.name, &e);
        let tmpl = self.env.get_template(&self.name).map_err(located)?;
        let out = tmpl.render(Value::from(minijinja::value::Serde(report))).map_err(located)?;
        Ok(tidy(&out))
    }
}

/// Renders `report` with the template text `template` (tests and tools; the command line loads
/// the template once with [`Template::new`]).
pub fn render(report: &Report, template: &str) -> Result<String, String> {
    Template::new("template", template)?.render(report)
}

/// Collapses runs of blank lines the template's control flow leaves behind.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    let mut in_fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &in_fence {
            if trimmed.starts_with(f.as_str()) && trimmed.trim_start_matches('`').trim().is_empty()
            {
                in_fence = None;
            }
        } else if trimmed.starts_with("```") {
            in_fence = Some(trimmed.chars().take_while(|&c| c == '`').collect());
        }
        if line.trim().is_empty() && in_fence.is_none() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A table cell: no pipes, no line breaks.
fn cell(value: String) -> String {
    md(value.replace(['\n', '\r'], " "))
}

/// Inline code that survives backticks inside it.
fn code(value: String) -> String {
    let value = value.replace(['\n', '\r'], " ");
    let longest = longest_run(&value, '`');
    let ticks = "`".repeat(longest + 1);
    let pad =
        if value.starts_with('`') || value.ends_with('`') || value.is_empty() { " " } else { "" };
    // Pipes would end a table cell even inside code spans; outside tables the escape is shown
    // literally by some renderers, so only escape when needed for tables (cells use `cell`).
    format!("{ticks}{pad}{value}{pad}{ticks}")
}

/// A fenced text block whose fence is longer than any backtick run inside.
fn fence(value: String) -> String {
    let ticks = "`".repeat(longest_run(&value, '`').max(2) + 1);
    format!("{ticks}text\n{}\n{ticks}", value.trim_end_matches('\n'))
}

/// Plain text with Markdown's inline syntax escaped.
fn md(value: String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Thousands separators: 12,345.
fn num(value: Value) -> Result<String, Error> {
    let n = i64::try_from(value.clone()).map_err(|_| {
        Error::new(ErrorKind::InvalidOperation, format!("num: {value} is not an integer"))
    })?;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    Ok(if n < 0 { format!("-{out}") } else { out })
}

/// A rate: one decimal below 100, whole numbers with thousands separators above (a weekly
/// "1,382/week" does not need its tenths).
fn rate(value: f64) -> String {
    if value.abs() < 100.0 {
        return format!("{value:.1}");
    }
    num(Value::from(value.round() as i64)).unwrap_or_else(|_| format!("{value:.0}"))
}

/// A sparkline as inline code whose blanks are no-break spaces: a code span's first and last
/// plain spaces are dropped by CommonMark (shifting the series by one), and runs of spaces
/// collapse in HTML; no-break spaces do neither.
fn spark(value: String) -> String {
    format!("`{}`", value.replace(' ', "\u{a0}"))
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == ch {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_escape_what_would_break_markdown() {
        assert_eq!(cell("a|b\nc".into()), "a\\|b c");
        assert_eq!(code("x `y` z".into()), "``x `y` z``");
        assert_eq!(code("`".into()), "`` ` ``");
        assert_eq!(fence("a ``` b".into()), "````text\na ``` b\n````");
        assert_eq!(md("*x* <y>".into()), "\\*x\\* \\<y\\>");
        assert_eq!(num(Value::from(1234567)).unwrap(), "1,234,567");
        assert_eq!(num(Value::from(12)).unwrap(), "12");
        assert_eq!(
            (rate(6.04), rate(99.94), rate(1382.3)),
            ("6.0".into(), "99.9".into(), "1,382".into())
        );
        assert_eq!(spark("  █ ".into()), "`\u{a0}\u{a0}█\u{a0}`");
    }

    #[test]
    fn the_built_in_template_passes_its_own_check() {
        Template::new(DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE).unwrap();
    }

    #[test]
    fn render_errors_name_the_template_line_and_expression() {
        let t = Template::new("mine.j2", "a\n{{ issues[5].title }}").unwrap();
        let err = t.render(&super::super::probe::report()).unwrap_err();
        assert!(err.starts_with("mine.j2:2: "), "{err}");
        assert!(err.contains("`issues[5]` is undefined"), "{err}");
    }
}
