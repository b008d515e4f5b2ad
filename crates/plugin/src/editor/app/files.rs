//! The Files pane: the files the patch carries (embedded), links to (path and SHA-256)
//! and read at its last check, the ones it could not find, and the user's sample
//! folders; adding a file embeds or links it in the code, which is compiled as usual.

use super::dialog::Dialog;
use super::EditorApp;
use csound_plug_engine::csound::OpenedFile;
use csound_plug_engine::file_cache::{carried_as, Carried};
use csound_plug_engine::linked_files::{self, Located};
use csound_plug_engine::packing;
use csound_plug_patch::embedded::{self, human_size};
use csound_plug_patch::links::{self, Link};
use csound_plug_patch::settings::Settings;
use egui::{Color32, RichText};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Missing files and errors.
const MISSING: Color32 = Color32::from_rgb(255, 110, 100);

/// The links of the code shown, and where they were found (looked up again only when
/// the links change, since a moved file is searched for).
#[derive(Default)]
pub(super) struct LinkedFiles {
    links: BTreeMap<String, Link>,
    located: Vec<Located>,
}

impl EditorApp {
    /// Changes the code shown with `edit` (an error leaves it) and says what happened.
    fn edit_code(&mut self, edit: impl FnOnce(&str) -> Result<String, String>, done: String) {
        let Some(view) = &mut self.view else { return };
        self.message = Some(match edit(&view.code()) {
            Ok(code) => {
                view.set_code(&code);
                (format!("{done}: compile (Ctrl+Enter) to hear it"), false)
            }
            Err(e) => (e, true),
        });
    }

    /// Embeds or links the file at `path` as `name` (replacing a file of that name).
    pub(super) fn add_file(&mut self, path: &Path, name: &str, embed: bool) {
        if !embedded::is_safe_name(name) {
            self.message = Some((
                format!("'{name}' cannot be a file's name in the patch: a relative name without '..' is needed"),
                true,
            ));
            return;
        }
        if !path.is_file() {
            self.message = Some((format!("{} is not a file", path.display()), true));
            return;
        }
        if embed {
            let cap = self.settings().embed_cap_mb;
            let others: usize = self.view.as_ref().map_or(0, |v| {
                v.embedded_files()
                    .iter()
                    .filter(|f| f.name != name)
                    .map(|f| f.size)
                    .sum()
            });
            let size = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
            if (others + size) as u64 > cap << 20 {
                self.message = Some((
                    format!(
                        "embedding {} would make the patch carry {}, over the {cap} MB cap: \
                         link it instead (or raise embed_cap_mb in the settings)",
                        path.display(),
                        human_size(others + size)
                    ),
                    true,
                ));
                return;
            }
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.message = Some((format!("cannot read {}: {e}", path.display()), true));
                    return;
                }
            };
            let done = format!("embedded {name} ({})", human_size(bytes.len()));
            self.edit_code(
                |code| {
                    let code = embedded::embed(code, name, &bytes);
                    match links::links(&code).contains_key(name) {
                        true => links::without_link(&code, name),
                        false => Ok(code),
                    }
                },
                done,
            );
        } else {
            let link = match linked_files::link_to(path) {
                Ok(link) => link,
                Err(e) => {
                    self.message = Some((format!("cannot read {}: {e}", path.display()), true));
                    return;
                }
            };
            let done = format!("linked {name} to {}", path.display());
            self.edit_code(
                |code| links::with_link(&embedded::without_file(code, name), name, &link),
                done,
            );
        }
    }

    /// A Cabbage `filebutton`'s choice: links the file at `path` to the patch under its
    /// file name, keeps the name as the start value of the string `channel`
    /// (`[strings]`), and compiles, so the patch hears it now and sessions, presets and
    /// exports carry it as one of the patch's files.
    pub(super) fn choose_file(&mut self, channel: &str, path: &Path) {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            self.message = Some((format!("{} is not a file", path.display()), true));
            return;
        };
        if !path.is_file() || !embedded::is_safe_name(&name) {
            self.message = Some((format!("{} is not a file", path.display()), true));
            return;
        }
        let link = match linked_files::link_to(path) {
            Ok(link) => link,
            Err(e) => {
                self.message = Some((format!("cannot read {}: {e}", path.display()), true));
                return;
            }
        };
        let Some(view) = &mut self.view else { return };
        let edited = links::with_link(&embedded::without_file(&view.code(), &name), &name, &link)
            .and_then(|code| csound_plug_patch::metadata::with_string(&code, channel, &name));
        match edited {
            Ok(code) => {
                view.set_code(&code);
                self.compile();
                self.message = Some((
                    format!("{channel}: {name} (linked to {})", path.display()),
                    false,
                ));
            }
            Err(e) => self.message = Some((e, true)),
        }
    }

    /// Adds `folder` to the user's sample folders and saves the settings.
    pub(super) fn add_sample_folder(&mut self, folder: PathBuf) {
        if !folder.is_dir() {
            self.message = Some((format!("{} is not a folder", folder.display()), true));
            return;
        }
        let mut settings = self.settings();
        if !settings.sample_folders.contains(&folder) {
            settings.sample_folders.push(folder.clone());
        }
        self.save_settings(
            settings,
            format!("added the sample folder {}", folder.display()),
        );
    }

    fn save_settings(&mut self, settings: Settings, done: String) {
        self.message = Some(match settings.save() {
            Ok(()) => (done, false),
            Err(e) => (e, true),
        });
        self.settings = Ok(settings);
    }

    /// The user's settings as read when the window opened (or last saved).
    fn settings(&self) -> Settings {
        self.settings.clone().unwrap_or_default()
    }

    /// `code` carrying the files it reads (as its last check measured), and the names
    /// embedded; its linked files too when `with_links` (else they stay linked); within
    /// the embedding cap.
    pub(super) fn packed(
        &self,
        code: &str,
        with_links: bool,
    ) -> Result<(String, Vec<String>), String> {
        let mut opened: Vec<OpenedFile> = Vec::new();
        let measured = self.shared.compiler.status.files.load_full();
        if measured.code.as_deref().is_some_and(|c| c == code) {
            // Embedded files are carried already; linked ones are added below.
            opened.extend(
                measured
                    .read
                    .iter()
                    .filter(|path| carried_as(Path::new(path)).is_none())
                    .map(|path| OpenedFile {
                        path: path.clone(),
                        write: false,
                        temporary: false,
                    }),
            );
        }
        let folders = self.search_folders();
        let links = if with_links {
            links::links(code)
        } else {
            BTreeMap::new()
        };
        for located in linked_files::locate(&links, &folders) {
            if let Some(path) = located.path {
                opened.push(OpenedFile {
                    path: path.display().to_string(),
                    write: false,
                    temporary: false,
                });
            }
        }
        let folder = self
            .shared
            .compiler
            .status
            .patch_folder
            .load_full()
            .map_or_else(|| PathBuf::from("."), |f| f.to_path_buf());
        packing::pack(&folder, code, &opened, self.settings().embed_cap_mb)
    }

    /// Where files are looked for: the patch's folder, then the sample folders.
    fn search_folders(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = self
            .shared
            .compiler
            .status
            .patch_folder
            .load_full()
            .map(|f| f.to_path_buf())
            .into_iter()
            .collect();
        folders.extend(self.settings().existing_sample_folders());
        folders
    }

    /// The code's links and where they are, looked up again when the links changed.
    fn linked(&mut self) -> &[Located] {
        let links = self
            .view
            .as_ref()
            .map(|v| links::links(v.text()))
            .unwrap_or_default();
        if links != self.linked.links {
            let located = linked_files::locate(&links, &self.search_folders());
            self.linked = LinkedFiles { links, located };
        }
        &self.linked.located
    }

    /// Draws the pane.
    pub(super) fn files_pane(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if ui
                .button("Add file…")
                .on_hover_text("Embed a file in the code or link it")
                .clicked()
            {
                self.dialog = Some(Dialog::AddFile {
                    path: crate::editor::file_list::start(),
                    name: String::new(),
                    embed: true,
                });
            }
        });
        egui::ScrollArea::vertical().show(ui, |ui| {
            self.embedded_list(ui);
            self.linked_list(ui);
            self.measured_list(ui);
            self.sample_folders_list(ui);
        });
    }

    fn embedded_list(&mut self, ui: &mut egui::Ui) {
        let files = self
            .view
            .as_ref()
            .map(|v| v.embedded_files())
            .unwrap_or_default();
        ui.add_space(6.0);
        ui.strong("Embedded");
        if files.is_empty() {
            ui.weak("none");
        }
        let mut remove = None;
        for file in &files {
            ui.horizontal(|ui| {
                ui.label(&file.name);
                ui.weak(human_size(file.size));
                if ui.small_button("Remove").clicked() {
                    remove = Some(file.name.clone());
                }
            });
        }
        if let Some(name) = remove {
            let done = format!("removed {name}");
            self.edit_code(|code| Ok(embedded::without_file(code, &name)), done);
        }
    }

    fn linked_list(&mut self, ui: &mut egui::Ui) {
        let located = self.linked().to_vec();
        ui.add_space(6.0);
        ui.strong("Linked");
        if located.is_empty() {
            ui.weak("none");
        }
        enum Action {
            Locate(String),
            Embed(String, PathBuf),
            Unlink(String),
        }
        let mut action = None;
        for file in &located {
            ui.horizontal(|ui| {
                ui.label(&file.name);
                match &file.path {
                    Some(path) if file.moved => {
                        ui.weak(format!("moved: {}", path.display()));
                    }
                    Some(path) => {
                        ui.weak(path.display().to_string());
                    }
                    None => {
                        ui.label(RichText::new("missing").color(MISSING));
                    }
                }
            });
            ui.horizontal(|ui| {
                if ui
                    .small_button("Locate…")
                    .on_hover_text("Point the link at the file where it is now")
                    .clicked()
                {
                    action = Some(Action::Locate(file.name.clone()));
                }
                if let Some(path) = &file.path {
                    if ui.small_button("Embed").clicked() {
                        action = Some(Action::Embed(file.name.clone(), path.clone()));
                    }
                }
                if ui.small_button("Unlink").clicked() {
                    action = Some(Action::Unlink(file.name.clone()));
                }
            });
        }
        match action {
            Some(Action::Locate(name)) => {
                self.dialog = Some(Dialog::Locate {
                    name,
                    path: crate::editor::file_list::start(),
                });
            }
            Some(Action::Embed(name, path)) => self.add_file(&path, &name, true),
            Some(Action::Unlink(name)) => {
                let done = format!("unlinked {name}");
                self.edit_code(|code| links::without_link(code, &name), done);
            }
            None => {}
        }
    }

    fn measured_list(&mut self, ui: &mut egui::Ui) {
        let files = self.shared.compiler.status.files.load_full();
        ui.add_space(6.0);
        ui.strong("Read at the last check");
        let mut jump = None;
        for missing in &files.missing {
            let text = RichText::new(missing.to_string()).color(MISSING);
            if ui.link(text).clicked() {
                jump = missing.line;
            }
        }
        if !files.measured {
            ui.weak("nothing measured (a patch checked before on this machine is not run again)");
        }
        for path in &files.read {
            let shown = shown_path(path);
            ui.weak(shown).on_hover_text(path);
        }
        if let (Some(line), Some(view)) = (jump, &mut self.view) {
            view.jump_to(line);
        }
    }

    fn sample_folders_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.strong("Sample folders");
            if ui.small_button("Add…").clicked() {
                self.dialog = Some(Dialog::SampleFolder(crate::editor::file_list::start()));
            }
        });
        if let Err(e) = &self.settings {
            ui.label(RichText::new(e).color(MISSING));
        }
        let settings = self.settings();
        let mut remove = None;
        for (index, folder) in settings.sample_folders.iter().enumerate() {
            ui.horizontal(|ui| {
                let text = folder.display().to_string();
                match folder.is_dir() {
                    true => ui.label(text),
                    false => ui.label(RichText::new(format!("{text} (not found)")).color(MISSING)),
                };
                if ui.small_button("Remove").clicked() {
                    remove = Some(index);
                }
            });
        }
        if let Some(index) = remove {
            let mut settings = settings;
            let folder = settings.sample_folders.remove(index);
            self.save_settings(
                settings,
                format!("removed the sample folder {}", folder.display()),
            );
        }
    }
}

/// A file read, as the pane shows it: an embedded or linked file by its name in the
/// patch, others by their path.
fn shown_path(path: &str) -> String {
    match carried_as(Path::new(path)) {
        Some((Carried::Linked, name)) => format!("{name} (linked)"),
        Some((Carried::Embedded, name)) => format!("{name} (embedded)"),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_the_cache_are_shown_by_their_names() {
        let cache = csound_plug_engine::file_cache::cache_root();
        let embedded = cache.join("0123abcd").join("kit").join("kick.wav");
        assert_eq!(
            shown_path(&embedded.display().to_string()),
            "kit/kick.wav (embedded)"
        );
        let linked = cache.join("links").join("ffee").join("tone.wav");
        assert_eq!(
            shown_path(&linked.display().to_string()),
            "tone.wav (linked)"
        );
        assert_eq!(shown_path("/home/jo/a.wav"), "/home/jo/a.wav");
    }
}
