//! Dry/wet mix, bypass and output gain after the patch: the dry signal is the plugin's
//! input delayed by the patch's latency, so both line up.

use crate::processor::buffers;
use std::collections::TryReserveError;

/// Longest latency the dry delay covers (frames); `ksmps` beyond this mixes the dry
/// signal early.
pub const MAX_DELAY: usize = 16_384;

/// Delay lines for the dry signal, sized in `activate`.
#[derive(Default)]
pub struct DryWet {
    lines: Vec<Vec<f32>>,
    write: usize,
}

impl DryWet {
    /// Delay lines for `channels` channels, or the allocation failure.
    pub fn new(channels: usize) -> Result<Self, TryReserveError> {
        Ok(Self {
            lines: buffers(channels, MAX_DELAY)?,
            write: 0,
        })
    }

    /// Mixes one block in place: `wet` holds the patch's output; `dry` the block's
    /// input (or `None` for an instrument, whose dry signal is silence). For each frame
    /// `gains()` gives (wet gain, dry gain, output gain). Real-time safe.
    pub fn process(
        &mut self,
        wet: &mut [&mut [f32]],
        dry: Option<&[Vec<f32>]>,
        frames: usize,
        latency: usize,
        mut gains: impl FnMut() -> (f32, f32, f32),
    ) {
        let delay = latency.min(MAX_DELAY - 1);
        for frame in 0..frames {
            let (wet_gain, dry_gain, out_gain) = gains();
            let write = (self.write + frame) % MAX_DELAY;
            let read = (write + MAX_DELAY - delay) % MAX_DELAY;
            // Empty slices are channels without a destination.
            for (ch, out) in wet.iter_mut().enumerate().filter(|(_, o)| !o.is_empty()) {
                let dry_now = dry.and_then(|d| d.get(ch)).map_or(0.0, |d| d[frame]);
                let dry_sample = match self.lines.get_mut(ch) {
                    Some(line) => {
                        line[write] = dry_now;
                        line[read]
                    }
                    None => 0.0,
                };
                let mixed = (out[frame] * wet_gain + dry_sample * dry_gain) * out_gain;
                // A decaying feedback loop ends in subnormal numbers; hosts downstream
                // can slow down badly on them, and they are far below audibility.
                out[frame] = if mixed.is_subnormal() { 0.0 } else { mixed };
            }
        }
        self.write = (self.write + frames) % MAX_DELAY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_is_delayed_by_the_latency_and_mixed() {
        let mut mixer = DryWet::new(1).expect("memory");
        let input: Vec<f32> = (1..=10).map(|i| i as f32).collect();
        let mut wet = [100.0f32; 10];
        let dry = [input];
        mixer.process(&mut [&mut wet[..]], Some(&dry), 10, 3, || (0.5, 1.0, 2.0));
        // Frame 5: (100 * 0.5 + input[2] * 1.0) * 2.
        assert_eq!(wet[5], (50.0 + 3.0) * 2.0);
        assert_eq!(wet[1], 100.0, "nothing delayed in yet");
    }

    #[test]
    fn subnormal_output_becomes_zero() {
        let mut mixer = DryWet::new(1).expect("memory");
        let tiny = f32::MIN_POSITIVE / 4.0;
        assert!(tiny.is_subnormal());
        let mut wet = [tiny, -tiny, 0.5];
        mixer.process(&mut [&mut wet[..]], None, 3, 0, || (1.0, 0.0, 1.0));
        assert_eq!(wet, [0.0, 0.0, 0.5]);
    }

    #[test]
    fn the_delay_runs_across_blocks() {
        let mut mixer = DryWet::new(1).expect("memory");
        let mut got = Vec::new();
        for block in 0..5 {
            let dry = [(0..7).map(|i| (block * 7 + i) as f32).collect::<Vec<_>>()];
            let mut wet = [0.0f32; 7];
            mixer.process(&mut [&mut wet[..]], Some(&dry), 7, 4, || (0.0, 1.0, 1.0));
            got.extend(wet);
        }
        let want: Vec<f32> = (0..35)
            .map(|i| if i < 4 { 0.0 } else { (i - 4) as f32 })
            .collect();
        assert_eq!(got, want);
    }
}
