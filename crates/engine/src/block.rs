//! The host-block ↔ k-cycle adapter: any host block size in, whole k-cycles to Csound.
//!
//! Each host frame goes into the input of the k-cycle being filled and takes its output
//! from the k-cycle performed before, so the output is the patch's own output delayed by
//! exactly `ksmps` frames, whatever the host's block sizes are. That delay is the
//! latency reported to the host.
//!
//! In a plugin the patch's channel counts need not be the host's ([`Fit`]): outputs 1–2
//! are the main bus, 3–4 the first auxiliary bus and so on; inputs 1–2 the main bus, 3–4
//! the side-chain. A mono patch plays on both sides of the main bus and hears the mean of
//! its channels, a mono bus feeds both inputs of its pair, and output channels without a
//! destination (past the host's, on a bus the host left inactive) are dropped or, with
//! `fold`, mixed into the main bus. The command line maps channels one to one.

/// Something that computes one k-cycle of interleaved audio.
pub trait Kernel {
    /// Reads `input` (`ksmps * inputs` interleaved samples) and fills `output`
    /// (`ksmps * outputs`). Returns `true` when the performance has ended and `output`
    /// holds nothing.
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool;
}

/// Where the adapter takes its input frames from. Csound's inputs 1–2 are the main bus,
/// 3–4 the side-chain (with [`Fit::spread_mono`]; one to one otherwise).
pub enum Input<'a, S: AsRef<[f32]>> {
    /// No input: Csound's input is silence.
    Silence,
    /// The output buffers hold the input (a host's in-place effect buffers): each frame is
    /// read before it is overwritten.
    InPlace,
    /// Separate channel buffers, e.g. the instrument's side-chain or a sound file.
    Buffers(&'a [S]),
    /// The main bus in place and a side-chain bus (an effect's).
    InPlaceWithSide(&'a [S]),
    /// Main bus buffers and a side-chain bus (a copy of [`Input::InPlaceWithSide`]).
    BuffersWithSide(&'a [S], &'a [S]),
}

impl<S: AsRef<[f32]>> Input<'_, S> {
    /// The main bus's channel count: in place, the main output's (the leading channels that
    /// have buffers, at most two).
    pub fn main_width(&self, outputs: &[&mut [f32]]) -> usize {
        match self {
            Input::Silence => 0,
            Input::InPlace | Input::InPlaceWithSide(_) => main_width(outputs),
            Input::Buffers(buffers) | Input::BuffersWithSide(buffers, _) => buffers.len(),
        }
    }

    /// The side-chain bus's channels (none for most inputs).
    pub fn side(&self) -> &[S] {
        match self {
            Input::InPlaceWithSide(side) | Input::BuffersWithSide(_, side) => side,
            _ => &[],
        }
    }

    /// Main-bus channel `ch` at `frame`, 0 where there is none.
    fn main_sample(&self, outputs: &[&mut [f32]], ch: usize, frame: usize) -> f32 {
        let channel: Option<&[f32]> = match self {
            Input::Silence => None,
            Input::InPlace | Input::InPlaceWithSide(_) => outputs.get(ch).map(|b| &b[..]),
            Input::Buffers(buffers) | Input::BuffersWithSide(buffers, _) => {
                buffers.get(ch).map(|b| b.as_ref())
            }
        };
        channel.and_then(|b| b.get(frame)).copied().unwrap_or(0.0)
    }

    /// Copies `frames` frames of the main bus into `main` and of the side-chain into
    /// `side` (one buffer per channel; in place input is read from `outputs`). Returns
    /// the channel counts copied, to make an [`Input::BuffersWithSide`] of the copies.
    pub fn copy_into(
        &self,
        outputs: &[&mut [f32]],
        main: &mut [Vec<f32>],
        side: &mut [Vec<f32>],
        frames: usize,
    ) -> (usize, usize) {
        let main_width = self.main_width(outputs).min(main.len());
        for (ch, buffer) in main.iter_mut().enumerate().take(main_width) {
            for (frame, sample) in buffer[..frames].iter_mut().enumerate() {
                *sample = self.main_sample(outputs, ch, frame);
            }
        }
        let source = self.side();
        let side_width = source.len().min(side.len());
        for (buffer, source) in side.iter_mut().zip(source) {
            buffer[..frames].copy_from_slice(&source.as_ref()[..frames]);
        }
        (main_width, side_width)
    }
}

/// The leading channels of `outputs` that have buffers, at most two: the main bus. An
/// empty slice is a channel without a destination (the right side of a mono bus, an
/// inactive auxiliary bus).
pub fn main_width(outputs: &[&mut [f32]]) -> usize {
    outputs.iter().take(2).take_while(|b| !b.is_empty()).count()
}

/// How the patch's channels meet the host's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fit {
    /// Mono meets many channels: a mono patch output goes to every host channel, a
    /// mono patch input hears the mean of the host's, a mono host input feeds every
    /// patch input. Otherwise channel n meets channel n.
    pub spread_mono: bool,
    /// Output channels without a destination are mixed into main channel n mod the main
    /// bus's width (else dropped).
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

    /// Processes host frames `range` of `outputs` (one slice per channel, numbered as
    /// Csound numbers them; an empty slice is a channel without a destination). Returns,
    /// if the performance ended in this range, the frame index where valid output stops;
    /// frames from there on are silent.
    pub fn run<S: AsRef<[f32]>>(
        &mut self,
        kernel: &mut impl Kernel,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        range: std::ops::Range<usize>,
    ) -> Option<usize> {
        let mut ended_at = None;
        let spread = self.fit.spread_mono;
        let main_in = input.main_width(outputs);
        let side = input.side();
        // With the plugin's fitting the side-chain is Csound's inputs 3–4 whatever the
        // main bus's width; the command line maps one to one.
        let side_start = if spread { 2 } else { main_in };
        // The patch's mono input hears the mean of the main bus.
        let mix_in = spread && self.inputs == 1 && main_in > 1;
        let main_out = main_width(outputs);
        let spread_out = spread && self.outputs == 1;
        // Channels with a destination; the others are dropped or folded into the main bus.
        let routed = outputs
            .iter()
            .take(128)
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .fold(0u128, |mask, (ch, _)| mask | 1 << ch);
        let fold = self.fit.fold && main_out > 0;
        for frame in range {
            let base_in = self.pos * self.inputs;
            for ch in 0..self.inputs {
                let sample = if mix_in {
                    (0..main_in)
                        .map(|c| f64::from(input.main_sample(outputs, c, frame)))
                        .sum::<f64>()
                        / main_in as f64
                } else if ch < side_start {
                    // A mono bus feeds both sides.
                    let from = if spread && main_in == 1 { 0 } else { ch };
                    f64::from(input.main_sample(outputs, from, frame))
                } else {
                    let index = ch - side_start;
                    let from = if spread && side.len() == 1 && index < 2 {
                        0
                    } else {
                        index
                    };
                    side.get(from).map_or(0.0, |b| f64::from(b.as_ref()[frame]))
                };
                self.input[base_in + ch] = sample * self.in_scale;
            }
            let base_out = self.pos * self.outputs;
            let patch_out = &self.output[base_out..base_out + self.outputs];
            for (ch, buffer) in outputs.iter_mut().enumerate() {
                if buffer.is_empty() {
                    continue;
                }
                let mut sample = match patch_out.get(ch) {
                    _ if spread_out => match ch < main_out {
                        true => patch_out[0],
                        false => 0.0,
                    },
                    Some(&s) => s,
                    None => 0.0,
                };
                if fold && ch < main_out {
                    let mut from = ch + main_out;
                    while from < patch_out.len() {
                        if from >= 128 || routed & 1 << from == 0 {
                            sample += patch_out[from];
                        }
                        from += main_out;
                    }
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
