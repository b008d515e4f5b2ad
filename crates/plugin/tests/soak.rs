//! A long session in little: one instance processes blocks for a while (60 s of wall
//! time here; `CSOUND_PLUG_SOAK_SECONDS` sets it, `cargo xtask soak` runs ten minutes)
//! with a recompile every second, random parameter moves, notes, controllers and
//! transport starts and stops. It must keep sounding, and after the warm-up its memory
//! must stay where it was.

mod common;

use common::{activate, note, session_fields, Host, StereoBlock};
use csound_plug::flavor::Instrument;
use csound_plug::CsoundPlug;
use csound_plug_testkit::memory::{rss_kib, settled_rss_kib};
use csound_plug_testkit::rng::Rng;
use csound_plug_testkit::TWO_OSC_SYNTH;
use nice_plug::prelude::*;
use std::time::{Duration, Instant};

const FRAMES: usize = 256;

#[test]
fn a_long_session_with_recompiles_and_random_traffic_stays_flat() {
    let seconds: u64 = std::env::var("CSOUND_PLUG_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut plugin = CsoundPlug::<Instrument>::default();
    let pointers = activate(&mut plugin, FRAMES);
    let params = plugin.params();
    let mut host = Host::new(48_000.0, 8);
    let mut buffers = StereoBlock::new(FRAMES);
    let mut rng = Rng(0x50a6);
    let start = Instant::now();
    let warm_up = Duration::from_secs(seconds.min(120) / 2);
    // Memory just before each recompile after the warm-up.
    let mut settled = Vec::new();
    let mut recompiles = 0u32;
    let mut next_recompile = Duration::from_secs(1);
    let (mut blocks, mut loud_blocks) = (0u64, 0u64);
    let mut samples = Vec::new();
    while start.elapsed() < Duration::from_secs(seconds) {
        if start.elapsed() >= next_recompile {
            // Measured just before a recompile, a second after the last one, when
            // usually one engine is alive; on a busy machine a hand-over (two engines)
            // may still be on, which the floors below leave out.
            if start.elapsed() >= warm_up {
                settled.push(settled_rss_kib());
            }
            // A session load with slightly different code each second (new engines).
            let level = 0.2 + 0.01 * f64::from(recompiles % 10);
            let code = TWO_OSC_SYNTH.replace("iamp   = 0.25", &format!("iamp   = {level}"));
            params.deserialize_fields(&session_fields(&code));
            recompiles += 1;
            next_recompile += Duration::from_secs(1);
        }
        let mut events = Vec::new();
        if blocks % 40 == 0 {
            events.push(note(
                rng.next_u64() as u32 % FRAMES as u32,
                48 + (rng.next_u64() % 24) as u8,
                true,
            ));
        }
        if blocks % 40 == 30 {
            // Every key the notes use released.
            events.extend((48..72).map(|key| note(1, key, false)));
        }
        if rng.next_u64().is_multiple_of(8) {
            events.push(NoteEvent::MidiCC {
                timing: (rng.next_u64() % FRAMES as u64) as u32,
                channel: 0,
                cc: (rng.next_u64() % 128) as u8,
                value: rng.unit(),
            });
        }
        events.sort_by_key(NoteEvent::timing);
        host.block(&events);
        host.transport.playing = (blocks / 500) % 4 != 3;
        host.transport.pos_samples = Some((blocks * FRAMES as u64) as i64);
        // Random moves of a few slot parameters (the bypass and gain stay put).
        for _ in 0..2 {
            let slot = (rng.next_u64() % 8) as usize;
            // SAFETY: the pointers come from the plugin's own parameter map.
            unsafe {
                pointers[slot]._internal_set_normalized_value(rng.unit());
                pointers[slot]._internal_update_smoother(48_000.0, false);
            }
        }
        buffers.process(&mut plugin, &mut host);
        assert!(buffers
            .left
            .iter()
            .chain(&buffers.right)
            .all(|s| s.is_finite()));
        if buffers.left.iter().any(|s| s.abs() > 0.01) {
            loud_blocks += 1;
        }
        blocks += 1;
        if blocks % 2000 == 0 {
            samples.push(rss_kib());
        }
        // About real time on average, so the compiler thread competes as it would.
        std::thread::sleep(Duration::from_micros(2_500));
    }
    // A leak raises the floor: the lowest of the first and of the last few measurements.
    assert!(settled.len() >= 6, "too few measurements: {settled:?}");
    let floor = |part: &[u64]| part.iter().copied().min().expect("measured");
    let few = (settled.len() / 4).clamp(3, 10);
    let warm = floor(&settled[..few]);
    let end = floor(&settled[settled.len() - few..]);
    println!(
        "{seconds} s: {blocks} blocks ({loud_blocks} with sound), {recompiles} recompiles; \
         RSS floor {warm} KiB after the warm-up, {end} KiB at the end; before each \
         recompile {settled:?}; samples {samples:?}"
    );
    assert!(recompiles as u64 >= seconds - 1);
    assert!(loud_blocks > blocks / 4, "the patch kept sounding");
    let growth = end as i64 - warm as i64;
    assert!(growth < 1024, "RSS grew {growth} KiB after the warm-up");
}
