//! Everything that touches Csound: the FFI wrapper, the [`Engine`] (one compiled and
//! started patch plus its block adapter), MIDI, channels and offline rendering.
//!
//! Give an engine host blocks of any size and note events, get Csound's output delayed by
//! `ksmps` frames. No plugin framework, no editor and no parameter slots in here: the
//! plugin hands the engine its [`params::ParameterModel`].

#![deny(missing_docs)]

pub mod block;
pub mod cabbage;
pub mod channels;
mod compile;
mod config;
pub mod csound;
pub mod diagnostics;
mod engine;
mod error;
pub mod file_cache;
pub mod includes;
mod kernel;
pub mod linked_files;
pub mod messages;
pub mod midi;
pub mod midi_file;
pub mod packing;
pub mod params;
pub mod render;

pub use config::EngineConfig;
pub use engine::Engine;
pub use error::CompileError;

use csound::Csound;
use messages::MessageRing;
use std::sync::Arc;

/// The opcodes this machine's Csound knows, sorted (for the editor's colouring). Creates
/// and destroys an instance: not for the audio thread.
pub fn opcode_names() -> Vec<String> {
    Csound::new(Arc::new(MessageRing::new(16)))
        .map(|mut csound| csound.opcode_names())
        .unwrap_or_default()
}
