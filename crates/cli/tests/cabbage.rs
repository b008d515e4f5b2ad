//! Patches written for Cabbage through `csound-plug check`: Cabbage's opcodes compile,
//! and controls past the plugin's host parameters are named.

use csound_plug_testkit::process::run;
use std::process::Command;
use tempfile::TempDir;

/// A patch with `count` knobs `c1`…, the last read with Cabbage's own opcode.
fn many_knobs(count: usize) -> String {
    let widgets: String = (1..=count)
        .map(|n| format!("rslider bounds(0, 0, 60, 60) channel(\"c{n}\") range(0, 1, 0.5)\n"))
        .collect();
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
         instr 1\n  kLevel cabbageGetValue \"c{count}\"\n  aSine oscili kLevel, 440\n  \
         outs aSine, aSine\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 1\n</CsScore>\n\
         <Cabbage>\nform size(960, 480)\n{widgets}</Cabbage>\n</CsoundSynthesizer>\n"
    )
}

fn check(code: &str) -> csound_plug_testkit::process::Output {
    let dir = TempDir::new().expect("temp dir");
    let patch = dir.path().join("knobs.csd");
    std::fs::write(&patch, code).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_csound-plug"));
    cmd.current_dir(dir.path()).arg("check").arg(&patch);
    run(cmd, dir.path(), "check")
}

#[test]
fn controls_past_the_host_parameters_are_named() {
    let result = check(&many_knobs(130));
    assert!(result.status.success(), "{}", result.describe());
    assert_eq!(
        result.stdout.matches("parameter c").count(),
        130,
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains(
            "no host parameter for 2 controls past the 128 the plugin has (they keep their \
             defaults): c129, c130"
        ),
        "{}",
        result.stdout
    );
    // Each with the Cabbage widget that declares it.
    assert_eq!(
        result
            .stdout
            .matches("(Continuous, Cabbage rslider)")
            .count(),
        130,
        "{}",
        result.stdout
    );
    let result = check(&many_knobs(124));
    assert!(result.status.success(), "{}", result.describe());
    assert!(
        !result.stdout.contains("no host parameter"),
        "{}",
        result.stdout
    );
}
