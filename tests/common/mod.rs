//! Helpers shared by the integration tests: a CLAP host harness, sound analysis and
//! test patches.
//!
//! Each test binary uses only part of this, hence the `dead_code` allowance.

#![allow(dead_code)]

pub mod analysis;
pub mod clap;
pub mod csd;
pub mod process;
pub mod unsafe_patches;
