//! Several engines compiling at once in one process, as the instances of a DAW session
//! do: every compile succeeds. Csound 6.18's parser numbers the labels and variables it
//! makes with one process-wide counter; without taking turns, a label and its use could
//! get different numbers and a patch fail with "used before defined" now and then.

use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{Engine, EngineConfig};
use std::sync::Arc;

/// Patches with many `if` blocks and `? :`: the factory presets and the Cabbage test
/// patches (with the Cabbage opcodes' library in front).
fn patches() -> Vec<String> {
    let mut patches: Vec<String> = csound_plug_patch::presets::factory()
        .into_iter()
        .map(|p| p.code)
        .collect();
    let cabbage = csound_plug_testkit::patches_dir().join("cabbage");
    for entry in std::fs::read_dir(cabbage).expect("test patches") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csd") {
            patches.push(std::fs::read_to_string(path).expect("readable"));
        }
    }
    patches
}

#[test]
fn engines_compiling_at_once_all_compile() {
    let patches = Arc::new(patches());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let patches = patches.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                // Each thread in its own order, so different patches meet.
                for i in 0..patches.len() {
                    let n = (i * (t + 1) + t) % patches.len();
                    let ring = Arc::new(MessageRing::new(64));
                    if let Err(e) = Engine::compile(&patches[n], &EngineConfig::default(), ring) {
                        failures.push(format!("thread {t}, patch {n}: {e}"));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("no panic"))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
