//! Fuzzing on stable Rust, the engine's inputs: MIDI files (mutated from files this code
//! writes) and MIDI streams (random bytes as a host might send them) into running
//! patches. Nothing may panic, and the factory patches stay finite. A fixed-seed
//! generator makes a failure repeat; `cargo xtask fuzz` runs many more cases
//! (`CSOUND_PLUG_FUZZ_CASES`).

use csound_plug_engine::block::Input;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::midi_file::{midi_bytes, parse_midi, TimedMidi};
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_patch::presets;
use csound_plug_testkit::rng::Rng;
use std::sync::Arc;

fn cases(default: usize) -> usize {
    std::env::var("CSOUND_PLUG_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// A valid file with notes, controllers, bends and a program change.
fn seed_file(rng: &mut Rng) -> Vec<u8> {
    let mut events = Vec::new();
    let mut frame = 0u64;
    for _ in 0..1 + rng.below(40) {
        frame += rng.below(20_000) as u64;
        let channel = rng.below(16) as u8;
        let message = match rng.below(5) {
            0 => vec![0x90 | channel, rng.byte() & 0x7f, 1 + rng.byte() % 127],
            1 => vec![0x80 | channel, rng.byte() & 0x7f, 0],
            2 => vec![0xb0 | channel, rng.byte() & 0x7f, rng.byte() & 0x7f],
            3 => vec![0xe0 | channel, rng.byte() & 0x7f, rng.byte() & 0x7f],
            _ => vec![0xc0 | channel, rng.byte() & 0x7f],
        };
        events.push(TimedMidi::new(frame, &message));
    }
    midi_bytes(&events, 48_000.0)
}

#[test]
fn mutated_midi_files_never_panic_the_reader() {
    let mut rng = Rng(0x0d1f_f11e);
    for case in 0..cases(3_000) {
        let mut bytes = seed_file(&mut rng);
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(4) {
                0 if at < bytes.len() => bytes[at] = rng.byte(),
                1 => bytes.insert(at, rng.byte()),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        let read = std::panic::catch_unwind(|| parse_midi(&bytes, 48_000.0));
        assert!(read.is_ok(), "case {case} panicked on {bytes:02x?}");
    }
}

#[test]
fn random_midi_streams_keep_factory_patches_running_and_finite() {
    let mut rng = Rng(0x5742_ea11);
    let block = 256;
    let patches: Vec<_> = presets::factory()
        .into_iter()
        .filter(|p| {
            [
                "Two-Oscillator Synth",
                "MIDI Strings",
                "Synth Drum Kit",
                "Ping-Pong Echo",
            ]
            .contains(&p.name.as_str())
        })
        .collect();
    assert_eq!(patches.len(), 4);
    // A tenth of the cases as blocks, at most 5,000 per patch (27 s of audio): voices
    // pile up under random notes, so longer runs find nothing new and take hours.
    let blocks = (cases(3_000) / 10).min(5_000);
    for preset in &patches {
        let config = EngineConfig::plugin(48_000.0, preset.name == "Ping-Pong Echo");
        let ring = Arc::new(MessageRing::new(256));
        let (mut engine, _) = Engine::compile(&preset.code, &config, ring.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        engine.set_start_values(&preset.code);
        let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
        let input = [vec![0.1f32; block], vec![-0.1f32; block]];
        let mut log = String::new();
        for n in 0..blocks {
            let mut events: Vec<MidiEvent> = (0..rng.below(12))
                .filter_map(|_| {
                    // Any status byte, data bytes mostly valid and sometimes not.
                    let status = 0x80 | rng.byte();
                    let data = |rng: &mut Rng| match rng.below(8) {
                        0 => rng.byte(),
                        _ => rng.byte() & 0x7f,
                    };
                    let bytes = [status, data(&mut rng), data(&mut rng)];
                    MidiEvent::from_bytes(rng.below(block) as u32, &bytes)
                })
                .collect();
            events.sort_by_key(MidiEvent::offset);
            let mut outputs = [&mut left[..], &mut right[..]];
            engine.process(&Input::Buffers(&input[..]), &mut outputs, block, &events);
            ring.drain_into(&mut log);
            log.clear();
            let finite = left.iter().chain(&right).all(|s| s.is_finite());
            assert!(finite, "{}: non-finite output at block {n}", preset.name);
        }
        // Everything sounding ends on demand.
        engine.all_notes_off();
    }
}

/// Found by the stream fuzzing above: MIDI Strings with CC74 and aftertouch at the top
/// set its second low-pass above half the sample rate, and the output grew without end.
#[test]
fn midi_strings_stays_stable_at_full_brightness() {
    let preset = presets::factory()
        .into_iter()
        .find(|p| p.name == "MIDI Strings")
        .expect("the preset");
    for sr in [44_100.0, 48_000.0] {
        let config = EngineConfig::plugin(sr, false);
        let ring = Arc::new(MessageRing::new(256));
        let (mut engine, _) = Engine::compile(&preset.code, &config, ring).expect("compiles");
        engine.set_start_values(&preset.code);
        let block = 256;
        let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
        let mut peak = 0.0f32;
        for n in 0..400 {
            // CC74 at the top, a real (low) aftertouch first, then full pressure.
            let bytes: &[[u8; 3]] = match n {
                0 => &[[0xb4, 74, 127], [0xd4, 0, 0], [0x94, 35, 127]],
                10 => &[[0xd4, 127, 0]],
                _ => &[],
            };
            let events: Vec<MidiEvent> = bytes
                .iter()
                .filter_map(|b| MidiEvent::from_bytes(0, b))
                .collect();
            let mut outputs = [&mut left[..], &mut right[..]];
            engine.process(&Input::<&[f32]>::Silence, &mut outputs, block, &events);
            peak = left.iter().chain(&right).fold(peak, |m, s| m.max(s.abs()));
        }
        assert!(peak.is_finite() && peak < 1.0, "peak {peak} at {sr} Hz");
        assert!(peak > 0.01, "the note sounded (peak {peak})");
    }
}
