//! Csound's message text, carried off the audio thread without allocating.
//!
//! Csound calls the message callback on whichever thread is inside the API. While an
//! instance compiles, that is a worker thread and the text goes straight into a `String`;
//! once it performs on the audio thread the text goes into a fixed-capacity ring of
//! fixed-size chunks that a non-real-time thread drains. A full ring drops and counts.

use crossbeam::queue::ArrayQueue;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of text held by one ring entry; longer messages take several entries.
pub const CHUNK_BYTES: usize = 240;

/// Csound's message-type bits (`CSOUNDMSG_TYPE_MASK` in csound.h).
const TYPE_MASK: i32 = 0x7000;
/// `CSOUNDMSG_ERROR` in csound.h.
const TYPE_ERROR: i32 = 0x1000;
/// `CSOUNDMSG_WARNING` in csound.h.
const TYPE_WARNING: i32 = 0x4000;

/// The kind of a Csound message, from its attribute bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Ordinary output (`prints`, start-up text, performance reports).
    Info,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

impl MessageKind {
    /// Classifies Csound's message attribute bits.
    pub fn from_attr(attr: i32) -> Self {
        match attr & TYPE_MASK {
            TYPE_ERROR => Self::Error,
            TYPE_WARNING => Self::Warning,
            _ => Self::Info,
        }
    }
}

/// One fixed-size piece of message text.
#[derive(Clone, Copy)]
pub struct MessageChunk {
    attr: i32,
    len: u8,
    bytes: [u8; CHUNK_BYTES],
}

impl MessageChunk {
    /// The chunk's text bytes (a chunk may end inside a UTF-8 sequence; the drain rejoins them).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The chunk's message kind.
    pub fn kind(&self) -> MessageKind {
        MessageKind::from_attr(self.attr)
    }
}

/// A lock-free, allocation-free queue of message text from the audio thread.
pub struct MessageRing {
    queue: ArrayQueue<MessageChunk>,
    dropped: AtomicU64,
}

impl MessageRing {
    /// A ring holding up to `chunks` pieces of text.
    pub fn new(chunks: usize) -> Self {
        Self {
            queue: ArrayQueue::new(chunks),
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues `text`, split into chunks; what does not fit is dropped and counted.
    /// Never allocates, never blocks.
    pub fn push(&self, attr: i32, text: &[u8]) {
        for piece in text.chunks(CHUNK_BYTES) {
            let mut chunk = MessageChunk {
                attr,
                len: piece.len() as u8,
                bytes: [0; CHUNK_BYTES],
            };
            chunk.bytes[..piece.len()].copy_from_slice(piece);
            if self.queue.push(chunk).is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Moves all queued text into `out` (not for the audio thread: it allocates).
    /// Returns how many chunks were dropped since the last drain.
    pub fn drain_into(&self, out: &mut String) -> u64 {
        let mut bytes = Vec::new();
        while let Some(chunk) = self.queue.pop() {
            bytes.extend_from_slice(chunk.bytes());
        }
        out.push_str(&String::from_utf8_lossy(&bytes));
        self.dropped.swap(0, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_split_and_rejoined() {
        let ring = MessageRing::new(16);
        let text = "é".repeat(500); // 1000 bytes, chunk edges fall inside characters
        ring.push(0, text.as_bytes());
        let mut out = String::new();
        assert_eq!(ring.drain_into(&mut out), 0);
        assert_eq!(out, text);
    }

    #[test]
    fn overflow_drops_and_counts() {
        let ring = MessageRing::new(2);
        for _ in 0..5 {
            ring.push(0, b"x\n");
        }
        let mut out = String::new();
        assert_eq!(ring.drain_into(&mut out), 3);
        assert_eq!(out, "x\nx\n");
    }

    #[test]
    fn kinds_follow_csound_attributes() {
        assert_eq!(MessageKind::from_attr(0x1000), MessageKind::Error);
        assert_eq!(MessageKind::from_attr(0x4000 | 0x100), MessageKind::Warning);
        assert_eq!(MessageKind::from_attr(0), MessageKind::Info);
    }
}
