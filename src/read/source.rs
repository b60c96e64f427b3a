//! Opens an input (a file or standard input) and undoes gzip, detected by its magic bytes rather
//! than the file name, so `.json` files that are really gzipped (and the reverse) just work.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

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

/// The bytes of an input after decompression, and whether it was compressed.
pub struct Loaded {
    pub bytes: Vec<u8>,
    pub gzip: bool,
    /// Bytes read from disk or stdin (before decompression).
    pub raw_len: u64,
    /// Set when only part of the input could be decompressed.
    pub warning: Option<String>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

pub fn load(source: &Source) -> io::Result<Loaded> {
    let raw = match source {
        Source::Stdin => {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf)?;
            buf
        }
        Source::File(path) => read_file(path)?,
    };
    let raw_len = raw.len() as u64;
    if raw.starts_with(&GZIP_MAGIC) {
        // A download cut short is common: keep what decompressed, and say where it stopped.
        let mut bytes = Vec::with_capacity(raw.len() * 6);
        let warning = match MultiGzDecoder::new(&raw[..]).read_to_end(&mut bytes) {
            Ok(_) => None,
            Err(e) => Some(format!(
                "the gzip data is corrupt or cut off ({e}) after {} decompressed bytes; \
                 the entries before that point were read",
                bytes.len()
            )),
        };
        Ok(Loaded { bytes, gzip: true, raw_len, warning })
    } else {
        Ok(Loaded { bytes: raw, gzip: false, raw_len, warning: None })
    }
}

fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let mut buf = Vec::with_capacity(file.metadata().map(|m| m.len() as usize).unwrap_or(0));
    file.read_to_end(&mut buf)?;
    Ok(buf)
}
