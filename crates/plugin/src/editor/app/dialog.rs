//! The small dialogs that ask for a preset name or a file path (with the folder listed
//! below it), and what OK does.

use super::EditorApp;
use crate::editor::file_list::{self, Row};
use egui::text::{CCursor, CCursorRange};
use egui::Key;
use std::path::PathBuf;

/// A small dialog asking for a name or a path.
pub(super) enum Dialog {
    SaveAs(String),
    Rename { from: String, to: String },
    Import(String),
    Export(String),
}

/// The folder of the typed path under the field: click a folder to open it, a `.csd` to
/// pick it. `listing` keeps the folder read last, so the folder is read when the typed
/// path moves to another one, not at every frame.
fn browse(ui: &mut egui::Ui, path: &mut String, listing: &mut Option<(PathBuf, Vec<Row>)>) {
    let folder = file_list::folder_of(path);
    if listing.as_ref().is_none_or(|(read, _)| *read != folder) {
        *listing = Some((folder.clone(), file_list::rows(&folder)));
    }
    let rows = listing
        .as_ref()
        .map_or(&[][..], |(_, rows)| rows.as_slice());
    ui.horizontal(|ui| {
        if ui.small_button("Up").clicked() {
            *path = file_list::up(&folder);
        }
        ui.weak(folder.display().to_string());
    });
    egui::ScrollArea::vertical()
        .max_height(220.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for row in rows {
                let label = if row.is_folder {
                    format!("{}/", row.name)
                } else {
                    row.name.clone()
                };
                if ui.selectable_label(false, label).clicked() {
                    *path = file_list::picked(&folder, row);
                }
            }
        });
}

impl EditorApp {
    /// Draws the open dialog, if any; OK (or Enter) carries it out.
    pub(super) fn dialog(&mut self, ctx: &egui::Context) {
        let Some(mut dialog) = self.dialog.take() else {
            self.dialog_shown = false;
            // A dialog opened again lists its folder afresh.
            self.listing = None;
            return;
        };
        let fresh = !std::mem::replace(&mut self.dialog_shown, true);
        let (title, hint) = match &dialog {
            Dialog::SaveAs(_) => ("Save preset as", "Name"),
            Dialog::Rename { .. } => ("Rename preset", "New name"),
            Dialog::Import(_) => ("Import a .csd", "Path of the .csd file"),
            Dialog::Export(_) => ("Export the patch", "Path to write"),
        };
        let mut done = None;
        egui::Window::new(title)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                let text = match &mut dialog {
                    Dialog::SaveAs(t) | Dialog::Import(t) | Dialog::Export(t) => t,
                    Dialog::Rename { to, .. } => to,
                };
                ui.label(hint);
                let output = egui::TextEdit::singleline(text)
                    .desired_width(360.0)
                    .show(ui);
                if fresh {
                    // Focused with everything selected, so typing replaces the suggestion.
                    let mut state = output.state;
                    state.cursor.set_char_range(Some(CCursorRange::two(
                        CCursor::new(0),
                        CCursor::new(text.chars().count()),
                    )));
                    state.store(ui.ctx(), output.response.id);
                    output.response.request_focus();
                }
                if let Dialog::Import(path) | Dialog::Export(path) = &mut dialog {
                    browse(ui, path, &mut self.listing);
                }
                let enter = ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || enter {
                        done = Some(true);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        done = Some(false);
                    }
                });
            });
        match done {
            None => self.dialog = Some(dialog),
            Some(false) => {}
            Some(true) => self.finish(dialog),
        }
    }

    /// Does what the dialog asked for and says how it went in the status bar.
    fn finish(&mut self, dialog: Dialog) {
        let library = match &self.library {
            Ok(library) => library.clone(),
            Err(e) => {
                self.message = Some((e.clone(), true));
                return;
            }
        };
        let result = match dialog {
            Dialog::SaveAs(name) => {
                self.save(&name);
                return;
            }
            Dialog::Rename { from, to } => library.rename(&from, &to).map(|preset| {
                self.shared.params.patch.adopt(&preset);
                self.synced = self.shared.params.patch.get();
                self.preset_text = preset.code.clone();
                if let Some(view) = &mut self.view {
                    view.text = preset.code.clone();
                }
                format!("renamed to {}", preset.name)
            }),
            Dialog::Import(path) => {
                library
                    .import(std::path::Path::new(path.trim()))
                    .map(|preset| {
                        self.load(&preset);
                        format!("imported {}", preset.name)
                    })
            }
            Dialog::Export(path) => {
                let code = self.view.as_ref().map_or_else(
                    || String::clone(&self.shared.params.patch.get()),
                    |v| v.text.clone(),
                );
                std::fs::write(path.trim(), code)
                    .map(|()| format!("wrote {}", path.trim()))
                    .map_err(|e| format!("cannot write {}: {e}", path.trim()))
            }
        };
        self.refresh_presets();
        self.message = Some(match result {
            Ok(text) => (text, false),
            Err(e) => (e, true),
        });
    }
}
