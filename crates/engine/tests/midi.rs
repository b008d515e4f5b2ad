//! Host MIDI through the engine: held and overlapping notes, the sustain pedal,
//! all-notes-off, controllers and pitch bend, native mode, and MIDI the patch sends.

use csound_plug_engine::block::Input;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_testkit::analysis;
use csound_plug_testkit::csd::csd;
use std::sync::Arc;

use csound_plug_testkit::TWO_OSC_SYNTH;

const SR: f64 = 48_000.0;

fn config(native: bool) -> EngineConfig {
    EngineConfig {
        native_midi: Some(native),
        ..EngineConfig::plugin(SR, false)
    }
}

fn engine(code: &str, native: bool) -> Engine {
    let ring = Arc::new(MessageRing::new(1024));
    match Engine::compile(code, &config(native), ring) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("{e}"),
    }
}

/// Renders `frames` in blocks of `block` with raw MIDI at absolute frames; returns the
/// left channel and the MIDI the patch sent (absolute frame, bytes).
fn run(
    engine: &mut Engine,
    frames: usize,
    block: usize,
    midi: &[(usize, [u8; 3])],
) -> (Vec<f32>, Vec<(usize, [u8; 3])>) {
    let mut out = vec![0.0f32; frames];
    let mut right = vec![0.0f32; block];
    let mut sent = Vec::new();
    let mut start = 0;
    while start < frames {
        let n = block.min(frames - start);
        let events: Vec<MidiEvent> = midi
            .iter()
            .filter(|(at, _)| (start..start + n).contains(at))
            .filter_map(|(at, bytes)| MidiEvent::from_bytes((at - start) as u32, bytes))
            .collect();
        let mut outputs = [&mut out[start..start + n], &mut right[..n]];
        engine.process(&Input::<&[f32]>::Silence, &mut outputs, n, &events);
        engine.drain_midi_out(n, |offset, bytes| {
            sent.push((start + offset as usize, bytes))
        });
        start += n;
    }
    (out, sent)
}

fn on(at: usize, key: u8) -> (usize, [u8; 3]) {
    (at, [0x90, key, 100])
}

fn off(at: usize, key: u8) -> (usize, [u8; 3]) {
    (at, [0x80, key, 0])
}

fn cc(at: usize, n: u8, v: u8) -> (usize, [u8; 3]) {
    (at, [0xb0, n, v])
}

/// Silent (below -100 dBFS) from `from` to the end.
fn silent_after(x: &[f32], from: usize) -> bool {
    analysis::peak(x, from..x.len()) < 1e-5
}

#[test]
fn overlapping_notes_sustain_and_all_notes_off_leave_no_hung_note() {
    let mut e = engine(TWO_OSC_SYNTH, false);
    // Same key struck twice before either ends, then both ended.
    let (x, _) = run(
        &mut e,
        96_000,
        256,
        &[on(0, 60), on(4_800, 60), off(9_600, 60), off(14_400, 60)],
    );
    assert!(
        analysis::peak(&x, 10_000..14_000) > 0.01,
        "the second note still sounds"
    );
    assert!(silent_after(&x, 14_400 + 24_000), "both notes end");
    // The pedal holds note-offs until it lifts.
    let mut e = engine(TWO_OSC_SYNTH, false);
    let (x, _) = run(
        &mut e,
        144_000,
        256,
        &[
            cc(0, 64, 127),
            on(100, 64),
            off(4_800, 64),
            cc(72_000, 64, 0),
        ],
    );
    assert!(
        analysis::peak(&x, 60_000..72_000) > 0.01,
        "held by the pedal"
    );
    assert!(
        silent_after(&x, 72_000 + 24_000),
        "ended when the pedal lifts"
    );
    // All notes off ends notes whose note-off never comes.
    let mut e = engine(TWO_OSC_SYNTH, false);
    let (x, _) = run(
        &mut e,
        96_000,
        256,
        &[on(0, 60), on(0, 67), on(10, 72), cc(24_000, 123, 0)],
    );
    assert!(analysis::peak(&x, 20_000..24_000) > 0.01);
    assert!(silent_after(&x, 24_000 + 24_000));
    // And so does the transport stopping (the processor calls this).
    let mut e = engine(TWO_OSC_SYNTH, false);
    let _ = run(&mut e, 4_800, 256, &[on(0, 60)]);
    e.all_notes_off();
    let (x, _) = run(&mut e, 48_000, 256, &[]);
    assert!(silent_after(&x, 24_000));
}

/// Reads PITCHBEND (±2 semitones) and CC7 (volume) as the README documents them.
const CONTROLLED: &str =
    "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
    instr 1\n kbend chnget \"PITCHBEND\"\n kvol chnget \"CC7.1\"\n\
    a1 poscil 0.5 * kvol / 127, cpsmidinn(p4 + 2 * kbend)\n outs a1, a1\nendin\n\
    </CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";

#[test]
fn pitch_bend_and_controllers_change_the_sound_as_the_patch_says() {
    let mut e = engine(CONTROLLED, false);
    let bend_up = [0xe0, 0x7f, 0x7f]; // +8191/8192
    let (x, _) = run(
        &mut e,
        96_000,
        100,
        &[on(0, 69), (30_000, bend_up), cc(60_000, 7, 50)],
    );
    // Before any controller: centred bend, volume 100 of 127.
    let f0 = analysis::fundamental(&x[5_000..28_000], SR).expect("pitch");
    assert!((f0 - 440.0).abs() < 0.5, "{f0}");
    assert!((analysis::peak(&x, 5_000..28_000) - 0.5 * 100.0 / 127.0).abs() < 0.01);
    let bent = analysis::fundamental(&x[32_000..58_000], SR).expect("pitch");
    let want = 440.0 * 2f64.powf(2.0 * 8191.0 / 8192.0 / 12.0);
    assert!((bent - want).abs() < 0.5, "bent {bent}, want {want}");
    let level = analysis::peak(&x, 62_000..96_000);
    assert!(
        (level - 0.5 * 50.0 / 127.0).abs() < 0.01,
        "CC7 50 gives {level}"
    );
}

#[test]
fn native_mode_plays_through_csounds_own_midi_opcodes() {
    let code =
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
        massign 0, 1\ninstr 1\n icps cpsmidi\n iamp ampmidi 0.5\n kvol ctrl7 1, 7, 0, 1\n\
        a1 poscil iamp * kvol, icps\n outs a1, a1\nendin\n\
        </CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";
    let mut e = engine(code, true);
    let (x, _) = run(
        &mut e,
        72_000,
        64,
        &[cc(0, 7, 127), on(1_000, 69), off(40_000, 69)],
    );
    let f0 = analysis::fundamental(&x[5_000..35_000], SR).expect("pitch");
    assert!((f0 - 440.0).abs() < 0.5, "{f0}");
    // Native MIDI enters at the start of the k-cycle that holds it (992 for frame 1000):
    // the onset is at most one ksmps early against the note's frame plus the latency.
    // (The sine's first sample is 0, hence 1025.)
    let onset = analysis::first_above(&x, 1e-6).expect("onset");
    assert!(
        (1_000 + 32 - 31..=1_000 + 32).contains(&onset),
        "onset {onset}"
    );
    assert_eq!(onset, 992 + 32 + 1);
    assert!(silent_after(&x, 40_000 + 4_800));
}

#[test]
fn midi_the_patch_sends_reaches_the_host_with_its_audio() {
    // Each note the host sends is echoed a fifth up on channel 2.
    let code =
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n midion 2, p4 + 7, p5\n outs a(0), a(0)\nendin\n\
        </CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";
    let mut e = engine(code, false);
    let (_, sent) = run(&mut e, 9_600, 64, &[on(1_000, 60), off(5_000, 60)]);
    let notes: Vec<_> = sent
        .iter()
        .filter(|(_, b)| b[0] & 0xf0 == 0x90 && b[2] > 0)
        .collect();
    assert_eq!(notes.len(), 1, "{sent:?}");
    let (at, bytes) = notes[0];
    assert_eq!(bytes, &[0x91, 67, 100]);
    // Sent in the k-cycle that starts the note (frame 992), heard one latency later.
    assert_eq!(*at, 992 + 16);
    assert!(sent
        .iter()
        .any(|(at, b)| (b[0] & 0xf0 == 0x80 || b[2] == 0) && b[1] == 67 && *at > 5_000));
}

/// A MIDI phrase rendered through the CLI path equals the same phrase written as a
/// Csound score and rendered by the `csound` command line.
#[test]
fn a_midi_file_renders_like_the_equivalent_score() {
    use csound_plug_engine::midi_file::{read_midi_file, write_midi_file, TimedMidi};
    use csound_plug_engine::render::{render, RenderOptions};
    // Notes on 800-frame boundaries: whole k-cycles (ksmps 32) and whole MIDI ticks.
    let notes = [
        (0u64, 60u8, 100u8, 19_200u64),
        (9_600, 64, 80, 24_000),
        (28_800, 67, 110, 14_400),
        (28_800, 72, 60, 20_000),
    ];
    let mut events = Vec::new();
    let mut score = String::new();
    for &(start, key, vel, dur) in &notes {
        events.push(TimedMidi::new(start, &[0x90, key, vel]));
        events.push(TimedMidi::new(start + dur, &[0x80, key, 0]));
        score.push_str(&format!(
            "i 1 {} {} {key} {vel} 1\n",
            start as f64 / SR,
            dur as f64 / SR
        ));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mid = dir.path().join("phrase.mid");
    write_midi_file(&mid, &events, SR).expect("write MIDI");
    let midi = read_midi_file(&mid, SR).expect("read MIDI");
    assert_eq!(midi.len(), 8);
    let total = 3.0;
    let ours = render(
        TWO_OSC_SYNTH,
        &RenderOptions {
            midi,
            duration: Some(total),
            blocks: vec![100],
            ..RenderOptions::default()
        },
        |_, _| {},
    )
    .expect("renders");
    // The reference: the same notes as a score, through `csound -o`.
    let csd = TWO_OSC_SYNTH.replace("<CsScore>", &format!("<CsScore>\n{score}f 0 {total}\n"));
    let csd_path = dir.path().join("phrase.csd");
    std::fs::write(&csd_path, csd).expect("write csd");
    let wav = dir.path().join("ref.wav");
    let status = std::process::Command::new("csound")
        .args(["-d", "--format=wav:float", "-o"])
        .arg(&wav)
        .arg(&csd_path)
        .output()
        .expect("run csound")
        .status;
    assert!(status.success());
    let reference: Vec<f32> = hound::WavReader::open(&wav)
        .expect("read reference")
        .samples::<f32>()
        .step_by(2)
        .map(|s| s.expect("sample"))
        .collect();
    let left = &ours.channels[0];
    let n = reference.len().min(left.len());
    assert!(
        n >= (total * SR) as usize - 32,
        "lengths {} and {}",
        reference.len(),
        left.len()
    );
    let max_diff = left[..n]
        .iter()
        .zip(&reference[..n])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    println!("MIDI file vs score: max abs difference {max_diff:e} over {n} frames");
    assert!(analysis::peak(&reference, 0..n) > 0.05);
    assert!(max_diff < 1e-6, "max abs difference {max_diff}");
}

#[test]
fn metadata_routes_notes_to_instruments_and_chooses_the_mode() {
    // Instrument 2 plays the key's pitch, instrument 3 two octaves up; instrument 1 is
    // silent. Channel 10 goes to 3, the other channels to 2.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n outs a(0), a(0)\nendin\n\
        instr 2\n a1 poscil 0.3, p7\n outs a1, a1\nendin\n\
        instr 3\n a1 poscil 0.3, p7 * 4\n outs a1, a1\nendin\n\
        </CsInstruments>\n<CsScore>\n</CsScore>\n\
        <CsoundPlug>\n[midi]\ninstrument = 2\nchannels = { 10 = 3 }\n</CsoundPlug>\n</CsoundSynthesizer>\n";
    let mut e = engine_with(code, None, false);
    let (x, _) = run(
        &mut e,
        48_000,
        128,
        &[
            (0, [0x90, 57, 100]),
            (20_000, [0x80, 57, 0]),
            (24_000, [0x99, 57, 100]),
        ],
    );
    let low = analysis::fundamental(&x[4_000..18_000], SR).expect("pitch on channel 1");
    assert!((low - 220.0).abs() < 0.5, "{low}");
    let high = analysis::fundamental(&x[28_000..46_000], SR).expect("pitch on channel 10");
    assert!((high - 880.0).abs() < 0.5, "{high}");
    // An effect defaults to native mode, but metadata naming an instrument means score
    // mode; `mode = "native"` forces native.
    let forced = code.replace("[midi]\n", "[midi]\nmode = \"native\"\n");
    let mut e = engine_with(&forced, None, true);
    let (x, _) = run(&mut e, 24_000, 128, &[(0, [0x90, 57, 100])]);
    assert_eq!(
        analysis::peak(&x, 0..24_000),
        0.0,
        "native mode: no score events"
    );
    let mut e = engine_with(code, None, true);
    let (x, _) = run(&mut e, 24_000, 128, &[(0, [0x90, 57, 100])]);
    assert!(
        analysis::peak(&x, 0..24_000) > 0.2,
        "the effect plays notes as metadata says"
    );
}

#[test]
fn bad_metadata_is_reported_and_ignored() {
    let code = TWO_OSC_SYNTH.replace(
        "</CsoundSynthesizer>",
        "<CsoundPlug>\nksmps = \"many\"\n</CsoundPlug>\n</CsoundSynthesizer>",
    );
    let ring = Arc::new(MessageRing::new(64));
    let (engine, log) = Engine::compile(&code, &config(false), ring).expect("still compiles");
    assert_eq!(engine.ksmps(), 32);
    assert!(log.contains("<CsoundPlug> line"), "{log}");
}

fn engine_with(code: &str, native: Option<bool>, effect: bool) -> Engine {
    let config = EngineConfig {
        native_midi: native,
        is_effect: effect,
        ..config(false)
    };
    let ring = Arc::new(MessageRing::new(1024));
    match Engine::compile(code, &config, ring) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn fourteen_bit_controllers_combine_their_two_halves() {
    // Only the 14-bit channel is named: the plugin creates the channels a patch names.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n kv chnget \"CC1_14BIT.1\"\n kvol chnget \"CC7_14BIT\"\n outs upsamp(kv / 16384), upsamp(kvol / 16384)\nendin\n\
        </CsInstruments>\n<CsScore>\ni 1 0 z\n</CsScore>\n</CsoundSynthesizer>\n";
    let mut e = engine(code, false);
    let (x, _) = run(&mut e, 4_800, 64, &[cc(1_000, 1, 64), cc(2_000, 33, 1)]);
    assert_eq!(x[900], 0.0);
    assert_eq!(x[1_500], (64.0 * 128.0 / 16384.0) as f32);
    assert_eq!(x[3_000], ((64.0 * 128.0 + 1.0) / 16384.0) as f32);
    let mut right = vec![0.0f32; 64];
    let mut left = vec![0.0f32; 64];
    e.process(
        &Input::<&[f32]>::Silence,
        &mut [&mut left[..], &mut right[..]],
        64,
        &[],
    );
    // Volume starts at 100 (MSB), so its 14-bit value is 100·128.
    assert_eq!(right[0], (100.0 * 128.0 / 16384.0) as f32);
}

/// In the effect entry, a patch without MIDI opcodes runs its always-on instrument from
/// the score; host notes on channel 1 must not start a second instance of it (Csound's
/// native MIDI would, by default, map channel 1 to instr 1).
#[test]
fn effect_notes_do_not_retrigger_an_always_on_instrument() {
    let code = csd("instr 1\n  outs a(1), a(1)\nendin\n", "i 1 0 z\n");
    let ring = Arc::new(MessageRing::new(1024));
    let config = EngineConfig::plugin(SR, true);
    let (mut e, _) = Engine::compile(&code, &config, ring).expect("compiles");
    let (out, _) = run(&mut e, 9600, 64, &[on(100, 60), on(200, 64)]);
    let after = analysis::peak(&out, 4800..9600);
    assert!(
        (after - 1.0).abs() < 1e-6,
        "one instance plays 1.0; with notes: {after}"
    );
}
