//! Helpers shared by the integration tests of every crate: CLAP and VST3 host harnesses, sound
//! analysis, test patches and the paths of the workspace's fixtures. Dev only.

#![allow(dead_code)]

pub mod analysis;
pub mod bench;
pub mod clap;
pub mod csd;
pub mod memory;
pub mod process;
pub mod rng;
pub mod unsafe_patches;
pub mod vst3;

use std::path::PathBuf;

/// The workspace's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Where the built bundles are: `$CSOUND_PLUG_BUNDLE_DIR`, else `target/bundled`.
pub fn bundle_dir() -> PathBuf {
    match std::env::var_os("CSOUND_PLUG_BUNDLE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("target/bundled"),
    }
}

/// The test patches: `tests/patches` in the workspace.
pub fn patches_dir() -> PathBuf {
    root().join("tests").join("patches")
}

/// The first default instrument, kept as a fixture: tests edit its text.
pub const TWO_OSC_SYNTH: &str =
    include_str!("../../../tests/patches/first_defaults/two_osc_synth.csd");

/// The first default effect, kept as a fixture.
pub const PING_PONG_ECHO: &str =
    include_str!("../../../tests/patches/first_defaults/ping_pong_echo.csd");
