//! The audio thread's code path allocates nothing: processing blocks with notes and
//! picking up a newly compiled engine run under nice-plug's allocation checker (the same
//! one as its `assert_process_allocs` feature), which counts every Rust allocation made
//! on this thread. libcsound's own C allocations are outside its view. The second test
//! runs each plugin entry's whole `process()` as a host's wrapper calls it.

mod common;

use common::{activate, note, process, session_fields, Host};
use csound_plug::compiler::{Compiler, Ready, Trust};
use csound_plug::flavor::{Effect, Flavor, Instrument};
use csound_plug::processor::{Channels, Processor};
use csound_plug::CsoundPlug;
use csound_plug_engine::block::Input;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::{Engine, EngineConfig};
use nice_assert_no_alloc::{
    assert_no_alloc, reset_violation_count, violation_count, AllocDisabler,
};
use nice_plug::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use csound_plug_testkit::TWO_OSC_SYNTH;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn processing_and_engine_hand_over_do_not_allocate() {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let mut processor = Processor::new(shared.handover.clone(), compiler.retire_sender(), false);
    let config = EngineConfig::plugin(48_000.0, false);
    let generation = compiler.activate(config.clone()).generation;
    let code = Arc::new(TWO_OSC_SYNTH.to_string());
    let (engine, _) =
        Engine::compile(&code, &config, shared.handover.ring.clone()).expect("compiles");
    let ready = Ready {
        engine,
        code: code.clone(),
        generation,
    };
    processor
        .activate(
            Some(Box::new(ready)),
            generation,
            Channels::STEREO,
            256,
            48_000.0,
        )
        .expect("buffers");
    // A second patch, compiled on the compiler thread while this thread processes.
    let louder = Arc::new(TWO_OSC_SYNTH.replace("iamp   = 0.25", "iamp   = 0.5"));
    compiler.requester().compile(louder.clone(), Trust::Own);

    let frames = 256;
    let (mut left, mut right) = (vec![0.0f32; frames], vec![0.0f32; frames]);
    let sidechain = [vec![0.0f32; frames], vec![0.0f32; frames]];
    let mut peak = 0.0f32;
    let mut swapped_at = None;
    let start = Instant::now();
    reset_violation_count();
    for block in 0..4_000 {
        assert_no_alloc(|| {
            processor.take_ready();
            processor.clear_events();
            match block % 20 {
                0 => processor.push_event(MidiEvent::On {
                    offset: 17,
                    channel: 0,
                    key: 57,
                    velocity: 110,
                }),
                10 => processor.push_event(MidiEvent::Off {
                    offset: 3,
                    channel: 0,
                    key: 57,
                }),
                // Controllers, pitch bend, the sustain pedal and all-notes-off too.
                5 => {
                    for bytes in [[0xb0, 74, 90], [0xe0, 0, 80], [0xb0, 64, 127]] {
                        processor.push_event(MidiEvent::Message { offset: 9, bytes });
                    }
                }
                15 => {
                    for bytes in [[0xb0, 64, 0], [0xb0, 123, 0]] {
                        processor.push_event(MidiEvent::Message { offset: 30, bytes });
                    }
                }
                _ => {}
            }
            processor.host_info_mut().playing = block % 40 < 30;
            processor.host_info_mut().position_samples = (block * frames) as f64;
            let mut outputs = [&mut left[..], &mut right[..]];
            processor.process(&Input::Buffers(&sidechain[..]), &mut outputs, frames);
        });
        peak = left.iter().fold(peak, |m, s| m.max(s.abs()));
        let running = processor.running_code().expect("an engine runs");
        if swapped_at.is_none() && Arc::ptr_eq(running, &louder) {
            swapped_at = Some(block);
        }
        if swapped_at.is_some_and(|at| block > at + 100) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the new engine never arrived"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    assert_eq!(violation_count(), 0, "allocations on the audio thread");
    assert!(swapped_at.is_some(), "the compiled engine was handed over");
    assert!(peak > 0.05, "notes sounded (peak {peak})");
}

/// Runs a plugin entry's whole `process()` as a host would, under the allocation checker:
/// notes, controllers, automation of every parameter, transport starts and stops, bypass,
/// and a state load whose new patch is handed over while blocks run. Returns the peak.
fn run_whole_process<F: Flavor>(code_for_state: &str) -> f32 {
    let mut plugin = CsoundPlug::<F>::default();
    let frames = 256;
    let pointers = activate(&mut plugin, frames);
    let params = plugin.params();
    let fields = session_fields(code_for_state);
    let mut host = Host::new(48_000.0, 16);
    let (mut left, mut right) = (vec![0.0f32; frames], vec![0.0f32; frames]);
    let (mut side_l, mut side_r) = (vec![0.1f32; frames], vec![-0.1f32; frames]);
    let mut peak = 0.0f32;
    let mut handed_over = false;
    let start = Instant::now();
    reset_violation_count();
    for block in 0..3_000usize {
        if block == 50 {
            // What a host does when it loads a session: off the audio thread.
            params.deserialize_fields(&fields);
        }
        let cc = NoteEvent::MidiCC {
            timing: 9,
            channel: 0,
            cc: 74,
            value: 0.7,
        };
        match block % 20 {
            0 => host.block(&[note(17, 57, true)]),
            5 => host.block(&[cc]),
            10 => host.block(&[note(3, 57, false)]),
            _ => host.block(&[]),
        }
        host.transport.playing = block % 40 < 30;
        host.transport.pos_samples = Some((block * frames) as i64);
        left.fill(0.1);
        right.fill(-0.1);
        // The wrapper sets the buffers up before the checked section.
        let (outputs, side) = (
            (&mut left[..], &mut right[..]),
            (&mut side_l[..], &mut side_r[..]),
        );
        process(&mut plugin, &mut host, outputs, side, |call| {
            assert_no_alloc(|| {
                // Automation of every parameter (slots, mix, gain, bypass), as a wrapper sets it.
                let value = (block % 7) as f32 / 7.0;
                for (i, pointer) in pointers.iter().enumerate() {
                    let value = if i == pointers.len() - 3 {
                        f32::from(block % 300 > 280)
                    } else {
                        value
                    };
                    // SAFETY: the pointers come from the plugin's own parameter map.
                    unsafe {
                        pointer._internal_set_normalized_value(value);
                        pointer._internal_update_smoother(48_000.0, false);
                    }
                }
                call();
            })
        });
        peak = left.iter().fold(peak, |m, s| m.max(s.abs()));
        handed_over |= plugin
            .running_code()
            .is_some_and(|code| code.as_str() == code_for_state);
        if block > 400 && handed_over {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "too slow");
        std::thread::sleep(Duration::from_micros(200));
    }
    assert_eq!(
        violation_count(),
        0,
        "allocations in the plugin's process()"
    );
    assert!(
        handed_over,
        "the session's patch was handed over while processing"
    );
    peak
}

#[test]
fn the_whole_process_of_both_entries_does_not_allocate() {
    let louder = TWO_OSC_SYNTH.replace("iamp   = 0.25", "iamp   = 0.5");
    let peak = run_whole_process::<Instrument>(&louder);
    assert!(peak > 0.05, "the instrument sounded (peak {peak})");
    let echo = format!(
        "{}\n; loaded from a session\n",
        csound_plug_patch::presets::DEFAULT_FX
    );
    let peak = run_whole_process::<Effect>(&echo);
    assert!(peak > 0.01, "the effect sounded (peak {peak})");
}
