//! The editor window: layout, shortcuts and the actions behind its buttons.

use super::code_view::CodeView;
use super::form::{FormAction, FormView, Links};
use super::panel::{self, Entry};
use super::piano::Piano;
use super::EditorShared;
use crate::compiler::Trust;
use crate::meters::METERED_CHANNELS;
use crate::slots::SlotTable;
use csound_plug_engine::diagnostics::ErrorLine;
use csound_plug_patch::presets::library::Library;
use csound_plug_patch::presets::{Origin, Preset};
use csound_plug_patch::settings::Settings;
use egui::{self, Color32, Key, Modifiers, RichText};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::{Param, ParamSetter};
use nice_plug_egui::baseview::WindowSize;
use nice_plug_egui::{Frame, NiceEguiApp};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

mod browser;
mod dialog;
mod files;
mod permission;
mod status;

use dialog::Dialog;

/// Where `value` sits in `(min, max)`, 0..=1 (a meter's fill).
fn meter_fraction(value: f64, (min, max): (f64, f64)) -> f32 {
    if value.is_finite() {
        ((value - min) / (max - min)).clamp(0.0, 1.0) as f32
    } else {
        0.0
    }
}

/// The opcodes of this machine's Csound, read once per process when a window first opens.
fn opcodes() -> Arc<HashSet<String>> {
    static OPCODES: OnceLock<Arc<HashSet<String>>> = OnceLock::new();
    OPCODES
        .get_or_init(|| Arc::new(csound_plug_engine::opcode_names().into_iter().collect()))
        .clone()
}

/// Room the on-screen keyboard takes under the right-hand pane, in points.
const KEYBOARD_HEIGHT: f32 = 100.0;

/// The status line while a compile is under way.
const COMPILING: &str = "compiling…";

/// The editor's state across frames.
pub struct EditorApp {
    shared: EditorShared,
    gui: Option<GuiContext>,
    view: Option<CodeView>,
    /// The plugin code the view last took or gave, to notice changes from the host.
    synced: Arc<String>,
    /// The text the current preset was loaded or saved with (embedded files folded, as
    /// the view shows it), for the unsaved marker.
    preset_text: String,
    console_seen: u64,
    console: String,
    errors: Vec<ErrorLine>,
    table: Arc<SlotTable>,
    entries: Vec<Entry>,
    library: Result<Library, String>,
    presets: Vec<Preset>,
    dialog: Option<Dialog>,
    /// One line about the last action (saved, loaded, failed).
    message: Option<(String, bool)>,
    /// Output peaks shown (held, falling), per channel.
    peaks: [f32; METERED_CHANNELS],
    /// MIDI events counted at the last frame, and when the count last moved.
    midi_seen: (u64, Option<std::time::Instant>),
    /// The preset browser's search text, while the browser is shown.
    browser: Option<String>,
    /// Whether the open dialog has been drawn before (its first frame selects its text).
    dialog_shown: bool,
    /// The import/export dialog's folder listing, read once per folder shown.
    listing: Option<(std::path::PathBuf, Vec<crate::editor::file_list::Row>)>,
    /// The saved window size to restore at the first frame (logical points).
    restore_size: Option<(u32, u32)>,
    /// What the right-hand pane shows.
    pane: Pane,
    /// The user's settings (sample folders, embedding cap), read when a window opens.
    settings: Result<Settings, String>,
    /// The code's links and where their files are.
    linked: files::LinkedFiles,
    /// The on-screen keyboard under the right-hand pane.
    piano: Piano,
    /// The running patch's Cabbage form, when its section places widgets.
    form: Option<FormView>,
    /// What the central area shows: the form when a patch's form first appears, then
    /// what the user picks.
    central: Central,
    /// The code the form was read from.
    form_code: Option<Arc<String>>,
    /// Its metadata's `[strings]` (files its filebuttons chose), read with the form.
    form_strings: BTreeMap<String, String>,
    /// The running engine's identifier updates, taken every frame.
    updates: Arc<csound_plug_engine::cabbage::WidgetUpdates>,
}

/// What the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Central {
    Code,
    Form,
}

/// What the right-hand pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Parameters,
    Files,
}

impl EditorApp {
    /// The editor state for one plugin instance; nothing is drawn until a window opens.
    pub fn new(shared: EditorShared) -> Self {
        let synced = shared.params.patch.get();
        Self {
            preset_text: csound_plug_patch::embedded::fold(&synced).text,
            synced,
            shared,
            gui: None,
            view: None,
            console_seen: u64::MAX,
            console: String::new(),
            errors: Vec::new(),
            table: Arc::new(SlotTable::default()),
            entries: Vec::new(),
            library: Library::user_default(),
            presets: Vec::new(),
            dialog: None,
            message: None,
            peaks: [0.0; METERED_CHANNELS],
            midi_seen: (0, None),
            restore_size: None,
            dialog_shown: false,
            listing: None,
            browser: Some(String::new()),
            pane: Pane::Parameters,
            settings: Settings::load(),
            linked: files::LinkedFiles::default(),
            piano: Piano::default(),
            form: None,
            central: Central::Code,
            form_code: None,
            form_strings: BTreeMap::new(),
            updates: Arc::default(),
        }
    }

    /// Remembers `code` as what the preset was loaded or saved with (folded, as the view
    /// shows it, for the unsaved marker).
    fn set_preset_text(&mut self, code: &str) {
        self.preset_text = csound_plug_patch::embedded::fold(code).text;
    }

    fn refresh_presets(&mut self) {
        self.presets = match &self.library {
            Ok(library) => library.list().presets,
            Err(_) => csound_plug_patch::presets::factory(),
        };
    }

    /// Takes what changed elsewhere: code from the host, console text, a new binding.
    fn sync(&mut self, setter: &ParamSetter) {
        let code = self.shared.params.patch.get();
        if !Arc::ptr_eq(&code, &self.synced) {
            // New code from elsewhere (the host loaded a session or state): it is what
            // the session saved, so nothing is unsaved.
            if let Some(view) = &mut self.view {
                if view.code() != *code {
                    view.set_code(&code);
                }
            }
            self.set_preset_text(&code);
            self.synced = code;
        }
        let console = &self.shared.compiler.status.console;
        if console.changes() != self.console_seen {
            self.console_seen = console.changes();
            self.console = console.text();
            self.errors = console.last_error().map(|e| e.errors).unwrap_or_default();
            // "compiling" is over; "loaded …" is not true of code that was refused.
            if self.message.as_ref().is_some_and(|(m, _)| m == COMPILING) || self.refusal_shown() {
                self.message = None;
            }
        }
        let table = self.shared.compiler.slots.table.load_full();
        if !Arc::ptr_eq(&table, &self.table) {
            // The running engine's code says which controls are knobs.
            let running = self.shared.compiler.status.last_built.load_full();
            let knobs = running
                .as_ref()
                .map_or_else(Vec::new, |code| panel::knobs(code));
            self.entries = panel::entries(&table, &knobs);
            // The plugin moved these slots (a new binding, a preset's values) without the
            // host knowing; with a window open, tell the host now.
            for entry in &self.entries {
                if let Some(param) = self.shared.params.slots.param(entry.slot) {
                    setter.begin_set_parameter(param);
                    setter.set_parameter_normalized(param, param.unmodulated_normalized_value());
                    setter.end_set_parameter(param);
                }
            }
            self.table = table;
        }
        // The running engine's form, and what the patch changed on its widgets
        // (cabbageSet, identChannel): a new engine starts from its section again.
        let running = self.shared.compiler.status.last_built.load_full();
        let updates = self.shared.compiler.status.widget_updates.load_full();
        let same_code = match (&running, &self.form_code) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same_code || !Arc::ptr_eq(&updates, &self.updates) {
            let had_form = self.form.is_some();
            let form = running
                .as_ref()
                .and_then(|code| csound_plug_patch::layout::cabbage_form(code));
            match (&mut self.form, form) {
                // The same form again: keep its keyboards' state.
                (Some(view), Some(form)) if same_code => view.form = form,
                (view, form) => *view = form.map(FormView::new),
            }
            self.central = match (had_form, &self.form) {
                (_, None) => Central::Code,
                (false, Some(_)) => Central::Form,
                (true, Some(_)) => self.central,
            };
            self.form_strings = running
                .as_ref()
                .and_then(|code| csound_plug_patch::metadata::metadata(code).ok().flatten())
                .map(|m| m.strings)
                .unwrap_or_default();
            self.form_code = running;
            self.updates = updates.clone();
        }
        updates.drain(|channel, text| {
            if let Some(form) = &mut self.form {
                form.update(channel, text);
            }
        });
    }

    /// Sends the view's text to the compiler (Ctrl+Enter).
    fn compile(&mut self) {
        let Some(view) = &self.view else { return };
        self.shared.params.patch.set_code(view.code(), Trust::Own);
        self.synced = self.shared.params.patch.get();
        self.message = Some((COMPILING.into(), false));
    }

    fn load(&mut self, preset: &Preset) {
        self.shared.params.patch.load_preset(preset);
        self.synced = self.shared.params.patch.get();
        if let Some(view) = &mut self.view {
            view.set_code(&preset.code);
        }
        self.set_preset_text(&preset.code);
        self.message = Some((format!("loaded {}", preset.name), false));
    }

    /// Saves under `name` (compiling unsaved edits first, so the preset is what plays).
    fn save(&mut self, name: &str) {
        let Ok(library) = &self.library else {
            self.message = Some(("no user preset folder on this system".into(), true));
            return;
        };
        let library = library.clone();
        // The preset carries the files the patch read from its folder and the sample
        // folders (linked files stay linked).
        let mut carried = String::new();
        if let Some(view) = &self.view {
            let mut code = view.code();
            match self.packed(&code, false) {
                Ok((packed, names)) if !names.is_empty() => {
                    code = packed;
                    carried = format!(", carrying {}", names.join(", "));
                }
                Ok(_) => {}
                Err(e) => carried = format!(", without its files ({e})"),
            }
            if code != *self.shared.params.patch.get() {
                self.shared.params.patch.set_code(code, Trust::Own);
            }
        }
        match self.shared.params.patch.save_as(&library, name) {
            Ok(preset) => {
                self.synced = self.shared.params.patch.get();
                if let Some(view) = &mut self.view {
                    view.set_code(&preset.code);
                }
                self.set_preset_text(&preset.code);
                let path = match &preset.origin {
                    Origin::User(path) => path.display().to_string(),
                    Origin::Factory => String::new(),
                };
                self.message = Some((format!("saved {} ({path}){carried}", preset.name), false));
                self.refresh_presets();
            }
            Err(e) => self.message = Some((e, true)),
        }
    }

    /// Ctrl+S: saves the current user preset, or asks for a name.
    fn save_current(&mut self) {
        match self.shared.params.patch.preset() {
            Some(p) if p.origin == "user" => self.save(&p.name),
            Some(p) => self.dialog = Some(Dialog::SaveAs(format!("{} (mine)", p.name))),
            None => self.dialog = Some(Dialog::SaveAs(String::new())),
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let preset = self.shared.params.patch.preset();
            let name = preset.as_ref().map_or("Untitled", |p| p.name.as_str());
            let unsaved = self
                .view
                .as_ref()
                .is_some_and(|v| v.text() != self.preset_text);
            let mut shown = self.browser.is_some();
            if ui
                .toggle_value(&mut shown, RichText::new("Browse").strong())
                .on_hover_text("Show or hide the preset browser")
                .changed()
            {
                self.browser = shown.then(String::new);
            }
            ui.menu_button(RichText::new("Presets").strong(), |ui| {
                self.preset_menu(ui);
            });
            ui.label(RichText::new(name).heading())
                .on_hover_text(preset.map_or(String::new(), |p| format!("{} preset", p.origin)));
            if unsaved {
                ui.label(RichText::new("(unsaved)").color(Color32::from_rgb(240, 190, 80)))
                    .on_hover_text("The code differs from the saved preset (Ctrl+S saves)");
            }
            ui.separator();
            if ui
                .button("Compile")
                .on_hover_text("Compile the code and switch to it (Ctrl+Enter)")
                .clicked()
            {
                self.compile();
            }
            if ui.button("Save").on_hover_text("Ctrl+S").clicked() {
                self.save_current();
            }
            if ui.button("Find").on_hover_text("Ctrl+F").clicked() {
                if let Some(view) = &mut self.view {
                    view.open_find();
                }
            }
        });
    }

    fn preset_menu(&mut self, ui: &mut egui::Ui) {
        if self.presets.is_empty() {
            self.refresh_presets();
        }
        let mut chosen = None;
        let mut category: Option<&str> = None;
        let mut groups: Vec<(&str, Vec<&Preset>)> = Vec::new();
        for preset in &self.presets {
            if category != Some(preset.category.as_str()) {
                category = Some(&preset.category);
                groups.push((&preset.category, Vec::new()));
            }
            if let Some((_, list)) = groups.last_mut() {
                list.push(preset);
            }
        }
        for (category, list) in groups {
            ui.menu_button(category, |ui| {
                for preset in list {
                    let label = if preset.is_factory() {
                        preset.name.clone()
                    } else {
                        format!("{}  (user)", preset.name)
                    };
                    if ui
                        .button(label)
                        .on_hover_text(&preset.description)
                        .clicked()
                    {
                        chosen = Some(preset.clone());
                        ui.close();
                    }
                }
            });
        }
        if let Some(preset) = chosen {
            self.load(&preset);
        }
        ui.separator();
        let current = self.shared.params.patch.preset();
        let user = current.as_ref().filter(|p| p.origin == "user");
        if ui.button("Save as…").clicked() {
            let name = current.as_ref().map_or(String::new(), |p| p.name.clone());
            self.dialog = Some(Dialog::SaveAs(name));
            ui.close();
        }
        if let Some(user) = user {
            if ui.button("Rename…").clicked() {
                self.dialog = Some(Dialog::Rename {
                    from: user.name.clone(),
                    to: user.name.clone(),
                });
                ui.close();
            }
            if ui.button(format!("Delete \"{}\"", user.name)).clicked() {
                let result = match &self.library {
                    Ok(library) => library.delete(&user.name),
                    Err(e) => Err(e.clone()),
                };
                self.message = Some(match result {
                    Ok(()) => (format!("deleted {}", user.name), false),
                    Err(e) => (e, true),
                });
                self.refresh_presets();
                ui.close();
            }
        }
        let home = crate::editor::file_list::start();
        if ui.button("Import .csd…").clicked() {
            self.dialog = Some(Dialog::Import(home.clone()));
            ui.close();
        }
        if ui.button("Export .csd…").clicked() {
            let name = current.map_or("patch".into(), |p| p.name);
            self.dialog = Some(Dialog::Export(format!("{home}{name}.csd")));
            ui.close();
        }
        if let Ok(library) = &self.library {
            ui.weak(format!("User presets: {}", library.user_dir().display()));
        }
    }

    fn console_pane(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.strong("Console");
            if ui.small_button("Copy").clicked() {
                ui.ctx().copy_text(self.console.clone());
            }
        });
        let mut jump = None;
        for error in &self.errors {
            let text = match (&error.file, error.line) {
                (None, Some(line)) => format!("line {line}: {}", error.message),
                (Some(file), Some(line)) => format!("{file}:{line}: {}", error.message),
                (_, None) => error.message.clone(),
            };
            let link = ui.link(RichText::new(text).color(Color32::from_rgb(255, 110, 100)));
            if link.clicked() && error.file.is_none() {
                jump = error.line;
            }
        }
        egui::ScrollArea::vertical()
            .stick_to_bottom(true)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.console.as_str())
                        .font(egui::TextStyle::Monospace)
                        .desired_width(f32::INFINITY),
                );
            });
        if let (Some(line), Some(view)) = (jump, &mut self.view) {
            view.jump_to(line);
        }
    }

    /// The right-hand pane: the parameters or the files.
    fn side_pane(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal(|ui| {
            ui.selectable_value(
                &mut self.pane,
                Pane::Parameters,
                RichText::new("Parameters").strong(),
            );
            let files = self.view.as_ref().map_or(0, |v| v.embedded_files().len());
            let missing = self.shared.compiler.status.files.load().missing.len();
            let label = match missing {
                0 => RichText::new("Files").strong(),
                _ => RichText::new(format!("Files ({missing} missing)"))
                    .strong()
                    .color(Color32::from_rgb(255, 110, 100)),
            };
            ui.selectable_value(&mut self.pane, Pane::Files, label)
                .on_hover_text(format!("{files} embedded"));
        });
        // The keyboard stays at the bottom; the pane scrolls above it.
        let above = (ui.available_height() - KEYBOARD_HEIGHT).max(40.0);
        ui.allocate_ui(egui::vec2(ui.available_width(), above), |ui| {
            ui.set_min_height(above);
            match self.pane {
                Pane::Parameters => self.parameters_pane(ui, setter),
                Pane::Files => self.files_pane(ui),
            }
        });
        ui.separator();
        self.piano.show(ui, &self.shared.params.keyboard);
    }

    fn parameters_pane(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            panel::show(ui, &self.entries, &self.shared.params.slots, setter);
            let outputs = self.shared.compiler.status.outputs.load_full();
            if !outputs.names().is_empty() {
                ui.add_space(10.0);
                ui.strong("Outputs");
                egui::Grid::new("outputs").num_columns(2).show(ui, |ui| {
                    for name in outputs.names() {
                        ui.label(name);
                        let value = outputs.get(name).unwrap_or(0.0);
                        match outputs.range(name) {
                            // A meter over the declared range, the number on it.
                            Some(range) => {
                                let bar = egui::ProgressBar::new(meter_fraction(value, range))
                                    .desired_width(160.0)
                                    .text(RichText::new(format!("{value:.3}")).monospace());
                                ui.add(bar);
                            }
                            None => {
                                ui.monospace(format!("{value:.3}"));
                            }
                        }
                        ui.end_row();
                    }
                });
            }
        });
    }
}

impl NiceEguiApp for EditorApp {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        nice_gui_ctx: GuiContext,
        _frame: &mut Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        egui_ctx.set_visuals(egui::Visuals::dark());
        self.gui = Some(nice_gui_ctx);
        // Read before the window reports its first size, which would overwrite it.
        let saved = self.shared.params.editor_size.load(Ordering::Relaxed);
        self.restore_size = Some(((saved >> 32) as u32, saved as u32));
        // `synced` stays: code that changed while the window was closed is taken (and
        // counts as saved) at the first frame.
        let code = self.shared.params.patch.get();
        self.view = Some(CodeView::new(&code, opcodes()));
        self.settings = Settings::load();
        // Bindings made before the window opened: tell the host about them too.
        self.table = Arc::new(SlotTable::default());
        self.console_seen = u64::MAX;
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut Frame) {
        let Some(gui) = self.gui.clone() else { return };
        if let Some((width, height)) = self.restore_size.take() {
            let window = frame.baseview_window();
            let now = window.size().logical;
            if width > 0 && height > 0 && (now.width as u32, now.height as u32) != (width, height) {
                // A host that does not allow it keeps the window as it is.
                let _ = window.resize(LogicalSize::new(f64::from(width), f64::from(height)));
            }
        }
        let setter = gui.param_setter();
        self.sync(&setter);
        // Output values and compile results arrive from other threads.
        ui.ctx().request_repaint_after(Duration::from_millis(50));
        let (compile, save, find) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::Enter),
                i.consume_key(Modifiers::COMMAND, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::F),
            )
        });
        if compile {
            self.compile();
        }
        if save {
            self.save_current();
        }
        if find {
            if let Some(view) = &mut self.view {
                view.open_find();
            }
        }
        let ctx = ui.ctx().clone();
        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        if self.refusal_shown() {
            egui::Panel::top("permission").show(ui, |ui| self.permission_bar(ui));
        }
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::bottom("console")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| self.console_pane(ui));
        if self.browser.is_some() {
            egui::Panel::left("browser")
                .resizable(true)
                .default_size(230.0)
                .show(ui, |ui| self.browser_pane(ui));
        }
        egui::Panel::right("parameters")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| self.side_pane(ui, &setter));
        let errors: BTreeMap<usize, String> = self
            .errors
            .iter()
            .filter(|e| e.file.is_none())
            .filter_map(|e| Some((e.line?, e.message.clone())))
            .collect();
        egui::CentralPanel::default().show(ui, |ui| {
            if self.form.is_some() {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.central, Central::Code, "Code");
                    let caption = self
                        .form
                        .as_ref()
                        .and_then(|f| f.form.caption.clone())
                        .unwrap_or_else(|| "Cabbage form".into());
                    ui.selectable_value(&mut self.central, Central::Form, caption)
                        .on_hover_text("The patch's <Cabbage> widgets where its section puts them");
                });
            }
            match (self.central, &mut self.form) {
                (Central::Form, Some(form)) => {
                    let outputs = self.shared.compiler.status.outputs.load_full();
                    let links = Links {
                        entries: &self.entries,
                        slots: &self.shared.params.slots,
                        setter: &setter,
                        outputs: &outputs,
                        keyboard: &self.shared.params.keyboard,
                        strings: &self.form_strings,
                    };
                    if let Some(FormAction::ChooseFile { channel }) = form.show(ui, &links) {
                        self.dialog = Some(Dialog::ChooseFile {
                            channel,
                            path: crate::editor::file_list::start(),
                        });
                    }
                }
                _ => {
                    if let Some(view) = &mut self.view {
                        view.show(ui, &errors);
                    }
                }
            }
        });
        self.dialog(&ctx);
    }

    fn resized(&mut self, new_size: WindowSize) {
        // Until the saved size is restored, sizes reported are the default's.
        if self.restore_size.is_none() {
            let (width, height) = (
                new_size.logical.width as u64,
                new_size.logical.height as u64,
            );
            self.shared
                .params
                .editor_size
                .store(width << 32 | height, Ordering::Relaxed);
        }
    }

    fn editor_closed(&mut self) {
        self.gui = None;
    }
}

#[cfg(test)]
mod tests {
    use super::meter_fraction;

    #[test]
    fn meters_fill_over_the_declared_range() {
        assert_eq!(meter_fraction(6.0, (0.0, 24.0)), 0.25);
        assert_eq!(meter_fraction(-3.0, (0.0, 24.0)), 0.0);
        assert_eq!(meter_fraction(30.0, (0.0, 24.0)), 1.0);
        assert_eq!(meter_fraction(-30.0, (-60.0, 0.0)), 0.5);
        assert_eq!(meter_fraction(f64::NAN, (0.0, 1.0)), 0.0);
    }
}
