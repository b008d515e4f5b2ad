//! The fixed pool of host parameters ("slots") and which patch channel each drives.
//!
//! Hosts cannot add parameters at run time, so the plugin exposes [`SLOT_COUNT`] generic
//! ones. Each compiled patch's declared controls take slots: a channel keeps its slot
//! across recompiles and reloads (the map is saved with the state), new channels take the
//! lowest free slot, and removed channels keep theirs until freed, so automation lanes
//! stay on the same channel. A slot's host value is a position in 0..=1; the control's
//! declaration maps it to the channel value.

use crate::controls::Control;
use arc_swap::ArcSwap;
use nice_plug::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Number of generic host parameters.
pub const SLOT_COUNT: usize = 64;

/// Channel name → slot index, saved with the state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlotMap(pub BTreeMap<String, usize>);

/// What each slot drives right now (`None`: unbound).
#[derive(Debug, Clone)]
pub struct SlotTable(pub Vec<Option<Control>>);

impl Default for SlotTable {
    fn default() -> Self {
        Self(vec![None; SLOT_COUNT])
    }
}

/// The result of binding a patch's controls to slots.
#[derive(Debug, Clone, Default)]
pub struct Binding {
    /// What each slot drives.
    pub table: SlotTable,
    /// Slots whose channel is new to the map: they start at the declared default.
    pub fresh: Vec<usize>,
    /// Declared controls that found no free slot (more than [`SLOT_COUNT`]).
    pub unslotted: Vec<Control>,
}

impl SlotMap {
    /// Gives every control a slot: mapped channels keep theirs, new ones take the lowest
    /// slot no channel holds. Channels not declared any more keep their slot.
    pub fn bind(&mut self, controls: &[Control]) -> Binding {
        let mut binding = Binding::default();
        for control in controls {
            let slot = match self.0.get(&control.channel) {
                Some(&slot) if slot < SLOT_COUNT => Some(slot),
                _ => {
                    let taken: Vec<usize> = self.0.values().copied().collect();
                    let free = (0..SLOT_COUNT).find(|s| !taken.contains(s));
                    if let Some(slot) = free {
                        self.0.insert(control.channel.clone(), slot);
                        binding.fresh.push(slot);
                    }
                    free
                }
            };
            match slot {
                Some(slot) if binding.table.0[slot].is_none() => {
                    binding.table.0[slot] = Some(control.clone());
                }
                _ => binding.unslotted.push(control.clone()),
            }
        }
        binding
    }

    /// Frees the slots of channels `controls` does not declare.
    pub fn retain_declared(&mut self, controls: &[Control]) {
        self.0
            .retain(|channel, _| controls.iter().any(|c| c.channel == *channel));
    }

    /// Frees a channel's slot for the next new channel.
    pub fn free(&mut self, channel: &str) {
        self.0.remove(channel);
    }
}

/// Reads and moves the slots' host values (implemented by the plugin's parameters).
pub trait SlotValues: Send + Sync {
    /// The slot's position, 0..=1.
    fn position(&self, slot: usize) -> f32;
    /// Moves the slot to `position` (a new binding's default, or a rescaled range).
    fn set_position(&self, slot: usize, position: f32);
}

/// The slot pool as host parameters: ids `p01`…`p64`, names `Param 1`…, value text from
/// the bound control (`cutoff: 1200`).
pub struct SlotParams {
    params: Vec<FloatParam>,
}

impl SlotParams {
    /// The pool with its host defaults; value text comes from `table`.
    pub fn new(table: Arc<ArcSwap<SlotTable>>, defaults: [f32; SLOT_COUNT]) -> Self {
        let params = (0..SLOT_COUNT)
            .map(|slot| {
                let shown = table.clone();
                let parsed = table.clone();
                FloatParam::new(
                    format!("Param {}", slot + 1),
                    defaults[slot],
                    FloatRange::Linear { min: 0.0, max: 1.0 },
                )
                .with_value_to_string(Arc::new(move |p| match &shown.load().0[slot] {
                    Some(c) => format!("{}: {}", c.label, c.format(c.value_at(f64::from(p)))),
                    None => format!("{p:.3} (unbound)"),
                }))
                .with_string_to_value(Arc::new(move |text| match &parsed.load().0[slot] {
                    Some(c) => c.parse(text).map(|v| c.position_of(v) as f32),
                    None => text
                        .split_whitespace()
                        .next()
                        .and_then(|t| t.parse::<f32>().ok()),
                }))
            })
            .collect();
        Self { params }
    }

    /// The host parameter of `slot` (for the editor's `ParamSetter`).
    pub fn param(&self, slot: usize) -> Option<&FloatParam> {
        self.params.get(slot)
    }

    /// Every slot's position, for the audio thread (atomic reads, no allocation).
    pub fn positions(&self, out: &mut [f32; SLOT_COUNT]) {
        for (value, param) in out.iter_mut().zip(&self.params) {
            *value = param.modulated_normalized_value();
        }
    }
}

impl SlotValues for SlotParams {
    fn position(&self, slot: usize) -> f32 {
        self.params
            .get(slot)
            .map_or(0.0, |p| p.unmodulated_normalized_value())
    }

    fn set_position(&self, slot: usize, position: f32) {
        if let Some(param) = self.params.get(slot) {
            // SAFETY: the pointer is to our own parameter, alive as long as `self`;
            // the value is stored atomically. Hosts read the new value when they next
            // ask; there is no host notification without an editor context.
            unsafe {
                param
                    .as_ptr()
                    ._internal_set_normalized_value(position.clamp(0.0, 1.0))
            };
        }
    }
}

// SAFETY: the parameter pointers point into `self.params`, which never moves or changes
// length after construction and lives as long as the plugin's parameter object.
unsafe impl Params for SlotParams {
    fn param_map(&self) -> Vec<(String, ParamPtr, String)> {
        self.params
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("p{:02}", i + 1), p.as_ptr(), String::new()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::{ControlKind, ControlSource};

    fn control(name: &str) -> Control {
        Control {
            channel: name.into(),
            label: name.into(),
            min: 0.0,
            max: 1.0,
            default: 0.5,
            skew: 1.0,
            step: 0.0,
            kind: ControlKind::Continuous,
            source: ControlSource::ChnK,
        }
    }

    #[test]
    fn channels_keep_their_slots_across_recompiles() {
        let mut map = SlotMap::default();
        let first = map.bind(&[control("cutoff"), control("res"), control("gain")]);
        assert_eq!(first.fresh, vec![0, 1, 2]);
        // Reordered, one removed, one added: survivors keep slots, the new one takes the
        // lowest slot nobody holds (the removed channel still holds its own).
        let second = map.bind(&[control("gain"), control("drive"), control("cutoff")]);
        assert_eq!(map.0["cutoff"], 0);
        assert_eq!(map.0["gain"], 2);
        assert_eq!(map.0["res"], 1);
        assert_eq!(map.0["drive"], 3);
        assert_eq!(second.fresh, vec![3]);
        assert!(
            second.table.0[1].is_none(),
            "res is unbound but keeps slot 1"
        );
        map.free("res");
        let third = map.bind(&[control("new")]);
        assert_eq!(third.fresh, vec![1]);
        // A preset load keeps only the channels it declares, in their slots.
        map.retain_declared(&[control("gain"), control("other")]);
        assert_eq!(map.0.len(), 1);
        let fourth = map.bind(&[control("gain"), control("other")]);
        assert_eq!((map.0["gain"], map.0["other"]), (2, 0));
        assert_eq!(fourth.fresh, vec![0]);
    }

    #[test]
    fn more_controls_than_slots_are_reported() {
        let mut map = SlotMap::default();
        let controls: Vec<Control> = (0..70).map(|i| control(&format!("c{i}"))).collect();
        let binding = map.bind(&controls);
        assert_eq!(binding.unslotted.len(), 6);
        assert!(binding.table.0.iter().all(Option::is_some));
    }
}
