//! Template mining: groups distinct masked messages into templates with `<*>` at their
//! variable positions.
//!
//! Messages are cut at whitespace and grouped by token count. Inside one count, each message
//! is keyed by its first token and by the tokens it shares with as many messages as most of its
//! own tokens do (the Brain parser's "longest common pattern"): that picks the constants of its
//! template. Inside each key group a column with a few distinct plain words is a constant
//! choice and splits the group, unless its syntax marks a value (quoted, a boolean, after `=`)
//! or it varies independently of the other such columns; any other differing column is a
//! variable. The templates of all token counts are then merged where a variable of several
//! words explains the difference: equal once runs of `<*>` are one, or one template's `<*>`
//! taking up several words of another's. Everything runs in a canonical order (messages
//! sorted by text, ties broken by position) and templates are returned sorted by text, so the
//! result does not depend on the input order.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// The result of mining: for each input message the index of its template, and the templates.
pub struct Mined {
    pub assignments: Vec<u32>,
    pub templates: Vec<String>,
}

const VAR: &str = "<*>";
const VAR_ID: u32 = 0;

/// The distinct tokens of the messages (`<*>` first), with what their syntax says of each.
struct Vocab<'a> {
    words: Vec<&'a str>,
    flags: Vec<u8>,
}

/// The token holds a `<*>` (bare or in a word: "rhost=<*>").
const HOLDS_VAR: u8 = 1;
/// The token is a value: `<*>`, a quoted word, a literal (true, false, null).
const VALUE: u8 = 2;
/// The token is a quoted word or a literal, alone or after `key=`.
const KEYED_VALUE: u8 = 4;
/// The token ends in `=`: the next one is its value ("mode = idle", "allDrawn= false").
const ENDS_KEY: u8 = 8;

impl<'a> Vocab<'a> {
    /// Adds a token, returning its id.
    fn push(&mut self, w: &'a str) -> u32 {
        let written_as_value = |w: &str| is_quoted(w) || is_literal(w);
        let after_key = w.find('=').map_or(w, |k| &w[k + 1..]);
        let mut f = 0;
        if w.contains(VAR) {
            f |= HOLDS_VAR;
        }
        if w == VAR || written_as_value(w) {
            f |= VALUE;
        }
        if written_as_value(w) || written_as_value(after_key) {
            f |= KEYED_VALUE;
        }
        if w.ends_with('=') {
            f |= ENDS_KEY;
        }
        self.words.push(w);
        self.flags.push(f);
        (self.words.len() - 1) as u32
    }

    fn has(&self, t: u32, flag: u8) -> bool {
        self.flags[t as usize] & flag != 0
    }
}
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

    let mut intern: HashMap<&str, u32> = HashMap::default();
    let mut words = Vocab { words: Vec::new(), flags: Vec::new() };
    words.push(VAR);
    intern.insert(VAR, VAR_ID);
    let mut toks: Vec<Vec<u32>> = Vec::with_capacity(n);
    for &i in &order {
        let t: Vec<u32> = messages[i]
            .split_ascii_whitespace()
            .map(|w| *intern.entry(w).or_insert_with(|| words.push(w)))
            .collect();
        toks.push(t);
    }
    let mut by_len: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, t) in toks.iter().enumerate() {
        by_len.entry(t.len()).or_default().push(k);
    }
    // Each token count is split on its own, in parallel (with many distinct messages this is
    // most of the mining); the leaves are taken in the order of the token counts, so the result
    // is the same for any number of threads.
    let groups: Vec<Vec<usize>> = by_len.into_values().collect();
    let leaves: Vec<Vec<usize>> = groups
        .into_par_iter()
        .map(|g| {
            let mut leaves = Vec::new();
            split(g, &toks, &words, &mut leaves);
            leaves
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    // Template texts, sorted: the index of a template is its rank.
    let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for t in merge_across_lengths(&leaves, &toks, &words) {
        let text: Vec<&str> = t.toks.iter().map(|&w| words.words[w as usize]).collect();
        by_text.entry(text.join(" ")).or_default().extend(t.members);
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

/// A mined template: its tokens (a run of `<*>` is one `<*>`), the token counts of the
/// messages it was mined from, and those messages.
struct Template {
    toks: Vec<u32>,
    lengths: Vec<usize>,
    members: Vec<usize>,
}

/// The templates of the leaves of all token counts, merged where a variable of several words
/// explains the difference ("launch Mail because" / "launch Photo Editor because"): templates
/// equal once a run of `<*>` is one `<*>` are one (as a run of variables in one message is
/// masked to one), then [`absorb`] moves a template into a more general one of other token
/// counts.
fn merge_across_lengths(leaves: &[Vec<usize>], toks: &[Vec<u32>], words: &Vocab) -> Vec<Template> {
    let mut by_toks: BTreeMap<Vec<u32>, Template> = BTreeMap::new();
    for leaf in leaves {
        let first = &toks[leaf[0]];
        let mut t: Vec<u32> = Vec::with_capacity(first.len());
        for (p, &tok) in first.iter().enumerate() {
            let tok = if leaf.iter().all(|&m| toks[m][p] == tok) { tok } else { VAR_ID };
            if !(tok == VAR_ID && t.last() == Some(&VAR_ID)) {
                t.push(tok);
            }
        }
        let e = by_toks.entry(t).or_insert_with_key(|t| Template {
            toks: t.clone(),
            lengths: Vec::new(),
            members: Vec::new(),
        });
        e.lengths.push(first.len());
        e.members.extend(leaf.iter().copied());
    }
    let mut out: Vec<Template> = by_toks.into_values().collect();
    for t in &mut out {
        t.lengths.sort_unstable();
        t.lengths.dedup();
    }
    absorb(&mut out, words);
    out.retain(|t| !t.members.is_empty());
    out
}

/// Most templates tried for one template in [`absorb`] (and four times as many looked at);
/// past them it stays on its own. This bounds the cost per template whatever the input.
const ABSORB_TRIES: usize = 64;
/// Templates longer than this (in tokens) neither absorb nor are absorbed: matching is
/// quadratic in their length, and dumps that long are not where multi-word values matter.
const ABSORB_MAX_TOKENS: usize = 128;

/// Moves each template into the most specific other template that [`covers`] it, when the two
/// were mined from different token counts (within one token count the split that mining
/// decided stands). Most specific is most constants, then fewest tokens, then first in the
/// canonical order, so the result does not depend on input order. A template absorbed by one
/// that is itself absorbed ends in the last.
fn absorb(tpls: &mut [Template], words: &Vocab) {
    let n = tpls.len();
    let consts: Vec<usize> =
        tpls.iter().map(|t| t.toks.iter().filter(|&&x| x != VAR_ID).count()).collect();
    let usable: Vec<bool> =
        tpls.iter().map(|t| !t.toks.is_empty() && t.toks.len() <= ABSORB_MAX_TOKENS).collect();
    // Templates that may absorb, most specific first, listed under their first token.
    let mut rank: Vec<usize> =
        (0..n).filter(|&i| usable[i] && consts[i] > 0 && tpls[i].toks.contains(&VAR_ID)).collect();
    rank.sort_by_key(|&i| (std::cmp::Reverse(consts[i]), tpls[i].toks.len(), i));
    let mut position = vec![usize::MAX; n];
    let mut by_first: HashMap<u32, Vec<usize>> = HashMap::default();
    for (r, &c) in rank.iter().enumerate() {
        position[c] = r;
        by_first.entry(tpls[c].toks[0]).or_default().push(c);
    }
    let list = |first: u32| by_first.get(&first).map_or(&[][..], Vec::as_slice);
    let mut parent: Vec<usize> = (0..n).collect();
    for x in (0..n).filter(|&x| usable[x]) {
        let (t, first) = (&tpls[x].toks, tpls[x].toks[0]);
        let wild = if first == VAR_ID { &[][..] } else { list(VAR_ID) };
        let found = merged_by_position(list(first), wild, &position)
            .take(4 * ABSORB_TRIES)
            .filter(|&y| {
                y != x && may_cover(&tpls[y].toks, t) && !shares_length(&tpls[x], &tpls[y])
            })
            .take(ABSORB_TRIES)
            .find(|&y| covers(&tpls[y].toks, t, words) && !covers(t, &tpls[y].toks, words));
        if let Some(y) = found {
            parent[x] = y;
        }
    }
    // Chains end in their last template; resolved once each (parent links never cycle: a
    // template is only absorbed by one that is not covered back).
    let mut root: Vec<usize> = vec![usize::MAX; n];
    for x in 0..n {
        let mut path = Vec::new();
        let mut r = x;
        while root[r] == usize::MAX && parent[r] != r && path.len() <= n {
            path.push(r);
            r = parent[r];
        }
        let end = if root[r] == usize::MAX { r } else { root[r] };
        root[r] = end;
        for p in path {
            root[p] = end;
        }
    }
    for x in 0..n {
        if root[x] != x {
            let members = std::mem::take(&mut tpls[x].members);
            tpls[root[x]].members.extend(members);
        }
    }
}

/// Two lists sorted by `position`, merged in that order.
fn merged_by_position<'a>(
    a: &'a [usize],
    b: &'a [usize],
    position: &'a [usize],
) -> impl Iterator<Item = usize> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let take_a = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => position[x] <= position[y],
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_a {
            i += 1;
            Some(a[i - 1])
        } else {
            j += 1;
            Some(b[j - 1])
        }
    })
}

/// A quick test before [`covers`]: `pattern` can only match a text at least as long, with the
/// same last token unless it ends in `<*>`.
fn may_cover(pattern: &[u32], toks: &[u32]) -> bool {
    toks.len() >= pattern.len()
        && pattern.last().is_some_and(|&p| p == VAR_ID || Some(&p) == toks.last())
}

/// Whether two templates were mined from messages of one token count.
fn shares_length(a: &Template, b: &Template) -> bool {
    a.lengths.iter().any(|l| b.lengths.binary_search(l).is_ok())
}

/// Whether `pattern` matches `toks`: constants equal and in order, each `<*>` taking one token,
/// or several: a run of values (`<*>`, quoted words, literals), as a run of variables in one
/// message is masked to one `<*>`; or, between two constants, several words none of which
/// holds a `<*>` (a value of several words). Words around a `<*>` are the template's constants
/// ("for invalid user <*>" is not "for <*>"), and a `<*>` at either end cannot tell a value of
/// several words from extra text. Dynamic programming over prefixes, O(len(pattern) *
/// len(toks)).
fn covers(pattern: &[u32], toks: &[u32], words: &Vocab) -> bool {
    let m = toks.len();

    // prev[j]: the pattern so far matches toks[..j]; sums[j]: how many of prev[..j] hold.
    let mut prev = vec![false; m + 1];
    prev[0] = true;
    let mut cur = vec![false; m + 1];
    let mut sums = vec![0u32; m + 2];
    let last = pattern.len().saturating_sub(1);
    for (i, &pt) in pattern.iter().enumerate() {
        cur[0] = false;
        if pt == VAR_ID {
            let inner = i > 0 && i < last;
            for j in 0..=m {
                sums[j + 1] = sums[j] + prev[j] as u32;
            }
            // Runs ending at j: of words without a placeholder, and of values. A run of k >= 2
            // tokens ends a match from prev[j - k].
            let (mut words_run, mut values_run) = (0, 0);
            let from_run = |run: usize, j: usize| run >= 2 && sums[j - 1] > sums[j - run];
            for j in 1..=m {
                let t = toks[j - 1];
                words_run = if words.has(t, HOLDS_VAR) { 0 } else { words_run + 1 };
                values_run = if words.has(t, VALUE) { values_run + 1 } else { 0 };
                cur[j] =
                    prev[j - 1] || (inner && from_run(words_run, j)) || from_run(values_run, j);
            }
        } else {
            for j in 1..=m {
                cur[j] = prev[j - 1] && toks[j - 1] == pt;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        if !prev.contains(&true) {
            return false;
        }
    }
    prev[m]
}

/// Splits one group of equal-length messages into templates.
///
/// Like Brain: the constant tokens of one template occur in every message of it, so within a
/// message they share one frequency (count of messages holding that token at that position),
/// while variables are rarer and words shared with other templates are more common. Each
/// message is keyed by its tokens at that most common frequency, plus its first token (the
/// event word of most messages); messages with the same key form a candidate group, which
/// [`split_columns`] cuts further.
fn split(group: Vec<usize>, toks: &[Vec<u32>], words: &Vocab, leaves: &mut Vec<Vec<usize>>) {
    let len = toks[group[0]].len();
    if group.len() == 1 || len == 0 {
        leaves.push(group);
        return;
    }
    let mut freq: Vec<HashMap<u32, u32>> = vec![HashMap::default(); len];
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
            let value = words.has(t, KEYED_VALUE) || (p > 0 && words.has(toks[m][p - 1], ENDS_KEY));
            if t != VAR_ID && (p == 0 || (freq[p][&t] == mode && !value)) {
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

/// Splits a candidate group by its constant-choice columns: a differing column with at most
/// [`SPLIT_MAX`] distinct values is a choice between constants ("Redis" / "Postgres") unless
/// its syntax marks a value ([`is_variable_column`]) or it varies independently of another
/// such column ([`drop_independent`]). Any other differing column is a variable.
fn split_columns(g: Vec<usize>, toks: &[Vec<u32>], words: &Vocab, leaves: &mut Vec<Vec<usize>>) {
    if g.len() == 1 {
        leaves.push(g);
        return;
    }
    let len = toks[g[0]].len();
    let constant: Vec<bool> =
        (0..len).map(|p| g.iter().all(|&m| toks[m][p] == toks[g[0]][p])).collect();
    let mut split_pos = Vec::new();
    for p in (0..len).filter(|&p| !constant[p]) {
        let mut vals: Vec<u32> = g.iter().map(|&m| toks[m][p]).collect();
        vals.sort_unstable();
        vals.dedup();
        let after = (p > 0 && constant[p - 1]).then(|| words.words[toks[g[0]][p - 1] as usize]);
        if vals.len() <= SPLIT_MAX && !is_variable_column(&vals, words, after) {
            split_pos.push(p);
        }
    }
    drop_independent(&g, toks, &mut split_pos);
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

/// Keeps in `split_pos` only the columns that change together with each other one. The
/// constants of different templates differ together ("No child processes" / "Bad file
/// descriptor": one column's value tells the other's), while the values of two variables
/// combine freely; two columns that show more pairs of values than either has values are two
/// variables ("bob true" / "bob false" / "staff true").
fn drop_independent(g: &[usize], toks: &[Vec<u32>], split_pos: &mut Vec<usize>) {
    if split_pos.len() < 2 {
        return;
    }
    let distinct = |cols: &[usize]| {
        let mut v: Vec<Vec<u32>> =
            g.iter().map(|&m| cols.iter().map(|&p| toks[m][p]).collect()).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let d: Vec<usize> = split_pos.iter().map(|&p| distinct(&[p])).collect();
    let mut free = vec![false; split_pos.len()];
    for a in 0..split_pos.len() {
        for b in a + 1..split_pos.len() {
            if distinct(&[split_pos[a], split_pos[b]]) > d[a].max(d[b]) {
                free[a] = true;
                free[b] = true;
            }
        }
    }
    let mut k = 0;
    split_pos.retain(|_| {
        k += 1;
        !free[k - 1]
    });
}

/// A differing column is a variable, however few its values, when its syntax says it holds a
/// value: one value is a placeholder after a prefix another value shares ("rhost=<*>" next to
/// "rhost=example"; a bare `<*>` next to anything), the column follows a constant ending in
/// `=` ("allDrawn= false", "mode = idle"), or its values (after a `key=` they share) are
/// quoted ('alice', "bob") or literals that only a program prints (true, false, null).
/// "dcbf....<*>" next to "icbi....<*>" is not; nor are plain words after a shared `key=`
/// ("user=root" / "user=guest" stay a choice, as the word after "user" does).
fn is_variable_column(vals: &[u32], words: &Vocab, after: Option<&str>) -> bool {
    if after.is_some_and(|a| a.ends_with('=')) {
        return true;
    }
    let ws: Vec<&str> = vals.iter().map(|&v| words.words[v as usize]).collect();
    let placeholder_after_shared_prefix = ws.iter().enumerate().any(|(i, wa)| {
        wa.find(VAR).is_some_and(|k| {
            ws.iter().enumerate().any(|(j, wb)| j != i && wb.starts_with(&wa[..k]))
        })
    });
    let values: Vec<&str> = match shared_key(&ws) {
        Some(k) => ws.iter().map(|w| &w[k..]).collect(),
        None => ws,
    };
    placeholder_after_shared_prefix
        || values.iter().all(|w| is_quoted(w))
        || values.iter().all(|w| is_literal(w))
}

/// The length of the `key=` all words start with, if they share one.
fn shared_key(ws: &[&str]) -> Option<usize> {
    let k = ws[0].find('=').filter(|&k| k > 0)? + 1;
    ws.iter().all(|w| w.len() >= k && w.as_bytes()[..k] == ws[0].as_bytes()[..k]).then_some(k)
}

/// Trailing punctuation that follows a value in prose ("'alice',", "true)").
const TRAILING: [char; 7] = [',', ';', ':', '.', ')', ']', '}'];

/// A word in quotes, possibly followed by punctuation ("'alice',").
fn is_quoted(w: &str) -> bool {
    let b = w.trim_end_matches(TRAILING).as_bytes();
    b.len() >= 2 && matches!(b[0], b'\'' | b'"' | b'`') && b[b.len() - 1] == b[0]
}

/// Booleans and nulls as programs print them.
fn is_literal(w: &str) -> bool {
    let core = w.trim_end_matches(TRAILING);
    ["true", "false", "null", "nil", "none"].iter().any(|l| core.eq_ignore_ascii_case(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token counts are mined in parallel: any number of threads gives the same templates.
    #[test]
    fn the_same_for_any_number_of_threads() {
        let messages: Vec<String> = (0..3000)
            .map(|i| match i % 4 {
                0 => format!("user u{} logged in from h{}", i % 97, i % 13),
                1 => format!("disk {} is {} percent full", ["sda", "sdb", "nvme0"][i % 3], i % 50),
                2 => format!(
                    "job {} of queue q{} took {} ms and {} retries",
                    i,
                    i % 7,
                    i % 300,
                    i % 4
                ),
                _ => format!("cache {} miss", ["hot", "warm", "cold"][i % 3]),
            })
            .collect();
        let texts: Vec<&str> = messages.iter().map(String::as_str).collect();
        let weights = vec![1; texts.len()];
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let m = pool.install(|| mine(&texts, &weights));
            (m.assignments, m.templates)
        };
        let one = run(1);
        assert!(one.1.len() > 3, "several templates: {:?}", one.1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(4));
    }

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
            // quoted words: constant in one template, a variable in another
            "object UnifiedWebSocketManager can't be used in 'await' expression",
            "No module named 'redis'",
            "No module named 'pydantic'",
            "No module named 'yaml'",
            // values a program prints, and values after `=`
            "cache lookup true for <*>",
            "cache lookup false for <*>",
            "display mode = idle now",
            "display mode = dimmed now",
            // two small-domain columns that combine freely are two variables
            "queue bob idle signal <*>",
            "queue bob busy signal <*>",
            "queue staff idle signal <*>",
            // constants of two templates differ together
            "Error creating node map: No child processes",
            "Error creating node map: Bad file descriptor",
            // a value of one word or several
            "launch Mail because <*>",
            "launch Notes because <*>",
            "launch Maps because <*>",
            "launch Chat because <*>",
            "launch Photo Editor because <*>",
            "launch Music Player because <*>",
            "launch Video Studio because <*>",
            "launch Voice Memos because <*>",
            "open Mail in <*> ms",
            "open Notes in <*> ms",
            "open Maps in <*> ms",
            "open Chat in <*> ms",
            "open Photo Booth in <*> ms",
            "reload <*> done",
            "reload 'Pro' <*> 'Helper' done",
            // ... but not words that stayed constant around a variable, nor extra words at an end
            "Failed password for root from <*>",
            "Failed password for admin from <*>",
            "Failed password for guest from <*>",
            "Failed password for oracle from <*>",
            "Failed password for invalid user <*> from <*>",
            "Failed password for invalid user <*> from <*> extra",
            "<*> open through proxy <*>",
            "<*> open through proxy <*> SOCKS5",
        ]
    }

    /// The templates of `msgs` mined together, for the messages of `group`.
    fn templates_of(msgs: &[&str], m: &Mined, group: &[&str]) -> Vec<String> {
        let mut t: Vec<String> =
            group.iter().map(|g| template_of(msgs, m, g).to_string()).collect();
        t.dedup();
        t
    }

    #[test]
    fn quoted_words_are_constants_unless_they_vary() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        let awaited = "object UnifiedWebSocketManager can't be used in 'await' expression";
        assert_eq!(template_of(&msgs, &m, awaited), awaited);
        let modules =
            ["No module named 'redis'", "No module named 'pydantic'", "No module named 'yaml'"];
        assert_eq!(templates_of(&msgs, &m, &modules), ["No module named <*>"]);
        let one = ["No module named 'redis'"];
        let alone = mine(&one, &[1]);
        assert_eq!(alone.templates, one);
    }

    #[test]
    fn syntax_marks_values() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        let bools = ["cache lookup true for <*>", "cache lookup false for <*>"];
        assert_eq!(templates_of(&msgs, &m, &bools), ["cache lookup <*> for <*>"]);
        let modes = ["display mode = idle now", "display mode = dimmed now"];
        assert_eq!(templates_of(&msgs, &m, &modes), ["display mode = <*> now"]);
    }

    #[test]
    fn free_columns_are_variables_joint_ones_constants() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        let free = [
            "queue bob idle signal <*>",
            "queue bob busy signal <*>",
            "queue staff idle signal <*>",
        ];
        assert_eq!(templates_of(&msgs, &m, &free), ["queue <*> signal <*>"]);
        assert_ne!(
            template_of(&msgs, &m, "Error creating node map: No child processes"),
            template_of(&msgs, &m, "Error creating node map: Bad file descriptor")
        );
    }

    #[test]
    fn values_of_several_words_join_across_token_counts() {
        let msgs = sample();
        let m = mine(&msgs, &vec![1; msgs.len()]);
        let launch = [
            "launch Mail because <*>",
            "launch Chat because <*>",
            "launch Photo Editor because <*>",
            "launch Voice Memos because <*>",
        ];
        assert_eq!(templates_of(&msgs, &m, &launch), ["launch <*> because <*>"]);
        // one message of three tokens' count: absorbed by the template of the others
        let open = ["open Mail in <*> ms", "open Chat in <*> ms", "open Photo Booth in <*> ms"];
        assert_eq!(templates_of(&msgs, &m, &open), ["open <*> in <*> ms"]);
        // a run of values is one value, as masking makes it
        assert_eq!(template_of(&msgs, &m, "reload 'Pro' <*> 'Helper' done"), "reload <*> done");
        let invalid = "Failed password for invalid user <*> from <*>";
        assert_eq!(template_of(&msgs, &m, invalid), invalid);
        assert_eq!(
            template_of(&msgs, &m, "Failed password for root from <*>"),
            "Failed password for <*> from <*>"
        );
        let extra = "Failed password for invalid user <*> from <*> extra";
        assert_eq!(template_of(&msgs, &m, extra), extra);
        let socks = "<*> open through proxy <*> SOCKS5";
        assert_eq!(template_of(&msgs, &m, socks), socks);
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
