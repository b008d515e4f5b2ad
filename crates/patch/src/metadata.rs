//! A patch is `.csd` text; this reads the plugin's own `<CsoundPlug>` section, TOML that
//! Csound ignores (it prints a notice for unknown sections), so a patch written by the
//! plugin still runs in the `csound` command line and other front ends:
//!
//! ```toml
//! <CsoundPlug>
//! name = "Warm Pad"
//! author = "Jo"
//! description = "Slow strings"
//! category = "synths"
//! tags = ["pad"]
//! ksmps = 64              # overrides the orchestra's ksmps in the plugin
//! follow_transport = true # the score restarts at the song position on play and locate
//! crossfade_ms = 50       # fade from the running patch to this one (default 20)
//! [midi]
//! mode = "score"          # or "native"; chosen from the code when absent
//! instrument = 2          # the instrument score-mode notes play (default 1)
//! channels = { 10 = 5 }   # MIDI channel 10 plays instrument 5
//! [buses]
//! fold = true             # channels without a host bus mix into the main one (else dropped)
//! outputs = ["Mix", "Kick", "Snare"] # bus names, a pair of channels each
//! inputs = ["In", "Side-chain"]
//! </CsoundPlug>
//! ```
//!
//! `knobs = ["cutoff", "resonance"]` (before any table) draws those controls as knobs in
//! the editor; `[params]` holds saved parameter values; `[files]` the files it links
//! ([`crate::links`]); `[strings]` string channels set when it starts (a Cabbage
//! `filebutton`'s file).

use crate::controls::Control;
use crate::csd::Csd;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The section's name: `<CsoundPlug>`.
const SECTION: &str = "CsoundPlug";

/// How host MIDI reaches the patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MidiMode {
    /// Notes become score events for an instrument.
    Score,
    /// Bytes go to Csound's own MIDI system.
    Native,
}

/// The `[midi]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MidiMetadata {
    /// Score or native; `None` chooses from the code.
    pub mode: Option<MidiMode>,
    /// The instrument score-mode notes play.
    pub instrument: Option<u32>,
    /// Per MIDI channel (1–16, as text keys) the instrument its notes play.
    #[serde(default)]
    pub channels: BTreeMap<String, u32>,
}

/// The `[buses]` table: how the patch's channels meet the host's buses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusMetadata {
    /// Output channels without a host bus (past the host's, on a bus it left inactive)
    /// are mixed into the main bus (channel n into n mod its width) instead of dropped.
    #[serde(default)]
    pub fold: bool,
    /// Names of the output buses, one per pair of Csound channels: the main bus
    /// (channels 1–2), then each auxiliary bus (3–4, 5–6, …).
    #[serde(default)]
    pub outputs: Vec<String>,
    /// Names of the input buses likewise: channels 1–2 (the effect's main input, the
    /// instrument's side-chain), then 3–4 (the effect's side-chain).
    #[serde(default)]
    pub inputs: Vec<String>,
}

/// The `<CsoundPlug>` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Preset name.
    pub name: Option<String>,
    /// Who made it.
    pub author: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// Category in the preset browser.
    pub category: Option<String>,
    /// Search tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// ksmps override in the plugin.
    pub ksmps: Option<u32>,
    /// Length of the crossfade when this patch replaces the running one, in ms (20 when
    /// absent; 0 switches at once).
    pub crossfade_ms: Option<f64>,
    /// The patch's score follows the host's transport: it restarts at the song position
    /// when playback starts and when the host jumps to another position.
    #[serde(default)]
    pub follow_transport: bool,
    /// MIDI routing.
    #[serde(default)]
    pub midi: MidiMetadata,
    /// Channels and buses.
    #[serde(default)]
    pub buses: BusMetadata,
    /// Saved parameter values by channel name.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Channels the editor draws as knobs (sliders otherwise; Cabbage `rslider`s are
    /// knobs anyway).
    #[serde(default)]
    pub knobs: Vec<String>,
    /// Files the patch links by name (see [`crate::links`]).
    #[serde(default)]
    pub files: BTreeMap<String, crate::links::Link>,
    /// String channels set when the patch starts (`[strings] file = "kick.wav"`): what a
    /// Cabbage `filebutton` chose.
    #[serde(default)]
    pub strings: BTreeMap<String, String>,
}

impl Metadata {
    /// The value `control` starts at: the one the patch was saved with (`[params]`),
    /// kept inside its range, else its declared default. The one rule for start values.
    pub fn start_value(&self, control: &Control) -> f64 {
        match self.params.get(&control.channel) {
            Some(v) if v.is_finite() => {
                v.clamp(control.min.min(control.max), control.max.max(control.min))
            }
            _ => control.default,
        }
    }

    /// The instrument notes on MIDI channel `channel` (0-based) play.
    pub fn instrument_for(&self, channel: u8) -> u32 {
        self.midi
            .channels
            .get(&(channel + 1).to_string())
            .copied()
            .or(self.midi.instrument)
            .unwrap_or(1)
            .max(1)
    }
}

/// `csd` with its `<CsoundPlug>` section changed by `edit`, which gets the section's TOML
/// (empty when the patch has none; the section is then added before
/// `</CsoundSynthesizer>`). Comments and keys `edit` leaves alone stay as they were.
pub fn edit_metadata(
    csd: &str,
    edit: impl FnOnce(&mut toml_edit::DocumentMut),
) -> Result<String, String> {
    const OPEN: &str = "<CsoundPlug>";
    const CLOSE: &str = "</CsoundPlug>";
    metadata(csd)?;
    let parsed = Csd::parse(csd);
    let (before, text, after) = match parsed.section(SECTION) {
        Some(section) if !section.closed => {
            return Err(format!("<{SECTION}> has no closing tag </{SECTION}>"))
        }
        Some(section) => (
            &csd[..section.body_start],
            section.body,
            &csd[section.body_end()..],
        ),
        None => ("", "", ""),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("<CsoundPlug>: {e}"))?;
    edit(&mut doc);
    let mut toml = doc.to_string();
    if !toml.starts_with('\n') {
        toml.insert(0, '\n');
    }
    if !toml.ends_with('\n') {
        toml.push('\n');
    }
    let edited = if before.is_empty() {
        // No section yet: a new one just before the end tag, or at the end.
        let section = format!("{OPEN}{toml}{CLOSE}\n");
        match csd.rfind("</CsoundSynthesizer>") {
            Some(end) => format!("{}{section}{}", &csd[..end], &csd[end..]),
            None if csd.is_empty() || csd.ends_with('\n') => format!("{csd}{section}"),
            None => format!("{csd}\n{section}"),
        }
    } else {
        format!("{before}{toml}{after}")
    };
    metadata(&edited)?;
    Ok(edited)
}

/// `csd` saved as the preset `name` with `values` as its saved parameter values (the
/// `[params]` table is replaced; the rest of the section is kept).
pub fn with_saved_values(
    csd: &str,
    name: &str,
    values: &BTreeMap<String, f64>,
) -> Result<String, String> {
    edit_metadata(csd, |doc| {
        doc["name"] = toml_edit::value(name);
        let mut params = toml_edit::Table::new();
        for (channel, value) in values {
            params[channel.as_str()] = toml_edit::value(*value);
        }
        doc["params"] = toml_edit::Item::Table(params);
    })
}

/// `csd` with the string channel `channel` set to `text` when it starts (`[strings]`).
pub fn with_string(csd: &str, channel: &str, text: &str) -> Result<String, String> {
    edit_metadata(csd, |doc| {
        if !doc.contains_table("strings") {
            doc["strings"] = toml_edit::Item::Table(toml_edit::Table::new());
        }
        doc["strings"][channel] = toml_edit::value(text);
    })
}

/// The patch's metadata: `Ok(None)` without a section, `Err` with a one-line reason
/// when the section is not valid TOML of the expected shape.
pub fn metadata(csd: &str) -> Result<Option<Metadata>, String> {
    let parsed = Csd::parse(csd);
    let Some(section) = parsed.section(SECTION) else {
        return Ok(None);
    };
    let metadata: Metadata = toml::from_str(section.body).map_err(|e| {
        let message = e.message().to_string();
        match e.span() {
            Some(span) => {
                // The line inside the .csd, for the user's editor.
                let line = parsed.line_of(section.body_start + span.start);
                format!("<CsoundPlug> line {line}: {message}")
            }
            None => format!("<CsoundPlug>: {message}"),
        }
    })?;
    for key in metadata.midi.channels.keys() {
        match key.parse::<u8>() {
            Ok(1..=16) => {}
            _ => return Err(format!("<CsoundPlug>: MIDI channel '{key}' is not 1 to 16")),
        }
    }
    Ok(Some(metadata))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
        <CsoundPlug>\nname = \"Pad\"\ntags = [\"warm\", \"slow\"]\nksmps = 64\n\
        [midi]\nmode = \"score\"\ninstrument = 2\nchannels = { 10 = 5 }\n[params]\ncutoff = 800.0\n\
        </CsoundPlug>\n</CsoundSynthesizer>\n";

    #[test]
    fn string_channels_are_kept_in_the_section() {
        let code = with_string(PATCH, "file", "kick.wav").unwrap();
        let code = with_string(&code, "other", "a b\"c").unwrap();
        let code = with_string(&code, "file", "snare.wav").unwrap();
        let m = metadata(&code).unwrap().unwrap();
        assert_eq!(m.strings["file"], "snare.wav");
        assert_eq!(m.strings["other"], "a b\"c");
        assert_eq!(m.params["cutoff"], 800.0, "the rest is kept");
        let bare = "<CsoundSynthesizer>\n</CsoundSynthesizer>\n";
        let m = metadata(&with_string(bare, "f", "x.wav").unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(m.strings["f"], "x.wav");
    }

    #[test]
    fn metadata_is_read() {
        let m = metadata(PATCH).unwrap().unwrap();
        assert_eq!(m.name.as_deref(), Some("Pad"));
        assert_eq!(m.tags, vec!["warm", "slow"]);
        assert_eq!(m.ksmps, Some(64));
        assert_eq!(m.midi.mode, Some(MidiMode::Score));
        assert_eq!(m.instrument_for(0), 2);
        assert_eq!(m.instrument_for(9), 5);
        assert_eq!(m.params["cutoff"], 800.0);
        assert_eq!(
            metadata("<CsoundSynthesizer></CsoundSynthesizer>").unwrap(),
            None
        );
    }

    #[test]
    fn saved_values_replace_the_params_and_keep_the_rest() {
        let mut values = BTreeMap::new();
        values.insert("cutoff".to_string(), 0.1 + 0.2);
        values.insert("odd name ♪".to_string(), -3.0);
        let commented = PATCH.replace("ksmps = 64", "ksmps = 64 # keep me");
        let saved = with_saved_values(&commented, "Mine", &values).unwrap();
        assert!(saved.contains("ksmps = 64 # keep me"), "{saved}");
        let m = metadata(&saved).unwrap().unwrap();
        assert_eq!(m.name.as_deref(), Some("Mine"));
        assert_eq!(m.params, values);
        assert_eq!(m.midi.instrument, Some(2));
        // Without a section, one is added before the end tag.
        let bare = "<CsoundSynthesizer>\n<CsInstruments>\n</CsInstruments>\n</CsoundSynthesizer>\n";
        let saved = with_saved_values(bare, "New", &values).unwrap();
        assert!(
            saved.ends_with("</CsoundPlug>\n</CsoundSynthesizer>\n"),
            "{saved}"
        );
        assert_eq!(metadata(&saved).unwrap().unwrap().params, values);
        // Broken metadata is not overwritten.
        assert!(with_saved_values(&PATCH.replace("ksmps = 64", "ksmps ="), "X", &values).is_err());
    }

    #[test]
    fn bad_metadata_names_its_line() {
        let bad = PATCH.replace("ksmps = 64", "ksmps = \"lots\"");
        let err = metadata(&bad).unwrap_err();
        assert!(err.contains("line 9"), "{err}");
        let unknown = PATCH.replace("ksmps = 64", "colour = 1");
        assert!(metadata(&unknown).unwrap_err().contains("colour"));
        let channel = PATCH.replace("10 = 5", "17 = 5");
        assert!(metadata(&channel).unwrap_err().contains("'17'"));
    }
}
