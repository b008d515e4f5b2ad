//! Offline rendering: the plugin's engine path (block adapter, note handling) driven from
//! files, for the command line and for tests.
//!
//! The result lines up with `csound -o` sample for sample: the engine's latency is cut
//! from the front, and the end is where Csound's performance ended.

use crate::block::Input;
use crate::channels::HostInfo;
use crate::messages::MessageRing;
use crate::midi::MidiEvent;
use crate::midi_file::TimedMidi;
use crate::{CompileError, Engine, EngineConfig};
use std::sync::Arc;

/// Audio fed to the patch's input, one `Vec` per channel, at the patch's rate.
#[derive(Debug, Clone, Default)]
pub struct InputAudio {
    /// Samples per channel, full scale ±1.
    pub channels: Vec<Vec<f32>>,
    /// Frames per second.
    pub sample_rate: u32,
}

impl InputAudio {
    /// Frames per channel.
    pub fn frames(&self) -> usize {
        self.channels.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `--sample-rate` override; `None` keeps the patch's `sr`.
    pub sample_rate: Option<f64>,
    /// Host block sizes in frames, used in turn (any sizes ≥ 1; the output does not
    /// depend on them).
    pub blocks: Vec<usize>,
    /// Input audio, if any.
    pub input: Option<InputAudio>,
    /// Stop after this many seconds of output.
    pub duration: Option<f64>,
    /// Extra score text read after start (`i 1 0 2 60 100` …).
    pub score: Option<String>,
    /// Where to stop a patch that does not end by itself, with no duration or input.
    pub limit_seconds: f64,
    /// Channel values set after compiling (after every declared default is written).
    pub set: Vec<(String, f64)>,
    /// MIDI played into the patch, at output frames (score mode, or native mode if the
    /// patch uses Csound's MIDI opcodes). With MIDI, notes start on their own frame
    /// (`--sample-accurate`).
    pub midi: Vec<TimedMidi>,
    /// Folders relative file names are looked for in (see
    /// [`EngineConfig::search_dirs`]): the patch file's own folder.
    pub search_dirs: Vec<std::path::PathBuf>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            sample_rate: None,
            blocks: vec![256],
            input: None,
            duration: None,
            score: None,
            limit_seconds: 600.0,
            set: Vec::new(),
            midi: Vec::new(),
            search_dirs: Vec::new(),
        }
    }
}

/// A rendered patch.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Output samples per channel, full scale ±1.
    pub channels: Vec<Vec<f32>>,
    /// Frames per second.
    pub sample_rate: u32,
    /// The engine latency that was removed, in frames.
    pub latency: usize,
    /// MIDI the patch sent, at output frames.
    pub midi_out: Vec<TimedMidi>,
    /// What Csound printed.
    pub log: String,
    /// Why rendering stopped.
    pub end: RenderEnd,
}

/// Why a render stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderEnd {
    /// The score ended (or the patch called `exitnow`).
    Score,
    /// The requested duration was reached.
    Duration,
    /// The input audio ended.
    Input,
    /// The patch never ended and the safety limit was reached.
    Limit,
}

/// Why a render with MIDI stops: the last MIDI event plus this many seconds of tail.
const MIDI_TAIL_SECONDS: f64 = 2.0;

/// Why a render failed.
#[derive(Debug)]
pub enum RenderError {
    /// The patch did not compile or start.
    Compile(CompileError),
    /// Anything else, said in one line.
    Other(String),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Compile(e) => write!(f, "{e}"),
            Self::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders `code` (a whole `.csd`). `progress(done, total)` is called after each block
/// with output frames so far and the expected total, when known.
pub fn render(
    code: &str,
    options: &RenderOptions,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Rendered, RenderError> {
    let ring = Arc::new(MessageRing::new(4096));
    let has_midi = !options.midi.is_empty();
    let config = EngineConfig {
        sample_rate: options.sample_rate,
        note_instrument: 1,
        sample_accurate: has_midi,
        search_dirs: options.search_dirs.clone(),
        ..EngineConfig::default()
    };
    let (mut engine, mut log) =
        Engine::compile(code, &config, ring.clone()).map_err(RenderError::Compile)?;
    if let Some(score) = &options.score {
        engine
            .read_score(&format!("{score}\n"))
            .map_err(|e| RenderError::Other(format!("the extra score was refused: {e}")))?;
    }
    // As in the plugin: declared defaults, or the values the patch was saved with, are
    // written (Csound keeps defaults only as hints), then the values asked for.
    engine.set_start_values(code);
    for (name, value) in &options.set {
        engine.set_channel(name, *value);
    }
    let sample_rate = engine.sample_rate().round() as u32;
    if let Some(input) = &options.input {
        if input.sample_rate != sample_rate {
            return Err(RenderError::Other(format!(
                "the input audio is {} Hz but the patch runs at {sample_rate} Hz (use --sr {})",
                input.sample_rate, input.sample_rate
            )));
        }
    }
    let latency = engine.latency();
    let seconds_to_frames = |s: f64| (s * f64::from(sample_rate)).round().max(0.0) as usize;
    let (target, target_end) = match (options.duration, &options.input) {
        (Some(d), _) => (seconds_to_frames(d), RenderEnd::Duration),
        (None, Some(input)) => (input.frames(), RenderEnd::Input),
        (None, None) if has_midi => {
            let last = options.midi.iter().map(|m| m.frame).max().unwrap_or(0) as usize;
            (
                last + seconds_to_frames(MIDI_TAIL_SECONDS),
                RenderEnd::Duration,
            )
        }
        (None, None) => (seconds_to_frames(options.limit_seconds), RenderEnd::Limit),
    };
    let total_known = target_end != RenderEnd::Limit;
    if options.blocks.is_empty() || options.blocks.contains(&0) {
        return Err(RenderError::Other("block sizes must be at least 1".into()));
    }
    let block = options.blocks.iter().copied().max().unwrap_or(1);
    let mut block_sizes = options.blocks.iter().copied().cycle();
    let nchnls = engine.nchnls();
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(target.min(1 << 26)); nchnls];
    let mut scratch: Vec<Vec<f32>> = vec![vec![0.0; block]; nchnls];
    let in_channels = options.input.as_ref().map_or(0, |i| i.channels.len());
    let mut in_scratch: Vec<Vec<f32>> = vec![vec![0.0; block]; in_channels];
    // Frames fed in so far; output frame `fed - latency` is the next one kept.
    let mut fed = 0usize;
    let mut end = target_end;
    let mut midi_out = Vec::new();
    let mut next_midi = 0;
    while fed < target + latency {
        let frames = block_sizes
            .next()
            .unwrap_or(block)
            .min(target + latency - fed);
        if let Some(input) = &options.input {
            // Past its end the input is silence, as Csound reads a finished sound file.
            for (dst, src) in in_scratch.iter_mut().zip(&input.channels) {
                let rest = src.get(fed..).unwrap_or(&[]);
                let n = rest.len().min(frames);
                dst[..n].copy_from_slice(&rest[..n]);
                dst[n..frames].fill(0.0);
            }
        }
        let in_slices: Vec<&[f32]> = in_scratch.iter().map(|c| &c[..frames]).collect();
        let input = match options.input {
            Some(_) => Input::Buffers(&in_slices[..]),
            None => Input::Silence,
        };
        let mut outputs: Vec<&mut [f32]> = scratch.iter_mut().map(|ch| &mut ch[..frames]).collect();
        // Offline, the transport plays from the start at 120 BPM: TIME_IN_SAMPLES is
        // Csound's own sample count.
        engine.set_host_info(&HostInfo {
            playing: true,
            position_samples: fed as f64,
            position_beats: fed as f64 / f64::from(sample_rate) * 2.0,
            buffer_size: frames as f64,
            ..HostInfo::default()
        });
        // MIDI at output frame f enters at engine frame f (the latency is cut later);
        // the list is sorted, so a cursor walks it once.
        let mut events = Vec::new();
        while let Some(m) = options.midi.get(next_midi) {
            let frame = m.frame as usize;
            if frame >= fed + frames {
                break;
            }
            let offset = frame.saturating_sub(fed) as u32;
            events.extend(MidiEvent::from_bytes(offset, m.message()));
            next_midi += 1;
        }
        let ended = engine.process(&input, &mut outputs, frames, &events);
        engine.drain_midi_out(frames, |offset, bytes| {
            if let Some(frame) = (fed + offset as usize).checked_sub(latency) {
                midi_out.push(TimedMidi::new(frame as u64, &bytes));
            }
        });
        // Keep the frames after the latency and before the end.
        let valid = ended.unwrap_or(frames);
        let skip = latency.saturating_sub(fed).min(valid);
        for (dst, src) in out.iter_mut().zip(&scratch) {
            dst.extend_from_slice(&src[skip..valid]);
        }
        fed += frames;
        ring.drain_into(&mut log);
        if ended.is_some() {
            end = RenderEnd::Score;
            break;
        }
        progress(
            fed.saturating_sub(latency) as u64,
            total_known.then_some(target as u64),
        );
    }
    drop(engine);
    ring.drain_into(&mut log);
    Ok(Rendered {
        channels: out,
        sample_rate,
        latency,
        midi_out,
        log,
        end,
    })
}
