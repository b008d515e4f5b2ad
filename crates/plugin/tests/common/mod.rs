//! A host's side of the plugin in this process, as nice-plug's wrappers drive it: the
//! activation and process contexts, and the buffers of one block. For tests that call
//! the plugin's own `activate` and `process` without a plugin format in between.

#![allow(dead_code)]

use nice_plug::context::process::SendEventError;
use nice_plug::prelude::*;

/// A host's side of one process call: the block's note events and transport.
pub struct Host {
    pub events: Vec<NoteEvent<()>>,
    pub next: usize,
    pub transport: Transport,
}

impl Host {
    /// A host at `sample_rate`, 120 BPM, stopped, room for `events` events per block.
    pub fn new(sample_rate: f32, events: usize) -> Self {
        let mut transport = Transport::new(sample_rate);
        transport.tempo = Some(120.0);
        Self {
            events: Vec::with_capacity(events),
            next: 0,
            transport,
        }
    }

    /// Starts a block with `events`.
    pub fn block(&mut self, events: &[NoteEvent<()>]) {
        self.next = 0;
        self.events.clear();
        self.events.extend_from_slice(events);
    }
}

impl<P: Plugin<SysExMessage = (), BackgroundTask = ()>> ProcessContext<P> for Host {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute_background(&self, _task: ()) {}
    fn execute_gui(&self, _task: ()) {}
    fn transport(&self) -> &Transport {
        &self.transport
    }
    fn next_event(&mut self) -> Option<NoteEvent<()>> {
        let event = self.events.get(self.next).copied();
        self.next += 1;
        event
    }
    fn try_send_event(
        &mut self,
        _event: NoteEvent<()>,
    ) -> Result<(), (NoteEvent<()>, SendEventError)> {
        Ok(())
    }
    fn set_latency_samples(&self, _samples: u32) {}
    fn request_restart(&self) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

/// The host's side of an activation.
pub struct Activation;

impl<P: Plugin<BackgroundTask = ()>> ActivateContext<P> for Activation {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute(&self, _task: ()) {}
    fn set_latency_samples(&self, _samples: u32) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

/// Activates `plugin` with its first layout at 48 kHz and blocks of up to `frames`, and
/// starts its parameters' smoothers as a wrapper does; its parameter pointers.
pub fn activate<P: Plugin<BackgroundTask = ()>>(plugin: &mut P, frames: usize) -> Vec<ParamPtr> {
    activate_in(plugin, frames, ProcessMode::Realtime)
}

/// [`activate`] in a host's `mode` (realtime, buffered or offline).
pub fn activate_in<P: Plugin<BackgroundTask = ()>>(
    plugin: &mut P,
    frames: usize,
    mode: ProcessMode,
) -> Vec<ParamPtr> {
    let config = BufferConfig {
        sample_rate: 48_000.0,
        min_buffer_size: None,
        max_buffer_size: frames as u32,
        process_mode: mode,
    };
    assert!(plugin.activate(&P::AUDIO_IO_LAYOUTS[0], &config, &mut Activation));
    let pointers: Vec<ParamPtr> = plugin
        .params()
        .param_map()
        .into_iter()
        .map(|(_, p, _)| p)
        .collect();
    for pointer in &pointers {
        // SAFETY: the pointers come from the plugin's own parameter map.
        unsafe { pointer._internal_update_smoother(config.sample_rate, true) };
    }
    pointers
}

/// A host's persisted fields holding a session whose patch is `code` (what a host hands
/// `Params::deserialize_fields` when it loads the session).
pub fn session_fields(code: &str) -> std::collections::BTreeMap<String, String> {
    let state = serde_json::json!({"version": 3, "code": code, "slots": {}});
    std::collections::BTreeMap::from([("state".to_string(), state.to_string())])
}

/// A note-on or note-off event on MIDI channel 1.
pub fn note(timing: u32, key: u8, on: bool) -> NoteEvent<()> {
    use nice_plug::midi::{Channel, Key, VoiceID};
    let (channel, key, voice_id) = (Channel::Number(0), Key::Number(key), VoiceID::Wildcard);
    if on {
        NoteEvent::NoteOn {
            timing,
            voice_id,
            channel,
            key,
            velocity: 0.8,
        }
    } else {
        NoteEvent::NoteOff {
            timing,
            voice_id,
            channel,
            key,
            velocity: 0.0,
        }
    }
}

/// Processes one block of `left`/`right` in place (an effect's input, an instrument's
/// output), with `side` as the instrument's side-chain; `checked` wraps the call (the
/// allocation checker, or nothing).
pub fn process<P: Plugin<SysExMessage = (), BackgroundTask = ()>>(
    plugin: &mut P,
    host: &mut Host,
    (left, right): (&mut [f32], &mut [f32]),
    side: (&mut [f32], &mut [f32]),
    checked: impl FnOnce(&mut dyn FnMut()),
) {
    let frames = left.len();
    let mut buffer = Buffer::default();
    let mut side_buffer = Buffer::default();
    // SAFETY: the slices outlive the buffers, which go at the end of this function.
    unsafe {
        buffer.set_slices(frames, |s| {
            s.clear();
            s.push(left);
            s.push(right);
        });
        side_buffer.set_slices(frames, |s| {
            s.clear();
            s.push(side.0);
            s.push(side.1);
        });
    }
    let mut aux_inputs = [side_buffer];
    let mut aux = AuxiliaryBuffers {
        inputs: &mut aux_inputs[..],
        outputs: &mut [],
    };
    checked(&mut || {
        plugin.process(&mut buffer, &mut aux, host);
    });
}

/// One block's buffers as a stereo host passes them: `left`/`right` (an effect's input,
/// an instrument's output, processed in place) and a silent side-chain.
pub struct StereoBlock {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    side: (Vec<f32>, Vec<f32>),
}

impl StereoBlock {
    /// Buffers of `frames` frames of silence.
    pub fn new(frames: usize) -> Self {
        Self {
            left: vec![0.0; frames],
            right: vec![0.0; frames],
            side: (vec![0.0; frames], vec![0.0; frames]),
        }
    }

    /// Processes the block with `host`'s events (see [`process`]).
    pub fn process<P: Plugin<SysExMessage = (), BackgroundTask = ()>>(
        &mut self,
        plugin: &mut P,
        host: &mut Host,
    ) {
        process(
            plugin,
            host,
            (&mut self.left, &mut self.right),
            (&mut self.side.0, &mut self.side.1),
            |call| call(),
        );
    }
}
