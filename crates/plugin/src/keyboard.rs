//! The on-screen keyboard's notes on their way to the audio thread: the editor pushes MIDI
//! messages into a lock-free queue and `process()` takes them at the start of the next
//! block, as if the host had sent them (no lock, no allocation).

use crossbeam::queue::ArrayQueue;

/// Messages waiting at most (a block takes them all; a full queue drops the newest).
const CAPACITY: usize = 256;

/// Notes played on the editor's keyboard.
pub struct OnScreenKeyboard {
    queue: ArrayQueue<[u8; 3]>,
}

impl Default for OnScreenKeyboard {
    fn default() -> Self {
        Self {
            queue: ArrayQueue::new(CAPACITY),
        }
    }
}

impl OnScreenKeyboard {
    /// Starts `key` (0–127) at `velocity` (1–127) on MIDI channel 1.
    pub fn press(&self, key: u8, velocity: u8) {
        let _ = self.queue.push([0x90, key & 0x7f, velocity.clamp(1, 127)]);
    }

    /// Ends `key`.
    pub fn release(&self, key: u8) {
        let _ = self.queue.push([0x80, key & 0x7f, 0]);
    }

    /// Hands each waiting message to `take`, oldest first (the audio thread).
    pub fn drain(&self, mut take: impl FnMut([u8; 3])) {
        while let Some(message) = self.queue.pop() {
            take(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_arrive_in_order_as_midi_messages() {
        let keyboard = OnScreenKeyboard::default();
        keyboard.press(60, 100);
        keyboard.press(64, 0);
        keyboard.release(60);
        let mut got = Vec::new();
        keyboard.drain(|m| got.push(m));
        assert_eq!(got, [[0x90, 60, 100], [0x90, 64, 1], [0x80, 60, 0]]);
        keyboard.drain(|_| panic!("drained"));
    }
}
