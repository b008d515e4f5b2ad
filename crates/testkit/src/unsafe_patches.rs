//! The patches of `tests/patches/unsafe`: each crashes, hangs or reaches outside the audio.
//! Those that touch a file name it under a folder of the test's (`@MARKER_DIR@`), so a
//! test can tell whether it happened.

use std::path::{Path, PathBuf};

/// One bad patch.
pub struct BadPatch {
    /// Its file name without `.csd`.
    pub name: &'static str,
    /// Its code, with the marker folder filled in.
    pub code: String,
    /// Text the reason for refusing it holds.
    pub reason: &'static str,
    /// The file it creates if it gets to run, if any.
    pub marker: Option<PathBuf>,
}

/// (file, reason text, marker file name)
const PATCHES: &[(&str, &str, Option<&str>)] = &[
    ("divide_by_zero", "Csound crashed", None),
    ("loop_in_instr0", "hung (no progress", None),
    ("loop_in_midi_instrument", "hung (no progress", None),
    (
        "system_marker",
        "tries to run a command (system_i, line 8)",
        Some("system_i-ran"),
    ),
    (
        "fprints_marker",
        "tries to write or delete a file (fprints, line 8)",
        Some("fprints-wrote"),
    ),
    (
        "cabbage_copy_marker",
        "tries to write or delete a file (cabbageCopyFile, line 8)",
        Some("copy-wrote"),
    ),
    (
        "macro_system",
        "tries to run a command (system_i, line 9)",
        Some("macro-ran"),
    ),
    (
        "include_system",
        "tries to run a command (system_i",
        Some("include-ran"),
    ),
    (
        "runtime_fprints",
        "tries to write or delete a file and compile code at run time",
        Some("runtime-wrote"),
    ),
];

fn folder() -> PathBuf {
    crate::patches_dir().join("unsafe")
}

/// Reads a file of the folder with `@MARKER_DIR@` replaced by `markers`.
fn read(name: &str, markers: &Path) -> String {
    let path = folder().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("@MARKER_DIR@", &markers.display().to_string())
}

/// Every bad patch, its markers in `markers` (where the `#include`d file is written too).
pub fn bad_patches(markers: &Path) -> Vec<BadPatch> {
    std::fs::write(
        markers.join("hidden_system.inc"),
        read("hidden_system.inc", markers),
    )
    .expect("write the include file");
    PATCHES
        .iter()
        .map(|&(name, reason, marker)| BadPatch {
            name,
            code: read(&format!("{name}.csd"), markers),
            reason,
            marker: marker.map(|m| markers.join(m)),
        })
        .collect()
}

/// The markers that exist in `markers`.
pub fn markers_present(markers: &Path) -> Vec<String> {
    std::fs::read_dir(markers)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with("-ran") || n.ends_with("-wrote"))
                .collect()
        })
        .unwrap_or_default()
}
