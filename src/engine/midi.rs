//! Host notes → Csound score events ("score" MIDI mode).
//!
//! A note-on on MIDI channel `c` (0-based), key `k`, velocity `v` becomes
//! `i <instr>.<id> 0 -1 k v c+1`: a held note whose fractional instrument number encodes
//! channel and key, so the matching note-off, sent as the negative of that number, ends
//! exactly that note (a release segment via `xtratim`/`release` still plays).

/// A note event at a frame offset inside a host block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoteEvent {
    /// Note on; velocity is MIDI's 1..=127.
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
}

impl NoteEvent {
    /// The event's frame offset in its host block.
    pub fn offset(&self) -> u32 {
        match *self {
            Self::On { offset, .. } | Self::Off { offset, .. } => offset,
        }
    }
}

/// The fractional instrument number that names the note on `channel`/`key` of `instr`.
pub fn note_p1(instr: u32, channel: u8, key: u8) -> f64 {
    let id = u32::from(channel & 15) * 128 + u32::from(key & 127) + 1;
    f64::from(instr) + f64::from(id) / 10_000.0
}

/// The p-fields of the `i` statement for `event` aimed at `instr`.
pub fn score_pfields(event: &NoteEvent, instr: u32) -> [f64; 6] {
    match *event {
        NoteEvent::On {
            channel,
            key,
            velocity,
            ..
        } => [
            note_p1(instr, channel, key),
            0.0,
            -1.0,
            f64::from(key),
            f64::from(velocity),
            f64::from(channel) + 1.0,
        ],
        NoteEvent::Off { channel, key, .. } => [
            -note_p1(instr, channel, key),
            0.0,
            0.0,
            f64::from(key),
            0.0,
            f64::from(channel) + 1.0,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_and_key_has_its_own_instrument_number() {
        let mut seen = std::collections::HashSet::new();
        for channel in 0..16 {
            for key in 0..128 {
                let p1 = note_p1(1, channel, key);
                assert!(p1 > 1.0 && p1 < 2.0);
                assert!(seen.insert(p1.to_bits()));
            }
        }
    }

    #[test]
    fn note_off_is_the_negative_of_its_note_on() {
        let on = NoteEvent::On {
            offset: 0,
            channel: 2,
            key: 60,
            velocity: 100,
        };
        let off = NoteEvent::Off {
            offset: 9,
            channel: 2,
            key: 60,
        };
        let (on, off) = (score_pfields(&on, 1), score_pfields(&off, 1));
        assert_eq!(off[0], -on[0]);
        assert_eq!(&on[2..], &[-1.0, 60.0, 100.0, 3.0]);
    }
}
