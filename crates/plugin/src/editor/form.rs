//! The Cabbage form: a Cabbage patch's widgets drawn where its `<Cabbage>` section puts
//! them, in its colours, so its author recognises it. Input widgets move the same host
//! parameters as the generic panel (begin/end gestures through nice-plug's
//! `ParamSetter`); `groupbox`, `label` and `image` are decoration; meters show the
//! patch's output values; a `keyboard` widget plays notes as host MIDI would. Widgets the
//! editor cannot draw keep their place as an outlined box with their type.
//!
//! The form is scaled down to fit the pane (never up), its top-left corner at the pane's.
//! Identifiers the patch changes at run time (`cabbageSet`) are applied with
//! [`FormView::update`].

use super::panel::{follow_drag, set_once, Entry};
use super::piano::Piano;
use crate::keyboard::OnScreenKeyboard;
use crate::slots::SlotParams;
use csound_plug_engine::channels::OutputValues;
use csound_plug_patch::controls::ControlKind;
use csound_plug_patch::layout::{Form, Placed, Rgba};
use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use nice_plug::prelude::{FloatParam, Param, ParamSetter};
use std::collections::HashMap;

/// The form's background when the section gives none (Cabbage's dark grey).
const FORM_COLOUR: Color32 = Color32::from_rgb(45, 52, 56);
/// Text on widgets that give no font colour.
const TEXT_COLOUR: Color32 = Color32::from_rgb(220, 220, 220);
/// The smallest scale the form is drawn at before the pane scrolls instead.
const MIN_SCALE: f32 = 0.4;

/// A Cabbage form and what its keyboards hold between frames.
pub struct FormView {
    /// The form, with run-time changes applied.
    pub form: Form,
    /// One keyboard state per `keyboard` widget, by widget index.
    pianos: HashMap<usize, Piano>,
}

/// What a click on the form asks the editor to do.
#[derive(Debug, Clone, PartialEq)]
pub enum FormAction {
    /// A `filebutton` was pressed: choose a file for its string channel.
    ChooseFile {
        /// The channel.
        channel: String,
    },
}

/// What the form's widgets work on.
pub struct Links<'a> {
    /// The panel's controls (slot and declaration), looked up by channel.
    pub entries: &'a [Entry],
    /// The host parameters.
    pub slots: &'a SlotParams,
    /// Where parameter changes go, as gestures.
    pub setter: &'a ParamSetter<'a>,
    /// The patch's output values, for meters.
    pub outputs: &'a OutputValues,
    /// Where keyboard widgets send notes.
    pub keyboard: &'a OnScreenKeyboard,
    /// The string channels the patch's metadata sets (`[strings]`: files chosen).
    pub strings: &'a std::collections::BTreeMap<String, String>,
}

/// The scale the form is drawn at in `available` points: down to fit, never up.
pub fn scale_to_fit(size: [f32; 2], available: Vec2) -> f32 {
    let fit = (available.x / size[0].max(1.0)).min(available.y / size[1].max(1.0));
    fit.clamp(MIN_SCALE, 1.0)
}

/// `bounds` in a form drawn at `origin`, `scale`.
pub fn placed_rect(bounds: [f32; 4], origin: Pos2, scale: f32) -> Rect {
    Rect::from_min_size(
        origin + Vec2::new(bounds[0], bounds[1]) * scale,
        Vec2::new(bounds[2], bounds[3]) * scale,
    )
}

fn colour(rgba: Option<Rgba>, default: Color32) -> Color32 {
    rgba.map_or(default, |[r, g, b, a]| {
        Color32::from_rgba_unmultiplied(r, g, b, a)
    })
}

impl FormView {
    /// The view of `form`.
    pub fn new(form: Form) -> Self {
        Self {
            form,
            pianos: HashMap::new(),
        }
    }

    /// Applies identifiers the patch set at run time (`visible(0)`, `text("…")`, …) to
    /// the widgets with `channel`.
    pub fn update(&mut self, channel: &str, identifiers: &str) {
        for widget in self.form.widgets.iter_mut() {
            if widget.has_channel(channel) {
                widget.apply_text(identifiers);
            }
        }
    }

    /// Draws the form at the top-left of `ui`; what a click asks for beyond moving a
    /// parameter comes back.
    pub fn show(&mut self, ui: &mut egui::Ui, links: &Links) -> Option<FormAction> {
        let mut action = None;
        let scale = scale_to_fit(self.form.size, ui.available_size());
        let size = Vec2::new(self.form.size[0], self.form.size[1]) * scale;
        egui::ScrollArea::both().show(ui, |ui| {
            let (area, _) = ui.allocate_exact_size(size, Sense::hover());
            ui.painter()
                .rect_filled(area, 0.0, colour(self.form.colour, FORM_COLOUR));
            let by_channel: HashMap<&str, &Entry> = links
                .entries
                .iter()
                .map(|e| (e.control.channel.as_str(), e))
                .collect();
            let shown = self.form.shown();
            for (index, widget) in self.form.widgets.iter().enumerate() {
                if !shown[index] {
                    continue;
                }
                let rect = placed_rect(widget.bounds, area.min, scale);
                if rect.width() <= 0.0 || rect.height() <= 0.0 {
                    continue;
                }
                let id = ui.scope_id().with(("cabbage-widget", index));
                let sense = if widget.active {
                    Sense::click_and_drag()
                } else {
                    Sense::hover()
                };
                let piano = self.pianos.entry(index).or_default();
                let controls: Vec<(&Entry, &FloatParam)> = widget
                    .channels
                    .iter()
                    .filter_map(|c| by_channel.get(c.as_str()).copied())
                    .filter_map(|e| Some((e, links.slots.param(e.slot)?)))
                    .collect();
                let mut ui = ui.new_child(egui::UiBuilder::new().max_rect(rect).id_salt(id));
                ui.set_clip_rect(rect.intersect(area));
                let asked = draw(
                    &mut ui, widget, rect, id, sense, scale, &controls, links, piano,
                );
                if action.is_none() {
                    action = asked;
                }
            }
        });
        action
    }
}

/// One widget in `rect`; a click that asks the editor for more comes back.
#[allow(clippy::too_many_arguments)]
fn draw(
    ui: &mut egui::Ui,
    widget: &Placed,
    rect: Rect,
    id: egui::Id,
    sense: Sense,
    scale: f32,
    controls: &[(&Entry, &FloatParam)],
    links: &Links,
    piano: &mut Piano,
) -> Option<FormAction> {
    let painter = ui.painter().clone();
    let font = colour(widget.font_colour, TEXT_COLOUR);
    let corners = widget.corners * scale;
    let text = widget.text.first().map(String::as_str).unwrap_or("");
    let small = FontId::proportional((12.0 * scale).max(8.0));
    let fill = |default| colour(widget.colour, default);
    let outline = Stroke::new(
        widget.outline_thickness * scale,
        colour(widget.outline_colour, Color32::from_gray(120)),
    );
    match widget.kind.as_str() {
        "groupbox" => {
            painter.rect(
                rect,
                corners.max(4.0 * scale),
                fill(Color32::from_rgb(35, 41, 44)),
                Stroke::new(1.0, colour(widget.outline_colour, Color32::from_gray(90))),
                StrokeKind::Inside,
            );
            painter.text(
                rect.center_top() + Vec2::new(0.0, 3.0 * scale),
                Align2::CENTER_TOP,
                text,
                small,
                font,
            );
        }
        "image" => {
            let fill = fill(Color32::WHITE);
            if widget.shape.as_deref() == Some("ellipse") {
                painter.add(egui::epaint::EllipseShape {
                    center: rect.center(),
                    radius: rect.size() / 2.0,
                    fill,
                    stroke: outline,
                    angle: 0.0,
                });
            } else {
                painter.rect(rect, corners, fill, outline, StrokeKind::Inside);
            }
        }
        "label" => {
            painter.rect_filled(rect, corners, fill(Color32::TRANSPARENT));
            let (anchor, at) = match widget.align.as_deref() {
                Some("left") => (Align2::LEFT_CENTER, rect.left_center()),
                Some("right") => (Align2::RIGHT_CENTER, rect.right_center()),
                _ => (Align2::CENTER_CENTER, rect.center()),
            };
            let size = (rect.height() * 0.8).clamp(6.0, 48.0);
            painter.text(at, anchor, text, FontId::proportional(size), font);
        }
        "rslider" | "encoder" => {
            let Some(&(entry, param)) = controls.first() else {
                return missing(&painter, widget, rect, scale);
            };
            let label_height = if text.is_empty() { 0.0 } else { 14.0 * scale };
            let knob_rect = Rect::from_min_max(rect.min, rect.max - Vec2::new(0.0, label_height));
            let side = knob_rect.width().min(knob_rect.height());
            let knob_rect = Rect::from_center_size(knob_rect.center(), Vec2::splat(side));
            let response = ui.interact(knob_rect, id, sense);
            let mut p = param.unmodulated_normalized_value();
            let tracker = widget.tracker_colour.or(widget.colour);
            let tracker = tracker.map(|c| colour(Some(c), Color32::WHITE));
            let response = super::knob::knob_at(ui, knob_rect, &mut p, response, tracker);
            let c = &entry.control;
            let response = response.on_hover_text(format!(
                "{}: {}",
                c.channel,
                c.format(c.value_at(f64::from(p)))
            ));
            follow_drag(&response, c, p, param, links.setter);
            if !text.is_empty() {
                painter.text(
                    rect.center_bottom(),
                    Align2::CENTER_BOTTOM,
                    text,
                    small,
                    font,
                );
            }
        }
        "hslider" | "hslider2" | "hslider3" | "vslider" | "vslider2" | "vslider3" | "nslider" => {
            let Some(&(entry, param)) = controls.first() else {
                return missing(&painter, widget, rect, scale);
            };
            let c = &entry.control;
            let vertical = widget.kind.starts_with('v');
            let mut p = param.unmodulated_normalized_value();
            let value = c.format(c.value_at(f64::from(p)));
            let response = ui.interact(rect, id, sense);
            let response = if widget.kind == "nslider" {
                // A number box: drag up or right to raise it.
                painter.rect(
                    rect,
                    2.0,
                    fill(Color32::from_gray(20)),
                    outline,
                    StrokeKind::Inside,
                );
                let shown = if text.is_empty() {
                    value
                } else {
                    format!("{text} {value}")
                };
                painter.text(rect.center(), Align2::CENTER_CENTER, shown, small, font);
                let mut response = response;
                if response.dragged() {
                    let moved = super::knob::dragged(p, response.drag_delta(), false);
                    if moved != p {
                        p = moved;
                        response.mark_changed();
                    }
                }
                response
            } else {
                linear(
                    ui, rect, vertical, &mut p, response, widget, text, &value, scale,
                )
            };
            follow_drag(&response, c, p, param, links.setter);
        }
        "checkbox" => {
            let Some(&(_, param)) = controls.first() else {
                return missing(&painter, widget, rect, scale);
            };
            let on = param.unmodulated_normalized_value() >= 0.5;
            let response = ui.interact(rect, id, sense);
            if response.clicked() {
                set_once(links.setter, param, if on { 0.0 } else { 1.0 });
            }
            let side = rect.height().min(rect.width());
            let square = Rect::from_min_size(rect.min, Vec2::splat(side));
            let lit = if on {
                colour(widget.colour, Color32::from_rgb(90, 200, 90))
            } else {
                colour(widget.off_colour, Color32::from_gray(30))
            };
            painter.rect(
                square.shrink(1.0),
                corners.min(side / 2.0),
                lit,
                Stroke::new(1.0, Color32::from_gray(140)),
                StrokeKind::Inside,
            );
            painter.text(
                square.right_center() + Vec2::new(4.0 * scale, 0.0),
                Align2::LEFT_CENTER,
                text,
                small,
                font,
            );
        }
        "button" => {
            let Some(&(entry, param)) = controls.first() else {
                return missing(&painter, widget, rect, scale);
            };
            let response = ui.interact(rect, id, sense);
            if entry.control.kind == ControlKind::Button {
                // `latched(0)`: on while pressed.
                if response.drag_started() {
                    links.setter.begin_set_parameter(param);
                    links.setter.set_parameter_normalized(param, 1.0);
                }
                if response.drag_stopped() {
                    links.setter.set_parameter_normalized(param, 0.0);
                    links.setter.end_set_parameter(param);
                }
            } else if response.clicked() {
                // Cabbage's default: each click turns it on or off.
                let on = param.unmodulated_normalized_value() >= 0.5;
                set_once(links.setter, param, if on { 0.0 } else { 1.0 });
            }
            let on = param.unmodulated_normalized_value() >= 0.5;
            let lit = if on {
                colour(widget.colour, Color32::from_gray(90))
            } else {
                colour(widget.off_colour, Color32::from_gray(20))
            };
            let shown = match (on, widget.text.get(1)) {
                (true, Some(on_text)) => on_text.as_str(),
                _ => text,
            };
            button_face(&painter, rect, corners, lit, shown, small, font);
        }
        "combobox" | "optionbutton" => {
            let Some(&(entry, param)) = controls.first() else {
                return missing(&painter, widget, rect, scale);
            };
            let c = &entry.control;
            let items = match &c.kind {
                ControlKind::Menu(items) => items.clone(),
                _ => Vec::new(),
            };
            let value = c.value_at(f64::from(param.unmodulated_normalized_value()));
            let index = (value - c.min).round().max(0.0) as usize;
            let shown = items.get(index).cloned().unwrap_or_else(|| c.format(value));
            if widget.kind == "optionbutton" {
                let response = ui.interact(rect, id, sense);
                if response.clicked() && !items.is_empty() {
                    let next = (index + 1) % items.len();
                    set_once(
                        links.setter,
                        param,
                        c.position_of(c.min + next as f64) as f32,
                    );
                }
                let face = fill(Color32::from_gray(20));
                button_face(&painter, rect, corners, face, &shown, small, font);
            } else {
                ui.add_enabled_ui(widget.active, |ui| {
                    ui.spacing_mut().interact_size.y = rect.height();
                    egui::ComboBox::from_id_salt(id.with("menu"))
                        .width(rect.width())
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            for (i, item) in items.iter().enumerate() {
                                if ui.selectable_label(i == index, item).clicked() {
                                    set_once(
                                        links.setter,
                                        param,
                                        c.position_of(c.min + i as f64) as f32,
                                    );
                                }
                            }
                        });
                });
            }
        }
        "xypad" => {
            painter.rect(
                rect,
                corners,
                fill(Color32::from_gray(25)),
                Stroke::new(1.0, Color32::from_gray(90)),
                StrokeKind::Inside,
            );
            let [Some(&(_, x)), Some(&(_, y))] = [controls.first(), controls.get(1)] else {
                return missing(&painter, widget, rect, scale);
            };
            let response = ui.interact(rect, id, sense);
            if response.drag_started() {
                links.setter.begin_set_parameter(x);
                links.setter.begin_set_parameter(y);
            }
            if let Some(at) = response
                .interact_pointer_pos()
                .filter(|_| response.dragged())
            {
                let px = ((at.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
                let py = 1.0 - ((at.y - rect.top()) / rect.height()).clamp(0.0, 1.0);
                links.setter.set_parameter_normalized(x, px);
                links.setter.set_parameter_normalized(y, py);
            }
            if response.drag_stopped() {
                links.setter.end_set_parameter(x);
                links.setter.end_set_parameter(y);
            }
            let point = Pos2::new(
                rect.left() + rect.width() * x.unmodulated_normalized_value(),
                rect.bottom() - rect.height() * y.unmodulated_normalized_value(),
            );
            painter.circle_filled(point, 6.0 * scale, font);
        }
        "hrange" | "vrange" => {
            // Its two ends as two sliders side by side.
            let vertical = widget.kind == "vrange";
            let halves = if vertical {
                let half = rect.width() / 2.0;
                [
                    Rect::from_min_size(rect.min, Vec2::new(half, rect.height())),
                    Rect::from_min_size(
                        rect.min + Vec2::new(half, 0.0),
                        Vec2::new(half, rect.height()),
                    ),
                ]
            } else {
                let half = rect.height() / 2.0;
                [
                    Rect::from_min_size(rect.min, Vec2::new(rect.width(), half)),
                    Rect::from_min_size(
                        rect.min + Vec2::new(0.0, half),
                        Vec2::new(rect.width(), half),
                    ),
                ]
            };
            if controls.len() < 2 {
                return missing(&painter, widget, rect, scale);
            }
            for (i, (&(entry, param), half)) in controls.iter().zip(halves).enumerate() {
                let c = &entry.control;
                let mut p = param.unmodulated_normalized_value();
                let value = c.format(c.value_at(f64::from(p)));
                let response = ui.interact(half, id.with(i), sense);
                let response = linear(
                    ui, half, vertical, &mut p, response, widget, "", &value, scale,
                );
                follow_drag(&response, c, p, param, links.setter);
            }
        }
        "vmeter" | "hmeter" | "meter" => {
            let value = widget
                .channels
                .first()
                .and_then(|c| links.outputs.get(c))
                .unwrap_or(0.0)
                .clamp(0.0, 1.0) as f32;
            painter.rect_filled(rect, corners, Color32::from_gray(15));
            let lit = if widget.kind == "hmeter" {
                Rect::from_min_size(rect.min, Vec2::new(rect.width() * value, rect.height()))
            } else {
                Rect::from_min_max(
                    Pos2::new(rect.left(), rect.bottom() - rect.height() * value),
                    rect.max,
                )
            };
            painter.rect_filled(lit, corners, fill(Color32::from_rgb(90, 200, 90)));
        }
        "keyboard" => {
            let response = ui.interact(rect, id, sense);
            piano.show_at(ui, rect, &response, links.keyboard);
        }
        "filebutton" => {
            let response = ui.interact(rect, id, sense);
            let chosen = widget
                .channels
                .first()
                .and_then(|c| links.strings.get(c.as_str()));
            let face = colour(widget.off_colour.or(widget.colour), Color32::from_gray(20));
            let shown = if text.is_empty() { "Open file" } else { text };
            button_face(&painter, rect, corners, face, shown, small, font);
            let response = response.on_hover_text(match chosen {
                Some(file) => format!("{file} (click to choose another)"),
                None => "Choose a file".to_string(),
            });
            if response.clicked() {
                return widget
                    .channels
                    .first()
                    .map(|channel| FormAction::ChooseFile {
                        channel: channel.clone(),
                    });
            }
        }
        _ => return missing(&painter, widget, rect, scale),
    }
    None
}

/// A button's face: `fill` with a thin outline (corners at least 2 points) and `text`
/// in its middle.
fn button_face(
    painter: &egui::Painter,
    rect: Rect,
    corners: f32,
    fill: Color32,
    text: &str,
    font: FontId,
    colour: Color32,
) {
    let outline = Stroke::new(1.0, Color32::from_gray(120));
    painter.rect(rect, corners.max(2.0), fill, outline, StrokeKind::Inside);
    painter.text(rect.center(), Align2::CENTER_CENTER, text, font, colour);
}

/// A widget drawn as its place only: an outline and its type. Nothing to ask for.
fn missing(painter: &egui::Painter, widget: &Placed, rect: Rect, scale: f32) -> Option<FormAction> {
    painter.rect_stroke(
        rect,
        2.0,
        Stroke::new(1.0, Color32::from_gray(90)),
        StrokeKind::Inside,
    );
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        &widget.kind,
        FontId::proportional((11.0 * scale).max(8.0)),
        Color32::from_gray(130),
    );
    None
}

/// A slider along `rect`: drag or click to move; its text and value on it.
#[allow(clippy::too_many_arguments)]
fn linear(
    ui: &egui::Ui,
    rect: Rect,
    vertical: bool,
    position: &mut f32,
    mut response: egui::Response,
    widget: &Placed,
    text: &str,
    value: &str,
    scale: f32,
) -> egui::Response {
    if let Some(at) = response
        .interact_pointer_pos()
        .filter(|_| response.dragged() || response.clicked())
    {
        let moved = if vertical {
            1.0 - (at.y - rect.top()) / rect.height()
        } else {
            (at.x - rect.left()) / rect.width()
        }
        .clamp(0.0, 1.0);
        if moved != *position {
            *position = moved;
            response.mark_changed();
        }
    }
    let painter = ui.painter();
    let thickness = (if vertical {
        rect.width()
    } else {
        rect.height()
    } * 0.3)
        .clamp(2.0, 8.0);
    let track = if vertical {
        Rect::from_center_size(rect.center(), Vec2::new(thickness, rect.height()))
    } else {
        Rect::from_center_size(rect.center(), Vec2::new(rect.width(), thickness))
    };
    painter.rect_filled(track, thickness / 2.0, Color32::from_gray(20));
    let lit = if vertical {
        Rect::from_min_max(
            Pos2::new(track.left(), track.bottom() - track.height() * *position),
            track.max,
        )
    } else {
        Rect::from_min_size(track.min, Vec2::new(track.width() * *position, thickness))
    };
    let tracker = colour(
        widget.tracker_colour.or(widget.colour),
        ui.visuals().selection.bg_fill,
    );
    painter.rect_filled(lit, thickness / 2.0, tracker);
    let thumb = if vertical {
        Pos2::new(rect.center().x, lit.top())
    } else {
        Pos2::new(lit.right(), rect.center().y)
    };
    painter.circle_filled(thumb, thickness * 0.9, Color32::from_gray(230));
    let font = colour(widget.text_colour.or(widget.font_colour), TEXT_COLOUR);
    let small = FontId::proportional((11.0 * scale).max(8.0));
    let caption = if text.is_empty() {
        value.to_string()
    } else {
        format!("{text}: {value}")
    };
    let at = if vertical {
        rect.center_bottom()
    } else {
        rect.left_top()
    };
    let anchor = if vertical {
        Align2::CENTER_BOTTOM
    } else {
        Align2::LEFT_TOP
    };
    painter.text(at, anchor, caption, small, font);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_scaled_down_to_fit_and_never_up() {
        assert_eq!(scale_to_fit([400.0, 300.0], Vec2::new(800.0, 600.0)), 1.0);
        assert_eq!(scale_to_fit([800.0, 300.0], Vec2::new(400.0, 600.0)), 0.5);
        assert_eq!(
            scale_to_fit([800.0, 600.0], Vec2::new(400.0, 150.0)),
            MIN_SCALE
        );
        let rect = placed_rect([10.0, 20.0, 30.0, 40.0], Pos2::new(100.0, 50.0), 0.5);
        assert_eq!(
            rect,
            Rect::from_min_size(Pos2::new(105.0, 60.0), Vec2::new(15.0, 20.0))
        );
    }

    #[test]
    fn run_time_updates_reach_the_widgets_with_the_channel() {
        let code = "<CsoundSynthesizer>\n<Cabbage>\nform size(200, 100)\n\
                    label bounds(0, 0, 50, 20), channel(\"title\"), text(\"a\")\n\
                    rslider bounds(60, 0, 50, 50), channel(\"gain\")\n</Cabbage>\n</CsoundSynthesizer>\n";
        let mut view = FormView::new(csound_plug_patch::layout::cabbage_form(code).unwrap());
        view.update("title", "text(\"Now\") visible(0)");
        assert_eq!(view.form.widgets[0].text, ["Now"]);
        assert!(!view.form.widgets[0].visible);
        assert!(
            view.form.widgets[1].visible,
            "another channel is left alone"
        );
    }
}
