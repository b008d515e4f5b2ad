//! The plugin's saved state: the patch code, its slot map and which preset it came from,
//! versioned, as a persistent field.
//!
//! The host stores `{"version": 2, "code": "<.csd text>", "slots": {...}, "preset": {...}}`
//! under the key `state` of nice-plug's JSON. Older versions are migrated on load; state
//! that cannot be read (corrupt, truncated, from a newer version, or missing) loads the
//! default patch and says why in the console and the host's log.

use crate::compiler::{CompileRequester, CompilerShared, Trust};
use crate::presets::library::Library;
use crate::presets::{Origin, Preset};
use crate::slots::{SlotMap, SLOT_COUNT};
use arc_swap::ArcSwap;
use nice_plug::params::persist::PersistentField;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The state format written by this version.
pub const STATE_VERSION: u64 = 2;

/// The key of the state in nice-plug's persisted fields.
pub const STATE_KEY: &str = "state";

/// Where the current code came from, so a preset browser can show it after a reload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresetRef {
    /// The preset's name.
    pub name: String,
    /// `factory`, `user`, or `session` (typed or pasted code; state from before presets).
    pub origin: String,
}

impl PresetRef {
    /// The reference to `preset`.
    pub fn to(preset: &Preset) -> Self {
        Self {
            name: preset.name.clone(),
            origin: match preset.origin {
                Origin::Factory => "factory",
                Origin::User(_) => "user",
            }
            .into(),
        }
    }
}

impl PresetRef {
    /// The preset `code`'s metadata names, if it names one, from `origin`.
    fn named_in(code: &str, origin: &str) -> Option<Self> {
        let name = crate::patch::metadata(code).ok()??.name?;
        Some(Self {
            name,
            origin: origin.into(),
        })
    }
}

/// What a saved state holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedState {
    /// The patch code.
    pub code: String,
    /// Channel → slot.
    pub slots: SlotMap,
    /// The preset the code came from, if known.
    pub preset: Option<PresetRef>,
}

/// Reads a saved state value of any known version: the state, or why it cannot be used.
pub fn parse_state(value: &Value) -> Result<SavedState, String> {
    // A bare string is a reason found before the value could be read (`check_fields`).
    if let Value::String(reason) = value {
        return Err(reason.clone());
    }
    if !value.is_object() {
        return Err("the saved state is not a Csound Plug state".into());
    }
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("the saved state has no version number")?;
    match version {
        1 | 2 => {}
        v if v > STATE_VERSION => {
            return Err(format!(
                "the saved state is from a newer Csound Plug (state version {v}; this one reads \
                 up to {STATE_VERSION})"
            ))
        }
        v => return Err(format!("the saved state has an unknown version ({v})")),
    }
    let code = value
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "the saved state has no patch code".to_string())?;
    // Absent in version 1 states saved before the slot map existed: no channel holds a
    // slot yet.
    let slots: SlotMap = match value.get("slots") {
        None => SlotMap::default(),
        Some(slots) => serde_json::from_value(slots.clone())
            .map_err(|e| format!("the saved state's slot map is unreadable ({e})"))?,
    };
    let mut taken = BTreeSet::new();
    if slots
        .0
        .values()
        .any(|&slot| slot >= SLOT_COUNT || !taken.insert(slot))
    {
        return Err(
            "the saved state's slot map gives a slot twice or one that does not exist".into(),
        );
    }
    let preset = match version {
        // Version 1 knew no presets: the code's own metadata name, if any.
        1 => PresetRef::named_in(&code, "session"),
        _ => match value.get("preset") {
            None | Some(Value::Null) => None,
            Some(preset) => Some(
                serde_json::from_value(preset.clone())
                    .map_err(|e| format!("the saved state's preset is unreadable ({e})"))?,
            ),
        },
    };
    Ok(SavedState {
        code,
        slots,
        preset,
    })
}

/// The state value for `state`, in the current version.
pub fn state_value(state: &SavedState) -> Value {
    json!({
        "version": STATE_VERSION,
        "code": state.code,
        "slots": state.slots,
        "preset": state.preset,
    })
}

/// Before nice-plug hands the persisted fields to [`PatchCode`]: a state without our
/// field, or with one that is not JSON, becomes a reason, so the default patch loads
/// with a message instead of the old code silently staying.
pub fn check_fields(fields: &mut BTreeMap<String, String>) {
    let reason = match fields.get(STATE_KEY) {
        None => "the saved state holds no Csound Plug patch".to_string(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(_) => return,
            Err(e) => format!("the saved state is corrupt ({e})"),
        },
    };
    fields.insert(STATE_KEY.into(), Value::String(reason).to_string());
}

/// The current patch code, saved with the host's state.
pub struct PatchCode {
    code: ArcSwap<String>,
    /// The current code is the user's own (typed here, or a factory preset).
    own: std::sync::atomic::AtomicBool,
    /// The current code came as a preset load (its saved values apply).
    loaded: std::sync::atomic::AtomicBool,
    preset: ArcSwap<Option<PresetRef>>,
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
            own: true.into(),
            loaded: false.into(),
            preset: ArcSwap::from_pointee(PresetRef::named_in(default_code, "factory")),
            default_code,
            requester,
            shared,
        }
    }

    /// The current code.
    pub fn get(&self) -> Arc<String> {
        self.code.load_full()
    }

    /// The preset the current code came from, if known.
    pub fn preset(&self) -> Option<PresetRef> {
        Option::clone(&self.preset.load())
    }

    /// Who vouches for the current code.
    pub fn trust(&self) -> Trust {
        if self.own.load(std::sync::atomic::Ordering::Acquire) {
            Trust::Own
        } else {
            Trust::Shared
        }
    }

    fn store(&self, code: Arc<String>, trust: Trust, loaded: bool) {
        use std::sync::atomic::Ordering::Release;
        self.code.store(code);
        self.own.store(trust == Trust::Own, Release);
        self.loaded.store(loaded, Release);
    }

    /// Replaces the code (an edit typed here: [`Trust::Own`]; a session's code:
    /// [`Trust::Shared`]) and asks for it to be compiled; parameters keep their values
    /// and the code keeps its preset name.
    pub fn set_code(&self, code: String, trust: Trust) {
        let code = Arc::new(code);
        self.store(code.clone(), trust, false);
        self.requester.compile(code, trust);
    }

    /// Loads `preset`: its code compiles and the parameters move to the values saved with
    /// it (else their declared defaults). Channels keep their slots. A user preset file
    /// may come from anyone: what it reaches outside the audio needs permission.
    pub fn load_preset(&self, preset: &Preset) {
        let code = Arc::new(preset.code.clone());
        let trust = match preset.origin {
            Origin::Factory => Trust::Own,
            Origin::User(_) => Trust::Shared,
        };
        self.store(code.clone(), trust, true);
        self.preset.store(Arc::new(Some(PresetRef::to(preset))));
        self.requester.load(code, trust);
    }

    /// The user allowed the current code to reach outside the audio: remember that and
    /// compile it as it came (a preset load moves the parameters to its values).
    pub fn allow_current(&self) -> Result<(), String> {
        use std::sync::atomic::Ordering::{Acquire, Release};
        let code = self.get();
        crate::sandbox::trust::allow(&code)?;
        self.own.store(true, Release);
        if self.loaded.load(Acquire) {
            self.requester.load(code, Trust::Own);
        } else {
            self.requester.compile(code, Trust::Own);
        }
        Ok(())
    }

    /// Saves the current code and parameter values as the user preset `name` in
    /// `library` (replacing one of that name); the current code becomes the saved text,
    /// whose metadata now holds the name and values.
    pub fn save_as(&self, library: &Library, name: &str) -> Result<Preset, String> {
        let preset = library.save(name, &self.get(), &self.current_values())?;
        self.adopt(&preset);
        Ok(preset)
    }

    /// Takes `preset`'s text as the current code without compiling it (it differs from
    /// the running code only in its `<CsoundPlug>` section: saved, renamed).
    pub fn adopt(&self, preset: &Preset) {
        self.code.store(Arc::new(preset.code.clone()));
        self.preset.store(Arc::new(Some(PresetRef::to(preset))));
    }

    /// The current value of every control bound to a slot, by channel: what a saved
    /// preset stores.
    pub fn current_values(&self) -> BTreeMap<String, f64> {
        let table = self.shared.slots.table.load();
        let Some(values) = self.shared.slots.values.get() else {
            return BTreeMap::new();
        };
        table
            .0
            .iter()
            .enumerate()
            .filter_map(|(slot, control)| {
                let control = control.as_ref()?;
                let value = control.shortest_value_at(values.position(slot));
                Some((control.channel.clone(), value))
            })
            .collect()
    }

    fn load_default(&self, reason: &str) {
        self.requester
            .notice(format!("{reason}; loading the default patch"));
        self.shared.slots.map.store(Arc::new(SlotMap::default()));
        let default = crate::presets::Preset::from_code(
            self.default_code.to_string(),
            "Default",
            Origin::Factory,
        );
        self.load_preset(&default);
    }
}

impl<'a> PersistentField<'a, Value> for PatchCode {
    /// Runs when the host loads state (possibly at the end of a process call, where
    /// nice-plug permits allocation). Bad state loads the default patch.
    fn set(&self, value: Value) {
        match parse_state(&value) {
            Ok(state) => {
                // Before the compile, so the new engine binds with the saved map.
                self.shared.slots.map.store(Arc::new(state.slots));
                self.preset.store(Arc::new(state.preset));
                self.set_code(state.code, Trust::Shared);
            }
            Err(reason) => self.load_default(&reason),
        }
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        f(&state_value(&SavedState {
            code: String::clone(&self.code.load()),
            slots: SlotMap::clone(&self.shared.slots.map.load()),
            preset: self.preset(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(code: &str) -> SavedState {
        let mut slots = SlotMap::default();
        slots.0.insert("cutoff".into(), 3);
        SavedState {
            code: code.into(),
            slots,
            preset: Some(PresetRef {
                name: "Pad ♪".into(),
                origin: "user".into(),
            }),
        }
    }

    #[test]
    fn state_round_trips_exactly() {
        let code = "<CsoundSynthesizer>\n; ünïcødé ♪ \"quotes\" \\ \t\0\n</CsoundSynthesizer>\n";
        let big = format!(
            "{code}{}",
            "; a long comment line ♪ \u{1F3B9}\n".repeat(40_000)
        );
        assert!(big.len() > 1_000_000);
        for code in [code, big.as_str()] {
            let saved = state(code);
            let text = serde_json::to_string(&state_value(&saved)).unwrap();
            let back: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(parse_state(&back).unwrap(), saved);
        }
    }

    #[test]
    fn older_versions_are_migrated() {
        let code = "<CsoundSynthesizer>\n<CsoundPlug>\nname = \"Old\"\n</CsoundPlug>\n</CsoundSynthesizer>";
        // Version 1 before the slot map existed.
        let v1 = parse_state(&json!({"version": 1, "code": code})).unwrap();
        assert_eq!(v1.slots, SlotMap::default());
        assert_eq!(
            v1.preset,
            Some(PresetRef {
                name: "Old".into(),
                origin: "session".into()
            })
        );
        // Version 1 with a slot map.
        let v1 = parse_state(&json!({"version": 1, "code": "x", "slots": {"gain": 0}})).unwrap();
        assert_eq!(v1.slots.0["gain"], 0);
        assert_eq!(v1.preset, None);
    }

    #[test]
    fn bad_state_says_why() {
        for (value, why) in [
            (json!({}), "no version"),
            (json!({"version": 99, "code": "x"}), "newer Csound Plug"),
            (json!({"version": 0, "code": "x"}), "unknown version"),
            (json!({"version": "2", "code": "x"}), "no version"),
            (json!({"version": 2}), "no patch code"),
            (json!({"version": 2, "code": 5}), "no patch code"),
            (json!({"version": 2, "code": "x", "slots": [1]}), "slot map"),
            (
                json!({"version": 2, "code": "x", "slots": {"a": 64}}),
                "slot map",
            ),
            (
                json!({"version": 2, "code": "x", "slots": {"a": 1, "b": 1}}),
                "twice",
            ),
            (json!({"version": 2, "code": "x", "preset": 3}), "preset"),
            (json!([1, 2]), "not a Csound Plug state"),
            (json!(null), "not a Csound Plug state"),
        ] {
            let err = parse_state(&value).unwrap_err();
            assert!(err.contains(why), "{value}: {err}");
        }
    }

    #[test]
    fn missing_or_corrupt_fields_become_reasons() {
        let mut fields = BTreeMap::new();
        check_fields(&mut fields);
        let reason = parse_state(&serde_json::from_str(&fields[STATE_KEY]).unwrap());
        assert!(reason.unwrap_err().contains("holds no Csound Plug patch"));
        fields.insert(STATE_KEY.into(), "{\"version\": 2, \"co".into());
        check_fields(&mut fields);
        let reason = parse_state(&serde_json::from_str(&fields[STATE_KEY]).unwrap());
        assert!(reason.unwrap_err().contains("corrupt"));
        let good = state_value(&state("x")).to_string();
        fields.insert(STATE_KEY.into(), good.clone());
        check_fields(&mut fields);
        assert_eq!(fields[STATE_KEY], good);
    }
}
