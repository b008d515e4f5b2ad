//! What the pre-check's parent and child say to each other: one JSON request on the
//! child's standard input, then one JSON message per line on its standard output. The
//! child's seccomp handler adds plain `attempt <syscall>` lines (it cannot format JSON).

use crate::gate::UnsafeUse;
use csound_plug_engine::csound::OpenedFile;
use csound_plug_engine::diagnostics::MissingFile;
use csound_plug_engine::{CompileError, EngineConfig};
use serde::{Deserialize, Serialize};

/// The code to check and how the plugin or CLI will run it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckRequest {
    /// The whole `.csd`.
    pub code: String,
    /// The configuration the code will be compiled with.
    pub config: EngineConfig,
    /// Seconds of the patch's own score to play before the test notes.
    pub score_seconds: f64,
    /// Score statements added to the patch's own (the CLI's `--score`).
    pub extra_score: Option<String>,
    /// Play test notes on every instrument MIDI reaches (the plugin; the CLI when it
    /// plays MIDI).
    pub test_notes: bool,
    /// The user allowed the code to reach outside the audio: the child runs it without
    /// its seccomp filter and file-size limit, so that what was allowed (a score made by
    /// a program, a file written) happens as it will in the real run. The crash, hang and
    /// memory checks stay.
    pub allowed: bool,
}

/// One line from the child.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChildMessage {
    /// What the child does now; also shows it is alive.
    Phase {
        /// E.g. "compiling", "instr 2 from a MIDI note".
        what: String,
    },
    /// The sandbox could not be set up; the check goes on without it.
    NoSandbox {
        /// Why.
        why: String,
    },
    /// What the code reaches outside the audio, read before anything runs.
    Uses {
        /// In line order.
        uses: Vec<UnsafeUse>,
    },
    /// The patch does not compile or start.
    CompileError {
        /// Csound's errors, lines mapped to the patch.
        error: CompileError,
    },
    /// The patch produced NaN or infinite samples (reported once per phase; the check
    /// goes on).
    NonFinite {
        /// Where, with the notes sounding.
        phase: String,
    },
    /// The files Csound opened while the code was checked (its file-open callback).
    Files {
        /// Each once, in the order opened.
        files: Vec<OpenedFile>,
    },
    /// Files the patch wanted that Csound could not open while it played (notes that
    /// need them are silent; reported, not refused).
    Missing {
        /// Each once, with the line that names it.
        files: Vec<MissingFile>,
    },
    /// Everything ran.
    Done,
}

impl ChildMessage {
    /// The message as one line of JSON with its newline.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("messages serialize");
        line.push('\n');
        line
    }
}

/// The prefix of a line the seccomp handler writes for a refused system call.
pub const ATTEMPT_PREFIX: &str = "attempt ";
