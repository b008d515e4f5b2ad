//! Presets: plain `.csd` files whose `<CsoundPlug>` section names them. Factory presets
//! are the `presets/` folder, embedded at build time; user presets are `.csd` files in
//! the user preset folder ([`library`]).

pub mod library;

use crate::metadata;
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/factory_presets.rs"));

/// The instrument entry's starting patch: a subtractive synth played by host notes.
pub const DEFAULT_INSTRUMENT: &str = include_str!("../../../../presets/default_instrument.csd");

/// The effect entry's starting patch: a ping-pong echo.
pub const DEFAULT_FX: &str = include_str!("../../../../presets/default_fx.csd");

/// Categories in the order a browser lists them; others follow alphabetically.
pub const CATEGORIES: &[&str] = &[
    "Synths",
    "Drums & Sequencers",
    "MIDI-Controlled",
    "Effects",
    "Utilities",
];

/// The category of a preset that names none.
pub const UNCATEGORIZED: &str = "Uncategorized";

/// Where a preset lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built into the plugin; read-only.
    Factory,
    /// A file in the user preset folder.
    User(PathBuf),
}

/// A preset: its code and what its metadata says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Display name: the metadata's `name`, else the file name.
    pub name: String,
    /// Browser category.
    pub category: String,
    /// One line about it.
    pub description: String,
    /// Who made it.
    pub author: String,
    /// Search tags.
    pub tags: Vec<String>,
    /// Factory or user file.
    pub origin: Origin,
    /// The whole `.csd` text.
    pub code: String,
    /// Why the metadata could not be read, if it could not (the preset still loads).
    pub problem: Option<String>,
}

impl Preset {
    /// A preset from `code`, named `fallback_name` when its metadata names nothing.
    pub fn from_code(code: String, fallback_name: &str, origin: Origin) -> Self {
        let (metadata, problem) = match metadata::metadata(&code) {
            Ok(m) => (m.unwrap_or_default(), None),
            Err(e) => (metadata::Metadata::default(), Some(e)),
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Self {
            name: non_empty(metadata.name).unwrap_or_else(|| fallback_name.to_string()),
            category: non_empty(metadata.category).unwrap_or_else(|| UNCATEGORIZED.into()),
            description: metadata.description.unwrap_or_default(),
            author: metadata.author.unwrap_or_default(),
            tags: metadata.tags,
            origin,
            code,
            problem,
        }
    }

    /// Whether this is a factory preset.
    pub fn is_factory(&self) -> bool {
        self.origin == Origin::Factory
    }

    /// Whether every word of `query` appears (any case) in the name, category, tags,
    /// description or author: the browser's search.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = format!(
            "{} {} {} {} {}",
            self.name,
            self.category,
            self.tags.join(" "),
            self.description,
            self.author
        )
        .to_lowercase();
        query
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// Sort key: category in [`CATEGORIES`] order, then name.
    fn order(&self) -> (usize, String, String) {
        let category = CATEGORIES
            .iter()
            .position(|c| *c == self.category)
            .unwrap_or(CATEGORIES.len());
        (
            category,
            self.category.to_lowercase(),
            self.name.to_lowercase(),
        )
    }
}

/// The factory presets, by category and name.
pub fn factory() -> Vec<Preset> {
    let mut presets: Vec<Preset> = FACTORY
        .iter()
        .map(|(stem, code)| Preset::from_code(code.to_string(), stem, Origin::Factory))
        .collect();
    sort(&mut presets);
    presets
}

/// Sorts presets by category ([`CATEGORIES`] first, in order), then name; factory before
/// user for equal names.
pub fn sort(presets: &mut [Preset]) {
    presets.sort_by_cached_key(|p| (p.order(), !p.is_factory()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factory_presets_are_named_and_categorised() {
        let presets = factory();
        assert_eq!(presets.len(), FACTORY.len());
        for p in &presets {
            assert_eq!(p.problem, None, "{}", p.name);
            assert!(
                CATEGORIES.contains(&p.category.as_str()),
                "{}: category {:?}",
                p.name,
                p.category
            );
            assert!(!p.description.is_empty(), "{} has no description", p.name);
        }
        let names: std::collections::BTreeSet<_> =
            presets.iter().map(|p| p.name.to_lowercase()).collect();
        assert_eq!(names.len(), presets.len(), "factory names are unique");
    }

    #[test]
    fn search_matches_every_word_anywhere() {
        let pad = factory()
            .into_iter()
            .find(|p| p.name == "Warm Pad")
            .expect("Warm Pad");
        assert!(pad.matches(""));
        assert!(pad.matches("warm"));
        assert!(pad.matches("SYNTHS pad"));
        assert!(pad.matches("ambient chords"), "tags");
        assert!(!pad.matches("pad reverb"));
        let hits: Vec<String> = factory()
            .into_iter()
            .filter(|p| p.matches("delay"))
            .map(|p| p.name)
            .collect();
        assert!(hits.contains(&"Ping-Pong Echo".to_string()), "{hits:?}");
    }

    #[test]
    fn presets_without_metadata_take_the_file_name() {
        let p = Preset::from_code("<CsoundSynthesizer/>".into(), "mine", Origin::Factory);
        assert_eq!(
            (p.name.as_str(), p.category.as_str()),
            ("mine", UNCATEGORIZED)
        );
        let bad = "<CsoundPlug>\nname = \n</CsoundPlug>";
        let p = Preset::from_code(bad.into(), "broken", Origin::Factory);
        assert_eq!(p.name, "broken");
        assert!(p.problem.is_some());
    }
}
