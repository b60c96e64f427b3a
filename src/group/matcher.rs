//! Matching masked messages against templates already mined, so that a run over more distinct
//! messages than its budget counts new messages under the templates they fit instead of keeping
//! each one (see `tally`'s message budget).
//!
//! A message fits a template of as many words (cut at whitespace, as the miner cuts them) when
//! every word of the template is `<*>` or the message's word at that place. Of several that fit,
//! the one with the most constant words wins, then the first by text: the choice does not depend
//! on the order templates or messages come in.

use rustc_hash::FxHashMap as HashMap;

const VAR: &str = "<*>";

/// Templates, indexed for matching.
#[derive(Debug, Default)]
pub struct Matcher {
    /// The templates, sorted by text.
    templates: Vec<String>,
    /// Per template: its words, and how many are constant.
    words: Vec<(Vec<String>, usize)>,
    /// (word count, place of the first constant word) → that word → templates.
    by_anchor: HashMap<(usize, usize), HashMap<String, Vec<u32>>>,
    /// Word count → templates that are all `<*>`.
    all_vars: HashMap<usize, Vec<u32>>,
}

impl Matcher {
    /// A matcher over `templates` (duplicates are kept once).
    pub fn new(mut templates: Vec<String>) -> Matcher {
        templates.sort();
        templates.dedup();
        let mut m = Matcher { templates, ..Matcher::default() };
        for (i, t) in m.templates.iter().enumerate() {
            let words: Vec<String> = t.split_ascii_whitespace().map(str::to_string).collect();
            let constants = words.iter().filter(|w| *w != VAR).count();
            match words.iter().position(|w| w != VAR) {
                Some(p) => m
                    .by_anchor
                    .entry((words.len(), p))
                    .or_default()
                    .entry(words[p].clone())
                    .or_default()
                    .push(i as u32),
                None => m.all_vars.entry(words.len()).or_default().push(i as u32),
            }
            m.words.push((words, constants));
        }
        m
    }

    /// The template `message` fits best, if any.
    #[cfg(test)]
    pub fn find(&self, message: &str) -> Option<&str> {
        self.find_index(message).map(|i| self.templates[i as usize].as_str())
    }

    /// The template at `index` (as [`Matcher::find_index`] gives it).
    pub fn template(&self, index: u32) -> &str {
        &self.templates[index as usize]
    }

    /// The index of the template `message` fits best, if any.
    pub fn find_index(&self, message: &str) -> Option<u32> {
        if self.templates.is_empty() {
            return None;
        }
        // On the stack: this runs for every message over the budget.
        let words: smallvec::SmallVec<[&str; 32]> = message.split_ascii_whitespace().collect();
        let n = words.len();
        let mut best: Option<u32> = None;
        let mut consider = |i: u32| {
            let (t, constants) = &self.words[i as usize];
            let fits = t.iter().zip(&words).all(|(tw, mw)| tw == VAR || tw == mw);
            if fits
                && best.is_none_or(|b| {
                    (*constants, std::cmp::Reverse(i))
                        > (self.words[b as usize].1, std::cmp::Reverse(b))
                })
            {
                best = Some(i);
            }
        };
        for (p, w) in words.iter().enumerate() {
            if let Some(list) = self.by_anchor.get(&(n, p)).and_then(|by_word| by_word.get(*w)) {
                list.iter().copied().for_each(&mut consider);
            }
        }
        if let Some(list) = self.all_vars.get(&n) {
            list.iter().copied().for_each(&mut consider);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_most_specific_template() {
        let m = Matcher::new(vec![
            "User <*> failed login from portal <*>".into(),
            "User <*> failed login from portal main".into(),
            "<*> <*> <*>".into(),
            "Connection reset by <*>".into(),
        ]);
        assert_eq!(
            m.find("User qwerty failed login from portal abcdef"),
            Some("User <*> failed login from portal <*>")
        );
        assert_eq!(
            m.find("User qwerty failed login from portal main"),
            Some("User <*> failed login from portal main")
        );
        assert_eq!(m.find("Connection reset by peer"), Some("Connection reset by <*>"));
        assert_eq!(m.find("a b c"), Some("<*> <*> <*>"));
        assert_eq!(m.find("User qwerty failed login"), None, "another word count");
        assert_eq!(m.find("Admin qwerty failed login from portal x"), None);
    }

    #[test]
    fn the_choice_does_not_depend_on_order() {
        let a = vec!["x <*> z".to_string(), "x y <*>".to_string()];
        let mut b = a.clone();
        b.reverse();
        // Both fit with one constant fewer than the message has: the first by text wins.
        assert_eq!(Matcher::new(a).find("x y z"), Some("x <*> z"));
        assert_eq!(Matcher::new(b).find("x y z"), Some("x <*> z"));
    }
}
