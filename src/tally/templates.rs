//! The templates the collector mined over the message budget, shared with the parsing threads so
//! that a batch fits its messages to them while it is reduced: over the budget the collector then
//! takes one key per template and batch instead of one per distinct message (on input where
//! every message is distinct, that was a third of the run's time).
//!
//! Which templates a message is fitted to depends on positions only, never on timing: a batch
//! starting at input position `p` uses the newest templates mined after a chunk ending before
//! `p - lag`. A parsing thread fits a batch only once the collector has read that far (so that
//! no templates it may still mine could apply); otherwise the collector fits the batch's messages
//! itself, to the same templates. Either way the result is the same, for any number of threads.

use crate::group::matcher::Matcher;
use std::sync::{Arc, Mutex};

/// An input position (`Origin::position`). Batches come in this order.
pub(crate) type Pos = (u32, u64);

/// One mining's templates and the position after which they were mined.
pub(crate) struct Mined {
    /// The collector's position (the last entry it had taken) when they were mined.
    pub(crate) after: Pos,
    /// Numbers minings in order (for the collector's cache of template keys).
    pub(crate) generation: u32,
    pub(crate) matcher: Matcher,
}

/// What a batch knows of the templates it is fitted to.
#[derive(Clone, Default)]
pub(crate) enum Fit {
    /// Not known when the batch was reduced: the collector fits its messages.
    #[default]
    Unknown,
    /// Its messages were fitted to these templates, or to none (`None`: no templates apply).
    Fitted(Option<Arc<Mined>>),
}

/// The minings a batch may still be fitted to, and how far the collector has read.
pub(crate) struct SharedTemplates {
    lag: u64,
    /// Parsing threads never fit batches (to compare with and without, in tests and benchmarks).
    disabled: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The last position the collector has taken (and mined after).
    read: Option<Pos>,
    /// Oldest first; those no later batch can use are dropped.
    minings: Vec<Arc<Mined>>,
}

impl SharedTemplates {
    /// Templates apply to batches `lag` bytes (or lines) past where they were mined: far enough
    /// that the collector, a few chunks behind the parsing threads, has usually read that far.
    pub(crate) fn new(lag: u64) -> SharedTemplates {
        let disabled = std::env::var_os("LOG_GARDENER_COLLECTOR_FITS_ALL").is_some();
        SharedTemplates { lag, disabled, state: Mutex::new(State::default()) }
    }

    /// For a batch starting at `at`, on a parsing thread: the templates its messages fit, if they
    /// can be known yet.
    pub(crate) fn fit_for(&self, at: Pos) -> Fit {
        if self.disabled {
            return Fit::Unknown;
        }
        let state = self.state.lock().expect("no thread panics holding the templates");
        let mark = self.mark(at);
        // Minings yet to come are after the collector's position: only once that is at or past
        // the mark can none of them apply to this batch.
        if state.read.unwrap_or((0, 0)) < mark {
            return Fit::Unknown;
        }
        Fit::Fitted(newest_before(&state.minings, mark))
    }

    /// For a batch starting at `at`, on the collector (which has read everything before it): the
    /// templates its messages fit. Minings older than that are dropped, batches coming in order.
    pub(crate) fn fit_in_order(&self, at: Pos) -> Option<Arc<Mined>> {
        let mark = self.mark(at);
        let mut state = self.state.lock().expect("no thread panics holding the templates");
        let newest = newest_before(&state.minings, mark);
        if let Some(m) = &newest {
            let keep_from = state.minings.iter().position(|n| Arc::ptr_eq(n, m)).unwrap_or(0);
            state.minings.drain(..keep_from);
        }
        newest
    }

    /// The collector has taken everything up to `read` (and mined `mined`, if it did).
    pub(crate) fn advance(&self, read: Pos, mined: Option<Arc<Mined>>) {
        let mut state = self.state.lock().expect("no thread panics holding the templates");
        state.read = Some(state.read.map_or(read, |r| r.max(read)));
        state.minings.extend(mined);
    }

    /// Minings after a chunk ending before this mark apply to a batch at `at`.
    fn mark(&self, (input, offset): Pos) -> Pos {
        (input, offset.saturating_sub(self.lag))
    }
}

/// The newest of `minings` made before `mark`.
fn newest_before(minings: &[Arc<Mined>], mark: Pos) -> Option<Arc<Mined>> {
    minings.iter().rev().find(|m| m.after < mark).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mined(after: Pos, generation: u32) -> Mined {
        Mined { after, generation, matcher: Matcher::new(vec![format!("t{generation} <*>")]) }
    }

    fn generation(fit: &Fit) -> Option<Option<u32>> {
        match fit {
            Fit::Unknown => None,
            Fit::Fitted(m) => Some(m.as_ref().map(|m| m.generation)),
        }
    }

    #[test]
    fn a_batch_is_fitted_only_once_the_collector_has_read_past_its_mark() {
        let shared = SharedTemplates { lag: 100, disabled: false, state: Default::default() };
        assert_eq!(generation(&shared.fit_for((0, 50))), Some(None), "nothing can apply yet");
        assert_eq!(generation(&shared.fit_for((0, 150))), None, "the collector is not at 50");
        shared.advance((0, 60), Some(Arc::new(mined((0, 60), 1))));
        assert_eq!(generation(&shared.fit_for((0, 161))), None, "the collector is not at 61");
        shared.advance((0, 200), None);
        assert_eq!(generation(&shared.fit_for((0, 150))), Some(None), "mined at 60, not before 50");
        assert_eq!(generation(&shared.fit_for((0, 161))), Some(Some(1)));
        assert_eq!(generation(&shared.fit_for((0, 500))), None, "the collector is not at 400");
        shared.advance((0, 450), Some(Arc::new(mined((0, 450), 2))));
        assert_eq!(generation(&shared.fit_for((0, 500))), Some(Some(1)));
        assert_eq!(generation(&shared.fit_for((1, 0))), None, "input 0 may go on");
        shared.advance((1, 10), None);
        assert_eq!(generation(&shared.fit_for((1, 0))), Some(Some(2)), "a later input");
    }

    #[test]
    fn the_collector_fits_in_order_what_the_parsing_threads_would() {
        let shared = SharedTemplates { lag: 100, disabled: false, state: Default::default() };
        shared.advance((0, 60), Some(Arc::new(mined((0, 60), 1))));
        shared.advance((0, 450), Some(Arc::new(mined((0, 450), 2))));
        let gen = |m: Option<Arc<Mined>>| m.map(|m| m.generation);
        assert_eq!(gen(shared.fit_in_order((0, 100))), None);
        assert_eq!(gen(shared.fit_in_order((0, 200))), Some(1));
        assert_eq!(gen(shared.fit_in_order((0, 551))), Some(2));
        assert_eq!(shared.state.lock().unwrap().minings.len(), 1, "the first is of no more use");
    }
}
