//! The patch's own channel counts meet the host's buses in the plugin (the command line
//! renders them as they are, see the CLI's equivalence tests): a mono patch plays on both
//! sides and hears the mean of a stereo input, a mono bus feeds every patch input,
//! channels past the bus are dropped, or mixed into it with `[buses] fold = true`.

use csound_plug_engine::block::Input;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_testkit::analysis;
use std::sync::Arc;

const SR: f64 = 48_000.0;
const FRAMES: usize = 4_800;

fn csd(nchnls: &str, orc: &str, metadata: &str) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\n{nchnls}\n0dbfs = 1\n\
         {orc}\n</CsInstruments>\n<CsScore>\ni 1 0 10\n</CsScore>\n{metadata}</CsoundSynthesizer>\n"
    )
}

fn engine(code: &str, is_effect: bool) -> Engine {
    let ring = Arc::new(MessageRing::new(64));
    let (engine, _) = Engine::compile(code, &EngineConfig::plugin(SR, is_effect), ring)
        .unwrap_or_else(|e| panic!("{e}"));
    engine
}

/// `host_outputs` channels of output for `inputs` (separate buffers; none: silence).
fn render(engine: &mut Engine, inputs: &[Vec<f32>], host_outputs: usize) -> Vec<Vec<f32>> {
    let mut out = vec![vec![0.0f32; FRAMES]; host_outputs];
    let mut outputs: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[..]).collect();
    let input = match inputs.is_empty() {
        true => Input::Silence,
        false => Input::Buffers(inputs),
    };
    engine.process(&input, &mut outputs, FRAMES, &[]);
    out
}

/// Channel n of a patch writing the constant `0.1 * (n + 1)` to each of its channels.
fn constants(nchnls: usize, metadata: &str) -> String {
    let outs: String = (1..=nchnls)
        .map(|n| format!("  outch {n}, a(0.1 * {n})\n"))
        .collect();
    csd(
        &format!("nchnls = {nchnls}"),
        &format!("instr 1\n{outs}endin"),
        metadata,
    )
}

/// The value a host channel settles to (after the latency).
fn level(channel: &[f32]) -> f32 {
    channel[FRAMES - 1]
}

#[test]
fn a_mono_patch_plays_on_both_sides_and_hears_the_mean() {
    // An effect: half of its mono input.
    let code = csd("nchnls = 1", "instr 1\n  a1 in\n  out a1 * 0.5\nendin", "");
    let mut fx = engine(&code, true);
    let left = analysis::sine(300.0, SR, FRAMES, 0.4);
    let right = analysis::sine(500.0, SR, FRAMES, 0.2);
    let out = render(&mut fx, &[left.clone(), right.clone()], 2);
    assert_eq!(out[0], out[1], "both sides play the mono output");
    let latency = fx.latency();
    for frame in latency..FRAMES {
        let mean = (f64::from(left[frame - latency]) + f64::from(right[frame - latency])) / 2.0;
        assert_eq!(out[0][frame], (mean * 0.5) as f32, "frame {frame}");
    }
}

#[test]
fn a_mono_bus_feeds_every_input_of_a_stereo_patch() {
    let code = csd(
        "nchnls = 2",
        "instr 1\n  aL, aR ins\n  outs aL * 0.5, aR * 0.25\nendin",
        "",
    );
    let mut fx = engine(&code, true);
    let mono = analysis::sine(300.0, SR, FRAMES, 0.4);
    let out = render(&mut fx, std::slice::from_ref(&mono), 2);
    let latency = fx.latency();
    for frame in latency..FRAMES {
        let x = f64::from(mono[frame - latency]);
        assert_eq!(out[0][frame], (x * 0.5) as f32);
        assert_eq!(out[1][frame], (x * 0.25) as f32);
    }
}

#[test]
fn channels_past_the_bus_are_dropped_or_folded_into_it() {
    let mut quad = engine(&constants(4, ""), false);
    let out = render(&mut quad, &[], 2);
    assert_eq!(
        [level(&out[0]), level(&out[1])],
        [0.1, 0.2],
        "3 and 4 dropped"
    );

    let fold = "<CsoundPlug>\n[buses]\nfold = true\n</CsoundPlug>\n";
    let mut folded = engine(&constants(4, fold), false);
    let out = render(&mut folded, &[], 2);
    let expected = [(0.1f64 + 0.3) as f32, (0.2f64 + 0.4) as f32];
    assert_eq!([level(&out[0]), level(&out[1])], expected, "1+3 and 2+4");

    // A mono bus gets the first channel, or the sum.
    let mut stereo = engine(&constants(2, ""), false);
    assert_eq!(level(&render(&mut stereo, &[], 1)[0]), 0.1);
    let mut summed = engine(&constants(2, fold), false);
    assert_eq!(
        level(&render(&mut summed, &[], 1)[0]),
        (0.1f64 + 0.2) as f32
    );

    // A bus wider than the patch: its other channels are silent.
    let mut narrow = engine(&constants(2, ""), false);
    let out = render(&mut narrow, &[], 4);
    assert_eq!(
        out.iter().map(|c| level(c)).collect::<Vec<_>>(),
        [0.1, 0.2, 0.0, 0.0]
    );
}
