//! One compiled and started patch, processing host blocks.

use crate::block::{BlockAdapter, Input};
use crate::cabbage::{IdentChannels, StateValues, WidgetUpdates};
use crate::channels::{HostInfo, OutputValues};
use crate::csound::{self, ChannelId, ChannelInfo, ChannelMode};
use crate::kernel::{Binding, CsoundKernel, Target};
use crate::messages::MessageRing;
use crate::midi::{MidiChannels, MidiEvent, ScoreAction, ScoreNotes};
use crate::params::{as_declared, control_from_chn_k, ParameterModel};
use csound_plug_patch::cabbage::cabbage_controls;
use csound_plug_patch::controls::{merge_declared, Control, ControlKind, ControlSource};
use csound_plug_patch::metadata::Metadata;
use std::ffi::CString;
use std::sync::Arc;

/// One compiled and started patch, ready to process host blocks.
pub struct Engine {
    pub(crate) kernel: CsoundKernel,
    pub(crate) adapter: BlockAdapter,
    /// Score mode's notes, or `None` in native mode.
    pub(crate) notes: Option<ScoreNotes>,
    /// Host notes reach the patch's instruments (not so for an effect that only chose
    /// native MIDI because it is one).
    pub(crate) plays_notes: bool,
    /// The patch's `<CsoundPlug>` metadata (default when it has none or it is unreadable).
    pub(crate) metadata: Metadata,
    /// Transport as of the last block: playing, and where the next block should start.
    pub(crate) last_transport: (bool, f64),
    pub(crate) midi_channels: Option<MidiChannels>,
    pub(crate) sample_accurate: bool,
    pub(crate) sample_rate: f64,
    pub(crate) ring: Arc<MessageRing>,
    /// Cached `chn_k` output channels, published first in `outputs`, then `outvalue`s.
    pub(crate) output_channels: Vec<ChannelId>,
    pub(crate) outputs: Arc<OutputValues>,
    /// The control channels as declared before any performance.
    pub(crate) declared_channels: Vec<ChannelInfo>,
    /// Identifier updates the patch publishes for its widgets.
    pub(crate) widget_updates: Arc<WidgetUpdates>,
    /// Cabbage 2's identifier channels, looked at after each block.
    pub(crate) ident_channels: IdentChannels,
    /// The values the patch saves with the session.
    pub(crate) cabbage_state: Arc<StateValues>,
}

impl Engine {
    /// How long to crossfade into this engine when it replaces another, if the patch
    /// says (`crossfade_ms`).
    pub fn crossfade_seconds(&self) -> Option<f64> {
        self.metadata
            .crossfade_ms
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| ms / 1000.0)
    }

    /// The patch's `<CsoundPlug>` metadata (the default when it has none).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
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

    /// The files Csound opened while compiling and starting the patch (and playing it,
    /// after [`Engine::record_opened_files`]).
    pub fn opened_files(&self) -> Vec<crate::csound::OpenedFile> {
        self.kernel.csound.opened_files()
    }

    /// Keeps recording the files Csound opens while the patch plays: for a checker that
    /// plays it off line; never on an audio thread (recording locks and allocates).
    pub fn record_opened_files(&mut self) {
        self.kernel.csound.record_opened_files();
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

    /// Whether host notes reach the patch's instruments: an effect without MIDI opcodes
    /// or metadata ignores them.
    pub fn plays_notes(&self) -> bool {
        self.plays_notes
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
        if self.metadata.follow_transport {
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
        self.ident_channels.poll(&self.widget_updates);
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
        let channels = as_declared(
            self.kernel.csound.control_channels(),
            &self.declared_channels,
        );
        merge_declared(
            cabbage_controls(code),
            channels.iter().filter_map(control_from_chn_k),
        )
    }

    /// Sets every control `code` (this engine's patch) declares to its start value, with
    /// no host parameter driving it: how the command line and the pre-check run a patch.
    /// Returns the controls with their values. Not for the audio thread.
    pub fn set_start_values(&mut self, code: &str) -> Vec<(Control, f64)> {
        let values: Vec<(Control, f64)> = self
            .declared_controls(code)
            .into_iter()
            .map(|c| {
                let value = self.metadata.start_value(&c);
                (c, value)
            })
            .collect();
        self.set_parameter_model(&ParameterModel::fixed(values.clone()));
        values
    }

    /// Follows `model` from now on: its driven controls are written every k-cycle from
    /// their positions ([`Engine::set_positions`]), its fixed ones are written now (Csound
    /// keeps a `chn_k` default only as a hint). `invalue` reads the same values. Not for
    /// the audio thread.
    pub fn set_parameter_model(&mut self, model: &ParameterModel) {
        let csound = &mut self.kernel.csound;
        let mut bindings = Vec::new();
        let mut named = Vec::new();
        for driven in &model.driven {
            let control = &driven.control;
            if control.source == ControlSource::CabbageText {
                if let Some(target) = text_target(csound, control, None) {
                    bindings.push(Binding {
                        source: driven.source,
                        target,
                        control: control.clone(),
                        named: usize::MAX,
                    });
                }
                continue;
            }
            if let Ok(channel) = csound.control_channel(&control.channel, ChannelMode::Input) {
                bindings.push(Binding {
                    source: driven.source,
                    target: Target::Control(channel),
                    control: control.clone(),
                    named: named.len(),
                });
                // Replaced by the position's value at the first k-cycle.
                named.push((control.channel.clone(), control.default));
            }
        }
        for (control, value) in &model.fixed {
            if control.source == ControlSource::CabbageText {
                text_target(csound, control, Some(*value));
                continue;
            }
            csound.set_control_channel(&control.channel, *value);
            named.push((control.channel.clone(), *value));
        }
        csound.named_values().inputs = named;
        self.kernel.bindings = bindings;
        self.kernel.positions = vec![0.0; model.positions()];
    }

    /// Sets the host's transport for the next block (each k-cycle writes the
    /// host-information channels from it). Real-time safe.
    pub fn set_host_info(&mut self, info: &HostInfo) {
        self.kernel.host = *info;
    }

    /// Sets the host positions (0..=1) the next blocks use, indexed as the parameter
    /// model's sources; each k-cycle writes the driven channels from them. Real-time safe:
    /// copies into a buffer sized by [`Engine::set_parameter_model`].
    pub fn set_positions(&mut self, positions: &[f32]) {
        let kept = &mut self.kernel.positions;
        let n = kept.len().min(positions.len());
        kept[..n].copy_from_slice(&positions[..n]);
    }

    /// Sets a control channel by name (a look-up: not for the audio thread).
    pub fn set_channel(&mut self, name: &str, value: f64) {
        self.kernel.csound.set_control_channel(name, value);
    }
}

/// The string channel of a Cabbage string combobox, made as long as its longest item and
/// set to the item at `value` (its default when `None`); `None` for a control that is not
/// a menu or a name Csound cannot take.
pub(crate) fn text_target(
    csound: &mut csound::Csound,
    control: &Control,
    value: Option<f64>,
) -> Option<Target> {
    let ControlKind::Menu(items) = &control.kind else {
        return None;
    };
    let name = CString::new(control.channel.as_str()).ok()?;
    let items: Vec<CString> = items
        .iter()
        .map(|i| CString::new(i.replace('\0', "")).unwrap_or_default())
        .collect();
    let longest = items.iter().max_by_key(|i| i.as_bytes().len())?;
    csound.set_string_channel(&name, longest);
    let value = value.unwrap_or(control.default);
    let index = ((value - control.min).round().max(0.0) as usize).min(items.len() - 1);
    csound.set_string_channel(&name, &items[index]);
    Some(Target::Text {
        name,
        items,
        shown: Some(index),
    })
}

impl Engine {
    /// The patch's output values, updated after every block.
    pub fn outputs(&self) -> Arc<OutputValues> {
        self.outputs.clone()
    }

    /// The identifier updates (`cabbageSet "w", "visible(0)"`…) the patch publishes for
    /// its widgets; drain them off the audio thread.
    pub fn widget_updates(&self) -> Arc<WidgetUpdates> {
        self.widget_updates.clone()
    }

    /// The values the patch saves with the session (`cabbageSetStateValue`); read them
    /// off the audio thread with [`StateValues::to_json`].
    pub fn cabbage_state(&self) -> Arc<StateValues> {
        self.cabbage_state.clone()
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
