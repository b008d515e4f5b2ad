//! Where a patch's embedded files (`<CsFileB>`) are put for Csound to read: a private
//! cache, one folder per set of files named by the SHA-256 of their names and bytes, so
//! the same patch unpacks once however many instances run it, and nothing lands in the
//! working folder. Names were checked to stay inside their folder
//! ([`csound_plug_patch::embedded::is_safe_name`]); the files are made read-only.

use csound_plug_patch::embedded::{is_safe_name, EmbeddedFile};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};

/// Marks a folder whose files are all written.
const COMPLETE: &str = ".complete";

/// How a file Csound opened under the cache came there: embedded in the patch or
/// linked by it, with the name the patch reads it by; `None` outside the cache.
pub fn carried_as(path: &Path) -> Option<(Carried, String)> {
    let inside = path.strip_prefix(cache_root()).ok()?;
    let (carried, skip) = match inside.starts_with(LINKS) {
        true => (Carried::Linked, 2),
        false => (Carried::Embedded, 1),
    };
    let name = inside
        .components()
        .skip(skip)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Some((carried, name))
}

/// How a patch carries a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// Inside the code, a `<CsFileB>` section.
    Embedded,
    /// Linked by path and hash (`[files]`).
    Linked,
}

/// The cache's folder of linked files' link folders.
pub(crate) const LINKS: &str = "links";

/// The cache: `$CSOUND_PLUG_FILE_CACHE`, else the user's cache folder
/// (`~/.cache/csound-plug/files`), else one under the temporary folder.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CSOUND_PLUG_FILE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("csound-plug")
        .join("files")
}

/// The folder `files` are found in, unpacking them there unless an earlier run did.
/// Another process may unpack the same set at the same moment: each writes its own
/// temporary folder and the first rename wins.
pub fn unpack(files: &[EmbeddedFile]) -> io::Result<PathBuf> {
    unpack_in(&cache_root(), files)
}

/// [`unpack`] under `root`.
pub fn unpack_in(root: &Path, files: &[EmbeddedFile]) -> io::Result<PathBuf> {
    publish(&root.join(digest(files)), |staging| {
        for file in files {
            let path = inside(staging, &file.name, "embedded")?;
            std::fs::write(&path, &file.bytes)?;
            read_only(&path)?;
        }
        Ok(())
    })
}

/// `folder`, filled by `fill` unless an earlier run completed it. Another process may
/// fill the same folder at the same moment: each fills its own staging folder beside it
/// and the first rename wins (the folder's name says what it holds, so theirs is the same).
pub(crate) fn publish(
    folder: &Path,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    if folder.join(COMPLETE).is_file() {
        return Ok(folder.to_path_buf());
    }
    let parent = folder.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging = parent.join(format!(
        ".staging-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    fill(&staging)?;
    std::fs::write(staging.join(COMPLETE), b"")?;
    match std::fs::rename(&staging, folder) {
        Ok(()) => Ok(folder.to_path_buf()),
        Err(_) if folder.join(COMPLETE).is_file() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(folder.to_path_buf())
        }
        Err(e) => Err(e),
    }
}

/// Where `name` goes inside `staging`, its folders made; an error for a name that would
/// leave it (`what`: embedded or linked, for the message).
pub(crate) fn inside(staging: &Path, name: &str, what: &str) -> io::Result<PathBuf> {
    if !is_safe_name(name) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unsafe {what} file name '{name}'"),
        ));
    }
    let path = staging.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    Ok(path)
}

fn read_only(path: &Path) -> io::Result<()> {
    let mut permissions = std::fs::metadata(path)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(path, permissions)
}

/// The folder name for a set of files: the SHA-256 of their names and bytes.
fn digest(files: &[EmbeddedFile]) -> String {
    let mut hash = Sha256::new();
    for file in files {
        hash.update((file.name.len() as u64).to_le_bytes());
        hash.update(file.name.as_bytes());
        hash.update((file.bytes.len() as u64).to_le_bytes());
        hash.update(&file.bytes);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> EmbeddedFile {
        EmbeddedFile {
            name: name.into(),
            bytes: bytes.to_vec(),
            line: 1,
        }
    }

    #[test]
    fn files_unpack_once_read_only_in_a_folder_named_by_their_content() {
        let root = tempfile::tempdir().expect("temp dir");
        let files = [file("tone.wav", b"RIFF"), file("kit/kick.wav", b"RIFF2")];
        let folder = unpack_in(root.path(), &files).expect("unpacked");
        assert_eq!(
            std::fs::read(folder.join("kit/kick.wav")).unwrap(),
            b"RIFF2"
        );
        let meta = std::fs::metadata(folder.join("tone.wav")).unwrap();
        assert!(meta.permissions().readonly());
        // Again: the same folder, nothing rewritten.
        assert_eq!(unpack_in(root.path(), &files).expect("again"), folder);
        // Other bytes: another folder.
        let other = unpack_in(root.path(), &[file("tone.wav", b"RIFX")]).expect("other");
        assert_ne!(other, folder);
        // A name that would leave the folder is refused.
        assert!(unpack_in(root.path(), &[file("../x", b"")]).is_err());
    }
}
