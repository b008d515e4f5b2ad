//! Everything that touches Csound; no plugin-framework types in here.
//!
//! An [`Engine`] is one compiled, started patch plus its block adapter: give it host
//! blocks of any size and note events, get Csound's output delayed by `ksmps` frames.

pub mod block;
pub mod channels;
pub mod csound;
pub mod diagnostics;
pub mod messages;
pub mod midi;

use crate::controls::Control;
use crate::patch::{Metadata, MidiMode};
use crate::slots::{SlotTable, SLOT_COUNT};
use block::{BlockAdapter, Input, Kernel};
use channels::{HostChannels, HostInfo, OutputValues};
use csound::{ChannelId, ChannelInfo, ChannelMode, Csound};
use diagnostics::ErrorLine;
use messages::MessageRing;
use midi::{MidiChannels, MidiEvent, ScoreAction, ScoreNotes};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How to run a patch: `None` keeps what the patch itself says.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngineConfig {
    /// `--sample-rate` override (the host's rate in a plugin).
    pub sample_rate: Option<f64>,
    /// `--ksmps` override.
    pub ksmps: Option<u32>,
    /// `--nchnls` override (the plugin's output bus).
    pub nchnls: Option<u32>,
    /// `--nchnls_i` override (the plugin's input bus).
    pub nchnls_i: Option<u32>,
    /// Keep performing after the score ends (`f0 z`), as a plugin must for MIDI notes.
    pub run_forever: bool,
    /// The instrument that score-mode notes start (the patch's metadata may choose
    /// another, or one per MIDI channel).
    pub note_instrument: u32,
    /// Host MIDI goes to Csound's own MIDI system (`massign`, `cpsmidi`…) instead of
    /// becoming score events; adds `-M0`. `None`: the patch's metadata decides, else an
    /// effect uses native mode and an instrument score mode unless its code uses
    /// Csound's MIDI opcodes.
    pub native_midi: Option<bool>,
    /// The plugin's effect entry (changes the default MIDI mode).
    pub is_effect: bool,
    /// Csound's `--sample-accurate`: notes start on their own frame, not on the k-cycle
    /// that holds it. Changes how the patch's own score is timed too, so the offline
    /// renderer leaves it off to match `csound -o`.
    pub sample_accurate: bool,
    /// Silent k-cycles performed before the engine is handed over, so the first host
    /// block does not pay for instruments' first-cycle set-up and notes can be timed
    /// inside the first cycle. The offline renderer uses none, to match `csound -o`.
    pub warm_up_cycles: usize,
}

impl EngineConfig {
    /// How the plugin runs patches: at the host's rate with its bus layout (0 channels
    /// keeps the patch's own), notes on their own sample, performing after the score
    /// ends, two warm-up cycles, the MIDI mode chosen per patch.
    pub fn plugin(sample_rate: f64, inputs: u32, outputs: u32, is_effect: bool) -> Self {
        Self {
            sample_rate: Some(sample_rate),
            ksmps: None,
            nchnls: (outputs > 0).then_some(outputs),
            nchnls_i: (inputs > 0).then_some(inputs),
            run_forever: true,
            note_instrument: 1,
            native_midi: None,
            is_effect,
            sample_accurate: true,
            warm_up_cycles: 2,
        }
    }
}

/// A patch that did not compile or start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompileError {
    /// Everything Csound printed.
    pub log: String,
    /// The errors found in it.
    pub errors: Vec<ErrorLine>,
    /// Which step failed.
    pub step: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.step)?;
        for error in &self.errors {
            match (&error.file, error.line) {
                (Some(file), Some(line)) => write!(f, "\n{file} line {line}: {}", error.message)?,
                (None, Some(line)) => write!(f, "\nline {line}: {}", error.message)?,
                (_, None) => write!(f, "\n{}", error.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

/// A host parameter slot driving a channel through its cached pointer.
struct SlotBinding {
    slot: usize,
    channel: ChannelId,
    control: Control,
    /// Its entry in the `invalue` table.
    named: usize,
}

/// The Csound side of the block adapter: slot values and spin in, one k-cycle, spout out.
struct CsoundKernel {
    csound: Csound,
    bindings: Vec<SlotBinding>,
    /// Slot positions for the block being processed.
    positions: [f32; SLOT_COUNT],
    host_channels: Option<HostChannels>,
    host: HostInfo,
    /// Frame (relative to the block's first) where the block's first k-cycle began.
    first_cycle_start: isize,
    /// k-cycles performed in this block so far.
    cycles_in_block: usize,
    ksmps: usize,
    sample_rate: f64,
    /// MIDI the patch sent, with the frame (relative to the current block's first) where
    /// the audio of the k-cycle that sent it starts; fixed capacity.
    midi_out: Vec<(isize, [u8; 3])>,
    midi_scratch: [u8; 1024],
}

/// MIDI messages kept per block from the patch; more are dropped.
const MIDI_OUT_CAPACITY: usize = 512;

impl CsoundKernel {
    /// Moves what the patch sent in the k-cycle that started at `start` into `midi_out`.
    fn collect_midi_out(&mut self, start: isize) {
        let count = self.csound.take_midi_output(&mut self.midi_scratch);
        let bytes = &self.midi_scratch[..count];
        let mut i = 0;
        while i < bytes.len() {
            let status = bytes[i];
            let len = match status & 0xf0 {
                0xc0 | 0xd0 => 2,
                0x80..=0xe0 => 3,
                _ => 1,
            };
            if len > 1 && i + len <= bytes.len() && self.midi_out.len() < MIDI_OUT_CAPACITY {
                let mut message = [0; 3];
                message[..len].copy_from_slice(&bytes[i..i + len]);
                // Heard with the audio of this k-cycle, one latency (ksmps) later.
                self.midi_out.push((start + self.ksmps as isize, message));
            }
            i += len;
        }
    }
}

impl Kernel for CsoundKernel {
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool {
        for binding in &self.bindings {
            let position = f64::from(self.positions[binding.slot]);
            let value = binding.control.value_at(position);
            self.csound.set_control(binding.channel, value);
            if let Some(entry) = self.csound.named_values().inputs.get_mut(binding.named) {
                entry.1 = value;
            }
        }
        let start = self.first_cycle_start + (self.cycles_in_block * self.ksmps) as isize;
        if let Some(host_channels) = &self.host_channels {
            host_channels.write(&mut self.csound, &self.host, start as f64, self.sample_rate);
        }
        self.cycles_in_block += 1;
        let spin = self.csound.spin();
        let n = spin.len().min(input.len());
        spin[..n].copy_from_slice(&input[..n]);
        if self.csound.perform_ksmps() {
            return true;
        }
        self.collect_midi_out(start);
        let spout = self.csound.spout();
        let n = spout.len().min(output.len());
        output[..n].copy_from_slice(&spout[..n]);
        false
    }
}

/// One compiled and started patch, ready to process host blocks.
pub struct Engine {
    kernel: CsoundKernel,
    adapter: BlockAdapter,
    /// Score mode's notes, or `None` in native mode.
    notes: Option<ScoreNotes>,
    /// The score follows the host's transport (metadata `follow_transport`).
    follow_transport: bool,
    /// Parameter values the patch was saved with (metadata `[params]`), by channel.
    saved_values: BTreeMap<String, f64>,
    /// Crossfade into this engine, from metadata `crossfade_ms`.
    crossfade_seconds: Option<f64>,
    /// Transport as of the last block: playing, and where the next block should start.
    last_transport: (bool, f64),
    midi_channels: Option<MidiChannels>,
    sample_accurate: bool,
    sample_rate: f64,
    ring: Arc<MessageRing>,
    /// Cached `chn_k` output channels, published first in `outputs`, then `outvalue`s.
    output_channels: Vec<ChannelId>,
    outputs: Arc<OutputValues>,
    /// The control channels as declared before any performance.
    declared_channels: Vec<ChannelInfo>,
}

/// `channels` with the input/output modes of their declaration in `declared`, where
/// they have one (channels made later by the patch keep what Csound says now).
fn as_declared(mut channels: Vec<ChannelInfo>, declared: &[ChannelInfo]) -> Vec<ChannelInfo> {
    for channel in &mut channels {
        if let Some(d) = declared.iter().find(|d| d.name == channel.name) {
            channel.input = d.input;
            channel.output = d.output;
        }
    }
    channels
}

/// The opcodes this machine's Csound knows, sorted (for the editor's colouring). Creates
/// and destroys an instance: not for the audio thread.
pub fn opcode_names() -> Vec<String> {
    Csound::new(Arc::new(MessageRing::new(16)))
        .map(|mut csound| csound.opcode_names())
        .unwrap_or_default()
}

impl Engine {
    /// Compiles and starts `code` (a whole `.csd`). Returns the engine and what Csound
    /// printed, or the errors. Never call this on the audio thread.
    pub fn compile(
        code: &str,
        config: &EngineConfig,
        ring: Arc<MessageRing>,
    ) -> Result<(Engine, String), CompileError> {
        let fail = |csound: Option<&mut Csound>, step: String| {
            let log = csound.map(|c| c.take_log()).unwrap_or_default();
            CompileError {
                errors: diagnostics::error_lines(&log, code),
                log,
                step,
            }
        };
        let mut csound = Csound::new(ring.clone()).map_err(|e| fail(None, e.to_string()))?;
        // The patch's own settings; a bad section is reported and ignored.
        let (metadata, metadata_note) = match crate::patch::metadata(code) {
            Ok(m) => (m.unwrap_or_default(), None),
            Err(e) => (
                Metadata::default(),
                Some(format!("[csound-plug] {e}; ignored\n")),
            ),
        };
        let native_midi = config
            .native_midi
            .unwrap_or_else(|| match metadata.midi.mode {
                Some(mode) => mode == MidiMode::Native,
                None if config.is_effect => metadata.midi.instrument.is_none(),
                None => midi::uses_midi_opcodes(code),
            });
        let mut options = vec!["-d".to_string()];
        if config.sample_accurate {
            options.push("--sample-accurate".into());
        }
        if native_midi {
            options.push("-M0".into());
        }
        // MIDI the patch sends (`midiout`, `midion`…) goes to the host (or the CLI's
        // MIDI file) through the write callback.
        options.push("-Q0".into());
        if let Some(sr) = config.sample_rate {
            options.push(format!("--sample-rate={sr}"));
        }
        if let Some(ksmps) = config.ksmps.or(metadata.ksmps) {
            options.push(format!("--ksmps={ksmps}"));
        }
        if let Some(n) = config.nchnls {
            options.push(format!("--nchnls={n}"));
        }
        if let Some(n) = config.nchnls_i {
            options.push(format!("--nchnls_i={n}"));
        }
        for option in &options {
            if let Err(e) = csound.set_option(option) {
                return Err(fail(Some(&mut csound), format!("{e} for `{option}`")));
            }
        }
        // A plugin keeps performing after the score: `f 0 z` in the score itself, so a
        // rewound score (transport following) keeps it too. It goes first in the score,
        // before any `e`, and adds no line before the orchestra.
        let forever;
        let code = match (config.run_forever, code.find("<CsScore>")) {
            (true, Some(at)) => {
                let at = at + "<CsScore>".len();
                forever = format!("{}\nf 0 z{}", &code[..at], &code[at..]);
                forever.as_str()
            }
            _ => code,
        };
        if let Err(e) = csound.compile_csd_text(code) {
            return Err(fail(
                Some(&mut csound),
                format!("the patch did not compile ({e})"),
            ));
        }
        if let Err(e) = csound.start() {
            return Err(fail(
                Some(&mut csound),
                format!("the patch did not start ({e})"),
            ));
        }
        // An effect that chose native MIDI only because it is an effect (no MIDI opcodes,
        // no metadata) must not have host notes start its instruments: Csound maps
        // channel n to instr n by default, which would start a second always-on
        // instrument.
        let auto_native = config.native_midi.is_none() && metadata.midi.mode.is_none();
        if native_midi && auto_native && config.is_effect && !midi::uses_midi_opcodes(code) {
            if let Err(e) = csound.compile_orc("massign 0, 0\n") {
                return Err(fail(Some(&mut csound), e.to_string()));
            }
        }
        if config.run_forever && !code.contains("<CsScore>") {
            // No score section to hold it.
            if let Err(e) = csound.read_score("f0 z\n") {
                return Err(fail(Some(&mut csound), e.to_string()));
            }
        }
        let zero_dbfs = csound.zero_dbfs();
        let mut adapter = BlockAdapter::new(
            csound.ksmps(),
            csound.nchnls_input(),
            csound.nchnls(),
            zero_dbfs,
        );
        let sample_rate = csound.sr();
        // The channels as the header declares them: a k-rate `chnset` to an output
        // during warm-up makes Csound flag it as an input too.
        let declared_channels = csound.control_channels();
        let mut warmed_up = false;
        for _ in 0..config.warm_up_cycles {
            csound.spin().fill(0.0);
            if csound.perform_ksmps() {
                break;
            }
            warmed_up = true;
        }
        if warmed_up {
            adapter.prime(csound.spout());
        }
        let host_channels = HostChannels::new(&mut csound);
        let (notes, midi_channels) = if native_midi {
            (None, None)
        } else {
            let instruments: [u32; 16] = std::array::from_fn(|c| {
                let chosen = metadata.instrument_for(c as u8);
                let named = metadata.midi.instrument.is_some()
                    || metadata.midi.channels.contains_key(&(c + 1).to_string());
                if named {
                    chosen
                } else {
                    config.note_instrument.max(1)
                }
            });
            let pfields = instruments
                .iter()
                .map(|&i| midi::pfields_read(code, i))
                .max()
                .unwrap_or(5);
            let notes = ScoreNotes::new(instruments, pfields, csound.a4());
            (Some(notes), Some(MidiChannels::new(&mut csound, code)))
        };
        // Output channels (`chn_k "x", 2` or 3; Csound may add the input flag once the
        // patch writes them with `chnset`), then Cabbage display widgets (meters). Names
        // used with `outvalue` are served by its callback instead, and our own
        // host-information channels are inputs.
        let outvalues = channels::outvalue_names(code);
        let mut output_names = Vec::new();
        let mut output_ranges = Vec::new();
        for c in as_declared(csound.control_channels(), &declared_channels) {
            let shown = c.output && c.hints.is_none_or(|_| !c.input);
            if shown
                && !outvalues.contains(&c.name)
                && !channels::HOST_CHANNELS.contains(&c.name.as_str())
            {
                let range = c.hints.map(|h| (h.min, h.max)).filter(|(lo, hi)| lo < hi);
                output_names.push(c.name);
                output_ranges.push(range);
            }
        }
        for name in crate::cabbage::cabbage_displays(code) {
            if !output_names.contains(&name) {
                output_names.push(name);
                // Cabbage meters show 0..1.
                output_ranges.push(Some((0.0, 1.0)));
            }
        }
        let output_channels: Vec<ChannelId> = output_names
            .iter()
            .filter_map(|n| csound.control_channel(n, ChannelMode::Output).ok())
            .collect();
        output_names.truncate(output_channels.len());
        output_ranges.truncate(output_channels.len());
        let named_outputs: Vec<String> = outvalues
            .into_iter()
            .filter(|n| !output_names.contains(n))
            .collect();
        csound.named_values().outputs = named_outputs.iter().map(|n| (n.clone(), 0.0)).collect();
        output_ranges.resize(output_names.len() + named_outputs.len(), None);
        let outputs = Arc::new(OutputValues::with_ranges(
            output_names.into_iter().chain(named_outputs).collect(),
            output_ranges,
        ));
        let ksmps = csound.ksmps();
        let mut log = csound.take_log();
        if let Some(note) = metadata_note {
            log.push_str(&note);
        }
        csound.enter_realtime();
        let engine = Engine {
            kernel: CsoundKernel {
                csound,
                bindings: Vec::new(),
                positions: [0.0; SLOT_COUNT],
                host_channels,
                host: HostInfo::default(),
                first_cycle_start: 0,
                cycles_in_block: 0,
                ksmps,
                sample_rate,
                midi_out: Vec::with_capacity(MIDI_OUT_CAPACITY),
                midi_scratch: [0; 1024],
            },
            adapter,
            notes,
            follow_transport: metadata.follow_transport,
            saved_values: metadata.params,
            crossfade_seconds: metadata
                .crossfade_ms
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(|ms| ms / 1000.0),
            last_transport: (false, 0.0),
            midi_channels,
            sample_accurate: config.sample_accurate,
            sample_rate,
            ring,
            output_channels,
            declared_channels,
            outputs,
        };
        Ok((engine, log))
    }

    /// How long to crossfade into this engine when it replaces another, if the patch
    /// says (`crossfade_ms`).
    pub fn crossfade_seconds(&self) -> Option<f64> {
        self.crossfade_seconds
    }

    /// Latency in frames (= ksmps).
    pub fn latency(&self) -> usize {
        self.adapter.latency()
    }

    /// The patch's k-cycle length.
    pub fn ksmps(&self) -> usize {
        self.kernel.csound.ksmps()
    }

    /// The rate Csound runs at.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Csound's output channel count.
    pub fn nchnls(&self) -> usize {
        self.kernel.csound.nchnls()
    }

    /// Csound's input channel count.
    pub fn nchnls_input(&self) -> usize {
        self.kernel.csound.nchnls_input()
    }

    /// Csound's 0dbfs.
    pub fn zero_dbfs(&self) -> f64 {
        self.kernel.csound.zero_dbfs()
    }

    /// Whether the performance has ended (score over, `exitnow`).
    pub fn is_finished(&self) -> bool {
        self.adapter.is_finished()
    }

    /// Where this engine's real-time messages go.
    pub fn messages(&self) -> &Arc<MessageRing> {
        &self.ring
    }

    /// p2 that starts an event on the frame the adapter is at, inside the k-cycle Csound
    /// performs next. Csound (6.18, insert.c and musmon.c) takes the start frame as
    /// `trunc(p2 * sr)` and the k-cycle as `round(p2 * kr)`: half a frame added keeps the
    /// truncation off the frame before; a frame in the cycle's second half would round to
    /// the next cycle, so it is given as the same offset inside the previous cycle.
    fn sample_accurate_p2(&self) -> f64 {
        let position = self.adapter.position() as f64 + 0.5;
        let ksmps = self.adapter.latency() as f64;
        let frames = if position * 2.0 >= ksmps {
            position - ksmps
        } else {
            position
        };
        frames / self.sample_rate
    }

    /// The instrument score-mode notes play for each MIDI channel; `None` in native mode.
    pub fn note_instruments(&self) -> Option<[u32; 16]> {
        self.notes.as_ref().map(ScoreNotes::instruments)
    }

    /// Processes one host block of `frames` frames: reads `input`, writes `outputs`, and
    /// starts/stops notes at their offsets (`events` sorted by offset). Returns the frame
    /// where valid output stopped if the performance ended in this block.
    /// Real-time safe in our code: no allocation, no lock, no I/O.
    pub fn process<S: AsRef<[f32]>>(
        &mut self,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        frames: usize,
        events: &[MidiEvent],
    ) -> Option<usize> {
        self.kernel.first_cycle_start = -(self.adapter.position() as isize);
        self.kernel.cycles_in_block = 0;
        if self.follow_transport {
            self.follow(frames);
        }
        let mut ended = None;
        let mut start = 0;
        for event in events {
            let at = (event.offset() as usize).clamp(start, frames);
            if at > start {
                ended = ended.or(self
                    .adapter
                    .run(&mut self.kernel, input, outputs, start..at));
                start = at;
            }
            self.send_midi(event);
        }
        if frames > start {
            ended = ended.or(self
                .adapter
                .run(&mut self.kernel, input, outputs, start..frames));
        }
        self.publish_outputs();
        ended
    }

    /// Restarts the score at the song position when playback starts or the host jumps
    /// (the position is not where the last block left it).
    fn follow(&mut self, frames: usize) {
        let host = self.kernel.host;
        let (was_playing, expected) = self.last_transport;
        let jumped = (host.position_samples - expected).abs() > 1.0;
        if host.playing && (!was_playing || jumped) {
            let csound = &mut self.kernel.csound;
            csound.seek_score(host.position_samples / self.sample_rate);
        }
        self.last_transport = (host.playing, host.position_samples + frames as f64);
    }

    /// Hands one MIDI event to Csound at the adapter's current frame.
    fn send_midi(&mut self, event: &MidiEvent) {
        let p2 = if self.sample_accurate {
            self.sample_accurate_p2()
        } else {
            0.0
        };
        let csound = &mut self.kernel.csound;
        match (&mut self.notes, &mut self.midi_channels) {
            (Some(notes), channels) => notes.handle(event, &mut |action| match action {
                ScoreAction::Event(mut p, len) => {
                    p[1] = p2;
                    // A refused event (e.g. no such instrument) is reported by Csound.
                    let _ = csound.score_event(b'i', &p[..len]);
                }
                ScoreAction::Channel(channel, value) => {
                    if let Some(channels) = channels {
                        channels.set(csound, channel, value);
                    }
                }
            }),
            (None, _) => {
                let (bytes, len) = event.to_bytes();
                csound.queue_midi(&bytes[..len]);
            }
        }
    }

    /// Ends every sounding note (transport stop, panic): note-offs in score mode,
    /// all-notes-off on every channel in native mode. Real-time safe.
    pub fn all_notes_off(&mut self) {
        let csound = &mut self.kernel.csound;
        match &mut self.notes {
            Some(notes) => notes.end_everything(&mut |action| {
                if let ScoreAction::Event(p, len) = action {
                    let _ = csound.score_event(b'i', &p[..len]);
                }
            }),
            None => {
                for channel in 0..16u8 {
                    csound.queue_midi(&[0xb0 | channel, 123, 0]);
                }
            }
        }
    }

    /// The MIDI the patch sent during the last block with its frame offset in that block
    /// (at the audio it goes with); later messages wait for the next block. Call once
    /// per block after `process`. Real-time safe.
    pub fn drain_midi_out(&mut self, frames: usize, mut send: impl FnMut(u32, [u8; 3])) {
        let out = &mut self.kernel.midi_out;
        let mut kept = 0;
        for i in 0..out.len() {
            let (at, bytes) = out[i];
            if at < frames as isize {
                send(at.max(0) as u32, bytes);
            } else {
                out[kept] = (at - frames as isize, bytes);
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

impl Engine {
    /// Adds score text (`csoundReadScore`), e.g. notes for an instrument rendered offline.
    /// Not for the audio thread.
    pub fn read_score(&mut self, score: &str) -> Result<(), csound::CsoundError> {
        self.kernel.csound.read_score(score)
    }
}

impl Engine {
    /// The values of the patch's input control channels, to carry them into a rebuilt
    /// engine. Not for the audio thread.
    pub fn input_control_values(&mut self) -> Vec<(String, f64)> {
        let csound = &mut self.kernel.csound;
        csound
            .control_channels()
            .into_iter()
            .filter(|c| c.input)
            .filter_map(|c| csound.get_control_channel(&c.name).map(|v| (c.name, v)))
            .collect()
    }

    /// Writes `values` into the input control channels this patch also has. Not for the
    /// audio thread.
    pub fn restore_control_values(&mut self, values: &[(String, f64)]) {
        let csound = &mut self.kernel.csound;
        let inputs: Vec<String> = csound
            .control_channels()
            .into_iter()
            .filter(|c| c.input)
            .map(|c| c.name)
            .collect();
        for (name, value) in values {
            if inputs.contains(name) {
                csound.set_control_channel(name, *value);
            }
        }
    }
}

impl Engine {
    /// The input controls `code` (this engine's patch) declares: its Cabbage widgets in
    /// document order, then `chn_k` declarations with hints (alphabetical, as Csound
    /// lists them) for channels no widget names. Not for the audio thread.
    pub fn declared_controls(&mut self, code: &str) -> Vec<Control> {
        let mut controls = crate::cabbage::cabbage_controls(code);
        let channels = as_declared(
            self.kernel.csound.control_channels(),
            &self.declared_channels,
        );
        for control in channels.iter().filter_map(Control::from_chn_k) {
            if !controls.iter().any(|c| c.channel == control.channel) {
                controls.push(control);
            }
        }
        controls
    }

    /// The value `control` starts at: the one the patch was saved with (its metadata's
    /// `[params]`), else its declared default.
    pub fn start_value(&self, control: &Control) -> f64 {
        match self.saved_values.get(&control.channel) {
            Some(v) if v.is_finite() => {
                v.clamp(control.min.min(control.max), control.max.max(control.min))
            }
            _ => control.default,
        }
    }

    /// Drives the channels bound in `table` from slot positions from now on, and writes
    /// the start value ([`Engine::start_value`]) of each control in `unslotted` once (Csound keeps a `chn_k`
    /// default only as a hint). Not for the audio thread.
    pub fn bind_slots(&mut self, table: &SlotTable, unslotted: &[Control]) {
        let unslotted: Vec<(&Control, f64)> =
            unslotted.iter().map(|c| (c, self.start_value(c))).collect();
        let csound = &mut self.kernel.csound;
        let mut bindings = Vec::new();
        // `invalue` reads the same values as the channels: every declared control.
        let mut named = Vec::new();
        for (slot, control) in table.0.iter().enumerate() {
            let Some(control) = control else { continue };
            if let Ok(channel) = csound.control_channel(&control.channel, ChannelMode::Input) {
                bindings.push(SlotBinding {
                    slot,
                    channel,
                    control: control.clone(),
                    named: named.len(),
                });
                // Replaced by the slot's value at the first k-cycle.
                named.push((control.channel.clone(), control.default));
            }
        }
        for (control, value) in unslotted {
            csound.set_control_channel(&control.channel, value);
            named.push((control.channel.clone(), value));
        }
        csound.named_values().inputs = named;
        self.kernel.bindings = bindings;
    }

    /// Sets the host's transport for the next block (each k-cycle writes the
    /// host-information channels from it). Real-time safe.
    pub fn set_host_info(&mut self, info: &HostInfo) {
        self.kernel.host = *info;
    }

    /// Sets the slot positions the next blocks use (each k-cycle writes the bound
    /// channels from them). Real-time safe.
    pub fn set_slot_positions(&mut self, positions: &[f32; SLOT_COUNT]) {
        self.kernel.positions = *positions;
    }

    /// Sets a control channel by name (a look-up: not for the audio thread).
    pub fn set_channel(&mut self, name: &str, value: f64) {
        self.kernel.csound.set_control_channel(name, value);
    }
}

impl Engine {
    /// The patch's output values, updated after every block.
    pub fn outputs(&self) -> Arc<OutputValues> {
        self.outputs.clone()
    }

    fn publish_outputs(&mut self) {
        let csound = &mut self.kernel.csound;
        for (i, id) in self.output_channels.iter().enumerate() {
            self.outputs.store(i, csound.control(*id));
        }
        let first_named = self.output_channels.len();
        for (i, (_, value)) in csound.named_values().outputs.iter().enumerate() {
            self.outputs.store(first_named + i, *value);
        }
    }
}
