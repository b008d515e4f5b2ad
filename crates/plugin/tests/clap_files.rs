//! Patches that read files, through a CLAP host: the folder a patch was loaded from
//! travels in the session, and its relative file names are found there (the host's
//! working folder is elsewhere).

use csound_plug_testkit::analysis::{rms, seconds};
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, load_bundle, logged_more_than, patch_code,
    plugin_log, with_patch_code, with_state_field, HostedPlugin, NoteEvent, INSTRUMENT_ID,
};
use serde_json::Value;

const SR: f64 = 48_000.0;

/// Notes play `tone.wav` from a table the patch fills when it starts.
const SAMPLER: &str = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\n\
    nchnls = 2\n0dbfs = 1\ngiTone ftgen 0, 0, 0, -1, \"tone.wav\", 0, 0, 0\ninstr 1\n  \
    a1 loscil 1, 1, giTone, 1\n  outs a1, a1\nendin\n</CsInstruments>\n<CsScore>\n\
    </CsScore>\n</CsoundSynthesizer>\n";

/// A mono 16-bit 48 kHz WAV of `samples` at `path`.
fn write_mono(path: &std::path::Path, samples: impl Iterator<Item = i16>) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(path, spec).expect("create WAV");
    for sample in samples {
        wav.write_sample(sample).expect("sample");
    }
    wav.finalize().expect("WAV written");
}

/// One second of a 330 Hz sine at half scale.
fn write_tone(path: &std::path::Path) {
    write_mono(
        path,
        (0..48_000).map(|n| {
            let s = (2.0 * std::f64::consts::PI * 330.0 * f64::from(n) / 48_000.0).sin() * 0.5;
            (s * 32767.0) as i16
        }),
    );
}

/// A new instance loaded with `state`, active, playing a note for 0.5 s.
fn play(state: &Value) -> (HostedPlugin, Vec<Vec<f32>>) {
    let mut plugin = HostedPlugin::new(&load_bundle(), INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(state)));
    plugin.activate(SR, 512);
    let events = [NoteEvent::on(0, 60, 100)];
    let out = plugin.render(&[], seconds(0.5, SR), 256, &events);
    (plugin, out)
}

#[test]
fn a_session_finds_its_files_in_the_folder_it_names() {
    let folder = tempfile::tempdir().expect("temp dir");
    write_tone(&folder.path().join("tone.wav"));
    let blank =
        decode_nice_plug_state(&HostedPlugin::new(&load_bundle(), INSTRUMENT_ID).save_state());
    let with_folder = with_state_field(
        &with_patch_code(&blank, SAMPLER),
        "folder",
        Value::String(folder.path().display().to_string()),
    );
    let (mut plugin, out) = play(&with_folder);
    // The sample's level: a 0.5 sine, rms 0.354.
    let level = rms(&out[0], seconds(0.1, SR)..seconds(0.4, SR));
    assert!((level - 0.354).abs() < 0.01, "rms {level}");
    // Saved again, the folder stays with the code.
    let saved = decode_nice_plug_state(&plugin.save_state());
    assert_eq!(patch_code(&saved), SAMPLER);
    let inner: Value = serde_json::from_str(saved["fields"]["state"].as_str().unwrap()).unwrap();
    assert_eq!(inner["folder"], folder.path().display().to_string());

    // Without the folder the table finds nothing: the patch does not start (silence,
    // the code kept).
    let (mut plugin, out) = play(&with_patch_code(&blank, SAMPLER));
    assert!(rms(&out[0], 0..out[0].len()) < 1e-6);
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        SAMPLER
    );
}

/// A score plays the sample from a table (`loscil`) on the left and streams it
/// (`diskin2`) on the right.
const SCORE_SAMPLER: &str = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\n\
    nchnls = 2\n0dbfs = 1\ngiTone ftgen 0, 0, 0, -1, \"tone.wav\", 0, 0, 0\ninstr 1\n  \
    aL loscil 1, 1, giTone, 1\n  aR diskin2 \"tone.wav\", 1\n  outs aL, aR * 0.5\nendin\n\
    </CsInstruments>\n<CsScore>\ni 1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";

#[test]
fn an_embedded_sample_plays_from_the_session_as_csound_plays_it() {
    // The sample exists only inside the code (as Csound's own <CsFileB>).
    let scratch = tempfile::tempdir().expect("temp dir");
    write_tone(&scratch.path().join("tone.wav"));
    let bytes = std::fs::read(scratch.path().join("tone.wav")).unwrap();
    drop(scratch);
    let code = csound_plug_patch::embedded::embed(SCORE_SAMPLER, "tone.wav", &bytes);
    let empty = tempfile::tempdir().expect("temp dir");
    let expected = csound_plug_testkit::process::csound_output(&code, empty.path(), "packed");

    let blank =
        decode_nice_plug_state(&HostedPlugin::new(&load_bundle(), INSTRUMENT_ID).save_state());
    let mut plugin = HostedPlugin::new(&load_bundle(), INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(&blank, &code))));
    plugin.activate(SR, 512);
    let latency = plugin.latency() as usize;
    let frames = seconds(0.5, SR);
    let out = plugin.render(&[], frames, 256, &[]);
    // Two warm-up k-cycles before the first block, then the latency (see clap_buses.rs).
    let shift = 2 * 32 - latency;
    for side in 0..2 {
        let theirs = &expected[side][shift..shift + frames];
        assert!(out[side] == theirs, "side {side} differs from csound -o");
    }
    assert!(rms(&out[0], 0..frames) > 0.3, "the sample plays");
    // The state keeps the code with its file, byte for byte.
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        code
    );
}

#[test]
fn new_code_whose_file_is_missing_leaves_the_old_sound_playing_and_names_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    write_tone(&folder.path().join("tone.wav"));
    let blank =
        decode_nice_plug_state(&HostedPlugin::new(&load_bundle(), INSTRUMENT_ID).save_state());
    let playing = with_state_field(
        &with_patch_code(&blank, SAMPLER),
        "folder",
        Value::String(folder.path().display().to_string()),
    );
    let mut plugin = HostedPlugin::new(&load_bundle(), INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(&playing)));
    plugin.activate(SR, 512);
    let note = |plugin: &mut HostedPlugin| {
        let events = [
            NoteEvent::on(0, 60, 100),
            NoteEvent::off(seconds(0.2, SR), 60),
        ];
        plugin.render(&[], seconds(0.5, SR), 256, &events)
    };
    let before = note(&mut plugin);
    assert!(rms(&before[0], 0..before[0].len()) > 0.1);
    // The same session with code whose table wants a file that is nowhere.
    let wanting = SAMPLER.replace("\"tone.wav\"", "\"nowhere.wav\"");
    let count = plugin_log().matches("nowhere.wav").count();
    let state = with_state_field(
        &with_patch_code(&blank, &wanting),
        "folder",
        Value::String(folder.path().display().to_string()),
    );
    assert!(plugin.load_state(&encode_nice_plug_state(&state)));
    assert!(
        logged_more_than("Failed to open file nowhere.wav", count, 10),
        "{}",
        plugin_log()
    );
    assert!(
        note(&mut plugin) == before,
        "the old sound plays on bit for bit"
    );
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        wanting
    );
}

/// A mono 16-bit WAV of `frames` frames of a deterministic, noisy signal (it does not
/// compress, as real samples do not).
fn write_noise(path: &std::path::Path, frames: u32) {
    let mut lcg: u32 = 7;
    let samples = (0..frames).map(move |_| {
        lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((lcg >> 16) as i16) / 4
    });
    write_mono(path, samples);
}

#[test]
fn a_session_holding_a_ten_megabyte_sample_saves_and_reloads_with_the_same_sound() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let wav = scratch.path().join("tone.wav");
    write_noise(&wav, 5_300_000);
    let bytes = std::fs::read(&wav).unwrap();
    assert!(bytes.len() > 10 << 20, "{} bytes", bytes.len());
    drop(scratch);
    let code = csound_plug_patch::embedded::embed(SCORE_SAMPLER, "tone.wav", &bytes);
    let blank =
        decode_nice_plug_state(&HostedPlugin::new(&load_bundle(), INSTRUMENT_ID).save_state());
    let frames = seconds(0.5, SR);
    let play = |state: &[u8]| {
        let mut plugin = HostedPlugin::new(&load_bundle(), INSTRUMENT_ID);
        let started = std::time::Instant::now();
        assert!(plugin.load_state(state));
        // Activation waits until the session's patch is built and plays.
        plugin.activate(SR, 512);
        let loaded = started.elapsed();
        let out = plugin.render(&[], frames, 256, &[]);
        println!(
            "session loaded and playing in {:.0} ms",
            loaded.as_secs_f64() * 1e3
        );
        (out, plugin.save_state())
    };
    let (first, saved) = play(&encode_nice_plug_state(&with_patch_code(&blank, &code)));
    assert!(rms(&first[0], 0..frames) > 0.1, "the sample plays");
    println!(
        "state with a {:.1} MB embedded sample: {:.1} MB",
        bytes.len() as f64 / 1048576.0,
        saved.len() as f64 / 1048576.0
    );
    let (again, resaved) = play(&saved);
    assert!(again == first, "the reloaded session sounds the same");
    assert_eq!(resaved.len(), saved.len());
}

#[test]
fn a_session_linking_a_file_plays_it_and_one_whose_link_is_missing_plays_what_it_can() {
    let samples = tempfile::tempdir().expect("temp dir");
    let tone = samples.path().join("tone.wav");
    write_tone(&tone);
    let link = csound_plug_engine::linked_files::link_to(&tone).expect("link");
    // A note streams the linked sample; the score's drone needs no file. (A table the
    // header fills from a missing file stops the whole patch from starting, as in Csound.)
    let code = SAMPLER
        .replace("giTone ftgen 0, 0, 0, -1, \"tone.wav\", 0, 0, 0\n", "")
        .replace("a1 loscil 1, 1, giTone, 1", "a1 diskin2 \"tone.wav\", 1")
        .replace(
            "endin\n</CsInstruments>",
            "endin\ninstr 2\n  a1 oscili 0.1, 220\n  outs a1, a1\nendin\n</CsInstruments>",
        )
        .replace("<CsScore>\n", "<CsScore>\ni 2 0 3600\n");
    assert!(code.contains("diskin2") && !code.contains("ftgen"));
    let code = csound_plug_patch::links::with_link(&code, "tone.wav", &link).expect("linked");
    let blank =
        decode_nice_plug_state(&HostedPlugin::new(&load_bundle(), INSTRUMENT_ID).save_state());
    let state = with_patch_code(&blank, &code);
    let (_, out) = play(&state);
    let window = seconds(0.1, SR)..seconds(0.4, SR);
    // The sample (rms 0.354) and the drone (0.0707), uncorrelated: their powers add.
    let both = (0.354f64.powi(2) + 0.0707f64.powi(2)).sqrt();
    let level = rms(&out[0], window.clone());
    assert!((level - both).abs() < 0.01, "rms {level}");

    // The file is gone: the session still loads its code, the drone plays, the log names
    // the file, and the saved state keeps the link.
    std::fs::remove_file(&tone).unwrap();
    let said = "cannot find 'tone.wav' (line 8): the notes that need it are silent";
    let count = plugin_log().matches(said).count();
    let (mut plugin, out) = play(&state);
    let level = rms(&out[0], window);
    assert!(
        (level - 0.0707).abs() < 0.005,
        "only the drone: rms {level}"
    );
    assert!(logged_more_than(said, count, 10), "{}", plugin_log());
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        code
    );
}
