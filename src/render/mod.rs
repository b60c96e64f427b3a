//! Render: the report model (`model`, the public format), filled from the verdict (`build`),
//! and the files made from it: Markdown through a template (`markdown`), JSON (`json`), HTML
//! from the Markdown (`html`), and the `--assignments` CSV (`assignments`).

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
