//! Safe patches through the command line and the pre-check: a patch that crashes, hangs or
//! reaches outside the audio is refused with one readable line and a non-zero exit, and
//! nothing it would have done happens; `--allow-unsafe` really runs it; the factory
//! presets all pass; `render` tests only what it plays.

use csound_plug_engine::EngineConfig;
use csound_plug_patch::presets;
use csound_plug_sandbox::gate::Reach;
use csound_plug_sandbox::precheck::{precheck, Checked, Problem};
use csound_plug_testkit::analysis::peak;
use csound_plug_testkit::process::run;
use csound_plug_testkit::unsafe_patches::{bad_patches, markers_present};
use std::path::Path;
use std::process::Command;

fn cli(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_csound-plug"));
    cmd.current_dir(dir)
        .args(args)
        // A short hang limit keeps the hang cases quick.
        .env("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    cmd
}

#[test]
fn check_and_render_refuse_bad_patches_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    for patch in bad_patches(dir) {
        let file = dir.join(format!("{}.csd", patch.name));
        std::fs::write(&file, &patch.code).unwrap();
        let wav = dir.join("out.wav");
        let file = file.to_str().unwrap();
        // `render` checks what it plays: a note for the instruments MIDI would reach.
        let note = "i 1 0 0.5 60 100";
        for args in [
            vec!["check", file],
            vec!["render", file, "--score", note, "-o", wav.to_str().unwrap()],
        ] {
            let out = run(cli(dir, &args), dir, patch.name);
            let what = format!("{} {}: {}", args[0], patch.name, out.describe());
            assert_eq!(out.status.code(), Some(1), "{what}");
            let lines: Vec<&str> = out.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{what}");
            assert!(lines[0].starts_with("csound-plug: "), "{what}");
            assert!(lines[0].contains(patch.reason), "{what}");
            assert!(!wav.exists(), "{what}: no output for a refused patch");
        }
        assert!(markers_present(dir).is_empty(), "{}", patch.name);
    }
}

#[test]
fn allow_unsafe_runs_what_the_gate_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let patches = bad_patches(dir);
    for name in [
        "system_marker",
        "macro_system",
        "include_system",
        "fprints_marker",
    ] {
        let patch = patches.iter().find(|p| p.name == name).unwrap();
        let marker = patch.marker.as_ref().unwrap();
        let file = dir.join(format!("{name}.csd"));
        std::fs::write(&file, &patch.code).unwrap();
        let wav = dir.join(format!("{name}.wav"));
        for args in [
            vec!["check", "--allow-unsafe", file.to_str().unwrap()],
            vec![
                "render",
                "--allow-unsafe",
                "--duration",
                "0.2",
                file.to_str().unwrap(),
                "-o",
                wav.to_str().unwrap(),
            ],
        ] {
            let out = run(cli(dir, &args), dir, name);
            assert!(out.status.success(), "{name} {args:?}: {}", out.describe());
            assert!(
                marker.exists(),
                "{name} {args:?}: the patch ran its command"
            );
            std::fs::remove_file(marker).unwrap();
        }
        assert!(wav.exists());
    }
}

#[test]
fn an_allowed_score_program_runs_in_the_check_too() {
    // `<CsScore bin="…">`: Csound writes the section to a file and runs the program on
    // it, which writes the real score ("sh script out"). Allowed, the pre-check runs the
    // program too, so the patch has its score there as in the real run.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
                instr 1\n  asig oscili 0.5, 440\n  outs asig, asig\nendin\n</CsInstruments>\n\
                <CsScore bin=\"sh\">\necho 'i 1 0.25 0.5' > \"$1\"\n</CsScore>\n</CsoundSynthesizer>\n";
    let file = dir.join("score_program.csd");
    std::fs::write(&file, code).unwrap();
    let wav = dir.join("out.wav");
    let (file, out_path) = (file.to_str().unwrap(), wav.to_str().unwrap());
    let refused = run(cli(dir, &["render", file, "-o", out_path]), dir, "refused");
    assert_eq!(refused.status.code(), Some(1), "{}", refused.describe());
    assert!(
        refused.stderr.contains("run a command"),
        "{}",
        refused.describe()
    );

    let out = run(
        cli(dir, &["render", "--allow-unsafe", file, "-o", out_path]),
        dir,
        "allowed",
    );
    assert!(out.status.success(), "{}", out.describe());
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let rate = reader.spec().sample_rate as f64;
    let samples: Vec<f32> = reader
        .samples::<f32>()
        .step_by(2)
        .map(Result::unwrap)
        .collect();
    let at = |t: f64| (t * rate) as usize;
    assert_eq!(
        samples.len(),
        at(0.75),
        "the score the program wrote ends at 0.75 s"
    );
    assert!(peak(&samples, 0..at(0.24)) == 0.0, "silent before the note");
    assert!(peak(&samples, at(0.3)..at(0.7)) > 0.4, "the note sounds");
}

#[test]
fn a_pass_is_remembered_on_this_machine_and_a_refusal_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let verdicts = dir.join("passed-checks");
    let lines = || {
        std::fs::read_to_string(&verdicts)
            .map(|text| text.lines().count())
            .unwrap_or(0)
    };
    let good = dir.join("good.csd");
    std::fs::write(&good, csound_plug_testkit::TWO_OSC_SYNTH).unwrap();
    let wav = dir.join("out.wav");
    let render = |file: &Path| {
        let mut cmd = cli(dir, &["render", file.to_str().unwrap()]);
        cmd.args(["--duration", "0.2", "-o", wav.to_str().unwrap()])
            .env("CSOUND_PLUG_VERDICTS", &verdicts);
        run(cmd, dir, "render")
    };
    assert!(render(&good).status.success());
    assert_eq!(lines(), 1, "the pass is written down");
    // A later run (another process) finds it and checks nothing: no new line, same sound.
    let first = std::fs::read(&wav).unwrap();
    assert!(render(&good).status.success());
    assert_eq!(lines(), 1);
    assert_eq!(std::fs::read(&wav).unwrap(), first);
    // Another configuration is another verdict.
    let mut cmd = cli(dir, &["render", good.to_str().unwrap(), "--sr", "44100"]);
    cmd.args(["--duration", "0.2", "-o", wav.to_str().unwrap()])
        .env("CSOUND_PLUG_VERDICTS", &verdicts);
    assert!(run(cmd, dir, "44.1 kHz").status.success());
    assert_eq!(lines(), 2);
    // Refused patches are checked every time and never written down.
    let bad = bad_patches(dir);
    let crash = bad.iter().find(|p| p.name == "divide_by_zero").unwrap();
    let file = dir.join("crash.csd");
    std::fs::write(&file, &crash.code).unwrap();
    for _ in 0..2 {
        let mut cmd = cli(dir, &["check", file.to_str().unwrap()]);
        cmd.env("CSOUND_PLUG_VERDICTS", &verdicts);
        let out = run(cmd, dir, "crash");
        assert_eq!(out.status.code(), Some(1), "{}", out.describe());
        assert!(out.stderr.contains(crash.reason), "{}", out.describe());
    }
    assert_eq!(lines(), 2);
}

#[test]
fn the_precheck_names_the_problem_and_where() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    let config = EngineConfig::plugin(48_000.0, false);
    let patches = bad_patches(dir.path());
    let verdict = |name: &str, allowed: bool| {
        let patch = patches.iter().find(|p| p.name == name).unwrap();
        precheck(&patch.code, &config, allowed).checked
    };
    match verdict("divide_by_zero", false) {
        Checked::Refused(Problem::Crashed { signal, phase }) => {
            assert!(signal.starts_with("SIG"), "{signal}");
            assert!(phase.contains("instr 1 playing MIDI notes"), "{phase}");
        }
        other => panic!("division by zero: {other:?}"),
    }
    match verdict("loop_in_instr0", false) {
        Checked::Refused(Problem::Hung { phase, .. }) => assert!(phase.contains("instr 0")),
        other => panic!("loop in instr 0: {other:?}"),
    }
    match verdict("loop_in_midi_instrument", false) {
        Checked::Refused(Problem::Hung { phase, .. }) => {
            assert!(phase.contains("instr 1 playing MIDI notes"), "{phase}")
        }
        other => panic!("loop in the MIDI instrument: {other:?}"),
    }
    // Found at run time only: the sandbox saw the write the code builds from a string.
    match verdict("runtime_fprints", false) {
        Checked::Refused(Problem::Unsafe { uses, attempts }) => {
            assert_eq!(uses.len(), 1);
            assert_eq!(uses[0].name, "compilestr");
            assert_eq!(attempts, [Reach::File]);
        }
        other => panic!("run-time write: {other:?}"),
    }
    // Allowed: the same code passes, and runs in the check as it will in the real run.
    assert!(markers_present(dir.path()).is_empty());
    assert!(matches!(
        verdict("system_marker", true),
        Checked::Passed { uses } if uses[0].name == "system_i"
    ));
    assert_eq!(
        markers_present(dir.path()).len(),
        1,
        "the allowed command ran"
    );
}

#[test]
fn non_finite_output_is_reported_not_refused() {
    // NaN from the score and the test notes: reported with where (and which notes), but
    // the patch passes (the plugin drops such blocks; only crashes, hangs and
    // reaches are refused).
    let code = csound_plug_testkit::csd::csd(
        "instr 1\n  asig = a(sqrt(-1))\n  outs asig, asig\nendin\n",
        "i 1 0 0.5\n",
    );
    let config = EngineConfig::plugin(48_000.0, false);
    let report = precheck(&code, &config, false);
    assert!(
        matches!(report.checked, Checked::Passed { .. }),
        "{:?}",
        report.checked
    );
    assert!(
        report.non_finite[0].contains("score"),
        "{:?}",
        report.non_finite
    );
    // The command line passes it with a warning line.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nan.csd");
    std::fs::write(&file, &code).unwrap();
    let out = run(
        cli(dir.path(), &["check", file.to_str().unwrap()]),
        dir.path(),
        "nan",
    );
    assert!(out.status.success(), "{}", out.describe());
    assert!(
        out.stderr
            .contains("NaN or infinite samples while playing the score"),
        "{}",
        out.describe()
    );
}

#[test]
fn render_checks_only_what_it_plays() {
    // A score piece whose instrument crashes Csound when a MIDI key plays it (`cpspch` of
    // a key number): refused where notes can reach it, rendered where none do.
    let patch = csound_plug_testkit::patches_dir().join("long_score.csd");
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let patch = patch.to_str().unwrap();
    let out = run(cli(dir, &["check", patch]), dir, "check");
    assert_eq!(out.status.code(), Some(1), "{}", out.describe());
    assert!(
        out.stderr.contains("playing MIDI notes"),
        "{}",
        out.describe()
    );
    let wav = dir.join("long.wav");
    let args = [
        "render",
        patch,
        "--duration",
        "1",
        "-o",
        wav.to_str().unwrap(),
    ];
    let out = run(cli(dir, &args), dir, "render");
    assert!(out.status.success(), "{}", out.describe());
}

#[test]
fn every_factory_preset_passes_the_precheck() {
    for preset in presets::factory() {
        let is_effect = preset.category == "Effects";
        let config = EngineConfig::plugin(48_000.0, is_effect);
        let report = precheck(&preset.code, &config, false);
        assert_eq!(report.unsandboxed, None);
        assert!(
            matches!(report.checked, Checked::Passed { ref uses } if uses.is_empty()),
            "{}: {:?}",
            preset.name,
            report.checked
        );
    }
}

#[test]
fn test_notes_go_where_the_entry_sends_them() {
    std::env::set_var("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    // Native MIDI with `massign`: notes on every channel go to instr 2, which hangs on
    // one; instr 1 is harmless. The verdict names instr 2.
    let routed = csound_plug_testkit::csd::csd(
        "massign 0, 2\ninstr 1\n  outs a(0), a(0)\nendin\n\
         instr 2\n  icps cpsmidi\n  while icps > 0 do\n  od\nendin\n",
        "",
    );
    let config = EngineConfig::plugin(48_000.0, false);
    match precheck(&routed, &config, false).checked {
        Checked::Refused(Problem::Hung { phase, .. }) => {
            assert!(
                phase.contains("instr 2 playing MIDI notes (channel 1)"),
                "{phase}"
            )
        }
        other => panic!("massign 0, 2: {other:?}"),
    }
    // An effect whose always-on instrument would hang if a note started it: the effect
    // entry never starts it with a note, so `check --fx` passes it; `check` (the
    // instrument entry) refuses it for the notes it would play.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let effect = csound_plug_testkit::csd::csd(
        "instr 1\n  if p4 > 0 then\n    while p4 > 0 do\n    od\n  endif\n\
         ain1, ain2 ins\n  outs ain1 * 0.5, ain2 * 0.5\nendin\n",
        "i 1 0 z 0\n",
    );
    let file = dir.join("effect.csd");
    std::fs::write(&file, &effect).unwrap();
    let file = file.to_str().unwrap();
    let out = run(cli(dir, &["check", "--fx", file]), dir, "check --fx");
    assert!(out.status.success(), "{}", out.describe());
    let out = run(cli(dir, &["check", file]), dir, "check");
    assert_eq!(out.status.code(), Some(1), "{}", out.describe());
    assert!(
        out.stderr.contains("instr 1 playing MIDI notes"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_long_start_on_a_busy_machine_is_not_a_hang() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    std::env::set_var("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    // About 1.3 s of Csound's own work in the global code (PADsynth tables): well under
    // the limit of computing, over it in wall time once the machine is busy.
    let tables: String = (0..150)
        .map(|i| {
            format!("gi{i} ftgen 0, 0, 262144, \"padsynth\", 110, 10, 0.25, 1, 1, 1, 1, 0.5\n")
        })
        .collect();
    let code = csound_plug_testkit::csd::csd(
        &format!("{tables}instr 1\n  outs a(0), a(0)\nendin\n"),
        "i 1 0 0.1\n",
    );
    // A busy machine: twice as many spinning threads as cores while the check runs.
    let stop = Arc::new(AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let spinners: Vec<_> = (0..2 * cores)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(1));
                }
            })
        })
        .collect();
    let report = precheck(&code, &EngineConfig::plugin(48_000.0, false), false);
    stop.store(true, Ordering::Relaxed);
    for spinner in spinners {
        spinner.join().unwrap();
    }
    assert!(
        matches!(report.checked, Checked::Passed { .. }),
        "{:?} after {:?}",
        report.checked,
        report.elapsed
    );
    // The load did stretch it past the limit in wall time: a wall-clock rule refuses it.
    assert!(report.elapsed.as_secs_f64() > 2.0, "{:?}", report.elapsed);
}
