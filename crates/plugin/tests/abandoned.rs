//! An in-process compile that never returns is abandoned after its time limit, and the
//! compiles after it work.

use csound_plug::compiler::{Compiler, Trust};
use csound_plug::slots::BindMode;
use csound_plug_engine::EngineConfig;
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[test]
fn a_compile_that_hangs_in_the_process_is_abandoned_and_later_ones_work() {
    // Allowed code that hangs only outside the sandbox: its command succeeds here and
    // fails in the check, so the check passes and the compile in the process never ends.
    let hangs = csound_plug_testkit::csd::csd(
        "ires system_i 1, \"true\"\nif ires == 0 then\n  while 1 == 1 do\n  od\nendif\n\
         instr 1\nendin\n",
        "",
    );
    std::env::set_var("CSOUND_PLUG_COMPILE_LIMIT", "2");
    // Code of one's own that reaches outside is remembered as allowed: not in $HOME.
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CSOUND_PLUG_ALLOWED", dir.path().join("allowed-code"));
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let active = compiler.activate(EngineConfig::plugin(48_000.0, 0, 2, false));
    let error = match shared.build(Arc::new(hangs), &active, BindMode::Edit, Trust::Own) {
        Err(error) => error,
        Ok(_) => panic!("the hanging compile returned"),
    };
    let step = error.to_compile_error().step;
    assert!(step.contains("abandoned (1 so far)"), "{step}");
    assert_eq!(shared.status.abandoned.load(Ordering::Relaxed), 1);
    let good = csound_plug_testkit::csd::csd("instr 1\n  outs a(0), a(0)\nendin\n", "");
    assert!(shared
        .build(Arc::new(good), &active, BindMode::Edit, Trust::Own)
        .is_ok());
}
