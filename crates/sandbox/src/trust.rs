//! The code the user allowed to reach outside the audio, remembered on this machine by
//! content hash: a file of SHA-256 hex digests, one per line, in the data folder
//! (`~/.local/share/csound-plug/allowed-code`, or `$CSOUND_PLUG_ALLOWED`).
//!
//! The hash leaves out the `<CsoundPlug>` section, which Csound never reads: saving a
//! preset (new name, new parameter values) keeps the code allowed; any change to what
//! Csound runs needs a new permission.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;

/// The allow list's file.
pub fn allow_list_path() -> Option<PathBuf> {
    match std::env::var_os("CSOUND_PLUG_ALLOWED") {
        Some(path) => Some(PathBuf::from(path)),
        None => Some(dirs::data_dir()?.join("csound-plug").join("allowed-code")),
    }
}

/// The hash that identifies `code`'s Csound part.
pub fn code_hash(code: &str) -> String {
    let csound_part = match (code.find("<CsoundPlug>"), code.find("</CsoundPlug>")) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &code[..start], &code[end + "</CsoundPlug>".len()..])
        }
        _ => code.to_string(),
    };
    Sha256::digest(csound_part.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether the user allowed `code` on this machine.
pub fn is_allowed(code: &str) -> bool {
    let Some(path) = allow_list_path() else {
        return false;
    };
    let Ok(list) = std::fs::read_to_string(path) else {
        return false;
    };
    let hash = code_hash(code);
    list.lines().any(|line| line.trim() == hash)
}

/// Remembers that the user allowed `code`.
pub fn allow(code: &str) -> Result<(), String> {
    if is_allowed(code) {
        return Ok(());
    }
    let path = allow_list_path().ok_or("this machine has no data folder for the allow list")?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create '{}': {e}", folder.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open '{}': {e}", path.display()))?;
    writeln!(file, "{}", code_hash(code))
        .map_err(|e| format!("cannot write '{}': {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_does_not_change_the_hash_but_code_does() {
        let code = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
                    <CsoundPlug>\nname = \"A\"\n</CsoundPlug>\n</CsoundSynthesizer>\n";
        let renamed = code.replace("name = \"A\"", "name = \"B\"\n[params]\ngain = 0.5");
        assert_eq!(code_hash(code), code_hash(&renamed));
        assert_ne!(
            code_hash(code),
            code_hash(&code.replace("instr 1", "instr 2"))
        );
        assert_eq!(code_hash("").len(), 64);
    }
}
