//! Markdown with LogEntries pasted into it (an incident note, a saved issue comment): the JSON of
//! its fenced code blocks. A block is read when its info string says JSON (`json`, `jsonc`,
//! `json5`) or, unmarked, when it opens with `{` or `[`; other blocks (a shell command) and the
//! prose are not entries. What a block holds is cut like any JSON input (an array, or objects one
//! after another, also `},`-joined as when cut out of gcloud's output), and each value is handed
//! on; whether it is a LogEntry is for `normalize` to say, so a config block is skipped with that
//! reason, not silently.

use super::detect::fence_info;

/// The content of one fenced JSON block: its byte range in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The JSON blocks of a Markdown document, in order. A block left open runs to the end.
pub(crate) fn json_blocks(doc: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, bool)> = None; // content start, and whether it is JSON
    let mut at = 0;
    for raw in doc.split_inclusive(|&b| b == b'\n') {
        let line_start = at;
        at += raw.len();
        let line = String::from_utf8_lossy(raw);
        let line = line.trim_end_matches(['\n', '\r']);
        let Some(info) = fence_info(line) else { continue };
        match open.take() {
            None => {
                let marked =
                    matches!(info.split_whitespace().next(), Some("json" | "jsonc" | "json5"));
                let unmarked_json = info.is_empty() && opens_json(&doc[at..]);
                open = Some((at, marked || unmarked_json));
            }
            Some((start, json)) => {
                if json {
                    blocks.push(Block { start, end: line_start });
                }
            }
        }
    }
    if let Some((start, true)) = open {
        blocks.push(Block { start, end: doc.len() });
    }
    blocks
}

/// Whether the text (after blank space) opens with `{` or `[`.
fn opens_json(text: &[u8]) -> bool {
    matches!(text.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_json_blocks() {
        let doc = b"# Note\n\n```json\n{\"a\": 1}\n```\n\n```sh\ngcloud logging read\n```\n\n```\n[1]\n```\n~~~json\n{\"b\": 2}\n";
        let blocks = json_blocks(doc);
        let texts: Vec<&str> =
            blocks.iter().map(|b| std::str::from_utf8(&doc[b.start..b.end]).unwrap()).collect();
        assert_eq!(texts, ["{\"a\": 1}\n", "[1]\n", "{\"b\": 2}\n"]);
    }
}
