//! Files a patch links rather than carries: the `[files]` table of `<CsoundPlug>` maps a
//! name the patch reads to where the file was when it was linked and its SHA-256, so a
//! file moved within the sample folders is found again by its contents:
//!
//! ```toml
//! [files]
//! "kick.wav" = { path = "/home/jo/Samples/kick.wav", sha256 = "9f86…", size = 48044 }
//! ```

use crate::metadata::{edit_metadata, metadata};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a linked file was, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Its absolute path when it was linked.
    pub path: PathBuf,
    /// The SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size in bytes (files of another size are not hashed when it is looked for).
    pub size: u64,
}

/// The files `code` links, by the name the patch reads them by (none when its metadata
/// cannot be read: that is reported where the metadata is).
pub fn links(code: &str) -> BTreeMap<String, Link> {
    metadata(code)
        .ok()
        .flatten()
        .map(|m| m.files)
        .unwrap_or_default()
}

/// `code` linking `name` to `link` (replacing an earlier link of that name).
pub fn with_link(code: &str, name: &str, link: &Link) -> Result<String, String> {
    edit_metadata(code, |doc| {
        let files = doc
            .entry("files")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let mut entry = toml_edit::InlineTable::new();
        entry.insert("path", link.path.display().to_string().into());
        entry.insert("sha256", link.sha256.as_str().into());
        entry.insert("size", i64::try_from(link.size).unwrap_or(i64::MAX).into());
        files[name] = toml_edit::value(entry);
    })
}

/// `code` without the link of `name` (the `[files]` table goes when it empties).
pub fn without_link(code: &str, name: &str) -> Result<String, String> {
    edit_metadata(code, |doc| {
        let empty = match doc.get_mut("files").and_then(|f| f.as_table_like_mut()) {
            Some(files) => {
                files.remove(name);
                files.is_empty()
            }
            None => false,
        };
        if empty {
            doc.remove("files");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
        <CsoundPlug>\nname = \"Kit\"\n</CsoundPlug>\n</CsoundSynthesizer>\n";

    #[test]
    fn links_are_written_read_and_removed_in_the_metadata() {
        let kick = Link {
            path: PathBuf::from("/home/jo/Samples/kick.wav"),
            sha256: "ab".repeat(32),
            size: 48_044,
        };
        let code = with_link(PATCH, "kick.wav", &kick).unwrap();
        let code = with_link(
            &code,
            "drums/snare.wav",
            &Link {
                size: 7,
                ..kick.clone()
            },
        )
        .unwrap();
        let read = links(&code);
        assert_eq!(read.len(), 2);
        assert_eq!(read["kick.wav"], kick);
        assert_eq!(read["drums/snare.wav"].size, 7);
        // The rest of the section stays.
        assert!(code.contains("name = \"Kit\""));
        let code = without_link(&code, "kick.wav").unwrap();
        assert_eq!(links(&code).len(), 1);
        let code = without_link(&code, "drums/snare.wav").unwrap();
        assert!(links(&code).is_empty());
        assert!(!code.contains("[files]"));
        // A patch without metadata gets a section.
        let bare = "<CsoundSynthesizer>\n</CsoundSynthesizer>\n";
        assert_eq!(links(&with_link(bare, "a.wav", &kick).unwrap()).len(), 1);
    }
}
