//! The on-screen keyboard under the parameters: two octaves and a C, shifted by octaves,
//! played with the mouse (velocity from how low on the key it is pressed). Its notes go to
//! the audio thread through [`crate::keyboard::OnScreenKeyboard`], as host MIDI would.
//!
//! [`key_at`] is the model (which key is under a point), tested without a window.

use crate::keyboard::OnScreenKeyboard;
use egui::{Color32, Pos2, Rect, Sense, Stroke, StrokeKind};

/// White keys shown: two octaves and the next C.
const WHITE_KEYS: usize = 15;
/// Semitones above the octave's C of each white key.
const WHITE: [u8; 7] = [0, 2, 4, 5, 7, 9, 11];
/// The black keys: semitone, and the white key (0–6) whose right edge it straddles.
const BLACK: [(u8, usize); 5] = [(1, 0), (3, 1), (6, 3), (8, 4), (10, 5)];
/// Black keys' height and width, as shares of the white keys'.
const BLACK_HEIGHT: f32 = 0.6;
const BLACK_WIDTH: f32 = 0.6;
/// Height of the keys in points.
const HEIGHT: f32 = 64.0;

/// The keyboard's state between frames.
pub struct Piano {
    /// The lowest key shown (a C).
    pub lowest: u8,
    /// The key the mouse holds down.
    held: Option<u8>,
}

impl Default for Piano {
    fn default() -> Self {
        Self {
            lowest: 48,
            held: None,
        }
    }
}

/// The key under `point` in `rect` for a keyboard starting at `lowest`, and the velocity
/// pressing there gives (softer near the top of the key); black keys are on top.
pub fn key_at(rect: Rect, lowest: u8, point: Pos2) -> Option<(u8, u8)> {
    key_among(rect, lowest, WHITE_KEYS, point)
}

/// [`key_at`] for a keyboard of `white_keys` white keys.
fn key_among(rect: Rect, lowest: u8, white_keys: usize, point: Pos2) -> Option<(u8, u8)> {
    if !rect.contains(point) {
        return None;
    }
    let white_width = rect.width() / white_keys as f32;
    let depth = ((point.y - rect.top()) / rect.height()).clamp(0.0, 1.0);
    let velocity = (30.0 + 97.0 * depth).round() as u8;
    let x = point.x - rect.left();
    if depth < BLACK_HEIGHT {
        for (white_index, right_edge) in (1..white_keys).map(|i| (i - 1, i as f32 * white_width)) {
            let octave = white_index / 7;
            if let Some(&(semitone, _)) = BLACK.iter().find(|(_, w)| *w == white_index % 7) {
                let half = white_width * BLACK_WIDTH / 2.0;
                if (x - right_edge).abs() <= half {
                    let key = lowest as usize + 12 * octave + semitone as usize;
                    return Some((key.min(127) as u8, velocity));
                }
            }
        }
    }
    let white_index = ((x / white_width) as usize).min(white_keys - 1);
    let key = lowest as usize + 12 * (white_index / 7) + WHITE[white_index % 7] as usize;
    Some((key.min(127) as u8, velocity))
}

impl Piano {
    /// Draws the keyboard across the width of `ui` and plays what the mouse presses.
    pub fn show(&mut self, ui: &mut egui::Ui, keyboard: &OnScreenKeyboard) {
        ui.horizontal(|ui| {
            ui.strong("Keyboard");
            if ui
                .small_button("<")
                .on_hover_text("An octave down")
                .clicked()
                && self.lowest >= 12
            {
                self.lowest -= 12;
            }
            ui.weak(format!("C{}", i32::from(self.lowest) / 12 - 1));
            if ui.small_button(">").on_hover_text("An octave up").clicked() && self.lowest <= 84 {
                self.lowest += 12;
            }
        });
        let width = ui.available_width();
        let (rect, response) =
            ui.allocate_exact_size(egui::vec2(width, HEIGHT), Sense::click_and_drag());
        self.play(ui, rect, &response, WHITE_KEYS, keyboard);
    }

    /// A keyboard filling `rect` (a Cabbage `keyboard` widget's bounds), about as many
    /// white keys as fit 20 points wide, ending on a C; `response` is the rect's
    /// interaction.
    pub fn show_at(
        &mut self,
        ui: &egui::Ui,
        rect: Rect,
        response: &egui::Response,
        keyboard: &OnScreenKeyboard,
    ) {
        let octaves = (rect.width() / (20.0 * 7.0)).round().clamp(1.0, 7.0) as usize;
        self.play(ui, rect, response, 7 * octaves + 1, keyboard);
    }

    /// Plays the key the mouse holds in `rect` and draws the keys.
    fn play(
        &mut self,
        ui: &egui::Ui,
        rect: Rect,
        response: &egui::Response,
        white_keys: usize,
        keyboard: &OnScreenKeyboard,
    ) {
        let pressed = response
            .is_pointer_button_down_on()
            .then(|| response.interact_pointer_pos())
            .flatten()
            .and_then(|point| key_among(rect, self.lowest, white_keys, point));
        match (self.held, pressed) {
            (Some(held), Some((key, _))) if held == key => {}
            (held, now) => {
                if let Some(held) = held {
                    keyboard.release(held);
                }
                if let Some((key, velocity)) = now {
                    keyboard.press(key, velocity);
                }
                self.held = now.map(|(key, _)| key);
            }
        }
        self.paint(ui, rect, white_keys);
    }

    fn paint(&self, ui: &egui::Ui, rect: Rect, white_keys: usize) {
        let painter = ui.painter_at(rect);
        let white_width = rect.width() / white_keys as f32;
        let pressed = Color32::from_rgb(90, 160, 230);
        let outline = Stroke::new(1.0, Color32::from_gray(60));
        for i in 0..white_keys {
            let key = self.lowest as usize + 12 * (i / 7) + WHITE[i % 7] as usize;
            let left = rect.left() + i as f32 * white_width;
            let key_rect = Rect::from_min_max(
                egui::pos2(left, rect.top()),
                egui::pos2(left + white_width, rect.bottom()),
            );
            let fill = if self.held.map(usize::from) == Some(key) {
                pressed
            } else {
                Color32::from_gray(235)
            };
            painter.rect(key_rect, 2.0, fill, outline, StrokeKind::Inside);
        }
        for i in 1..white_keys {
            let white_index = i - 1;
            let Some(&(semitone, _)) = BLACK.iter().find(|(_, w)| *w == white_index % 7) else {
                continue;
            };
            let key = self.lowest as usize + 12 * (white_index / 7) + semitone as usize;
            let centre = rect.left() + i as f32 * white_width;
            let half = white_width * BLACK_WIDTH / 2.0;
            let key_rect = Rect::from_min_max(
                egui::pos2(centre - half, rect.top()),
                egui::pos2(centre + half, rect.top() + rect.height() * BLACK_HEIGHT),
            );
            let fill = if self.held.map(usize::from) == Some(key) {
                pressed
            } else {
                Color32::from_gray(25)
            };
            painter.rect(key_rect, 2.0, fill, outline, StrokeKind::Inside);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_under_a_point_black_keys_on_top() {
        // 15 white keys of 20 points: C3 (48) at the left.
        let rect = Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(300.0, 100.0));
        let key = |x: f32, y: f32| key_at(rect, 48, egui::pos2(x, y)).map(|(k, _)| k);
        assert_eq!(key(10.0, 90.0), Some(48)); // C, low on the key
        assert_eq!(key(20.0, 30.0), Some(49)); // C# between C and D
        assert_eq!(key(20.0, 80.0), Some(50)); // below the black key: D
        assert_eq!(key(30.0, 30.0), Some(50)); // D between the black keys
        assert_eq!(key(60.0, 30.0), Some(53)); // E|F: no black key, F's left edge
        assert_eq!(key(150.0, 90.0), Some(60)); // the second C
        assert_eq!(key(299.0, 90.0), Some(72)); // the last C
        assert_eq!(key(310.0, 50.0), None);
        // Softer at the top of a key.
        let soft = key_at(rect, 48, egui::pos2(10.0, 1.0)).unwrap().1;
        let hard = key_at(rect, 48, egui::pos2(10.0, 99.0)).unwrap().1;
        assert!(soft < 40 && hard > 120, "{soft} {hard}");
    }
}
