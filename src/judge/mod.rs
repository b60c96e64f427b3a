//! Judge: what to look at first. Priorities come from documented default rules over facts in
//! the data (severity, error class, volume); service health from error shares and priorities.
//! Every judgement carries its reason, so a reader can disagree with the rule, not guess it.

pub(crate) mod classify;
pub(crate) mod correlate;
pub mod health;
pub mod history;
pub mod priority;
pub mod rules;
pub mod verdict;
