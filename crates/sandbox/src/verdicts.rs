//! Pre-check passes remembered on this machine, so code is checked once, not at every
//! activation, and a session reopened after a restart of the DAW opens as fast as one
//! reopened in the same run: the plugin's first block then plays the patch, with no wait
//! for a check.
//!
//! A pass is remembered by a SHA-256 of everything the verdict depends on: the whole code
//! (the `<CsoundPlug>` section too, since it routes the test notes), the configuration,
//! whether the user allowed the code to reach outside the audio, the Csound version and
//! this build's version. Refusals are never remembered: a refused patch is checked again
//! each time, so a fix in Csound or here is seen at once. Non-finite output found by the
//! check is remembered with the pass, so the warning shows again.
//!
//! The file is `~/.local/share/csound-plug/passed-checks` (JSON lines), or
//! `$CSOUND_PLUG_VERDICTS`; an empty `$CSOUND_PLUG_VERDICTS` keeps passes in this process
//! only (the test command does so, so that every test run checks afresh).

use crate::precheck::Playing;
use csound_plug_engine::EngineConfig;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// Lines the file may hold before it is rewritten with the newest half.
const MAX_LINES: usize = 10_000;

/// One remembered pass.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    key: String,
    /// Where the check found NaN or infinite samples.
    #[serde(default)]
    non_finite: Vec<String>,
}

/// The key of a verdict on `code` run with `config`, `allowed` or not, playing `playing`.
pub fn key(code: &str, config: &EngineConfig, allowed: bool, playing: &Playing) -> String {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    hash.update(format!(
        "\ncsound {}\n",
        csound_plug_engine::csound::version()
    ));
    hash.update(format!("allowed {allowed}\n"));
    hash.update(format!("{playing:?}\n"));
    hash.update(serde_json::to_string(config).unwrap_or_default());
    hash.update("\n");
    hash.update(code);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The file passes are kept in; `None` keeps them in this process only.
pub fn file() -> Option<PathBuf> {
    match std::env::var_os("CSOUND_PLUG_VERDICTS") {
        Some(path) if path.is_empty() => None,
        Some(path) => Some(PathBuf::from(path)),
        None => Some(dirs::data_dir()?.join("csound-plug").join("passed-checks")),
    }
}

/// The passes known to this process: the file's, read at first use, and new ones.
fn memory() -> std::sync::MutexGuard<'static, HashMap<String, Vec<String>>> {
    static MEMORY: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    MEMORY
        .get_or_init(|| Mutex::new(read_file()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn read_file() -> HashMap<String, Vec<String>> {
    let Some(path) = file() else {
        return HashMap::new();
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return HashMap::new();
    };
    let lines: Vec<Line> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    if lines.len() > MAX_LINES {
        // Keep the newest half; a failed rewrite only costs checks.
        let kept = &lines[lines.len() - MAX_LINES / 2..];
        let text: String = kept
            .iter()
            .filter_map(|line| serde_json::to_string(line).ok())
            .map(|line| line + "\n")
            .collect();
        let _ = std::fs::write(&path, text);
        return kept
            .iter()
            .map(|line| (line.key.clone(), line.non_finite.clone()))
            .collect();
    }
    lines
        .into_iter()
        .map(|line| (line.key, line.non_finite))
        .collect()
}

/// Whether the code of `key` passed before; with where it made non-finite samples.
pub fn passed(key: &str) -> Option<Vec<String>> {
    memory().get(key).cloned()
}

/// Remembers that the code of `key` passed. The file is appended to; when it cannot be
/// written, the pass is still remembered in this process and the error returned.
pub fn remember(key: &str, non_finite: &[String]) -> Result<(), String> {
    {
        let mut memory = memory();
        if memory.contains_key(key) {
            return Ok(());
        }
        memory.insert(key.to_string(), non_finite.to_vec());
    }
    let Some(path) = file() else {
        return Ok(());
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create '{}': {e}", folder.display()))?;
    }
    let line = serde_json::to_string(&Line {
        key: key.to_string(),
        non_finite: non_finite.to_vec(),
    })
    .map_err(|e| e.to_string())?;
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open '{}': {e}", path.display()))?;
    writeln!(out, "{line}").map_err(|e| format!("cannot write '{}': {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_everything_the_verdict_depends_on() {
        let config = EngineConfig::plugin(48_000.0, false);
        let code = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
                    </CsoundSynthesizer>\n";
        let plugin = Playing::plugin();
        let key =
            |code: &str, config: &EngineConfig, allowed: bool| key(code, config, allowed, &plugin);
        let base = key(code, &config, false);
        assert_eq!(base, key(code, &config, false));
        assert_eq!(base.len(), 64);
        assert_ne!(base, key(code, &config, true));
        assert_ne!(
            base,
            key(&code.replace("instr 1", "instr 2"), &config, false)
        );
        let scored = Playing {
            extra_score: Some("i 1 0 1".into()),
            test_notes: false,
        };
        assert_ne!(base, super::key(code, &config, false, &scored));
        let with_metadata = code.replace(
            "</CsoundSynthesizer>",
            "<CsoundPlug>\n[midi]\ninstrument = 2\n</CsoundPlug>\n</CsoundSynthesizer>",
        );
        assert_ne!(base, key(&with_metadata, &config, false));
        let other = EngineConfig::plugin(44_100.0, false);
        assert_ne!(base, key(code, &other, false));
    }
}
