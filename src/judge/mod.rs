//! Judge: what to look at first. Priorities come from documented default rules over facts in
//! the data (severity, error class, volume in the busiest hour) and, with a baseline, the trend
//! (escalating, new with a deploy); service health from error shares, priorities and unreachable
//! dependencies. Every judgement carries its reason, so a reader can disagree with the rule, not
//! guess it. `verdict::decide` makes the decisions in their order.

pub(crate) mod classify;
pub(crate) mod correlate;
pub mod health;
pub mod history;
pub mod priority;
pub mod rules;
pub mod verdict;
