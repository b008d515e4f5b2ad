//! A rotary knob over a position in 0..=1: drag up or right to turn it up (Shift for fine
//! moves), scroll to nudge it; 0 sits at seven o'clock and 1 at five o'clock, as on
//! hardware.

use egui::{Color32, Pos2, Response, Sense, Shape, Stroke, Ui, Vec2};
use std::f32::consts::PI;

/// Diameter in points.
const SIZE: f32 = 34.0;
/// Where 0 sits, in radians clockwise from twelve o'clock; 1 sits at the mirror angle.
const START: f32 = -0.75 * PI;
/// Position change per point dragged.
const SPEED: f32 = 0.005;
/// With Shift held.
const FINE: f32 = 0.0005;

/// The angle (clockwise from twelve o'clock) that shows `position`.
pub fn angle(position: f32) -> f32 {
    START + position.clamp(0.0, 1.0) * -2.0 * START
}

/// The position after a drag of `delta` points (screen y grows downwards).
pub fn dragged(position: f32, delta: Vec2, fine: bool) -> f32 {
    let speed = if fine { FINE } else { SPEED };
    (position + (delta.x - delta.y) * speed).clamp(0.0, 1.0)
}

/// The point at `angle` (clockwise from twelve o'clock) and `radius` from `center`.
fn at(center: Pos2, angle: f32, radius: f32) -> Pos2 {
    center + Vec2::new(angle.sin(), -angle.cos()) * radius
}

/// An arc from `from` to `to` (angles as above).
fn arc(center: Pos2, radius: f32, from: f32, to: f32, stroke: Stroke) -> Shape {
    let steps = (((to - from).abs() / PI) * 24.0).ceil().max(1.0) as usize;
    let points = (0..=steps)
        .map(|i| at(center, from + (to - from) * i as f32 / steps as f32, radius))
        .collect();
    Shape::line(points, stroke)
}

/// Draws the knob and turns `position` as the user drags or scrolls it; the response is
/// `changed` when it moved.
pub fn knob(ui: &mut Ui, position: &mut f32) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(SIZE), Sense::click_and_drag());
    knob_at(ui, rect, position, response, None)
}

/// The knob drawn in `rect` (a Cabbage `rslider`'s bounds), following `response` (the
/// rect's interaction), its value arc in `colour` when given.
pub fn knob_at(
    ui: &mut Ui,
    rect: egui::Rect,
    position: &mut f32,
    mut response: Response,
    colour: Option<Color32>,
) -> Response {
    let fine = ui.input(|i| i.modifiers.shift);
    if response.dragged() {
        let moved = dragged(*position, response.drag_delta(), fine);
        if moved != *position {
            *position = moved;
            response.mark_changed();
        }
    }
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta);
        if scroll != Vec2::ZERO {
            let moved = dragged(*position, Vec2::new(0.0, -scroll.y * 0.2), fine);
            if moved != *position {
                *position = moved;
                response.mark_changed();
            }
        }
    }
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let center = rect.center();
        let size = rect.width().min(rect.height());
        let width = (size / 8.5).clamp(2.0, 8.0);
        let radius = size / 2.0 - width / 2.0 - 1.0;
        let painter = ui.painter();
        painter.circle_filled(center, (radius - width).max(1.0), visuals.bg_fill);
        let track = Stroke::new(width, ui.visuals().extreme_bg_color);
        painter.add(arc(center, radius, START, -START, track));
        let fill = colour.unwrap_or(ui.visuals().selection.bg_fill);
        painter.add(arc(
            center,
            radius,
            START,
            angle(*position),
            Stroke::new(width, fill),
        ));
        let pointer = Stroke::new(2.0, Color32::from_gray(230));
        painter.line_segment(
            [
                at(center, angle(*position), 3.0),
                at(center, angle(*position), (radius - width - 1.0).max(3.0)),
            ],
            pointer,
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_to_a_three_quarter_turn() {
        assert!((angle(0.0) + 0.75 * PI).abs() < 1e-6);
        assert!(angle(0.5).abs() < 1e-6, "the middle points up");
        assert!((angle(1.0) - 0.75 * PI).abs() < 1e-6);
        assert_eq!(angle(2.0), angle(1.0));
    }

    #[test]
    fn dragging_up_or_right_turns_it_up() {
        assert!(dragged(0.5, Vec2::new(0.0, -10.0), false) > 0.5);
        assert!(dragged(0.5, Vec2::new(10.0, 0.0), false) > 0.5);
        assert!(dragged(0.5, Vec2::new(0.0, 10.0), false) < 0.5);
        let coarse = dragged(0.5, Vec2::new(0.0, -10.0), false) - 0.5;
        let fine = dragged(0.5, Vec2::new(0.0, -10.0), true) - 0.5;
        assert!(fine < coarse / 5.0);
        assert_eq!(dragged(0.99, Vec2::new(0.0, -100.0), false), 1.0);
        assert_eq!(dragged(0.01, Vec2::new(0.0, 100.0), false), 0.0);
    }
}
