//! A patch as text: the `.csd` reader everyone uses, the facts read from a patch without
//! running it, the plugin's `<CsoundPlug>` metadata, saved state and presets.
//!
//! Nothing here runs Csound or knows the plugin framework: the engine, the sandbox, the
//! plugin and the command line all read patches through this crate, with one set of rules.

#![deny(missing_docs)]

pub mod cabbage;
pub mod controls;
pub mod csd;
pub mod embedded;
pub mod facts;
pub mod layout;
pub mod links;
pub mod metadata;
pub mod presets;
pub mod settings;
pub mod state;
