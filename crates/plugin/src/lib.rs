//! Csound Plug: Csound code as a VST3/CLAP instrument and effect.
//!
//! This file is glue: the plugin type, its framework impls and the exports. The engine
//! (everything Csound) is the `csound_plug_engine` crate, the patch text
//! `csound_plug_patch`, the pre-check `csound_plug_sandbox`; here are the audio thread's
//! side ([`processor`]), the compiler and retire threads ([`compiler`]), the host
//! parameters ([`params`], [`slots`]) and the editor.

#![deny(missing_docs)]

pub mod buses;
pub mod compiler;
pub mod console;
pub mod dry_wet;
pub mod editor;
pub mod flavor;
pub mod host;
pub mod keyboard;
pub mod meters;
pub mod params;
pub mod patch_code;
pub mod processor;
pub mod slots;

use compiler::Compiler;
use csound_plug_engine::block::Input;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::EngineConfig;
use csound_plug_sandbox::precheck::limit_from_env;
use dry_wet::DryWet;
use flavor::{Effect, Flavor, Instrument};
use nice_plug::prelude::*;
use params::PlugParams;
use processor::{Processor, MAX_OUTPUTS};
use std::marker::PhantomData;
use std::sync::Arc;

/// One plugin instance; `F` picks the instrument or the effect entry.
pub struct CsoundPlug<F: Flavor> {
    params: Arc<PlugParams>,
    /// Mix, bypass and gain after the patch.
    dry_wet: DryWet,
    /// The block's input for the dry path (effect only), sized in `activate`.
    dry_input: Vec<Vec<f32>>,
    /// 0 = processing, 1 = bypassed; ramps between.
    bypass_ramp: Smoother<f32>,
    /// The bypass state the ramp is heading for.
    bypassed: bool,
    sample_rate: f32,
    /// The configuration of the last activation, to tell whether its engine fits the next.
    activated_with: Option<EngineConfig>,
    /// Declared before `compiler` so it is dropped first (it holds a retire sender).
    processor: Processor,
    compiler: Compiler,
    _flavor: PhantomData<F>,
}

/// The instrument entry, "Csound Plug".
pub type CsoundPlugInstrument = CsoundPlug<Instrument>;
/// The effect entry, "Csound Plug FX".
pub type CsoundPlugFx = CsoundPlug<Effect>;

impl<F: Flavor> Default for CsoundPlug<F> {
    fn default() -> Self {
        // No threads yet: they start in `activate`, which may fail.
        let compiler = Compiler::new();
        let params = Arc::new(PlugParams::new(F::DEFAULT_PATCH, &compiler));
        // Only set here, once; `set` fails only if already set.
        let _ = compiler.shared().slots.values.set(params.slots.clone());
        compiler.shared().bind_new(F::DEFAULT_PATCH);
        // Hosts get the bus names the running code gives.
        let names: std::sync::Weak<dyn nice_plug::port_names::PortNames> =
            Arc::downgrade(compiler.shared()) as _;
        nice_plug::port_names::register(&(params.clone() as Arc<dyn Params>), names);
        let processor = Processor::new(
            compiler.shared().handover.clone(),
            compiler.retire_sender(),
            F::PASS_THROUGH,
        );
        Self {
            params,
            dry_wet: DryWet::default(),
            dry_input: Vec::new(),
            bypass_ramp: Smoother::new(SmoothingStyle::Linear(20.0)),
            bypassed: false,
            sample_rate: 48_000.0,
            activated_with: None,
            processor,
            compiler,
            _flavor: PhantomData,
        }
    }
}

impl<F: Flavor> CsoundPlug<F> {
    /// The code of the patch running on the audio side, if one runs (for tests and
    /// diagnostics; off the audio thread).
    pub fn running_code(&self) -> Option<&Arc<String>> {
        self.processor.running_code()
    }

    /// The console (Csound's messages, compile errors).
    pub fn console(&self) -> &console::Console {
        &self.compiler.shared().status.console
    }
}

impl<F: Flavor> Plugin for CsoundPlug<F> {
    const NAME: &'static str = F::NAME;
    const VENDOR: &'static str = "Csound Plug";
    const URL: &'static str = "https://csound.com";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = F::AUDIO_IO_LAYOUTS;
    const MIDI_INPUT: MidiConfig = MidiConfig::MidiCCs;
    const MIDI_OUTPUT: MidiConfig = MidiConfig::MidiCCs;
    // Blocks are split where automation changes, so a change reaches the k-cycle it
    // happens in.
    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    const INPUT_EVENT_CAPACITY: usize = processor::EVENT_CAPACITY;

    type Editor = editor::PlugEditor;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(editor::EditorShared {
            params: self.params.clone(),
            compiler: self.compiler.shared().clone(),
            title: F::NAME,
        })
    }

    fn filter_state(state: &mut PluginState) {
        csound_plug_patch::state::check_fields(&mut state.fields);
    }

    fn activate(
        &mut self,
        layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        // The threads start with the first activation, where failing is allowed.
        if let Err(e) = self.compiler.start() {
            nice_log!("Csound Plug cannot run: {e}");
            return false;
        }
        let channels = buses::channels(layout);
        let sample_rate = f64::from(buffer_config.sample_rate);
        let config = EngineConfig::plugin(sample_rate, F::PASS_THROUGH);
        let active = self.compiler.activate(config.clone());
        let code = self.params.patch.get();
        // Hosts re-activate at once when the first activation reports the latency: the
        // engine it built, still untouched, starts again instead of compiling twice.
        let untouched = match self.activated_with.as_ref() == Some(&config) {
            true => self.processor.take_untouched(&code),
            false => None,
        };
        let ready = match untouched {
            Some(mut ready) => {
                ready.generation = active.generation;
                Some(ready)
            }
            None => {
                // A new rate or block size rebuilds the patch; its input channels keep
                // their values.
                let carried = self.processor.input_control_values();
                // Compiling here, off the audio thread, means processing starts with the
                // patch running. Code that does not run still activates: the last code
                // that ran plays instead (else the default patch or the fallback; see
                // `build_for_activation`). Code never checked on this machine is waited
                // for a moment only, unless this is an offline render.
                let wait = match buffer_config.process_mode {
                    ProcessMode::Offline => None,
                    _ => Some(limit_from_env(
                        "CSOUND_PLUG_ACTIVATION_WAIT",
                        compiler::ACTIVATION_WAIT,
                    )),
                };
                self.compiler.shared().activation_build(
                    code,
                    &active,
                    self.params.patch.trust(),
                    F::DEFAULT_PATCH,
                    carried,
                    wait,
                )
            }
        };
        self.activated_with = Some(config);
        let max_block = buffer_config.max_buffer_size as usize;
        let main_outputs = layout.main_output_channels.map_or(0, NonZeroU32::get) as usize;
        let sized = self
            .processor
            .activate(ready, active.generation, channels, max_block, sample_rate)
            .and_then(|()| DryWet::new(main_outputs))
            .and_then(|dry_wet| Ok((dry_wet, processor::buffers(main_outputs, max_block)?)));
        match sized {
            Ok((dry_wet, dry_input)) => (self.dry_wet, self.dry_input) = (dry_wet, dry_input),
            Err(e) => {
                nice_log!("Csound Plug cannot run: no memory for its buffers ({e})");
                return false;
            }
        }
        context.set_latency_samples(self.processor.latency() as u32);
        self.sample_rate = buffer_config.sample_rate;
        self.bypassed = self.params.bypass.value();
        self.bypass_ramp
            .reset(if self.bypassed { 1.0 } else { 0.0 });
        true
    }

    fn deactivate(&mut self) {
        self.compiler.deactivate();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        if let Some(latency) = self.processor.take_ready() {
            context.set_latency_samples(latency as u32);
        }
        self.processor.clear_events();
        // The on-screen keyboard's notes first, at the block's start, then the host's.
        let processor = &mut self.processor;
        self.params.keyboard.drain(|bytes| {
            if let Some(event) = MidiEvent::from_bytes(0, &bytes) {
                processor.push_event(event);
            }
        });
        while let Some(event) = context.next_event() {
            if let Some(event) = host::midi_event(&event) {
                self.processor.push_event(event);
            }
        }
        self.params
            .slots
            .positions(self.processor.slot_positions_mut());
        let frames = buffer.samples();
        let bypassed = self.params.bypass.value();
        *self.processor.host_info_mut() = host::host_info(context.transport(), frames, bypassed);
        // Every output channel in one list, numbered as Csound numbers them.
        let mut slots: [&mut [f32]; MAX_OUTPUTS] = Default::default();
        let outputs = buses::output_slots(buffer, aux, &mut slots);
        let sidechain = aux.inputs.first().map(|side| side.as_slice_immutable());
        let has_dry = F::PASS_THROUGH && self.dry_input.iter().all(|b| b.len() >= frames);
        if has_dry {
            let main = &mut self.dry_input[..];
            Input::<&[f32]>::InPlace.copy_into(outputs, main, &mut [], frames);
        }
        let input = match (F::PASS_THROUGH, sidechain) {
            (true, Some(side)) => Input::InPlaceWithSide(side),
            (true, None) => Input::InPlace,
            (false, Some(side)) => Input::Buffers(side),
            (false, None) => Input::Silence,
        };
        self.processor.process(&input, outputs, frames);
        if bypassed != self.bypassed {
            // Only on a change: each `set_target` restarts the ramp from where it is.
            self.bypassed = bypassed;
            let target = if bypassed { 1.0 } else { 0.0 };
            self.bypass_ramp.set_target(self.sample_rate, target);
        }
        let (mix, gain, ramp) = (&self.params.mix, &self.params.gain, &self.bypass_ramp);
        let dry = has_dry.then_some(&self.dry_input[..]);
        let latency = self.processor.latency();
        self.dry_wet.process(outputs, dry, frames, latency, || {
            let bypassed = ramp.next();
            let (mix, gain) = (mix.smoothed.next(), gain.smoothed.next());
            let live = (1.0 - bypassed) * gain;
            (live * mix, live * (1.0 - mix) + bypassed, 1.0)
        });
        self.processor.drain_midi_out(frames, |offset, bytes| {
            if let Ok(event) = NoteEvent::from_midi(offset, &bytes) {
                // A full host queue drops the message.
                let _ = context.try_send_event(event);
            }
        });
        ProcessStatus::KeepAlive
    }
}

impl<F: Flavor> ClapPlugin for CsoundPlug<F> {
    const CLAP_ID: &'static str = F::CLAP_ID;
    const CLAP_DESCRIPTION: Option<&'static str> = Some(F::DESCRIPTION);
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = F::CLAP_FEATURES;
}

impl<F: Flavor> Vst3Plugin for CsoundPlug<F> {
    const VST3_CLASS_ID: [u8; 16] = F::VST3_CLASS_ID;
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = F::VST3_SUBCATEGORIES;
}

nice_export_clap!(CsoundPlugInstrument, CsoundPlugFx);
nice_export_vst3!(CsoundPlugInstrument, CsoundPlugFx);
