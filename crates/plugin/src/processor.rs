//! The audio thread's side: the running engine, the fallback, and engine hand-over with
//! an equal-power crossfade.
//!
//! Nothing here locks, allocates or waits: new engines come from a lock-free queue, old
//! ones leave through a bounded channel to the retire thread, and every buffer (note
//! events, the input copy and the outgoing engine's output during a crossfade) is sized in
//! `activate`.

use crate::compiler::{Handover, Ready, Retired};
use crate::slots::SLOT_COUNT;
use crossbeam::channel::Sender;
use csound_plug_engine::block::{BlockAdapter, Input, Kernel};
use csound_plug_engine::channels::HostInfo;
use csound_plug_engine::midi::MidiEvent;
use std::collections::TryReserveError;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events one host block may carry without an allocation, in nice-plug's queues and
/// ours: a value for each hidden MIDI-controller parameter of the VST3 entry (16 channels
/// × 130, all of which Ardour sends at once when it restores a session), one for each of
/// our parameters, and 1,024 notes and other MIDI messages. More are dropped.
pub const EVENT_CAPACITY: usize = 16 * 130 + SLOT_COUNT + 3 + 1024;
/// Fallback latency before any patch has run (the default patches' ksmps).
const DEFAULT_LATENCY: usize = 32;
/// Default length of the crossfade between an old and a new engine.
pub const DEFAULT_CROSSFADE_SECONDS: f64 = 0.02;
/// Engines held back when the retire queue is full. Once one waits no new engine is
/// taken, so at most the current and the outgoing engine can join it: three always fit.
const PARKED: usize = 4;

/// Hands engines to the retire thread without ever destroying one here: when its queue is
/// full they wait in a fixed set of places and go with a later block.
struct Retirement {
    queue: Sender<Retired>,
    parked: [Option<Box<Ready>>; PARKED],
}

impl Retirement {
    fn new(queue: Sender<Retired>) -> Self {
        Self {
            queue,
            parked: Default::default(),
        }
    }

    /// Sends what waits; true when nothing waits any more.
    fn flush(&mut self) -> bool {
        for place in &mut self.parked {
            if let Some(ready) = place.take() {
                if let Err(e) = self.queue.try_send(Some(ready)) {
                    *place = e.into_inner();
                }
            }
        }
        self.parked.iter().all(Option::is_none)
    }

    fn retire(&mut self, ready: Box<Ready>) {
        let Err(e) = self.queue.try_send(Some(ready)) else {
            return;
        };
        let ready = e.into_inner();
        match self.parked.iter_mut().find(|place| place.is_none()) {
            Some(place) => *place = ready,
            // Cannot happen (see `PARKED`); leaking beats destroying Csound on this thread.
            None => std::mem::forget(ready),
        }
    }
}

/// The most output channels the processor takes: the main bus and seven stereo
/// auxiliary buses.
pub const MAX_OUTPUTS: usize = 16;

/// The host's channels the processor is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    /// Main input channels (the instrument: its side-chain).
    pub inputs: usize,
    /// Side-chain channels next to a main input (Csound's inputs 3–4).
    pub side: usize,
    /// Output channels, numbered as Csound numbers them: main 1–2, then two per
    /// auxiliary bus (at most [`MAX_OUTPUTS`]).
    pub outputs: usize,
}

impl Channels {
    /// A stereo input and output, no side-chain.
    pub const STEREO: Channels = Channels {
        inputs: 2,
        side: 0,
        outputs: 2,
    };
}

/// `channels` zeroed buffers of `frames` samples each, or the allocation failure.
pub fn buffers(channels: usize, frames: usize) -> Result<Vec<Vec<f32>>, TryReserveError> {
    let mut all = Vec::new();
    all.try_reserve_exact(channels)?;
    for _ in 0..channels {
        let mut buffer = Vec::new();
        buffer.try_reserve_exact(frames)?;
        buffer.resize(frames, 0.0);
        all.push(buffer);
    }
    Ok(all)
}

/// What plays while no patch does: silence for an instrument, the input for an effect.
struct Fallback {
    pass_through: bool,
}

impl Kernel for Fallback {
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool {
        if self.pass_through && input.len() == output.len() {
            output.copy_from_slice(input);
        } else {
            output.fill(0.0);
        }
        false
    }
}

/// What is fading out during a crossfade.
enum Outgoing {
    Engine(Box<Ready>),
    Fallback,
}

/// A crossfade in progress.
struct Fade {
    from: Outgoing,
    done: usize,
}

/// Owns the running engine on the audio thread.
pub struct Processor {
    current: Option<Box<Ready>>,
    fade: Option<Fade>,
    fallback: Fallback,
    fallback_adapter: BlockAdapter,
    generation: u64,
    handover: Arc<Handover>,
    retirement: Retirement,
    events: Vec<MidiEvent>,
    sample_rate: f64,
    /// Length of the crossfade in progress.
    fade_frames: usize,
    /// The block's main input, copied so two engines can read it during a crossfade.
    input_copy: Vec<Vec<f32>>,
    /// The block's side-chain, copied likewise.
    side_copy: Vec<Vec<f32>>,
    /// The outgoing engine's output during a crossfade.
    outgoing_output: Vec<Vec<f32>>,
    /// Host parameter slot positions for this block.
    positions: [f32; SLOT_COUNT],
    /// The host's transport for this block.
    host: HostInfo,
    /// Whether the transport played in the last block (a stop ends every note).
    was_playing: bool,
    /// Whether the running engine's non-finite output has been reported.
    non_finite_said: bool,
    /// The engine `activate` handed over has not processed a block yet: a re-activation
    /// with the same configuration and code may start it again as it is.
    untouched: bool,
}

impl Processor {
    /// A processor whose fallback passes input through if `pass_through`.
    pub fn new(handover: Arc<Handover>, retire: Sender<Retired>, pass_through: bool) -> Self {
        Self {
            current: None,
            fade: None,
            fallback: Fallback { pass_through },
            fallback_adapter: BlockAdapter::new(DEFAULT_LATENCY, 0, 0, 1.0),
            generation: 0,
            handover,
            retirement: Retirement::new(retire),
            events: Vec::with_capacity(EVENT_CAPACITY),
            sample_rate: 48_000.0,
            untouched: false,
            fade_frames: 0,
            input_copy: Vec::new(),
            side_copy: Vec::new(),
            outgoing_output: Vec::new(),
            positions: [0.0; SLOT_COUNT],
            host: HostInfo::default(),
            was_playing: false,
            non_finite_said: false,
        }
    }

    /// Off the audio thread (in `activate`): starts `generation` with `ready`, or with the
    /// fallback if the patch did not compile, and sizes the buffers for `max_block`
    /// frames (failing, and changing nothing, when they cannot be allocated). The fallback keeps the last latency so the host's delay compensation
    /// stays right.
    pub fn activate(
        &mut self,
        ready: Option<Box<Ready>>,
        generation: u64,
        channels: Channels,
        max_block: usize,
        sample_rate: f64,
    ) -> Result<(), TryReserveError> {
        let Channels {
            inputs,
            side,
            outputs,
        } = channels;
        // First, so a host out of memory gets a failed activation, not an abort.
        let input_copy = buffers(inputs, max_block)?;
        let side_copy = buffers(side, max_block)?;
        let outgoing_output = buffers(outputs, max_block)?;
        let latency = ready
            .as_ref()
            .map(|r| r.engine.latency())
            .unwrap_or_else(|| self.latency());
        self.fallback_adapter = BlockAdapter::new(latency, inputs, outputs, 1.0);
        self.non_finite_said = false;
        self.generation = generation;
        self.fade = None;
        self.untouched = ready.is_some();
        self.current = ready;
        self.sample_rate = sample_rate;
        self.input_copy = input_copy;
        self.side_copy = side_copy;
        self.outgoing_output = outgoing_output;
        Ok(())
    }

    /// The latency the host should compensate, in frames.
    pub fn latency(&self) -> usize {
        match &self.current {
            Some(ready) => ready.engine.latency(),
            None => self.fallback_adapter.latency(),
        }
    }

    /// Off the audio thread, before an activation: the running engine, when it has not
    /// processed a block since the last activation and plays `code` (the caller checks the
    /// configuration). Hosts re-activate at once when the latency changes, so the engine
    /// the first activation built is started again rather than compiled twice.
    pub fn take_untouched(&mut self, code: &str) -> Option<Box<Ready>> {
        let fits = self.untouched && self.running_code().is_some_and(|c| c.as_str() == code);
        self.untouched = false;
        fits.then(|| self.current.take()).flatten()
    }

    /// The code of the running engine, if one runs.
    pub fn running_code(&self) -> Option<&Arc<String>> {
        self.current.as_ref().map(|r| &r.code)
    }

    /// The running engine's input control values (off the audio thread, e.g. before a
    /// rebuild in `activate`).
    pub fn input_control_values(&mut self) -> Vec<(String, f64)> {
        self.current
            .as_mut()
            .map(|r| r.engine.input_control_values())
            .unwrap_or_default()
    }

    /// Picks up a newly compiled engine, if one is waiting, and starts crossfading to it.
    /// Returns the new latency when it changed. Engines of an older activation, or of the
    /// code already running, are sent to the retire thread.
    pub fn take_ready(&mut self) -> Option<usize> {
        let before = self.latency();
        // While an engine waits to be retired, new ones wait in the queue.
        while self.retirement.flush() {
            let Some(ready) = self.handover.ready.pop() else {
                break;
            };
            let same_code = self
                .running_code()
                .is_some_and(|code| Arc::ptr_eq(code, &ready.code));
            if ready.generation != self.generation || same_code {
                self.retire_engine(ready);
                continue;
            }
            // A fade still running is cut short: its outgoing engine goes now.
            if let Some(Fade {
                from: Outgoing::Engine(old),
                ..
            }) = self.fade.take()
            {
                self.retire_engine(old);
            }
            let from = match self.current.replace(ready) {
                Some(old) => Outgoing::Engine(old),
                None => Outgoing::Fallback,
            };
            self.non_finite_said = false;
            // The new patch may ask for its own crossfade length.
            let seconds = self
                .current
                .as_ref()
                .and_then(|r| r.engine.crossfade_seconds())
                .unwrap_or(DEFAULT_CROSSFADE_SECONDS);
            self.fade_frames = (seconds * self.sample_rate).round() as usize;
            if self.fade_frames > 0 {
                self.fade = Some(Fade { from, done: 0 });
            } else if let Outgoing::Engine(old) = from {
                self.retire_engine(old);
            }
        }
        let after = self.latency();
        (after != before).then_some(after)
    }

    fn retire_engine(&mut self, ready: Box<Ready>) {
        self.retirement.retire(ready);
    }

    /// Where to put this block's transport before `process`.
    pub fn host_info_mut(&mut self) -> &mut HostInfo {
        &mut self.host
    }

    /// Where to put this block's slot positions before `process`.
    pub fn slot_positions_mut(&mut self) -> &mut [f32; SLOT_COUNT] {
        &mut self.positions
    }

    /// Clears the block's event buffer (call at the start of each block).
    pub fn clear_events(&mut self) {
        self.events.clear();
    }

    /// Queues a note event for this block; dropped beyond [`EVENT_CAPACITY`].
    pub fn push_event(&mut self, event: MidiEvent) {
        if self.events.len() < EVENT_CAPACITY {
            self.events.push(event);
        }
    }

    /// Processes one host block of `frames` frames.
    pub fn process<S: AsRef<[f32]>>(
        &mut self,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        frames: usize,
    ) {
        let started = Instant::now();
        self.untouched = false;
        let fits = self.input_copy.iter().all(|b| b.len() >= frames)
            && self.side_copy.iter().all(|b| b.len() >= frames)
            && self.outgoing_output.len() >= outputs.len()
            && self.outgoing_output.iter().all(|b| b.len() >= frames);
        if self.fade.is_some() && !fits {
            // A block larger than the host announced: no room to mix, switch at once.
            if let Some(Fade {
                from: Outgoing::Engine(old),
                ..
            }) = self.fade.take()
            {
                self.retire_engine(old);
            }
        }
        let stopped = self.was_playing && !self.host.playing;
        self.was_playing = self.host.playing;
        if let Some(ready) = &mut self.current {
            ready.engine.set_positions(&self.positions);
            ready.engine.set_host_info(&self.host);
            if stopped {
                ready.engine.all_notes_off();
            }
        }
        if let Some(Fade {
            from: Outgoing::Engine(old),
            ..
        }) = &mut self.fade
        {
            old.engine.set_host_info(&self.host);
        }
        match self.fade.take() {
            Some(fade) => self.process_crossfade(fade, input, outputs, frames),
            None => self.process_current(input, outputs, frames),
        }
        self.guard_non_finite(outputs, frames);
        let meters = &self.handover.meters;
        meters.count_midi(self.events.len());
        let lasts = Duration::from_secs_f64(frames as f64 / self.sample_rate.max(1.0));
        meters.record_block(outputs, frames, started.elapsed(), lasts);
    }

    fn process_current<S: AsRef<[f32]>>(
        &mut self,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        frames: usize,
    ) {
        match &mut self.current {
            Some(ready) => {
                ready.engine.process(input, outputs, frames, &self.events);
            }
            None => {
                self.fallback_adapter
                    .run(&mut self.fallback, input, outputs, 0..frames);
            }
        }
    }

    fn process_crossfade<S: AsRef<[f32]>>(
        &mut self,
        mut fade: Fade,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        frames: usize,
    ) {
        let (main, side) =
            input.copy_into(outputs, &mut self.input_copy, &mut self.side_copy, frames);
        let copied = Input::BuffersWithSide(&self.input_copy[..main], &self.side_copy[..side]);
        // The outgoing side gets the same input but no new notes, and writes where the
        // host has buffers.
        let mut old_outputs: [&mut [f32]; MAX_OUTPUTS] = Default::default();
        let n_out = outputs.len().min(old_outputs.len());
        for ((slot, buffer), host) in old_outputs
            .iter_mut()
            .zip(self.outgoing_output.iter_mut())
            .zip(outputs.iter())
            .take(n_out)
        {
            if !host.is_empty() {
                *slot = &mut buffer[..frames];
            }
        }
        let old_outputs = &mut old_outputs[..n_out];
        match &mut fade.from {
            Outgoing::Engine(old) => {
                old.engine.process(&copied, old_outputs, frames, &[]);
            }
            Outgoing::Fallback => {
                self.fallback_adapter
                    .run(&mut self.fallback, &copied, old_outputs, 0..frames);
            }
        }
        if let Some(ready) = &mut self.current {
            ready.engine.process(&copied, outputs, frames, &self.events);
        }
        // Equal power: the two gains are the sine and cosine of the same angle.
        let total = self.fade_frames.max(1) as f32;
        for (ch, new) in outputs.iter_mut().enumerate().take(n_out) {
            if new.is_empty() {
                continue;
            }
            let old = &self.outgoing_output[ch];
            for (i, sample) in new[..frames].iter_mut().enumerate() {
                let t = ((fade.done + i) as f32 / total).min(1.0);
                let angle = t * std::f32::consts::FRAC_PI_2;
                *sample = *sample * angle.sin() + old[i] * angle.cos();
            }
        }
        fade.done += frames;
        if fade.done < self.fade_frames {
            self.fade = Some(fade);
        } else if let Outgoing::Engine(old) = fade.from {
            self.retire_engine(old);
        }
    }

    /// Ends every sounding note of the running patch (the host's panic). Real-time safe.
    pub fn all_notes_off(&mut self) {
        if let Some(ready) = &mut self.current {
            ready.engine.all_notes_off();
        }
    }

    /// The MIDI the running patch sent during the last block, with frame offsets.
    pub fn drain_midi_out(&mut self, frames: usize, send: impl FnMut(u32, [u8; 3])) {
        if let Some(ready) = &mut self.current {
            ready.engine.drain_midi_out(frames, send);
        }
    }

    /// NaN/Inf in the output: the block is dropped (silence) and the patch plays on, so
    /// a moment's blow-up costs one block, not the patch; one notice per engine.
    fn guard_non_finite(&mut self, outputs: &mut [&mut [f32]], frames: usize) {
        // Empty slices are channels without a destination.
        let bad = outputs
            .iter()
            .any(|b| b.iter().take(frames).any(|s| !s.is_finite()));
        if !bad {
            return;
        }
        for buffer in outputs.iter_mut() {
            buffer.iter_mut().take(frames).for_each(|s| *s = 0.0);
        }
        if !self.non_finite_said {
            self.non_finite_said = true;
            self.handover.non_finite.store(true, Ordering::Release);
        }
    }
}
