//! Building an [`Engine`]: a fresh Csound instance, the options the configuration and
//! the patch's metadata ask for, compile, start, warm-up, then the note handling and the
//! output channels read from the running patch. Each step is a function below, in order.

use crate::block::{BlockAdapter, Fit};
use crate::cabbage::{IdentChannels, StateValues, WidgetUpdates};
use crate::channels::{HostChannels, OutputValues, HOST_CHANNELS};
use crate::csound::CabbageLinks;
use crate::csound::{ChannelId, ChannelInfo, ChannelMode, Csound};
use crate::diagnostics;
use crate::kernel::CsoundKernel;
use crate::messages::MessageRing;
use crate::midi::{MidiChannels, ScoreNotes};
use crate::params::{as_declared, control_from_chn_k};
use crate::{CompileError, Engine, EngineConfig};
use csound_plug_patch::cabbage::{
    cabbage_controls, cabbage_displays, cabbage_ident_channels, cabbage_widgets,
};
use csound_plug_patch::controls::{merge_declared, Control, ControlSource};
use csound_plug_patch::csd::{self, Csd};
use csound_plug_patch::embedded;
use csound_plug_patch::facts;
use csound_plug_patch::metadata::{self, Metadata, MidiMode};
use std::borrow::Cow;
use std::ffi::CString;
use std::sync::Arc;

/// Which step failed, with Csound's log: the error the caller sees.
fn failure(code: &str, csound: Option<&mut Csound>, step: String) -> CompileError {
    let log = csound.map(|c| c.take_log()).unwrap_or_default();
    CompileError {
        errors: diagnostics::error_lines(&log, code),
        log,
        step,
    }
}

impl Engine {
    /// Compiles and starts `code` (a whole `.csd`). Returns the engine and what Csound
    /// printed, or the errors. Never call this on the audio thread.
    pub fn compile(
        code: &str,
        config: &EngineConfig,
        ring: Arc<MessageRing>,
    ) -> Result<(Engine, String), CompileError> {
        let fail = |csound: Option<&mut Csound>, step: String| failure(code, csound, step);
        let mut csound = Csound::new(ring.clone()).map_err(|e| fail(None, e.to_string()))?;
        // First: the text facts below hold offsets into the text Csound gets. Embedded
        // files are found first, then the patch's folders; Csound gets the text without
        // them (it would write them into the working folder).
        let (code, config) = with_embedded_files(code, config)?;
        let config = &config;
        let code = match crate::includes::resolve(&code, &config.search_dirs) {
            Ok(resolved) => resolved.into_owned(),
            Err(missing) => return Err(missing_include(missing)),
        };
        let (metadata, metadata_note) = read_metadata(&code);
        let text = TextFacts::read(&code);
        let native_midi = native_midi(config, &metadata, &text);
        for option in options(config, &metadata, native_midi) {
            if let Err(e) = csound.set_option(&option) {
                return Err(fail(Some(&mut csound), format!("{e} for `{option}`")));
            }
        }
        let code = with_endless_score(&code, config, &text);
        // The <Cabbage> section's controls and identifier channels, read once.
        let cabbage = cabbage_controls(&code);
        let idents = cabbage_ident_channels(&code);
        let (widget_updates, cabbage_state) = link_cabbage(&mut csound, &code, &idents, config);
        // Cabbage's opcodes, for patches written for Cabbage (line numbers kept).
        let text_for_csound = crate::cabbage::with_opcodes(csd::csound_text(&code));
        if let Err(e) = csound.compile_csd_text(&text_for_csound) {
            let step = format!("the patch did not compile ({e})");
            return Err(fail(Some(&mut csound), step));
        }
        if let Err(e) = csound.start() {
            let step = format!("the patch did not start ({e})");
            return Err(fail(Some(&mut csound), step));
        }
        let after_start = after_start(&mut csound, config, &metadata, native_midi, &text);
        let plays_notes = after_start.map_err(|step| fail(Some(&mut csound), step))?;
        let ident_channels = IdentChannels::new(&mut csound, &idents);
        // The channels as the header declares them: a k-rate `chnset` to an output
        // during warm-up makes Csound flag it as an input too.
        let declared_channels = csound.control_channels();
        write_start_values(&mut csound, &cabbage, &metadata, &declared_channels);
        let fit = Fit {
            spread_mono: config.fit_channels,
            fold: config.fit_channels && metadata.buses.fold,
        };
        let adapter = warm_up(&mut csound, config.warm_up_cycles).with_fit(fit);
        let host_channels = HostChannels::new(&mut csound);
        let (notes, midi_channels) = match native_midi {
            true => (None, None),
            false => {
                let notes = score_notes(config, &metadata, &code, csound.a4());
                (Some(notes), Some(MidiChannels::new(&mut csound, &code)))
            }
        };
        let (output_channels, outputs) = outputs(&mut csound, &code, &cabbage, &declared_channels);
        let mut log = csound.take_log();
        if let Some(note) = metadata_note {
            log.push_str(&note);
        }
        csound.enter_realtime();
        let (ksmps, sample_rate) = (csound.ksmps(), csound.sr());
        let engine = Engine {
            kernel: CsoundKernel::new(csound, host_channels, ksmps, sample_rate),
            adapter,
            notes,
            plays_notes,
            metadata,
            last_transport: (false, 0.0),
            midi_channels,
            sample_accurate: config.sample_accurate,
            sample_rate,
            ring,
            output_channels,
            outputs,
            declared_channels,
            widget_updates,
            cabbage_state,
            ident_channels,
        };
        Ok((engine, log))
    }
}

/// Gives the native Cabbage opcodes where widget updates go (every widget with a
/// channel, and every `identChannel`), the store of saved values the configuration gives (else one with room for
/// the keys the code names) and the folders relative names are looked for in.
fn link_cabbage(
    csound: &mut Csound,
    code: &str,
    idents: &[String],
    config: &EngineConfig,
) -> (Arc<WidgetUpdates>, Arc<StateValues>) {
    let mut channels: Vec<String> = Vec::new();
    for widget in cabbage_widgets(code) {
        for channel in widget.channels {
            if !channels.contains(&channel) {
                channels.push(channel);
            }
        }
    }
    // Cabbage 2's identifier channels publish updates under their own names.
    for ident in idents {
        if !channels.contains(ident) {
            channels.push(ident.clone());
        }
    }
    let widgets = Arc::new(WidgetUpdates::new(channels));
    let state = match &config.cabbage_state {
        Some(shared) => shared.0.clone(),
        None => Arc::new(StateValues::from_json(
            None,
            crate::cabbage::state_keys_named(code),
        )),
    };
    csound.link_cabbage(CabbageLinks::new(
        widgets.clone(),
        state.clone(),
        config.search_dirs.clone(),
    ));
    (widgets, state)
}

/// The patch's own settings; a bad `<CsoundPlug>` section is reported and ignored.
fn read_metadata(code: &str) -> (Metadata, Option<String>) {
    match metadata::metadata(code) {
        Ok(m) => (m.unwrap_or_default(), None),
        Err(e) => (
            Metadata::default(),
            Some(format!("[csound-plug] {e}; ignored\n")),
        ),
    }
}

/// What the steps need from the patch's text, read once.
struct TextFacts {
    /// The orchestra calls Csound's MIDI opcodes.
    uses_midi_opcodes: bool,
    /// Where the `<CsScore>` body starts, if there is one.
    score_start: Option<usize>,
}

impl TextFacts {
    fn read(code: &str) -> Self {
        Self {
            uses_midi_opcodes: facts::uses_midi_opcodes(code),
            score_start: Csd::parse(code).score().map(|s| s.body_start),
        }
    }
}

/// Whether host MIDI goes to Csound's own MIDI system: the configuration, else the
/// metadata, else an effect uses it unless notes are aimed at an instrument, and an
/// instrument uses it when the code calls Csound's MIDI opcodes.
fn native_midi(config: &EngineConfig, metadata: &Metadata, text: &TextFacts) -> bool {
    config
        .native_midi
        .unwrap_or_else(|| match metadata.midi.mode {
            Some(mode) => mode == MidiMode::Native,
            None if config.is_effect => metadata.midi.instrument.is_none(),
            None => text.uses_midi_opcodes,
        })
}

/// The options set before compiling.
fn options(config: &EngineConfig, metadata: &Metadata, native_midi: bool) -> Vec<String> {
    let mut options = vec!["-d".to_string()];
    if config.sample_accurate {
        options.push("--sample-accurate".into());
    }
    if native_midi {
        options.push("-M0".into());
    }
    // MIDI the patch sends (`midiout`, `midion`…) goes to the host (or the CLI's MIDI
    // file) through the write callback.
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
    if !config.search_dirs.is_empty() {
        // Before the folders the environment names (Csound reads `;`-separated lists).
        for variable in SEARCH_VARIABLES {
            let mut dirs: Vec<String> = config
                .search_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            dirs.extend(std::env::var(variable).ok().filter(|v| !v.is_empty()));
            options.push(format!("--env:{variable}={}", dirs.join(";")));
        }
    }
    options
}

/// `code` without its embedded files and `config` with the folder they are unpacked in
/// first among the search folders, then the folder its linked files are reached through
/// (unchanged when there are none).
fn with_embedded_files(
    code: &str,
    config: &EngineConfig,
) -> Result<(String, EngineConfig), CompileError> {
    let mut config = config.clone();
    // Linked files come after the embedded ones, before the patch's folders.
    match crate::linked_files::prepare(code, &config.search_dirs) {
        // The caller may have put it there already.
        Ok(Some(folder)) if !config.search_dirs.contains(&folder) => {
            config.search_dirs.insert(0, folder)
        }
        Ok(_) => {}
        Err(e) => {
            return Err(compile_error(format!(
                "the linked files cannot be reached ({e})"
            )))
        }
    }
    let files = embedded::embedded_files(code).map_err(|e| CompileError {
        log: String::new(),
        errors: vec![diagnostics::ErrorLine {
            line: Some(e.line()),
            file: None,
            message: e.to_string(),
        }],
        step: e.to_string(),
    })?;
    if files.is_empty() {
        return Ok((code.to_string(), config));
    }
    let folder = crate::file_cache::unpack(&files)
        .map_err(|e| compile_error(format!("the embedded files cannot be unpacked ({e})")))?;
    config.search_dirs.insert(0, folder);
    Ok((embedded::without_embedded(code), config))
}

/// A compile error that is ours, not Csound's (no log).
fn compile_error(message: String) -> CompileError {
    CompileError {
        log: String::new(),
        errors: Vec::new(),
        step: message,
    }
}

/// The compile error for an `#include` whose file is nowhere (Csound would crash on it).
fn missing_include(missing: crate::includes::MissingInclude) -> CompileError {
    let message = format!("cannot find the #include'd file '{}'", missing.name);
    CompileError {
        log: String::new(),
        errors: vec![crate::diagnostics::ErrorLine {
            line: Some(missing.line),
            file: None,
            message: message.clone(),
        }],
        step: message,
    }
}

/// Csound's search-path variables for files a patch reads.
const SEARCH_VARIABLES: [&str; 4] = ["SSDIR", "SADIR", "MFDIR", "INCDIR"];

/// A plugin keeps performing after the score: `f 0 z` in the score itself, so a rewound
/// score (transport following) keeps it too. It goes first in the score, before any `e`,
/// and adds no line before the orchestra.
fn with_endless_score<'a>(code: &'a str, config: &EngineConfig, text: &TextFacts) -> Cow<'a, str> {
    match (config.run_forever, text.score_start) {
        (true, Some(at)) => Cow::Owned(format!("{}\nf 0 z{}", &code[..at], &code[at..])),
        _ => Cow::Borrowed(code),
    }
}

/// What runs once the patch started: an effect's notes kept away from its instruments,
/// and a score to hold a patch without one open. Returns whether host notes reach the
/// patch's instruments.
fn after_start(
    csound: &mut Csound,
    config: &EngineConfig,
    metadata: &Metadata,
    native_midi: bool,
    text: &TextFacts,
) -> Result<bool, String> {
    // An effect that chose native MIDI only because it is an effect (no MIDI opcodes, no
    // metadata) must not have host notes start its instruments: Csound maps channel n to
    // instr n by default, which would start a second always-on instrument.
    let auto_native = config.native_midi.is_none() && metadata.midi.mode.is_none();
    let silenced = native_midi && auto_native && config.is_effect && !text.uses_midi_opcodes;
    if silenced {
        csound
            .compile_orc("massign 0, 0\n")
            .map_err(|e| e.to_string())?;
    }
    if config.run_forever && text.score_start.is_none() {
        // No score section to hold it.
        csound.read_score("f0 z\n").map_err(|e| e.to_string())?;
    }
    Ok(!silenced)
}

/// Writes what the declared controls start at (their defaults, or the values the
/// metadata saved) and the metadata's `[strings]` (a Cabbage filebutton's file) before
/// the warm-up's first cycles start the score's instruments, so an i-time `chnget` there
/// reads them. The parameter model written afterwards takes over from them.
fn write_start_values(
    csound: &mut Csound,
    cabbage: &[Control],
    metadata: &Metadata,
    declared: &[ChannelInfo],
) {
    let controls = merge_declared(
        cabbage.to_vec(),
        declared.iter().filter_map(control_from_chn_k),
    );
    for control in &controls {
        let value = metadata.start_value(control);
        if control.source == ControlSource::CabbageText {
            crate::engine::text_target(csound, control, Some(value));
        } else {
            csound.set_control_channel(&control.channel, value);
        }
    }
    for (channel, text) in &metadata.strings {
        if let (Ok(channel), Ok(text)) =
            (CString::new(channel.as_str()), CString::new(text.as_str()))
        {
            csound.set_string_channel(&channel, &text);
        }
    }
}

/// Performs `cycles` silent k-cycles, so the first host block does not pay for the
/// instruments' first-cycle set-up, and returns the block adapter primed with the last.
fn warm_up(csound: &mut Csound, cycles: usize) -> BlockAdapter {
    let mut adapter = BlockAdapter::new(
        csound.ksmps(),
        csound.nchnls_input(),
        csound.nchnls(),
        csound.zero_dbfs(),
    );
    let mut warmed_up = false;
    for _ in 0..cycles {
        csound.spin().fill(0.0);
        if csound.perform_ksmps() {
            break;
        }
        warmed_up = true;
    }
    if warmed_up {
        adapter.prime(csound.spout());
    }
    adapter
}

/// Score mode's note handling: the instrument each MIDI channel plays (metadata, else
/// the configuration's) and as many p-fields as those instruments read.
fn score_notes(config: &EngineConfig, metadata: &Metadata, code: &str, a4: f64) -> ScoreNotes {
    let instruments: [u32; 16] = std::array::from_fn(|c| {
        let named = metadata.midi.instrument.is_some()
            || metadata.midi.channels.contains_key(&(c + 1).to_string());
        if named {
            metadata.instrument_for(c as u8)
        } else {
            config.note_instrument.max(1)
        }
    });
    // Each instrument once: usually all channels play the same one.
    let mut distinct = instruments.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let pfields = distinct
        .into_iter()
        .map(|i| facts::pfields_read(code, i))
        .max()
        .unwrap_or(5);
    ScoreNotes::new(instruments, pfields, a4)
}

/// The values the patch shows: output channels (`chn_k "x", 2` or 3; Csound may add the
/// input flag once the patch writes them with `chnset`), then Cabbage display widgets
/// (meters), then names used with `outvalue` (served by its callback). Our own
/// host-information channels are inputs, and so are Cabbage input widgets' channels.
fn outputs(
    csound: &mut Csound,
    code: &str,
    cabbage: &[Control],
    declared: &[ChannelInfo],
) -> (Vec<ChannelId>, Arc<OutputValues>) {
    let outvalues = facts::outvalue_names(code);
    // A Cabbage widget's channel is an input the patch may also write (`chnset` in the
    // header for plain Csound, or to move the widget): not a value to show.
    let widgets: Vec<&str> = cabbage.iter().map(|c| c.channel.as_str()).collect();
    let mut names = Vec::new();
    let mut ranges = Vec::new();
    for c in as_declared(csound.control_channels(), declared) {
        let shown =
            c.output && c.hints.is_none_or(|_| !c.input) && !widgets.contains(&c.name.as_str());
        if shown && !outvalues.contains(&c.name) && !HOST_CHANNELS.contains(&c.name.as_str()) {
            ranges.push(c.hints.map(|h| (h.min, h.max)).filter(|(lo, hi)| lo < hi));
            names.push(c.name);
        }
    }
    for name in cabbage_displays(code) {
        if !names.contains(&name) {
            names.push(name);
            // Cabbage meters show 0..1.
            ranges.push(Some((0.0, 1.0)));
        }
    }
    let ids: Vec<ChannelId> = names
        .iter()
        .filter_map(|n| csound.control_channel(n, ChannelMode::Output).ok())
        .collect();
    names.truncate(ids.len());
    ranges.truncate(ids.len());
    let named: Vec<String> = outvalues
        .into_iter()
        .filter(|n| !names.contains(n))
        .collect();
    csound.named_values().outputs = named.iter().map(|n| (n.clone(), 0.0)).collect();
    ranges.resize(names.len() + named.len(), None);
    let values = OutputValues::with_ranges(names.into_iter().chain(named).collect(), ranges);
    (ids, Arc::new(values))
}
