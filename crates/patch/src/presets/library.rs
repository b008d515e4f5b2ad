//! The user preset folder: save, load, rename, delete, import and export `.csd` presets,
//! listed together with the factory ones.
//!
//! A user preset is a `.csd` named after the preset; its `<CsoundPlug>` section holds the
//! name and the saved parameter values, so the file alone is the whole preset and can be
//! shared as it is.

use super::{factory, sort, Origin, Preset};
use crate::metadata;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Overrides the user preset folder (tests, portable setups).
pub const PRESET_DIR_VARIABLE: &str = "CSOUND_PLUG_PRESET_DIR";

/// The factory presets and one user preset folder.
#[derive(Debug, Clone)]
pub struct Library {
    user_dir: PathBuf,
}

/// All presets, and user files that could not be read.
#[derive(Debug, Default)]
pub struct Listing {
    /// Factory and user presets by category and name.
    pub presets: Vec<Preset>,
    /// One line per unreadable user file.
    pub problems: Vec<String>,
}

impl Library {
    /// The library with its user presets in `user_dir` (created when first saved to).
    pub fn new(user_dir: impl Into<PathBuf>) -> Self {
        Self {
            user_dir: user_dir.into(),
        }
    }

    /// The library in `$CSOUND_PLUG_PRESET_DIR`, else the user's data folder
    /// (`~/.local/share/csound-plug/presets` on Linux).
    pub fn user_default() -> Result<Self, String> {
        match std::env::var_os(PRESET_DIR_VARIABLE) {
            Some(dir) if !dir.is_empty() => Ok(Self::new(dir)),
            _ => dirs::data_dir()
                .map(|d| Self::new(d.join("csound-plug").join("presets")))
                .ok_or_else(|| "no user data folder is known on this system".to_string()),
        }
    }

    /// The user preset folder.
    pub fn user_dir(&self) -> &Path {
        &self.user_dir
    }

    /// Factory and user presets by category and name.
    pub fn list(&self) -> Listing {
        let mut listing = Listing {
            presets: factory(),
            problems: Vec::new(),
        };
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.user_dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| is_csd(p))
                .collect(),
            // No folder yet: no user presets.
            Err(_) => Vec::new(),
        };
        files.sort();
        for path in files {
            match read_csd(&path) {
                Ok(code) => {
                    let stem = file_stem(&path);
                    listing
                        .presets
                        .push(Preset::from_code(code, &stem, Origin::User(path)));
                }
                Err(e) => listing.problems.push(e),
            }
        }
        sort(&mut listing.presets);
        listing
    }

    /// The preset called `name` (case does not matter; a file name works too). User
    /// presets come first; `factory:NAME` or `user:NAME` picks one kind.
    pub fn find(&self, name: &str) -> Result<Preset, String> {
        let (kind, wanted) = match name.split_once(':') {
            Some(("factory", rest)) => (Some(true), rest),
            Some(("user", rest)) => (Some(false), rest),
            _ => (None, name),
        };
        let wanted = wanted.trim().to_lowercase();
        let mut presets = self.list().presets;
        // User presets first.
        presets.sort_by_key(Preset::is_factory);
        presets
            .into_iter()
            .filter(|p| kind.is_none_or(|factory| p.is_factory() == factory))
            .find(|p| p.name.to_lowercase() == wanted || stem_of(p).is_some_and(|s| s == wanted))
            .ok_or_else(|| format!("no preset is called '{name}' (see `csound-plug presets list`)"))
    }

    /// Saves `code` as the user preset `name` with `values` as its saved parameter values,
    /// replacing a user preset of that name. Returns the saved preset.
    pub fn save(
        &self,
        name: &str,
        code: &str,
        values: &BTreeMap<String, f64>,
    ) -> Result<Preset, String> {
        let name = checked_name(name)?;
        let text = metadata::with_saved_values(code, name, values)?;
        let path = match self.find_user(name) {
            Some(existing) => existing,
            None => self.free_path(name),
        };
        self.write(&path, &text)?;
        Ok(Preset::from_code(text, name, Origin::User(path)))
    }

    /// Renames the user preset `old` to `new` (its file follows).
    pub fn rename(&self, old: &str, new: &str) -> Result<Preset, String> {
        let new = checked_name(new)?;
        let path = self
            .find_user(old)
            .ok_or_else(|| format!("no user preset is called '{old}'"))?;
        if let Some(other) = self.find_user(new) {
            if other != path {
                return Err(format!("a user preset called '{new}' exists already"));
            }
        }
        let code = read_csd(&path)?;
        let text = metadata::edit_metadata(&code, |doc| doc["name"] = toml_edit::value(new))?;
        let target = if file_stem(&path) == file_name_for(new) {
            path.clone()
        } else {
            self.free_path(new)
        };
        self.write(&target, &text)?;
        if target != path {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove '{}': {e}", path.display()))?;
        }
        Ok(Preset::from_code(text, new, Origin::User(target)))
    }

    /// Deletes the user preset `name`. Factory presets cannot be deleted.
    pub fn delete(&self, name: &str) -> Result<(), String> {
        let path = self
            .find_user(name)
            .ok_or_else(|| format!("no user preset is called '{name}'"))?;
        std::fs::remove_file(&path).map_err(|e| format!("cannot delete '{}': {e}", path.display()))
    }

    /// Copies any `.csd` into the user folder as a preset (named by its metadata, else its
    /// file name; a taken name gets a number).
    pub fn import(&self, file: &Path) -> Result<Preset, String> {
        let code = read_csd(file)?;
        if !code.contains("<CsoundSynthesizer>") {
            return Err(format!(
                "'{}' is not a Csound .csd file (no <CsoundSynthesizer>)",
                file.display()
            ));
        }
        metadata::metadata(&code).map_err(|e| format!("{}: {e}", file.display()))?;
        let preset = Preset::from_code(code, &file_stem(file), Origin::Factory);
        let mut name = preset.name.clone();
        let mut n = 2;
        while self.find_user(&name).is_some() {
            name = format!("{} {n}", preset.name);
            n += 1;
        }
        let text = if name == preset.name {
            preset.code
        } else {
            metadata::edit_metadata(&preset.code, |doc| {
                doc["name"] = toml_edit::value(name.as_str())
            })?
        };
        let path = self.free_path(&name);
        self.write(&path, &text)?;
        Ok(Preset::from_code(text, &name, Origin::User(path)))
    }

    /// Writes the preset `name` to `file` as it is.
    pub fn export(&self, name: &str, file: &Path) -> Result<Preset, String> {
        let preset = self.find(name)?;
        std::fs::write(file, &preset.code)
            .map_err(|e| format!("cannot write '{}': {e}", file.display()))?;
        Ok(preset)
    }

    /// The file of the user preset `name`, if there is one.
    fn find_user(&self, name: &str) -> Option<PathBuf> {
        match self.find(&format!("user:{name}")).ok()?.origin {
            Origin::User(path) => Some(path),
            Origin::Factory => None,
        }
    }

    /// A path in the user folder for a new preset `name` that no file has yet.
    fn free_path(&self, name: &str) -> PathBuf {
        let stem = file_name_for(name);
        let mut path = self.user_dir.join(format!("{stem}.csd"));
        let mut n = 2;
        while path.exists() {
            path = self.user_dir.join(format!("{stem} {n}.csd"));
            n += 1;
        }
        path
    }

    /// Writes `text` to `path` through a temporary file, so a failed write leaves the old
    /// preset whole.
    fn write(&self, path: &Path, text: &str) -> Result<(), String> {
        std::fs::create_dir_all(&self.user_dir)
            .map_err(|e| format!("cannot create '{}': {e}", self.user_dir.display()))?;
        let temporary = path.with_extension("csd.saving");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&temporary);
                format!("cannot write '{}': {e}", path.display())
            })
    }
}

/// A preset name with surrounding space removed, refused when empty or multi-line.
fn checked_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a preset needs a name".into());
    }
    if name.chars().any(char::is_control) {
        return Err("a preset name is one line of text".into());
    }
    Ok(name)
}

/// A file name (without `.csd`) for a preset name: characters file systems refuse
/// become `_`.
fn file_name_for(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        "preset".into()
    } else {
        cleaned
    }
}

fn is_csd(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csd"))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// The lower-case file name of a user preset.
fn stem_of(preset: &Preset) -> Option<String> {
    match &preset.origin {
        Origin::User(path) => Some(file_stem(path).to_lowercase()),
        Origin::Factory => None,
    }
}

fn read_csd(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("'{}' is not UTF-8 text", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name_for("Warm Pad"), "Warm Pad");
        assert_eq!(file_name_for("a/b:c?"), "a_b_c_");
        assert_eq!(file_name_for(".."), "preset");
        assert_eq!(file_name_for("Ünï ♪"), "Ünï ♪");
        assert!(checked_name("  ").is_err());
        assert!(checked_name("two\nlines").is_err());
    }
}
