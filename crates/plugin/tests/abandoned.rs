//! An in-process compile that never returns is abandoned after its time limit, and the
//! compiles after it work.

use csound_plug::compiler::{Compiler, Trust};
use csound_plug::slots::BindMode;
use csound_plug_engine::EngineConfig;
use csound_plug_sandbox::precheck::Playing;
use csound_plug_sandbox::verdicts;
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[test]
fn a_compile_that_hangs_in_the_process_is_abandoned_and_later_ones_work() {
    // Code the pre-check passed before (remembered as a pass), which hangs here: a
    // surprise the time limit is for.
    let hangs = csound_plug_testkit::csd::csd("while 1 == 1 do\nod\ninstr 1\nendin\n", "");
    std::env::set_var("CSOUND_PLUG_COMPILE_LIMIT", "2");
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CSOUND_PLUG_VERDICTS", dir.path().join("passed-checks"));
    let config = EngineConfig::plugin(48_000.0, false);
    let key = verdicts::key(&hangs, &config, true, &Playing::plugin());
    verdicts::remember(&key, &[]).unwrap();
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let active = compiler.activate(config);
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
