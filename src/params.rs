//! The plugin's host parameters and persisted fields: the slot pool bound to the patch's
//! channels, and the patch code with its slot map.

use crate::compiler::Compiler;
use crate::slots::SlotParams;
use crate::state::PatchCode;
use nice_plug::prelude::*;
use std::sync::Arc;

/// Everything the host sees and saves with a session.
#[derive(Params)]
pub struct PlugParams {
    /// The patch code and slot map, saved under the key `state` (see [`crate::state`]).
    #[persist = "state"]
    pub patch: PatchCode,
    /// The generic parameters `p01`…`p64` bound to the patch's declared channels.
    #[nested(group = "Patch")]
    pub slots: Arc<SlotParams>,
}

impl PlugParams {
    /// Parameters for a new instance starting with `default_code`, bound to `compiler`'s
    /// slot state.
    pub fn new(default_code: &'static str, compiler: &Compiler) -> Self {
        let shared = compiler.shared();
        Self {
            patch: PatchCode::new(default_code, compiler.requester(), shared.clone()),
            slots: Arc::new(SlotParams::new(shared.slots.table.clone())),
        }
    }
}
