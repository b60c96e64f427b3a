//! HTML: the Markdown worklog rendered by comrak into one self-contained page with a small
//! stylesheet, for attaching to postmortems. Charts are drawn as inline SVG: the Mermaid
//! `xychart-beta` blocks (bars and a line) and every sparkline (inline code made only of bar
//! characters). No script, no font or image from the network: the page opens the same offline.

use comrak::{markdown_to_html, Options};

const STYLE: &str = "body{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;line-height:1.5;color:#1f2328}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #d0d7de;padding:4px 10px}th{background:#f6f8fa}\
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:90%}\
pre{background:#f6f8fa;padding:12px;overflow:auto;border-radius:6px}code{background:#f6f8fa;padding:1px 4px;border-radius:4px}\
h1,h2{border-bottom:1px solid #d8dee4;padding-bottom:.3em}\
svg.spark{vertical-align:middle;background:#f6f8fa;border-radius:3px}svg.spark rect{fill:#cf222e}\
svg.chart{max-width:100%;height:auto}svg.chart text{font-size:11px;fill:#57606a}";

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
    let body = draw_sparklines(&draw_charts(&body));
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Replaces each Mermaid `xychart-beta` block comrak left as code with its chart in SVG; a block
/// that is not one (or not understood) stays as it was.
fn draw_charts(html: &str) -> String {
    const OPEN: &str = "<pre><code class=\"language-mermaid\">";
    const CLOSE: &str = "</code></pre>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start + OPEN.len()..].find(CLOSE) else { break };
        let code = &rest[start + OPEN.len()..start + OPEN.len() + len];
        out.push_str(&rest[..start]);
        match XyChart::parse(&unescape(code)) {
            Some(chart) => out.push_str(&chart.svg()),
            None => out.push_str(&rest[start..start + OPEN.len() + len + CLOSE.len()]),
        }
        rest = &rest[start + OPEN.len() + len + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

/// The subset of Mermaid's `xychart-beta` the worklog writes: a title, x-axis labels, one bar
/// series and one line series.
#[derive(Debug, PartialEq)]
struct XyChart {
    title: String,
    labels: Vec<String>,
    bars: Vec<f64>,
    line: Vec<f64>,
}

impl XyChart {
    fn parse(code: &str) -> Option<XyChart> {
        let mut lines = code.lines().map(str::trim);
        if lines.next()? != "xychart-beta" {
            return None;
        }
        let mut chart =
            XyChart { title: String::new(), labels: vec![], bars: vec![], line: vec![] };
        for l in lines {
            let list = |prefix: &str| -> Option<Vec<String>> {
                let inner = l.strip_prefix(prefix)?.trim().strip_prefix('[')?.strip_suffix(']')?;
                Some(inner.split(',').map(|x| x.trim().trim_matches('"').to_string()).collect())
            };
            let numbers = |prefix: &str| -> Option<Vec<f64>> {
                list(prefix)?.iter().map(|x: &String| x.parse().ok()).collect()
            };
            if let Some(t) = l.strip_prefix("title ") {
                chart.title = t.trim().trim_matches('"').to_string();
            } else if let Some(v) = list("x-axis") {
                chart.labels = v;
            } else if let Some(v) = numbers("bar") {
                chart.bars = v;
            } else if let Some(v) = numbers("line") {
                chart.line = v;
            }
        }
        let n = chart.bars.len().max(chart.line.len());
        (n > 0 && chart.labels.len() == n).then_some(chart)
    }

    /// The chart: bars, the line over them, the y-axis at 0, half and the top, and at most a
    /// dozen x labels.
    fn svg(&self) -> String {
        let (w, h, left, top, bottom) = (900.0, 260.0, 44.0, 28.0, 36.0);
        let (plot_w, plot_h) = (w - left - 10.0, h - top - bottom);
        let n = self.labels.len();
        let band = plot_w / n as f64;
        let max = self.bars.iter().chain(&self.line).copied().fold(1.0, f64::max);
        let y = |v: f64| top + plot_h - v / max * plot_h;
        let mut svg = format!(
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>\
             <text x=\"{left}\" y=\"16\" style=\"font-size:13px;fill:#1f2328\">{t}</text>",
            t = escape(&self.title)
        );
        for v in [0.0, (max / 2.0).round(), max] {
            svg.push_str(&format!(
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
                w - 10.0,
                left - 4.0,
                y(v) + 4.0,
                y = y(v)
            ));
        }
        for (i, &v) in self.bars.iter().enumerate() {
            let x = left + band * i as f64 + band * 0.15;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#cf222e\"><title>{}: {v}</title></rect>",
                y(v),
                band * 0.7,
                top + plot_h - y(v),
                escape(&self.labels[i])
            ));
        }
        if !self.line.is_empty() {
            let points: Vec<String> = self
                .line
                .iter()
                .enumerate()
                .map(|(i, &v)| format!("{:.1},{:.1}", left + band * (i as f64 + 0.5), y(v)))
                .collect();
            svg.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#bf8700\" stroke-width=\"2\"/>",
                points.join(" ")
            ));
        }
        let every = n.div_ceil(12);
        for (i, label) in self.labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                left + band * (i as f64 + 0.5),
                h - bottom + 16.0,
                escape(label)
            ));
        }
        svg.push_str("</svg>");
        svg
    }
}

/// The bar characters of sparklines, lowest first; a blank (space or no-break space) is zero.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Replaces each inline code made only of bar characters and blanks with the same bars in SVG,
/// one per character, blanks included (so the series keeps its place in the window).
fn draw_sparklines(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<code>") {
        let Some(len) = rest[start + 6..].find("</code>") else { break };
        let text = unescape(&rest[start + 6..start + 6 + len]).replace("&nbsp;", "\u{a0}");
        out.push_str(&rest[..start]);
        match spark_svg(&text) {
            Some(svg) => out.push_str(&svg),
            None => out.push_str(&rest[start..start + 6 + len + 7]),
        }
        rest = &rest[start + 6 + len + 7..];
    }
    out.push_str(rest);
    out
}

/// The sparkline `text` as SVG bars, or None when it is not a sparkline.
fn spark_svg(text: &str) -> Option<String> {
    let levels: Vec<usize> = text
        .chars()
        .map(|c| match c {
            ' ' | '\u{a0}' => Some(0),
            c => BARS.iter().position(|&b| b == c).map(|p| p + 1),
        })
        .collect::<Option<_>>()?;
    if levels.iter().all(|&l| l == 0) {
        return None;
    }
    let (step, h) = (6, 18);
    let w = step * levels.len();
    let mut svg = format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"occurrences over the window\"><title>{}</title>",
        text.replace('\u{a0}', " ")
    );
    for (i, &l) in levels.iter().enumerate().filter(|(_, &l)| l > 0) {
        let bar = 2 * l;
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{bar}\"/>",
            i * step + 1,
            h - 1 - bar,
            step - 2
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_charts_become_svg() {
        let md = "```mermaid\nxychart-beta\n    title \"Errors per 5 min\"\n    x-axis [\"05:00\", \"05:05\", \"05:10\"]\n    y-axis \"events\" 0 --> 4\n    bar [1, 0, 4]\n    line [2, 3, 0]\n```\n";
        let html = render(md, "t");
        assert!(!html.contains("language-mermaid"), "{html}");
        assert_eq!(html.matches("<svg class=\"chart\"").count(), 1);
        assert_eq!(html.matches("<rect").count(), 3);
        assert!(html.contains("<polyline"));
        assert!(html.contains(">05:05<"));
        assert!(!html.contains("<script"));
        let other = "```mermaid\ngraph TD; A-->B\n```\n";
        assert!(render(other, "t").contains("language-mermaid"), "other diagrams stay code");
    }

    #[test]
    fn sparklines_keep_their_leading_blanks() {
        let md = "**Occurrences:** `\u{a0}\u{a0}█▅\u{a0}`\n\nand `code █ here`\n";
        let html = render(md, "t");
        let svg = &html[html.find("<svg class=\"spark\"").unwrap()..];
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.contains("width=\"30\""), "five places, blanks included: {svg}");
        // The first bar sits at the third place: two blanks before it.
        assert!(svg.contains("<rect x=\"13\""), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(html.contains("<code>code █ here</code>"), "other code stays");
    }
}
