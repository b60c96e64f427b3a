//! HTML: the Markdown worklog rendered by comrak into one self-contained page with a small
//! stylesheet, for attaching to postmortems.

use comrak::{markdown_to_html, Options};

const STYLE: &str = "body{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;line-height:1.5;color:#1f2328}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:4px 10px}th{background:#f6f8fa}\
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:90%}\
pre{background:#f6f8fa;padding:12px;overflow:auto;border-radius:6px}code{background:#f6f8fa;padding:1px 4px;border-radius:4px}\
h1,h2{border-bottom:1px solid #d8dee4;padding-bottom:.3em}";

/// GitHub-flavored Markdown options, shared with the tests that parse our output.
pub fn gfm_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = false;
    options.extension.tasklist = true;
    options
}

pub fn render(markdown: &str, title: &str) -> String {
    let body = markdown_to_html(markdown, &gfm_options());
    let title = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}
