//! Safe patches: a patch is checked in a short-lived, sandboxed child process before the
//! plugin or the CLI compiles it, and code that reaches outside the audio needs the user's
//! permission.
//!
//! - [`gate`] reads what a patch can reach (commands, files, network, libraries).
//! - [`trust`] remembers the code the user allowed, by content hash.
//! - [`precheck`] runs the helper binary on the code and reads its verdict.
//! - [`verdicts`] remembers the code that passed, so it is checked once per machine.
//! - [`child`] is the helper's side: limits, a seccomp filter, then compile, start, play
//!   the score's first seconds and test notes, reporting as it goes.

#![deny(missing_docs)]

pub mod child;
pub mod gate;
pub mod precheck;
pub mod protocol;
#[cfg(target_os = "linux")]
mod seccomp;
pub mod trust;
pub mod verdicts;
