//! Host-information channels, written every k-cycle under Cabbage's names so Cabbage
//! patches work unchanged: `HOST_BPM`, `IS_PLAYING`, `IS_RECORDING`, `TIME_IN_SECONDS`,
//! `TIME_IN_SAMPLES`, `HOST_PPQ_POS`, `TIME_SIG_NUM`, `TIME_SIG_DENOM`,
//! `HOST_BUFFER_SIZE`, `IS_BYPASSED`.

use crate::csound::{ChannelId, ChannelMode, Csound};

/// The host's transport and block, as of the start of the current block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HostInfo {
    /// Tempo in beats per minute.
    pub bpm: f64,
    /// Transport running.
    pub playing: bool,
    /// Transport recording.
    pub recording: bool,
    /// Timeline position of the block's first frame, in samples.
    pub position_samples: f64,
    /// Timeline position of the block's first frame, in quarter notes.
    pub position_beats: f64,
    /// Time signature numerator.
    pub time_sig_num: f64,
    /// Time signature denominator.
    pub time_sig_denom: f64,
    /// Frames in this host block.
    pub buffer_size: f64,
    /// The plugin is bypassed.
    pub bypassed: bool,
}

impl Default for HostInfo {
    fn default() -> Self {
        Self {
            bpm: 120.0,
            playing: false,
            recording: false,
            position_samples: 0.0,
            position_beats: 0.0,
            time_sig_num: 4.0,
            time_sig_denom: 4.0,
            buffer_size: 0.0,
            bypassed: false,
        }
    }
}

/// Cached pointers to the host-information channels of one instance.
pub struct HostChannels {
    ids: [ChannelId; 10],
}

/// The channel names, in the order of `HostChannels::ids`.
pub const HOST_CHANNELS: [&str; 10] = [
    "HOST_BPM",
    "IS_PLAYING",
    "IS_RECORDING",
    "TIME_IN_SECONDS",
    "TIME_IN_SAMPLES",
    "HOST_PPQ_POS",
    "TIME_SIG_NUM",
    "TIME_SIG_DENOM",
    "HOST_BUFFER_SIZE",
    "IS_BYPASSED",
];

impl HostChannels {
    /// Looks the channels up (creating those the patch does not declare). Not for the
    /// audio thread.
    pub fn new(csound: &mut Csound) -> Option<Self> {
        let mut ids = Vec::with_capacity(HOST_CHANNELS.len());
        for name in HOST_CHANNELS {
            ids.push(csound.control_channel(name, ChannelMode::Input).ok()?);
        }
        Some(Self {
            ids: ids.try_into().ok()?,
        })
    }

    /// Writes `info` for a k-cycle starting `offset` frames after the block's first
    /// frame (negative when it began in the previous block). Real-time safe.
    pub fn write(&self, csound: &mut Csound, info: &HostInfo, offset: f64, sample_rate: f64) {
        let samples = info.position_samples + offset;
        let beats = info.position_beats + offset / sample_rate * info.bpm / 60.0;
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let values = [
            info.bpm,
            flag(info.playing),
            flag(info.recording),
            samples / sample_rate,
            samples,
            beats,
            info.time_sig_num,
            info.time_sig_denom,
            info.buffer_size,
            flag(info.bypassed),
        ];
        for (id, value) in self.ids.iter().zip(values) {
            csound.set_control(*id, value);
        }
    }
}

use std::sync::atomic::{AtomicU64, Ordering};

/// The patch's output values (`chn_k "x", 2` or 3, and `outvalue "x"`), read after each
/// block and published lock-free for the editor and tests.
#[derive(Debug, Default)]
pub struct OutputValues {
    names: Vec<String>,
    values: Vec<AtomicU64>,
    /// The declared range of each output, when it has one (for a meter).
    ranges: Vec<Option<(f64, f64)>>,
}

impl OutputValues {
    /// Outputs with these names, all 0, without declared ranges.
    pub fn new(names: Vec<String>) -> Self {
        let ranges = vec![None; names.len()];
        Self::with_ranges(names, ranges)
    }

    /// Outputs with these names and declared ranges (`None`: none), all 0.
    pub fn with_ranges(names: Vec<String>, ranges: Vec<Option<(f64, f64)>>) -> Self {
        let values = names
            .iter()
            .map(|_| AtomicU64::new(0f64.to_bits()))
            .collect();
        Self {
            names,
            values,
            ranges,
        }
    }

    /// The declared range of `name` (`min < max`), if it has one.
    pub fn range(&self, name: &str) -> Option<(f64, f64)> {
        let i = self.names.iter().position(|n| n == name)?;
        self.ranges.get(i).copied().flatten()
    }

    /// The latest value of `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        let i = self.names.iter().position(|n| n == name)?;
        Some(f64::from_bits(self.values[i].load(Ordering::Relaxed)))
    }

    /// Publishes output `index` (real-time safe).
    pub fn store(&self, index: usize, value: f64) {
        if let Some(slot) = self.values.get(index) {
            slot.store(value.to_bits(), Ordering::Relaxed);
        }
    }

    /// The output names, in publishing order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}
