//! The patch code as a persistent field: what the host saves with a session and hands
//! back when it loads one (see [`csound_plug_patch::state`] for the format).

use crate::buses;
use crate::compiler::{CompileRequester, CompilerShared, Trust};
use arc_swap::ArcSwap;
use csound_plug_engine::cabbage::StateValues;
use csound_plug_patch::presets::library::Library;
use csound_plug_patch::presets::{Origin, Preset};
use csound_plug_patch::state::{parse_state, state_value, PresetRef, SavedState, SlotMap};
use nice_plug::params::persist::PersistentField;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

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
        let names = buses::declared_names(&code);
        self.shared.status.bus_names.store(Arc::new(names));
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
        // A user preset's files are looked for beside it.
        let folder = match &preset.origin {
            Origin::User(path) => path.parent().map(std::path::Path::to_path_buf),
            Origin::Factory => None,
        };
        self.shared.status.patch_folder.store(folder.map(Arc::new));
        self.store(code.clone(), trust, true);
        self.preset.store(Arc::new(Some(PresetRef::to(preset))));
        self.requester.load(code, trust);
    }

    /// The user allowed the current code to reach outside the audio: remember that and
    /// compile it as it came (a preset load moves the parameters to its values).
    pub fn allow_current(&self) -> Result<(), String> {
        use std::sync::atomic::Ordering::{Acquire, Release};
        let code = self.get();
        csound_plug_sandbox::trust::allow(&code)?;
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
            .bound()
            .map(|(slot, control)| {
                let value = control.shortest_value_at(values.position(slot));
                (control.channel.clone(), value)
            })
            .collect()
    }

    fn load_default(&self, reason: &str) {
        self.requester
            .notice(format!("{reason}; loading the default patch"));
        self.shared.slots.map.store(Arc::new(SlotMap::default()));
        let default = Preset::from_code(self.default_code.to_string(), "Default", Origin::Factory);
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
                let folder = state.folder.map(|f| Arc::new(std::path::PathBuf::from(f)));
                self.shared.status.patch_folder.store(folder);
                // Before the compile, so the patch reads them at its first init pass.
                let values = state
                    .patch_values
                    .map(|v| serde_json::Value::Object(v).to_string());
                let values = StateValues::from_json(values.as_deref(), 0);
                self.shared.status.patch_values.store(Arc::new(values));
                if let Some(last_good) = state.last_good {
                    // What plays while the code does not (a re-activation builds it).
                    let last_good = Arc::new(last_good);
                    self.shared.status.last_built.store(Some(last_good));
                }
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
            last_good: self
                .shared
                .status
                .last_built
                .load_full()
                .map(|c| String::clone(&c)),
            folder: self
                .shared
                .status
                .patch_folder
                .load_full()
                .map(|f| f.display().to_string()),
            patch_values: Some(self.shared.status.patch_values.load().to_value()),
        }))
    }
}
