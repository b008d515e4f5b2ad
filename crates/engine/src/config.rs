//! How a patch is run: rate, block, channel counts, MIDI mode, warm-up.

/// How to run a patch: `None` keeps what the patch itself says.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngineConfig {
    /// `--sample-rate` override (the host's rate in a plugin).
    pub sample_rate: Option<f64>,
    /// `--ksmps` override.
    pub ksmps: Option<u32>,
    /// `--nchnls` override.
    pub nchnls: Option<u32>,
    /// `--nchnls_i` override.
    pub nchnls_i: Option<u32>,
    /// Fit the patch's channels to the host's buses (the plugin: mono spread, extra
    /// channels dropped or folded); else channel n is channel n (the command line).
    #[serde(default)]
    pub fit_channels: bool,
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
    /// Folders a relative file name in the patch is looked for in after the working
    /// directory (the patch's own folder first): sound files, analysis files, MIDI
    /// files and `#include`s, through Csound's `SSDIR`, `SADIR`, `MFDIR` and `INCDIR`.
    /// Csound's own settings of those variables still count, after these.
    #[serde(default)]
    pub search_dirs: Vec<std::path::PathBuf>,
    /// Where the patch keeps what it saves with `cabbageSetStateValue`: the store of the
    /// plugin instance, shared by its engines (so a value set while a new engine compiles
    /// is not lost) and filled from the host's session before the first init pass. `None`:
    /// a store of the engine's own. Not part of what the pre-check is told or remembers.
    #[serde(skip)]
    pub cabbage_state: Option<crate::cabbage::state::SharedValues>,
}

impl EngineConfig {
    /// How the plugin runs patches: at the host's rate, with the patch's own channel
    /// counts fitted to the host's buses (see [`crate::block::Fit`]), notes on their own
    /// sample, performing after the score ends, two warm-up cycles, the MIDI mode chosen
    /// per patch.
    pub fn plugin(sample_rate: f64, is_effect: bool) -> Self {
        Self {
            sample_rate: Some(sample_rate),
            ksmps: None,
            nchnls: None,
            nchnls_i: None,
            fit_channels: true,
            run_forever: true,
            note_instrument: 1,
            native_midi: None,
            is_effect,
            sample_accurate: true,
            warm_up_cycles: 2,
            search_dirs: Vec::new(),
            cabbage_state: None,
        }
    }
}
