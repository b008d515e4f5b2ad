//! Patches that read files, rendered from another folder: relative names are found
//! beside the patch (as the `csound` command line finds them), bit-identical to
//! `csound -o`; a file that is not there is an error naming it and the line that wants
//! it, and nothing is written.

use csound_plug_testkit::process::{csound_available, read_float_wav, run};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

fn cli_path() -> &'static str {
    env!("CARGO_BIN_EXE_csound-plug")
}

/// A sampler: a sample in a GEN01 table played by `loscil`, the same file streamed by
/// `diskin2`, and a UDO from an `#include`d file.
const SAMPLER: &str = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
#include "gain.udo"
giSample ftgen 0, 0, 0, 1, "tone.wav", 0, 0, 0
instr 1
  aL loscil 1, 1, giSample, 1
  aR diskin2 "tone.wav", 1.5
  outs Gain(aL, 0.5), Gain(aR, 0.25)
endin
</CsInstruments>
<CsScore>
i 1 0 1
</CsScore>
</CsoundSynthesizer>
"#;

const GAIN_UDO: &str = "opcode Gain, a, ai\n  ain, igain xin\n  xout ain * igain\nendop\n";

/// A folder holding the sampler, its sample and its UDO file.
fn patch_folder() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("sampler.csd"), SAMPLER).unwrap();
    std::fs::write(dir.path().join("gain.udo"), GAIN_UDO).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(dir.path().join("tone.wav"), spec).unwrap();
    for n in 0..24_000 {
        let t = f64::from(n) / 48_000.0;
        let s = (2.0 * std::f64::consts::PI * 330.0 * t).sin() * 0.5;
        wav.write_sample((s * 32767.0) as i16).unwrap();
    }
    wav.finalize().unwrap();
    dir
}

/// Renders `patch` with our CLI and with `csound -o`, both run from `cwd`.
fn render_both(patch: &Path, cwd: &Path) -> (Vec<f32>, Vec<f32>) {
    let ours = cwd.join("ours.wav");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(cwd)
        .arg("render")
        .arg(patch)
        .arg("-o")
        .arg(&ours);
    let result = run(cmd, cwd, "ours");
    assert!(result.status.success(), "{}", result.describe());
    let theirs = cwd.join("theirs.wav");
    let mut cmd = Command::new("csound");
    cmd.current_dir(cwd)
        .args(["-d", "--format=wav:float", "-o"])
        .arg(&theirs)
        .arg(patch);
    let result = run(cmd, cwd, "csound");
    assert!(result.status.success(), "{}", result.describe());
    (
        read_float_wav(&ours).samples,
        read_float_wav(&theirs).samples,
    )
}

#[test]
fn files_beside_the_patch_are_found_from_another_folder() {
    assert!(
        csound_available(),
        "the `csound` command line is not installed"
    );
    let folder = patch_folder();
    let elsewhere = TempDir::new().expect("temp dir");
    let (ours, theirs) = render_both(&folder.path().join("sampler.csd"), elsewhere.path());
    assert_eq!(ours.len(), theirs.len());
    assert!(ours == theirs, "not bit-identical to csound -o");
    // Both play: the table (GEN01 normalises it to 1) at half, the stream (0.5) at a
    // quarter.
    let peak = |side: usize| {
        ours.iter()
            .skip(side)
            .step_by(2)
            .fold(0.0f32, |m, s| m.max(s.abs()))
    };
    assert!((peak(0) - 0.5).abs() < 0.01, "loscil: {}", peak(0));
    assert!((peak(1) - 0.125).abs() < 0.01, "diskin2: {}", peak(1));
}

#[test]
fn a_missing_file_is_an_error_naming_it_and_its_line() {
    // Read while playing (`diskin2`): the render would be silence.
    let folder = patch_folder();
    let streamed = SAMPLER
        .replace("giSample ftgen 0, 0, 0, 1, \"tone.wav\", 0, 0, 0\n", "")
        .replace("  aL loscil 1, 1, giSample, 1\n", "  aL = 0\n");
    std::fs::write(folder.path().join("streamed.csd"), streamed).unwrap();
    std::fs::remove_file(folder.path().join("tone.wav")).unwrap();
    let elsewhere = TempDir::new().expect("temp dir");
    let out = elsewhere.path().join("out.wav");
    let render = |patch: &str| {
        let mut cmd = Command::new(cli_path());
        cmd.current_dir(elsewhere.path())
            .arg("render")
            .arg(folder.path().join(patch))
            .arg("-o")
            .arg(&out);
        run(cmd, elsewhere.path(), patch)
    };
    let result = render("streamed.csd");
    assert!(!result.status.success(), "{}", result.describe());
    let said: Vec<&str> = result.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(said.len(), 1, "one line: {said:?}");
    assert!(
        said[0].contains("streamed.csd:10: cannot find 'tone.wav'"),
        "{}",
        said[0]
    );
    assert!(!out.exists(), "nothing is written");

    // Read by the global code (a table): the patch does not start; the line is named.
    let result = render("sampler.csd");
    assert!(!result.status.success(), "{}", result.describe());
    assert!(
        result
            .stderr
            .contains("sampler.csd:8: error: ftgen error: Failed to open file tone.wav"),
        "{}",
        result.stderr
    );
    assert!(!out.exists(), "nothing is written");

    // An `#include` found nowhere: its name and line (Csound itself would crash on it).
    std::fs::remove_file(folder.path().join("gain.udo")).unwrap();
    let result = render("sampler.csd");
    assert!(!result.status.success(), "{}", result.describe());
    let wanted = "sampler.csd:7: error: cannot find the #include'd file 'gain.udo'";
    assert!(result.stderr.contains(wanted), "{}", result.stderr);
}

/// Debian's General MIDI SoundFont (package `timgm6mb-soundfont`).
const SOUNDFONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

/// The sampler plus a SoundFont piano note: a sample, an `#include` and a SoundFont.
fn folder_patch() -> String {
    SAMPLER
        .replace(
            "instr 1\n",
            "giFont sfload \"TimGM6mb.sf2\"\ngiPiano sfpreset 0, 0, giFont, 0\ninstr 1\n",
        )
        .replace(
            "</CsInstruments>",
            "instr 2\n  a1, a2 sfplay 100, 60, 0.5, 1, giPiano, 1\n  outs a1, a2\nendin\n\
             </CsInstruments>",
        )
        .replace("i 1 0 1\n", "i 1 0 1\ni 2 0 1\n")
}

fn cli(args: &[&std::ffi::OsStr], cwd: &Path, label: &str) -> String {
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(cwd).args(args);
    let result = run(cmd, cwd, label);
    assert!(result.status.success(), "{}", result.describe());
    result.stderr
}

#[test]
fn a_packed_patch_renders_the_same_from_an_empty_folder_and_unpacks_back() {
    assert!(
        Path::new(SOUNDFONT).is_file(),
        "{SOUNDFONT} is missing (Debian package timgm6mb-soundfont)"
    );
    let folder = patch_folder();
    std::fs::copy(SOUNDFONT, folder.path().join("TimGM6mb.sf2")).unwrap();
    let patch = folder.path().join("song.csd");
    std::fs::write(&patch, folder_patch()).unwrap();
    let elsewhere = TempDir::new().expect("temp dir");
    let (ours, theirs) = render_both(&patch, elsewhere.path());
    assert!(
        ours == theirs,
        "the folder patch: not bit-identical to csound -o"
    );

    let packed_dir = TempDir::new().expect("temp dir");
    let packed = packed_dir.path().join("packed.csd");
    let said = cli(
        &[
            "pack".as_ref(),
            patch.as_os_str(),
            "-o".as_ref(),
            packed.as_os_str(),
        ],
        elsewhere.path(),
        "pack",
    );
    assert!(
        said.contains("3 embedded files (gain.udo, tone.wav, TimGM6mb.sf2)"),
        "{said}"
    );
    // The folder goes away: the packed file carries everything.
    let originals: Vec<(String, Vec<u8>)> = ["gain.udo", "tone.wav", "TimGM6mb.sf2"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(folder.path().join(n)).unwrap()))
        .collect();
    drop(folder);
    let empty = TempDir::new().expect("temp dir");
    let (ours_packed, theirs_packed) = render_both(&packed, empty.path());
    assert!(
        ours_packed == ours,
        "csound-plug: packed differs from the folder version"
    );
    assert!(
        theirs_packed == theirs,
        "csound -o: packed differs from the folder version"
    );

    // Unpacked, the files are the originals and the patch no longer carries them.
    let out = TempDir::new().expect("temp dir");
    cli(
        &[
            "unpack".as_ref(),
            packed.as_os_str(),
            "-o".as_ref(),
            out.path().as_os_str(),
        ],
        empty.path(),
        "unpack",
    );
    for (name, bytes) in &originals {
        assert!(
            std::fs::read(out.path().join(name)).unwrap() == *bytes,
            "{name}"
        );
    }
    let unpacked = std::fs::read_to_string(out.path().join("packed.csd")).unwrap();
    assert_eq!(unpacked, folder_patch());
}

#[test]
fn embedding_past_the_cap_is_refused_with_advice() {
    let folder = patch_folder();
    let patch = folder.path().join("sampler.csd");
    let out = folder.path().join("packed.csd");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(folder.path())
        .arg("pack")
        .arg(&patch)
        .arg("-o")
        .arg(&out)
        .args(["--max-mb", "0"]);
    let result = run(cmd, folder.path(), "pack");
    assert!(!result.status.success(), "{}", result.describe());
    assert!(
        result.stderr.contains("over the 0 MB cap"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("link large files"),
        "{}",
        result.stderr
    );
    assert!(!out.exists());
}

#[test]
fn check_lists_the_files_a_patch_reads_and_warns_of_missing_ones() {
    let folder = patch_folder();
    let elsewhere = TempDir::new().expect("temp dir");
    let patch = folder.path().join("sampler.csd");
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(elsewhere.path()).arg("check").arg(&patch);
    let result = run(cmd, elsewhere.path(), "check");
    assert!(result.status.success(), "{}", result.describe());
    let folder_path = std::fs::canonicalize(folder.path()).unwrap();
    let tone = format!(
        "  {}  (46.9 KB, audio: 1 ch, 48000 Hz, 0.500 s)",
        folder_path.join("tone.wav").display()
    );
    let udo = format!("  {}  (61 bytes)", folder_path.join("gain.udo").display());
    assert!(result.stdout.contains("files read:"), "{}", result.stdout);
    assert!(result.stdout.contains(&tone), "{}", result.stdout);
    assert!(result.stdout.contains(&udo), "{}", result.stdout);

    // Streamed while playing and not there: the check passes with a warning naming it.
    let streamed = SAMPLER
        .replace("giSample ftgen 0, 0, 0, 1, \"tone.wav\", 0, 0, 0\n", "")
        .replace("  aL loscil 1, 1, giSample, 1\n", "  aL = 0\n")
        .replace("\"tone.wav\", 1.5", "\"gone.wav\", 1.5");
    std::fs::write(folder.path().join("streamed.csd"), streamed).unwrap();
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(elsewhere.path())
        .arg("check")
        .arg(folder.path().join("streamed.csd"));
    let result = run(cmd, elsewhere.path(), "check-missing");
    assert!(result.status.success(), "{}", result.describe());
    assert!(
        result
            .stderr
            .contains("streamed.csd: cannot find 'gone.wav' (line 10)"),
        "{}",
        result.stderr
    );
}

/// Renders `patch` from `cwd` with our CLI, the user's settings in `settings`.
fn render_with_settings(
    patch: &Path,
    cwd: &Path,
    settings: &Path,
) -> csound_plug_testkit::process::Output {
    let out = cwd.join("out.wav");
    let _ = std::fs::remove_file(&out);
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(cwd)
        .env("CSOUND_PLUG_SETTINGS", settings)
        .arg("render")
        .arg(patch)
        .arg("-o")
        .arg(&out);
    run(cmd, cwd, "render")
}

#[test]
fn linked_files_and_sample_folders_are_found_and_a_moved_link_by_its_hash() {
    if !csound_available() {
        return;
    }
    let folder = patch_folder();
    let samples = TempDir::new().expect("temp dir");
    let elsewhere = TempDir::new().expect("temp dir");
    let settings = elsewhere.path().join("settings.toml");
    let reference = render_both(&folder.path().join("sampler.csd"), elsewhere.path()).0;

    // The patch alone in a folder; its UDO in a sample folder the settings name, its
    // sample linked where it is.
    let alone = TempDir::new().expect("temp dir");
    std::fs::rename(
        folder.path().join("gain.udo"),
        samples.path().join("gain.udo"),
    )
    .unwrap();
    let link = csound_plug_engine::linked_files::link_to(&folder.path().join("tone.wav")).unwrap();
    let linked = csound_plug_patch::links::with_link(SAMPLER, "tone.wav", &link).unwrap();
    let patch = alone.path().join("linked.csd");
    std::fs::write(&patch, &linked).unwrap();
    let ran = render_with_settings(&patch, elsewhere.path(), &settings);
    assert!(
        !ran.status.success(),
        "no sample folder yet: {}",
        ran.describe()
    );
    assert!(ran.stderr.contains("gain.udo"), "{}", ran.stderr);
    csound_plug_patch::settings::Settings {
        sample_folders: vec![samples.path().to_path_buf()],
        ..Default::default()
    }
    .save_to(&settings)
    .unwrap();
    let ran = render_with_settings(&patch, elsewhere.path(), &settings);
    assert!(ran.status.success(), "{}", ran.describe());
    let out = elsewhere.path().join("out.wav");
    assert_eq!(read_float_wav(&out).samples, reference);

    // `check` says which file is linked, and lists the one found in the sample folder.
    let mut cmd = Command::new(cli_path());
    cmd.current_dir(elsewhere.path())
        .env("CSOUND_PLUG_SETTINGS", &settings)
        .arg("check")
        .arg(&patch);
    let checked = run(cmd, elsewhere.path(), "check");
    assert!(checked.status.success(), "{}", checked.describe());
    let tone = std::fs::canonicalize(folder.path().join("tone.wav")).unwrap();
    let udo = std::fs::canonicalize(samples.path().join("gain.udo")).unwrap();
    let listed =
        |line: String| assert!(checked.stdout.contains(&line), "{line}\n{}", checked.stdout);
    listed(format!(
        "{}  (46.9 KB, audio: 1 ch, 48000 Hz, 0.500 s)  [linked]",
        tone.display()
    ));
    listed(format!("{}  (61 bytes)\n", udo.display()));

    // The sample moves into a subfolder of the sample folder, under another name: found
    // by its contents, the same sound.
    std::fs::create_dir(samples.path().join("kit")).unwrap();
    let moved = samples.path().join("kit").join("330 Hz.wav");
    std::fs::rename(folder.path().join("tone.wav"), &moved).unwrap();
    let ran = render_with_settings(&patch, elsewhere.path(), &settings);
    assert!(ran.status.success(), "{}", ran.describe());
    assert_eq!(read_float_wav(&out).samples, reference);

    // Gone from everywhere: the error names it and the line that wants it.
    std::fs::remove_file(&moved).unwrap();
    let ran = render_with_settings(&patch, elsewhere.path(), &settings);
    assert!(!ran.status.success(), "{}", ran.describe());
    assert!(ran.stderr.contains("linked.csd:8:"), "{}", ran.stderr);
    assert!(ran.stderr.contains("tone.wav"), "{}", ran.stderr);
    assert!(!out.exists(), "nothing is written");
}
