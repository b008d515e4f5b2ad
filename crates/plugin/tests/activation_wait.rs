//! An activation waits only a moment for code this machine has not checked: the patch
//! plays when its check and compile are done, handed over like a recompile. Code checked
//! before, and any offline render, is waited for and plays from the first block.

mod common;

use common::{activate, activate_in, session_fields, Host, StereoBlock};
use csound_plug::CsoundPlugInstrument;
use nice_plug::prelude::*;
use std::time::{Duration, Instant};

const FRAMES: usize = 256;

/// A patch that takes a while to start (a 4M-point table) and plays a sine from its own
/// score; `variant` makes it new text.
fn slow_patch(variant: u32) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\n; variant {variant}\nsr = 48000\nksmps = 32\n\
         nchnls = 2\n0dbfs = 1\ngiBig ftgen 0, 0, 2^22, 10, 1, .5, .33, .25, .2, .16, .14, .12, .11, .1\n\
         instr 1\n  a1 oscili 0.5, 440\n  outs a1, a1\nendin\n</CsInstruments>\n<CsScore>\n\
         i 1 0 600\n</CsScore>\n</CsoundSynthesizer>\n"
    )
}

/// Whether one block of `plugin`'s output sounds.
fn block_sounds(plugin: &mut CsoundPlugInstrument, host: &mut Host) -> bool {
    let mut buffers = StereoBlock::new(FRAMES);
    host.block(&[]);
    buffers.process(plugin, host);
    buffers.left.iter().any(|s| s.abs() > 0.1)
}

fn with_code(code: &str) -> CsoundPlugInstrument {
    let plugin = CsoundPlugInstrument::default();
    plugin.params().deserialize_fields(&session_fields(code));
    plugin
}

#[test]
fn code_not_checked_here_does_not_hold_up_the_activation() {
    std::env::set_var("CSOUND_PLUG_ACTIVATION_WAIT", "0.05");
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CSOUND_PLUG_VERDICTS", dir.path().join("passed-checks"));
    let mut host = Host::new(48_000.0, 4);

    // New code: the activation returns before its build is done.
    let code = slow_patch(1);
    let mut plugin = with_code(&code);
    activate(&mut plugin, FRAMES);
    assert!(plugin.running_code().is_none(), "the build goes on");
    assert!(
        !block_sounds(&mut plugin, &mut host),
        "the fallback plays first"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !block_sounds(&mut plugin, &mut host) {
        assert!(Instant::now() < deadline, "the patch never arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        plugin.running_code().map(|c| c.as_str()),
        Some(code.as_str())
    );

    // Checked now: the next activation waits for it and the first block plays it.
    activate(&mut plugin, FRAMES);
    assert!(
        plugin.running_code().is_some(),
        "built during the activation"
    );
    assert!(block_sounds(&mut plugin, &mut host));

    // An offline render waits for new code too.
    let mut offline = with_code(&slow_patch(2));
    activate_in(&mut offline, FRAMES, ProcessMode::Offline);
    assert!(
        offline.running_code().is_some(),
        "built during the activation"
    );
    assert!(block_sounds(&mut offline, &mut host));
}
