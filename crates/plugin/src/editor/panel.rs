//! The parameter panel: one control per declared channel, linked to its host parameter.
//!
//! [`entries`] is the model (what to draw for the current slot table), tested without a
//! window; [`show`] draws it. Every change goes through nice-plug's `ParamSetter` with
//! begin/end gestures, so the host hears about it and records automation.

use crate::slots::{SlotParams, SlotTable};
use csound_plug_patch::controls::{Control, ControlKind};
use nice_plug::prelude::{Param, ParamSetter};

/// How a control is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    /// A horizontal slider over the declared range (skew and steps included).
    Slider,
    /// A rotary knob over the same range (Cabbage `rslider`/`encoder`, or named in the
    /// metadata's `knobs`).
    Knob,
    /// An on/off box.
    Toggle,
    /// A momentary button: on while held.
    Button,
    /// A menu of named items.
    Menu(Vec<String>),
}

/// One control in the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The host parameter slot it drives.
    pub slot: usize,
    /// The declaration.
    pub control: Control,
    /// How to draw it.
    pub widget: Widget,
}

/// The channels `code` wants drawn as knobs: its Cabbage rotary widgets and the
/// metadata's `knobs` list.
pub fn knobs(code: &str) -> Vec<String> {
    let mut knobs = csound_plug_patch::cabbage::cabbage_knobs(code);
    if let Ok(Some(metadata)) = csound_plug_patch::metadata::metadata(code) {
        knobs.extend(metadata.knobs);
    }
    knobs
}

/// The panel's controls for `table`, in slot order (the order the host lists them);
/// continuous and whole-number controls named in `knobs` are knobs, the others sliders.
pub fn entries(table: &SlotTable, knobs: &[String]) -> Vec<Entry> {
    table
        .bound()
        .map(|(slot, control)| {
            let control = control.clone();
            let widget = match &control.kind {
                ControlKind::Toggle => Widget::Toggle,
                ControlKind::Button => Widget::Button,
                ControlKind::Menu(items) => Widget::Menu(items.clone()),
                ControlKind::Continuous | ControlKind::Integer
                    if knobs.contains(&control.channel) =>
                {
                    Widget::Knob
                }
                ControlKind::Continuous | ControlKind::Integer => Widget::Slider,
            };
            Entry {
                slot,
                control,
                widget,
            }
        })
        .collect()
}

/// Draws the controls, reading and moving the slot parameters through `setter`.
pub fn show(ui: &mut egui::Ui, entries: &[Entry], slots: &SlotParams, setter: &ParamSetter) {
    if entries.is_empty() {
        ui.weak("This patch declares no parameters. Add one with\nchn_k \"cutoff\", 1, 3, 1000, 20, 20000");
        return;
    }
    let hover = |entry: &Entry| {
        format!(
            "channel \"{}\", host parameter {}",
            entry.control.channel,
            entry.slot + 1
        )
    };
    // Knobs side by side, as on a synth's panel, each with its value and name below.
    let (knobs, others): (Vec<&Entry>, Vec<&Entry>) =
        entries.iter().partition(|e| e.widget == Widget::Knob);
    if !knobs.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for entry in knobs {
                let Some(param) = slots.param(entry.slot) else {
                    continue;
                };
                ui.allocate_ui(egui::vec2(76.0, 78.0), |ui| {
                    ui.vertical_centered(|ui| {
                        control(ui, entry, param, setter);
                        ui.small(&entry.control.label).on_hover_text(hover(entry));
                    });
                });
            }
        });
        ui.add_space(6.0);
    }
    egui::Grid::new("parameters")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            for entry in others {
                let Some(param) = slots.param(entry.slot) else {
                    continue;
                };
                ui.label(&entry.control.label).on_hover_text(hover(entry));
                control(ui, entry, param, setter);
                ui.end_row();
            }
        });
}

fn control(
    ui: &mut egui::Ui,
    entry: &Entry,
    param: &nice_plug::prelude::FloatParam,
    setter: &ParamSetter,
) {
    let c = &entry.control;
    let position = param.unmodulated_normalized_value();
    let set = |position: f32| set_once(setter, param, position);
    match &entry.widget {
        Widget::Toggle => {
            let mut on = position >= 0.5;
            if ui.checkbox(&mut on, "").changed() {
                set(if on { 1.0 } else { 0.0 });
            }
        }
        Widget::Button => {
            let response = ui.add(egui::Button::new(&c.label).sense(egui::Sense::drag()));
            if response.drag_started() {
                setter.begin_set_parameter(param);
                setter.set_parameter_normalized(param, 1.0);
            }
            if response.drag_stopped() {
                setter.set_parameter_normalized(param, 0.0);
                setter.end_set_parameter(param);
            }
        }
        Widget::Menu(items) => {
            let value = c.value_at(f64::from(position));
            let index = (value - c.min).round().max(0.0) as usize;
            let shown = items.get(index).cloned().unwrap_or_else(|| c.format(value));
            egui::ComboBox::from_id_salt(("menu", entry.slot))
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (i, item) in items.iter().enumerate() {
                        if ui.selectable_label(i == index, item).clicked() {
                            set(c.position_of(c.min + i as f64) as f32);
                        }
                    }
                });
        }
        Widget::Knob => {
            let mut p = position;
            ui.vertical_centered(|ui| {
                let response = crate::editor::knob::knob(ui, &mut p)
                    .on_hover_text("drag up or down (Shift: fine), double-click: default");
                follow_drag(&response, c, p, param, setter);
                ui.small(c.format(c.value_at(f64::from(p))));
            });
        }
        Widget::Slider => {
            let mut p = position;
            let response = ui.add(
                egui::Slider::new(&mut p, 0.0..=1.0)
                    .show_value(true)
                    .custom_formatter(|p, _| c.format(c.value_at(p)))
                    .custom_parser(|text| c.parse(text).map(|v| c.position_of(v))),
            );
            follow_drag(&response, c, p, param, setter);
        }
    }
}

/// Moves `param` to `position` as one gesture of its own.
pub(crate) fn set_once(
    setter: &ParamSetter,
    param: &nice_plug::prelude::FloatParam,
    position: f32,
) {
    setter.begin_set_parameter(param);
    setter.set_parameter_normalized(param, position);
    setter.end_set_parameter(param);
}

/// Sets `param` from a slider's or knob's `response` at its new position `p`: a drag is
/// one gesture (begin, moves, end) for the host's automation; a click or typed value and
/// a double-click (back to the default) are a gesture each. Positions snap to the
/// control's steps, as the host would.
pub(crate) fn follow_drag(
    response: &egui::Response,
    c: &Control,
    p: f32,
    param: &nice_plug::prelude::FloatParam,
    setter: &ParamSetter,
) {
    let set = |position: f32| set_once(setter, param, position);
    if response.drag_started() {
        setter.begin_set_parameter(param);
    }
    if response.changed() {
        let snapped = c.position_of(c.value_at(f64::from(p))) as f32;
        if response.dragged() {
            setter.set_parameter_normalized(param, snapped);
        } else {
            set(snapped);
        }
    }
    if response.drag_stopped() {
        setter.end_set_parameter(param);
    }
    if response.double_clicked() {
        set(c.position_of(c.default) as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csound_plug_patch::controls::ControlSource;

    fn control(channel: &str, kind: ControlKind) -> Control {
        Control {
            channel: channel.into(),
            label: channel.into(),
            min: 0.0,
            max: 2.0,
            default: 1.0,
            skew: 1.0,
            step: 0.0,
            kind,
            source: ControlSource::Cabbage,
        }
    }

    #[test]
    fn entries_follow_slots_and_widget_kinds() {
        let mut table = SlotTable::default();
        table.set(
            3,
            Some(control(
                "mode",
                ControlKind::Menu(vec!["a".into(), "b".into(), "c".into()]),
            )),
        );
        table.set(0, Some(control("cutoff", ControlKind::Continuous)));
        table.set(7, Some(control("on", ControlKind::Toggle)));
        table.set(9, Some(control("hit", ControlKind::Button)));
        table.set(12, Some(control("voices", ControlKind::Integer)));
        table.set(13, Some(control("drive", ControlKind::Continuous)));
        // A knob only where asked for, and only for a continuous or whole-number control.
        let knobs = ["drive".to_string(), "on".to_string()];
        let entries = entries(&table, &knobs);
        let shown: Vec<(usize, &str, &Widget)> = entries
            .iter()
            .map(|e| (e.slot, e.control.channel.as_str(), &e.widget))
            .collect();
        assert_eq!(
            shown,
            vec![
                (0, "cutoff", &Widget::Slider),
                (
                    3,
                    "mode",
                    &Widget::Menu(vec!["a".into(), "b".into(), "c".into()])
                ),
                (7, "on", &Widget::Toggle),
                (9, "hit", &Widget::Button),
                (12, "voices", &Widget::Slider),
                (13, "drive", &Widget::Knob),
            ]
        );
        assert!(super::entries(&SlotTable::default(), &[]).is_empty());
    }

    #[test]
    fn knobs_come_from_cabbage_rotary_widgets_and_metadata() {
        let code =
            "<CsoundSynthesizer>\n<Cabbage>\nrslider channel(\"cf\"), range(20, 20000, 1000)\n\
                    hslider channel(\"res\"), range(0, 1, 0.5)\n</Cabbage>\n<CsoundPlug>\n\
                    knobs = [\"gain\"]\n</CsoundPlug>\n</CsoundSynthesizer>\n";
        assert_eq!(knobs(code), ["cf", "gain"]);
    }
}
