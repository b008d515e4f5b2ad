//! The parameter model: which of the patch's declared controls the engine writes each
//! k-cycle and from which host position, and which it sets once. The plugin shell decides
//! (its slot pool, or an exported plugin's fixed parameters); the engine only follows it.
//!
//! Also the controls a compiled patch declares: its Cabbage widgets, then its `chn_k`
//! declarations as Csound reports them back.

use crate::csound::{ChannelBehaviour, ChannelInfo};
use csound_plug_patch::controls::{ChnBehaviour, Control};

/// A declared control that follows a host position.
#[derive(Debug, Clone, PartialEq)]
pub struct Driven {
    /// Index of the position ([`crate::Engine::set_positions`]) that drives it.
    pub source: usize,
    /// What it drives and how a position maps to a value.
    pub control: Control,
}

/// How host parameters reach the patch's channels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParameterModel {
    /// Controls written every k-cycle from their position.
    pub driven: Vec<Driven>,
    /// Controls no host parameter drives, set once to their value.
    pub fixed: Vec<(Control, f64)>,
}

impl ParameterModel {
    /// Every control fixed at its value: how the command line and the pre-check run a
    /// patch (no host parameters).
    pub fn fixed(values: impl IntoIterator<Item = (Control, f64)>) -> Self {
        Self {
            driven: Vec::new(),
            fixed: values.into_iter().collect(),
        }
    }

    /// How many positions the driven controls read.
    pub fn positions(&self) -> usize {
        self.driven.iter().map(|d| d.source + 1).max().unwrap_or(0)
    }
}

/// The control a `chn_k` input declaration with a type makes, as Csound reports it back.
pub fn control_from_chn_k(info: &ChannelInfo) -> Option<Control> {
    let hints = info.hints.filter(|_| info.input)?;
    let behaviour = match hints.behaviour {
        ChannelBehaviour::Integer => ChnBehaviour::Integer,
        ChannelBehaviour::Linear => ChnBehaviour::Linear,
        ChannelBehaviour::Exponential => ChnBehaviour::Exponential,
    };
    Some(Control::from_chn_k(
        &info.name,
        behaviour,
        hints.default,
        (hints.min, hints.max),
    ))
}

/// `channels` with the input/output modes of their declaration in `declared`, where
/// they have one (channels made later by the patch keep what Csound says now).
pub(crate) fn as_declared(
    mut channels: Vec<ChannelInfo>,
    declared: &[ChannelInfo],
) -> Vec<ChannelInfo> {
    for channel in &mut channels {
        if let Some(d) = declared.iter().find(|d| d.name == channel.name) {
            channel.input = d.input;
            channel.output = d.output;
        }
    }
    channels
}
