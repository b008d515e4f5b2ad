//! The folder listing under the dialogs' path field (import, export, add a file, a
//! sample folder): the folder the typed path is in, its subfolders and the files the
//! dialog wants, so a path can be picked with clicks as well as typed.

use std::path::{Path, PathBuf};

/// One row of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// File or folder name.
    pub name: String,
    /// A folder (clicking it opens it).
    pub is_folder: bool,
}

/// The folder a typed path points into: the path itself when it is a folder (or ends in
/// `/`), else its parent; the home folder for an empty path.
pub fn folder_of(typed: &str) -> PathBuf {
    let typed = typed.trim();
    if typed.is_empty() {
        return dirs::home_dir().unwrap_or_else(|| PathBuf::from("/"));
    }
    let path = Path::new(typed);
    if typed.ends_with('/') || path.is_dir() {
        return path.to_path_buf();
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path text a dialog starts with: the home folder (a plugin's working folder is
/// the host's).
pub fn start() -> String {
    let mut text = folder_of("").display().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    text
}

/// Which files a listing shows besides folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// `.csd` files.
    Csd,
    /// Every file.
    Files,
    /// No file.
    Folders,
}

/// `folder`'s visible subfolders, then the files `show` wants, each sorted by name.
pub fn rows(folder: &Path, show: Show) -> Vec<Row> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut rows: Vec<Row> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let is_folder = entry.path().is_dir();
            let wanted = match show {
                Show::Csd => name.to_ascii_lowercase().ends_with(".csd"),
                Show::Files => true,
                Show::Folders => false,
            };
            (is_folder || wanted).then_some(Row { name, is_folder })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.is_folder
            .cmp(&a.is_folder)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    rows
}

/// The path text after clicking `row` in `folder`: a folder's path with a trailing `/`
/// (so the listing follows it), a file's full path.
pub fn picked(folder: &Path, row: &Row) -> String {
    let path = folder.join(&row.name);
    let mut text = path.display().to_string();
    if row.is_folder {
        text.push('/');
    }
    text
}

/// The path text one folder up from `folder`.
pub fn up(folder: &Path) -> String {
    let parent = folder.parent().unwrap_or(folder);
    let mut text = parent.display().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folders_then_csd_files_and_follows_clicks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("Patches")).unwrap();
        std::fs::create_dir(root.join(".hidden")).unwrap();
        for name in ["b.csd", "A.CSD", "notes.txt"] {
            std::fs::write(root.join(name), "").unwrap();
        }
        assert_eq!(rows(root, Show::Files).len(), 4);
        assert_eq!(rows(root, Show::Folders).len(), 1);
        let rows = rows(root, Show::Csd);
        let names: Vec<(&str, bool)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.is_folder))
            .collect();
        assert_eq!(
            names,
            [("Patches", true), ("A.CSD", false), ("b.csd", false)]
        );
        let into = picked(root, &rows[0]);
        assert!(into.ends_with("Patches/"));
        assert_eq!(folder_of(&into), root.join("Patches"));
        let file = picked(root, &rows[2]);
        assert_eq!(folder_of(&file), root);
        assert_eq!(folder_of(&up(&root.join("Patches"))), root);
    }

    #[test]
    fn a_typed_path_points_into_its_folder() {
        assert_eq!(folder_of("/tmp/new.csd"), PathBuf::from("/tmp"));
        assert_eq!(folder_of("/tmp"), PathBuf::from("/tmp"));
        assert_eq!(folder_of("new.csd"), PathBuf::from("."));
        assert!(folder_of("").is_absolute());
        assert_eq!(folder_of(&start()), folder_of(""));
        assert!(rows(Path::new("/no/such/folder"), Show::Csd).is_empty());
    }
}
