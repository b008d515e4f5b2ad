//! `#include`s resolved where the patch's files are. Csound 6.18 crashes (SIGSEGV) when
//! it compiles text whose `#include` names a file that is not in the working folder, so
//! before compiling, a relative name found in one of the search folders is handed to
//! Csound as its absolute path (on the same line, so line numbers stay), and a name found
//! nowhere is an error naming it and its line.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// An `#include` whose file is nowhere to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingInclude {
    /// The name as the patch gives it.
    pub name: String,
    /// Its line (1-based).
    pub line: usize,
}

/// `code` with each relative `#include` that is not in the working folder but is in one
/// of `dirs` (in order) pointing at that file.
pub fn resolve<'a>(code: &'a str, dirs: &[PathBuf]) -> Result<Cow<'a, str>, MissingInclude> {
    let mut changed: Option<String> = None;
    let mut offset = 0;
    for (index, line) in code.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some((at, name)) = included_name(line) else {
            continue;
        };
        if Path::new(name).is_absolute() || Path::new(name).exists() {
            continue;
        }
        let Some(found) = dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()) else {
            return Err(MissingInclude {
                name: name.to_string(),
                line: index + 1,
            });
        };
        let text = changed.get_or_insert_with(|| code.to_string());
        // Later lines keep their offsets in the copy when edits go from the end: edit
        // the copy by the difference so far.
        let shift = text.len() as isize - code.len() as isize;
        let from = (start as isize + shift) as usize + at;
        text.replace_range(from..from + name.len(), &found.display().to_string());
    }
    Ok(changed.map_or(Cow::Borrowed(code), Cow::Owned))
}

/// The file name of an `#include "name"` (or `|name|`) line and where it starts.
fn included_name(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let rest = trimmed.strip_prefix("#include")?;
    let lead = line.len() - trimmed.len() + "#include".len();
    let quoted = rest.trim_start();
    let delimiter = quoted.chars().next().filter(|c| *c == '"' || *c == '|')?;
    let open = lead + (rest.len() - quoted.len()) + 1;
    let close = line[open..].find(delimiter)?;
    Some((open, &line[open..open + close]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_include_in_a_search_folder_gets_its_path_on_the_same_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("lib one.udo"), "").unwrap();
        std::fs::write(dir.path().join("two.udo"), "").unwrap();
        let code = "sr = 48000\n  #include \"lib one.udo\"\n#include |two.udo|\n; #include \"x\"\n";
        let resolved = resolve(code, &[dir.path().to_path_buf()]).expect("found");
        let one = dir.path().join("lib one.udo");
        let two = dir.path().join("two.udo");
        assert_eq!(
            resolved,
            format!(
                "sr = 48000\n  #include \"{}\"\n#include |{}|\n; #include \"x\"\n",
                one.display(),
                two.display()
            )
        );
        assert!(matches!(resolve("sr = 1\n", &[]), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn an_include_found_nowhere_names_its_line() {
        let code = "sr = 48000\n\n#include \"nowhere.udo\"\n";
        assert_eq!(
            resolve(code, &[]),
            Err(MissingInclude {
                name: "nowhere.udo".into(),
                line: 3
            })
        );
    }
}
