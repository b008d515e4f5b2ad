//! Without the pre-check helper the plugin says so once and compiles in its own process,
//! as before the helper existed; the gate still reads the code. (A test program of its
//! own: it hides the helper from every compile in the process.)

mod common;

use csound_plug::compiler::{Compiler, Trust};
use csound_plug::engine::EngineConfig;
use std::sync::Arc;

#[test]
fn without_the_helper_code_compiles_here_and_the_gate_still_reads_it() {
    std::env::set_var("CSOUND_PLUG_CHECK", "/nonexistent/csound-plug-check");
    let compiler = Compiler::new();
    let shared = compiler.shared().clone();
    let active = compiler.activate(EngineConfig::plugin(48_000.0, 0, 2, false));
    let good = |n: u32| common::csd::csd(&format!("instr {n}\n  outs a(0), a(0)\nendin\n"), "");
    let said = |shared: &csound_plug::compiler::CompilerShared| {
        shared
            .console
            .text()
            .matches("csound-plug-check was not found")
            .count()
    };
    assert!(shared
        .build(Arc::new(good(1)), &active, false, Trust::Shared)
        .is_ok());
    assert_eq!(said(&shared), 1, "{}", shared.console.text());
    // The next compile does not say it again.
    assert!(shared
        .build(Arc::new(good(2)), &active, false, Trust::Shared)
        .is_ok());
    assert!(said(&shared) <= 1, "{}", shared.console.text());
    let unsafe_code = common::csd::csd("ires system_i 1, \"true\"\ninstr 1\nendin\n", "");
    let error = match shared.build(Arc::new(unsafe_code), &active, false, Trust::Shared) {
        Err(error) => error,
        Ok(_) => panic!("system_i compiled without permission"),
    };
    assert!(
        error.step.contains("run a command (system_i, line 7)"),
        "{}",
        error.step
    );
}
