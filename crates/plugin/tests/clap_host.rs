//! Loads the built `.clap` bundle in a CLAP host (`clack-host`) and checks what the two plugins
//! sound like: the instrument's pitch and timing, the effect's dry path and echo, that state
//! (including code that does not compile) survives a save/load round trip, and that the generic
//! parameters drive the channels a patch declares: value text, levels, automation landing on
//! the k-cycle it falls in, and slots kept through state and recompiles. Also the host's side
//! of the rest: the transport reaching the patch's host-information channels (and its stop
//! ending notes), MIDI the patch sends reaching the host on time, and Bypass, Dry/Wet and
//! Output Gain after the patch.
//!
//! Needs the bundle: `cargo xtask bundle csound_plug --release` (or `CSOUND_PLUG_BUNDLE_DIR`).

use std::sync::LazyLock;
use std::time::Duration;

use clack_extensions::note_ports::NoteDialects;
use clack_extensions::params::ParamInfoFlags;
use csound_plug_testkit::analysis::{
    first_above, fundamental, midi_key_hz, mono, peak, rms, seconds, sine, tone_burst,
};
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, hosted_with_patch, load_bundle, patch_code,
    plugin_descriptors, with_edited_code, with_patch_code, HostedPlugin, NoteEvent, OutputEvent,
    ParamInfo, Transport, FX_ID, INSTRUMENT_ID,
};
use csound_plug_testkit::csd::csd;
use serde_json::Value;

/// Host sample rate for every test.
const SR: f64 = 48_000.0;
/// Largest host block used.
const MAX_BLOCK: u32 = 512;
/// Peak level below which output counts as silence.
const SILENCE: f32 = 1e-5;
/// Level above which output counts as sound having started.
const ONSET: f32 = 1e-4;
/// Sample offset of the note-on in the instrument renders.
const NOTE_ON_AT: usize = 1000;

/// The first default instrument, kept as a fixture: a subtractive synth that starts every
/// note the same way.
use csound_plug_testkit::TWO_OSC_SYNTH;

/// A complete `.csd` whose instrument has a syntax error (unclosed parenthesis).
const BROKEN_CSD: &str = "<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
ksmps = 32
nchnls = 2
0dbfs = 1

; broken on purpose: the call below is never closed
instr 1
  asig = oscili(0.3, cpsmidinn(p4)
  outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>
";

/// A fresh, active instance of `id`.
fn active_plugin(id: &str) -> HostedPlugin {
    let entry = load_bundle();
    let mut plugin = HostedPlugin::new(&entry, id);
    plugin.activate(SR, MAX_BLOCK);
    plugin
}

/// Renders 1.5 s with `key` held from [`NOTE_ON_AT`] to 1.0 s, in blocks of `block`, and checks
/// onset, pitch, sustain and release.
fn check_note(plugin: &mut HostedPlugin, key: u8, block: usize, via_midi: bool) {
    let latency = plugin.latency() as usize;
    let off_at = seconds(1.0, SR);
    let events = if via_midi {
        vec![
            NoteEvent::Midi {
                time: NOTE_ON_AT,
                data: [0x90, key, 100],
            },
            NoteEvent::Midi {
                time: off_at,
                data: [0x80, key, 0],
            },
        ]
    } else {
        vec![
            NoteEvent::on(NOTE_ON_AT, key.into(), 100),
            NoteEvent::off(off_at, key.into()),
        ]
    };
    let out = plugin.render(&[], seconds(1.5, SR), block, &events);
    assert_eq!(out.len(), 2, "instrument output is stereo");
    let m = mono(&out);
    let what = format!("key {key}, blocks of {block}, midi {via_midi}");

    let onset = NOTE_ON_AT + latency;
    for (ch, channel) in out.iter().enumerate() {
        let early = peak(channel, 0..onset);
        assert!(
            early <= SILENCE,
            "{what}: channel {ch} not silent before note-on + latency ({NOTE_ON_AT} + \
             {latency} = {onset}): peak {early}, first sample above {SILENCE} at {:?}",
            first_above(channel, SILENCE)
        );
    }
    let first_sound = first_above(&m, ONSET).unwrap_or_else(|| panic!("{what}: no sound at all"));
    assert!(
        (onset..onset + seconds(0.01, SR)).contains(&first_sound),
        "{what}: sound starts at sample {first_sound}, expected within 10 ms of {onset}"
    );

    let steady = seconds(0.2, SR)..seconds(0.8, SR);
    let sustain_rms = rms(&m, steady.clone());
    assert!(
        sustain_rms > 0.01,
        "{what}: held note too quiet (RMS {sustain_rms})"
    );
    let expected = midi_key_hz(key);
    let pitch = fundamental(&m[steady], SR).unwrap_or_else(|| panic!("{what}: no pitch"));
    assert!(
        (pitch - expected).abs() < 1.0,
        "{what}: fundamental {pitch:.3} Hz, expected {expected:.3} Hz"
    );

    let before_off = rms(&m, seconds(0.9, SR)..off_at);
    assert!(
        before_off > 0.25 * sustain_rms,
        "{what}: note faded before its note-off (RMS {before_off} vs {sustain_rms})"
    );
    let tail = rms(&m, seconds(1.45, SR)..seconds(1.5, SR));
    assert!(
        tail < 0.25 * sustain_rms,
        "{what}: note not released 0.45 s after note-off (RMS {tail} vs {sustain_rms})"
    );
    println!(
        "{what}: latency {latency}, first sound at {first_sound} (onset {onset}), sustain RMS \
         {sustain_rms:.4}, pitch {pitch:.4} Hz (expected {expected:.4}), tail RMS {tail:.5}"
    );
}

/// Fails on host callbacks the plugin made from the wrong thread.
fn assert_thread_rules_kept(plugin: &HostedPlugin) {
    let violations = plugin.thread_violations();
    assert!(violations.is_empty(), "{}: {violations:?}", plugin.id());
}

#[test]
fn bundle_lists_both_plugins() {
    let entry = load_bundle();
    let descriptors = plugin_descriptors(&entry);
    for (id, name) in [(INSTRUMENT_ID, "Csound Plug"), (FX_ID, "Csound Plug FX")] {
        assert!(
            descriptors.iter().any(|(i, n)| i == id && n == name),
            "no plugin {id} named {name:?} in {descriptors:?}"
        );
    }
}

#[test]
fn instrument_ports_and_latency() {
    let entry = load_bundle();
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);

    let inputs = plugin.audio_ports(true);
    assert_eq!(inputs.len(), 1, "one (side-chain) input port: {inputs:?}");
    assert!(
        !inputs[0].is_main,
        "the instrument's input is not a main input"
    );
    assert_eq!(inputs[0].channel_count, 2);
    let outputs = plugin.audio_ports(false);
    // The main output and seven optional ones (clap_buses.rs).
    assert_eq!(outputs.len(), 8, "{outputs:?}");
    assert!(outputs[0].is_main);
    assert_eq!(outputs[0].channel_count, 2);
    assert_eq!(plugin.audio_port_count(true), 1);

    let notes = plugin.note_ports(true);
    assert_eq!(notes.len(), 1, "{notes:?}");
    let dialects = notes[0].supported_dialects;
    assert!(dialects.contains(NoteDialects::CLAP), "{notes:?}");
    assert!(dialects.contains(NoteDialects::MIDI), "{notes:?}");

    plugin.activate(SR, MAX_BLOCK);
    assert_eq!(plugin.latency(), 32, "latency is the default patch's ksmps");
}

#[test]
fn instrument_plays_the_key_pitch_on_time() {
    // CLAP notes, host blocks of 512.
    let mut plugin = active_plugin(INSTRUMENT_ID);
    check_note(&mut plugin, 69, 512, false);
    assert_thread_rules_kept(&plugin);

    // CLAP notes, host blocks of 100 (not a multiple of ksmps).
    let mut plugin = active_plugin(INSTRUMENT_ID);
    check_note(&mut plugin, 60, 100, false);

    // MIDI-dialect notes, odd block size.
    let mut plugin = active_plugin(INSTRUMENT_ID);
    check_note(&mut plugin, 57, 77, true);
    assert_thread_rules_kept(&plugin);
}

#[test]
fn instrument_plays_when_the_host_leaves_its_side_chain_out() {
    // A host may pass fewer input ports than the plugin declares (the side-chain is
    // optional); the plugin reads only the ports it is given.
    let mut plugin = active_plugin(INSTRUMENT_ID);
    plugin.pass_input_ports(Some(0));
    check_note(&mut plugin, 69, 512, false);
}

#[test]
fn mono_port_configurations_carry_the_patch_fitted_to_one_channel() {
    // The stereo default patches on a mono bus (CLAP audio-ports-config "Mono"): the
    // one input feeds both of the patch's inputs, the output is the patch's first
    // channel; so it equals the stereo layout's left output for the same signal on both
    // sides.
    let entry = load_bundle();
    let signal = fx_input().swap_remove(0);
    let frames = signal.len();
    let mut stereo = HostedPlugin::new(&entry, FX_ID);
    stereo.activate(SR, MAX_BLOCK);
    let reference = stereo.render(&[signal.clone(), signal.clone()], frames, 256, &[]);
    let mut mono = HostedPlugin::new(&entry, FX_ID);
    assert!(mono.select_ports_config("Mono"));
    let channels = |ports: Vec<csound_plug_testkit::clap::AudioPortInfo>| -> Vec<u32> {
        ports.iter().map(|p| p.channel_count).collect()
    };
    // Main input and side-chain, main output.
    assert_eq!(channels(mono.audio_ports(true)), [1, 1]);
    assert_eq!(channels(mono.audio_ports(false)), [1]);
    mono.activate(SR, MAX_BLOCK);
    let out = mono.render(std::slice::from_ref(&signal), frames, 256, &[]);
    assert_eq!(out.len(), 1);
    assert!(peak(&out[0], 0..frames) > 0.1, "the effect sounds");
    assert_eq!(out[0], reference[0], "the patch's left channel");

    let notes = [
        NoteEvent::on(NOTE_ON_AT, 60, 100),
        NoteEvent::off(seconds(0.5, SR), 60),
    ];
    let mut stereo = HostedPlugin::new(&entry, INSTRUMENT_ID);
    stereo.activate(SR, MAX_BLOCK);
    let reference = stereo.render(&[], seconds(0.7, SR), 256, &notes);
    let mut mono = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(mono.select_ports_config("Mono"));
    assert_eq!(channels(mono.audio_ports(false)), [1]);
    mono.activate(SR, MAX_BLOCK);
    let out = mono.render(&[], seconds(0.7, SR), 256, &notes);
    assert!(
        peak(&out[0], 0..out[0].len()) > 0.05,
        "the instrument sounds"
    );
    assert_eq!(out[0], reference[0]);
}

#[test]
fn instrument_note_onsets_are_sample_accurate() {
    // Notes at different places inside a k-cycle (ksmps 32) and a host block (100): the sound
    // must start the same number of samples after each, not on a k-cycle or block boundary.
    let mut delays = Vec::new();
    // A fixed patch (the factory default starts its oscillators at random phases).
    for note_on in [992, 1000, 1017, 1023, 1500] {
        let mut plugin = plugin_with_patch(INSTRUMENT_ID, TWO_OSC_SYNTH);
        let latency = plugin.latency() as usize;
        let out = plugin.render(&[], 2048, 100, &[NoteEvent::on(note_on, 69, 100)]);
        let start =
            first_above(&mono(&out), 1e-7).unwrap_or_else(|| panic!("note at {note_on}: no sound"));
        assert!(
            (note_on + latency..note_on + latency + 32).contains(&start),
            "note at {note_on}: sound starts at {start}, latency {latency}"
        );
        delays.push(start - note_on);
    }
    println!("onset delays (note-on to first sound): {delays:?}");
    assert!(
        delays.iter().all(|&d| d == delays[0]),
        "onset delay depends on the note's position in the k-cycle/block: {delays:?}"
    );
}

#[test]
fn instrument_output_does_not_depend_on_block_size() {
    let events = [
        NoteEvent::on(777, 64, 90),
        NoteEvent::off(seconds(0.3, SR), 64),
    ];
    let frames = seconds(0.5, SR);
    let render = |block: usize| {
        let mut plugin = active_plugin(INSTRUMENT_ID);
        plugin.render(&[], frames, block, &events)
    };
    let reference = render(512);
    assert!(
        rms(&reference[0], 0..frames) > 0.01,
        "reference render is silent"
    );
    for block in [1, 100, 333] {
        let out = render(block);
        for (ch, (a, b)) in reference.iter().zip(&out).enumerate() {
            let worst = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
            assert!(
                worst <= 1e-6,
                "blocks of {block} differ from blocks of 512 on channel {ch} by up to {worst}"
            );
        }
    }
}

/// The effect's test input: a 50 ms, 200 Hz burst at sample 0, in antiphase and at half level on
/// the right channel (so a channel swap would show), in 1 s of silence.
fn fx_input() -> Vec<Vec<f32>> {
    let left = tone_burst(
        200.0,
        SR,
        seconds(0.05, SR),
        seconds(0.005, SR),
        seconds(1.0, SR),
        0.5,
    );
    let right = left.iter().map(|s| -0.5 * s).collect();
    vec![left, right]
}

/// Largest difference between `out` and `input` delayed by `latency`, over input samples `range`.
fn dry_error(
    input: &[Vec<f32>],
    out: &[Vec<f32>],
    latency: usize,
    range: std::ops::Range<usize>,
) -> f32 {
    let mut worst = 0.0f32;
    for (inp, outp) in input.iter().zip(out) {
        for i in range.clone() {
            let delayed = outp.get(i + latency).copied().unwrap_or(0.0);
            worst = worst.max((delayed - inp[i]).abs());
        }
    }
    worst
}

/// RMS over both channels of `signal` in `range`.
fn stereo_rms(signal: &[Vec<f32>], range: std::ops::Range<usize>) -> f64 {
    let sum: f64 = signal.iter().map(|c| rms(c, range.clone()).powi(2)).sum();
    (sum / signal.len() as f64).sqrt()
}

/// Echo level relative to the burst: RMS 300 ms after the dry burst (over its length) divided by
/// the burst's RMS.
fn echo_ratio(input: &[Vec<f32>], out: &[Vec<f32>], latency: usize) -> f64 {
    let burst = seconds(0.05, SR);
    let echo_at = latency + seconds(0.3, SR);
    stereo_rms(out, echo_at..echo_at + burst) / stereo_rms(input, 0..burst)
}

#[test]
fn fx_passes_dry_signal_and_echoes_it() {
    let entry = load_bundle();
    let mut plugin = HostedPlugin::new(&entry, FX_ID);
    let inputs = plugin.audio_ports(true);
    let outputs = plugin.audio_ports(false);
    // The main input and the optional side-chain (clap_buses.rs).
    assert!(
        inputs.len() == 2 && inputs[0].is_main && inputs[0].channel_count == 2,
        "{inputs:?}"
    );
    assert!(
        outputs.len() == 1 && outputs[0].is_main && outputs[0].channel_count == 2,
        "{outputs:?}"
    );
    let notes = plugin.note_ports(true);
    assert_eq!(notes.len(), 1, "the effect takes notes/MIDI too: {notes:?}");
    // Each port has its own name (nice-plug 0.4.2 gave the output the input's).
    assert_eq!(
        (inputs[0].name.as_str(), outputs[0].name.as_str()),
        ("Input", "Output")
    );

    plugin.activate(SR, MAX_BLOCK);
    let latency = plugin.latency() as usize;
    assert_eq!(latency, 32, "latency is the default patch's ksmps");

    let input = fx_input();
    let frames = input[0].len();
    let out = plugin.render(&input, frames, 512, &[]);
    assert_eq!(out.len(), 2);

    let burst = seconds(0.05, SR);
    for (ch, channel) in out.iter().enumerate() {
        assert!(
            peak(channel, 0..latency) <= SILENCE,
            "channel {ch}: sound before the latency"
        );
    }
    let dry = dry_error(&input, &out, latency, 0..burst);
    assert!(
        dry <= 1e-6,
        "dry burst is not the input delayed by {latency}: error {dry}"
    );

    let gap = latency + burst + seconds(0.01, SR)..latency + seconds(0.29, SR);
    let gap_peak = out.iter().map(|c| peak(c, gap.clone())).fold(0.0, f32::max);
    assert!(
        gap_peak < 1e-3,
        "not quiet between the burst and its echo: peak {gap_peak}"
    );

    let ratio = echo_ratio(&input, &out, latency);
    assert!(
        ratio > 0.2,
        "echo 300 ms later too weak: {ratio:.3} of the burst RMS"
    );
    assert!(ratio < 1.0, "echo louder than the dry burst: {ratio:.3}");
    println!(
        "fx: latency {latency}, dry error {dry:e}, gap peak {gap_peak:e}, echo/burst RMS {ratio:.3}"
    );
    assert_thread_rules_kept(&plugin);
}

/// Calls `attempt` until it returns `Some` (up to about 10 s: a recompile may finish on another
/// thread), returning the number of tries and the value.
fn eventually<T>(mut attempt: impl FnMut() -> Option<T>) -> Option<(usize, T)> {
    for tries in 1..=50 {
        if let Some(value) = attempt() {
            return Some((tries, value));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

/// Renders 0.4 s with key 69 held from sample 0; returns the pitch if the note sounds.
fn quick_note_pitch(plugin: &mut HostedPlugin) -> Option<f64> {
    let events = [NoteEvent::on(0, 69, 100)];
    let out = plugin.render(&[], seconds(0.4, SR), 256, &events);
    let m = mono(&out);
    let tone = &m[seconds(0.15, SR)..];
    (rms(tone, 0..tone.len()) > 0.01)
        .then(|| fundamental(tone, SR))
        .flatten()
}

#[test]
fn instrument_state_round_trip_and_broken_code() {
    let entry = load_bundle();

    // The default state carries the patch code.
    let mut original = HostedPlugin::new(&entry, INSTRUMENT_ID);
    let saved = original.save_state();
    let state = decode_nice_plug_state(&saved);
    let code = patch_code(&state);
    assert!(
        code.contains("<CsoundSynthesizer>") && code.contains("instr"),
        "saved code is not a .csd: {code}"
    );

    // A fresh instance loads it and saves the very same bytes, and plays.
    let mut copy = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(copy.load_state(&saved), "loading a saved state failed");
    assert_eq!(
        copy.save_state(),
        saved,
        "state changed in a load/save round trip"
    );
    copy.activate(SR, MAX_BLOCK);
    check_note(&mut copy, 69, 512, false);

    // Code that does not compile: loads, stays silent, and is kept exactly.
    let broken = encode_nice_plug_state(&with_patch_code(&state, BROKEN_CSD));
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(
        plugin.load_state(&broken),
        "a state with broken code must still load"
    );
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        BROKEN_CSD
    );
    plugin.activate(SR, MAX_BLOCK);
    let events = [
        NoteEvent::on(NOTE_ON_AT, 69, 100),
        NoteEvent::off(seconds(0.8, SR), 69),
    ];
    let out = plugin.render(&[], seconds(1.0, SR), 512, &events);
    let loudest = out.iter().map(|c| peak(c, 0..c.len())).fold(0.0, f32::max);
    assert!(
        loudest <= SILENCE,
        "broken patch is not silent: peak {loudest}"
    );
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        BROKEN_CSD,
        "broken code not saved back exactly"
    );

    // Loading the good state again (while active) brings the sound back.
    assert!(plugin.load_state(&saved), "reloading the good state failed");
    let (tries, pitch) = eventually(|| quick_note_pitch(&mut plugin))
        .expect("sound did not come back after loading the good state");
    assert!(
        (pitch - 440.0).abs() < 1.0,
        "pitch after reload {pitch:.3} Hz"
    );
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        code
    );
    println!("instrument state: sound back after {tries} render(s), pitch {pitch:.4} Hz");
    assert_thread_rules_kept(&plugin);
    let log = plugin.log_messages();
    if !log.is_empty() {
        println!("plugin log: {log:#?}");
    }
}

#[test]
fn fx_state_with_broken_code_passes_audio_through() {
    let entry = load_bundle();
    let mut original = HostedPlugin::new(&entry, FX_ID);
    let saved = original.save_state();
    let state = decode_nice_plug_state(&saved);
    let code = patch_code(&state);

    let broken = encode_nice_plug_state(&with_patch_code(&state, BROKEN_CSD));
    let mut plugin = HostedPlugin::new(&entry, FX_ID);
    assert!(
        plugin.load_state(&broken),
        "a state with broken code must still load"
    );
    plugin.activate(SR, MAX_BLOCK);
    let latency = plugin.latency() as usize;

    let input = fx_input();
    let frames = input[0].len();
    let out = plugin.render(&input, frames, 512, &[]);
    let through = dry_error(&input, &out, latency, 0..frames - latency);
    assert!(
        through <= 1e-6,
        "broken FX is not a pass-through delayed by {latency}: error {through}"
    );
    for (ch, channel) in out.iter().enumerate() {
        assert!(
            peak(channel, 0..latency) <= SILENCE,
            "channel {ch}: sound before the latency"
        );
    }
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        BROKEN_CSD,
        "broken code not saved back exactly"
    );

    // The good state brings the echo back.
    assert!(plugin.load_state(&saved), "reloading the good state failed");
    let (tries, ratio) = eventually(|| {
        let latency = plugin.latency() as usize;
        let out = plugin.render(&input, frames, 512, &[]);
        let ratio = echo_ratio(&input, &out, latency);
        (ratio > 0.2).then_some(ratio)
    })
    .expect("echo did not come back after loading the good state");
    assert_eq!(
        patch_code(&decode_nice_plug_state(&plugin.save_state())),
        code
    );
    println!(
        "fx state: broken pass-through latency {latency}, error {through:e}; echo back after \
         {tries} render(s), ratio {ratio:.3}"
    );
    assert_thread_rules_kept(&plugin);
}

/// A patch that remembers the last note's pitch in an input channel and plays it.
static MEMORY_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "chn_k \"memory\", 3
instr 1 ; a note stores its pitch
  chnset cpsmidinn(p4), \"memory\"
endin
instr 2 ; always on: plays the stored pitch
  kf chnget \"memory\"
  a1 poscil (kf > 0 ? 0.3 : 0), kf
  outs a1, a1
endin
",
        "i 2 0 z
",
    )
});

/// Pitch of the last 0.3 s of a render, if it sounds.
fn tail_pitch(out: &[Vec<f32>], sample_rate: f64) -> Option<f64> {
    let m = mono(out);
    let tail = &m[m.len() - seconds(0.3, sample_rate)..];
    (rms(tail, 0..tail.len()) > 0.05)
        .then(|| fundamental(tail, sample_rate))
        .flatten()
}

#[test]
fn sample_rate_change_keeps_channel_values() {
    let entry = load_bundle();
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
    let state = decode_nice_plug_state(&plugin.save_state());
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(
        &state,
        &MEMORY_CSD
    ))));
    plugin.activate(SR, MAX_BLOCK);
    let out = plugin.render(&[], seconds(0.5, SR), 256, &[NoteEvent::on(100, 81, 100)]);
    let before = tail_pitch(&out, SR).expect("the stored pitch plays");
    assert!((before - 880.0).abs() < 1.0, "before: {before} Hz");
    // The host changes the rate: the patch is rebuilt, the channel keeps its value.
    plugin.deactivate();
    plugin.activate(44_100.0, MAX_BLOCK);
    let out = plugin.render(&[], seconds(0.5, 44_100.0), 256, &[]);
    let after = tail_pitch(&out, 44_100.0).expect("the stored pitch still plays");
    assert!((after - 880.0).abs() < 1.0, "after: {after} Hz");
    assert_eq!(plugin.latency(), 32);
    assert_thread_rules_kept(&plugin);
}

#[test]
fn new_code_with_another_ksmps_reports_its_latency() {
    let mut plugin = active_plugin(INSTRUMENT_ID);
    assert_eq!(plugin.latency(), 32);
    let state = decode_nice_plug_state(&plugin.save_state());
    let code = patch_code(&state).replace("ksmps = 32", "ksmps = 64");
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(&state, &code))));
    // The recompile happens in the background; processing picks it up.
    let found = eventually(|| {
        plugin.render(&[], 2_048, 256, &[]);
        plugin.service_main_thread();
        (plugin.latency() == 64).then_some(())
    });
    assert!(found.is_some(), "latency stayed {}", plugin.latency());
    // The new patch plays, one k-cycle of 64 later than its notes.
    let out = plugin.render(&[], seconds(0.5, SR), 256, &[NoteEvent::on(1_000, 69, 100)]);
    let m = mono(&out);
    assert_eq!(peak(&m, 0..1_000 + 64), 0.0);
    assert!(peak(&m, 1_000 + 64..1_000 + 64 + 480) > 0.0);
    assert_thread_rules_kept(&plugin);
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/// Number of generic parameters the plugin exposes.
const SLOT_COUNT: usize = 128;

/// A `.csd` playing, from the start, a 440 Hz sine at the level of the declared `gain` channel
/// (linear 0..1, default 0.5).
static GAIN_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "chn_k \"gain\", 1, 2, 0.5, 0, 1
instr 1
  kg chnget \"gain\"
  a1 poscil kg, 440
  outs a1, a1
endin
",
        "i 1 0 z
",
    )
});

/// Like [`GAIN_CSD`], but the output is the `gain` value itself (a constant per k-cycle), so
/// the level in force can be read on every sample.
static GAIN_DC_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "chn_k \"gain\", 1, 2, 0.5, 0, 1
instr 1
  kg chnget \"gain\"
  a1 upsamp kg
  outs a1, a1
endin
",
        "i 1 0 z
",
    )
});

/// Two declared channels: `gain` (linear 0..1, default 0.5) and `pitch` (exponential
/// 110..1760 Hz, default 440).
static GAIN_PITCH_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "chn_k \"gain\", 1, 2, 0.5, 0, 1
chn_k \"pitch\", 1, 3, 440, 110, 1760
instr 1
  kg chnget \"gain\"
  kf chnget \"pitch\"
  a1 poscil kg, kf
  outs a1, a1
endin
",
        "i 1 0 z
",
    )
});

/// [`GAIN_PITCH_CSD`] edited: the declarations in another order, and a new channel `attack`
/// that sorts before both (so on a fresh slot map it would take the first slot).
static GAIN_PITCH_ATTACK_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "chn_k \"pitch\", 1, 3, 440, 110, 1760
chn_k \"attack\", 1, 2, 0.2, 0, 1
chn_k \"gain\", 1, 2, 0.5, 0, 1
instr 1
  kg chnget \"gain\"
  kf chnget \"pitch\"
  a1 poscil kg, kf
  outs a1, a1
endin
",
        "i 1 0 z
",
    )
});

/// A new instance of `id` running `code` (loaded through the state, before activation), active.
fn plugin_with_patch(id: &str, code: &str) -> HostedPlugin {
    let mut plugin = hosted_with_patch(&load_bundle(), id, code);
    plugin.activate(SR, MAX_BLOCK);
    plugin
}

/// The generic parameter `Param {n}` (1-based).
fn slot(plugin: &mut HostedPlugin, n: usize) -> ParamInfo {
    plugin.param_named(&format!("Param {n}"))
}

/// The plugin's text for a parameter's current value.
fn text_of(plugin: &mut HostedPlugin, param: &ParamInfo) -> String {
    plugin
        .param_text(param.id)
        .unwrap_or_else(|| panic!("no value text for {}", param.name))
}

/// A parameter's current plain value.
fn value_of(plugin: &mut HostedPlugin, param: &ParamInfo) -> f64 {
    plugin
        .param_value(param.id)
        .unwrap_or_else(|| panic!("no value for {}", param.name))
}

/// Peak of both channels from 0.1 s on (after the latency and any crossfade).
fn settled_peak(out: &[Vec<f32>]) -> f32 {
    out.iter()
        .map(|c| peak(c, seconds(0.1, SR)..c.len()))
        .fold(0.0, f32::max)
}

/// The fundamental from 0.1 s on.
fn settled_pitch(out: &[Vec<f32>]) -> f64 {
    let m = mono(out);
    fundamental(&m[seconds(0.1, SR)..], SR).expect("a pitch")
}

/// Fails unless `measured` is within 1% of `expected`.
fn assert_level(what: &str, measured: f32, expected: f32) {
    assert!(
        (measured - expected).abs() <= 0.01 * expected,
        "{what}: level {measured}, expected {expected} (within 1%)"
    );
}

/// The `slots` map and the `p01`… values in a decoded state.
fn saved_slots(state: &Value) -> (Value, Vec<f64>) {
    let inner: Value = serde_json::from_str(
        state["fields"]["state"]
            .as_str()
            .expect("fields.state string"),
    )
    .expect("fields.state is JSON");
    let values = (1..=SLOT_COUNT)
        .map(|n| {
            let value = &state["params"][format!("p{n:02}")];
            value["f32"]
                .as_f64()
                .or_else(|| value.as_f64())
                .unwrap_or_else(|| panic!("no value for p{n:02} in {}", state["params"]))
        })
        .collect();
    (inner["slots"].clone(), values)
}

#[test]
fn slot_parameters_show_and_set_a_declared_channel() {
    for id in [INSTRUMENT_ID, FX_ID] {
        let mut plugin = plugin_with_patch(id, &GAIN_CSD);

        // The slots, in order, among the fixed parameters (bypass, mix, gain).
        let all = plugin.params();
        assert_eq!(plugin.param_count() as usize, all.len());
        let params: Vec<ParamInfo> = all
            .iter()
            .filter(|p| p.name.starts_with("Param "))
            .cloned()
            .collect();
        assert_eq!(params.len(), SLOT_COUNT, "{id}: {all:#?}");
        let fixed: Vec<&str> = all
            .iter()
            .filter(|p| !p.name.starts_with("Param "))
            .map(|p| p.name.as_str())
            .collect();
        for (i, param) in params.iter().enumerate() {
            assert_eq!(param.name, format!("Param {}", i + 1), "{id}: {param:?}");
            assert_eq!((param.min, param.max), (0.0, 1.0), "{id}: {param:?}");
            assert!(
                param.flags.contains(ParamInfoFlags::IS_AUTOMATABLE)
                    && !param.flags.contains(ParamInfoFlags::IS_STEPPED)
                    && !param.flags.contains(ParamInfoFlags::IS_HIDDEN),
                "{id}: {param:?}"
            );
        }
        let mut ids: Vec<u32> = all.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "{id}: parameter ids are not unique");

        // The only declared channel takes the first slot at its declared default.
        let gain = params[0].clone();
        let unbound = params[1].clone();
        let value = value_of(&mut plugin, &gain);
        assert!((value - 0.5).abs() < 1e-6, "{id}: p01 is {value}");
        assert_eq!(text_of(&mut plugin, &gain), "gain: 0.500", "{id}");
        // Unbound slots drive nothing; they keep the value the state gave them.
        let unbound_text = text_of(&mut plugin, &unbound);
        assert!(unbound_text.ends_with(" (unbound)"), "{id}: {unbound_text}");
        assert_eq!(
            plugin.param_value_text(gain.id, 0.25).as_deref(),
            Some("gain: 0.250")
        );
        for text in ["gain: 0.8", "0.8"] {
            let parsed = plugin
                .param_text_to_value(gain.id, text)
                .unwrap_or_else(|| panic!("{id}: text_to_value({text:?}) failed"));
            assert!((parsed - 0.8).abs() < 1e-6, "{id}: {text:?} -> {parsed}");
        }

        let frames = seconds(0.5, SR);
        let at_default = settled_peak(&plugin.render(&[], frames, 512, &[]));
        assert_level(&format!("{id} at the default"), at_default, 0.5);

        let events = [NoteEvent::param(0, gain.id, 0.25)];
        let moved = settled_peak(&plugin.render(&[], frames, 512, &events));
        assert_level(&format!("{id} with p01 at 0.25"), moved, 0.25);
        let value = value_of(&mut plugin, &gain);
        assert!(
            (value - 0.25).abs() < 1e-6,
            "{id}: p01 is {value} after the event"
        );
        assert_eq!(text_of(&mut plugin, &gain), "gain: 0.250", "{id}");

        println!(
            "{id}: {} parameters, fixed ones {fixed:?}; p01 {:?} (module {:?}, default {}), \
             peak {at_default:.5} at the default, {moved:.5} at 0.25; host params.rescan calls \
             {:?}, flush requests {}",
            all.len(),
            gain.name,
            gain.module,
            gain.default,
            plugin.param_rescans(),
            plugin.param_flush_requests()
        );
        assert_thread_rules_kept(&plugin);
    }
}

/// The level each output frame of [`GAIN_DC_CSD`] must have, with `ksmps` and a latency of one
/// k-cycle, for `changes` (time, value) sorted by time: the k-cycle starting at sample `s` uses
/// the last value set at or before `s + ksmps - 1`, and is heard from `s + ksmps`.
fn expected_levels(
    frames: usize,
    ksmps: usize,
    default: f32,
    changes: &[(usize, f32)],
) -> Vec<f32> {
    (0..frames)
        .map(|frame| {
            if frame < ksmps {
                // The latency: the warm-up's last k-cycle, run at the start values.
                return default;
            }
            let cycle_end = (frame - ksmps) / ksmps * ksmps + ksmps - 1;
            changes
                .iter()
                .take_while(|(time, _)| *time <= cycle_end)
                .last()
                .map_or(default, |&(_, value)| value)
        })
        .collect()
}

#[test]
fn parameter_automation_lands_on_its_k_cycle() {
    const KSMPS: usize = 32;
    // 5420 is sample 300 of the host block starting at 5120 and sample 12 of the k-cycle
    // starting at 5408. Then: a change on a k-cycle's first sample, one on its last, and two
    // in one k-cycle (the later one wins).
    let changes: [(usize, f32); 5] = [
        (5_420, 0.1),
        (6_016, 0.3),
        (6_079, 0.7),
        (7_100, 0.9),
        (7_101, 0.2),
    ];
    let frames = 8_192;
    let expected = expected_levels(frames, KSMPS, 0.5, &changes);
    let mut outputs = Vec::new();
    for (id, block) in [(INSTRUMENT_ID, 512), (INSTRUMENT_ID, 100), (FX_ID, 512)] {
        let mut plugin = plugin_with_patch(id, &GAIN_DC_CSD);
        assert_eq!(plugin.latency() as usize, KSMPS);
        let gain = slot(&mut plugin, 1);
        assert_eq!(text_of(&mut plugin, &gain), "gain: 0.500");
        let events: Vec<NoteEvent> = changes
            .iter()
            .map(|&(time, value)| NoteEvent::param(time, gain.id, f64::from(value)))
            .collect();
        let out = plugin.render(&[], frames, block, &events);

        for (ch, channel) in out.iter().enumerate() {
            let wrong: Vec<(usize, f32, f32)> = channel
                .iter()
                .zip(&expected)
                .enumerate()
                .filter(|(_, (got, want))| (*got - *want).abs() > 1e-6)
                .map(|(i, (&got, &want))| (i, got, want))
                .take(8)
                .collect();
            assert!(
                wrong.is_empty(),
                "{id}, blocks of {block}, channel {ch}: (frame, level, expected) {wrong:?}"
            );
        }
        let left = &out[0];
        let first_new = (5_420..frames)
            .find(|&i| (left[i] - 0.1).abs() < 1e-6)
            .expect("the new level arrives");
        let expected_first = 5_420 - 5_420 % KSMPS + KSMPS;
        assert_eq!(first_new, expected_first, "{id}, blocks of {block}");
        assert!(
            left[expected_first - KSMPS..expected_first]
                .iter()
                .all(|&s| (s - 0.5).abs() < 1e-6),
            "{id}, blocks of {block}: the k-cycle before the change is not at the old level"
        );
        println!(
            "{id}, blocks of {block}: change at 5420 heard from frame {first_new} (expected \
             {expected_first}); frames {}..{} at {:?}..{:?}; all {frames} frames match the \
             per-k-cycle expectation",
            expected_first - KSMPS,
            expected_first,
            left[expected_first - KSMPS],
            left[expected_first - 1]
        );
        assert_thread_rules_kept(&plugin);
        outputs.push(out);
    }
    assert!(
        outputs.iter().all(|out| *out == outputs[0]),
        "the host block size or the entry changes the output"
    );
}

#[test]
fn parameter_values_and_slots_survive_state_and_recompile() {
    let entry = load_bundle();
    let mut original = plugin_with_patch(INSTRUMENT_ID, &GAIN_PITCH_CSD);
    let (gain, pitch) = (slot(&mut original, 1), slot(&mut original, 2));
    assert_eq!(text_of(&mut original, &gain), "gain: 0.500");
    assert_eq!(text_of(&mut original, &pitch), "pitch: 440.0");

    // Gain to 0.25, pitch to 880 Hz (exponential 110..1760: 110 * 16^0.75).
    let frames = seconds(0.5, SR);
    let events = [
        NoteEvent::param(0, gain.id, 0.25),
        NoteEvent::param(0, pitch.id, 0.75),
    ];
    let moved = original.render(&[], frames, 512, &events);
    assert_level("moved", settled_peak(&moved), 0.25);
    let moved_pitch = settled_pitch(&moved);
    assert!((moved_pitch - 880.0).abs() < 1.0, "pitch {moved_pitch}");
    assert_eq!(text_of(&mut original, &pitch), "pitch: 880.0");

    let saved = original.save_state();
    let state = decode_nice_plug_state(&saved);
    let (slots, values) = saved_slots(&state);
    assert_eq!(slots, serde_json::json!({"gain": 0, "pitch": 1}));
    assert!((values[0] - 0.25).abs() < 1e-6 && (values[1] - 0.75).abs() < 1e-6);

    // A fresh instance loads the values and the map, and sounds the same from the start.
    let mut copy = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(copy.load_state(&saved));
    copy.activate(SR, MAX_BLOCK);
    let (copy_gain, copy_pitch) = (slot(&mut copy, 1), slot(&mut copy, 2));
    assert!((value_of(&mut copy, &copy_gain) - 0.25).abs() < 1e-6);
    assert!((value_of(&mut copy, &copy_pitch) - 0.75).abs() < 1e-6);
    assert_eq!(text_of(&mut copy, &copy_gain), "gain: 0.250");
    assert_eq!(text_of(&mut copy, &copy_pitch), "pitch: 880.0");
    let copied = copy.render(&[], frames, 512, &[]);
    let difference = moved
        .iter()
        .zip(&copied)
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
        .fold(0.0f32, f32::max);
    assert!(
        difference <= 1e-6,
        "the reloaded instance sounds different: up to {difference}"
    );

    // Edited code (declarations reordered, `attack` added) loaded while active: `gain` and
    // `pitch` keep their slots and values, `attack` takes the next free slot at its default.
    let edited = encode_nice_plug_state(&with_edited_code(&state, &GAIN_PITCH_ATTACK_CSD));
    assert!(copy.load_state(&edited));
    let third = slot(&mut copy, 3);
    let (tries, ()) = eventually(|| {
        copy.render(&[], 2_048, 512, &[]);
        copy.service_main_thread();
        text_of(&mut copy, &third)
            .starts_with("attack:")
            .then_some(())
    })
    .expect("the edited code was not bound");
    assert_eq!(text_of(&mut copy, &third), "attack: 0.200");
    assert_eq!(text_of(&mut copy, &copy_gain), "gain: 0.250");
    assert_eq!(text_of(&mut copy, &copy_pitch), "pitch: 880.0");
    let recompiled = copy.render(&[], frames, 512, &[]);
    assert_level("after the recompile", settled_peak(&recompiled), 0.25);
    let recompiled_pitch = settled_pitch(&recompiled);
    assert!(
        (recompiled_pitch - 880.0).abs() < 1.0,
        "pitch {recompiled_pitch}"
    );
    let (slots, values) = saved_slots(&decode_nice_plug_state(&copy.save_state()));
    assert_eq!(
        slots,
        serde_json::json!({"gain": 0, "pitch": 1, "attack": 2})
    );
    assert!((values[0] - 0.25).abs() < 1e-6 && (values[1] - 0.75).abs() < 1e-6);
    assert!(
        (values[2] - 0.2).abs() < 1e-6,
        "attack's slot value {}",
        values[2]
    );

    // Without the saved map the same code binds alphabetically: `attack` would be p01.
    let mut fresh = plugin_with_patch(INSTRUMENT_ID, &GAIN_PITCH_ATTACK_CSD);
    let fresh_first = slot(&mut fresh, 1);
    assert_eq!(text_of(&mut fresh, &fresh_first), "attack: 0.200");

    println!(
        "state: moved peak {:.5}, pitch {moved_pitch:.3} Hz; reloaded max difference \
         {difference:e}; recompile bound after {tries} render(s), peak {:.5}, pitch \
         {recompiled_pitch:.3} Hz; host params.rescan calls {:?}",
        settled_peak(&moved),
        settled_peak(&recompiled),
        copy.param_rescans()
    );
    assert_thread_rules_kept(&copy);
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

/// Tempo the transport tests play at.
const TEMPO: f64 = 97.5;

/// Host notes play a sine on the left channel (released in 0.1 s); an always-on instrument
/// adds the host's tempo / 1000 to the left channel and writes its play state to the right.
static TRANSPORT_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "instr 1 ; host notes
  aenv madsr 0.005, 0, 1, 0.1
  a1 poscil 0.2, cpsmidinn(p4)
  outch 1, a1 * aenv
endin
instr 2 ; always on: the host's tempo and play state
  kbpm chnget \"HOST_BPM\"
  kplay chnget \"IS_PLAYING\"
  outch 1, upsamp(kbpm / 1000)
  outch 2, upsamp(kplay)
endin
",
        "i 2 0 z
",
    )
});

/// Writes the host's position of each k-cycle, in samples (left) and quarter notes (right).
static POSITION_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "instr 1
  ksamples chnget \"TIME_IN_SAMPLES\"
  kbeats chnget \"HOST_PPQ_POS\"
  outs upsamp(ksamples), upsamp(kbeats)
endin
",
        "i 1 0 z
",
    )
});

/// The first of `frames` whose sample in `channel` is not `value` (bit for bit).
fn first_not(channel: &[f32], frames: std::ops::Range<usize>, value: f32) -> Option<usize> {
    frames.into_iter().find(|&i| channel[i] != value)
}

/// The frame from which the output carries the host information a block starting at
/// `block_start` brings: the first k-cycle that block performs is the one ending at or after
/// its first frame (k-cycles start at multiples of `ksmps`), heard one latency (`ksmps`) later.
fn heard_from(block_start: usize, ksmps: usize) -> usize {
    let cycle_start = (block_start + 1).saturating_sub(ksmps).div_ceil(ksmps) * ksmps;
    cycle_start + ksmps
}

#[test]
fn host_transport_reaches_the_patch_and_its_stop_ends_notes() {
    const KSMPS: usize = 32;
    let bpm_level = (TEMPO / 1000.0) as f32;

    // A free-running host (no transport): the defaults, 120 BPM and stopped.
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &TRANSPORT_CSD);
    assert_eq!(plugin.latency() as usize, KSMPS);
    let out = plugin.render(&[], 4_800, 512, &[]);
    assert_eq!(
        first_not(&out[0], KSMPS..4_800, 0.12),
        None,
        "HOST_BPM / 1000 without a transport: {}",
        out[0][KSMPS]
    );
    assert_eq!(
        first_not(&out[1], KSMPS..4_800, 0.0),
        None,
        "IS_PLAYING without a transport: {}",
        out[1][KSMPS]
    );

    // Playing at 97.5 BPM from 10 s into the song; a note held from 0.1 s with no note-off;
    // the transport stops at 24 100 (a block start in blocks of 100, inside a k-cycle).
    let block = 100;
    let note_on = seconds(0.1, SR);
    let stop_at = 24_100;
    let frames = seconds(1.2, SR);
    let play = Transport::playing(TEMPO, 10.0);
    let transport = [(0, play), (stop_at, play.advanced(stop_at, SR).stopped())];
    let events = [NoteEvent::on(note_on, 69, 100)];
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &TRANSPORT_CSD);
    let out = plugin
        .render_with(&[], frames, block, &events, &transport)
        .audio;
    let (left, right) = (&out[0], &out[1]);

    // Nothing during the latency, then the tempo and the play state, exactly.
    assert_eq!(
        first_not(left, 0..KSMPS, 0.0),
        None,
        "left during the latency"
    );
    assert_eq!(
        first_not(right, 0..KSMPS, 0.0),
        None,
        "right during the latency"
    );
    assert_eq!(
        first_not(left, KSMPS..note_on + KSMPS, bpm_level),
        None,
        "HOST_BPM / 1000 is not {bpm_level} before the note: {:?}",
        &left[KSMPS..KSMPS + 4]
    );
    let flip = heard_from(stop_at, KSMPS);
    assert_eq!(
        first_not(right, KSMPS..flip, 1.0),
        None,
        "IS_PLAYING is not 1 while playing"
    );
    // The stop flips IS_PLAYING with the first k-cycle the stopped block performs.
    assert_eq!(
        first_not(right, flip..frames, 0.0),
        None,
        "IS_PLAYING is not 0 from frame {flip} (transport stopped at {stop_at})"
    );

    // The held note sounds until the stop, then ends: silent within 0.5 s.
    let note: Vec<f32> = left.iter().map(|s| s - bpm_level).collect();
    let held = rms(&note, seconds(0.2, SR)..stop_at);
    assert!(held > 0.05, "the held note does not sound: RMS {held}");
    let after = stop_at + seconds(0.5, SR);
    let tail = peak(&note, after..frames);
    assert!(
        tail <= SILENCE,
        "the held note still sounds 0.5 s after the stop: peak {tail}"
    );
    let last_sound = note.iter().rposition(|s| s.abs() > SILENCE).unwrap_or(0);
    // The note's instance is gone: the left channel is the tempo alone again, exactly.
    let exact_from = settled_from(&out[..1], 0.0, |_, _| bpm_level);
    assert!(
        exact_from.is_some_and(|f| f <= after),
        "the note has not ended 0.5 s after the stop: the left channel is exactly the tempo \
         only from frame {exact_from:?}"
    );

    // Without the stop the same note is still held at the end.
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &TRANSPORT_CSD);
    let out = plugin
        .render_with(&[], frames, block, &events, &[(0, play)])
        .audio;
    let note: Vec<f32> = out[0].iter().map(|s| s - bpm_level).collect();
    let still = rms(&note, seconds(1.0, SR)..frames);
    assert!(
        still > 0.05,
        "without a stop the held note should still sound at 1 s: RMS {still}"
    );
    assert_eq!(first_not(&out[1], KSMPS..frames, 1.0), None);

    println!(
        "transport: HOST_BPM/1000 {} and IS_PLAYING 1 from frame {KSMPS}; stop at {stop_at} \
         heard from frame {flip}; note RMS {held:.4} held, last above {SILENCE} at frame \
         {last_sound} ({:.1} ms after the stop), left exactly the tempo again from frame \
         {exact_from:?}; without the stop RMS {still:.4} at 1 s",
        left[KSMPS],
        (last_sound - stop_at) as f64 * 1000.0 / SR,
    );
    assert_thread_rules_kept(&plugin);
}

#[test]
fn host_transport_position_reaches_each_k_cycle() {
    const KSMPS: usize = 32;
    let start_seconds = 10.0;
    let start_samples = 480_000usize;
    let frames = seconds(0.25, SR);
    let play = Transport::playing(TEMPO, start_seconds);
    // CLAP gives no position in samples: nice-plug derives it from the song position in
    // seconds (rounded to a sample), or without that from the beats at the tempo.
    for (what, transport) in [
        ("seconds and beats", play),
        ("beats only", play.beats_only()),
    ] {
        for block in [512, 100] {
            let mut plugin = plugin_with_patch(INSTRUMENT_ID, &POSITION_CSD);
            let out = plugin
                .render_with(&[], frames, block, &[], &[(0, transport)])
                .audio;
            let (samples, beats) = (&out[0], &out[1]);
            assert_eq!(first_not(samples, 0..KSMPS, 0.0), None);
            // Frame f is the output of the k-cycle starting at (f - ksmps) rounded down to a
            // k-cycle start, which saw its own position.
            let mut worst_beats = 0.0f64;
            for f in KSMPS..frames {
                let cycle = (f - KSMPS) / KSMPS * KSMPS;
                let expected = (start_samples + cycle) as f32;
                assert_eq!(
                    samples[f], expected,
                    "{what}, blocks of {block}: TIME_IN_SAMPLES at frame {f} (k-cycle at {cycle})"
                );
                let expected_beats = (start_seconds + cycle as f64 / SR) * TEMPO / 60.0;
                worst_beats = worst_beats.max((f64::from(beats[f]) - expected_beats).abs());
            }
            assert!(
                worst_beats < 1e-5,
                "{what}, blocks of {block}: HOST_PPQ_POS off by up to {worst_beats}"
            );
            println!(
                "{what}, blocks of {block}: TIME_IN_SAMPLES {} at frame {KSMPS}, {} at frame \
                 {}; HOST_PPQ_POS within {worst_beats:e} of each k-cycle's beat",
                samples[KSMPS],
                samples[frames - 1],
                frames - 1
            );
        }
    }
}

/// Writes the time signature as `numerator * 100 + denominator` (left) and IS_RECORDING (right).
static SIGNATURE_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "instr 1
  knum chnget \"TIME_SIG_NUM\"
  kden chnget \"TIME_SIG_DENOM\"
  krec chnget \"IS_RECORDING\"
  outs upsamp(knum * 100 + kden), upsamp(krec)
endin
",
        "i 1 0 z
",
    )
});

#[test]
fn host_time_signature_and_recording_reach_the_patch() {
    const KSMPS: usize = 32;
    let frames = 4_800;
    // Without a transport: 4/4, not recording.
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &SIGNATURE_CSD);
    let out = plugin.render(&[], frames, 512, &[]);
    assert_eq!(first_not(&out[0], KSMPS..frames, 404.0), None);
    assert_eq!(first_not(&out[1], KSMPS..frames, 0.0), None);
    // Recording in 7/8.
    let transport = Transport {
        recording: true,
        time_signature: Some((7, 8)),
        ..Transport::playing(TEMPO, 0.0)
    };
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &SIGNATURE_CSD);
    let out = plugin
        .render_with(&[], frames, 512, &[], &[(0, transport)])
        .audio;
    assert_eq!(first_not(&out[0], 0..KSMPS, 0.0), None);
    assert_eq!(
        first_not(&out[0], KSMPS..frames, 708.0),
        None,
        "TIME_SIG_NUM * 100 + TIME_SIG_DENOM: {}",
        out[0][KSMPS]
    );
    assert_eq!(
        first_not(&out[1], KSMPS..frames, 1.0),
        None,
        "IS_RECORDING: {}",
        out[1][KSMPS]
    );
}

// ---------------------------------------------------------------------------------------------
// MIDI out
// ---------------------------------------------------------------------------------------------

/// Echoes every host note a fifth up on MIDI channel 2, silently.
static MIDI_ECHO_CSD: LazyLock<String> = LazyLock::new(|| {
    csd(
        "instr 1
  midion 2, p4 + 7, p5
  outs a(0), a(0)
endin
",
        "",
    )
});

#[test]
fn patch_midi_out_reaches_the_host_on_time() {
    const KSMPS: usize = 32;
    let (note_on, note_off) = (1_000, 5_000);
    let events = [
        NoteEvent::on(note_on, 60, 100),
        NoteEvent::off(note_off, 60),
    ];
    // Score mode starts the note on its own sample, inside the k-cycle 992..1024; `midion`
    // sends in that k-cycle, and the plugin times what a k-cycle sends with its audio, one
    // latency later.
    let expected_on = note_on / KSMPS * KSMPS + KSMPS;
    // The note-off releases the note in the k-cycle holding it (4992..5024), where `midion`
    // sends its note-off: heard at 5024.
    let expected_off = note_off / KSMPS * KSMPS + KSMPS;
    let mut received = Vec::new();
    for block in [512, 100] {
        let mut plugin = plugin_with_patch(INSTRUMENT_ID, &MIDI_ECHO_CSD);
        assert_eq!(plugin.latency() as usize, KSMPS);
        let outputs = plugin.note_ports(false);
        assert_eq!(outputs.len(), 1, "one note output port: {outputs:?}");
        let sent = plugin.render_with(&[], 9_600, block, &events, &[]).events;

        let ons: Vec<&OutputEvent> = sent
            .iter()
            .filter(|e| matches!(e, OutputEvent::NoteOn { velocity, .. } if *velocity > 0.0))
            .collect();
        assert_eq!(ons.len(), 1, "blocks of {block}: {sent:?}");
        let OutputEvent::NoteOn {
            time,
            port,
            channel,
            key,
            velocity,
        } = *ons[0]
        else {
            unreachable!()
        };
        assert_eq!(
            (port, channel, key),
            (0, 1, 67),
            "blocks of {block}: {sent:?}"
        );
        assert!(
            (velocity - 100.0 / 127.0).abs() < 1e-6,
            "blocks of {block}: velocity {velocity}"
        );
        assert_eq!(
            time, expected_on,
            "blocks of {block}: echo note-on at {time}, expected {expected_on}"
        );

        let offs: Vec<usize> = sent
            .iter()
            .filter_map(|e| match *e {
                OutputEvent::NoteOff {
                    time,
                    channel: 1,
                    key: 67,
                    ..
                } => Some(time),
                OutputEvent::NoteOn {
                    time,
                    channel: 1,
                    key: 67,
                    velocity: 0.0,
                    ..
                } => Some(time),
                _ => None,
            })
            .collect();
        assert_eq!(
            offs,
            [expected_off],
            "blocks of {block}: one echo note-off, at {expected_off}: {sent:?}"
        );
        assert!(
            sent.iter()
                .all(|e| matches!(e, OutputEvent::NoteOn { .. } | OutputEvent::NoteOff { .. })),
            "blocks of {block}: unexpected events {sent:?}"
        );
        println!("blocks of {block}: the host received {sent:?}");
        assert_thread_rules_kept(&plugin);
        received.push(sent);
    }
    assert_eq!(
        received[0], received[1],
        "the host block size changes the MIDI out"
    );
}

// ---------------------------------------------------------------------------------------------
// Bypass, Dry/Wet, Output Gain
// ---------------------------------------------------------------------------------------------

/// Length of the bypass, Dry/Wet and Output Gain ramps (20 ms).
const RAMP: usize = 960;

/// Where the tests below move a fixed parameter: 0.35 s (inside a host block of 512), once
/// the default effect's first echo (300 ms) makes its output differ from its input.
const CHANGE_AT: usize = 16_800;

/// The fixed parameters: (Bypass, Dry/Wet, Output Gain).
fn fixed_params(plugin: &mut HostedPlugin) -> (ParamInfo, ParamInfo, ParamInfo) {
    let bypass = plugin.param_named("Bypass");
    assert!(
        bypass.flags.contains(ParamInfoFlags::IS_BYPASS)
            && bypass.flags.contains(ParamInfoFlags::IS_STEPPED),
        "{bypass:?}"
    );
    (
        bypass,
        plugin.param_named("Dry/Wet"),
        plugin.param_named("Output Gain"),
    )
}

/// A stereo signal over the whole render: sines of 220 + 330 Hz left, 277 Hz right.
fn fx_steady_input(frames: usize) -> Vec<Vec<f32>> {
    let a = sine(220.0, SR, frames, 0.3);
    let b = sine(330.0, SR, frames, 0.2);
    let left = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    vec![left, sine(277.0, SR, frames, 0.25)]
}

/// Largest difference between `out` and `expected(channel, frame)` over `frames`, with the
/// frame where it is.
fn worst_error(
    out: &[Vec<f32>],
    frames: std::ops::Range<usize>,
    expected: impl Fn(usize, usize) -> f32,
) -> (f32, usize) {
    let mut worst = (0.0f32, frames.start);
    for (ch, channel) in out.iter().enumerate() {
        for f in frames.clone() {
            let error = (channel[f] - expected(ch, f)).abs();
            if error > worst.0 {
                worst = (error, f);
            }
        }
    }
    worst
}

/// The frame from which every frame of `out` to the end is within `tolerance` of
/// `expected(channel, frame)`; `None` if the last frame is not.
fn settled_from(
    out: &[Vec<f32>],
    tolerance: f32,
    expected: impl Fn(usize, usize) -> f32,
) -> Option<usize> {
    let frames = out[0].len();
    let off = |f: usize| {
        out.iter()
            .enumerate()
            .any(|(ch, c)| (c[f] - expected(ch, f)).abs() > tolerance)
    };
    match (0..frames).rev().find(|&f| off(f)) {
        None => Some(0),
        Some(f) if f + 1 < frames => Some(f + 1),
        Some(_) => None,
    }
}

#[test]
fn fx_bypass_dry_wet_and_output_gain_mix_after_the_patch() {
    let frames = seconds(0.7, SR);
    let input = fx_steady_input(frames);
    let mut plugin = active_plugin(FX_ID);
    let latency = plugin.latency() as usize;
    let (bypass, mix, gain) = fixed_params(&mut plugin);
    // Output Gain's CLAP value is normalised (skewed dB range): ask the plugin for -6.02 dB.
    let half_gain = plugin
        .param_text_to_value(gain.id, "-6.0206 dB")
        .expect("Output Gain reads dB");
    assert_eq!(
        plugin.param_value_text(gain.id, half_gain).as_deref(),
        Some("-6.0 dB")
    );
    let wet = plugin.render(&input, frames, 512, &[]);
    let dry = |ch: usize, f: usize| {
        if f < latency {
            0.0
        } else {
            input[ch][f - latency]
        }
    };
    let (echo, _) = worst_error(&wet, CHANGE_AT..frames, dry);
    assert!(
        echo > 0.05,
        "the patch's output hardly differs from its input: {echo}"
    );

    type Expected<'a> = Box<dyn Fn(usize, usize) -> f32 + 'a>;
    // (what, parameter, CLAP value, expected output once the ramp is over, tolerance)
    let cases: [(&str, &ParamInfo, f64, Expected, f32); 4] = [
        // Bypass on, and Dry/Wet at 0: the input delayed by the latency, exactly.
        ("bypass on", &bypass, 1.0, Box::new(dry), 0.0),
        ("Dry/Wet 0", &mix, 0.0, Box::new(dry), 0.0),
        // Dry/Wet at 0.5: the average of the two.
        (
            "Dry/Wet 0.5",
            &mix,
            0.5,
            Box::new(|ch, f| wet[ch][f] * 0.5 + dry(ch, f) * 0.5),
            1e-6,
        ),
        // Output Gain at -6.02 dB: half the level.
        (
            "Output Gain -6.02 dB",
            &gain,
            half_gain,
            Box::new(|ch, f| wet[ch][f] * 0.5),
            1e-6,
        ),
    ];
    let mut figures = Vec::new();
    let mut failures = Vec::new();
    for (what, param, value, expected, tolerance) in cases {
        let mut plugin = active_plugin(FX_ID);
        let events = [NoteEvent::param(CHANGE_AT, param.id, value)];
        let out = plugin.render(&input, frames, 512, &events);
        assert_thread_rules_kept(&plugin);
        let (before, before_at) = worst_error(&out, 0..CHANGE_AT, |ch, f| wet[ch][f]);
        if before != 0.0 {
            failures.push(format!(
                "{what}: output changed before the change: {before:e} at frame {before_at}"
            ));
        }
        let (error, at) = worst_error(&out, CHANGE_AT + RAMP..frames, &expected);
        let from = settled_from(&out, tolerance, &expected);
        let (at_end, _) = worst_error(&out, frames - seconds(0.01, SR)..frames, &expected);
        let after_change = from.map(|f| f as isize - CHANGE_AT as isize);
        let residual = error
            / worst_error(&wet, at..at + 1, &expected)
                .0
                .max(f32::MIN_POSITIVE);
        figures.push(format!(
            "{what} (CLAP value {value:.6}): worst error {error:e} after the ramp (frame {at}, \
             {residual:.2e} of the difference there); within {tolerance:e} from {after_change:?} \
             frames after the change; error {at_end:e} in the last 10 ms"
        ));
        if error > tolerance {
            failures.push(format!(
                "{what}: error {error:e} at frame {at}, {} frames after the change (ramp \
                 {RAMP}); within {tolerance:e} from {after_change:?} frames after the change",
                at - CHANGE_AT
            ));
        }
    }
    println!(
        "fx, latency {latency}, CLAP ids bypass {} / mix {} / gain {}, change at frame \
         {CHANGE_AT}:\n  {}",
        bypass.id,
        mix.id,
        gain.id,
        figures.join("\n  ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn instrument_bypass_fades_to_silence() {
    let frames = seconds(0.7, SR);
    let note = NoteEvent::on(0, 69, 100);
    let mut reference = active_plugin(INSTRUMENT_ID);
    let held = reference.render(&[], frames, 512, &[note]);
    let sounding = stereo_rms(&held, CHANGE_AT..frames);
    assert!(sounding > 0.01, "the note is not held: RMS {sounding}");

    let mut plugin = active_plugin(INSTRUMENT_ID);
    let (bypass, _, _) = fixed_params(&mut plugin);
    let events = [note, NoteEvent::param(CHANGE_AT, bypass.id, 1.0)];
    let out = plugin.render(&[], frames, 512, &events);
    assert_thread_rules_kept(&plugin);

    // Untouched before the bypass, silent once its ramp is over.
    let (before, at) = worst_error(&out, 0..CHANGE_AT, |ch, f| held[ch][f]);
    assert_eq!(before, 0.0, "output changed before the bypass (frame {at})");
    let after = CHANGE_AT + RAMP;
    let window = |x: &[Vec<f32>], at: usize| peak(&x[0], at..at + 64);
    let left_at_ramp_end = window(&out, after) / window(&held, after);
    let left_at_end = window(&out, frames - 64) / window(&held, frames - 64);
    let loudest = out
        .iter()
        .map(|c| peak(c, after..frames))
        .fold(0.0, f32::max);
    let silent_from = settled_from(&out, 0.0, |_, _| 0.0);
    println!(
        "instrument bypass at {CHANGE_AT}: held RMS {sounding:.4}; {left_at_ramp_end:.3e} of the \
         note left {RAMP} frames later, {left_at_end:.3e} at the end; peak {loudest:e} after the \
         ramp; exactly silent from frame {silent_from:?}"
    );
    assert_eq!(
        loudest, 0.0,
        "not silent {RAMP} frames after the bypass: peak {loudest}, {left_at_ramp_end:.3e} of \
         the note left then and {left_at_end:.3e} at the end (exactly silent from frame \
         {silent_from:?})"
    );
}

/// A new instance's parameters sit at their defaults after activation and processing
/// (the starting patch's controls are bound before the host first reads them), and the
/// starting patch's controls are bound with their names.
#[test]
fn a_new_instance_starts_at_its_parameter_defaults() {
    for id in [INSTRUMENT_ID, FX_ID] {
        let mut plugin = active_plugin(id);
        plugin.render(&[], 2048, 512, &[]);
        let params = plugin.params();
        let mut bound = 0;
        for param in &params {
            let value = value_of(&mut plugin, param);
            assert!(
                (value - param.default).abs() < 1e-6,
                "{id}: {} is {value}, default {}",
                param.name,
                param.default
            );
            if param.name.starts_with("Param ")
                && !text_of(&mut plugin, param).ends_with("(unbound)")
            {
                bound += 1;
            }
        }
        assert!(
            bound >= 5,
            "{id}: {bound} parameters bound by the starting patch"
        );
        println!("{id}: {bound} parameters bound, all at their defaults");
    }
}

/// A Cabbage patch with `count` knobs `c1`… (knob n starts at n / 1000); the last one's
/// value is the level of a sine, read with Cabbage's own opcode.
fn many_knobs(count: usize) -> String {
    let widgets: String = (1..=count)
        .map(|n| {
            let (x, y) = ((n - 1) % 16 * 60, (n - 1) / 16 * 60);
            format!(
                "rslider bounds({x}, {y}, 60, 60) channel(\"c{n}\") range(0, 1, {})\n",
                n as f64 / 1000.0
            )
        })
        .collect();
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
         instr 1\n  kLevel cabbageGetValue \"c{count}\"\n  aSine oscili kLevel, 440\n  \
         outs aSine, aSine\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 3600\n</CsScore>\n\
         <Cabbage>\nform caption(\"Many\") size(960, 480)\n{widgets}</Cabbage>\n\
         </CsoundSynthesizer>\n"
    )
}

#[test]
fn a_cabbage_patch_with_124_controls_gets_124_host_parameters() {
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &many_knobs(124));
    for n in 1..=124 {
        let param = slot(&mut plugin, n);
        let text = text_of(&mut plugin, &param);
        let wanted = format!("c{n}: {:.3}", n as f64 / 1000.0);
        assert_eq!(text, wanted, "Param {n}");
    }
    for n in 125..=SLOT_COUNT {
        let param = slot(&mut plugin, n);
        let text = text_of(&mut plugin, &param);
        assert!(text.ends_with(" (unbound)"), "Param {n}: {text}");
    }
    // The last knob drives the sound through cabbageGetValue.
    let frames = seconds(0.5, SR);
    let at_default = settled_peak(&plugin.render(&[], frames, 512, &[]));
    assert_level("c124 at its default", at_default, 0.124);
    let last = slot(&mut plugin, 124);
    let events = [NoteEvent::param(0, last.id, 0.5)];
    let moved = settled_peak(&plugin.render(&[], frames, 512, &events));
    assert_level("c124 at 0.5", moved, 0.5);
}

/// A Cabbage string combobox: the channel holds the chosen item's text (the patch picks
/// a level by it), the host parameter is the menu, `value("…")` chooses the first item.
#[test]
fn a_cabbage_string_combobox_sets_its_channel_to_the_chosen_items_text() {
    let patch = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
instr 1
  SWave chnget "wave"
  kLevel = 0.1
  if strcmpk(SWave, "saw") == 0 then
    kLevel = 0.3
  elseif strcmpk(SWave, "square wave") == 0 then
    kLevel = 0.6
  endif
  aSine oscili kLevel, 440
  outs aSine, aSine
endin
</CsInstruments>
<CsScore>
i 1 0 3600
</CsScore>
<Cabbage>
form size(200, 100)
combobox bounds(10, 10, 120, 25), channel("wave"), channelType("string"), text("sine", "saw", "square wave"), value("saw")
</Cabbage>
</CsoundSynthesizer>
"#;
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, patch);
    let param = slot(&mut plugin, 1);
    assert_eq!(text_of(&mut plugin, &param), "wave: saw");
    let frames = seconds(0.5, SR);
    let at_default = settled_peak(&plugin.render(&[], frames, 512, &[]));
    assert_level("\"saw\" by value()", at_default, 0.3);
    // The menu's third item: values 1..=3, position 1.
    let events = [NoteEvent::param(0, param.id, 1.0)];
    let third = settled_peak(&plugin.render(&[], frames, 512, &events));
    assert_level("\"square wave\" chosen by the host", third, 0.6);
    let events = [NoteEvent::param(0, param.id, 0.0)];
    let first = settled_peak(&plugin.render(&[], frames, 512, &events));
    assert_level("\"sine\" chosen by the host", first, 0.1);
}

/// An instrument the score starts reads its controls at i-time: they hold their start
/// values (the widget's default, or the value the patch saved) from the very first cycle,
/// before the plugin's warm-up starts the instrument.
#[test]
fn score_instruments_read_the_controls_start_values_at_init() {
    let patch = |saved: &str| {
        format!(
            r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
instr 1
  iLevel chnget "level"
  aSine oscili iLevel, 440
  outs aSine, aSine
endin
</CsInstruments>
<CsScore>
i 1 0 3600
</CsScore>
<Cabbage>
rslider bounds(10, 10, 60, 60), channel("level"), range(0, 1, 0.25)
</Cabbage>
{saved}</CsoundSynthesizer>
"#
        )
    };
    let frames = seconds(0.5, SR);
    let mut plugin = plugin_with_patch(INSTRUMENT_ID, &patch(""));
    let level = settled_peak(&plugin.render(&[], frames, 512, &[]));
    assert_level("the widget's default read at init", level, 0.25);
    let mut plugin = plugin_with_patch(
        INSTRUMENT_ID,
        &patch("<CsoundPlug>\n[params]\nlevel = 0.5\n</CsoundPlug>\n"),
    );
    let level = settled_peak(&plugin.render(&[], frames, 512, &[]));
    assert_level("the saved value read at init", level, 0.5);
}
