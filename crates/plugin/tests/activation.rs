//! Hosts re-activate a plugin at once when its first activation reports a latency (CLAP
//! wrappers ask for a restart, VST3 hosts answer `kLatencyChanged` so): that second
//! activation starts the engine the first one built instead of compiling the patch again.
//! One test in this file, so no other test creates Csound instances meanwhile.

mod common;

use common::{activate, note, Host, StereoBlock};
use csound_plug::CsoundPlugInstrument;
use csound_plug_engine::csound::created_instances;

const FRAMES: usize = 256;

/// Plays a note for a few blocks; whether the output sounded.
fn plays(plugin: &mut CsoundPlugInstrument) -> bool {
    let mut host = Host::new(48_000.0, 4);
    let mut buffers = StereoBlock::new(FRAMES);
    let mut sounded = false;
    for block in 0..20 {
        let events = if block == 0 {
            vec![note(0, 69, true)]
        } else {
            Vec::new()
        };
        host.block(&events);
        buffers.process(plugin, &mut host);
        sounded |= buffers.left.iter().any(|s| s.abs() > 1e-3);
    }
    sounded
}

#[test]
fn a_reactivation_before_any_block_starts_the_same_engine() {
    // Each activation waits for its build, however busy the machine (this test is about
    // reuse, not the wait; see `activation_wait.rs`).
    std::env::set_var("CSOUND_PLUG_ACTIVATION_WAIT", "600");
    let mut plugin = CsoundPlugInstrument::default();
    activate(&mut plugin, FRAMES);
    let built = created_instances();
    assert!(built >= 1, "the first activation built an engine");

    // The host's restart, before any block.
    activate(&mut plugin, FRAMES);
    assert_eq!(created_instances(), built, "no second compile");
    assert!(plays(&mut plugin), "the engine plays");

    // After blocks, a re-activation starts the patch afresh (a render must repeat).
    activate(&mut plugin, FRAMES);
    assert_eq!(created_instances(), built + 1, "a new engine");
    assert!(plays(&mut plugin), "and it plays");
}
