//! The host's audio buses as Csound's channels: outputs 1–2 are the main bus, 3–4 the
//! first auxiliary bus and so on; inputs 1–2 the main bus (the instrument's side-chain),
//! 3–4 an effect's side-chain. The engine fits the patch's own channel counts to them
//! (`csound_plug_engine::block::Fit`).

use crate::compiler::CompilerShared;
use crate::processor::{Channels, MAX_OUTPUTS};
use csound_plug_patch::metadata::{metadata, BusMetadata};
use nice_plug::port_names::PortNames;
use nice_plug::prelude::{AudioIOLayout, AuxiliaryBuffers, Buffer};
use std::num::NonZeroU32;

/// The instrument's auxiliary stereo outputs: with the main pair, 16 channels.
pub const AUX_OUTPUTS: usize = (MAX_OUTPUTS - 2) / 2;

/// The auxiliary outputs' names when the patch gives none.
pub const AUX_OUTPUT_NAMES: [&str; AUX_OUTPUTS] = [
    "Out 3-4",
    "Out 5-6",
    "Out 7-8",
    "Out 9-10",
    "Out 11-12",
    "Out 13-14",
    "Out 15-16",
];

/// The channels the processor is sized for with `layout`.
pub fn channels(layout: &AudioIOLayout) -> Channels {
    let count = |n: Option<NonZeroU32>| n.map_or(0, |n| n.get() as usize);
    let side = count(layout.aux_input_ports.first().copied());
    let main_in = count(layout.main_input_channels);
    let outputs = 2 + 2 * layout.aux_output_ports.len();
    match main_in {
        // The instrument's only input is its side-chain: Csound's inputs 1–2.
        0 => Channels {
            inputs: side,
            side: 0,
            outputs,
        },
        _ => Channels {
            inputs: main_in,
            side,
            outputs,
        },
    }
}

/// Puts the host's output channels into `slots` in Csound's order and returns the used
/// part: the main bus in slots 0–1 (a mono bus leaves slot 1 empty), then two slots per
/// auxiliary bus, empty where the host gave the bus no buffers (left it inactive). The
/// slices are moved out of the host's buffers for this block; nothing is allocated.
pub fn output_slots<'t, 's, 'a: 's, 'b: 's>(
    main: &mut Buffer<'a>,
    aux: &mut AuxiliaryBuffers<'b>,
    slots: &'t mut [&'s mut [f32]; MAX_OUTPUTS],
) -> &'t mut [&'s mut [f32]] {
    for (slot, channel) in slots.iter_mut().zip(main.as_slice().iter_mut()).take(2) {
        *slot = std::mem::take(channel);
    }
    let mut used = 2;
    for (bus, pair) in aux.outputs.iter_mut().zip(slots[2..].chunks_mut(2)) {
        for (slot, channel) in pair.iter_mut().zip(bus.as_slice().iter_mut()) {
            *slot = std::mem::take(channel);
        }
        used += 2;
    }
    &mut slots[..used.min(MAX_OUTPUTS)]
}

/// The `[buses]` table of `code`'s metadata (empty when it has none or cannot be read:
/// the compile reports that).
pub fn declared_names(code: &str) -> BusMetadata {
    match metadata(code) {
        Ok(Some(metadata)) => metadata.buses,
        _ => BusMetadata::default(),
    }
}

/// Hosts ask the wrapper for port names; the wrapper asks this first. Port n on either
/// side is Csound's channel pair n (the instrument's only input, its side-chain, is
/// inputs 1–2), so the metadata's lists index the ports directly.
impl PortNames for CompilerShared {
    fn port_name(&self, is_input: bool, index: usize) -> Option<String> {
        let names = self.status.bus_names.load();
        let names = if is_input {
            &names.inputs
        } else {
            &names.outputs
        };
        names
            .get(index)
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    }
}
