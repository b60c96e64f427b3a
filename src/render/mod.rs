//! Render: the report model (`model`, the public format), filled from the verdict (`build`, with
//! the file names from `naming` and the postmortem timeline from `sequence`), and the files made
//! from it: Markdown through a template (`markdown`; templates are checked against the model's
//! shape, `probe`, by `template_check`), JSON (`json`), HTML from the Markdown with its charts as
//! inline SVG (`html`), and the `--assignments` CSV (`assignments`).

pub mod assignments;
pub mod build;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
mod naming;
mod probe;
mod sequence;
mod template_check;
