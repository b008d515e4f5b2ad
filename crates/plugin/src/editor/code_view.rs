//! The code view: the patch text with line numbers, Csound colours, error lines marked
//! in the gutter with their message beside them, find, and Csound-friendly indentation
//! (Tab inserts two spaces, Enter keeps the line's indentation).

use super::highlight::{highlight, Token};
use csound_plug_patch::embedded::{fold, Folded, FoldedFile};
use egui::{
    self,
    text::{CCursor, CCursorRange, LayoutJob, TextFormat},
    Color32, FontId, Key,
};
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Spaces a Tab inserts.
const INDENT: &str = "  ";
/// Code font size in points.
const FONT_SIZE: f32 = 13.0;

/// The colour of each token kind (on the dark theme).
pub fn colour(token: Token) -> Color32 {
    match token {
        Token::Text => Color32::from_rgb(212, 212, 212),
        Token::Comment => Color32::from_rgb(106, 153, 85),
        Token::String => Color32::from_rgb(206, 145, 120),
        Token::Number => Color32::from_rgb(181, 206, 168),
        Token::Keyword => Color32::from_rgb(197, 134, 192),
        Token::Opcode => Color32::from_rgb(86, 156, 214),
        Token::PField => Color32::from_rgb(255, 198, 109),
        Token::IVar => Color32::from_rgb(156, 220, 254),
        Token::KVar => Color32::from_rgb(78, 201, 176),
        Token::AVar => Color32::from_rgb(220, 220, 170),
        Token::SVar => Color32::from_rgb(214, 157, 133),
        Token::FVar => Color32::from_rgb(184, 215, 163),
        Token::Tag => Color32::from_rgb(128, 128, 128),
        Token::Label => Color32::from_rgb(200, 200, 120),
    }
}

/// The editable code and what the view remembers between frames.
pub struct CodeView {
    /// The text being edited: the code with its embedded files folded.
    text: String,
    /// The embedded files folded out of `text`, to put back.
    folded: Folded,
    opcodes: Arc<HashSet<String>>,
    /// Highlighting of the last text seen, by hash: large files stay responsive.
    cached: Option<(u64, LayoutJob)>,
    /// A line (1-based) to put the cursor on and show, at the next frame.
    jump: Option<usize>,
    /// The find bar: open, and what it looks for.
    find: Option<String>,
    /// Where the last find match started (char index), to find the next one.
    last_match: Option<usize>,
}

impl CodeView {
    /// A view of `code`, colouring the words in `opcodes` as opcodes.
    pub fn new(code: &str, opcodes: Arc<HashSet<String>>) -> Self {
        let folded = fold(code);
        Self {
            text: folded.text.clone(),
            folded,
            opcodes,
            cached: None,
            jump: None,
            find: None,
            last_match: None,
        }
    }

    /// The code as edited, embedded files unfolded.
    pub fn code(&self) -> String {
        self.folded.unfold(&self.text)
    }

    /// Shows `code` instead (its embedded files folded).
    pub fn set_code(&mut self, code: &str) {
        self.folded = fold(code);
        self.text = self.folded.text.clone();
    }

    /// The text shown (embedded files folded): cheap to compare every frame.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The files embedded in the code, in text order.
    pub fn embedded_files(&self) -> Vec<FoldedFile> {
        self.folded.files()
    }

    /// Puts the cursor on line `line` (1-based) of the code and scrolls to it at the next
    /// frame.
    pub fn jump_to(&mut self, line: usize) {
        self.jump = Some(self.folded.view_line(line.max(1)));
    }

    /// Opens the find bar (Ctrl+F).
    pub fn open_find(&mut self) {
        self.find.get_or_insert_with(String::new);
    }

    /// Draws the view; `errors` maps 1-based line numbers of the code to messages.
    pub fn show(&mut self, ui: &mut egui::Ui, errors: &BTreeMap<usize, String>) {
        let errors: BTreeMap<usize, String> = errors
            .iter()
            .map(|(line, message)| (self.folded.view_line(*line), message.clone()))
            .collect();
        let errors = &errors;
        let id = egui::Id::unique("csound-plug code");
        self.find_bar(ui, id);
        let focused = ui.memory(|m| m.has_focus(id));
        let (tab, enter) = ui.input(|i| {
            (
                i.key_pressed(Key::Tab) && i.modifiers.is_none(),
                i.key_pressed(Key::Enter) && i.modifiers.is_none(),
            )
        });
        let font = FontId::monospace(FONT_SIZE);
        let row_height = ui.fonts_mut(|f| f.row_height(&font));
        let lines = self.text.split('\n').count();
        let jump = self.jump.take();
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    gutter(ui, lines, errors, &font, row_height);
                    let opcodes = self.opcodes.clone();
                    let cached = &mut self.cached;
                    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, _wrap: f32| {
                        let job = layout(text.as_str(), &opcodes, &font, cached);
                        ui.painter().layout_job(job)
                    };
                    let output = egui::TextEdit::multiline(&mut self.text)
                        .id(id)
                        .font(egui::TextStyle::Monospace)
                        .code_editor()
                        .lock_focus(true)
                        .desired_width(f32::INFINITY)
                        .desired_rows(lines.max(30))
                        .frame(egui::Frame::NONE)
                        .layouter(&mut layouter)
                        .show(ui);
                    // Each error's message beside its line.
                    for (line, message) in errors {
                        if let Some(row) = output.galley.rows.get(line - 1) {
                            let rect = row.rect().translate(output.galley_pos.to_vec2());
                            ui.painter().text(
                                egui::pos2(rect.right() + 24.0, rect.center().y),
                                egui::Align2::LEFT_CENTER,
                                format!("<- {message}"),
                                FontId::proportional(FONT_SIZE - 1.0),
                                Color32::from_rgb(255, 110, 100),
                            );
                        }
                    }
                    if focused && (tab || enter) {
                        self.indentation_keys(ui, id, tab, enter);
                    }
                    if let Some(line) = jump {
                        let start = line_start_char(&self.text, line);
                        let mut state = output.state;
                        state
                            .cursor
                            .set_char_range(Some(CCursorRange::one(CCursor::new(start))));
                        state.store(ui.ctx(), id);
                        ui.memory_mut(|m| m.request_focus(id));
                        let y = output.galley_pos.y + (line - 1) as f32 * row_height;
                        ui.scroll_to_rect(
                            egui::Rect::from_min_size(
                                egui::pos2(output.galley_pos.x, y),
                                egui::vec2(1.0, row_height),
                            ),
                            Some(egui::Align::Center),
                        );
                    }
                });
            });
    }

    /// After the text edit took this frame's keys (in the order they came): a Tab it
    /// inserted becomes two spaces, and a new line gets the indentation of the one above.
    fn indentation_keys(&mut self, ui: &egui::Ui, id: egui::Id, tab: bool, enter: bool) {
        let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), id) else {
            return;
        };
        let Some(range) = state.cursor.char_range() else {
            return;
        };
        let cursor = range.primary.index.0;
        let before = cursor.checked_sub(1).and_then(|i| self.text.chars().nth(i));
        let at = match before {
            Some('\t') if tab => replace_chars(&mut self.text, cursor - 1, cursor, INDENT),
            Some('\n') if enter => {
                let indent = indentation_at(&self.text, cursor - 1);
                if indent.is_empty() {
                    return;
                }
                replace_chars(&mut self.text, cursor, cursor, &indent)
            }
            _ => return,
        };
        state
            .cursor
            .set_char_range(Some(CCursorRange::one(CCursor::new(at))));
        state.store(ui.ctx(), id);
        // This frame drew the text without it.
        ui.ctx().request_repaint();
    }

    fn find_bar(&mut self, ui: &mut egui::Ui, id: egui::Id) {
        let Some(mut query) = self.find.take() else {
            return;
        };
        let mut keep = true;
        let mut next = false;
        ui.horizontal(|ui| {
            ui.label("Find:");
            let field = ui.text_edit_singleline(&mut query);
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                next = true;
                field.request_focus();
            }
            if ui.button("Next").clicked() {
                next = true;
            }
            if ui.button("Close").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                keep = false;
            }
        });
        if next && !query.is_empty() {
            let from = self.last_match.map_or(0, |m| m + 1);
            if let Some(start) = find_from(&self.text, &query, from) {
                self.last_match = Some(start);
                let end = start + query.chars().count();
                let mut state = egui::TextEdit::load_state(ui.ctx(), id).unwrap_or_default();
                state.cursor.set_char_range(Some(CCursorRange::two(
                    CCursor::new(start),
                    CCursor::new(end),
                )));
                state.store(ui.ctx(), id);
                self.jump = Some(line_of_char(&self.text, start));
            }
        }
        if keep {
            self.find = Some(query);
        } else {
            self.last_match = None;
        }
    }
}

/// The highlighted layout of `text`, from the cache when the text has not changed.
fn layout(
    text: &str,
    opcodes: &HashSet<String>,
    font: &FontId,
    cached: &mut Option<(u64, LayoutJob)>,
) -> LayoutJob {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    let key = hasher.finish();
    if let Some((hash, job)) = cached {
        if *hash == key {
            return job.clone();
        }
    }
    let mut job = LayoutJob::default();
    for span in highlight(text, &|word| opcodes.contains(word)) {
        job.append(
            &text[span.range],
            0.0,
            TextFormat {
                font_id: font.clone(),
                color: colour(span.token),
                ..Default::default()
            },
        );
    }
    *cached = Some((key, job.clone()));
    job
}

/// Line numbers, with error lines marked red (hover for the message).
fn gutter(
    ui: &mut egui::Ui,
    lines: usize,
    errors: &BTreeMap<usize, String>,
    font: &FontId,
    row_height: f32,
) {
    let digits = lines.to_string().len().max(3);
    let width = ui.fonts_mut(|f| f.glyph_width(font, '0')) * (digits + 2) as f32;
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(width, row_height * lines as f32 + 4.0),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    // The text edit's own top margin (code_editor, no frame): none.
    let top = rect.top();
    let visible = ui.clip_rect();
    for line in 1..=lines {
        let y = top + (line - 1) as f32 * row_height;
        if y + row_height < visible.top() || y > visible.bottom() {
            continue;
        }
        let error = errors.contains_key(&line);
        if error {
            painter.rect_filled(
                egui::Rect::from_min_size(
                    egui::pos2(rect.left(), y),
                    egui::vec2(width, row_height),
                ),
                2.0,
                Color32::from_rgb(110, 30, 30),
            );
        }
        painter.text(
            egui::pos2(rect.right() - 6.0, y),
            egui::Align2::RIGHT_TOP,
            line.to_string(),
            font.clone(),
            if error {
                Color32::from_rgb(255, 180, 170)
            } else {
                Color32::from_gray(110)
            },
        );
    }
    if let Some(pos) = response.hover_pos() {
        let line = ((pos.y - top) / row_height) as usize + 1;
        if let Some(message) = errors.get(&line) {
            response.on_hover_text(message);
        }
    }
}

/// The char index where 1-based `line` starts (the end of the text past the last line).
pub fn line_start_char(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    let mut seen = 1;
    for (i, c) in text.chars().enumerate() {
        if c == '\n' {
            seen += 1;
            if seen == line {
                return i + 1;
            }
        }
    }
    text.chars().count()
}

/// The 1-based line holding char index `at`.
pub fn line_of_char(text: &str, at: usize) -> usize {
    1 + text.chars().take(at).filter(|&c| c == '\n').count()
}

/// The leading spaces and tabs of the line holding char index `at` (up to `at`).
pub fn indentation_at(text: &str, at: usize) -> String {
    let before: Vec<char> = text.chars().take(at).collect();
    let line_start = before.iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
    before[line_start..]
        .iter()
        .take_while(|c| **c == ' ' || **c == '\t')
        .collect()
}

/// Replaces chars `from..to` of `text` with `insert`; returns the char index after it.
pub fn replace_chars(text: &mut String, from: usize, to: usize, insert: &str) -> usize {
    let byte = |i: usize| text.char_indices().nth(i).map_or(text.len(), |(b, _)| b);
    let (start, end) = (byte(from), byte(to));
    text.replace_range(start..end, insert);
    from + insert.chars().count()
}

/// The char index of the first `query` at or after char index `from`, wrapping around.
pub fn find_from(text: &str, query: &str, from: usize) -> Option<usize> {
    let lower = text.to_lowercase();
    let query = query.to_lowercase();
    // Lower-casing can change byte lengths; search on chars to stay in char indices.
    let chars: Vec<char> = lower.chars().collect();
    let wanted: Vec<char> = query.chars().collect();
    if wanted.is_empty() || chars.len() != text.chars().count() {
        return text.find(query.as_str()).map(|b| text[..b].chars().count());
    }
    let matches = |i: usize| chars[i..].starts_with(&wanted);
    (from..chars.len())
        .chain(0..from.min(chars.len()))
        .find(|&i| matches(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_chars() {
        let text = "instr 1\n  aé oscili 1, 440\nendin";
        assert_eq!(line_start_char(text, 1), 0);
        assert_eq!(line_start_char(text, 2), 8);
        assert_eq!(line_start_char(text, 3), 27);
        assert_eq!(line_start_char(text, 9), text.chars().count());
        assert_eq!(line_of_char(text, 0), 1);
        assert_eq!(line_of_char(text, 10), 2);
        assert_eq!(indentation_at(text, 14), "  ");
        assert_eq!(indentation_at(text, 3), "");
    }

    #[test]
    fn replacing_keeps_char_positions() {
        let mut text = "aé\nb".to_string();
        let at = replace_chars(&mut text, 2, 2, "  ");
        assert_eq!((text.as_str(), at), ("aé  \nb", 4));
        let at = replace_chars(&mut text, 0, 2, "x");
        assert_eq!((text.as_str(), at), ("x  \nb", 1));
    }

    #[test]
    fn find_wraps_around_and_ignores_case() {
        let text = "Oscili a\noscili b";
        assert_eq!(find_from(text, "oscili", 0), Some(0));
        assert_eq!(find_from(text, "OSCILI", 1), Some(9));
        assert_eq!(find_from(text, "oscili", 10), Some(0));
        assert_eq!(find_from(text, "vco2", 0), None);
    }
}
