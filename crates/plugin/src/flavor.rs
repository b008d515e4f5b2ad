//! The two plugin entries built from one code base: instrument and effect.

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

/// "Csound Plug": notes in, stereo out, optional stereo side-chain in.
pub struct Instrument;

/// "Csound Plug FX": stereo in and out, notes in.
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
    // Stereo, and mono for a host that asks for it: the patch's channels are fitted to
    // either (see the README's table).
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: None,
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[new_nonzero_u32(2)],
            aux_output_ports: &[],
            names: PortNames {
                layout: Some("Stereo"),
                main_input: None,
                main_output: Some("Output"),
                aux_inputs: &["Side-chain"],
                aux_outputs: &[],
            },
        },
        AudioIOLayout {
            main_input_channels: None,
            main_output_channels: NonZeroU32::new(1),
            aux_input_ports: &[new_nonzero_u32(1)],
            aux_output_ports: &[],
            names: PortNames {
                layout: Some("Mono"),
                main_input: None,
                main_output: Some("Output"),
                aux_inputs: &["Side-chain"],
                aux_outputs: &[],
            },
        },
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
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[],
            aux_output_ports: &[],
            names: PortNames {
                layout: Some("Stereo"),
                main_input: Some("Input"),
                main_output: Some("Output"),
                aux_inputs: &[],
                aux_outputs: &[],
            },
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(1),
            aux_input_ports: &[],
            aux_output_ports: &[],
            names: PortNames {
                layout: Some("Mono"),
                main_input: Some("Input"),
                main_output: Some("Output"),
                aux_inputs: &[],
                aux_outputs: &[],
            },
        },
    ];
    const DEFAULT_PATCH: &'static str = presets::DEFAULT_FX;
    const PASS_THROUGH: bool = true;
}
