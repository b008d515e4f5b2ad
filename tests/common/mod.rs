//! Helpers shared by the integration tests: a CLAP host harness and sound analysis.
//!
//! Each test binary uses only part of this, hence the `dead_code` allowance.

#![allow(dead_code)]

pub mod analysis;
pub mod clap;
