//! Host MIDI → Csound, in the two modes of the design.
//!
//! **Score mode**: a note-on on MIDI channel `c` (0-based), key `k`, velocity `v`
//! becomes `i <instr>.<id> 0 -1 k v c+1 Hz`: a held note whose fractional instrument
//! number names this one note, so its note-off (the negative of that number) ends exactly
//! it, and a release segment (`xtratim`, `release`, `madsr`) still plays. Repeated and
//! overlapping notes of one key get distinct ids and end first-on, first-off. The sustain
//! pedal holds note-offs; all-notes-off, all-sound-off and transport stop end every note.
//! Controllers land in named channels (see [`MidiChannels`]).
//!
//! **Native mode**: the raw bytes go to Csound's own MIDI system (`massign`, `cpsmidi`,
//! `midictrl`…) through the host-implemented MIDI read callback, one k-cycle at a time.

use crate::csound::{ChannelId, ChannelMode, Csound};
use csound_plug_patch::facts;

/// One MIDI channel message at a frame offset inside a host block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MidiEvent {
    /// Note on; velocity 1..=127.
    On {
        /// Frame offset in the host block.
        offset: u32,
        /// MIDI channel, 0..=15.
        channel: u8,
        /// MIDI key, 0..=127.
        key: u8,
        /// MIDI velocity, 1..=127.
        velocity: u8,
    },
    /// Note off.
    Off {
        /// Frame offset in the host block.
        offset: u32,
        /// MIDI channel, 0..=15.
        channel: u8,
        /// MIDI key, 0..=127.
        key: u8,
    },
    /// Any other channel message (controller, pitch bend, pressure, program), as bytes.
    Message {
        /// Frame offset in the host block.
        offset: u32,
        /// Status and data bytes (unused bytes 0).
        bytes: [u8; 3],
    },
}

impl MidiEvent {
    /// The event's frame offset in its host block.
    pub fn offset(&self) -> u32 {
        match *self {
            Self::On { offset, .. } | Self::Off { offset, .. } | Self::Message { offset, .. } => {
                offset
            }
        }
    }

    /// A channel message from raw bytes (note-on with velocity 0 is a note-off).
    pub fn from_bytes(offset: u32, bytes: &[u8]) -> Option<Self> {
        let status = *bytes.first()?;
        let data = |i: usize| bytes.get(i).copied().unwrap_or(0) & 0x7f;
        let channel = status & 0x0f;
        match status & 0xf0 {
            0x90 if data(2) > 0 => Some(Self::On {
                offset,
                channel,
                key: data(1),
                velocity: data(2),
            }),
            0x80 | 0x90 => Some(Self::Off {
                offset,
                channel,
                key: data(1),
            }),
            0xa0 | 0xb0 | 0xc0 | 0xd0 | 0xe0 => Some(Self::Message {
                offset,
                bytes: [status, data(1), data(2)],
            }),
            _ => None,
        }
    }

    /// The event as MIDI bytes and their count.
    pub fn to_bytes(&self) -> ([u8; 3], usize) {
        match *self {
            Self::On {
                channel,
                key,
                velocity,
                ..
            } => ([0x90 | channel, key, velocity], 3),
            Self::Off { channel, key, .. } => ([0x80 | channel, key, 0], 3),
            Self::Message { bytes, .. } => {
                let len = if matches!(bytes[0] & 0xf0, 0xc0 | 0xd0) {
                    2
                } else {
                    3
                };
                (bytes, len)
            }
        }
    }
}

/// Controller number of the sustain pedal.
const SUSTAIN: u8 = 64;
/// All sound off.
const ALL_SOUND_OFF: u8 = 120;
/// All notes off.
const ALL_NOTES_OFF: u8 = 123;
/// Overlapping notes of one key that can sound at once; more end the oldest.
const VOICES_PER_KEY: usize = 4;
/// Distinct ids cycled per key (so a re-struck key's new note never reuses the id of a
/// note still releasing).
const IDS_PER_KEY: u32 = 48;

/// Score-mode note bookkeeping: which notes of each key sound, and which wait for the
/// sustain pedal. Fixed-size: nothing here allocates after construction.
pub struct ScoreNotes {
    /// Active voice ids per channel·key, oldest first.
    active: Vec<[u16; VOICES_PER_KEY]>,
    counts: Vec<u8>,
    /// Note-offs held back by the pedal, per channel·key.
    held_offs: Vec<u8>,
    next_id: Vec<u8>,
    sustain: [bool; 16],
    /// Instrument for notes of each MIDI channel.
    instruments: [u32; 16],
    /// How many p-fields the target instrument reads (5, 6 or 7), so Csound does not
    /// warn about each note.
    pfields: usize,
    a4: f64,
}

/// What a score-mode event asks of Csound.
pub enum ScoreAction {
    /// Send a score event with these p-fields (the first `len` are used).
    Event([f64; 7], usize),
    /// Set a channel to a value.
    Channel(MidiChannel, f64),
}

impl ScoreNotes {
    /// The instrument notes of each MIDI channel play.
    pub fn instruments(&self) -> [u32; 16] {
        self.instruments
    }

    /// Notes go to `instruments[channel]`; `pfields` as read by that instrument; `a4`
    /// tunes p7.
    pub fn new(instruments: [u32; 16], pfields: usize, a4: f64) -> Self {
        Self {
            active: vec![[0; VOICES_PER_KEY]; 2048],
            counts: vec![0; 2048],
            held_offs: vec![0; 2048],
            next_id: vec![0; 2048],
            sustain: [false; 16],
            instruments,
            pfields: pfields.clamp(3, 7),
            a4,
        }
    }

    fn p1(&self, channel: u8, id: u16) -> f64 {
        let instr = self.instruments[usize::from(channel & 15)].max(1);
        f64::from(instr) + f64::from(id) / 100_000.0
    }

    fn start(&mut self, channel: u8, key: u8, velocity: u8, act: &mut impl FnMut(ScoreAction)) {
        let k = usize::from(channel & 15) * 128 + usize::from(key & 127);
        if usize::from(self.counts[k]) == VOICES_PER_KEY {
            self.end_oldest(channel, key, act);
        }
        let slot = u32::from(self.next_id[k]);
        self.next_id[k] = ((slot + 1) % IDS_PER_KEY) as u8;
        // Unique per channel, key and slot; below 100000 so p1 keeps its integer part.
        let id = (slot * 2048 + k as u32 + 1) as u16;
        let count = usize::from(self.counts[k]);
        self.active[k][count] = id;
        self.counts[k] += 1;
        let hz = self.a4 * 2f64.powf((f64::from(key) - 69.0) / 12.0);
        let p = [
            self.p1(channel, id),
            0.0,
            -1.0,
            f64::from(key),
            f64::from(velocity),
            f64::from(channel) + 1.0,
            hz,
        ];
        act(ScoreAction::Event(p, self.pfields));
    }

    fn end_oldest(&mut self, channel: u8, key: u8, act: &mut impl FnMut(ScoreAction)) {
        let k = usize::from(channel & 15) * 128 + usize::from(key & 127);
        if self.counts[k] == 0 {
            return;
        }
        let id = self.active[k][0];
        self.active[k].copy_within(1.., 0);
        self.counts[k] -= 1;
        let mut p = [0.0; 7];
        p[0] = -self.p1(channel, id);
        act(ScoreAction::Event(p, 3));
    }

    /// Ends every note of `channel`, held by the pedal or not.
    fn end_all(&mut self, channel: u8, act: &mut impl FnMut(ScoreAction)) {
        for key in 0..128u8 {
            let k = usize::from(channel & 15) * 128 + usize::from(key);
            self.held_offs[k] = 0;
            while self.counts[k] > 0 {
                self.end_oldest(channel, key, act);
            }
        }
    }

    /// Ends every note on every channel (transport stop, panic).
    pub fn end_everything(&mut self, act: &mut impl FnMut(ScoreAction)) {
        for channel in 0..16 {
            self.end_all(channel, act);
            self.sustain[usize::from(channel)] = false;
        }
    }

    /// Handles one event. Real-time safe.
    pub fn handle(&mut self, event: &MidiEvent, act: &mut impl FnMut(ScoreAction)) {
        match *event {
            MidiEvent::On {
                channel,
                key,
                velocity,
                ..
            } => self.start(channel, key, velocity, act),
            MidiEvent::Off { channel, key, .. } => {
                let k = usize::from(channel & 15) * 128 + usize::from(key & 127);
                if self.sustain[usize::from(channel & 15)] {
                    if self.held_offs[k] < self.counts[k] {
                        self.held_offs[k] += 1;
                    }
                } else {
                    self.end_oldest(channel, key, act);
                }
            }
            MidiEvent::Message { bytes, .. } => {
                let channel = bytes[0] & 0x0f;
                match (bytes[0] & 0xf0, bytes[1]) {
                    (0xb0, SUSTAIN) => {
                        let down = bytes[2] >= 64;
                        let was = std::mem::replace(&mut self.sustain[usize::from(channel)], down);
                        if was && !down {
                            for key in 0..128u8 {
                                let k = usize::from(channel) * 128 + usize::from(key);
                                for _ in 0..std::mem::take(&mut self.held_offs[k]) {
                                    self.end_oldest(channel, key, act);
                                }
                            }
                        }
                    }
                    (0xb0, ALL_SOUND_OFF | ALL_NOTES_OFF) => self.end_all(channel, act),
                    _ => {}
                }
                for (name, value) in controller_values(&bytes) {
                    act(ScoreAction::Channel(name.with_channel(None), value));
                    act(ScoreAction::Channel(
                        name.with_channel(Some(channel)),
                        value,
                    ));
                }
            }
        }
    }
}

/// A controller channel: `CC<n>`, `PITCHBEND`, `AFTERTOUCH`, `POLYAFTERTOUCH<key>` or
/// `PROGRAM`, omni or for one MIDI channel (`CC74.3` for channel 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MidiChannel {
    kind: ChannelKind,
    /// MIDI channel 0..=15, or `None` for the omni form.
    channel: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChannelKind {
    Cc(u8),
    Cc14(u8),
    PitchBend,
    Aftertouch,
    PolyAftertouch(u8),
    Program,
}

impl MidiChannel {
    fn with_channel(self, channel: Option<u8>) -> Self {
        Self { channel, ..self }
    }

    fn index(&self) -> usize {
        let kind = match self.kind {
            ChannelKind::Cc(n) => usize::from(n),
            ChannelKind::Cc14(n) => 128 + usize::from(n),
            ChannelKind::PitchBend => 160,
            ChannelKind::Aftertouch => 161,
            ChannelKind::Program => 162,
            ChannelKind::PolyAftertouch(k) => 163 + usize::from(k),
        };
        kind * 17 + self.channel.map_or(0, |c| usize::from(c) + 1)
    }

    /// The Csound channel name.
    pub fn name(&self) -> String {
        let base = match self.kind {
            ChannelKind::Cc(n) => format!("CC{n}"),
            ChannelKind::Cc14(n) => format!("CC{n}_14BIT"),
            ChannelKind::PitchBend => "PITCHBEND".into(),
            ChannelKind::Aftertouch => "AFTERTOUCH".into(),
            ChannelKind::Program => "PROGRAM".into(),
            ChannelKind::PolyAftertouch(k) => format!("POLYAFTERTOUCH{k}"),
        };
        match self.channel {
            Some(c) => format!("{base}.{}", c + 1),
            None => base,
        }
    }

    /// Every controller channel, omni and per MIDI channel (poly aftertouch omni only).
    fn all() -> impl Iterator<Item = MidiChannel> {
        let kinds = (0..128)
            .map(ChannelKind::Cc)
            .chain((0..32).map(ChannelKind::Cc14))
            .chain([
                ChannelKind::PitchBend,
                ChannelKind::Aftertouch,
                ChannelKind::Program,
            ]);
        kinds
            .flat_map(|kind| {
                std::iter::once(None)
                    .chain((0..16).map(Some))
                    .map(move |channel| MidiChannel { kind, channel })
            })
            .chain((0..128).map(|k| MidiChannel {
                kind: ChannelKind::PolyAftertouch(k),
                channel: None,
            }))
    }

    /// Value before any MIDI arrives: volume 100, expression 127, pan and balance 64,
    /// bend centred, the rest 0.
    fn initial(&self) -> f64 {
        match self.kind {
            ChannelKind::Cc(7) => 100.0,
            ChannelKind::Cc(11) => 127.0,
            ChannelKind::Cc(8) | ChannelKind::Cc(10) => 64.0,
            ChannelKind::Cc14(7) => 100.0 * 128.0,
            ChannelKind::Cc14(11) => 127.0 * 128.0,
            ChannelKind::Cc14(8) | ChannelKind::Cc14(10) => 64.0 * 128.0,
            _ => 0.0,
        }
    }
}

/// Channel values a controller message sets: CC n → `CC<n>` (0..127) and, for n < 64,
/// the 14-bit pair `CC<m>_14BIT` (MSB m = n or n−32, 0..16383); pitch bend → `PITCHBEND`
/// (−1..1); pressure → `AFTERTOUCH` (0..127); poly pressure → `POLYAFTERTOUCH<key>`;
/// program change → `PROGRAM`. The 14-bit value needs the other half, so it is given
/// with the current MSB/LSB (the caller keeps them in its channels).
fn controller_values(bytes: &[u8; 3]) -> impl Iterator<Item = (MidiChannel, f64)> {
    let omni = |kind| MidiChannel {
        kind,
        channel: None,
    };
    let (d1, d2) = (bytes[1], bytes[2]);
    let values: [Option<(MidiChannel, f64)>; 1] = [match bytes[0] & 0xf0 {
        0xb0 => Some((omni(ChannelKind::Cc(d1)), f64::from(d2))),
        0xe0 => {
            let raw = i32::from(d2) * 128 + i32::from(d1) - 8192;
            Some((omni(ChannelKind::PitchBend), f64::from(raw) / 8192.0))
        }
        0xd0 => Some((omni(ChannelKind::Aftertouch), f64::from(d1))),
        0xa0 => Some((omni(ChannelKind::PolyAftertouch(d1)), f64::from(d2))),
        0xc0 => Some((omni(ChannelKind::Program), f64::from(d1))),
        _ => None,
    }];
    values.into_iter().flatten()
}

/// Cached pointers to every controller channel of one instance, created at compile.
pub struct MidiChannels {
    ids: Vec<Option<ChannelId>>,
    /// Last 7-bit value of CC 0–63, omni then per MIDI channel, for the 14-bit pairs.
    raw: [[u8; 64]; 17],
}

impl MidiChannels {
    /// Creates, at their initial values, the controller channels whose names `code`
    /// spells out as strings (`chnget "CC74"`): all of them would be some 5000 channels
    /// per instance, several times the compile time and memory of a small patch. Not for
    /// the audio thread.
    pub fn new(csound: &mut Csound, code: &str) -> Self {
        let named: std::collections::HashSet<String> =
            facts::string_literals(code).into_iter().collect();
        let mut ids = vec![None; (163 + 128) * 17];
        for channel in MidiChannel::all() {
            let name = channel.name();
            if !named.contains(&name) {
                continue;
            }
            if let Ok(id) = csound.control_channel(&name, ChannelMode::Input) {
                csound.set_control(id, channel.initial());
                ids[channel.index()] = Some(id);
            }
        }
        let mut first = [0u8; 64];
        for n in 0..64u8 {
            first[usize::from(n)] = MidiChannel {
                kind: ChannelKind::Cc(n),
                channel: None,
            }
            .initial() as u8;
        }
        Self {
            ids,
            raw: [first; 17],
        }
    }

    /// Writes a controller value, keeping 14-bit pairs up to date. Real-time safe.
    pub fn set(&mut self, csound: &mut Csound, channel: MidiChannel, value: f64) {
        if let Some(Some(id)) = self.ids.get(channel.index()).copied() {
            csound.set_control(id, value);
        }
        let ChannelKind::Cc(n) = channel.kind else {
            return;
        };
        if n >= 64 {
            return;
        }
        // The 14-bit pair from the last MSB (0–31) and LSB (32–63) seen.
        let raw = &mut self.raw[channel.channel.map_or(0, |c| usize::from(c) + 1)];
        raw[usize::from(n)] = value as u8;
        let msb = n % 32;
        let combined =
            f64::from(raw[usize::from(msb)]) * 128.0 + f64::from(raw[usize::from(msb) + 32]);
        let wide = MidiChannel {
            kind: ChannelKind::Cc14(msb),
            ..channel
        };
        if let Some(Some(id)) = self.ids.get(wide.index()).copied() {
            csound.set_control(id, combined);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(notes: &mut ScoreNotes, events: &[MidiEvent]) -> Vec<[f64; 7]> {
        let mut out = Vec::new();
        for e in events {
            notes.handle(e, &mut |a| {
                if let ScoreAction::Event(p, _) = a {
                    out.push(p);
                }
            });
        }
        out
    }

    fn on(key: u8) -> MidiEvent {
        MidiEvent::On {
            offset: 0,
            channel: 2,
            key,
            velocity: 100,
        }
    }

    fn off(key: u8) -> MidiEvent {
        MidiEvent::Off {
            offset: 0,
            channel: 2,
            key,
        }
    }

    fn cc(n: u8, v: u8) -> MidiEvent {
        MidiEvent::Message {
            offset: 0,
            bytes: [0xb2, n, v],
        }
    }

    #[test]
    fn overlapping_notes_of_one_key_end_first_on_first_off() {
        let mut notes = ScoreNotes::new([1; 16], 7, 440.0);
        let p = collect(&mut notes, &[on(60), on(60), off(60), off(60)]);
        assert_eq!(p.len(), 4);
        assert_ne!(p[0][0], p[1][0], "each note has its own id");
        assert_eq!(p[2][0], -p[0][0]);
        assert_eq!(p[3][0], -p[1][0]);
        assert_eq!(
            &p[0][2..],
            &[-1.0, 60.0, 100.0, 3.0, 440.0 * 2f64.powf(-9.0 / 12.0)]
        );
        assert!(p[0][0] > 1.0 && p[0][0] < 2.0);
    }

    #[test]
    fn the_sustain_pedal_holds_note_offs() {
        let mut notes = ScoreNotes::new([1; 16], 6, 440.0);
        let p = collect(&mut notes, &[on(60), cc(64, 127), off(60), on(64), off(64)]);
        assert_eq!(p.len(), 2, "only the two note-ons while the pedal is down");
        let p = collect(&mut notes, &[cc(64, 0)]);
        assert_eq!(p.len(), 2, "both notes end when the pedal lifts");
        assert!(p.iter().all(|e| e[0] < 0.0));
        assert!(collect(&mut notes, &[cc(64, 0)]).is_empty());
    }

    #[test]
    fn all_notes_off_ends_everything_on_the_channel() {
        let mut notes = ScoreNotes::new([1; 16], 5, 440.0);
        let p = collect(&mut notes, &[on(60), on(61), on(61), cc(123, 0)]);
        assert_eq!(p.iter().filter(|e| e[0] < 0.0).count(), 3);
        assert!(
            collect(&mut notes, &[off(60), off(61)]).is_empty(),
            "nothing left to end"
        );
    }

    #[test]
    fn controllers_name_their_channels() {
        let bend = controller_values(&[0xe0, 0, 0x40]).next().unwrap();
        assert_eq!((bend.0.name(), bend.1), ("PITCHBEND".to_string(), 0.0));
        let up = controller_values(&[0xe3, 0x7f, 0x7f]).next().unwrap();
        assert!((up.1 - 8191.0 / 8192.0).abs() < 1e-12);
        assert_eq!(up.0.with_channel(Some(3)).name(), "PITCHBEND.4");
        let (cc, v) = controller_values(&[0xb0, 74, 99]).next().unwrap();
        assert_eq!((cc.name(), v), ("CC74".to_string(), 99.0));
        let all: Vec<_> = MidiChannel::all().collect();
        let mut indices: Vec<_> = all.iter().map(MidiChannel::index).collect();
        indices.sort_unstable();
        indices.dedup();
        assert_eq!(indices.len(), all.len(), "channel indices are unique");
    }

    #[test]
    fn bytes_round_trip() {
        for bytes in [[0x93, 60, 100], [0x83, 60, 0], [0xb1, 7, 99], [0xe0, 1, 2]] {
            let e = MidiEvent::from_bytes(5, &bytes).unwrap();
            assert_eq!(e.to_bytes().0, bytes);
        }
        assert_eq!(
            MidiEvent::from_bytes(0, &[0x90, 60, 0]),
            Some(MidiEvent::Off {
                offset: 0,
                channel: 0,
                key: 60
            })
        );
        assert_eq!(MidiEvent::from_bytes(0, &[0xf8]), None);
    }
}
