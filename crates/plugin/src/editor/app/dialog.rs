//! The small dialogs that ask for a preset name or a file path (with the folder listed
//! below it), and what OK does.

use super::EditorApp;
use crate::editor::code_view::CodeView;
use crate::editor::file_list::{self, Row, Show};
use egui::text::{CCursor, CCursorRange};
use egui::Key;
use std::path::PathBuf;

/// A small dialog asking for a name or a path.
pub(super) enum Dialog {
    SaveAs(String),
    Rename {
        from: String,
        to: String,
    },
    Import(String),
    Export(String),
    /// A file for the patch: its path, the name the patch reads it by (empty: its file
    /// name), embedded or linked.
    AddFile {
        path: String,
        name: String,
        embed: bool,
    },
    /// Where the linked file `name` is now.
    Locate {
        name: String,
        path: String,
    },
    /// A folder to add to the sample folders.
    SampleFolder(String),
    /// The file a Cabbage `filebutton` sets its string channel to.
    ChooseFile {
        channel: String,
        path: String,
    },
}

/// The folder of the typed path under the field: click a folder to open it, a `.csd` to
/// pick it. `listing` keeps the folder read last, so the folder is read when the typed
/// path moves to another one, not at every frame.
fn browse(
    ui: &mut egui::Ui,
    path: &mut String,
    listing: &mut Option<(PathBuf, Vec<Row>)>,
    show: Show,
) {
    let folder = file_list::folder_of(path);
    if listing.as_ref().is_none_or(|(read, _)| *read != folder) {
        *listing = Some((folder.clone(), file_list::rows(&folder, show)));
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
            Dialog::AddFile { .. } => ("Add a file to the patch", "Path of the file"),
            Dialog::Locate { .. } => ("Locate a linked file", "Where the file is now"),
            Dialog::SampleFolder(_) => ("Add a sample folder", "Path of the folder"),
            Dialog::ChooseFile { .. } => (
                "Choose a file",
                "Path of the file (it is linked to the patch)",
            ),
        };
        let mut done = None;
        egui::Window::new(title)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                let text = match &mut dialog {
                    Dialog::SaveAs(t)
                    | Dialog::Import(t)
                    | Dialog::Export(t)
                    | Dialog::SampleFolder(t) => t,
                    Dialog::Rename { to, .. } => to,
                    Dialog::AddFile { path, .. }
                    | Dialog::Locate { path, .. }
                    | Dialog::ChooseFile { path, .. } => path,
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
                match &mut dialog {
                    Dialog::Import(path) | Dialog::Export(path) => {
                        browse(ui, path, &mut self.listing, Show::Csd);
                    }
                    Dialog::AddFile { path, .. }
                    | Dialog::Locate { path, .. }
                    | Dialog::ChooseFile { path, .. } => {
                        browse(ui, path, &mut self.listing, Show::Files);
                    }
                    Dialog::SampleFolder(path) => {
                        browse(ui, path, &mut self.listing, Show::Folders);
                    }
                    Dialog::SaveAs(_) | Dialog::Rename { .. } => {}
                }
                if let Dialog::AddFile { name, embed, .. } = &mut dialog {
                    ui.horizontal(|ui| {
                        ui.label("Name in the patch");
                        ui.add(
                            egui::TextEdit::singleline(name)
                                .hint_text("the file's name")
                                .desired_width(220.0),
                        );
                    });
                    ui.horizontal(|ui| {
                        ui.radio_value(embed, true, "Embed")
                            .on_hover_text("Carry the file inside the code (it travels with the session and presets)");
                        ui.radio_value(embed, false, "Link")
                            .on_hover_text("Keep the file where it is: its path and SHA-256 are stored, and it is found again by its contents when it moves within the sample folders");
                    });
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
        let dialog = match dialog {
            Dialog::AddFile { path, name, embed } => {
                let path = PathBuf::from(path.trim());
                let name = match name.trim() {
                    "" => path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    name => name.to_string(),
                };
                self.add_file(&path, &name, embed);
                return;
            }
            Dialog::Locate { name, path } => {
                self.add_file(std::path::Path::new(path.trim()), &name, false);
                return;
            }
            Dialog::SampleFolder(path) => {
                self.add_sample_folder(PathBuf::from(path.trim()));
                return;
            }
            Dialog::ChooseFile { channel, path } => {
                self.choose_file(&channel, std::path::Path::new(path.trim()));
                return;
            }
            other => other,
        };
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
                self.set_preset_text(&preset.code);
                if let Some(view) = &mut self.view {
                    view.set_code(&preset.code);
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
                    CodeView::code,
                );
                // The exported file carries the files the patch reads.
                let (code, note) = match self.packed(&code, true) {
                    Ok((packed, names)) if names.is_empty() => (packed, String::new()),
                    Ok((packed, names)) => (packed, format!(" with {}", names.join(", "))),
                    Err(e) => (code, format!(" without its files ({e})")),
                };
                std::fs::write(path.trim(), code)
                    .map(|()| format!("wrote {}{note}", path.trim()))
                    .map_err(|e| format!("cannot write {}: {e}", path.trim()))
            }
            Dialog::AddFile { .. }
            | Dialog::Locate { .. }
            | Dialog::SampleFolder(_)
            | Dialog::ChooseFile { .. } => {
                return;
            }
        };
        self.refresh_presets();
        self.message = Some(match result {
            Ok(text) => (text, false),
            Err(e) => (e, true),
        });
    }
}
