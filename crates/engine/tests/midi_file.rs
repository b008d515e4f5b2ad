//! Standard MIDI File reading and writing: tempo maps, timing kinds, merging, round trips
//! and malformed input.

use csound_plug_engine::midi_file::{
    midi_bytes, parse_midi, read_midi_file, write_midi_file, TimedMidi,
};
use midly::num::{u14, u15, u24, u28, u4, u7};
use midly::{
    Format, Fps, Header, MetaMessage, MidiMessage, PitchBend, Smf, Timing, TrackEvent,
    TrackEventKind,
};

const RATE: f64 = 48_000.0;

fn midi(delta: u32, channel: u8, message: MidiMessage) -> TrackEvent<'static> {
    TrackEvent {
        delta: u28::new(delta),
        kind: TrackEventKind::Midi {
            channel: u4::new(channel),
            message,
        },
    }
}

fn on(delta: u32, channel: u8, key: u8, vel: u8) -> TrackEvent<'static> {
    let (key, vel) = (u7::new(key), u7::new(vel));
    midi(delta, channel, MidiMessage::NoteOn { key, vel })
}

fn off(delta: u32, channel: u8, key: u8) -> TrackEvent<'static> {
    let (key, vel) = (u7::new(key), u7::new(0x40));
    midi(delta, channel, MidiMessage::NoteOff { key, vel })
}

fn cc(delta: u32, channel: u8, controller: u8, value: u8) -> TrackEvent<'static> {
    let (controller, value) = (u7::new(controller), u7::new(value));
    midi(
        delta,
        channel,
        MidiMessage::Controller { controller, value },
    )
}

fn meta(delta: u32, message: MetaMessage<'static>) -> TrackEvent<'static> {
    TrackEvent {
        delta: u28::new(delta),
        kind: TrackEventKind::Meta(message),
    }
}

fn tempo(delta: u32, micros: u32) -> TrackEvent<'static> {
    meta(delta, MetaMessage::Tempo(u24::new(micros)))
}

fn end() -> TrackEvent<'static> {
    meta(0, MetaMessage::EndOfTrack)
}

fn smf_bytes(format: Format, timing: Timing, tracks: Vec<Vec<TrackEvent<'static>>>) -> Vec<u8> {
    let smf = Smf {
        header: Header::new(format, timing),
        tracks,
    };
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).expect("encodes");
    bytes
}

fn tpq(ticks: u16) -> Timing {
    Timing::Metrical(u15::new(ticks))
}

fn parse(bytes: &[u8]) -> Vec<TimedMidi> {
    parse_midi(bytes, RATE).unwrap_or_else(|e| panic!("parses: {e}"))
}

fn at(frame: u64, bytes: [u8; 3]) -> TimedMidi {
    TimedMidi {
        frame,
        bytes,
        len: 3,
    }
}

fn at2(frame: u64, status: u8, data: u8) -> TimedMidi {
    TimedMidi {
        frame,
        bytes: [status, data, 0],
        len: 2,
    }
}

fn assert_one_line(error: &str) {
    assert!(!error.is_empty() && !error.contains('\n'), "{error:?}");
}

/// 480 ticks per quarter; 120 BPM, 60 BPM from tick 960, 240 BPM from tick 1920.
#[test]
fn format_1_follows_the_tempo_track() {
    let tempo_track = vec![
        meta(0, MetaMessage::TrackName(b"tempo")),
        tempo(0, 500_000),
        tempo(960, 1_000_000),
        tempo(960, 250_000),
        end(),
    ];
    let notes = vec![
        on(0, 0, 60, 100),  // tick 0: 0 s
        off(480, 0, 60),    // tick 480: 0.5 s
        on(480, 0, 62, 90), // tick 960: 1 s
        cc(480, 0, 1, 64),  // tick 1440: 1 s + 480 ticks at 60 BPM = 2 s
        off(480, 0, 62),    // tick 1920: 3 s
        on(240, 0, 64, 80), // tick 2160: 3 s + 240 ticks at 240 BPM = 3.125 s
        off(240, 0, 64),    // tick 2400: 3.25 s
        end(),
    ];
    let bytes = smf_bytes(Format::Parallel, tpq(480), vec![tempo_track, notes]);
    assert_eq!(
        parse(&bytes),
        [
            at(0, [0x90, 60, 100]),
            at(24_000, [0x80, 60, 0x40]),
            at(48_000, [0x90, 62, 90]),
            at(96_000, [0xB0, 1, 64]),
            at(144_000, [0x80, 62, 0x40]),
            at(150_000, [0x90, 64, 80]),
            at(156_000, [0x80, 64, 0x40]),
        ]
    );
    // The same file at 44.1 kHz: frames are seconds times the rate, rounded (137 812.5 up).
    let frames: Vec<u64> = parse_midi(&bytes, 44_100.0)
        .expect("parses")
        .iter()
        .map(|e| e.frame)
        .collect();
    assert_eq!(
        frames,
        [0, 22_050, 44_100, 88_200, 132_300, 137_813, 143_325]
    );
}

#[test]
fn a_tempo_change_in_a_note_track_applies_to_every_track() {
    let first = vec![on(0, 0, 60, 100), off(960, 0, 60), end()];
    // 60 BPM from tick 480, written in the second track.
    let second = vec![tempo(480, 1_000_000), cc(0, 1, 7, 100), end()];
    let bytes = smf_bytes(Format::Parallel, tpq(480), vec![first, second]);
    assert_eq!(
        parse(&bytes),
        [
            at(0, [0x90, 60, 100]),
            at(24_000, [0xB1, 7, 100]),
            at(72_000, [0x80, 60, 0x40]),
        ]
    );
}

#[test]
fn format_0_with_every_channel_message_kind() {
    let bend = PitchBend(u14::new(0x2000 + 0x0123));
    let track = vec![
        midi(
            0,
            2,
            MidiMessage::ProgramChange {
                program: u7::new(5),
            },
        ),
        on(0, 2, 60, 100),
        midi(
            96,
            2,
            MidiMessage::Aftertouch {
                key: u7::new(60),
                vel: u7::new(30),
            },
        ),
        midi(96, 2, MidiMessage::ChannelAftertouch { vel: u7::new(40) }),
        tempo(0, 250_000),
        midi(96, 2, MidiMessage::PitchBend { bend }),
        cc(96, 15, 74, 127),
        off(96, 2, 60),
        end(),
    ];
    // 96 ticks per quarter: 0.5 s per 96 ticks, then 0.25 s from the tempo change at 1 s.
    let bytes = smf_bytes(Format::SingleTrack, tpq(96), vec![track]);
    assert_eq!(
        parse(&bytes),
        [
            at2(0, 0xC2, 5),
            at(0, [0x92, 60, 100]),
            at(24_000, [0xA2, 60, 30]),
            at2(48_000, 0xD2, 40),
            at(60_000, [0xE2, 0x23, 0x42]),
            at(72_000, [0xBF, 74, 127]),
            at(84_000, [0x82, 60, 0x40]),
        ]
    );
}

#[test]
fn the_default_tempo_is_120_bpm() {
    let track = vec![on(0, 0, 60, 1), off(1000, 0, 60), end()];
    let bytes = smf_bytes(Format::SingleTrack, tpq(1000), vec![track]);
    let frames: Vec<u64> = parse(&bytes).iter().map(|e| e.frame).collect();
    assert_eq!(frames, [0, 24_000]);
}

#[test]
fn smpte_timing_counts_ticks_per_second_and_ignores_tempo() {
    // 25 fps, 40 ticks per frame: 1000 ticks per second.
    let track = vec![
        tempo(0, 1_000_000),
        on(500, 0, 60, 100),
        off(1500, 0, 60),
        end(),
    ];
    let bytes = smf_bytes(
        Format::SingleTrack,
        Timing::Timecode(Fps::Fps25, 40),
        vec![track],
    );
    assert_eq!(
        parse(&bytes),
        [at(24_000, [0x90, 60, 100]), at(96_000, [0x80, 60, 0x40])]
    );
    // 29.97 fps (30/1.001), 100 ticks per frame: 3000 ticks are 1.001 s.
    let track = vec![on(3000, 0, 60, 100), end()];
    let bytes = smf_bytes(
        Format::SingleTrack,
        Timing::Timecode(Fps::Fps29, 100),
        vec![track],
    );
    assert_eq!(parse(&bytes), [at(48_048, [0x90, 60, 100])]);
}

#[test]
fn velocity_0_note_on_becomes_note_off() {
    let track = vec![on(0, 3, 60, 100), on(480, 3, 60, 0), end()];
    let bytes = smf_bytes(Format::SingleTrack, tpq(480), vec![track]);
    assert_eq!(
        parse(&bytes),
        [at(0, [0x93, 60, 100]), at(24_000, [0x83, 60, 0])]
    );
}

#[test]
fn tracks_merge_in_frame_order_keeping_file_order_within_a_frame() {
    let tempo_track = vec![tempo(0, 500_000), end()];
    let first = vec![
        on(0, 0, 60, 100),
        cc(240, 0, 64, 127), // tick 240
        on(240, 0, 64, 90),  // tick 480: after the second track's note-off of key 64
        cc(0, 0, 10, 1),     // tick 480: before the second track's events there
        off(480, 0, 64),     // tick 960
        end(),
    ];
    let second = vec![
        on(120, 1, 72, 50), // tick 120
        off(360, 0, 64),    // tick 480
        cc(0, 1, 11, 2),    // tick 480
        off(0, 0, 60),      // tick 480: unrelated to key 64, keeps its place
        end(),
    ];
    let bytes = smf_bytes(Format::Parallel, tpq(480), vec![tempo_track, first, second]);
    assert_eq!(
        parse(&bytes),
        [
            at(0, [0x90, 60, 100]),
            at(6_000, [0x91, 72, 50]),
            at(12_000, [0xB0, 64, 127]),
            at(24_000, [0x80, 64, 0x40]),
            at(24_000, [0x90, 64, 90]),
            at(24_000, [0xB0, 10, 1]),
            at(24_000, [0xB1, 11, 2]),
            at(24_000, [0x80, 60, 0x40]),
            at(48_000, [0x80, 64, 0x40]),
        ]
    );
}

#[test]
fn a_note_off_goes_before_a_same_key_note_on_in_one_track() {
    // A note restarted on the tick it ends, written on-then-off.
    let track = vec![
        on(0, 0, 60, 100),
        on(480, 0, 60, 110),
        on(0, 0, 60, 0),
        off(480, 0, 60),
        end(),
    ];
    let bytes = smf_bytes(Format::SingleTrack, tpq(480), vec![track]);
    assert_eq!(
        parse(&bytes),
        [
            at(0, [0x90, 60, 100]),
            at(24_000, [0x80, 60, 0]),
            at(24_000, [0x90, 60, 110]),
            at(48_000, [0x80, 60, 0x40]),
        ]
    );
}

#[test]
fn running_status_written_by_midly() {
    let track = vec![
        on(0, 0, 60, 100),
        on(0, 0, 64, 100),
        on(480, 0, 60, 0),
        on(0, 0, 64, 0),
        end(),
    ];
    let bytes = smf_bytes(Format::SingleTrack, tpq(480), vec![track]);
    // One status byte for the four notes: midly writes running status.
    assert_eq!(bytes.iter().filter(|&&b| b == 0x90).count(), 1);
    assert_eq!(
        parse(&bytes),
        [
            at(0, [0x90, 60, 100]),
            at(0, [0x90, 64, 100]),
            at(24_000, [0x80, 60, 0]),
            at(24_000, [0x80, 64, 0]),
        ]
    );
}

#[test]
fn hand_written_file_with_running_status() {
    #[rustfmt::skip]
    let bytes: &[u8] = &[
        b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0, // format 0, 480 tpq
        b'M', b'T', b'r', b'k', 0, 0, 0, 28,
        0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, // tempo 1 000 000 µs (60 BPM)
        0x00, 0x91, 60, 100,                      // note on, channel 2
        0x00, 64, 90,                             // running status: note on
        0x83, 0x60, 60, 0,                        // delta 480, note on velocity 0
        0x00, 64, 0,                              // running status: velocity 0
        0x00, 0xC1, 7,                            // program change
        0x00, 0xFF, 0x2F, 0x00,                   // end of track
    ];
    assert_eq!(
        parse(bytes),
        [
            at(0, [0x91, 60, 100]),
            at(0, [0x91, 64, 90]),
            at(48_000, [0x81, 60, 0]),
            at(48_000, [0x81, 64, 0]),
            at2(48_000, 0xC1, 7),
        ]
    );
}

#[test]
fn meta_and_sysex_events_are_skipped() {
    let track = vec![
        meta(0, MetaMessage::Text(b"hello")),
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::SysEx(&[0x7E, 0x7F, 0x09, 0x01, 0xF7]),
        },
        on(0, 0, 60, 100),
        meta(240, MetaMessage::Marker(b"m")),
        end(),
    ];
    let bytes = smf_bytes(Format::SingleTrack, tpq(480), vec![track]);
    assert_eq!(parse(&bytes), [at(0, [0x90, 60, 100])]);
    let empty = smf_bytes(Format::Parallel, tpq(480), vec![vec![end()], vec![end()]]);
    assert_eq!(parse(&empty), []);
}

fn round_trip_events() -> Vec<TimedMidi> {
    // Multiples of 25 frames: whole ticks at 48 kHz.
    vec![
        at2(0, 0xC0, 12),
        at(0, [0x90, 60, 100]),
        at(25, [0xB0, 7, 90]),
        at(25, [0x91, 67, 1]),
        at(12_000, [0xE0, 0x7F, 0x7F]),
        at(24_000, [0x80, 60, 0]),
        at(24_000, [0xA1, 67, 33]),
        at2(48_000, 0xDF, 127),
        at(480_025, [0x81, 67, 64]),
        at(3_600 * 48_000, [0x9F, 127, 127]),
    ]
}

#[test]
fn write_then_read_keeps_every_event() {
    let events = round_trip_events();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("round trip.mid");
    write_midi_file(&path, &events, RATE).expect("writes");
    assert_eq!(read_midi_file(&path, RATE).expect("reads"), events);
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        midi_bytes(&events, RATE)
    );
}

#[test]
fn written_files_are_format_0_at_960_ticks_and_120_bpm() {
    let bytes = midi_bytes(&[at(48_000, [0x90, 60, 100])], RATE);
    assert_eq!(&bytes[..14], b"MThd\0\0\0\x06\0\0\0\x01\x03\xC0");
    let smf = Smf::parse(&bytes).expect("parses");
    assert_eq!(smf.tracks.len(), 1);
    let kinds: Vec<(u32, TrackEventKind)> = smf.tracks[0]
        .iter()
        .map(|e| (e.delta.as_int(), e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                0,
                TrackEventKind::Meta(MetaMessage::Tempo(u24::new(500_000)))
            ),
            (
                1920,
                TrackEventKind::Midi {
                    channel: u4::new(0),
                    message: MidiMessage::NoteOn {
                        key: u7::new(60),
                        vel: u7::new(100)
                    }
                }
            ),
            (0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
        ]
    );
}

#[test]
fn round_trip_at_other_rates_stays_within_half_a_tick() {
    for rate in [44_100.0, 96_000.0, 22_050.0] {
        let events: Vec<TimedMidi> = (0..200u64)
            .map(|i| at(i * 997 + i * i, [0x90 | (i % 16) as u8, (i % 128) as u8, 1]))
            .collect();
        let back = parse_midi(&midi_bytes(&events, rate), rate).expect("parses");
        assert_eq!(back.len(), events.len());
        for (a, b) in events.iter().zip(&back) {
            assert_eq!(a.bytes, b.bytes);
            // A tick is 1/1920 s: at most half a tick away, plus rounding.
            let limit = (rate / 3840.0).ceil() as u64;
            assert!(a.frame.abs_diff(b.frame) <= limit, "{a:?} {b:?} at {rate}");
        }
    }
}

#[test]
fn writing_sorts_by_frame_and_drops_non_channel_messages() {
    let events = [
        at(50, [0x80, 60, 0]),
        at(0, [0x90, 60, 100]),
        at(25, [0xF8, 0, 0]),
        at(25, [0xB0, 0xFF, 0x80]), // data bytes masked to 7 bits
        at(25, [0x40, 1, 2]),
    ];
    let back = parse(&midi_bytes(&events, RATE));
    assert_eq!(
        back,
        [
            at(0, [0x90, 60, 100]),
            at(25, [0xB0, 0x7F, 0]),
            at(50, [0x80, 60, 0]),
        ]
    );
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("no such file.mid");
    let error = read_midi_file(&path, RATE).expect_err("missing");
    assert_one_line(&error);
    assert!(error.contains("no such file.mid"), "{error}");
}

#[test]
fn writing_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("missing").join("out.mid");
    let error = write_midi_file(&path, &round_trip_events(), RATE).expect_err("fails");
    assert_one_line(&error);
    assert!(error.contains("out.mid"), "{error}");
}

#[test]
fn truncated_files_are_errors() {
    let tempo_track = vec![tempo(0, 500_000), end()];
    let notes = vec![on(0, 0, 60, 100), off(480, 0, 60), end()];
    let bytes = smf_bytes(Format::Parallel, tpq(480), vec![tempo_track, notes]);
    assert!(parse_midi(&bytes, RATE).is_ok());
    for len in 0..bytes.len() {
        let error = parse_midi(&bytes[..len], RATE)
            .expect_err(&format!("{len} of {} bytes parsed", bytes.len()));
        assert_one_line(&error);
    }
    let error = parse_midi(&bytes[..bytes.len() - 3], RATE).expect_err("truncated");
    assert!(error.contains("truncated"), "{error}");
    // Padding after the last track is not truncation.
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0, 0, 0]);
    assert_eq!(parse_midi(&padded, RATE), parse_midi(&bytes, RATE));
}

#[test]
fn truncated_file_on_disk_names_the_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("cut.mid");
    let bytes = midi_bytes(&round_trip_events(), RATE);
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("writes");
    let error = read_midi_file(&path, RATE).expect_err("truncated");
    assert_one_line(&error);
    assert!(
        error.contains("cut.mid") && error.contains("truncated"),
        "{error}"
    );
}

/// A deterministic byte generator.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn random_bytes_are_an_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("noise.mid");
    std::fs::write(&path, noise(7, 1000)).expect("writes");
    let error = read_midi_file(&path, RATE).expect_err("not MIDI");
    assert_one_line(&error);
    assert!(error.contains("noise.mid"), "{error}");
    for seed in 0..50 {
        let error = parse_midi(&noise(seed, seed as usize * 13), RATE).expect_err("not MIDI");
        assert_one_line(&error);
    }
}

#[test]
fn random_bytes_after_a_valid_header_do_not_panic() {
    for seed in 0..300 {
        let mut bytes = b"MThd\0\0\0\x06\0\x01\0\x02\x01\xE0MTrk".to_vec();
        let body = noise(seed, 64 + seed as usize);
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(b"MTrk");
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&noise(seed + 1000, body.len()));
        if let Err(error) = parse_midi(&bytes, RATE) {
            assert_one_line(&error);
        }
        // Random bytes anywhere in a valid file.
        let mut file = midi_bytes(&round_trip_events(), RATE);
        for (i, b) in noise(seed + 2000, 8).into_iter().enumerate() {
            let at = (seed as usize * 7 + i * 11) % file.len();
            file[at] = b;
        }
        if let Err(error) = parse_midi(&file, RATE) {
            assert_one_line(&error);
        }
    }
}

#[test]
fn invalid_headers_and_rates_are_errors() {
    let track = vec![on(0, 0, 60, 100), end()];
    let zero_tpq = smf_bytes(Format::SingleTrack, tpq(0), vec![track.clone()]);
    let zero_tpf = smf_bytes(
        Format::SingleTrack,
        Timing::Timecode(Fps::Fps24, 0),
        vec![track.clone()],
    );
    let format_2 = smf_bytes(Format::Sequential, tpq(480), vec![track.clone()]);
    for bytes in [&zero_tpq, &zero_tpf, &format_2] {
        assert_one_line(&parse_midi(bytes, RATE).expect_err("invalid"));
    }
    let good = smf_bytes(Format::SingleTrack, tpq(480), vec![track]);
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_one_line(&parse_midi(&good, rate).expect_err("invalid rate"));
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let error = write_midi_file(&dir.path().join("x.mid"), &[], 0.0).expect_err("invalid rate");
    assert_one_line(&error);
}
