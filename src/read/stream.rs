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

/// A started reader: chunks arrive on `chunks`; `raw_bytes` counts bytes as stored. Buffers
/// sent back through [`Chunks::recycle`] are reused: fresh chunk buffers cost page faults and
/// zeroing that showed as a quarter of the run time in a profile (docs/performance.md).
pub(crate) struct Chunks {
    pub(crate) chunks: Receiver<Piece>,
    recycled: SyncSender<Vec<u8>>,
    pub(crate) gzip: bool,
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
    let mut reader: Box<dyn Read + Send> =
        if gzip { Box::new(MultiGzDecoder::new(buffered)) } else { Box::new(buffered) };
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
    Ok(Chunks { chunks: rx, recycled: recycle_tx, gzip, raw_bytes: count })
}

impl Chunks {
    /// Hands a buffer back for the next chunk (dropped if enough are waiting).
    pub(crate) fn recycle(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() >= 1 << 20 {
            buffer.clear();
            let _ = self.recycled.try_send(buffer);
        }
    }
}
