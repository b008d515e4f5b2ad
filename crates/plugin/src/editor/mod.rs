//! The editor: write, hear, fix and tweak the patch inside the DAW.
//!
//! An egui window (nice-plug-egui) with the code view ([`code_view`]), the console, a
//! parameter panel ([`panel`]) linked to the host parameters, the preset browser and a
//! status bar. Everything here runs on the GUI thread; it talks to the rest of the plugin
//! through the same lock-free handles the host uses: [`crate::state::PatchCode`] to change
//! the code, the slot parameters (through nice-plug's `ParamSetter`, so hosts record
//! automation) and the compiler's console and slot table.

mod app;
pub mod code_view;
pub mod file_list;
pub mod form;
pub mod highlight;
pub mod knob;
pub mod panel;
pub mod piano;

use crate::compiler::CompilerShared;
use crate::params::PlugParams;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::ResizeHint;
use nice_plug_egui::{create_egui_editor, EguiEditorState, EguiNiceSettings, RepaintNotifier};
use std::sync::Arc;

pub use app::EditorApp;

/// The plugin's editor type.
pub type PlugEditor = nice_plug_egui::EguiEditor<EditorApp>;

/// Window size when first opened, in logical points.
const DEFAULT_SIZE: (f32, f32) = (1180.0, 760.0);
/// Smallest window that still shows code, parameters and console.
const MIN_SIZE: (f32, f32) = (720.0, 420.0);

/// What the editor works on, shared with the plugin instance.
pub struct EditorShared {
    /// The host parameters and the patch code.
    pub params: Arc<PlugParams>,
    /// Console, slot table, outputs and status of the compiler thread.
    pub compiler: Arc<CompilerShared>,
    /// The plugin's name, for the window title.
    pub title: &'static str,
}

/// The editor for one plugin instance.
pub fn create(shared: EditorShared) -> Option<PlugEditor> {
    let state = EguiEditorState::from_size(LogicalSize::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1), 1.0);
    let settings = EguiNiceSettings::new()
        .with_tile(shared.title)
        .with_resize_hint(
            ResizeHint::resizable().with_min_logical_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1)),
        );
    create_egui_editor(
        state,
        RepaintNotifier::new(),
        settings,
        EditorApp::new(shared),
    )
}
