//! Template mining: groups distinct masked messages into templates with `<*>` at their
//! variable positions.
//!
//! Messages are cut at whitespace and grouped by token count. Inside one count, each message
//! is keyed by its first token and by the tokens it shares with as many messages as most of its
//! own tokens do (the Brain parser's "longest common pattern"): that picks the constants of its
//! template. Inside each key group a column with a few distinct plain words is a constant
//! choice and splits the group; any other differing column is a variable. Everything runs in
//! a canonical order (messages sorted by text, ties broken by position) and templates are
//! returned sorted by text, so the result does not depend on the input order.

use std::collections::{BTreeMap, HashMap};

/// The result of mining: for each input message the index of its template, and the templates.
pub struct Mined {
    pub assignments: Vec<u32>,
    pub templates: Vec<String>,
}

const VAR: &str = "<*>";
const VAR_ID: u32 = 0;
/// A differing column with at most this many distinct plain words is a constant choice
/// ("Redis" / "Postgres"); with more it is a variable ("user alice/bob/carol/dave").
const SPLIT_MAX: usize = 3;

/// Groups `messages` (distinct, already masked by `mask_message`) into templates.
/// `weights[i]` is how often `messages[i]` occurred. The result does not depend on input order.
///
/// The weights do not steer the partition: a template's constants are shared by all its
/// distinct messages whatever their counts, and counting lines would let one chatty message
/// make its variables look constant.
pub fn mine(messages: &[&str], weights: &[u64]) -> Mined {
    let n = messages.len();
    debug_assert_eq!(weights.len(), n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| messages[a].cmp(messages[b]).then(a.cmp(&b)));

    let mut intern: HashMap<&str, u32> = HashMap::new();
    let mut words: Vec<&str> = vec![VAR];
    intern.insert(VAR, VAR_ID);
    let mut toks: Vec<Vec<u32>> = Vec::with_capacity(n);
    for &i in &order {
        let t: Vec<u32> = messages[i]
            .split_ascii_whitespace()
            .map(|w| {
                *intern.entry(w).or_insert_with(|| {
                    words.push(w);
                    (words.len() - 1) as u32
                })
            })
            .collect();
        toks.push(t);
    }
    let mut by_len: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, t) in toks.iter().enumerate() {
        by_len.entry(t.len()).or_default().push(k);
    }
    let mut leaves: Vec<Vec<usize>> = Vec::new();
    for (_, g) in by_len {
        split(g, &toks, &words, &mut leaves);
    }
    // Template text per leaf; leaves with the same template text are one group.
    let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for leaf in &leaves {
        let mut text = String::new();
        for (p, &first) in toks[leaf[0]].iter().enumerate() {
            let w =
                if leaf.iter().all(|&m| toks[m][p] == first) { words[first as usize] } else { VAR };
            if p > 0 {
                text.push(' ');
            }
            text.push_str(w);
        }
        by_text.entry(text).or_default().extend(leaf.iter().copied());
    }
    let mut assignments = vec![0u32; n];
    let mut templates = Vec::with_capacity(by_text.len());
    for (t, (text, members)) in by_text.into_iter().enumerate() {
        for m in members {
            assignments[order[m]] = t as u32;
        }
        templates.push(text);
    }
    Mined { assignments, templates }
}

/// Splits one group of equal-length messages into templates.
///
/// Like Brain: the constant tokens of one template occur in every message of it, so within a
/// message they share one frequency (count of messages holding that token at that position),
/// while variables are rarer and words shared with other templates are more common. Each
/// message is keyed by its tokens at that most common frequency, plus its first token (the
/// event word of most messages); messages with the same key form a candidate group. Inside a
/// candidate group, a column that is not constant is a variable unless it only takes a few
/// distinct word values: then those words are a constant choice ("Redis" / "Postgres") and
/// split the group.
fn split(group: Vec<usize>, toks: &[Vec<u32>], words: &[&str], leaves: &mut Vec<Vec<usize>>) {
    let len = toks[group[0]].len();
    if group.len() == 1 || len == 0 {
        leaves.push(group);
        return;
    }
    let mut freq: Vec<HashMap<u32, u32>> = vec![HashMap::new(); len];
    for &m in &group {
        for (p, &t) in toks[m].iter().enumerate() {
            *freq[p].entry(t).or_default() += 1;
        }
    }
    let mut cand: BTreeMap<Vec<(u32, u32)>, Vec<usize>> = BTreeMap::new();
    let mut fs: Vec<u32> = Vec::with_capacity(len);
    for &m in &group {
        fs.clear();
        for (p, &t) in toks[m].iter().enumerate() {
            if t != VAR_ID {
                fs.push(freq[p][&t]);
            }
        }
        let mode = mode_freq(&mut fs);
        let mut key: Vec<(u32, u32)> = Vec::new();
        for (p, &t) in toks[m].iter().enumerate() {
            if t != VAR_ID && (freq[p][&t] == mode || p == 0) {
                key.push((p as u32, t));
            }
        }
        cand.entry(key).or_default().push(m);
    }
    for (_, g) in cand {
        split_columns(g, toks, words, leaves);
    }
}

/// The frequency shared by most tokens of a message (ties: the higher one).
fn mode_freq(fs: &mut [u32]) -> u32 {
    if fs.is_empty() {
        return 0;
    }
    fs.sort_unstable();
    let (mut best, mut best_n) = (fs[0], 0);
    let mut i = 0;
    while i < fs.len() {
        let mut j = i;
        while j < fs.len() && fs[j] == fs[i] {
            j += 1;
        }
        if j - i >= best_n {
            best = fs[i];
            best_n = j - i;
        }
        i = j;
    }
    best
}

/// Splits a candidate group by its columns that take only a few distinct word values.
fn split_columns(g: Vec<usize>, toks: &[Vec<u32>], words: &[&str], leaves: &mut Vec<Vec<usize>>) {
    if g.len() == 1 {
        leaves.push(g);
        return;
    }
    let mut split_pos = Vec::new();
    for (p, _) in toks[g[0]].iter().enumerate() {
        let mut vals: Vec<u32> = g.iter().map(|&m| toks[m][p]).collect();
        vals.sort_unstable();
        vals.dedup();
        let d = vals.len();
        if d > 1 && d <= SPLIT_MAX && !is_variable_column(&vals, words) {
            split_pos.push(p);
        }
    }
    if split_pos.is_empty() {
        leaves.push(g);
        return;
    }
    let mut parts: BTreeMap<Vec<u32>, Vec<usize>> = BTreeMap::new();
    for m in g {
        parts.entry(split_pos.iter().map(|&p| toks[m][p]).collect()).or_default().push(m);
    }
    leaves.extend(parts.into_values());
}

/// A column is a variable when one value is a placeholder after some prefix and another value
/// has that same prefix: "rhost=<*>" next to "rhost=example" (or a bare `<*>` next to anything)
/// shows the part after the prefix varies. "dcbf....<*>" next to "icbi....<*>" does not.
fn is_variable_column(vals: &[u32], words: &[&str]) -> bool {
    for &a in vals {
        let wa = words[a as usize];
        if let Some(k) = wa.find(VAR) {
            let prefix = &wa[..k];
            if vals.iter().any(|&b| b != a && words[b as usize].starts_with(prefix)) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partition as sets of message texts, sorted, plus the templates.
    fn canonical(msgs: &[&str], m: &Mined) -> (Vec<Vec<String>>, Vec<String>) {
        let mut groups: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for (i, &a) in m.assignments.iter().enumerate() {
            groups.entry(a).or_default().push(msgs[i].to_string());
        }
        let mut parts: Vec<Vec<String>> = groups
            .into_values()
            .map(|mut g| {
                g.sort();
                g
            })
            .collect();
        parts.sort();
        (parts, m.templates.clone())
    }

    fn template_of<'a>(msgs: &[&str], m: &'a Mined, msg: &str) -> &'a str {
        let i = msgs.iter().position(|&x| x == msg).unwrap();
        &m.templates[m.assignments[i] as usize]
    }

    fn sample() -> Vec<&'static str> {
        vec![
            "Failed to connect to Redis at <*>",
            "Failed to connect to Postgres at <*>",
            "session closed for user cyrus",
            "session closed for user news",
            "session closed for user test",
            "session closed for user root",
            "cupsd startup succeeded",
            "klogd startup succeeded",
            "authentication failure; rhost=<*> user=root",
            "authentication failure; rhost=example user=root",
            "authentication failure; rhost=other user=root",
            "Received block <*> of size <*> from <*>",
            "PacketResponder <*> for block <*> terminating",
            "Invalid user admin from <*>",
            "Invalid user <*> from <*>",
            "Invalid user oracle from <*>",
            "Invalid user support from <*>",
            "Invalid user test from <*>",
            "",
        ]
    }

    #[test]
    fn constant_choice_splits() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        assert_eq!(
            template_of(&msgs, &m, "Failed to connect to Redis at <*>"),
            "Failed to connect to Redis at <*>"
        );
        assert_eq!(
            template_of(&msgs, &m, "Failed to connect to Postgres at <*>"),
            "Failed to connect to Postgres at <*>"
        );
        assert_ne!(
            template_of(&msgs, &m, "cupsd startup succeeded"),
            template_of(&msgs, &m, "klogd startup succeeded")
        );
    }

    #[test]
    fn same_template_merges() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        for u in ["cyrus", "news", "test", "root"] {
            assert_eq!(
                template_of(&msgs, &m, &format!("session closed for user {u}")),
                "session closed for user <*>"
            );
        }
        for h in ["<*>", "example", "other"] {
            assert_eq!(
                template_of(&msgs, &m, &format!("authentication failure; rhost={h} user=root")),
                "authentication failure; <*> user=root"
            );
        }
        for u in ["admin", "<*>", "oracle", "support", "test"] {
            assert_eq!(
                template_of(&msgs, &m, &format!("Invalid user {u} from <*>")),
                "Invalid user <*> from <*>"
            );
        }
        assert_eq!(template_of(&msgs, &m, ""), "");
        // templates come sorted and distinct
        let mut sorted = m.templates.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, m.templates);
    }

    #[test]
    fn order_independent() {
        let msgs = sample();
        let base = mine(&msgs, &vec![1; msgs.len()]);
        let want = canonical(&msgs, &base);
        // deterministic shuffles (xorshift), with weights that follow their messages
        let mut state = 0x9e3779b97f4a7c15u64;
        for round in 0..20 {
            let mut shuffled = msgs.clone();
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let weights: Vec<u64> = shuffled.iter().map(|s| s.len() as u64 + round).collect();
            let got = mine(&shuffled, &weights);
            assert_eq!(canonical(&shuffled, &got), want);
        }
    }

    #[test]
    fn empty_input() {
        let m = mine(&[], &[]);
        assert!(m.assignments.is_empty() && m.templates.is_empty());
    }
}
