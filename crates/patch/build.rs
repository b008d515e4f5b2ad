//! Embeds the factory presets: every `presets/*.csd`, in file-name order, as
//! `FACTORY: &[(&str, &str)]` (file stem, text) in `$OUT_DIR/factory_presets.rs`.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../presets");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the presets folder")
        .map(|entry| entry.expect("a presets folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "csd"))
        .collect();
    files.sort();
    let mut out = String::from("/// Factory presets: (file stem, `.csd` text), by file name.\n");
    out.push_str("pub static FACTORY: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().expect("a file name").to_string_lossy();
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("factory_presets.rs");
    std::fs::write(target, out).expect("writing factory_presets.rs");
}
