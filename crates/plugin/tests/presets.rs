//! Factory and user presets. Every factory preset compiles, declares its parameters and,
//! played as a user would (a MIDI phrase into instruments, a test signal through
//! effects), makes finite sound that is neither silent nor clipping, through the plugin's
//! engine and in the `csound` command line. A user preset saved from the plugin's current
//! state loads back with the same code and parameter values.

use csound_plug::compiler::{Compiler, Trust};
use csound_plug::params::PlugParams;
use csound_plug::slots::{SlotValues, SLOT_COUNT};
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi_file::{midi_bytes, TimedMidi};
use csound_plug_engine::render::{self, InputAudio, RenderOptions};
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_patch::facts::uses_midi_opcodes;
use csound_plug_patch::metadata::{self, MidiMode};
use csound_plug_patch::presets::library::Library;
use csound_plug_patch::presets::{self, Preset};
use csound_plug_testkit::analysis::{peak, rms};
use csound_plug_testkit::process::{csound_available, limit_file_size, read_float_wav, run};
use std::fmt::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const SR: f64 = 48_000.0;
/// Seconds rendered: the phrase, then its release.
const SECONDS: f64 = 6.0;
/// Quieter than this over the loudest 100 ms is silence.
const SILENT_DBFS: f64 = -45.0;
/// A sample at or above this is hard clipping.
const CLIP: f32 = 0.999;

/// The phrase played into every preset: (start s, length s, key, velocity). Low drum
/// keys first (a kit answers those), then a melody and a four-note chord.
const PHRASE: &[(f64, f64, u8, u8)] = &[
    (0.0, 0.5, 36, 100),
    (0.5, 0.5, 38, 100),
    (1.0, 0.25, 42, 90),
    (1.25, 0.25, 42, 70),
    (1.5, 0.5, 48, 100),
    (2.0, 0.75, 60, 110),
    (2.75, 0.25, 62, 80),
    (3.0, 1.5, 60, 90),
    (3.0, 1.5, 64, 90),
    (3.0, 1.5, 67, 90),
    (3.0, 1.5, 72, 90),
];

/// The phrase as timed MIDI messages on channel 1.
fn phrase_midi() -> Vec<TimedMidi> {
    let frame = |t: f64| (t * SR).round() as u64;
    let mut events: Vec<TimedMidi> = PHRASE
        .iter()
        .flat_map(|&(start, length, key, velocity)| {
            [
                TimedMidi::new(frame(start), &[0x90, key, velocity]),
                TimedMidi::new(frame(start + length), &[0x80, key, 0]),
            ]
        })
        .collect();
    // Note-offs before note-ons at the same frame.
    events.sort_by_key(|e| (e.frame, e.message()[0] == 0x90));
    events
}

/// The phrase as score events for `instrument`: p4 key, p5 velocity, p6 channel, p7 Hz.
fn phrase_score(instrument: u32) -> String {
    let mut score = String::new();
    for &(start, length, key, velocity) in PHRASE {
        let hz = 440.0 * 2f64.powf((f64::from(key) - 69.0) / 12.0);
        let _ = writeln!(
            score,
            "i {instrument} {start} {length} {key} {velocity} 1 {hz}"
        );
    }
    score
}

/// Stereo test input: a saw melody in short enveloped notes and noise bursts, 6 s, peak
/// about -10 dBFS, the right channel 5 ms behind the left.
fn test_signal() -> Vec<Vec<f32>> {
    let frames = (SECONDS * SR) as usize;
    let melody = [220.0, 330.0, 262.0, 196.0, 247.0, 294.0, 220.0, 175.0];
    let mut left = vec![0.0f32; frames];
    let mut lcg: u32 = 1;
    for (n, sample) in left.iter_mut().enumerate() {
        let t = n as f64 / SR;
        let note = (t / 0.25) as usize;
        let in_note = t - note as f64 * 0.25;
        let mut v = 0.0;
        if in_note < 0.22 && t < 5.5 {
            let phase = (melody[note % melody.len()] * in_note).fract();
            v += (2.0 * phase - 1.0) * (-in_note * 6.0).exp() * 0.25;
        }
        // A noise burst at 0.5, 1.5, … 4.5 s.
        let burst = (t - 0.5).rem_euclid(1.0);
        lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        if (0.5..5.0).contains(&t) && burst < 0.08 {
            let noise = f64::from(lcg >> 8) / f64::from(1u32 << 23) - 1.0;
            v += noise * (-burst * 40.0).exp() * 0.2;
        }
        *sample = (v * 0.7) as f32;
    }
    let delay = (0.005 * SR) as usize;
    let right = (0..frames)
        .map(|n| n.checked_sub(delay).map_or(0.0, |m| left[m] * 0.9))
        .collect();
    vec![left, right]
}

/// What a render of a preset sounded like.
struct Heard {
    peak: f32,
    /// RMS of the loudest 100 ms, dBFS.
    loudest_dbfs: f64,
    finite: bool,
}

fn hear(channels: &[Vec<f32>], sample_rate: f64) -> Heard {
    let window = (0.1 * sample_rate) as usize;
    let mut loudest = 0.0f64;
    let mut finite = true;
    let mut top = 0.0f32;
    for channel in channels {
        finite &= channel.iter().all(|s| s.is_finite());
        top = top.max(peak(channel, 0..channel.len()));
        for start in (0..channel.len().saturating_sub(window)).step_by(window / 2) {
            loudest = loudest.max(rms(channel, start..start + window));
        }
    }
    Heard {
        peak: top,
        loudest_dbfs: 20.0 * loudest.max(1e-12).log10(),
        finite,
    }
}

/// Why a render is not acceptable, if it is not.
fn judge(heard: &Heard) -> Option<String> {
    if !heard.finite {
        Some("non-finite samples".into())
    } else if heard.peak >= CLIP {
        Some(format!("clips (peak {:.4})", heard.peak))
    } else if heard.loudest_dbfs < SILENT_DBFS {
        Some(format!(
            "silent (loudest 100 ms {:.1} dBFS)",
            heard.loudest_dbfs
        ))
    } else {
        None
    }
}

/// Whether host notes reach this preset through Csound's own MIDI system.
fn is_native(preset: &Preset) -> bool {
    let metadata = metadata::metadata(&preset.code)
        .unwrap()
        .unwrap_or_default();
    match metadata.midi.mode {
        Some(mode) => mode == MidiMode::Native,
        None => uses_midi_opcodes(&preset.code),
    }
}

#[test]
fn there_are_enough_factory_presets_in_every_category() {
    let presets = presets::factory();
    assert!(presets.len() >= 24, "{} factory presets", presets.len());
    for category in presets::CATEGORIES {
        assert!(
            presets.iter().any(|p| p.category == *category),
            "no factory preset in {category}"
        );
    }
    for (default, what) in [
        (presets::DEFAULT_INSTRUMENT, "instrument"),
        (presets::DEFAULT_FX, "effect"),
    ] {
        assert!(
            presets.iter().any(|p| p.code == default),
            "the default {what} is not a factory preset"
        );
    }
}

#[test]
fn every_factory_preset_declares_parameters_and_plays_through_the_engine() {
    let input = test_signal();
    let mut failures = Vec::new();
    let mut table = String::new();
    for preset in presets::factory() {
        let ring = Arc::new(MessageRing::new(64));
        let controls = match Engine::compile(&preset.code, &EngineConfig::default(), ring) {
            Ok((mut engine, _)) => engine.declared_controls(&preset.code),
            Err(e) => {
                failures.push(format!("{}: does not compile: {e}", preset.name));
                continue;
            }
        };
        if controls.len() < 2 {
            failures.push(format!(
                "{}: declares {} parameters",
                preset.name,
                controls.len()
            ));
        }
        for c in &controls {
            if !(c.min < c.max && (c.min..=c.max).contains(&c.default)) {
                failures.push(format!(
                    "{}: parameter {} has a bad range",
                    preset.name, c.channel
                ));
            }
        }
        let options = RenderOptions {
            input: Some(InputAudio {
                channels: input.clone(),
                sample_rate: SR as u32,
            }),
            midi: phrase_midi(),
            duration: Some(SECONDS),
            ..RenderOptions::default()
        };
        match render::render(&preset.code, &options, |_, _| {}) {
            Ok(rendered) => {
                let heard = hear(&rendered.channels, f64::from(rendered.sample_rate));
                let _ = writeln!(
                    table,
                    "{:<28} {:>2} parameters, peak {:>6.1} dBFS, loudest 100 ms {:>6.1} dBFS",
                    preset.name,
                    controls.len(),
                    20.0 * f64::from(heard.peak.max(1e-9)).log10(),
                    heard.loudest_dbfs
                );
                if let Some(why) = judge(&heard) {
                    failures.push(format!("{}: {why}", preset.name));
                }
            }
            Err(e) => failures.push(format!("{}: does not render: {e}", preset.name)),
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_factory_preset_runs_in_the_csound_command_line() {
    assert!(
        csound_available(),
        "the `csound` command line is not installed (Debian package `csound`)"
    );
    let dir = tempfile::tempdir().unwrap();
    let input = test_signal();
    let input_path = dir.path().join("input.wav");
    write_wav(&input_path, &input);
    let midi_path = dir.path().join("phrase.mid");
    std::fs::write(&midi_path, midi_bytes(&phrase_midi(), SR)).unwrap();
    let mut failures = Vec::new();
    for (n, preset) in presets::factory().iter().enumerate() {
        // The score is replaced: a fixed length (factory presets keep their score empty
        // and start what runs forever with `alwayson`), plus the phrase for score-mode
        // instruments; native-MIDI presets read the phrase as a MIDI file.
        let native = is_native(preset);
        let metadata = metadata::metadata(&preset.code)
            .unwrap()
            .unwrap_or_default();
        let mut score = format!("f 0 {SECONDS}\n");
        if !native {
            score.push_str(&phrase_score(metadata.instrument_for(0)));
        }
        score.push_str("e\n");
        let parsed = csound_plug_patch::csd::Csd::parse(&preset.code);
        let Some(body) = parsed.score().map(|s| s.body) else {
            failures.push(format!("{}: no <CsScore> section", preset.name));
            continue;
        };
        let code = preset.code.replacen(
            &format!("<CsScore>{body}</CsScore>"),
            &format!("<CsScore>\n{score}</CsScore>"),
            1,
        );
        let csd = dir.path().join(format!("preset{n}.csd"));
        let wav = dir.path().join(format!("preset{n}.wav"));
        std::fs::write(&csd, code).unwrap();
        let mut cmd = Command::new("csound");
        cmd.current_dir(dir.path())
            .args(["-d", "--format=wav:float", "-i"])
            .arg(&input_path)
            .arg("-o")
            .arg(&wav);
        if native {
            cmd.arg("-F").arg(&midi_path);
        }
        cmd.arg(&csd);
        // Six seconds of stereo float are 2.3 MB; a runaway score stops at 32 MB.
        limit_file_size(&mut cmd, 32 << 20);
        let result = run(cmd, dir.path(), &format!("csound{n}"));
        let log = format!("{}{}", result.stdout, result.stderr);
        if !result.status.success() || !log.contains("0 errors in performance") {
            failures.push(format!(
                "{}: csound failed\n{}",
                preset.name,
                result.describe()
            ));
            continue;
        }
        let out = read_float_wav(&wav);
        let channels = out.channel_buffers();
        let heard = hear(&channels, f64::from(out.sample_rate));
        println!(
            "{:<28} csound: peak {:>6.1} dBFS, loudest 100 ms {:>6.1} dBFS",
            preset.name,
            20.0 * f64::from(heard.peak.max(1e-9)).log10(),
            heard.loudest_dbfs
        );
        if let Some(why) = judge(&heard) {
            failures.push(format!("{}: in csound: {why}", preset.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn write_wav(path: &std::path::Path, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: SR as u32,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for frame in 0..channels[0].len() {
        for channel in channels {
            writer.write_sample(channel[frame]).unwrap();
        }
    }
    writer.finalize().unwrap();
}

/// The plugin's parameters and compiler, active at 48 kHz, as a host would have them.
fn plugin_side() -> (Compiler, Arc<PlugParams>) {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let params = Arc::new(PlugParams::new(presets::DEFAULT_INSTRUMENT, &compiler));
    let _ = compiler.shared().slots.values.set(params.slots.clone());
    compiler.activate(EngineConfig::plugin(SR, false));
    (compiler, params)
}

/// Loads `preset` and waits for its compile.
fn load(compiler: &Compiler, params: &PlugParams, preset: &Preset) {
    params.patch.load_preset(preset);
    compiled(compiler, &preset.code);
}

/// Waits for the compile of `code` (earlier reports are skipped).
fn compiled(compiler: &Compiler, code: &str) {
    loop {
        let report = compiler
            .reports()
            .recv_timeout(Duration::from_secs(20))
            .expect("compiled in time");
        if *report.code == code {
            assert!(report.result.is_ok(), "{:?}", report.result);
            return;
        }
    }
}

#[test]
fn a_saved_user_preset_loads_back_with_its_code_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().join("presets"));
    let (compiler, params) = plugin_side();
    let factory = presets::factory();
    let pad = factory
        .iter()
        .find(|p| p.name == "Warm Pad")
        .expect("the Warm Pad preset");
    load(&compiler, &params, pad);
    let declared = params.patch.current_values();
    assert!(declared.len() >= 4, "{declared:?}");

    // The user moves every parameter, edits the code, and saves under a new name.
    for slot in 0..SLOT_COUNT {
        params
            .slots
            .set_position(slot, (slot as f32 * 0.137 + 0.05).fract());
    }
    let edited = pad
        .code
        .replace("<CsInstruments>", "<CsInstruments>\n; my version ♪");
    params.patch.set_code(edited.clone(), Trust::Own);
    compiled(&compiler, &edited);
    let moved = params.patch.current_values();
    assert_ne!(moved, declared);
    let saved = params
        .patch
        .save_as(&library, "Pad — mine ♪")
        .expect("saved");
    assert!(saved.code.contains("; my version ♪"));
    assert_eq!(*params.patch.get(), saved.code);

    // The factory preset again: its declared values come back, and only its channels
    // hold slots.
    load(&compiler, &params, pad);
    assert_eq!(params.patch.current_values(), declared);
    let mapped: Vec<String> = compiler
        .shared()
        .slots
        .map
        .load()
        .0
        .keys()
        .cloned()
        .collect();
    assert_eq!(mapped, declared.keys().cloned().collect::<Vec<_>>());

    // Then the saved one, found by name: its code and values come back.
    let found = library.find("pad — MINE ♪").expect("found by name");
    assert_eq!(found, saved);
    load(&compiler, &params, &found);
    assert_eq!(*params.patch.get(), found.code);
    assert_eq!(
        params.patch.current_values(),
        moved,
        "values restored exactly"
    );
    let preset = params.patch.preset().expect("a preset reference");
    assert_eq!(
        (preset.name.as_str(), preset.origin.as_str()),
        ("Pad — mine ♪", "user")
    );
}

#[test]
fn user_presets_are_listed_renamed_imported_exported_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::new(dir.path().join("presets"));
    let factory_count = presets::factory().len();
    assert_eq!(library.list().presets.len(), factory_count);

    let code = presets::DEFAULT_FX;
    let mut values = std::collections::BTreeMap::new();
    values.insert("feedback".to_string(), 0.3);
    let saved = library.save("Echo Mine", code, &values).unwrap();
    assert_eq!(saved.category, "Effects", "category kept from the metadata");
    let listing = library.list();
    assert_eq!(listing.presets.len(), factory_count + 1);
    // Listed with the factory presets of its category.
    let names: Vec<_> = listing
        .presets
        .iter()
        .filter(|p| p.category == "Effects")
        .map(|p| p.name.as_str())
        .collect();
    assert!(names.contains(&"Echo Mine"), "{names:?}");

    let renamed = library.rename("echo mine", "Echo: Final").unwrap();
    assert!(library.find("Echo Mine").is_err());
    assert_eq!(library.find("Echo: Final").unwrap(), renamed);
    assert!(library.rename("Echo: Final", "").is_err());

    // Export writes the file as it is; importing it again gets a new name.
    let exported = dir.path().join("shared.csd");
    library.export("Echo: Final", &exported).unwrap();
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), renamed.code);
    let imported = library.import(&exported).unwrap();
    assert_eq!(imported.name, "Echo: Final 2");
    assert_eq!(
        metadata::metadata(&imported.code).unwrap().unwrap().params,
        values
    );
    // A file that is not a .csd is refused with the reason.
    let text = dir.path().join("notes.csd");
    std::fs::write(&text, "just words").unwrap();
    assert!(library
        .import(&text)
        .unwrap_err()
        .contains("not a Csound .csd"));
    let binary = dir.path().join("binary.csd");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    assert!(library.import(&binary).unwrap_err().contains("UTF-8"));

    library.delete("Echo: Final").unwrap();
    library.delete("Echo: Final 2").unwrap();
    assert_eq!(library.list().presets.len(), factory_count);
    let factory_name = &presets::factory()[0].name;
    assert!(
        library.delete(factory_name).is_err(),
        "factory presets stay"
    );
}

/// A sampler whose table reads `tone.wav` when the patch starts: it does not start
/// unless the file is found.
const SAMPLER_PRESET: &str = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\n\
    nchnls = 2\n0dbfs = 1\ngiTone ftgen 0, 0, 0, 1, \"tone.wav\", 0, 0, 0\n\
    chn_k \"level\", 1, 2, 0.5, 0, 1\ninstr 1\n  a1 loscil chnget:k(\"level\"), 1, giTone, 1\n\
    outs a1, a1\nendin\n</CsInstruments>\n<CsScore>\n</CsScore>\n<CsoundPlug>\n\
    name = \"Sampler\"\n</CsoundPlug>\n</CsoundSynthesizer>\n";

/// Writes a short 330 Hz tone as a 16-bit WAV.
fn write_tone(path: &std::path::Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(path, spec).expect("create WAV");
    for n in 0..4_800 {
        let s = (2.0 * std::f64::consts::PI * 330.0 * f64::from(n) / 48_000.0).sin() * 0.5;
        wav.write_sample((s * 32767.0) as i16).expect("sample");
    }
    wav.finalize().expect("WAV written");
}

#[test]
fn a_user_preset_finds_the_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("presets");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("Sampler.csd"), SAMPLER_PRESET).unwrap();
    write_tone(&folder.join("tone.wav"));
    let library = Library::new(&folder);
    let sampler = library.find("Sampler").expect("the user preset");
    let (compiler, params) = plugin_side();
    // `load` waits for the compile and fails unless it succeeded: the table found its
    // file in the preset's folder (the test runs elsewhere).
    load(&compiler, &params, &sampler);
    let saved_folder = compiler.shared().status.patch_folder.load_full();
    assert_eq!(saved_folder.as_deref(), Some(&folder));
    // The folder goes into the session with the code.
    let state = nice_plug::params::persist::PersistentField::map(&params.patch, |v| v.clone());
    assert_eq!(state["folder"], folder.display().to_string());
    // A factory preset has no folder.
    let pad = presets::factory()
        .into_iter()
        .find(|p| p.name == "Warm Pad")
        .expect("the Warm Pad preset");
    load(&compiler, &params, &pad);
    assert!(compiler.shared().status.patch_folder.load_full().is_none());
}
