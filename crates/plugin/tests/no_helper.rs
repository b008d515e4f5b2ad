//! Without the pre-check helper the plugin says so once and compiles in its own process,
//! as before the helper existed; the gate still reads the code. (A test program of its
//! own: it hides the helper from every compile in the process.)

use csound_plug::compiler::{Compiler, Trust};
use csound_plug::slots::BindMode;
use csound_plug_engine::EngineConfig;
use std::sync::Arc;

#[test]
fn without_the_helper_code_compiles_here_and_the_gate_still_reads_it() {
    std::env::set_var("CSOUND_PLUG_CHECK", "/nonexistent/csound-plug-check");
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let active = compiler.activate(EngineConfig::plugin(48_000.0, false));
    let good = |n: u32| {
        csound_plug_testkit::csd::csd(&format!("instr {n}\n  outs a(0), a(0)\nendin\n"), "")
    };
    let said = |shared: &csound_plug::compiler::CompilerShared| {
        shared
            .status
            .console
            .text()
            .matches("csound-plug-check was not found")
            .count()
    };
    assert!(shared
        .build(Arc::new(good(1)), &active, BindMode::Edit, Trust::Shared)
        .is_ok());
    assert_eq!(said(&shared), 1, "{}", shared.status.console.text());
    // The next compile does not say it again.
    assert!(shared
        .build(Arc::new(good(2)), &active, BindMode::Edit, Trust::Shared)
        .is_ok());
    assert!(said(&shared) <= 1, "{}", shared.status.console.text());
    let unsafe_code =
        csound_plug_testkit::csd::csd("ires system_i 1, \"true\"\ninstr 1\nendin\n", "");
    let error = match shared.build(
        Arc::new(unsafe_code),
        &active,
        BindMode::Edit,
        Trust::Shared,
    ) {
        Err(error) => error,
        Ok(_) => panic!("system_i compiled without permission"),
    };
    let step = error.to_compile_error().step;
    assert!(step.contains("run a command (system_i, line 7)"), "{step}");
}
