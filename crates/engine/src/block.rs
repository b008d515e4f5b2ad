//! The host-block ↔ k-cycle adapter: any host block size in, whole k-cycles to Csound.
//!
//! Each host frame goes into the input of the k-cycle being filled and takes its output
//! from the k-cycle performed before, so the output is the patch's own output delayed by
//! exactly `ksmps` frames, whatever the host's block sizes are. That delay is the
//! latency reported to the host.
//!
//! In a plugin the patch's channel counts need not be the host bus's ([`Fit`]): a mono
//! patch plays on every channel of the bus and hears the mean of its channels, a mono
//! bus feeds every input of the patch, and output channels past the bus are dropped or,
//! with `fold`, mixed into it. The command line maps channels one to one.

/// Something that computes one k-cycle of interleaved audio.
pub trait Kernel {
    /// Reads `input` (`ksmps * inputs` interleaved samples) and fills `output`
    /// (`ksmps * outputs`). Returns `true` when the performance has ended and `output`
    /// holds nothing.
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool;
}

/// Where the adapter takes its input frames from.
pub enum Input<'a, S: AsRef<[f32]>> {
    /// No input: Csound's input is silence.
    Silence,
    /// The output buffers hold the input (a host's in-place effect buffers): each frame is
    /// read before it is overwritten.
    InPlace,
    /// Separate channel buffers, e.g. a side-chain.
    Buffers(&'a [S]),
}

impl<S: AsRef<[f32]>> Input<'_, S> {
    /// Copies `frames` frames of this input into `dst` (one buffer per channel), reading
    /// in-place input from `outputs`. Missing channels become silence.
    pub fn copy_into(&self, outputs: &[&mut [f32]], dst: &mut [Vec<f32>], frames: usize) {
        for (ch, buffer) in dst.iter_mut().enumerate() {
            let target = &mut buffer[..frames];
            let source: Option<&[f32]> = match self {
                Input::Silence => None,
                Input::InPlace => outputs.get(ch).map(|b| &b[..frames]),
                Input::Buffers(buffers) => buffers.get(ch).map(|b| &b.as_ref()[..frames]),
            };
            match source {
                Some(source) => target.copy_from_slice(source),
                None => target.fill(0.0),
            }
        }
    }
}

/// How the patch's channels meet the host's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fit {
    /// Mono meets many channels: a mono patch output goes to every host channel, a
    /// mono patch input hears the mean of the host's, a mono host input feeds every
    /// patch input. Otherwise channel n meets channel n.
    pub spread_mono: bool,
    /// Output channels past the host's are mixed into channel n mod the host's count
    /// (else dropped).
    pub fold: bool,
}

/// Adapts host blocks to k-cycles; owns the two k-cycle buffers.
pub struct BlockAdapter {
    ksmps: usize,
    inputs: usize,
    outputs: usize,
    fit: Fit,
    /// Frame position inside the k-cycle being filled.
    pos: usize,
    input: Vec<f64>,
    output: Vec<f64>,
    /// Host → kernel sample scale (Csound's 0dbfs).
    in_scale: f64,
    /// Kernel → host sample scale (1/0dbfs, as Csound's own sound-file output uses).
    out_scale: f64,
    finished: bool,
}

impl BlockAdapter {
    /// An adapter for `ksmps`-frame cycles with the given channel counts and 0dbfs.
    pub fn new(ksmps: usize, inputs: usize, outputs: usize, zero_dbfs: f64) -> Self {
        let ksmps = ksmps.max(1);
        Self {
            ksmps,
            inputs,
            outputs,
            fit: Fit::default(),
            pos: 0,
            input: vec![0.0; ksmps * inputs],
            output: vec![0.0; ksmps * outputs],
            in_scale: zero_dbfs,
            out_scale: 1.0 / zero_dbfs,
            finished: false,
        }
    }

    /// This adapter with channels fitted to the host's as `fit` says.
    pub fn with_fit(mut self, fit: Fit) -> Self {
        self.fit = fit;
        self
    }

    /// The delay between a frame going in and its result coming out, in frames.
    pub fn latency(&self) -> usize {
        self.ksmps
    }

    /// Frames already filled in the k-cycle being collected: an event sent now starts
    /// that many frames into the next cycle Csound performs.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Fills the first k-cycle's output (otherwise silence) with `output`, e.g. the last
    /// warm-up cycle of a new engine, so that taking over from another engine leaves no
    /// `ksmps`-long hole.
    pub fn prime(&mut self, output: &[f64]) {
        let n = self.output.len().min(output.len());
        self.output[..n].copy_from_slice(&output[..n]);
    }

    /// Whether the kernel has reported the end of its performance.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Processes host frames `range` of `outputs` (one slice per channel). Returns, if the
    /// performance ended in this range, the frame index where valid output stops; frames
    /// from there on are silent.
    pub fn run<S: AsRef<[f32]>>(
        &mut self,
        kernel: &mut impl Kernel,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        range: std::ops::Range<usize>,
    ) -> Option<usize> {
        let mut ended_at = None;
        let host_inputs = match input {
            Input::Silence => 0,
            Input::InPlace => outputs.len(),
            Input::Buffers(buffers) => buffers.len(),
        };
        let host_outputs = outputs.len();
        let spread = self.fit.spread_mono;
        // The patch's mono input hears the mean of the host's channels.
        let mix_in = spread && self.inputs == 1 && host_inputs > 1;
        // The host's mono input feeds every patch input.
        let share_in = spread && host_inputs == 1;
        let spread_out = spread && self.outputs == 1;
        let fold = self.fit.fold && host_outputs > 0 && self.outputs > host_outputs;
        for frame in range {
            let read = |ch: usize| -> f32 {
                match input {
                    Input::Silence => 0.0,
                    Input::InPlace => outputs.get(ch).map_or(0.0, |b| b[frame]),
                    Input::Buffers(buffers) => buffers.get(ch).map_or(0.0, |b| b.as_ref()[frame]),
                }
            };
            let base_in = self.pos * self.inputs;
            for ch in 0..self.inputs {
                let sample = if mix_in {
                    (0..host_inputs).map(|c| f64::from(read(c))).sum::<f64>() / host_inputs as f64
                } else {
                    f64::from(read(if share_in { 0 } else { ch }))
                };
                self.input[base_in + ch] = sample * self.in_scale;
            }
            let base_out = self.pos * self.outputs;
            let patch_out = &self.output[base_out..base_out + self.outputs];
            for (ch, buffer) in outputs.iter_mut().enumerate() {
                let mut sample = match patch_out.get(ch) {
                    Some(&s) => s,
                    None if spread_out => patch_out[0],
                    None => 0.0,
                };
                if fold {
                    sample += patch_out
                        .iter()
                        .skip(ch + host_outputs)
                        .step_by(host_outputs)
                        .sum::<f64>();
                }
                buffer[frame] = (sample * self.out_scale) as f32;
            }
            self.pos += 1;
            if self.pos == self.ksmps {
                self.pos = 0;
                if !self.finished && kernel.perform(&self.input, &mut self.output) {
                    self.finished = true;
                    self.output.fill(0.0);
                    ended_at = Some(frame + 1);
                }
            }
        }
        ended_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Emits a running frame counter, so delays and ordering are visible.
    struct Counter {
        next: f64,
        cycles_left: usize,
    }

    impl Kernel for Counter {
        fn perform(&mut self, _input: &[f64], output: &mut [f64]) -> bool {
            if self.cycles_left == 0 {
                return true;
            }
            self.cycles_left -= 1;
            for sample in output.iter_mut() {
                self.next += 1.0;
                *sample = self.next;
            }
            false
        }
    }

    /// Copies input to output.
    struct Wire;

    impl Kernel for Wire {
        fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool {
            output.copy_from_slice(input);
            false
        }
    }

    fn render(blocks: &[usize], ksmps: usize, total: usize) -> (Vec<f32>, Option<usize>) {
        let mut adapter = BlockAdapter::new(ksmps, 0, 1, 1.0);
        let mut kernel = Counter {
            next: 0.0,
            cycles_left: 5,
        };
        let mut out = vec![0.0f32; total];
        let mut ended = None;
        let mut start = 0;
        for &size in blocks.iter().cycle() {
            if start >= total {
                break;
            }
            let end = (start + size).min(total);
            let mut chans = [&mut out[start..end]];
            let len = end - start;
            if let Some(at) =
                adapter.run(&mut kernel, &Input::<&[f32]>::Silence, &mut chans, 0..len)
            {
                ended = Some(start + at);
            }
            start = end;
        }
        (out, ended)
    }

    #[test]
    fn output_is_delayed_by_ksmps_for_any_block_sizes() {
        let (reference, ended) = render(&[1], 4, 40);
        // The first k-cycle's output comes out after 4 silent frames.
        assert_eq!(&reference[..6], &[0.0, 0.0, 0.0, 0.0, 1.0, 2.0]);
        // Five cycles, then the kernel ends on the sixth perform at frame 24.
        assert_eq!(ended, Some(24));
        assert_eq!(reference[23], 20.0);
        assert!(reference[24..].iter().all(|&s| s == 0.0));
        for blocks in [&[3usize][..], &[7], &[64], &[1, 5, 2, 9]] {
            assert_eq!(
                render(blocks, 4, 40),
                (reference.clone(), ended),
                "{blocks:?}"
            );
        }
    }

    #[test]
    fn in_place_input_is_read_before_it_is_overwritten() {
        let mut adapter = BlockAdapter::new(3, 2, 2, 0.5);
        let mut left: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let mut right: Vec<f32> = (0..10).map(|i| -(i as f32)).collect();
        let mut chans = [&mut left[..], &mut right[..]];
        adapter.run(&mut Wire, &Input::<&[f32]>::InPlace, &mut chans, 0..10);
        assert_eq!(
            &left[..],
            &[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        assert_eq!(right[9], -6.0);
    }
}
