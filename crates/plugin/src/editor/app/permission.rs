//! The bar that says why the current code does not run when the pre-check refused it, and
//! for code that reaches outside the audio, what it reaches and a button to allow it.

use super::EditorApp;
use egui::{Color32, RichText};

impl EditorApp {
    /// Whether the current code is refused (the bar is shown).
    pub(super) fn refusal_shown(&self) -> bool {
        self.shared
            .compiler
            .status
            .refused
            .load()
            .as_ref()
            .is_some_and(|r| *r.code == *self.shared.params.patch.get())
    }

    pub(super) fn permission_bar(&mut self, ui: &mut egui::Ui) {
        let Some(refusal) = self.shared.compiler.status.refused.load_full() else {
            return;
        };
        if *refusal.code != *self.shared.params.patch.get() {
            return;
        }
        let warning = Color32::from_rgb(255, 190, 90);
        ui.label(
            RichText::new(refusal.problem.summary())
                .color(warning)
                .strong(),
        );
        if !refusal.problem.needs_permission() {
            ui.label(
                "The patch that played before plays on. Fix the code and compile (Ctrl+Enter).",
            );
            return;
        }
        ui.label(
            "This code came from a session or a preset file. Allow it only if you trust \
             whoever wrote it: it could change or delete your files or run any program.",
        );
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new("Allow this code on this computer").color(warning))
                .clicked()
            {
                self.message = Some(match self.shared.params.patch.allow_current() {
                    Ok(()) => ("allowed; compiling".into(), false),
                    Err(e) => (e, true),
                });
            }
            ui.label("(remembered for this exact code; any change asks again)");
        });
    }
}
