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

/// Levels of `slots` host channels where `active[n]` says whether channel n has a buffer
/// (an inactive bus's channels are empty slices); `None` for the inactive ones.
fn levels_with(engine: &mut Engine, active: &[bool]) -> Vec<Option<f32>> {
    let mut out: Vec<Vec<f32>> = active
        .iter()
        .map(|&on| vec![0.0f32; if on { FRAMES } else { 0 }])
        .collect();
    let mut outputs: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[..]).collect();
    engine.process(&Input::<&[f32]>::Silence, &mut outputs, FRAMES, &[]);
    out.iter()
        .map(|c| (!c.is_empty()).then(|| level(c)))
        .collect()
}

#[test]
fn auxiliary_buses_carry_their_channels_and_inactive_ones_drop_or_fold() {
    let all = [true; 8];
    let mut octo = engine(&constants(8, ""), false);
    let expected: Vec<_> = (1..=8).map(|n| Some((0.1 * f64::from(n)) as f32)).collect();
    assert_eq!(levels_with(&mut octo, &all), expected, "one to one");

    // The first and third auxiliary buses inactive: 3, 4, 7, 8 are dropped.
    let some = [true, true, false, false, true, true, false, false];
    let mut octo = engine(&constants(8, ""), false);
    assert_eq!(
        levels_with(&mut octo, &some),
        [
            Some(0.1),
            Some(0.2),
            None,
            None,
            Some(0.5),
            Some(0.6),
            None,
            None
        ]
    );
    // ... or mixed into the main bus with `fold`, the active bus keeping its own.
    let fold = "<CsoundPlug>\n[buses]\nfold = true\n</CsoundPlug>\n";
    let mut folded = engine(&constants(8, fold), false);
    let left = (0.1f64 + 0.3 + 0.7) as f32;
    let right = (0.2f64 + 0.4 + 0.8) as f32;
    assert_eq!(
        levels_with(&mut folded, &some),
        [
            Some(left),
            Some(right),
            None,
            None,
            Some(0.5),
            Some(0.6),
            None,
            None
        ]
    );

    // A mono main bus (its second channel empty) with the auxiliary buses active: the
    // main bus gets channel 1, or 1 + 2 folded; the auxiliary buses keep theirs.
    let mono_main = [true, false, true, true];
    let mut quad = engine(&constants(4, ""), false);
    assert_eq!(
        levels_with(&mut quad, &mono_main),
        [Some(0.1), None, Some(0.3), Some(0.4)]
    );
    let mut quad = engine(&constants(4, fold), false);
    assert_eq!(
        levels_with(&mut quad, &mono_main),
        [Some((0.1f64 + 0.2) as f32), None, Some(0.3), Some(0.4)]
    );

    // A mono patch plays on the main bus only; the auxiliary buses are silent.
    let mut mono = engine(&constants(1, ""), false);
    assert_eq!(
        levels_with(&mut mono, &[true; 4]),
        [Some(0.1), Some(0.1), Some(0.0), Some(0.0)]
    );
}

/// An effect reading its four inputs and writing `out1 = in1 - in3`, `out2 = in2 - in4`:
/// the main bus minus the side-chain.
fn difference() -> String {
    csd(
        "nchnls = 2\nnchnls_i = 4",
        "instr 1\n  a1, a2, a3, a4 inch 1, 2, 3, 4\n  outs a1 - a3, a2 - a4\nendin",
        "",
    )
}

#[test]
fn the_side_chain_is_inputs_three_and_four() {
    let main = [vec![0.5f32; FRAMES], vec![0.25f32; FRAMES]];
    let side = [vec![0.125f32; FRAMES], vec![0.0625f32; FRAMES]];
    let run = |side: &[Vec<f32>]| {
        let mut fx = engine(&difference(), true);
        let mut out = vec![vec![0.0f32; FRAMES]; 2];
        let mut outputs: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[..]).collect();
        fx.process(
            &Input::BuffersWithSide(&main[..], side),
            &mut outputs,
            FRAMES,
            &[],
        );
        [level(&out[0]), level(&out[1])]
    };
    assert_eq!(run(&side), [0.375, 0.1875]);
    // A mono side-chain feeds both 3 and 4; none is silence.
    assert_eq!(run(&side[..1]), [0.375, 0.125]);
    assert_eq!(run(&[]), [0.5, 0.25]);

    // In place, as the effect entry runs: the main bus is the output buffers.
    let mut fx = engine(&difference(), true);
    let mut out = main.clone();
    let mut outputs: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[..]).collect();
    fx.process(
        &Input::InPlaceWithSide(&side[..]),
        &mut outputs,
        FRAMES,
        &[],
    );
    assert_eq!([level(&out[0]), level(&out[1])], [0.375, 0.1875]);

    // A mono patch input hears the mean of the main bus, not the side-chain.
    let code = csd("nchnls = 1", "instr 1\n  a1 in\n  out a1\nendin", "");
    let mut mono = engine(&code, true);
    let mut out = vec![vec![0.0f32; FRAMES]; 2];
    let mut outputs: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[..]).collect();
    mono.process(
        &Input::BuffersWithSide(&main[..], &side[..]),
        &mut outputs,
        FRAMES,
        &[],
    );
    assert_eq!(level(&out[0]), 0.375);
}
