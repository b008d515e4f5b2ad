//! The status bar: compile state, engine facts, CPU, peak meters and MIDI activity.

use super::EditorApp;
use egui::{Color32, RichText};
use std::time::Duration;

impl EditorApp {
    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let error = self.shared.compiler.status.console.last_error();
            match &error {
                Some(e) => ui.label(
                    RichText::new(format!("error: {}", e.step))
                        .color(Color32::from_rgb(255, 110, 100)),
                ),
                None => ui.label(RichText::new("running").color(Color32::from_rgb(120, 200, 120))),
            };
            if let Some(facts) = self.shared.compiler.status.facts.load_full() {
                ui.separator();
                ui.label(format!(
                    "{} Hz · ksmps {} · latency {} samples ({:.1} ms) · {} ch",
                    facts.sample_rate,
                    facts.ksmps,
                    facts.latency,
                    facts.latency as f64 / facts.sample_rate * 1000.0,
                    facts.nchnls
                ));
            }
            self.meters(ui);
            if let Some((text, bad)) = &self.message {
                ui.separator();
                let colour = if *bad {
                    Color32::from_rgb(255, 110, 100)
                } else {
                    Color32::GRAY
                };
                ui.label(RichText::new(text).color(colour));
            }
        });
    }

    /// CPU load, output peaks and MIDI activity.
    fn meters(&mut self, ui: &mut egui::Ui) {
        let meters = &self.shared.compiler.handover.meters;
        ui.separator();
        let load = meters.load();
        let colour = if load > 0.7 {
            Color32::from_rgb(255, 110, 100)
        } else {
            Color32::GRAY
        };
        ui.label(RichText::new(format!("CPU {:.0}%", load * 100.0)).color(colour))
            .on_hover_text("Share of each audio block's time the patch took");
        // Peaks fall by about 20 dB a second between blocks that raise them.
        for (shown, new) in self.peaks.iter_mut().zip(meters.take_peaks()) {
            *shown = new.max(*shown * 0.89);
        }
        for peak in self.peaks {
            let db = 20.0 * peak.max(1e-6).log10();
            let fill = ((db + 60.0) / 60.0).clamp(0.0, 1.0);
            let colour = if peak >= 1.0 {
                Color32::from_rgb(230, 60, 50)
            } else if db > -6.0 {
                Color32::from_rgb(230, 190, 60)
            } else {
                Color32::from_rgb(80, 180, 90)
            };
            ui.add(
                egui::ProgressBar::new(fill)
                    .desired_width(70.0)
                    .fill(colour)
                    .text(if peak > 1e-6 {
                        format!("{db:.0} dB")
                    } else {
                        "-inf".into()
                    }),
            );
        }
        let count = meters.midi_events();
        if count != self.midi_seen.0 {
            self.midi_seen = (count, Some(std::time::Instant::now()));
        }
        let lit = self
            .midi_seen
            .1
            .is_some_and(|at| at.elapsed() < Duration::from_millis(150));
        ui.label(RichText::new("MIDI").color(if lit {
            Color32::from_rgb(120, 220, 120)
        } else {
            Color32::from_gray(80)
        }))
        .on_hover_text(format!("{count} MIDI events received"));
    }
}
