//! The JSON report: the report model as it is, for scripts and for `--baseline` comparisons.

use super::model::Report;

pub fn render(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("the report model always serializes");
    text.push('\n');
    text
}
