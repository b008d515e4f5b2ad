//! The Csound side of the block adapter: the parameter model's values and the host's
//! transport in, one k-cycle, Csound's output and MIDI out.

use crate::block::Kernel;
use crate::channels::{HostChannels, HostInfo};
use crate::csound::{ChannelId, Csound};
use csound_plug_patch::controls::Control;
use std::ffi::CString;

/// A control that follows a host position, through its cached channel pointer.
pub(crate) struct Binding {
    /// Index of the position that drives it.
    pub source: usize,
    /// Where its value goes.
    pub target: Target,
    pub control: Control,
    /// Its entry in the `invalue` table.
    pub named: usize,
}

/// Where a binding writes.
pub(crate) enum Target {
    /// A control channel: the value, every k-cycle.
    Control(ChannelId),
    /// A string channel (a Cabbage string combobox): the chosen item's text, when the
    /// choice changes. Texts are made when binding and the channel is first set to the
    /// longest, so Csound copies into its buffer without allocating.
    Text {
        name: CString,
        items: Vec<CString>,
        shown: Option<usize>,
    },
}

/// MIDI messages kept per block from the patch; more are dropped.
pub(crate) const MIDI_OUT_CAPACITY: usize = 512;

/// One Csound instance driven k-cycle by k-cycle.
pub(crate) struct CsoundKernel {
    pub csound: Csound,
    pub bindings: Vec<Binding>,
    /// Host positions (0..=1) for the block being processed, indexed by `Binding::source`;
    /// sized when the parameter model is set, so the audio thread only copies into it.
    pub positions: Vec<f32>,
    pub host_channels: Option<HostChannels>,
    pub host: HostInfo,
    /// Frame (relative to the block's first) where the block's first k-cycle began.
    pub first_cycle_start: isize,
    /// k-cycles performed in this block so far.
    pub cycles_in_block: usize,
    pub ksmps: usize,
    pub sample_rate: f64,
    /// MIDI the patch sent, with the frame (relative to the current block's first) where
    /// the audio of the k-cycle that sent it starts; fixed capacity.
    pub midi_out: Vec<(isize, [u8; 3])>,
    pub midi_scratch: [u8; 1024],
}

impl CsoundKernel {
    /// A kernel for a started instance, with no controls bound yet.
    pub fn new(
        csound: Csound,
        host_channels: Option<HostChannels>,
        ksmps: usize,
        sample_rate: f64,
    ) -> Self {
        Self {
            csound,
            bindings: Vec::new(),
            positions: Vec::new(),
            host_channels,
            host: HostInfo::default(),
            first_cycle_start: 0,
            cycles_in_block: 0,
            ksmps,
            sample_rate,
            midi_out: Vec::with_capacity(MIDI_OUT_CAPACITY),
            midi_scratch: [0; 1024],
        }
    }

    /// Moves what the patch sent in the k-cycle that started at `start` into `midi_out`.
    fn collect_midi_out(&mut self, start: isize) {
        let count = self.csound.take_midi_output(&mut self.midi_scratch);
        let bytes = &self.midi_scratch[..count];
        let mut i = 0;
        while i < bytes.len() {
            let status = bytes[i];
            let len = match status & 0xf0 {
                0xc0 | 0xd0 => 2,
                0x80..=0xe0 => 3,
                _ => 1,
            };
            if len > 1 && i + len <= bytes.len() && self.midi_out.len() < MIDI_OUT_CAPACITY {
                let mut message = [0; 3];
                message[..len].copy_from_slice(&bytes[i..i + len]);
                // Heard with the audio of this k-cycle, one latency (ksmps) later.
                self.midi_out.push((start + self.ksmps as isize, message));
            }
            i += len;
        }
    }
}

impl Kernel for CsoundKernel {
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool {
        for binding in &mut self.bindings {
            let position = self.positions.get(binding.source).copied().unwrap_or(0.0);
            let value = binding.control.value_at(f64::from(position));
            match &mut binding.target {
                Target::Control(channel) => self.csound.set_control(*channel, value),
                Target::Text { name, items, shown } => {
                    let index = (value - binding.control.min).round().max(0.0) as usize;
                    let index = index.min(items.len().saturating_sub(1));
                    if *shown != Some(index) {
                        if let Some(item) = items.get(index) {
                            self.csound.set_string_channel(name, item);
                        }
                        *shown = Some(index);
                    }
                }
            }
            if let Some(entry) = self.csound.named_values().inputs.get_mut(binding.named) {
                entry.1 = value;
            }
        }
        let start = self.first_cycle_start + (self.cycles_in_block * self.ksmps) as isize;
        if let Some(host_channels) = &self.host_channels {
            host_channels.write(&mut self.csound, &self.host, start as f64, self.sample_rate);
        }
        self.cycles_in_block += 1;
        let spin = self.csound.spin();
        let n = spin.len().min(input.len());
        spin[..n].copy_from_slice(&input[..n]);
        if self.csound.perform_ksmps() {
            return true;
        }
        self.collect_midi_out(start);
        let spout = self.csound.spout();
        let n = spout.len().min(output.len());
        output[..n].copy_from_slice(&spout[..n]);
        false
    }
}
