//! The audio buses through a CLAP host (clack-host loading the built `.clap`): the
//! instrument's auxiliary outputs carry Csound's channels 3–16 bit-identical to
//! `csound -o`, outputs the host leaves out are dropped or folded into the main bus, the
//! effect's side-chain is Csound's inputs 3–4, and port names come from the patch.

use csound_plug_testkit::analysis::{rms, seconds, sine};
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, hosted_with_patch, load_bundle,
    with_patch_code, AudioPortInfo, HostedPlugin, FX_ID, INSTRUMENT_ID,
};
use csound_plug_testkit::process::csound_output;

const SR: f64 = 48_000.0;
const MAX_BLOCK: u32 = 512;

/// Four voices, one per stereo pair of eight channels: voice k plays 220·(k+1) Hz on
/// channel 2k+1 and half of it on 2k+2.
fn four_voices(metadata: &str) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 8\n0dbfs = 1\n\
         instr 1\n  ipair = p4\n  a1 poscil 0.2, 220 * (ipair + 1)\n  \
         outch ipair * 2 + 1, a1, ipair * 2 + 2, a1 * 0.5\nendin\n</CsInstruments>\n\
         <CsScore>\ni 1 0 2 0\ni 1 0 2 1\ni 1 0 2 2\ni 1 0 2 3\n</CsScore>\n{metadata}\
         </CsoundSynthesizer>\n"
    )
}

const FOLD: &str = "<CsoundPlug>\n[buses]\nfold = true\n</CsoundPlug>\n";

fn names(ports: &[AudioPortInfo]) -> Vec<(String, u32)> {
    ports
        .iter()
        .map(|p| (p.name.clone(), p.channel_count))
        .collect()
}

/// `csound -o`'s channels for `code`.
fn reference(code: &str) -> Vec<Vec<f32>> {
    let dir = tempfile::tempdir().expect("temp dir");
    csound_output(code, dir.path(), "reference")
}

/// The plugin performs two k-cycles of the score before the host's first block (its
/// warm-up) and its output is delayed by `latency`: its frame f is `csound -o`'s frame
/// f + 2·ksmps − latency.
const WARM_UP: usize = 2 * 32;

/// `ours` equals `expected` sample for sample over `frames` once aligned.
fn assert_identical(ours: &[f32], expected: &[f32], latency: usize, frames: usize, what: &str) {
    let expected = &expected[WARM_UP - latency..WARM_UP - latency + frames];
    if let Some(i) = (0..frames).find(|&i| ours[i].to_bits() != expected[i].to_bits()) {
        panic!(
            "{what}: frame {i} is {} where csound -o has {}",
            ours[i], expected[i]
        );
    }
}

#[test]
fn the_instrument_has_a_main_output_and_seven_optional_stereo_ones() {
    let entry = load_bundle();
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
    let outputs = plugin.audio_ports(false);
    let mut expected = vec![("Output".to_string(), 2)];
    expected.extend(
        (3..16)
            .step_by(2)
            .map(|n| (format!("Out {n}-{}", n + 1), 2)),
    );
    assert_eq!(names(&outputs), expected);
    assert!(outputs[0].is_main && outputs[1..].iter().all(|p| !p.is_main));
    assert_eq!(
        names(&plugin.audio_ports(true)),
        [("Side-chain".to_string(), 2)]
    );
    // A host that wants plain stereo can have it.
    assert!(plugin.select_ports_config("Stereo"));
    assert_eq!(names(&plugin.audio_ports(false)), [("Output".into(), 2)]);
}

#[test]
fn eight_channels_go_out_one_pair_per_port_as_csound_writes_them() {
    let code = four_voices("");
    let expected = reference(&code);
    assert_eq!(expected.len(), 8);
    let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &code);
    plugin.activate(SR, MAX_BLOCK);
    let latency = plugin.latency() as usize;
    let frames = seconds(0.5, SR);
    let rendered = plugin.render_with(&[], frames, 256, &[], &[]);
    assert_eq!(rendered.ports.len(), 8);
    for (n, (port, pair)) in rendered.ports.iter().zip(expected.chunks(2)).enumerate() {
        for side in 0..2 {
            let what = format!("port {n} channel {side}");
            assert_identical(&port[side], &pair[side], latency, frames, &what);
        }
        let voice = n < 4;
        assert_eq!(rms(&port[0], latency..frames) > 0.1, voice, "port {n}");
    }
}

#[test]
fn outputs_the_host_leaves_out_are_dropped_or_folded_into_the_main_one() {
    let frames = seconds(0.5, SR);
    let expected = reference(&four_voices(""));
    // The host passes the main port only: it carries the first voice, exactly.
    let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &four_voices(""));
    plugin.pass_output_ports(Some(1));
    plugin.activate(SR, MAX_BLOCK);
    let latency = plugin.latency() as usize;
    let main = plugin.render(&[], frames, 256, &[]);
    for side in 0..2 {
        assert_identical(&main[side], &expected[side], latency, frames, "main alone");
    }

    // With `fold = true` it carries the mix of all four, as does the "Stereo" layout.
    let mix: Vec<Vec<f64>> = (0..2)
        .map(|side| {
            (0..frames + WARM_UP)
                .map(|i| {
                    (side..8)
                        .step_by(2)
                        .map(|c| f64::from(expected[c][i]))
                        .sum()
                })
                .collect()
        })
        .collect();
    for stereo_layout in [false, true] {
        let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &four_voices(FOLD));
        match stereo_layout {
            true => assert!(plugin.select_ports_config("Stereo")),
            false => plugin.pass_output_ports(Some(1)),
        }
        plugin.activate(SR, MAX_BLOCK);
        let main = plugin.render(&[], frames, 256, &[]);
        for side in 0..2 {
            let worst = (0..frames)
                .map(|i| (f64::from(main[side][i]) - mix[side][i + WARM_UP - latency]).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-6, "folded side {side}: off by {worst}");
        }
        assert!(rms(&main[0], latency..frames) > 0.2);
    }
}

#[test]
fn the_effect_hears_its_side_chain_on_inputs_three_and_four() {
    // out = main - side-chain, per side.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n\
        nchnls_i = 4\n0dbfs = 1\ninstr 1\n  a1, a2, a3, a4 inch 1, 2, 3, 4\n  \
        outs a1 - a3, a2 - a4\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 z\n</CsScore>\n\
        </CsoundSynthesizer>\n";
    let frames = seconds(0.25, SR);
    let main = [sine(300.0, SR, frames, 0.5), sine(450.0, SR, frames, 0.5)];
    let side = [sine(300.0, SR, frames, 0.25), sine(450.0, SR, frames, 0.5)];
    let mut plugin = hosted_with_patch(&load_bundle(), FX_ID, code);
    plugin.activate(SR, MAX_BLOCK);
    let latency = plugin.latency() as usize;
    let dry = plugin.render(&main, frames, 256, &[]);
    plugin.feed_side_chain(side.to_vec());
    let ducked = plugin.render(&main, frames, 256, &[]);
    let tail = latency + 1024..frames;
    // Without a side-chain the main input passes; with it, the left side halves and the
    // right side cancels.
    assert!((rms(&dry[0], tail.clone()) - rms(&main[0], tail.clone())).abs() < 1e-3);
    let left = rms(&ducked[0], tail.clone()) / rms(&main[0], tail.clone());
    assert!((left - 0.5).abs() < 1e-3, "left ratio {left}");
    assert!(rms(&ducked[1], tail.clone()) < 1e-6);
}

#[test]
fn the_patch_names_its_buses() {
    let metadata = "<CsoundPlug>\n[buses]\noutputs = [\"Mix\", \"Kick\", \"Snare\", \"Hats\"]\n\
        inputs = [\"Key\"]\n</CsoundPlug>\n";
    let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &four_voices(metadata));
    let named =
        |ports: Vec<AudioPortInfo>| -> Vec<String> { ports.into_iter().map(|p| p.name).collect() };
    let expected = [
        "Mix",
        "Kick",
        "Snare",
        "Hats",
        "Out 9-10",
        "Out 11-12",
        "Out 13-14",
        "Out 15-16",
    ];
    assert_eq!(named(plugin.audio_ports(false)), expected);
    assert_eq!(named(plugin.audio_ports(true)), ["Key"]);
    // Code without names: the layout's names again.
    let state = decode_nice_plug_state(&plugin.save_state());
    let unnamed = with_patch_code(&state, &four_voices(""));
    assert!(plugin.load_state(&encode_nice_plug_state(&unnamed)));
    assert_eq!(named(plugin.audio_ports(false))[..2], ["Output", "Out 3-4"]);
    assert_eq!(named(plugin.audio_ports(true)), ["Side-chain"]);
}

/// A factory preset's code.
fn factory(name: &str) -> String {
    csound_plug_patch::presets::factory()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no factory preset {name}"))
        .code
}

/// The level of `x` over `from..to` seconds, in dB.
fn level_db(x: &[f32], from: f64, to: f64) -> f64 {
    20.0 * rms(x, seconds(from, SR)..seconds(to, SR)).log10()
}

#[test]
fn the_side_chain_ducker_turns_the_main_input_down_by_its_depth() {
    let frames = seconds(3.0, SR);
    let main = vec![sine(220.0, SR, frames, 0.25); 2];
    // A loud key from 1 s to 2 s on the side-chain.
    let key: Vec<f32> = sine(100.0, SR, frames, 0.5)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            if (seconds(1.0, SR)..seconds(2.0, SR)).contains(&i) {
                s
            } else {
                0.0
            }
        })
        .collect();
    let mut plugin = hosted_with_patch(&load_bundle(), FX_ID, &factory("Side-chain Ducker"));
    plugin.activate(SR, MAX_BLOCK);
    plugin.feed_side_chain(vec![key.clone(), key]);
    let out = plugin.render(&main, frames, 256, &[]);
    let input = level_db(&main[0], 0.5, 0.9);
    for side in &out {
        let before = level_db(side, 0.5, 0.9);
        let during = level_db(side, 1.3, 1.9);
        let after = level_db(side, 2.7, 2.95);
        println!(
            "ducker: input {input:.2} dB, before {before:.2}, during {during:.2}, after {after:.2}"
        );
        assert!((before - input).abs() < 0.05, "passes before the key");
        // The default depth is 12 dB; the key is far above the -30 dB threshold.
        assert!(
            (input - during - 12.0).abs() < 0.5,
            "ducked by {:.2} dB",
            input - during
        );
        assert!((after - input).abs() < 0.1, "back after the release");
    }
    // Without the side-chain (the host leaves it out) nothing is ducked.
    let mut plugin = hosted_with_patch(&load_bundle(), FX_ID, &factory("Side-chain Ducker"));
    plugin.pass_input_ports(Some(1));
    plugin.activate(SR, MAX_BLOCK);
    let out = plugin.render(&main, frames, 256, &[]);
    assert!((level_db(&out[0], 1.3, 1.9) - input).abs() < 0.05);
}

#[test]
fn the_multi_out_drum_kit_sends_each_group_to_its_own_output() {
    let code = factory("Multi-Out Drum Kit");
    let notes = [
        (36u16, "kick", 1usize),
        (38, "snare", 2),
        (42, "hat", 3),
        (45, "tom", 0),
    ];
    for (key, what, port) in notes {
        let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &code);
        plugin.activate(SR, MAX_BLOCK);
        let events = [
            csound_plug_testkit::clap::NoteEvent::on(1000, key, 110),
            csound_plug_testkit::clap::NoteEvent::off(seconds(0.2, SR), key),
        ];
        let ports = plugin
            .render_with(&[], seconds(0.5, SR), 256, &events, &[])
            .ports;
        let loud: Vec<usize> = ports
            .iter()
            .enumerate()
            .filter(|(_, p)| rms(&p[0], 0..p[0].len()) > 1e-3)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            loud,
            [port],
            "the {what} (key {key}) plays on port {port} alone"
        );
        // With the auxiliary outputs left out the kit folds into the main output.
        let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, &code);
        plugin.pass_output_ports(Some(1));
        plugin.activate(SR, MAX_BLOCK);
        let main = plugin.render(&[], seconds(0.5, SR), 256, &events);
        assert!(
            rms(&main[0], 0..main[0].len()) > 1e-3,
            "the {what} on the main output"
        );
    }
}

#[test]
fn the_mono_utility_plays_the_mean_of_a_stereo_track_on_both_sides() {
    let frames = seconds(1.0, SR);
    let input = [sine(300.0, SR, frames, 0.4), sine(500.0, SR, frames, 0.2)];
    let mut plugin = hosted_with_patch(&load_bundle(), FX_ID, &factory("Mono Utility"));
    plugin.activate(SR, MAX_BLOCK);
    let out = plugin.render(&input, frames, 256, &[]);
    assert_eq!(out[0], out[1], "one signal on both sides");
    let mean: Vec<f32> = input[0]
        .iter()
        .zip(&input[1])
        .map(|(l, r)| ((f64::from(*l) + f64::from(*r)) / 2.0) as f32)
        .collect();
    // Gain 0 dB, the low cut at 20 Hz: the mean, within a hair.
    let heard = level_db(&out[0], 0.5, 1.0);
    let expected = level_db(&mean, 0.5, 1.0);
    assert!(
        (heard - expected).abs() < 0.05,
        "{heard:.3} dB vs {expected:.3} dB"
    );
}

#[test]
fn notes_start_on_their_sample_on_an_auxiliary_output_too() {
    // Each note plays on channels 5-6 only (the second auxiliary output). `outh` writes
    // six channels and starts a late note on its own sample; Csound 6.18's `outch` does
    // not (a note in the second half of a k-cycle starts on the next cycle), on any bus.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 6\n\
        0dbfs = 1\ninstr 1\n  a1 poscil 0.3, p7\n  a0 = 0\n  outh a0, a0, a0, a0, a1, a1\nendin\n</CsInstruments>\n\
        <CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";
    let mut delays = Vec::new();
    for note_on in [992, 1000, 1017, 1023, 1500] {
        let mut plugin = hosted_with_patch(&load_bundle(), INSTRUMENT_ID, code);
        plugin.activate(SR, MAX_BLOCK);
        let latency = plugin.latency() as usize;
        let events = [csound_plug_testkit::clap::NoteEvent::on(note_on, 69, 100)];
        let ports = plugin.render_with(&[], 2048, 100, &events, &[]).ports;
        assert!(ports[0]
            .iter()
            .chain(&ports[1])
            .all(|c| c.iter().all(|&s| s == 0.0)));
        let start = ports[2][0]
            .iter()
            .position(|s| s.abs() > 1e-7)
            .unwrap_or_else(|| panic!("note at {note_on}: no sound on port 2"));
        assert!((note_on + latency..note_on + latency + 32).contains(&start));
        delays.push(start - note_on);
    }
    assert!(
        delays.iter().all(|&d| d == delays[0]),
        "onset delays {delays:?}"
    );
}
