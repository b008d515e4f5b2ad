//! The audio thread's code path allocates nothing: processing blocks with notes and
//! picking up a newly compiled engine run under nice-plug's allocation checker (the same
//! one as its `assert_process_allocs` feature), which counts every Rust allocation made
//! on this thread. libcsound's own C allocations are outside its view.

use csound_plug::compiler::{Compiler, Ready, Trust};
use csound_plug::processor::Processor;
use csound_plug_engine::block::Input;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::{Engine, EngineConfig};
use nice_assert_no_alloc::{
    assert_no_alloc, reset_violation_count, violation_count, AllocDisabler,
};
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
    let config = EngineConfig::plugin(48_000.0, 2, 2, false);
    let generation = compiler.activate(config.clone()).generation;
    let code = Arc::new(TWO_OSC_SYNTH.to_string());
    let (engine, _) =
        Engine::compile(&code, &config, shared.handover.ring.clone()).expect("compiles");
    let ready = Ready {
        engine,
        code: code.clone(),
        generation,
    };
    processor.activate(Some(Box::new(ready)), generation, (2, 2), 256, 48_000.0);
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
