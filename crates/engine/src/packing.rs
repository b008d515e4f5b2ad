//! Packing: a patch folder as one shareable `.csd` and back (`csound-plug pack` and
//! `unpack`, the editor's export). [`pack`] embeds
//! every file the patch reads, as measured by the pre-check and the compile (samples,
//! tables, `#include`s, SoundFonts…), as Csound's own `<CsFileB>` sections under the
//! name the patch reads it by; the packed file runs the same in the plugin, our command
//! line and the `csound` command line, from any folder.

use crate::csound::OpenedFile;
use csound_plug_patch::csd::Csd;
use csound_plug_patch::embedded::{self, is_safe_name};
use csound_plug_patch::links;
use std::path::{Path, PathBuf};

/// The default cap on what one patch embeds.
pub const DEFAULT_CAP_MB: u64 = csound_plug_patch::settings::DEFAULT_EMBED_CAP_MB;

/// `code` (whose own folder is `folder`) with the files in `opened` embedded, and the
/// names embedded; links to files now embedded are dropped. Over `cap_mb` is an error
/// that suggests linking.
pub fn pack(
    folder: &Path,
    code: &str,
    opened: &[OpenedFile],
    cap_mb: u64,
) -> Result<(String, Vec<String>), String> {
    let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    let quoted = quoted_strings(code);
    let mut packed = code.to_string();
    let mut names: Vec<String> = Vec::new();
    let mut total = 0u64;
    for file in opened.iter().filter(|f| !f.write && !f.temporary) {
        let path = std::fs::canonicalize(&file.path).unwrap_or_else(|_| PathBuf::from(&file.path));
        let name = name_in_patch(&path, &folder, &quoted);
        if names.contains(&name) {
            continue;
        }
        if !is_safe_name(&name) {
            return Err(format!(
                "'{}' is read as '{name}', which cannot be embedded (a relative name \
                 without '..' is needed)",
                path.display()
            ));
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
        total += bytes.len() as u64;
        if total > cap_mb << 20 {
            return Err(format!(
                "embedding its files takes {:.1} MB, over the {cap_mb} MB cap; link large \
                 files instead of embedding them",
                total as f64 / f64::from(1u32 << 20)
            ));
        }
        packed = embedded::embed(&packed, &name, &bytes);
        if links::links(&packed).contains_key(&name) {
            packed = links::without_link(&packed, &name)?;
        }
        names.push(name);
    }
    Ok((packed, names))
}

/// Writes the files `packed` carries into `dir`, and the patch without them as
/// `dir/file_name`. Returns what was written.
pub fn unpack(packed: &str, dir: &Path, file_name: &str) -> Result<Vec<PathBuf>, String> {
    let files = embedded::embedded_files(packed).map_err(|e| format!("line {}: {e}", e.line()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create '{}': {e}", dir.display()))?;
    let mut written = Vec::new();
    for file in &files {
        // Names were checked: they stay inside `dir`.
        let path = dir.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create '{}': {e}", parent.display()))?;
        }
        std::fs::write(&path, &file.bytes)
            .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
        written.push(path);
    }
    let patch = dir.join(file_name);
    let code = strip_sections(packed);
    std::fs::write(&patch, code).map_err(|e| format!("cannot write '{}': {e}", patch.display()))?;
    written.push(patch);
    Ok(written)
}

/// The patch without its `<CsFileB>` sections, the blank lines they leave removed.
fn strip_sections(code: &str) -> String {
    let csd = Csd::parse(code);
    let mut text = String::with_capacity(code.len());
    let mut at = 0;
    for section in csd.sections_named(embedded::SECTION) {
        text.push_str(&code[at..section.tag_start]);
        at = section.end + usize::from(code[section.end..].starts_with('\n'));
    }
    text.push_str(&code[at..]);
    text
}

/// The name the patch reads `path` by: the longest quoted string in the code that the
/// path ends with (component by component), else its path inside the patch's folder,
/// else its file name.
fn name_in_patch(path: &Path, folder: &Path, quoted: &[String]) -> String {
    let by_code = quoted
        .iter()
        .filter(|q| !q.is_empty() && !Path::new(q.as_str()).is_absolute())
        .filter(|q| path.ends_with(Path::new(q.as_str())))
        .max_by_key(|q| q.len());
    if let Some(name) = by_code {
        return name.clone();
    }
    if let Ok(inside) = path.strip_prefix(folder) {
        return inside.display().to_string();
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Every `"…"` and `|…|` string in the code (names of files are written so).
fn quoted_strings(code: &str) -> Vec<String> {
    let mut strings = Vec::new();
    for delimiter in ['"', '|'] {
        let mut parts = code.split(delimiter);
        parts.next();
        while let Some(inside) = parts.next() {
            if !inside.contains('\n') {
                strings.push(inside.to_string());
            }
            parts.next();
        }
    }
    strings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_embedded_by_the_name_the_patch_reads_it_by() {
        let quoted =
            quoted_strings("ift ftgen 0,0,0,1,\"kit/kick.wav\",0,0,0\n#include |lib.udo|\n");
        assert_eq!(quoted, ["kit/kick.wav", "lib.udo"]);
        let folder = Path::new("/home/jo/song");
        assert_eq!(
            name_in_patch(Path::new("/home/jo/song/kit/kick.wav"), folder, &quoted),
            "kit/kick.wav"
        );
        assert_eq!(
            name_in_patch(Path::new("/samples/lib.udo"), folder, &quoted),
            "lib.udo"
        );
        // A name made at run time: its place in the folder, or its file name.
        assert_eq!(
            name_in_patch(Path::new("/home/jo/song/loops/a.wav"), folder, &quoted),
            "loops/a.wav"
        );
        assert_eq!(
            name_in_patch(Path::new("/elsewhere/b.wav"), folder, &quoted),
            "b.wav"
        );
    }
}
