//! Why a patch did not compile or start.

use crate::diagnostics::ErrorLine;

/// A patch that did not compile or start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompileError {
    /// Everything Csound printed.
    pub log: String,
    /// The errors found in it.
    pub errors: Vec<ErrorLine>,
    /// Which step failed.
    pub step: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.step)?;
        for error in &self.errors {
            match (&error.file, error.line) {
                (Some(file), Some(line)) => write!(f, "\n{file} line {line}: {}", error.message)?,
                (None, Some(line)) => write!(f, "\nline {line}: {}", error.message)?,
                (_, None) => write!(f, "\n{}", error.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}
