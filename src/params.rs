//! The plugin's parameters and persisted fields.
//!
//! For now only the patch code is persisted; the pool of host parameters bound to Csound
//! channels comes with the parameter work.

use crate::compiler::CompileRequester;
use crate::state::PatchCode;
use nice_plug::prelude::*;

/// Everything the host saves with a session.
#[derive(Params)]
pub struct PlugParams {
    /// The patch code, saved under the key `state` (see [`crate::state`]).
    #[persist = "state"]
    pub patch: PatchCode,
}

impl PlugParams {
    /// Parameters for a new instance starting with `default_code`.
    pub fn new(default_code: &'static str, requester: CompileRequester) -> Self {
        Self {
            patch: PatchCode::new(default_code, requester),
        }
    }
}
