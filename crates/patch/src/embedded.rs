//! Files carried inside a `.csd`: Csound's own `<CsFileB filename="…">` sections, the
//! file's bytes in base64. Csound would write them into the working folder when it reads
//! the `.csd`; we decode them ourselves (the engine puts them in a private cache, see
//! `csound_plug_engine::embedded`) and give Csound the text without them.

use crate::csd::Csd;
use base64::Engine as _;

/// The section that carries a file.
pub const SECTION: &str = "CsFileB";

/// Base64 line length when embedding (Csound reads any; 76 is the MIME width).
const LINE: usize = 76;

/// One embedded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The name the patch reads it by (a relative path, e.g. `tone.wav` or
    /// `samples/tone.wav`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The line of its `<CsFileB>` tag (1-based).
    pub line: usize,
}

/// Why an embedded file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// The section has no `filename` attribute.
    #[error("<CsFileB> without a filename")]
    NoName {
        /// The tag's line.
        line: usize,
    },
    /// The name would leave the folder it is unpacked in.
    #[error("the embedded file name '{name}' must be a relative path without '..'")]
    BadName {
        /// The tag's line.
        line: usize,
        /// The name as written.
        name: String,
    },
    /// The body is not base64 (or is cut short).
    #[error("the embedded file '{name}' is not valid base64 ({why})")]
    Corrupt {
        /// The tag's line.
        line: usize,
        /// The file's name.
        name: String,
        /// The decoder's complaint.
        why: String,
    },
    /// The section is never closed.
    #[error("<CsFileB> for '{name}' is never closed")]
    Unclosed {
        /// The tag's line.
        line: usize,
        /// The file's name.
        name: String,
    },
}

impl EmbedError {
    /// The line of the section at fault (1-based).
    pub fn line(&self) -> usize {
        match self {
            EmbedError::NoName { line }
            | EmbedError::BadName { line, .. }
            | EmbedError::Corrupt { line, .. }
            | EmbedError::Unclosed { line, .. } => *line,
        }
    }
}

/// The files `code` carries, decoded, in text order.
pub fn embedded_files(code: &str) -> Result<Vec<EmbeddedFile>, EmbedError> {
    let csd = Csd::parse(code);
    let mut files = Vec::new();
    for section in csd.sections_named(SECTION) {
        let line = csd.line_of(section.tag_start);
        let name = section
            .attribute("filename")
            .filter(|n| !n.is_empty())
            .ok_or(EmbedError::NoName { line })?;
        if !is_safe_name(name) {
            return Err(EmbedError::BadName {
                line,
                name: name.to_string(),
            });
        }
        if !section.closed {
            return Err(EmbedError::Unclosed {
                line,
                name: name.to_string(),
            });
        }
        let text: String = section.body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| EmbedError::Corrupt {
                line,
                name: name.to_string(),
                why: e.to_string(),
            })?;
        files.push(EmbeddedFile {
            name: name.to_string(),
            bytes,
            line,
        });
    }
    Ok(files)
}

/// A name that stays inside the folder it is unpacked in: relative, no `..`, no NUL, no
/// backslash, not empty.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\0')
        && !name.contains('\\')
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".")
}

/// `code` without its `<CsFileB>` sections: each becomes as many empty lines as it had,
/// so Csound's line numbers stay those of the patch.
pub fn without_embedded(code: &str) -> String {
    let csd = Csd::parse(code);
    let mut text = String::with_capacity(code.len());
    let mut at = 0;
    for section in csd.sections_named(SECTION) {
        text.push_str(&code[at..section.tag_start]);
        let removed = &code[section.tag_start..section.end];
        text.push_str(&"\n".repeat(removed.matches('\n').count()));
        at = section.end;
    }
    text.push_str(&code[at..]);
    text
}

/// `code` with `bytes` embedded as `name` (replacing a file of that name it carries),
/// before `</CsoundSynthesizer>` (or at the end).
pub fn embed(code: &str, name: &str, bytes: &[u8]) -> String {
    let csd = Csd::parse(code);
    let mut kept = String::with_capacity(code.len());
    let mut at = 0;
    for section in csd.sections_named(SECTION) {
        if section.attribute("filename") == Some(name) {
            kept.push_str(&code[at..section.tag_start]);
            // The newline after the removed section goes with it.
            at = section.end + usize::from(code[section.end..].starts_with('\n'));
        }
    }
    kept.push_str(&code[at..]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut section = format!("<{SECTION} filename=\"{name}\">\n");
    for chunk in encoded.as_bytes().chunks(LINE) {
        section.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        section.push('\n');
    }
    section.push_str(&format!("</{SECTION}>\n"));
    match kept.rfind("</CsoundSynthesizer>") {
        Some(end) => format!("{}{section}{}", &kept[..end], &kept[end..]),
        None => format!("{kept}\n{section}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
        <CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";

    #[test]
    fn embedded_files_round_trip_and_leave_csound_the_same_lines() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let code = embed(PATCH, "samples/tone.wav", &bytes);
        let code = embed(&code, "lib.udo", b"opcode X, 0, 0\nendop\n");
        let files = embedded_files(&code).expect("decodes");
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "samples/tone.wav");
        assert_eq!(files[0].bytes, bytes);
        assert_eq!(files[0].line, 8);
        assert_eq!(files[1].bytes, b"opcode X, 0, 0\nendop\n");
        // Embedding again replaces.
        let again = embed(&code, "lib.udo", b"new");
        let files = embedded_files(&again).expect("decodes");
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].bytes, b"new");
        // Csound gets the same number of lines, and no section.
        let stripped = without_embedded(&code);
        assert_eq!(stripped.lines().count(), code.lines().count());
        assert!(!stripped.contains("CsFileB"));
        assert!(stripped.ends_with("</CsoundSynthesizer>\n"));
    }

    #[test]
    fn bad_names_and_corrupt_or_cut_data_are_errors_at_their_line() {
        for name in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "",
            "a\\b",
            "./x",
            "a\0b",
        ] {
            assert!(!is_safe_name(name), "{name:?}");
        }
        assert!(is_safe_name("tone.wav") && is_safe_name("kit/kick 1.wav"));
        let escape = PATCH.replace(
            "</CsoundSynthesizer>",
            "<CsFileB filename=\"../../x\">\nQUJD\n</CsFileB>\n</CsoundSynthesizer>",
        );
        assert!(matches!(
            embedded_files(&escape),
            Err(EmbedError::BadName { line: 8, .. })
        ));
        let corrupt = PATCH.replace(
            "</CsoundSynthesizer>",
            "<CsFileB filename=\"a.wav\">\nQU*D\n</CsFileB>\n</CsoundSynthesizer>",
        );
        let error = embedded_files(&corrupt).unwrap_err();
        assert!(
            matches!(error, EmbedError::Corrupt { line: 8, .. }),
            "{error}"
        );
        assert_eq!(error.line(), 8);
        assert!(error
            .to_string()
            .starts_with("the embedded file 'a.wav' is not valid base64"));
        let cut = embed(PATCH, "a.wav", b"0123456789");
        let cut = cut.replacen("MDEyMzQ1Njc4OQ==", "MDEyMzQ1Njc4O", 1);
        assert!(matches!(
            embedded_files(&cut),
            Err(EmbedError::Corrupt { .. })
        ));
    }
}
