//! The fixed pool of host parameters ("slots") and which patch channel each drives.
//!
//! Hosts cannot add parameters at run time, so the plugin exposes [`SLOT_COUNT`] generic
//! ones. Each compiled patch's declared controls take slots: a channel keeps its slot
//! across recompiles and reloads (the map is saved with the state), new channels take the
//! lowest free slot, and removed channels keep theirs until freed, so automation lanes
//! stay on the same channel. A slot's host value is a position in 0..=1; the control's
//! declaration maps it to the channel value.

use arc_swap::ArcSwap;
use csound_plug_engine::params::{Driven, ParameterModel};
use csound_plug_patch::controls::Control;
pub use csound_plug_patch::state::{SlotMap, SLOT_COUNT};
use nice_plug::prelude::*;
use std::sync::Arc;

/// What each slot drives right now (`None`: unbound); a fixed array, so a slot index
/// from anywhere is checked by [`SlotTable::get`] instead of panicking.
#[derive(Debug, Clone)]
pub struct SlotTable([Option<Control>; SLOT_COUNT]);

impl Default for SlotTable {
    fn default() -> Self {
        Self(std::array::from_fn(|_| None))
    }
}

impl SlotTable {
    /// The control bound to `slot`, if any (`None` for an unbound or unknown slot).
    pub fn get(&self, slot: usize) -> Option<&Control> {
        self.0.get(slot)?.as_ref()
    }

    /// Binds `slot` to `control` (ignored for a slot that does not exist).
    pub fn set(&mut self, slot: usize, control: Option<Control>) {
        if let Some(entry) = self.0.get_mut(slot) {
            *entry = control;
        }
    }

    /// The bound slots in slot order.
    pub fn bound(&self) -> impl Iterator<Item = (usize, &Control)> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(slot, c)| Some((slot, c.as_ref()?)))
    }
}

/// Why slots are being bound, which decides where their host values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindMode {
    /// An edit of the running patch: channels keep their slots and values; new channels
    /// start at their start value; a channel whose declaration changed keeps its value
    /// where the new range allows.
    Edit,
    /// A preset load: channels it does not declare give up their slots, and every bound
    /// slot moves to its start value.
    Load,
    /// A new instance's starting patch: every bound slot is at its start value.
    New,
}

/// The result of binding a patch's controls to slots.
#[derive(Debug, Clone, Default)]
pub struct Binding {
    /// The slot map after binding (saved with the state).
    pub map: SlotMap,
    /// What each slot drives.
    pub table: SlotTable,
    /// Host values to move: (slot, position).
    pub moves: Vec<(usize, f32)>,
    /// Declared controls that found no free slot (more than [`SLOT_COUNT`]), with the
    /// start value they keep.
    pub unslotted: Vec<(Control, f64)>,
}

impl Binding {
    /// The engine's parameter model: bound controls follow their slot's position, the
    /// others stay at their start value.
    pub fn model(&self) -> ParameterModel {
        ParameterModel {
            driven: self
                .table
                .bound()
                .map(|(source, control)| Driven {
                    source,
                    control: control.clone(),
                })
                .collect(),
            fixed: self.unslotted.clone(),
        }
    }
}

/// Gives each declared control (with its start value) a slot: mapped channels keep
/// theirs, new ones take the lowest slot no channel holds, channels not declared any more
/// keep theirs (except on [`BindMode::Load`]). `old` is what the slots drove before and
/// `position` reads a slot's current host value. The one place start values become host
/// values.
pub fn bind(
    map: &SlotMap,
    old: &SlotTable,
    controls: &[(Control, f64)],
    mode: BindMode,
    position: impl Fn(usize) -> f32,
) -> Binding {
    let mut map = map.clone();
    if mode == BindMode::Load {
        map.retain(controls.iter().map(|(c, _)| c.channel.as_str()));
    }
    let mut binding = Binding::default();
    for (control, start) in controls {
        let (slot, fresh) = match map.0.get(&control.channel) {
            Some(&slot) if slot < SLOT_COUNT => (Some(slot), false),
            _ => {
                let free = (0..SLOT_COUNT).find(|s| !map.0.values().any(|taken| taken == s));
                if let Some(slot) = free {
                    map.0.insert(control.channel.clone(), slot);
                }
                (free, true)
            }
        };
        let Some(slot) = slot.filter(|&s| binding.table.get(s).is_none()) else {
            binding.unslotted.push((control.clone(), *start));
            continue;
        };
        binding.table.set(slot, Some(control.clone()));
        let to_start = || control.position_of(*start) as f32;
        let moved = match (mode, old.get(slot)) {
            (BindMode::Load | BindMode::New, _) => Some(to_start()),
            (BindMode::Edit, _) if fresh => Some(to_start()),
            (BindMode::Edit, Some(was)) if was.channel == control.channel && was != control => {
                // The same channel with a new declaration: keep its value.
                let value = was.value_at(f64::from(position(slot)));
                Some(control.position_of(value) as f32)
            }
            _ => None,
        };
        if let Some(moved) = moved {
            binding.moves.push((slot, moved));
        }
    }
    binding.map = map;
    binding
}

/// Reads and moves the slots' host values (implemented by the plugin's parameters).
pub trait SlotValues: Send + Sync {
    /// The slot's position, 0..=1.
    fn position(&self, slot: usize) -> f32;
    /// Moves the slot to `position` (a new binding's default, or a rescaled range).
    fn set_position(&self, slot: usize, position: f32);
}

/// The slot pool as host parameters: ids `p01`…`p128`, names `Param 1`…, value text from
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
                .with_value_to_string(Arc::new(move |p| match shown.load().get(slot) {
                    Some(c) => format!("{}: {}", c.label, c.format(c.value_at(f64::from(p)))),
                    None => format!("{p:.3} (unbound)"),
                }))
                .with_string_to_value(Arc::new(move |text| match parsed.load().get(slot) {
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
    use csound_plug_patch::controls::{ControlKind, ControlSource};

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

    fn declared(names: &[&str]) -> Vec<(Control, f64)> {
        names.iter().map(|n| (control(n), 0.25)).collect()
    }

    /// Binds as an edit and returns the slots that moved (the fresh ones).
    fn edit(map: &mut SlotMap, names: &[&str]) -> Binding {
        let binding = bind(
            map,
            &SlotTable::default(),
            &declared(names),
            BindMode::Edit,
            |_| 0.0,
        );
        *map = binding.map.clone();
        binding
    }

    fn moved(binding: &Binding) -> Vec<usize> {
        binding.moves.iter().map(|(slot, _)| *slot).collect()
    }

    #[test]
    fn channels_keep_their_slots_across_recompiles() {
        let mut map = SlotMap::default();
        let first = edit(&mut map, &["cutoff", "res", "gain"]);
        assert_eq!(moved(&first), vec![0, 1, 2]);
        // Reordered, one removed, one added: survivors keep slots, the new one takes the
        // lowest slot nobody holds (the removed channel still holds its own).
        let second = edit(&mut map, &["gain", "drive", "cutoff"]);
        assert_eq!(map.0["cutoff"], 0);
        assert_eq!(map.0["gain"], 2);
        assert_eq!(map.0["res"], 1);
        assert_eq!(map.0["drive"], 3);
        assert_eq!(moved(&second), vec![3]);
        assert!(
            second.table.get(1).is_none(),
            "res is unbound but keeps slot 1"
        );
        map.free("res");
        let third = edit(&mut map, &["new"]);
        assert_eq!(moved(&third), vec![1]);
        // A preset load keeps only the channels it declares, in their slots.
        let load = declared(&["gain", "other"]);
        let fourth = bind(&map, &SlotTable::default(), &load, BindMode::Load, |_| 0.0);
        let map = fourth.map.clone();
        assert_eq!(map.0.len(), 2);
        assert_eq!((map.0["gain"], map.0["other"]), (2, 0));
        // A load moves every bound slot to its start value.
        assert_eq!(moved(&fourth), vec![2, 0]);
        assert!(fourth.moves.iter().all(|(_, p)| *p == 0.25));
    }

    #[test]
    fn more_controls_than_slots_are_reported() {
        let names: Vec<String> = (0..SLOT_COUNT + 6).map(|i| format!("c{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let binding = edit(&mut SlotMap::default(), &names);
        assert_eq!(binding.unslotted.len(), 6);
        assert_eq!(binding.table.bound().count(), SLOT_COUNT);
        // The engine drives the bound ones and holds the rest at their start values.
        let model = binding.model();
        assert_eq!((model.driven.len(), model.fixed.len()), (SLOT_COUNT, 6));
    }

    #[test]
    fn a_changed_declaration_keeps_the_value_and_a_new_instance_starts_everything() {
        let mut map = SlotMap::default();
        let first = edit(&mut map, &["cutoff"]);
        let wide = Control {
            max: 2.0,
            ..control("cutoff")
        };
        // At position 0.8 of 0..1 the value is 0.8: in 0..2 that is position 0.4.
        let second = bind(&map, &first.table, &[(wide, 0.25)], BindMode::Edit, |_| 0.8);
        assert_eq!(second.moves.len(), 1);
        assert!((second.moves[0].1 - 0.4).abs() < 1e-6);
        // The same declaration again moves nothing.
        let third = bind(
            &map,
            &first.table,
            &declared(&["cutoff"]),
            BindMode::Edit,
            |_| 0.8,
        );
        assert!(third.moves.is_empty());
        let new = bind(
            &map,
            &first.table,
            &declared(&["cutoff"]),
            BindMode::New,
            |_| 0.8,
        );
        assert_eq!(new.moves, vec![(0, 0.25)]);
    }
}
