//! The plugin's saved state: the patch code, its slot map and which preset it came from,
//! versioned.
//!
//! The host stores `{"version": 3, "code": "<.csd text>", "slots": {...}, "preset": {...}}`
//! (with `last_good`, `folder` and `patch_values` when there are some)
//! under the key `state` of nice-plug's JSON. Older versions are migrated on load; state
//! that cannot be read (corrupt, truncated, from a newer version, or missing) loads the
//! default patch and says why in the console and the host's log.

use crate::presets::{Origin, Preset};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Host parameter slots a saved state may name: the plugin's pool of generic parameters.
pub const SLOT_COUNT: usize = 128;

/// Channel name → slot index, saved with the state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlotMap(pub BTreeMap<String, usize>);

impl SlotMap {
    /// Frees the slots of channels not in `channels` (a preset load replaces the patch).
    pub fn retain<'a>(&mut self, channels: impl IntoIterator<Item = &'a str>) {
        let kept: BTreeSet<&str> = channels.into_iter().collect();
        self.0.retain(|channel, _| kept.contains(channel.as_str()));
    }

    /// Frees a channel's slot for the next new channel.
    pub fn free(&mut self, channel: &str) {
        self.0.remove(channel);
    }
}

/// The state format written by this version.
pub const STATE_VERSION: u64 = 3;

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
    pub fn named_in(code: &str, origin: &str) -> Option<Self> {
        let name = crate::metadata::metadata(code).ok()??.name?;
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
    /// The last code that ran, when the current code did not (it did not compile or was
    /// refused): what plays after a re-activation or a session reopen. Since version 3.
    pub last_good: Option<String>,
    /// The folder the code was loaded from (a user preset's), where its relative file
    /// names are looked for. Optional in version 3.
    pub folder: Option<String>,
    /// The values the patch saved (`cabbageSetStateValue`), a JSON object; given back to
    /// the patch when the session loads. Optional in version 3.
    pub patch_values: Option<serde_json::Map<String, Value>>,
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
        1..=3 => {}
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
    let last_good = match value.get("last_good") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err("the saved state's last good code is not text".into()),
    };
    let folder = match value.get("folder") {
        None | Some(Value::Null) => None,
        Some(Value::String(folder)) => Some(folder.clone()),
        Some(_) => return Err("the saved state's patch folder is not text".into()),
    };
    let patch_values = match value.get("patch_values") {
        None | Some(Value::Null) => None,
        Some(Value::Object(values)) => Some(values.clone()),
        Some(_) => return Err("the saved state's patch values are not an object".into()),
    };
    Ok(SavedState {
        code,
        slots,
        preset,
        last_good,
        folder,
        patch_values,
    })
}

/// The state value for `state`, in the current version; the last good code only when it
/// differs from the code (a session saved while its code runs stays one copy).
pub fn state_value(state: &SavedState) -> Value {
    let mut value = json!({
        "version": STATE_VERSION,
        "code": state.code,
        "slots": state.slots,
        "preset": state.preset,
    });
    if let Some(last_good) = state.last_good.as_ref().filter(|g| **g != state.code) {
        value["last_good"] = Value::String(last_good.clone());
    }
    if let Some(folder) = &state.folder {
        value["folder"] = Value::String(folder.clone());
    }
    if let Some(values) = state.patch_values.as_ref().filter(|v| !v.is_empty()) {
        value["patch_values"] = Value::Object(values.clone());
    }
    value
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
            last_good: None,
            folder: Some("/home/jo/patches ♪".into()),
            patch_values: None,
        }
    }

    #[test]
    fn patch_values_are_optional_and_read_back() {
        let mut values = serde_json::Map::new();
        values.insert("freq".into(), json!(880));
        values.insert("names".into(), json!(["a", "b"]));
        let saved = SavedState {
            patch_values: Some(values),
            ..state("x")
        };
        let value = state_value(&saved);
        assert_eq!(value["patch_values"]["freq"], 880);
        assert_eq!(parse_state(&value).unwrap(), saved);
        // States without them (older, or a patch that saved none) load as before.
        let plain = parse_state(&json!({"version": 3, "code": "x"})).unwrap();
        assert_eq!(plain.patch_values, None);
        assert!(state_value(&plain).get("patch_values").is_none());
        let bad = json!({"version": 3, "code": "x", "patch_values": [1]});
        assert!(parse_state(&bad).unwrap_err().contains("patch values"));
    }

    #[test]
    fn the_last_good_code_is_kept_when_the_code_does_not_run() {
        let saved = SavedState {
            last_good: Some("good ♪".into()),
            ..state("broken")
        };
        let value = state_value(&saved);
        assert_eq!(value["version"], 3);
        assert_eq!(parse_state(&value).unwrap(), saved);
        // The same code twice is written once.
        let same = SavedState {
            last_good: Some("x".into()),
            ..state("x")
        };
        assert!(state_value(&same).get("last_good").is_none());
        // Version 2 had none.
        let v2 = parse_state(&json!({"version": 2, "code": "x"})).unwrap();
        assert_eq!(v2.last_good, None);
        let bad = json!({"version": 3, "code": "x", "last_good": 5});
        assert!(parse_state(&bad).unwrap_err().contains("last good"));
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
                json!({"version": 2, "code": "x", "slots": {"a": SLOT_COUNT}}),
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
