//! Reads an input in bounded chunks on a thread of its own, so that reading and decompressing
//! overlap with parsing, and memory holds a few chunks rather than the whole input.

use super::progress::Progress;
use super::source::Source;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// Bytes per chunk handed to the parser (decompressed). 4 MB measured faster than 1, 2, 8 and
/// 16 MB here (docs/performance.md): big enough to parse in parallel, small enough to stay warm.
pub(crate) const CHUNK_BYTES: usize = 4 << 20;

/// The chunk size: [`CHUNK_BYTES`], or `LOG_GARDENER_CHUNK_BYTES` (tests use tiny chunks to put
/// entries across chunk boundaries).
pub(crate) fn chunk_bytes() -> usize {
    std::env::var("LOG_GARDENER_CHUNK_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(CHUNK_BYTES)
}

/// What the reading thread sends: a chunk, or how the input ended early.
pub(crate) enum Piece {
    Chunk(Vec<u8>),
    /// The gzip stream broke after the chunks already sent.
    GzipError(String),
}

/// The text encoding of an input, when it is not UTF-8. UTF-16 inputs are decoded to UTF-8 here,
/// once, as they are read, so that everything after sees UTF-8 (and positions count its bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }

    /// UTF-16 from a byte-order mark (`FF FE`, `FE FF`), or, without one, from a JSON export's
    /// first character written in two bytes (`[\0`, `\0{`): Windows PowerShell 5.1 writes
    /// `gcloud ... > file` as UTF-16LE with a BOM, other tools sometimes without.
    fn sniff(head: &[u8]) -> Option<(Encoding, usize)> {
        match head {
            [0xFF, 0xFE, ..] => Some((Encoding::Utf16Le, 2)),
            [0xFE, 0xFF, ..] => Some((Encoding::Utf16Be, 2)),
            [b'[' | b'{', 0, ..] => Some((Encoding::Utf16Le, 0)),
            [0, b'[' | b'{', ..] => Some((Encoding::Utf16Be, 0)),
            _ => None,
        }
    }
}

/// A reader that decodes UTF-16 to UTF-8. Unpaired surrogates (and an odd last byte) become
/// U+FFFD, as invalid UTF-8 does elsewhere.
struct Utf16ToUtf8<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read but not decoded yet: an odd byte, or a high surrogate waiting for its pair.
    carry: Vec<u8>,
    /// Decoded text not handed out yet, from `pos`.
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn new(inner: R, encoding: Encoding) -> Self {
        Utf16ToUtf8 { inner, encoding, carry: Vec::new(), out: Vec::new(), pos: 0, eof: false }
    }

    /// Reads and decodes the next piece into `out`.
    fn refill(&mut self) -> io::Result<()> {
        let mut raw = std::mem::take(&mut self.carry);
        let start = raw.len();
        raw.resize(start + (1 << 16), 0);
        let n = loop {
            match self.inner.read(&mut raw[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        raw.truncate(start + n);
        self.eof = n == 0;
        let units = |b: &[u8]| match self.encoding {
            Encoding::Utf16Le => u16::from_le_bytes([b[0], b[1]]),
            Encoding::Utf16Be => u16::from_be_bytes([b[0], b[1]]),
        };
        let mut whole = raw.len() / 2 * 2;
        // A high surrogate at the end waits for its pair, unless the input ended.
        if !self.eof && whole >= 2 && (0xD800..0xDC00).contains(&units(&raw[whole - 2..whole])) {
            whole -= 2;
        }
        self.carry = raw[whole..].to_vec();
        let text: String = char::decode_utf16(raw[..whole].chunks_exact(2).map(units))
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        self.out = text.into_bytes();
        self.pos = 0;
        if self.eof && !self.carry.is_empty() {
            self.out.extend_from_slice(char::REPLACEMENT_CHARACTER.to_string().as_bytes());
            self.carry.clear();
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A started reader: chunks arrive on `chunks`; `raw_bytes` counts bytes as stored. Buffers
/// sent back through [`Chunks::recycle`] are reused: fresh chunk buffers cost page faults and
/// zeroing that showed as a quarter of the run time in a profile (docs/performance.md).
pub(crate) struct Chunks {
    pub(crate) chunks: Receiver<Piece>,
    recycled: SyncSender<Vec<u8>>,
    pub(crate) gzip: bool,
    /// Set for UTF-16 inputs (decoded to UTF-8 before chunking).
    pub(crate) encoding: Option<Encoding>,
    pub(crate) raw_bytes: Arc<AtomicU64>,
}

struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    progress: Option<Arc<Progress>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.add_bytes(n as u64);
        }
        Ok(n)
    }
}

/// Opens `source` and starts a thread that sends its (decompressed) bytes in chunks. Fails only
/// when the input cannot be opened; read errors later end the stream with a [`Piece::GzipError`]
/// or, for plain inputs, are reported the same way.
pub(crate) fn start(source: &Source, progress: Option<Arc<Progress>>) -> io::Result<Chunks> {
    let count = Arc::new(AtomicU64::new(0));
    let inner: Box<dyn Read + Send> = match source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(path) => Box::new(File::open(path)?),
    };
    let mut buffered =
        BufReader::with_capacity(1 << 20, Counting { inner, count: count.clone(), progress });
    let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let (mut reader, encoding) = decoded(buffered, gzip)?;
    let (tx, rx) = sync_channel::<Piece>(2);
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<u8>>(4);
    let size = chunk_bytes();
    let reading = move || loop {
        let mut chunk = recycle_rx.try_recv().unwrap_or_default();
        chunk.resize(size, 0);
        let mut filled = 0;
        let mut failure = None;
        while filled < chunk.len() {
            match reader.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        chunk.truncate(filled);
        let last = filled == 0 || failure.is_some();
        if filled > 0 && tx.send(Piece::Chunk(chunk)).is_err() {
            return;
        }
        if let Some(e) = failure {
            let _ = tx.send(Piece::GzipError(e));
            return;
        }
        if last {
            return;
        }
    };
    std::thread::Builder::new().name("read".into()).spawn(reading)?;
    Ok(Chunks { chunks: rx, recycled: recycle_tx, gzip, encoding, raw_bytes: count })
}

/// The input as UTF-8 (or as it is, if it is not text): decompressed, and decoded from UTF-16
/// when it is that. The encoding is decided once, from the first bytes after decompression.
fn decoded<R: BufRead + Send + 'static>(
    buffered: R,
    gzip: bool,
) -> io::Result<(Box<dyn Read + Send>, Option<Encoding>)> {
    let mut reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    };
    let sniffed = match reader.fill_buf() {
        Ok(head) => Encoding::sniff(head),
        // A broken gzip header: the reading thread reports it like any later gzip error.
        Err(_) => None,
    };
    Ok(match sniffed {
        Some((encoding, bom)) => {
            reader.consume(bom);
            (Box::new(Utf16ToUtf8::new(reader, encoding)), Some(encoding))
        }
        None => (Box::new(reader), None),
    })
}

impl Chunks {
    /// Hands a buffer back for the next chunk (dropped if enough are waiting).
    /// Its length is kept: those bytes are initialized, and the reader overwrites them instead
    /// of zeroing the buffer again (clearing it made every chunk a 4 MB `memset`, 3% of reading).
    pub(crate) fn recycle(&self, buffer: Vec<u8>) {
        if buffer.capacity() >= 1 << 20 {
            let _ = self.recycled.try_send(buffer);
        }
    }
}
