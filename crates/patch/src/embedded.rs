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

/// `code` without the embedded file `name` (its section and the newline after it).
pub fn without_file(code: &str, name: &str) -> String {
    let csd = Csd::parse(code);
    let mut kept = String::with_capacity(code.len());
    let mut at = 0;
    for section in csd.sections_named(SECTION) {
        if section.attribute("filename") == Some(name) {
            kept.push_str(&code[at..section.tag_start]);
            at = section.end + usize::from(code[section.end..].starts_with('\n'));
        }
    }
    kept.push_str(&code[at..]);
    kept
}

/// `code` with `bytes` embedded as `name` (replacing a file of that name it carries),
/// before `</CsoundSynthesizer>` (or at the end).
pub fn embed(code: &str, name: &str, bytes: &[u8]) -> String {
    let kept = without_file(code, name);
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

/// A patch as the editor shows it: each `<CsFileB>` section folded into one line, so no
/// base64 is ever shown as text, and the sections kept aside to put back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// The text with each section on one line.
    pub text: String,
    sections: Vec<FoldedSection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FoldedSection {
    /// The one line shown for it (without its newline).
    line: String,
    /// The whole section as the code holds it.
    section: String,
    /// The file's name.
    name: String,
    /// The file's size in bytes (0 when its base64 does not decode).
    size: usize,
    /// Its first line in the code (1-based).
    code_line: usize,
    /// Lines the section takes beyond its first.
    hidden_lines: usize,
}

/// One folded file, as the editor lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedFile {
    /// The name the patch reads it by.
    pub name: String,
    /// Its size in bytes (0 when it does not decode).
    pub size: usize,
}

/// `code` with its `<CsFileB>` sections folded (an unclosed one stays as it is).
pub fn fold(code: &str) -> Folded {
    let csd = Csd::parse(code);
    let mut text = String::with_capacity(code.len().min(1 << 20));
    let mut sections = Vec::new();
    let mut at = 0;
    for section in csd.sections_named(SECTION).filter(|s| s.closed) {
        let name = section
            .attribute("filename")
            .unwrap_or_default()
            .to_string();
        let size = base64_size(section.body);
        let line = format!(
            "<{SECTION} filename=\"{name}\"> {} embedded, folded </{SECTION}>",
            human_size(size)
        );
        text.push_str(&code[at..section.tag_start]);
        text.push_str(&line);
        let whole = &code[section.tag_start..section.end];
        sections.push(FoldedSection {
            line,
            section: whole.to_string(),
            name,
            size,
            code_line: csd.line_of(section.tag_start),
            hidden_lines: whole.matches('\n').count(),
        });
        at = section.end;
    }
    text.push_str(&code[at..]);
    Folded { text, sections }
}

impl Folded {
    /// The code for `text` (this fold's text as edited): each folded line still in it
    /// becomes its section again; a folded line deleted takes its file out.
    pub fn unfold(&self, text: &str) -> String {
        if self.sections.is_empty() {
            return text.to_string();
        }
        let size = text.len() + self.sections.iter().map(|s| s.section.len()).sum::<usize>();
        let mut code = String::with_capacity(size);
        for piece in text.split_inclusive('\n') {
            let (line, newline) = match piece.strip_suffix('\n') {
                Some(line) => (line, "\n"),
                None => (piece, ""),
            };
            match self.sections.iter().find(|s| s.line == line.trim()) {
                Some(folded) => {
                    code.push_str(&line[..line.len() - line.trim_start().len()]);
                    code.push_str(&folded.section);
                }
                None => code.push_str(line),
            }
            code.push_str(newline);
        }
        code
    }

    /// The files folded, in text order.
    pub fn files(&self) -> Vec<FoldedFile> {
        self.sections
            .iter()
            .map(|s| FoldedFile {
                name: s.name.clone(),
                size: s.size,
            })
            .collect()
    }

    /// The line (1-based) of the folded text that shows line `code_line` of the code.
    pub fn view_line(&self, code_line: usize) -> usize {
        let mut hidden = 0;
        for section in &self.sections {
            if code_line <= section.code_line {
                break;
            }
            if code_line <= section.code_line + section.hidden_lines {
                return section.code_line - hidden;
            }
            hidden += section.hidden_lines;
        }
        code_line - hidden
    }
}

/// The decoded size of a base64 body (whitespace ignored).
fn base64_size(body: &str) -> usize {
    let chars = body.bytes().filter(|b| !b.is_ascii_whitespace()).count();
    let padding = body
        .trim_end()
        .bytes()
        .rev()
        .take_while(|&b| b == b'=')
        .count();
    (chars / 4 * 3).saturating_sub(padding)
}

/// `1.5 MB`, `46.9 KB`, `61 bytes`.
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
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
        assert_eq!(
            without_file(&again, "lib.udo"),
            embed(PATCH, "samples/tone.wav", &bytes)
        );
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

    #[test]
    fn folding_shows_one_line_per_file_and_unfolds_to_the_same_code() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let code = embed(PATCH, "tone.wav", &bytes);
        let code = embed(&code, "lib.udo", b"opcode X, 0, 0\nendop\n");
        let code = code.replace("</CsoundSynthesizer>\n", "</CsoundSynthesizer>\n; after\n");
        let folded = fold(&code);
        assert!(!folded.text.contains("AAEC"), "no base64: {}", folded.text);
        assert!(folded
            .text
            .contains("<CsFileB filename=\"tone.wav\"> 2.9 KB embedded, folded </CsFileB>\n"));
        assert_eq!(folded.text.lines().count(), PATCH.lines().count() + 3);
        assert_eq!(
            folded.files(),
            [
                FoldedFile {
                    name: "tone.wav".into(),
                    size: 3000
                },
                FoldedFile {
                    name: "lib.udo".into(),
                    size: 21
                },
            ]
        );
        assert_eq!(folded.unfold(&folded.text), code);
        // Edits around the folded lines stay; a deleted folded line takes its file out.
        let edited = folded
            .text
            .replace("instr 1\n", "instr 1\n  prints \"hi\"\n");
        let unfolded = folded.unfold(&edited);
        assert_eq!(
            unfolded,
            code.replace("instr 1\n", "instr 1\n  prints \"hi\"\n")
        );
        let without = folded
            .text
            .lines()
            .filter(|l| !l.contains("lib.udo"))
            .collect::<Vec<_>>()
            .join("\n");
        let files = embedded_files(&folded.unfold(&without)).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].bytes, bytes);
        // Code lines map to the lines shown: before, inside and after a folded section.
        let udo_line = files_line(&code, "lib.udo");
        assert_eq!(folded.view_line(3), 3);
        assert_eq!(folded.view_line(8), 8);
        assert_eq!(folded.view_line(9), 8, "inside the first section");
        assert_eq!(folded.view_line(udo_line), 9);
        assert_eq!(
            folded.view_line(code.lines().count()),
            folded.text.lines().count()
        );
    }

    fn files_line(code: &str, name: &str) -> usize {
        code.lines()
            .position(|l| l.contains(&format!("filename=\"{name}\"")))
            .unwrap()
            + 1
    }
}
