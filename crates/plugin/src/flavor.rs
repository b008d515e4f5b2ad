//! The two plugin entries built from one code base: instrument and effect.

use crate::buses::{AUX_OUTPUTS, AUX_OUTPUT_NAMES};
use csound_plug_patch::presets;
use nice_plug::prelude::*;

/// What differs between the instrument and the effect entry.
pub trait Flavor: Send + 'static {
    /// Name shown by hosts.
    const NAME: &'static str;
    /// CLAP plugin id.
    const CLAP_ID: &'static str;
    /// One-line description for hosts.
    const DESCRIPTION: &'static str;
    /// CLAP features (host categories).
    const CLAP_FEATURES: &'static [ClapFeature];
    /// VST3 class id.
    const VST3_CLASS_ID: [u8; 16];
    /// VST3 categories.
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory];
    /// Bus layouts, the first being the default.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout];
    /// The patch a new instance starts with.
    const DEFAULT_PATCH: &'static str;
    /// Whether the input passes through while no patch runs (an effect) or silence does.
    const PASS_THROUGH: bool;
}

/// "Csound Plug": notes in, stereo out and seven optional stereo outputs, optional
/// stereo side-chain in.
pub struct Instrument;

/// "Csound Plug FX": stereo in and out, optional stereo side-chain in, notes in.
pub struct Effect;

impl Flavor for Instrument {
    const NAME: &'static str = "Csound Plug";
    const CLAP_ID: &'static str = "org.csound-plug.instrument";
    const DESCRIPTION: &'static str = "Csound code as an instrument";
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::Instrument,
        ClapFeature::Synthesizer,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
    const VST3_CLASS_ID: [u8; 16] = *b"CsoundPlugInstr1";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Instrument, Vst3SubCategory::Synth];
    // The main stereo output, seven optional stereo outputs (off until the host enables
    // them) and an optional side-chain; plain stereo and mono for hosts that ask for
    // them. VST3 keeps a layout's bus count, hence a mono layout with the auxiliary
    // outputs too. The patch's channels are fitted to any of them (the README's table).
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        instrument_layout("Multi-out", 2, &MULTI_OUT),
        instrument_layout("Stereo", 2, &[]),
        instrument_layout("Mono", 1, &[]),
        instrument_layout("Mono multi-out", 1, &MULTI_OUT),
    ];
    const DEFAULT_PATCH: &'static str = presets::DEFAULT_INSTRUMENT;
    const PASS_THROUGH: bool = false;
}

impl Flavor for Effect {
    const NAME: &'static str = "Csound Plug FX";
    const CLAP_ID: &'static str = "org.csound-plug.fx";
    const DESCRIPTION: &'static str = "Csound code as an audio effect";
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
    const VST3_CLASS_ID: [u8; 16] = *b"CsoundPlugEffect";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx];
    // Main in and out, stereo or mono, and an optional side-chain of the same width.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] =
        &[effect_layout("Stereo", 2), effect_layout("Mono", 1)];
    const DEFAULT_PATCH: &'static str = presets::DEFAULT_FX;
    const PASS_THROUGH: bool = true;
}

/// The instrument's auxiliary outputs: stereo pairs after the main one.
const MULTI_OUT: [NonZeroU32; AUX_OUTPUTS] = [new_nonzero_u32(2); AUX_OUTPUTS];

/// An instrument layout: a main output of `width` channels, the auxiliary outputs
/// `aux`, a side-chain of the main output's width.
const fn instrument_layout(
    name: &'static str,
    width: u32,
    aux: &'static [NonZeroU32],
) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: None,
        main_output_channels: NonZeroU32::new(width),
        aux_input_ports: side_chain(width),
        aux_output_ports: aux,
        names: PortNames {
            layout: Some(name),
            main_input: None,
            main_output: Some("Output"),
            aux_inputs: &["Side-chain"],
            aux_outputs: &AUX_OUTPUT_NAMES,
        },
    }
}

/// An effect layout: main input and output of `width` channels and a side-chain.
const fn effect_layout(name: &'static str, width: u32) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: NonZeroU32::new(width),
        main_output_channels: NonZeroU32::new(width),
        aux_input_ports: side_chain(width),
        aux_output_ports: &[],
        names: PortNames {
            layout: Some(name),
            main_input: Some("Input"),
            main_output: Some("Output"),
            aux_inputs: &["Side-chain"],
            aux_outputs: &[],
        },
    }
}

/// A side-chain input of `width` channels (1 or 2).
const fn side_chain(width: u32) -> &'static [NonZeroU32] {
    const MONO: [NonZeroU32; 1] = [new_nonzero_u32(1)];
    const STEREO: [NonZeroU32; 1] = [new_nonzero_u32(2)];
    match width {
        1 => &MONO,
        _ => &STEREO,
    }
}
