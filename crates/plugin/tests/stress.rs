//! Many instances at once, as a session with many tracks and a host that duplicates and
//! deletes them while playing: created, activated, played and destroyed concurrently
//! from several threads, round after round. Nothing may crash, every Csound instance must
//! be gone afterwards, and the process's memory must not grow from round to round.

mod common;

use common::{activate, note, Host, StereoBlock};
use csound_plug::flavor::{Effect, Flavor, Instrument};
use csound_plug::CsoundPlug;
use csound_plug_engine::csound::live_instances;
use csound_plug_testkit::memory::settled_rss_kib;
use nice_plug::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The tests here count Csound instances in this process: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const FRAMES: usize = 128;

/// One instance's life: created, activated, `blocks` blocks with a note, destroyed.
/// Returns its peak output.
fn life<F: Flavor>(blocks: usize) -> f32 {
    let mut plugin = CsoundPlug::<F>::default();
    activate(&mut plugin, FRAMES);
    let mut host = Host::new(48_000.0, 4);
    let mut buffers = StereoBlock::new(FRAMES);
    let mut peak = 0.0f32;
    for block in 0..blocks {
        let events = match block {
            1 => vec![note(5, 60, true)],
            b if b == blocks - 2 => vec![note(0, 60, false)],
            _ => Vec::new(),
        };
        host.block(&events);
        // A tone in, for the effect.
        for (i, (l, r)) in buffers
            .left
            .iter_mut()
            .zip(buffers.right.iter_mut())
            .enumerate()
        {
            let t = (block * FRAMES + i) as f32 / 48_000.0;
            *l = 0.3 * (std::f32::consts::TAU * 440.0 * t).sin();
            *r = *l;
        }
        buffers.process(&mut plugin, &mut host);
        peak = buffers.left.iter().fold(peak, |m, s| m.max(s.abs()));
    }
    plugin.deactivate();
    peak
}

/// `count` instance lives, half instruments and half effects, on `threads` threads.
fn round(count: usize, threads: usize) {
    std::thread::scope(|scope| {
        for thread in 0..threads {
            scope.spawn(move || {
                for i in (thread..count).step_by(threads) {
                    let peak = if i % 2 == 0 {
                        life::<Instrument>(60)
                    } else {
                        life::<Effect>(60)
                    };
                    assert!(peak > 0.01, "instance {i} made no sound (peak {peak})");
                }
            });
        }
    });
}

#[test]
fn many_instances_made_played_and_destroyed_at_once_leave_nothing_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(live_instances(), 0);
    // The first round warms up what stays for the process (the pre-check's pass cache,
    // the C library's arenas for four threads).
    round(32, 4);
    assert_eq!(live_instances(), 0, "Csound instances left after round 1");
    let warm = settled_rss_kib();
    let mut growth = Vec::new();
    for n in 2..=4 {
        round(32, 4);
        assert_eq!(live_instances(), 0, "Csound instances left after round {n}");
        growth.push(settled_rss_kib() as i64 - warm as i64);
    }
    println!("RSS after the first round {warm} KiB; growth after rounds 2-4: {growth:?} KiB");
    // 32 instances hold some 200 MB at their peak; what a round leaves must be small.
    let last = *growth.last().unwrap();
    assert!(
        last < 16 * 1024,
        "RSS grew {last} KiB over three rounds of 32 instances"
    );
}

#[test]
fn duplicating_and_deleting_instances_while_one_plays() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut playing = CsoundPlug::<Instrument>::default();
    activate(&mut playing, FRAMES);
    let state = playing.params().serialize_fields();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // The host duplicates the track again and again (the copy gets the state) and
        // deletes the copies, while the first one plays.
        let copies = scope.spawn(|| {
            let mut made = 0;
            while !stop.load(Ordering::Relaxed) && made < 24 {
                let mut copy = CsoundPlug::<Instrument>::default();
                copy.params().deserialize_fields(&state);
                activate(&mut copy, FRAMES);
                let mut host = Host::new(48_000.0, 4);
                let mut buffers = StereoBlock::new(FRAMES);
                for block in 0..20 {
                    match block {
                        0 => host.block(&[note(0, 64, true)]),
                        _ => host.block(&[]),
                    }
                    buffers.process(&mut copy, &mut host);
                }
                drop(copy);
                made += 1;
            }
            made
        });
        let mut host = Host::new(48_000.0, 4);
        let mut buffers = StereoBlock::new(FRAMES);
        let mut quiet_blocks = 0;
        let mut block = 0usize;
        while !copies.is_finished() {
            // A held note, renewed every 200 blocks: the first instance must keep sounding.
            let events = match block % 200 {
                0 => vec![note(0, 57, true)],
                199 => vec![note(0, 57, false)],
                _ => Vec::new(),
            };
            host.block(&events);
            buffers.process(&mut playing, &mut host);
            let peak = buffers.left.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            if block % 200 > 20 && block % 200 < 190 && peak < 0.01 {
                quiet_blocks += 1;
            }
            block += 1;
            std::thread::sleep(std::time::Duration::from_micros(500));
        }
        stop.store(true, Ordering::Relaxed);
        let made = copies.join().unwrap();
        println!("{made} copies made and deleted while {block} blocks played");
        assert_eq!(made, 24);
        assert_eq!(quiet_blocks, 0, "the playing instance fell silent");
    });
    drop(playing);
    assert_eq!(live_instances(), 0);
}
