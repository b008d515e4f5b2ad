//! CLI equivalence tests: `csound-plug render` must write the same samples as the
//! `csound` command line for the patches in `tests/patches/` (32-bit float WAV on both
//! sides, compared sample for sample over csound's length), whatever `--block` size is
//! used. Also checks the CLI's error paths (`render` on a missing file, `check` on a
//! broken and on a good patch).
//!
//! Needs the `csound` command line (Debian package `csound`) on `PATH`.

use csound_plug_testkit::process::{csound_available, limit_file_size, read_float_wav, run, Wav};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The input signal given to patches that process audio input.
#[derive(Clone, Copy)]
struct InputSpec {
    sample_rate: u32,
    channels: u16,
    seconds: f64,
}

/// Input for `effect_input.csd`: stereo, at the patch's rate, as long as its score.
const EFFECT_INPUT: InputSpec = InputSpec {
    sample_rate: 48000,
    channels: 2,
    seconds: 6.0,
};

/// Input for `sidechain_input.csd`: the main pair, then the side-chain pair.
const SIDECHAIN_INPUT: InputSpec = InputSpec {
    sample_rate: 48000,
    channels: 4,
    seconds: 6.0,
};

/// Every patch in `tests/patches/` (top level) with the input it needs.
const PATCHES: &[(&str, Option<InputSpec>)] = &[
    ("oscillators.csd", None),
    ("filters.csd", None),
    ("delays.csd", None),
    ("reverbs.csd", None),
    ("long_score.csd", None),
    ("effect_input.csd", Some(EFFECT_INPUT)),
    ("mono_ksmps1_old.csd", None),
    ("odd_ksmps.csd", None),
    ("events_udo.csd", None),
    ("spectral_dac_options.csd", None),
    ("gen_tables.csd", None),
    ("quad_channels.csd", None),
    ("sidechain_input.csd", Some(SIDECHAIN_INPUT)),
];

fn patch_dir() -> PathBuf {
    csound_plug_testkit::patches_dir()
}

fn patch_path(name: &str) -> PathBuf {
    patch_dir().join(name)
}

fn cli_path() -> &'static str {
    env!("CARGO_BIN_EXE_csound-plug")
}

/// Writes a deterministic test signal: on the left a 220 Hz sine gated on for 0.3 s of
/// every second, on the right a vibrato sine at 331 Hz plus a little LCG noise, so that
/// a swapped, missing or shifted input channel changes the output.
fn write_input_wav(path: &Path, input: InputSpec) {
    let spec = hound::WavSpec {
        channels: input.channels,
        sample_rate: input.sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("create input WAV");
    let sr = f64::from(input.sample_rate);
    let frames = (input.seconds * sr).round() as usize;
    let mut lcg: u32 = 12345;
    for n in 0..frames {
        let t = n as f64 / sr;
        let left = if t.fract() < 0.3 {
            0.5 * (2.0 * std::f64::consts::PI * 220.0 * t).sin()
        } else {
            0.0
        };
        lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (f64::from(lcg >> 8) / f64::from(1u32 << 24) - 0.5) * 0.02;
        let vibrato = 0.3 * (2.0 * std::f64::consts::PI * 3.0 * t).sin();
        let right = 0.4 * (2.0 * std::f64::consts::PI * 331.0 * t + vibrato).sin() + noise;
        for ch in 0..input.channels {
            // Channels 3-4 (a side-chain) differ from the main pair.
            let v = match ch % 4 {
                0 => left,
                1 => right,
                2 => 0.5 * right,
                _ => -left,
            };
            writer.write_sample(v as f32).expect("write input sample");
        }
    }
    writer.finalize().expect("finish input WAV");
}

/// Renders `patch` with the `csound` command line into `dir/ref.wav`.
fn render_reference(patch: &Path, input: Option<&Path>, dir: &Path) -> Wav {
    assert!(
        csound_available(),
        "the `csound` command line is not installed (Debian package `csound`); \
         it renders the reference files for this test"
    );
    let out = dir.join("ref.wav");
    let mut cmd = Command::new("csound");
    cmd.current_dir(dir).arg("-d").arg("--format=wav:float");
    if let Some(input) = input {
        cmd.arg("-i").arg(input);
    }
    cmd.arg("-o").arg(&out).arg(patch);
    // The longest reference is 10 MB; a score that never ends stops at 256 MB.
    limit_file_size(&mut cmd, 256 << 20);
    let result = run(cmd, dir, "csound");
    assert!(
        result.status.success() && out.exists(),
        "csound failed on {}\n{}",
        patch.display(),
        result.describe()
    );
    let text = format!("{}{}", result.stdout, result.stderr);
    assert!(
        text.contains("0 errors in performance"),
        "csound reported errors on {}\n{}",
        patch.display(),
        result.describe()
    );
    read_float_wav(&out)
}

/// Renders `patch` with `csound-plug render` into `dir/<name>`.
fn render_ours(
    patch: &Path,
    input: Option<&Path>,
    block: Option<usize>,
    dir: &Path,
    name: &str,
) -> Wav {
    let out = dir.join(name);
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(dir)
        .arg("render")
        .arg(patch)
        .arg("-o")
        .arg(&out);
    if let Some(input) = input {
        cmd.arg("--input").arg(input);
    }
    if let Some(block) = block {
        cmd.arg("--block").arg(block.to_string());
    }
    let result = run(cmd, dir, name);
    assert!(
        result.status.success(),
        "csound-plug render failed on {} (block {block:?})\n{}",
        patch.display(),
        result.describe()
    );
    assert!(
        out.exists(),
        "csound-plug render wrote no {}\n{}",
        out.display(),
        result.describe()
    );
    read_float_wav(&out)
}

/// How two renders compare over the reference's length.
struct Comparison {
    max_abs_diff: f64,
    differing_samples: usize,
    first_difference: Option<(usize, usize)>,
    signed_zero_only: usize,
    extra_frames: usize,
}

/// Compares `ours` with `reference`: same format, at least as long, and returns the
/// sample differences over the reference's length.
fn compare(label: &str, reference: &Wav, ours: &Wav, max_extra_frames: usize) -> Comparison {
    assert_eq!(
        (ours.sample_rate, ours.channels),
        (reference.sample_rate, reference.channels),
        "{label}: sample rate / channel count differ from csound's (ours, csound)"
    );
    let ref_frames = reference.frames();
    let our_frames = ours.frames();
    assert!(
        our_frames >= ref_frames,
        "{label}: our render is shorter than csound's: {our_frames} < {ref_frames} frames"
    );
    let extra_frames = our_frames - ref_frames;
    assert!(
        extra_frames < max_extra_frames,
        "{label}: our render is {extra_frames} frames longer than csound's \
         (allowed: fewer than {max_extra_frames})"
    );
    let channels = reference.channels as usize;
    let mut cmp = Comparison {
        max_abs_diff: 0.0,
        differing_samples: 0,
        first_difference: None,
        signed_zero_only: 0,
        extra_frames,
    };
    for (i, (&r, &o)) in reference.samples.iter().zip(&ours.samples).enumerate() {
        let diff = (f64::from(r) - f64::from(o)).abs();
        if diff != 0.0 || r.is_nan() != o.is_nan() {
            cmp.differing_samples += 1;
            if cmp.first_difference.is_none() {
                cmp.first_difference = Some((i / channels, i % channels));
            }
            cmp.max_abs_diff =
                cmp.max_abs_diff
                    .max(if diff.is_nan() { f64::INFINITY } else { diff });
        } else if r.to_bits() != o.to_bits() {
            cmp.signed_zero_only += 1;
        }
    }
    cmp
}

fn peak(wav: &Wav) -> f32 {
    wav.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()))
}

fn report(label: &str, reference: &Wav, cmp: &Comparison) {
    println!(
        "{label}: {} frames at {} Hz x {} ch, csound peak {:.4}; max abs diff {:e}, \
         {} differing samples{}, {} extra frames{}",
        reference.frames(),
        reference.sample_rate,
        reference.channels,
        peak(reference),
        cmp.max_abs_diff,
        cmp.differing_samples,
        match cmp.first_difference {
            Some((frame, ch)) => format!(" (first at frame {frame}, channel {ch})"),
            None => String::new(),
        },
        cmp.extra_frames,
        if cmp.signed_zero_only > 0 {
            format!(
                ", {} samples differ only in the sign of zero",
                cmp.signed_zero_only
            )
        } else {
            String::new()
        },
    );
    if cmp.max_abs_diff > 0.0 && cmp.max_abs_diff < 1e-6 {
        eprintln!(
            "!!!!!!!! {label}: NOT bit-identical but within 1e-6 (max abs diff {:e}); \
             rounding difference somewhere in the engine path !!!!!!!!",
            cmp.max_abs_diff
        );
    }
}

/// Generates the input file a patch needs (if any) inside `dir`.
fn prepare_input(input: Option<InputSpec>, dir: &Path) -> Option<PathBuf> {
    input.map(|spec| {
        let path = dir.join("input.wav");
        write_input_wav(&path, spec);
        path
    })
}

/// Renders one patch both ways and asserts bit equality over csound's length.
fn check_equivalence(name: &str) {
    let (_, input) = PATCHES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not in PATCHES"));
    let dir = TempDir::new().expect("temp dir");
    let patch = patch_path(name);
    let input = prepare_input(*input, dir.path());
    let reference = render_reference(&patch, input.as_deref(), dir.path());
    assert!(
        peak(&reference) > 1e-3,
        "{name}: csound's render is silent; the patch is not a useful test"
    );
    let ours = render_ours(&patch, input.as_deref(), None, dir.path(), "ours.wav");
    let cmp = compare(name, &reference, &ours, 8192);
    report(name, &reference, &cmp);
    assert_eq!(
        cmp.max_abs_diff, 0.0,
        "{name}: csound-plug render differs from csound (max abs diff {:e}, {} samples, \
         first at {:?} (frame, channel))",
        cmp.max_abs_diff, cmp.differing_samples, cmp.first_difference
    );
}

macro_rules! equivalence_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_equivalence($file);
            }
        )*

        /// Every top-level `.csd` in `tests/patches/` has a test above and an entry in
        /// `PATCHES`, so a new patch cannot be left out by accident.
        #[test]
        fn every_patch_is_tested() {
            let tested: Vec<&str> = vec![$($file),*];
            let mut on_disk: Vec<String> = std::fs::read_dir(patch_dir())
                .expect("read tests/patches")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".csd"))
                .collect();
            on_disk.sort();
            for name in &on_disk {
                assert!(tested.contains(&name.as_str()), "{name} has no equivalence test");
                assert!(
                    PATCHES.iter().any(|(n, _)| n == name),
                    "{name} is missing from PATCHES"
                );
            }
            assert!(on_disk.len() >= 6, "expected at least 6 patches, found {on_disk:?}");
        }
    };
}

equivalence_tests! {
    equivalent_oscillators => "oscillators.csd",
    equivalent_filters => "filters.csd",
    equivalent_delays => "delays.csd",
    equivalent_reverbs => "reverbs.csd",
    equivalent_long_score => "long_score.csd",
    equivalent_effect_input => "effect_input.csd",
    equivalent_mono_ksmps1_old => "mono_ksmps1_old.csd",
    equivalent_odd_ksmps => "odd_ksmps.csd",
    equivalent_events_udo => "events_udo.csd",
    equivalent_spectral_dac_options => "spectral_dac_options.csd",
    equivalent_gen_tables => "gen_tables.csd",
    equivalent_quad_channels => "quad_channels.csd",
    equivalent_sidechain_input => "sidechain_input.csd",
}

/// Host block sizes 1, 37 (prime, not a divisor of ksmps 32) and 4096 give the same
/// samples, equal to csound's, for a patch that processes input audio.
#[test]
fn block_size_does_not_change_output() {
    let name = "effect_input.csd";
    let dir = TempDir::new().expect("temp dir");
    let patch = patch_path(name);
    let input = prepare_input(Some(EFFECT_INPUT), dir.path());
    let reference = render_reference(&patch, input.as_deref(), dir.path());
    let mut renders = Vec::new();
    for block in [1usize, 37, 4096] {
        let file = format!("ours_block{block}.wav");
        let ours = render_ours(&patch, input.as_deref(), Some(block), dir.path(), &file);
        let label = format!("{name} --block {block}");
        let cmp = compare(&label, &reference, &ours, block);
        report(&label, &reference, &cmp);
        assert_eq!(
            cmp.max_abs_diff, 0.0,
            "{label}: differs from csound (max abs diff {:e}, first at {:?} (frame, channel))",
            cmp.max_abs_diff, cmp.first_difference
        );
        renders.push((block, ours));
    }
    let (first_block, first) = &renders[0];
    for (block, other) in &renders[1..] {
        let n = first.samples.len().min(other.samples.len());
        let same = first.samples[..n]
            .iter()
            .zip(&other.samples[..n])
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(
            same,
            "--block {first_block} and --block {block} give different samples"
        );
    }
}

/// A missing patch file: non-zero exit, one line on stderr naming the path, no panic.
#[test]
fn render_missing_file_fails_cleanly() {
    let dir = TempDir::new().expect("temp dir");
    let missing = "/nonexistent.csd";
    let out = dir.path().join("x.wav");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(dir.path())
        .arg("render")
        .arg(missing)
        .arg("-o")
        .arg(&out);
    let result = run(cmd, dir.path(), "missing");
    assert!(
        !result.status.success(),
        "render of a missing file exited successfully\n{}",
        result.describe()
    );
    let lines: Vec<&str> = result
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one line on stderr\n{}",
        result.describe()
    );
    assert!(
        lines[0].contains(missing),
        "the error line does not name {missing}\n{}",
        result.describe()
    );
    let all = format!("{}{}", result.stdout, result.stderr);
    assert!(
        !all.contains("panicked") && !all.contains("RUST_BACKTRACE"),
        "render of a missing file panicked\n{}",
        result.describe()
    );
    assert!(
        !out.exists(),
        "a failed render left an output file behind: {}",
        out.display()
    );
}

/// `check` on a patch that does not compile: non-zero exit and the error with its line
/// number in the .csd (line 15 uses the unknown opcode `oscilx`).
#[test]
fn check_reports_broken_patch_with_line_number() {
    let dir = TempDir::new().expect("temp dir");
    let patch = patch_dir().join("invalid").join("syntax_error.csd");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(dir.path()).arg("check").arg(&patch);
    let result = run(cmd, dir.path(), "check_broken");
    assert!(
        !result.status.success(),
        "check of a broken patch exited successfully\n{}",
        result.describe()
    );
    let all = format!("{}\n{}", result.stdout, result.stderr);
    assert!(
        all.contains("oscilx"),
        "check does not name the unknown opcode `oscilx`\n{}",
        result.describe()
    );
    // `file:15: error: …`, the form compilers and editors use.
    let has_line_number = all
        .lines()
        .any(|l| l.contains("syntax_error.csd:15: error:") && l.contains("oscilx"));
    assert!(
        has_line_number,
        "check does not report the error's line number (15)\n{}",
        result.describe()
    );
    assert!(
        !all.contains("panicked"),
        "check panicked\n{}",
        result.describe()
    );
}

/// `check` on a good patch exits 0.
#[test]
fn check_accepts_good_patch() {
    let dir = TempDir::new().expect("temp dir");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(dir.path())
        .arg("check")
        .arg(patch_path("oscillators.csd"));
    let result = run(cmd, dir.path(), "check_good");
    assert!(
        result.status.success(),
        "check of a good patch failed\n{}",
        result.describe()
    );
}

/// `presets show` lists a preset's parameters and its output channels with their ranges.
#[test]
fn presets_show_lists_parameters_and_outputs() {
    let dir = TempDir::new().expect("temp dir");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(dir.path())
        .env("CSOUND_PLUG_PRESET_DIR", dir.path().join("presets"))
        .args(["presets", "show", "Compressor / Limiter"]);
    let result = run(cmd, dir.path(), "show");
    assert!(result.status.success(), "{}", result.describe());
    assert!(
        result
            .stdout
            .contains("parameter threshold: -60.00 to 0.000")
            && result.stdout.contains("output gain_reduction: 0 to 24"),
        "{}",
        result.describe()
    );
    assert!(!result.stdout.contains("parameter gain_reduction"));
}

/// `check --watch` checks the file again on every save and reports each result.
#[test]
fn check_watch_reports_each_save() {
    use std::io::{BufRead, BufReader};
    let dir = TempDir::new().expect("temp dir");
    let patch = dir.path().join("watched.csd");
    let good = std::fs::read_to_string(patch_path("oscillators.csd")).expect("patch");
    std::fs::write(&patch, &good).expect("write patch");
    let mut child = Command::new(cli_path())
        .args(["check", "--watch"])
        .arg(&patch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start csound-plug check --watch");
    // Both streams go through one channel, line by line.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    for stream in [
        Box::new(out) as Box<dyn std::io::Read + Send>,
        Box::new(err),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let wait_for = |want: &dyn Fn(&str) -> bool, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
                if want(&line) {
                    return;
                }
                seen.push(line);
            }
        }
        panic!("no {what} within 30 s; output was:\n{}", seen.join("\n"));
    };
    wait_for(&|l| l.contains(": ok ("), "first ok");
    wait_for(&|l| l.starts_with("-- watching"), "watching line");
    let broken = good.replacen(
        "</CsInstruments>",
        "  bogus_opcode_here 1\n</CsInstruments>",
        1,
    );
    let line = broken
        .lines()
        .position(|l| l.contains("bogus_opcode_here"))
        .unwrap()
        + 1;
    std::thread::sleep(Duration::from_millis(1100)); // a new modification time
    std::fs::write(&patch, &broken).expect("write broken patch");
    let want = format!("watched.csd:{line}: error:");
    wait_for(&|l| l.contains(&want), "error with the line number");
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&patch, &good).expect("write fixed patch");
    wait_for(&|l| l.contains(": ok ("), "ok after the fix");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn file_size_limit_stops_a_runaway_writer() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("big");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("head -c 1000000 /dev/zero > '{}'", file.display()));
    limit_file_size(&mut cmd, 64 << 10);
    let result = run(cmd, dir.path(), "writer");
    assert!(!result.status.success(), "{}", result.describe());
    let written = std::fs::metadata(&file).map_or(0, |m| m.len());
    assert!(written <= 64 << 10, "{written} bytes written");
}
