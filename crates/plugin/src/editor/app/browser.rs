//! The preset browser panel: presets by category, searchable, a click loads one.

use super::EditorApp;
use csound_plug_patch::presets::Preset;
use egui::RichText;

impl EditorApp {
    /// The preset browser: search, presets by category, a click loads one.
    pub(super) fn browser_pane(&mut self, ui: &mut egui::Ui) {
        if self.presets.is_empty() {
            self.refresh_presets();
        }
        let Some(query) = &mut self.browser else {
            return;
        };
        ui.add(
            egui::TextEdit::singleline(query)
                .hint_text("Search name, tag, text")
                .desired_width(f32::INFINITY),
        );
        let query = query.clone();
        let current = self.shared.params.patch.preset();
        let mut chosen = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                // Sorted by category, so each category is one run.
                let matching: Vec<&Preset> =
                    self.presets.iter().filter(|p| p.matches(&query)).collect();
                if matching.is_empty() {
                    ui.weak("No preset matches.");
                }
                let mut start = 0;
                while start < matching.len() {
                    let name = matching[start].category.as_str();
                    let end = matching[start..]
                        .iter()
                        .position(|p| p.category != name)
                        .map_or(matching.len(), |n| start + n);
                    egui::CollapsingHeader::new(RichText::new(name).strong())
                        .default_open(true)
                        .show(ui, |ui| {
                            for preset in &matching[start..end] {
                                let selected = current.as_ref().is_some_and(|c| {
                                    c.name == preset.name
                                        && (c.origin == "factory") == preset.is_factory()
                                });
                                let label = if preset.is_factory() {
                                    RichText::new(&preset.name)
                                } else {
                                    RichText::new(format!("{}  (user)", preset.name)).italics()
                                };
                                let hover = if preset.tags.is_empty() {
                                    preset.description.clone()
                                } else {
                                    format!(
                                        "{}\n\ntags: {}",
                                        preset.description,
                                        preset.tags.join(", ")
                                    )
                                };
                                if ui
                                    .selectable_label(selected, label)
                                    .on_hover_text(hover)
                                    .clicked()
                                {
                                    chosen = Some((*preset).clone());
                                }
                            }
                        });
                    start = end;
                }
            });
        if let Some(preset) = chosen {
            self.load(&preset);
        }
    }
}
