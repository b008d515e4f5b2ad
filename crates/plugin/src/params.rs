//! The plugin's host parameters and persisted fields: the slot pool bound to the patch's
//! channels, and the patch code with its slot map.

use crate::compiler::Compiler;
use crate::keyboard::OnScreenKeyboard;
use crate::patch_code::PatchCode;
use crate::slots::SlotParams;
use nice_plug::prelude::*;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Everything the host sees and saves with a session.
#[derive(Params)]
pub struct PlugParams {
    /// The patch code and slot map, saved under the key `state` (see [`crate::patch_code`]).
    #[persist = "state"]
    pub patch: PatchCode,
    /// The editor window's size in logical points, `width << 32 | height`; 0 until the
    /// user resizes it.
    #[persist = "editor-size"]
    pub editor_size: AtomicU64,
    /// The generic parameters `p01`…`p128` bound to the patch's declared channels.
    #[nested(group = "Patch")]
    pub slots: Arc<SlotParams>,
    /// The host's bypass: the dry input (effect) or silence (instrument), crossfaded.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// Dry/wet balance, 1 = the patch's output only.
    #[id = "mix"]
    pub mix: FloatParam,
    /// Output gain after the mix.
    #[id = "gain"]
    pub gain: FloatParam,
    /// Notes from the editor's on-screen keyboard (not a parameter, not saved).
    pub keyboard: Arc<OnScreenKeyboard>,
}

/// Smoothing time of mix and gain changes.
const SMOOTHING_MS: f32 = 20.0;

impl PlugParams {
    /// Parameters for a new instance starting with `default_code`, bound to `compiler`'s
    /// slot state.
    pub fn new(default_code: &'static str, compiler: &Compiler) -> Self {
        let shared = compiler.shared();
        Self {
            patch: PatchCode::new(default_code, compiler.requester(), shared.clone()),
            editor_size: AtomicU64::new(0),
            slots: Arc::new(SlotParams::new(
                shared.slots.table.clone(),
                crate::compiler::default_positions(default_code),
            )),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            mix: FloatParam::new("Dry/Wet", 1.0, FloatRange::Linear { min: 0.0, max: 1.0 })
                .with_smoother(SmoothingStyle::Linear(SMOOTHING_MS))
                .with_unit("%")
                .with_value_to_string(formatters::v2s_f32_percentage(0))
                .with_string_to_value(formatters::s2v_f32_percentage()),
            gain: FloatParam::new(
                "Output Gain",
                1.0,
                FloatRange::Skewed {
                    min: util::db_to_gain(-60.0),
                    max: util::db_to_gain(24.0),
                    factor: FloatRange::gain_skew_factor(-60.0, 24.0),
                },
            )
            .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
            .with_unit(" dB")
            .with_value_to_string(formatters::v2s_f32_gain_to_db(1))
            .with_string_to_value(formatters::s2v_f32_gain_to_db()),
            keyboard: Arc::default(),
        }
    }
}
