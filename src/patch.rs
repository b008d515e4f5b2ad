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
//! </CsoundPlug>
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// Saved parameter values by channel name.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
}

impl Metadata {
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

/// The text of a `<Name>` … `</Name>` section of a `.csd`, if present.
pub fn section<'a>(csd: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = csd.find(&open)? + open.len();
    let end = csd[start..].find(&close)? + start;
    Some(&csd[start..end])
}

/// The patch's metadata: `Ok(None)` without a section, `Err` with a one-line reason
/// when the section is not valid TOML of the expected shape.
pub fn metadata(csd: &str) -> Result<Option<Metadata>, String> {
    let Some(text) = section(csd, "CsoundPlug") else {
        return Ok(None);
    };
    let metadata: Metadata = toml::from_str(text).map_err(|e| {
        let message = e.message().to_string();
        match e.span() {
            Some(span) => {
                // The line inside the .csd, for the user's editor.
                let before = &csd[..csd.find("<CsoundPlug>").unwrap_or(0)];
                let line = before.lines().count() + text[..span.start].lines().count();
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
