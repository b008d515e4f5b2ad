//! The plugin's saved state: the patch code, versioned, as a persistent field.
//!
//! The host stores `{"version": 1, "code": "<.csd text>"}` under the key `state` of
//! nice-plug's JSON. Loading it stores the code and asks the compiler thread to build it;
//! state that cannot be read loads the default patch and says why.

use crate::compiler::{CompileRequester, CompilerShared};
use crate::slots::SlotMap;
use arc_swap::ArcSwap;
use nice_plug::params::persist::PersistentField;
use serde_json::{json, Value};
use std::sync::Arc;

/// The state format written by this version.
pub const STATE_VERSION: u64 = 1;

/// Reads a saved state value: the code and slot map, or why they cannot be used.
pub fn parse_state(value: &Value) -> Result<(String, SlotMap), String> {
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("the saved state has no version number")?;
    if version != STATE_VERSION {
        return Err(format!(
            "the saved state has version {version}, this build reads version {STATE_VERSION}"
        ));
    }
    let code = value
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "the saved state has no patch code".to_string())?;
    // The slot map was added within version 1: absent means no channel holds a slot yet.
    let slots = match value.get("slots") {
        None => SlotMap::default(),
        Some(slots) => serde_json::from_value(slots.clone())
            .map_err(|e| format!("the saved state's slot map is unreadable ({e})"))?,
    };
    Ok((code, slots))
}

/// The state value for `code` and `slots`.
pub fn state_value(code: &str, slots: &SlotMap) -> Value {
    json!({ "version": STATE_VERSION, "code": code, "slots": slots })
}

/// The current patch code, saved with the host's state.
pub struct PatchCode {
    code: ArcSwap<String>,
    default_code: &'static str,
    requester: CompileRequester,
    shared: Arc<CompilerShared>,
}

impl PatchCode {
    /// Starts with `default_code`; loads are sent to `requester`.
    pub fn new(
        default_code: &'static str,
        requester: CompileRequester,
        shared: Arc<CompilerShared>,
    ) -> Self {
        Self {
            code: ArcSwap::from_pointee(default_code.to_string()),
            default_code,
            requester,
            shared,
        }
    }

    /// The current code.
    pub fn get(&self) -> Arc<String> {
        self.code.load_full()
    }

    /// Replaces the code and asks for it to be compiled.
    pub fn set_code(&self, code: String) {
        let code = Arc::new(code);
        self.code.store(code.clone());
        self.requester.compile(code);
    }
}

impl<'a> PersistentField<'a, Value> for PatchCode {
    /// Runs when the host loads state (possibly at the end of a process call, where
    /// nice-plug permits allocation). Bad state loads the default patch.
    fn set(&self, value: Value) {
        match parse_state(&value) {
            Ok((code, slots)) => {
                // Before the compile, so the new engine binds with the saved map.
                self.shared.slots.map.store(Arc::new(slots));
                self.set_code(code);
            }
            Err(reason) => {
                self.requester
                    .notice(format!("{reason}; loading the default patch"));
                self.shared.slots.map.store(Arc::new(SlotMap::default()));
                self.set_code(self.default_code.to_string());
            }
        }
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        f(&state_value(
            &self.code.load(),
            &self.shared.slots.map.load(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips_exactly() {
        let code = "<CsoundSynthesizer>\n; ünïcødé ♪ \"quotes\" \\ \t\n</CsoundSynthesizer>\n";
        let mut slots = SlotMap::default();
        slots.0.insert("cutoff".into(), 3);
        let text = serde_json::to_string(&state_value(code, &slots)).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parse_state(&back).unwrap(), (code.to_string(), slots));
        // Version 1 state saved before the slot map existed still loads.
        let old = json!({"version": 1, "code": code});
        assert_eq!(parse_state(&old).unwrap().1, SlotMap::default());
    }

    #[test]
    fn bad_state_says_why() {
        for (value, why) in [
            (json!({}), "no version"),
            (json!({"version": 99, "code": "x"}), "version 99"),
            (json!({"version": 1}), "no patch code"),
            (json!({"version": 1, "code": "x", "slots": [1]}), "slot map"),
            (json!("just a string"), "no version"),
        ] {
            let err = parse_state(&value).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }
}
