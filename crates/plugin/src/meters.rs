//! What the audio thread measures for the editor's status bar: output peaks, how much of
//! each block's time processing took, and MIDI activity. Atomics only: the audio thread
//! writes without waiting, the editor reads whenever it draws.

use atomic_float::AtomicF32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Output channels metered.
pub const METERED_CHANNELS: usize = 2;
/// Weight of the newest block in the smoothed load.
const LOAD_SMOOTHING: f32 = 0.05;

/// Peaks, load and MIDI activity of the running patch.
#[derive(Default)]
pub struct Meters {
    /// Highest absolute sample per channel since the editor last took it.
    peaks: [AtomicF32; METERED_CHANNELS],
    /// Processing time over block duration, smoothed (1 = all the time there was).
    load: AtomicF32,
    /// MIDI events received so far.
    midi_events: AtomicU64,
}

impl Meters {
    /// Records one processed block: its output, how long processing took and how long
    /// the block lasts. Real-time safe.
    pub fn record_block(
        &self,
        outputs: &[&mut [f32]],
        frames: usize,
        took: Duration,
        lasts: Duration,
    ) {
        for (meter, channel) in self.peaks.iter().zip(outputs) {
            let peak = channel[..frames.min(channel.len())]
                .iter()
                .fold(0.0f32, |m, s| m.max(s.abs()));
            // Only this thread raises peaks; the editor only resets them.
            if peak > meter.load(Ordering::Relaxed) {
                meter.store(peak, Ordering::Relaxed);
            }
        }
        if !lasts.is_zero() {
            let now = took.as_secs_f32() / lasts.as_secs_f32();
            let load = self.load.load(Ordering::Relaxed);
            self.load
                .store(load + (now - load) * LOAD_SMOOTHING, Ordering::Relaxed);
        }
    }

    /// Counts MIDI events received. Real-time safe.
    pub fn count_midi(&self, events: usize) {
        if events > 0 {
            self.midi_events.fetch_add(events as u64, Ordering::Relaxed);
        }
    }

    /// The peaks since the last call, per channel; resets them.
    pub fn take_peaks(&self) -> [f32; METERED_CHANNELS] {
        std::array::from_fn(|c| self.peaks[c].swap(0.0, Ordering::Relaxed))
    }

    /// The smoothed share of block time spent processing.
    pub fn load(&self) -> f32 {
        self.load.load(Ordering::Relaxed)
    }

    /// MIDI events received so far.
    pub fn midi_events(&self) -> u64 {
        self.midi_events.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_load_and_midi_are_measured() {
        let meters = Meters::default();
        let mut left = [0.1f32, -0.5, 0.2];
        let mut right = [0.0f32, 0.25, -0.3];
        let outputs = [&mut left[..], &mut right[..]];
        for _ in 0..200 {
            meters.record_block(
                &outputs,
                3,
                Duration::from_micros(250),
                Duration::from_millis(1),
            );
        }
        assert_eq!(meters.take_peaks(), [0.5, 0.3]);
        assert_eq!(meters.take_peaks(), [0.0, 0.0], "taking resets");
        assert!((meters.load() - 0.25).abs() < 0.01, "{}", meters.load());
        meters.count_midi(3);
        meters.count_midi(0);
        assert_eq!(meters.midi_events(), 3);
    }
}
