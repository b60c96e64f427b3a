//! The inputs of a run, as the user named them: files (also those found in folders) and
//! standard input. Opening, decompressing and chunking them is `stream`'s job.

use std::path::PathBuf;

/// One input of a run, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// How reports and error messages name this input: the path as given, or `-`.
    pub fn label(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }
}
