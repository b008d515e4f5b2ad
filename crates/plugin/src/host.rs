//! What the host hands the plugin each block, in the engine's terms: note events as MIDI
//! bytes, the transport as the host-information channels' values.

use csound_plug_engine::channels::HostInfo;
use csound_plug_engine::midi::MidiEvent;
use nice_plug::midi::MidiResult;
use nice_plug::prelude::*;

/// A host event as MIDI bytes for the engine; notes addressed to "any key" (CLAP
/// wildcards) and SysEx are not passed on.
pub fn midi_event<S: SysExMessage>(event: &NoteEvent<S>) -> Option<MidiEvent> {
    match event.as_midi()? {
        MidiResult::Basic(bytes) => MidiEvent::from_bytes(event.timing(), &bytes),
        MidiResult::SysEx(..) => None,
    }
}

/// The host-information channels' values for a block of `frames` frames; what the host
/// leaves out reads as 120 BPM in 4/4 at the start of the timeline.
pub fn host_info(transport: &Transport, frames: usize, bypassed: bool) -> HostInfo {
    HostInfo {
        bpm: transport.tempo.unwrap_or(120.0),
        playing: transport.playing,
        recording: transport.recording,
        position_samples: transport.pos_samples().unwrap_or(0) as f64,
        position_beats: transport.pos_beats().unwrap_or(0.0),
        time_sig_num: f64::from(transport.time_sig_numerator.unwrap_or(4)),
        time_sig_denom: f64::from(transport.time_sig_denominator.unwrap_or(4)),
        buffer_size: frames as f64,
        bypassed,
    }
}
