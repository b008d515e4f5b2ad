//! Live recompile: many compiles while audio runs, failed compiles changing nothing, and
//! no Csound instance leaked.

use csound_plug::compiler::{Compiler, Ready, Trust};
use csound_plug::processor::{Channels, Processor};
use csound_plug_engine::block::Input;
use csound_plug_engine::csound::live_instances;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_testkit::analysis;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use csound_plug_testkit::TWO_OSC_SYNTH;

/// The tests count live Csound instances, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const BLOCK: usize = 64;
const SR: f64 = 48_000.0;

fn config() -> EngineConfig {
    EngineConfig::plugin(SR, false)
}

/// A running processor with its own compiler, started on `code`.
fn start(code: &str) -> (Compiler, Processor) {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let mut processor = Processor::new(shared.handover.clone(), compiler.retire_sender(), false);
    let generation = compiler.activate(config()).generation;
    let code = Arc::new(code.to_string());
    let (engine, _) =
        Engine::compile(&code, &config(), shared.handover.ring.clone()).expect("compiles");
    let ready = Ready {
        engine,
        code,
        generation,
    };
    processor
        .activate(
            Some(Box::new(ready)),
            generation,
            Channels::STEREO,
            BLOCK,
            SR,
        )
        .expect("buffers");
    (compiler, processor)
}

/// One block of silence in, returns the left channel.
fn block(processor: &mut Processor, events: &[MidiEvent]) -> Vec<f32> {
    let (mut left, mut right) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    processor.take_ready();
    processor.clear_events();
    for event in events {
        processor.push_event(*event);
    }
    let mut outputs = [&mut left[..], &mut right[..]];
    processor.process(&Input::<&[f32]>::Silence, &mut outputs, BLOCK);
    left
}

/// A patch playing a steady tone from the start; ksmps and instrument set vary with `i`.
fn tone_patch(i: usize) -> String {
    let ksmps = [1, 10, 16, 32, 64, 100][i % 6];
    let freq = 200 + (i % 7) * 450;
    let extra = match i % 3 {
        0 => "",
        1 => "instr 2\n a1 vco2 0.1, 110\n outs a1, a1\nendin\n",
        _ => "opcode Twice, a, a\n ain xin\n xout ain * 2\nendop\ninstr 3\n a1 Twice a(0)\n outs a1, a1\nendin\n",
    };
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = {ksmps}\nnchnls = 2\n0dbfs = 1\n\
         {extra}instr 1\n a1 poscil 0.3, {freq}\n outs a1, a1\nendin\n</CsInstruments>\n\
         <CsScore>\ni 1 0 z\n</CsScore>\n</CsoundSynthesizer>\n"
    )
}

fn broken_patch(i: usize) -> String {
    tone_patch(i).replace(
        "outs a1, a1\nendin\n</CsInstruments>",
        "outs a1, a1 oops\nendin\n</CsInstruments>",
    )
}

#[test]
fn two_hundred_recompiles_while_audio_runs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let baseline = live_instances();
    let (compiler, mut processor) = start(&tone_patch(0));
    let reports = compiler.reports();
    let requester = compiler.requester();
    let mut blocks = 0usize;
    let mut quiet_blocks = Vec::new();
    let mut most_instances = 0;
    let (mut good, mut failed) = (0, 0);
    let started = Instant::now();
    for i in 1..=200 {
        let code = Arc::new(if i % 2 == 1 {
            broken_patch(i)
        } else {
            tone_patch(i)
        });
        requester.compile(code.clone(), Trust::Own);
        let mut reported: Option<bool> = None;
        let mut after = 0;
        // Process until this compile is reported and, for good code, its crossfade is done
        // (20 ms = 15 blocks; 30 to be sure).
        loop {
            let out = block(&mut processor, &[]);
            blocks += 1;
            assert!(
                out.iter().all(|s| s.is_finite()),
                "non-finite output at block {blocks}"
            );
            if analysis::rms(&out, 0..BLOCK) < 0.05 {
                quiet_blocks.push(blocks);
            }
            most_instances = most_instances.max(live_instances() - baseline);
            while let Ok(report) = reports.try_recv() {
                if Arc::ptr_eq(&report.code, &code) {
                    reported = Some(report.result.is_ok());
                }
            }
            let done = match reported {
                Some(false) => true,
                Some(true) => processor
                    .running_code()
                    .is_some_and(|c| Arc::ptr_eq(c, &code)),
                None => false,
            };
            if done {
                after += 1;
                if after > 30 {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "stuck at compile {i}"
            );
            std::thread::sleep(Duration::from_micros(300));
        }
        match reported {
            Some(true) => good += 1,
            _ => failed += 1,
        }
    }
    println!(
        "{good} good and {failed} failed compiles, {blocks} blocks in {:.1} s, at most {most_instances} instances alive",
        started.elapsed().as_secs_f64()
    );
    assert_eq!((good, failed), (100, 100));
    assert!(quiet_blocks.is_empty(), "silent blocks: {quiet_blocks:?}");
    // Current, outgoing, compiling and retiring engines at most.
    assert!(
        most_instances <= 4,
        "{most_instances} instances alive at once"
    );
    drop(processor);
    drop(compiler);
    assert_eq!(live_instances(), baseline, "Csound instances leaked");
}

#[test]
fn a_failed_compile_leaves_the_output_bit_identical() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_compiler_a, mut a) = start(TWO_OSC_SYNTH);
    let (compiler_b, mut b) = start(TWO_OSC_SYNTH);
    let reports = compiler_b.reports();
    let broken = Arc::new(TWO_OSC_SYNTH.replace("outs aout, aout", "outs aout aout"));
    let notes = |n: usize| -> Vec<MidiEvent> {
        match n % 40 {
            0 => vec![MidiEvent::On {
                offset: (n % 64) as u32,
                channel: 0,
                key: 48 + (n % 24) as u8,
                velocity: 90,
            }],
            25 => vec![MidiEvent::Off {
                offset: 5,
                channel: 0,
                key: 48 + ((n - 25) % 24) as u8,
            }],
            _ => vec![],
        }
    };
    let mut failed_at = None;
    let mut n = 0;
    let mut peak = 0.0f32;
    while failed_at.is_none_or(|at| n < at + 400) {
        if n == 100 {
            compiler_b.requester().compile(broken.clone(), Trust::Own);
        }
        let out_a = block(&mut a, &notes(n));
        let out_b = block(&mut b, &notes(n));
        peak = peak.max(analysis::peak(&out_a, 0..BLOCK));
        assert!(
            out_a
                .iter()
                .zip(&out_b)
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "outputs differ at block {n}"
        );
        if let Ok(report) = reports.try_recv() {
            assert!(report.result.is_err(), "the broken patch compiled");
            failed_at = Some(n);
        }
        n += 1;
        assert!(n < 20_000, "no report for the broken compile");
    }
    assert!(peak > 0.05, "the notes were heard (peak {peak})");
}

/// Waits for the console's NaN notice and checks there is exactly one.
fn assert_one_non_finite_notice(compiler: &Compiler) {
    let console = &compiler.shared().status.console;
    let noticed = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        console.text().contains("NaN or infinite")
    });
    assert!(noticed, "one notice in the console:\n{}", console.text());
    assert_eq!(console.text().matches("NaN or infinite").count(), 1);
}

#[test]
fn non_finite_output_becomes_silence_until_a_good_compile() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A tone that turns infinite after 0.1 s.
    let exploding = tone_patch(3).replace(
        " a1 poscil 0.3,",
        " kbig linseg 1, 0.1, 1, 0, 1e300\n a1 poscil 0.3 * kbig * kbig,",
    );
    assert!(exploding.contains("1e300"));
    let (compiler, mut processor) = start(&exploding);
    let outputs: Vec<Vec<f32>> = (0..300).map(|_| block(&mut processor, &[])).collect();
    assert!(outputs.iter().flatten().all(|s| s.is_finite()));
    // Loud until the blow-up at 0.1 s (block 75, plus the latency), silent from there on.
    let silent_from = outputs
        .iter()
        .rposition(|b| b.iter().any(|s| *s != 0.0))
        .map_or(0, |last_loud| last_loud + 1);
    assert!(
        (74..=80).contains(&silent_from),
        "silent from block {silent_from}"
    );
    let before = analysis::peak(&outputs[silent_from - 10], 0..BLOCK);
    assert!(before > 0.2, "the tone played first (peak {before})");
    assert_one_non_finite_notice(&compiler);
    // The next good compile brings the sound back.
    compiler
        .requester()
        .compile(Arc::new(tone_patch(4)), Trust::Own);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after = 0.0f32;
    while after < 0.2 && Instant::now() < deadline {
        after = after.max(analysis::peak(&block(&mut processor, &[]), 0..BLOCK));
        std::thread::sleep(Duration::from_micros(300));
    }
    assert!(after > 0.2, "sound came back (peak {after})");
}

#[test]
fn a_moment_of_non_finite_output_costs_one_block_not_the_patch() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A tone with one k-cycle of NaN at 0.1 s (k-cycle 150 of 32 frames).
    let spiking = tone_patch(3).replace(
        " outs a1, a1\nendin\n</CsInstruments>",
        " kcycle timeinstk\n if kcycle == 150 then\n  a1 = a(sqrt(-1))\n endif\n\
         outs a1, a1\nendin\n</CsInstruments>",
    );
    assert!(spiking.contains("timeinstk"));
    let (compiler, mut processor) = start(&spiking);
    let outputs: Vec<Vec<f32>> = (0..300).map(|_| block(&mut processor, &[])).collect();
    assert!(outputs.iter().flatten().all(|s| s.is_finite()));
    let silent: Vec<usize> = (0..outputs.len())
        .filter(|&b| outputs[b].iter().all(|s| *s == 0.0))
        .collect();
    // One block, where 0.1 s (less the warm-up cycles, plus the latency) falls.
    assert!(
        silent.len() == 1 && (73..=76).contains(&silent[0]),
        "dropped blocks {silent:?}"
    );
    // Before and after it the tone plays: the patch was not stopped.
    for b in [70, 80, 299] {
        let level = analysis::peak(&outputs[b], 0..BLOCK);
        assert!(level > 0.2, "block {b} peak {level}");
    }
    assert_one_non_finite_notice(&compiler);
}

#[test]
fn the_crossfade_length_follows_the_patch() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dc = |level: f64, metadata: &str| {
        format!(
            "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
             instr 1\n outs a({level}), a({level})\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 z\n</CsScore>\n\
             {metadata}</CsoundSynthesizer>\n"
        )
    };
    // Frames that are neither the old level nor the new one: the crossfade's length.
    let mixed_frames = |metadata: &str| {
        let (compiler, mut processor) = start(&dc(0.5, ""));
        let reports = compiler.reports();
        compiler
            .requester()
            .compile(Arc::new(dc(0.2, metadata)), Trust::Own);
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while reports.try_recv().is_err() {
            assert!(Instant::now() < deadline, "no compile report");
            std::thread::sleep(Duration::from_millis(2));
        }
        for _ in 0..200 {
            out.extend(block(&mut processor, &[]));
        }
        assert!(
            (out[out.len() - 1] - 0.2).abs() < 1e-6,
            "the new patch plays"
        );
        out.iter()
            .filter(|&&s| (s - 0.5).abs() > 1e-6 && (s - 0.2).abs() > 1e-6)
            .count()
    };
    assert_eq!(
        mixed_frames("<CsoundPlug>\ncrossfade_ms = 0\n</CsoundPlug>\n"),
        0
    );
    let default = mixed_frames("");
    assert!(
        (955..=960).contains(&default),
        "default 20 ms: {default} frames"
    );
    let long = mixed_frames("<CsoundPlug>\ncrossfade_ms = 50\n</CsoundPlug>\n");
    assert!((2_395..=2_400).contains(&long), "50 ms: {long} frames");
}
