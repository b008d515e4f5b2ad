//! The user's settings, shared by the plugin, the standalone and the command line: a
//! small TOML file, `$CSOUND_PLUG_SETTINGS` or `~/.config/csound-plug/settings.toml`.
//!
//! ```toml
//! sample_folders = ["/home/jo/Samples", "/home/jo/Impulses"]
//! embed_cap_mb = 100   # the most one patch embeds
//! ```

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The variable naming another settings file (tests keep theirs apart).
pub const SETTINGS_VARIABLE: &str = "CSOUND_PLUG_SETTINGS";

/// What the user set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Folders a patch's relative file names are looked for in after its own folder
    /// (and where a linked file that moved is looked for by its contents).
    pub sample_folders: Vec<PathBuf>,
    /// The most one patch embeds, in MB (the editor refuses more and suggests linking).
    pub embed_cap_mb: u64,
}

/// The default cap on what one patch embeds, in MB.
pub const DEFAULT_EMBED_CAP_MB: u64 = 100;

impl Default for Settings {
    fn default() -> Self {
        Self {
            sample_folders: Vec::new(),
            embed_cap_mb: DEFAULT_EMBED_CAP_MB,
        }
    }
}

impl Settings {
    /// The settings file: `$CSOUND_PLUG_SETTINGS`, else in the user's config folder.
    pub fn path() -> Option<PathBuf> {
        match std::env::var_os(SETTINGS_VARIABLE) {
            Some(file) if !file.is_empty() => Some(PathBuf::from(file)),
            _ => dirs::config_dir().map(|d| d.join("csound-plug").join("settings.toml")),
        }
    }

    /// The user's settings: the defaults when there is no file; an unreadable one is an
    /// error naming it.
    pub fn load() -> Result<Self, String> {
        match Self::path() {
            Some(path) => Self::load_from(&path),
            None => Ok(Self::default()),
        }
    }

    /// The settings in `path` (the defaults when it does not exist).
    pub fn load_from(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The user's settings, or the defaults when they cannot be read (for callers that
    /// cannot stop over it; the editor shows the error).
    pub fn load_or_default() -> Self {
        Self::load().unwrap_or_default()
    }

    /// Writes the settings to the user's settings file.
    pub fn save(&self) -> Result<(), String> {
        let path = Self::path().ok_or("no config folder is known on this system")?;
        self.save_to(&path)
    }

    /// Writes the settings to `path`, creating its folder.
    pub fn save_to(&self, path: &Path) -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let text = toml::to_string(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The sample folders that exist, in order.
    pub fn existing_sample_folders(&self) -> Vec<PathBuf> {
        self.sample_folders
            .iter()
            .filter(|f| f.is_dir())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("settings.toml");
        assert_eq!(Settings::load_from(&path).unwrap(), Settings::default());
        let settings = Settings {
            sample_folders: vec![dir.path().to_path_buf(), dir.path().join("gone")],
            ..Settings::default()
        };
        settings.save_to(&path).unwrap();
        assert_eq!(Settings::load_from(&path).unwrap(), settings);
        assert_eq!(
            settings.existing_sample_folders(),
            [dir.path().to_path_buf()]
        );
        std::fs::write(&path, "sample_folders = 3").unwrap();
        let error = Settings::load_from(&path).unwrap_err();
        assert!(error.contains("settings.toml"), "{error}");
    }
}
