//! Standard MIDI Files: reading one into channel messages timed in sample frames, and
//! writing such messages back to a file.
//!
//! Reading honours the whole tempo map (every Set Tempo event, from any track), metrical
//! and SMPTE timing, and merges the tracks of a format 0 or 1 file into one list sorted
//! by frame. Meta and SysEx events are skipped. Writing produces a format 0 file at
//! 120 BPM and [`WRITE_TICKS_PER_QUARTER`] ticks per quarter note, so one tick is 1/1920 s.

use midly::num::{u14, u15, u24, u28, u4, u7};
use midly::{
    Format, Fps, Header, MetaMessage, MidiMessage, PitchBend, Smf, Timing, TrackEvent,
    TrackEventKind,
};
use std::path::Path;

/// Ticks per quarter note of the files [`write_midi_file`] writes.
pub const WRITE_TICKS_PER_QUARTER: u16 = 960;

/// The tempo of the files [`write_midi_file`] writes, in microseconds per quarter note
/// (120 BPM).
pub const WRITE_TEMPO: u32 = 500_000;

/// The tempo a file plays at until its first Set Tempo event (120 BPM).
const DEFAULT_TEMPO: u32 = 500_000;

/// Written ticks are capped here (about 25 days at 1920 ticks a second), which bounds the
/// filler events long gaps need.
const MAX_WRITE_TICK: u64 = u32::MAX as u64;

/// One channel message (note on/off, polyphonic pressure, control change, program change,
/// channel pressure, pitch bend) at an absolute sample frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimedMidi {
    /// Sample frame from the start of the file.
    pub frame: u64,
    /// The message: status byte, then data bytes; unused bytes are 0.
    pub bytes: [u8; 3],
    /// How many of `bytes` the message uses: 2 for program change and channel pressure,
    /// otherwise 3.
    pub len: u8,
}

impl TimedMidi {
    /// A message of one to three bytes at `frame`; bytes past the third are ignored.
    pub fn new(frame: u64, message: &[u8]) -> Self {
        let mut bytes = [0; 3];
        let len = message.len().min(3);
        bytes[..len].copy_from_slice(&message[..len]);
        Self {
            frame,
            bytes,
            len: len as u8,
        }
    }

    /// The used bytes of the message.
    pub fn message(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(3)]
    }
}

/// Reads a Standard MIDI File (format 0 or 1) into channel messages sorted by sample frame;
/// see [`parse_midi`].
pub fn read_midi_file(path: &Path, sample_rate: f64) -> Result<Vec<TimedMidi>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_midi(&bytes, sample_rate).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the bytes of a Standard MIDI File (format 0 or 1, any number of tracks) into
/// channel messages sorted by sample frame.
///
/// A message's frame is its time in seconds times `sample_rate`, rounded. Tracks are merged;
/// messages at the same frame keep their file order (earlier tracks first), except that a
/// note-off goes before a note-on of the same channel and key at that frame. A note-on with
/// velocity 0 becomes a note-off (`0x80 | channel`, key, 0). Meta and SysEx events are
/// skipped. Errors are one line of text.
pub fn parse_midi(bytes: &[u8], sample_rate: f64) -> Result<Vec<TimedMidi>, String> {
    check_sample_rate(sample_rate)?;
    check_complete(bytes)?;
    let smf = Smf::parse(bytes)
        .map_err(|e| format!("not a readable MIDI file ({})", e.kind().message()))?;
    if smf.header.format == Format::Sequential {
        return Err(
            "MIDI file format 2 (independent sequences) is not supported, only formats 0 and 1"
                .to_string(),
        );
    }
    let clock = Clock::new(smf.header.timing, &smf.tracks)?;
    let mut events = Vec::new();
    for track in &smf.tracks {
        let mut tick = 0u64;
        for event in track {
            tick += u64::from(event.delta.as_int());
            if let TrackEventKind::Midi { channel, message } = event.kind {
                let (bytes, len) = message_bytes(channel, message);
                let frame = clock.frame(tick, sample_rate);
                events.push(TimedMidi { frame, bytes, len });
            }
        }
    }
    // Stable: the same frame keeps file order.
    events.sort_by_key(|e| e.frame);
    note_offs_first(&mut events);
    Ok(events)
}

/// Writes `events` as a format 0 Standard MIDI File at 120 BPM with
/// [`WRITE_TICKS_PER_QUARTER`] ticks per quarter note; see [`midi_bytes`].
pub fn write_midi_file(path: &Path, events: &[TimedMidi], sample_rate: f64) -> Result<(), String> {
    check_sample_rate(sample_rate)?;
    let bytes = encode(events, sample_rate)?;
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The bytes of a format 0 Standard MIDI File holding `events`: 120 BPM,
/// [`WRITE_TICKS_PER_QUARTER`] ticks per quarter note (1 tick = 1/1920 s), frames rounded to
/// the nearest tick, events sorted by frame (stable), an End of Track at the last event.
///
/// The status byte decides a message's length; data bytes are masked to 7 bits and events
/// whose status is not a channel message (`0x80..=0xEF`) are left out. With a sample rate
/// that is not a positive finite number every event lands on tick 0.
pub fn midi_bytes(events: &[TimedMidi], sample_rate: f64) -> Vec<u8> {
    // Encoding into memory only fails past the format's limits (a track of 4 GiB), which
    // capped ticks and in-memory events do not reach.
    encode(events, sample_rate).unwrap_or_default()
}

fn check_sample_rate(sample_rate: f64) -> Result<(), String> {
    if sample_rate.is_finite() && sample_rate > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "invalid sample rate {sample_rate}: it must be a positive number"
        ))
    }
}

/// Reports a file cut short, which the lenient parser would otherwise read silently as
/// fewer or shorter tracks: a track chunk running past the end of the data, or fewer
/// track chunks than the header declares. Bytes that do not start with a header (a RIFF
/// wrapper, not MIDI at all) are left to the parser.
fn check_complete(bytes: &[u8]) -> Result<(), String> {
    if bytes.get(..4) != Some(b"MThd") {
        return Ok(());
    }
    let mut rest = bytes;
    let mut declared = None;
    let mut tracks = 0usize;
    while rest.len() >= 8 {
        let id = &rest[..4];
        let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let body = &rest[8..];
        if body.len() < len {
            if id == b"MThd" || id == b"MTrk" {
                let kind = if id == b"MThd" { "header" } else { "track" };
                return Err(format!(
                    "the MIDI file is truncated: a {kind} chunk of {len} bytes has only {} left",
                    body.len()
                ));
            }
            // An unknown chunk at the end, possibly padding: ignored, as the parser does.
            break;
        }
        if id == b"MThd" && declared.is_none() && len >= 4 {
            declared = Some(u16::from_be_bytes([body[2], body[3]]));
        } else if id == b"MTrk" {
            tracks += 1;
        }
        rest = &body[len..];
    }
    match declared {
        Some(declared) if tracks < usize::from(declared) => Err(format!(
            "the MIDI file is truncated: its header declares {declared} tracks, it holds {tracks}"
        )),
        _ => Ok(()),
    }
}

/// A channel message as bytes and length; a note-on with velocity 0 becomes a note-off.
fn message_bytes(channel: u4, message: MidiMessage) -> ([u8; 3], u8) {
    let ch = channel.as_int();
    match message {
        MidiMessage::NoteOff { key, vel } => ([0x80 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::NoteOn { key, vel } if vel.as_int() == 0 => ([0x80 | ch, key.as_int(), 0], 3),
        MidiMessage::NoteOn { key, vel } => ([0x90 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::Aftertouch { key, vel } => ([0xA0 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::Controller { controller, value } => {
            ([0xB0 | ch, controller.as_int(), value.as_int()], 3)
        }
        MidiMessage::ProgramChange { program } => ([0xC0 | ch, program.as_int(), 0], 2),
        MidiMessage::ChannelAftertouch { vel } => ([0xD0 | ch, vel.as_int(), 0], 2),
        MidiMessage::PitchBend { bend } => {
            let value = bend.0.as_int();
            ([0xE0 | ch, (value & 0x7F) as u8, (value >> 7) as u8], 3)
        }
    }
}

/// The midly form of a message, or `None` if its status is not a channel message.
fn channel_message(bytes: [u8; 3]) -> Option<(u4, MidiMessage)> {
    let channel = u4::new(bytes[0] & 0x0F);
    let (a, b) = (u7::new(bytes[1]), u7::new(bytes[2]));
    let message = match bytes[0] >> 4 {
        0x8 => MidiMessage::NoteOff { key: a, vel: b },
        0x9 => MidiMessage::NoteOn { key: a, vel: b },
        0xA => MidiMessage::Aftertouch { key: a, vel: b },
        0xB => MidiMessage::Controller {
            controller: a,
            value: b,
        },
        0xC => MidiMessage::ProgramChange { program: a },
        0xD => MidiMessage::ChannelAftertouch { vel: a },
        0xE => MidiMessage::PitchBend {
            bend: PitchBend(u14::new(u16::from(a.as_int()) | u16::from(b.as_int()) << 7)),
        },
        _ => return None,
    };
    Some((channel, message))
}

/// Within each frame, moves every note-off before the first note-on of the same channel and
/// key at that frame; everything else keeps its order. `events` must be sorted by frame.
fn note_offs_first(events: &mut Vec<TimedMidi>) {
    // For each channel and key, the first note-on in the current frame: (frame, index).
    let mut first_on: Vec<Option<(u64, usize)>> = vec![None; 16 * 128];
    // Sort keys: (index to sit at, 0 = before the event there / 1 = the event itself, index).
    let mut keys = Vec::with_capacity(events.len());
    let mut moved = false;
    for (i, event) in events.iter().enumerate() {
        let slot = usize::from(event.bytes[0] & 0x0F) * 128 + usize::from(event.bytes[1] & 0x7F);
        let key = match event.bytes[0] & 0xF0 {
            0x90 => {
                if !matches!(first_on[slot], Some((frame, _)) if frame == event.frame) {
                    first_on[slot] = Some((event.frame, i));
                }
                (i, 1, i)
            }
            0x80 => match first_on[slot] {
                Some((frame, on)) if frame == event.frame => {
                    moved = true;
                    (on, 0, i)
                }
                _ => (i, 1, i),
            },
            _ => (i, 1, i),
        };
        keys.push(key);
    }
    if !moved {
        return;
    }
    // The index a key points to is in the same frame, so frames stay sorted.
    keys.sort_unstable();
    let sorted = keys.iter().map(|&(_, _, i)| events[i]).collect();
    *events = sorted;
}

/// Converts ticks to time: a tempo map for metrical timing, a fixed rate for SMPTE.
#[derive(Debug)]
enum Clock {
    Metrical {
        ticks_per_quarter: u64,
        /// Tempo segments sorted by tick, the first at tick 0.
        segments: Vec<Segment>,
    },
    Timecode {
        ticks_per_second: f64,
    },
}

/// A stretch of the tempo map from `tick` on.
#[derive(Clone, Copy, Debug)]
struct Segment {
    tick: u64,
    /// The time at `tick`, in microseconds times ticks per quarter note (exact).
    time: u128,
    /// Microseconds per quarter note.
    tempo: u32,
}

impl Clock {
    fn new(timing: Timing, tracks: &[Vec<TrackEvent>]) -> Result<Self, String> {
        match timing {
            Timing::Metrical(ticks) => {
                let ticks_per_quarter = u64::from(ticks.as_int());
                if ticks_per_quarter == 0 {
                    return Err("invalid MIDI file: 0 ticks per quarter note".to_string());
                }
                Ok(Self::Metrical {
                    ticks_per_quarter,
                    segments: tempo_map(tracks),
                })
            }
            Timing::Timecode(fps, ticks_per_frame) => {
                if ticks_per_frame == 0 {
                    return Err("invalid MIDI file: 0 ticks per SMPTE frame".to_string());
                }
                let fps = match fps {
                    Fps::Fps24 => 24.0,
                    Fps::Fps25 => 25.0,
                    Fps::Fps29 => 30.0 / 1.001,
                    Fps::Fps30 => 30.0,
                };
                Ok(Self::Timecode {
                    ticks_per_second: fps * f64::from(ticks_per_frame),
                })
            }
        }
    }

    /// The time of `tick` as a fraction: (numerator, denominator) in seconds.
    fn time(&self, tick: u64) -> (f64, f64) {
        match self {
            Self::Metrical {
                ticks_per_quarter,
                segments,
            } => {
                let at = segments.partition_point(|s| s.tick <= tick).max(1) - 1;
                let Segment {
                    tick: start,
                    time,
                    tempo,
                } = segments[at];
                let time = time + u128::from(tick - start) * u128::from(tempo);
                (time as f64, *ticks_per_quarter as f64 * 1e6)
            }
            Self::Timecode { ticks_per_second } => (tick as f64, *ticks_per_second),
        }
    }

    /// The time of `tick` in seconds.
    #[cfg(test)]
    fn seconds(&self, tick: u64) -> f64 {
        let (numerator, denominator) = self.time(tick);
        numerator / denominator
    }

    /// The sample frame of `tick`, rounded.
    fn frame(&self, tick: u64, sample_rate: f64) -> u64 {
        let (numerator, denominator) = self.time(tick);
        // Multiplying first keeps whole results exact.
        (numerator * sample_rate / denominator).round() as u64
    }
}

/// The tempo segments of all tracks' Set Tempo events; of several at one tick the last in
/// file order (tracks in order) wins.
fn tempo_map(tracks: &[Vec<TrackEvent>]) -> Vec<Segment> {
    let mut changes = Vec::new();
    for track in tracks {
        let mut tick = 0u64;
        for event in track {
            tick += u64::from(event.delta.as_int());
            if let TrackEventKind::Meta(MetaMessage::Tempo(tempo)) = event.kind {
                changes.push((tick, tempo.as_int()));
            }
        }
    }
    changes.sort_by_key(|&(tick, _)| tick);
    let mut segments = vec![Segment {
        tick: 0,
        time: 0,
        tempo: DEFAULT_TEMPO,
    }];
    for (tick, tempo) in changes {
        let Some(last) = segments.last_mut() else {
            continue;
        };
        if last.tick == tick {
            last.tempo = tempo;
        } else {
            let time = last.time + u128::from(tick - last.tick) * u128::from(last.tempo);
            segments.push(Segment { tick, time, tempo });
        }
    }
    segments
}

/// The written tick of a frame, rounded and capped.
fn frame_to_tick(frame: u64, sample_rate: f64) -> u64 {
    if !(sample_rate.is_finite() && sample_rate > 0.0) {
        return 0;
    }
    let ticks_per_second = f64::from(WRITE_TICKS_PER_QUARTER) * 1e6 / f64::from(WRITE_TEMPO);
    let tick = (frame as f64 * ticks_per_second / sample_rate).round();
    (tick as u64).min(MAX_WRITE_TICK)
}

fn encode(events: &[TimedMidi], sample_rate: f64) -> Result<Vec<u8>, String> {
    let mut timed: Vec<(u64, u4, MidiMessage)> = events
        .iter()
        .filter_map(|e| {
            let (channel, message) = channel_message(e.bytes)?;
            Some((frame_to_tick(e.frame, sample_rate), channel, message))
        })
        .collect();
    timed.sort_by_key(|&(tick, _, _)| tick);
    let mut track = Vec::with_capacity(timed.len() + 2);
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::Tempo(u24::new(WRITE_TEMPO))),
    });
    let max_delta = u64::from(u28::max_value().as_int());
    let mut last = 0u64;
    for (tick, channel, message) in timed {
        let mut delta = tick - last;
        // A gap longer than one delta can hold is bridged by empty text events.
        while delta > max_delta {
            track.push(TrackEvent {
                delta: u28::max_value(),
                kind: TrackEventKind::Meta(MetaMessage::Text(b"")),
            });
            delta -= max_delta;
        }
        track.push(TrackEvent {
            delta: u28::new(delta as u32),
            kind: TrackEventKind::Midi { channel, message },
        });
        last = tick;
    }
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    let smf = Smf {
        header: Header::new(
            Format::SingleTrack,
            Timing::Metrical(u15::new(WRITE_TICKS_PER_QUARTER)),
        ),
        tracks: vec![track],
    };
    let mut out = Vec::new();
    smf.write_std(&mut out)
        .map_err(|e| format!("cannot encode the MIDI file: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempo(delta: u32, micros: u32) -> TrackEvent<'static> {
        TrackEvent {
            delta: u28::new(delta),
            kind: TrackEventKind::Meta(MetaMessage::Tempo(u24::new(micros))),
        }
    }

    fn text(delta: u32) -> TrackEvent<'static> {
        TrackEvent {
            delta: u28::new(delta),
            kind: TrackEventKind::Meta(MetaMessage::Text(b"x")),
        }
    }

    fn metrical(tpq: u16, tracks: &[Vec<TrackEvent>]) -> Clock {
        Clock::new(Timing::Metrical(u15::new(tpq)), tracks).expect("valid timing")
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-12,
            "{actual} is not {expected}"
        );
    }

    #[test]
    fn default_tempo_is_120_bpm() {
        let clock = metrical(480, &[]);
        assert_close(clock.seconds(0), 0.0);
        assert_close(clock.seconds(480), 0.5);
        assert_close(clock.seconds(4800), 5.0);
        assert_eq!(clock.frame(480, 48_000.0), 24_000);
    }

    #[test]
    fn tempo_changes_apply_from_their_tick() {
        // 120 BPM, 60 BPM at tick 960, 240 BPM at tick 1920.
        let track = vec![
            tempo(0, 500_000),
            tempo(960, 1_000_000),
            tempo(960, 250_000),
        ];
        let clock = metrical(480, &[track]);
        assert_close(clock.seconds(480), 0.5);
        assert_close(clock.seconds(960), 1.0);
        assert_close(clock.seconds(1440), 2.0);
        assert_close(clock.seconds(1920), 3.0);
        assert_close(clock.seconds(2400), 3.25);
        assert_eq!(clock.frame(2400, 48_000.0), 156_000);
        assert_eq!(clock.frame(2400, 44_100.0), 143_325);
    }

    #[test]
    fn tempo_changes_from_any_track_merge_in_tick_order() {
        let conductor = vec![text(0), tempo(960, 1_000_000)];
        let other = vec![tempo(480, 250_000)];
        let clock = metrical(480, &[conductor, other]);
        // 480 ticks at 120 BPM, 480 at 240 BPM, then 60 BPM.
        assert_close(clock.seconds(480), 0.5);
        assert_close(clock.seconds(960), 0.75);
        assert_close(clock.seconds(1440), 1.75);
    }

    #[test]
    fn the_last_tempo_at_one_tick_wins() {
        let first = vec![tempo(0, 250_000), tempo(0, 2_000_000)];
        let second = vec![tempo(0, 1_000_000)];
        let clock = metrical(100, &[first, second]);
        assert_close(clock.seconds(100), 1.0);
        let clock = metrical(100, &[vec![tempo(50, 250_000), tempo(0, 2_000_000)]]);
        assert_close(clock.seconds(50), 0.25);
        assert_close(clock.seconds(100), 1.25);
    }

    #[test]
    fn smpte_timing_ignores_tempo() {
        let tracks = [vec![tempo(0, 1_000_000)]];
        let clock = Clock::new(Timing::Timecode(Fps::Fps25, 40), &tracks).expect("valid");
        assert_close(clock.seconds(500), 0.5);
        let clock = Clock::new(Timing::Timecode(Fps::Fps29, 100), &tracks).expect("valid");
        assert_close(clock.seconds(3000), 1.001);
        assert_eq!(clock.frame(3000, 48_000.0), 48_048);
    }

    #[test]
    fn zero_ticks_is_an_error() {
        assert!(Clock::new(Timing::Metrical(u15::new(0)), &[]).is_err());
        assert!(Clock::new(Timing::Timecode(Fps::Fps24, 0), &[]).is_err());
    }

    #[test]
    fn frames_to_written_ticks() {
        assert_eq!(frame_to_tick(25, 48_000.0), 1);
        assert_eq!(frame_to_tick(48_000, 48_000.0), 1920);
        assert_eq!(frame_to_tick(12, 48_000.0), 0);
        assert_eq!(frame_to_tick(13, 48_000.0), 1);
        assert_eq!(frame_to_tick(u64::MAX, 48_000.0), MAX_WRITE_TICK);
        assert_eq!(frame_to_tick(100, f64::NAN), 0);
    }

    #[test]
    fn note_offs_move_only_before_their_own_note_ons() {
        let at = |frame, bytes: [u8; 3]| TimedMidi {
            frame,
            bytes,
            len: 3,
        };
        let mut events = vec![
            at(0, [0x90, 60, 100]),
            at(5, [0x90, 60, 100]),
            at(5, [0xB0, 64, 127]),
            at(5, [0x80, 62, 0]),
            at(5, [0x80, 60, 0]),
            at(5, [0x91, 60, 0x50]),
            at(5, [0x81, 60, 0]),
            at(5, [0x80, 60, 1]),
            at(9, [0x80, 60, 0]),
        ];
        note_offs_first(&mut events);
        let order: Vec<[u8; 3]> = events.iter().map(|e| e.bytes).collect();
        assert_eq!(
            order,
            [
                [0x90, 60, 100],
                [0x80, 60, 0],
                [0x80, 60, 1],
                [0x90, 60, 100],
                [0xB0, 64, 127],
                [0x80, 62, 0],
                [0x81, 60, 0],
                [0x91, 60, 0x50],
                [0x80, 60, 0],
            ]
        );
    }
}
