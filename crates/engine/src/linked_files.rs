//! Where a patch's linked files (`[files]` in its metadata, see
//! [`csound_plug_patch::links`]) are for Csound to read: at the path they were linked
//! from, else found again by their SHA-256 under the search folders (a file moved within
//! the sample folders). Csound reads them by the patch's name through a folder of
//! symbolic links in the file cache, one per set of names and targets, so nothing is
//! copied.

use csound_plug_patch::links::Link;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Folders entered at most this deep when a moved file is looked for.
const SEARCH_DEPTH: usize = 8;
/// Directory entries looked at at most per search (a sample library can be huge).
const SEARCH_ENTRIES: usize = 200_000;

/// The SHA-256 of a file's bytes, lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hash.update(&buffer[..read]);
    }
    Ok(hex(&hash.finalize()))
}

/// A link to the file at `path` (made absolute), with its hash and size.
pub fn link_to(path: &Path) -> io::Result<Link> {
    let path = std::path::absolute(path)?;
    Ok(Link {
        sha256: sha256_file(&path)?,
        size: std::fs::metadata(&path)?.len(),
        path,
    })
}

/// Where a linked file was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The name the patch reads it by.
    pub name: String,
    /// The file, `None` when it is nowhere.
    pub path: Option<PathBuf>,
    /// Found by its contents somewhere else than the link says.
    pub moved: bool,
}

/// Where each of `links` is: at its path when a file is there, else the first file of
/// its size and hash under `folders`.
pub fn locate(links: &BTreeMap<String, Link>, folders: &[PathBuf]) -> Vec<Located> {
    links
        .iter()
        .map(|(name, link)| {
            if link.path.is_file() {
                return Located {
                    name: name.clone(),
                    path: Some(link.path.clone()),
                    moved: false,
                };
            }
            let found = find_by_hash(link, folders);
            Located {
                name: name.clone(),
                moved: found.is_some(),
                path: found,
            }
        })
        .collect()
}

/// The folder in which Csound finds the located files by their names (`None` when none
/// was found), made under `root` unless it was made before.
pub fn link_folder(root: &Path, located: &[Located]) -> io::Result<Option<PathBuf>> {
    let found: Vec<(&str, &Path)> = located
        .iter()
        .filter_map(|l| Some((l.name.as_str(), l.path.as_deref()?)))
        .collect();
    if found.is_empty() {
        return Ok(None);
    }
    let mut hash = Sha256::new();
    for (name, target) in &found {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(target.as_os_str().as_encoded_bytes());
        hash.update([0]);
    }
    let folder = root
        .join(crate::file_cache::LINKS)
        .join(&hex(&hash.finalize())[..32]);
    crate::file_cache::publish(&folder, |staging| {
        for (name, target) in &found {
            let at = crate::file_cache::inside(staging, name, "linked")?;
            std::os::unix::fs::symlink(target, at)?;
        }
        Ok(())
    })
    .map(Some)
}

/// The folder of symbolic links through which Csound finds the files `code` links,
/// looked for under `search_dirs` when they moved (`None` when it links none, or none was
/// found: Csound then reports each as a file it cannot open).
pub fn prepare(code: &str, search_dirs: &[PathBuf]) -> io::Result<Option<PathBuf>> {
    let links = csound_plug_patch::links::links(code);
    if links.is_empty() {
        return Ok(None);
    }
    link_folder(
        &crate::file_cache::cache_root(),
        &locate(&links, search_dirs),
    )
}

/// Files found by hash before, kept while they are still there.
fn found_before() -> &'static Mutex<HashMap<String, PathBuf>> {
    static FOUND: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    FOUND.get_or_init(Default::default)
}

/// The first file under `folders` with `link`'s size and hash.
fn find_by_hash(link: &Link, folders: &[PathBuf]) -> Option<PathBuf> {
    let mut found = found_before().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = found.get(&link.sha256) {
        if std::fs::metadata(path).is_ok_and(|m| m.len() == link.size) {
            return Some(path.clone());
        }
    }
    let cache = crate::file_cache::cache_root();
    let mut budget = SEARCH_ENTRIES;
    for folder in folders.iter().filter(|f| !f.starts_with(&cache)) {
        if let Some(path) = search(folder, link, SEARCH_DEPTH, &mut budget) {
            found.insert(link.sha256.clone(), path.clone());
            return Some(path);
        }
    }
    None
}

fn search(folder: &Path, link: &Link, depth: usize, budget: &mut usize) -> Option<PathBuf> {
    let mut subfolders = Vec::new();
    for entry in std::fs::read_dir(folder).ok()?.filter_map(Result::ok) {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            subfolders.push(path);
        } else if kind.is_file()
            && entry.metadata().is_ok_and(|m| m.len() == link.size)
            && sha256_file(&path).is_ok_and(|h| h == link.sha256)
        {
            return Some(path);
        }
    }
    if depth == 0 {
        return None;
    }
    subfolders.sort();
    subfolders
        .iter()
        .find_map(|sub| search(sub, link, depth - 1, budget))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_file_is_found_at_its_path_then_by_its_hash_after_a_move() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let samples = dir.path().join("samples");
        std::fs::create_dir_all(samples.join("kit")).unwrap();
        let original = dir.path().join("kick.wav");
        std::fs::write(&original, b"RIFF kick").unwrap();
        // A file of the same size and other bytes is not taken for it.
        std::fs::write(samples.join("decoy.wav"), b"RIFF snar").unwrap();
        let link = link_to(&original).unwrap();
        assert_eq!(link.size, 9);
        assert_eq!(link.sha256.len(), 64);
        let links = BTreeMap::from([("kick.wav".to_string(), link)]);
        let here = locate(&links, std::slice::from_ref(&samples));
        assert_eq!(here[0].path.as_deref(), Some(original.as_path()));
        assert!(!here[0].moved);
        let folder = link_folder(&cache, &here).unwrap().unwrap();
        assert_eq!(
            std::fs::read(folder.join("kick.wav")).unwrap(),
            b"RIFF kick"
        );
        assert_eq!(link_folder(&cache, &here).unwrap().unwrap(), folder);

        let moved = samples.join("kit").join("808 kick.wav");
        std::fs::rename(&original, &moved).unwrap();
        let there = locate(&links, std::slice::from_ref(&samples));
        assert_eq!(there[0].path.as_deref(), Some(moved.as_path()));
        assert!(there[0].moved);
        let folder = link_folder(&cache, &there).unwrap().unwrap();
        assert_eq!(
            std::fs::read(folder.join("kick.wav")).unwrap(),
            b"RIFF kick"
        );

        std::fs::remove_file(&moved).unwrap();
        let gone = locate(&links, &[samples]);
        assert_eq!(gone[0].path, None);
        assert_eq!(link_folder(&cache, &gone).unwrap(), None);
    }
}
