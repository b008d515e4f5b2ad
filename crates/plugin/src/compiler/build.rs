//! One build: pre-check, compile in-process under a time limit, bind the patch's
//! controls to slots, publish what the editor shows. The result is typed, so the choice
//! of what plays instead (the fallback) is made here and not by the caller.

use super::worker::Worker;
use super::{Active, CompileReport, CompilerShared, PatchFiles, Ready, Refusal, Trust};
use crate::slots::{bind, BindMode, SlotMap, SlotTable};
use csound_plug_engine::cabbage::state::SharedValues;
use csound_plug_engine::{CompileError, Engine, EngineConfig};
use csound_plug_patch::controls::{declared_in_text, Control};
use csound_plug_patch::metadata;
use csound_plug_patch::settings::Settings;
use csound_plug_sandbox::precheck::{self, Checked, Playing, Problem};
use csound_plug_sandbox::trust;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// How long an in-process compile (with its start and warm-up) may take before it is
/// abandoned (`$CSOUND_PLUG_COMPILE_LIMIT` seconds overrides it); the pre-check has run
/// the same code, so only a surprise gets here.
const COMPILE_LIMIT: Duration = Duration::from_secs(10);

/// Why a build produced no engine.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildError {
    /// The pre-check refused the code: it crashed, hung or reaches outside the audio.
    /// It never ran in this process.
    #[error("{}", .0.problem.summary())]
    Refused(Arc<Refusal>),
    /// Csound did not compile or start it (found by the pre-check or in-process).
    #[error("{0}")]
    Compile(CompileError),
    /// The in-process compile did not return in time and was abandoned.
    #[error("{0}")]
    TimedOut(String),
    /// No thread could be started for the compile.
    #[error("cannot start a compile thread: {0}")]
    NoThread(String),
}

impl BuildError {
    /// The error as the console and the editor's gutter show it.
    pub fn to_compile_error(&self) -> CompileError {
        match self {
            BuildError::Refused(refusal) => refusal.problem.to_compile_error(),
            BuildError::Compile(error) => error.clone(),
            BuildError::TimedOut(step) | BuildError::NoThread(step) => CompileError {
                log: String::new(),
                errors: Vec::new(),
                step: step.clone(),
            },
        }
    }
}

impl CompilerShared {
    /// Compiles `code` for `active`, binds its controls to slots as `mode` says and
    /// reports the result. Never on the audio thread.
    pub fn build(
        &self,
        code: Arc<String>,
        active: &Active,
        mode: BindMode,
        trust: Trust,
    ) -> Result<Box<Ready>, BuildError> {
        let console = &self.status.console;
        // Each compile starts a fresh console (the running patch's messages since the last
        // compile go with it).
        console.drain(&self.handover.ring);
        console.clear();
        let config = self.config_for(active, &code);
        let built = self
            .precheck(&code, &config, trust)
            .and_then(|()| self.compile_in_time(&code, &config));
        let (mut engine, log) = match built {
            Ok(built) => built,
            Err(error) => {
                let shown = error.to_compile_error();
                self.status.report(CompileReport {
                    code,
                    result: Err(shown.clone()),
                });
                console.set_compile_result(Some(shown));
                return Err(error);
            }
        };
        self.status.refused.store(None);
        self.status.last_built.store(Some(code.clone()));
        let controls: Vec<(Control, f64)> = engine
            .declared_controls(&code)
            .into_iter()
            .map(|c| {
                let start = engine.metadata().start_value(&c);
                (c, start)
            })
            .collect();
        let model = self.bind(&controls, mode);
        engine.set_parameter_model(&model);
        self.status.outputs.store(engine.outputs());
        self.status.widget_updates.store(engine.widget_updates());
        self.status.facts.store(Some(Arc::new(super::EngineFacts {
            sample_rate: engine.sample_rate(),
            ksmps: engine.ksmps(),
            latency: engine.latency(),
            nchnls: engine.nchnls(),
        })));
        console.append(&log);
        console.set_compile_result(None);
        self.status.report(CompileReport {
            code: code.clone(),
            result: Ok(engine.latency()),
        });
        Ok(Box::new(Ready {
            engine,
            code,
            generation: active.generation,
        }))
    }

    /// What an activation plays: `code` when it builds; when it does not (it fails to
    /// compile, the pre-check refuses it, the compile times out), the last code that ran
    /// (`last_built`, also restored from a saved session), with the reason kept in the
    /// console and the host's log. With no code that ran, a refused patch plays
    /// `default_code` and one that does not compile the fallback (silence, or the input
    /// for the effect). Each engine that plays starts with `carried` written into its
    /// input channels.
    pub fn build_for_activation(
        &self,
        code: Arc<String>,
        active: &Active,
        trust: Trust,
        default_code: &str,
        carried: &[(String, f64)],
    ) -> Option<Box<Ready>> {
        let error = match self.build(code.clone(), active, BindMode::Edit, trust) {
            Ok(mut ready) => {
                ready.engine.restore_control_values(carried);
                return Some(ready);
            }
            Err(error) => error,
        };
        let previous = self.status.last_built.load_full();
        let (previous, previous_trust) = match (previous, &error) {
            (Some(previous), _) if *previous != *code => (previous, trust),
            (_, BuildError::Refused(_)) => (Arc::new(default_code.to_string()), Trust::Own),
            _ => return None,
        };
        let ready = self
            .build(previous, active, BindMode::Edit, previous_trust)
            .ok();
        let console = &self.status.console;
        console.set_compile_result(Some(error.to_compile_error()));
        if let BuildError::Refused(refusal) = error {
            self.status.refused.store(Some(refusal));
        } else if ready.is_some() {
            console.notice("the current code does not run: the last code that ran plays instead");
        }
        // The current code stays the session's code; what plays is remembered apart.
        ready.map(|mut ready| {
            ready.engine.restore_control_values(carried);
            ready
        })
    }

    /// Binds declared controls (with their start values) to slots, moves the host
    /// values the binding says and returns the engine's parameter model.
    fn bind(
        &self,
        controls: &[(Control, f64)],
        mode: BindMode,
    ) -> csound_plug_engine::params::ParameterModel {
        let slots = &self.slots;
        let values = slots.values.get();
        let position = |slot| values.map_or(0.0, |v| v.position(slot));
        let binding = bind(
            &slots.map.load(),
            &slots.table.load(),
            controls,
            mode,
            position,
        );
        if let Some(values) = values {
            for &(slot, position) in &binding.moves {
                values.set_position(slot, position);
            }
        }
        if !binding.unslotted.is_empty() {
            let names: Vec<&str> = binding
                .unslotted
                .iter()
                .map(|(control, _)| control.channel.as_str())
                .collect();
            self.status.console.notice(&format!(
                "{} declared controls found no free parameter slot (all {} are taken); they \
                 keep their defaults: {}",
                names.len(),
                crate::slots::SLOT_COUNT,
                names.join(", ")
            ));
        }
        let model = binding.model();
        slots.map.store(Arc::new(binding.map));
        slots.table.store(Arc::new(binding.table));
        model
    }

    /// Binds `code`'s declared controls to slots at their start values now, before any
    /// activation compiles it, so a host that reads a new instance's parameters sees the
    /// starting patch's values (and does not see them move at activation).
    pub fn bind_new(&self, code: &str) {
        self.bind(&declared(code), BindMode::New);
    }

    /// Runs the pre-check on `code` unless it passed before with this configuration on
    /// this machine.
    /// A refusal is reported in the console, the host's log and `refused`.
    fn precheck(
        &self,
        code: &Arc<String>,
        config: &EngineConfig,
        trust: Trust,
    ) -> Result<(), BuildError> {
        let allowed = allowed(code, trust);
        let console = &self.status.console;
        // Remembered on this machine: every instance of a session starts with the same
        // code, and a reopened session was checked when it was first played.
        let report = precheck::precheck_remembered(code, config, allowed, &Playing::plugin());
        if let Some(why) = &report.unsandboxed {
            console.notice(&format!("the pre-check ran without its sandbox: {why}"));
        }
        if let Some(why) = &report.no_helper {
            if !self.status.no_helper_said.swap(true, Ordering::Relaxed) {
                console.notice(&format!(
                    "{why}: patches compile without the crash and hang check"
                ));
            }
        }
        self.non_finite_notices(&report.non_finite);
        for missing in &report.missing {
            console.warning(&format!("{missing}: the notes that need it are silent"));
        }
        let mut read: Vec<String> = Vec::new();
        for file in report.files.iter().filter(|f| !f.write && !f.temporary) {
            if !read.contains(&file.path) {
                read.push(file.path.clone());
            }
        }
        self.status.files.store(Arc::new(PatchFiles {
            code: Some(code.clone()),
            measured: !report.files.is_empty() || !report.missing.is_empty(),
            read,
            missing: report.missing.clone(),
        }));
        match report.checked {
            Checked::Passed { uses } => {
                if trust == Trust::Own && !uses.is_empty() {
                    if let Err(e) = trust::allow(code) {
                        console.notice(&format!("cannot remember the permission: {e}"));
                    }
                }
                Ok(())
            }
            // A compile error is shown as one (console, gutter).
            Checked::Refused(Problem::Compile(error)) => Err(BuildError::Compile(error)),
            // The rest never ran.
            Checked::Refused(problem) => {
                let hint = if problem.needs_permission() {
                    "; the old patch plays on (open the editor to allow this code if you trust it)"
                } else {
                    "; the old patch plays on"
                };
                console.notice(&format!("{}{hint}", problem.summary()));
                let refusal = Arc::new(Refusal {
                    code: code.clone(),
                    problem,
                });
                self.status.refused.store(Some(refusal.clone()));
                Err(BuildError::Refused(refusal))
            }
        }
    }

    /// Says where the pre-check found NaN or infinite samples.
    fn non_finite_notices(&self, phases: &[String]) {
        for phase in phases {
            self.status.console.notice(&format!(
                "the patch produced NaN or infinite samples while {phase}; such blocks are \
                 dropped (silence) and the patch plays on"
            ));
        }
    }

    /// How to compile `code` for `active`, with the patch's saved values: its linked
    /// files are reached first, then its relative file names are looked for in the
    /// folder it was loaded from, then in the user's sample folders. Where the linked files were found is part of the
    /// configuration, so a pass remembered while a file was there does not stand once it
    /// is gone (the check runs again and says so).
    pub(super) fn config_for(&self, active: &Active, code: &str) -> EngineConfig {
        let mut config = active.config.clone();
        // Every engine of this instance keeps the patch's saved values in one store
        // (a session load gives a new one).
        let values = self.status.patch_values.load_full();
        config.cabbage_state = Some(SharedValues(values));
        if let Some(folder) = self.status.patch_folder.load_full() {
            config.search_dirs = vec![folder.to_path_buf()];
        }
        match Settings::load() {
            Ok(settings) => config
                .search_dirs
                .extend(settings.existing_sample_folders()),
            Err(e) => self
                .status
                .console
                .notice(&format!("the settings were not read: {e}")),
        }
        if let Ok(Some(folder)) =
            csound_plug_engine::linked_files::prepare(code, &config.search_dirs)
        {
            config.search_dirs.insert(0, folder);
        }
        config
    }

    /// Whether `code` passed the pre-check on this machine before, with `config`.
    pub(super) fn checked_before(&self, code: &str, config: &EngineConfig, trust: Trust) -> bool {
        precheck::remembered(code, config, allowed(code, trust), &Playing::plugin())
    }

    /// Compiles in-process on a thread of its own, waiting at most [`COMPILE_LIMIT`]: a
    /// compile that hangs is left running (counted in `abandoned`) and later compiles go on.
    fn compile_in_time(
        &self,
        code: &Arc<String>,
        config: &EngineConfig,
    ) -> Result<(Engine, String), BuildError> {
        // One build at a time uses the worker (the compiler thread and an activation
        // may both build).
        let mut slot = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        let worker = match slot.take() {
            Some(worker) => worker,
            None => Worker::spawn().map_err(BuildError::NoThread)?,
        };
        let limit = precheck::limit_from_env("CSOUND_PLUG_COMPILE_LIMIT", COMPILE_LIMIT);
        let ring = self.handover.ring.clone();
        match worker.compile(code.clone(), config.clone(), ring, limit) {
            Some(built) => {
                *slot = Some(worker);
                built.map_err(BuildError::Compile)
            }
            None => {
                worker.abandon();
                let count = self.status.abandoned.fetch_add(1, Ordering::Relaxed) + 1;
                let step = format!(
                    "the compile did not finish in {} s and was abandoned ({count} so far); \
                     the previous patch plays on",
                    limit.as_secs_f64()
                );
                self.status.console.notice(&step);
                Err(BuildError::TimedOut(step))
            }
        }
    }
}

/// Whether `code` may reach outside the audio: the user's own, or allowed on this machine.
fn allowed(code: &str, trust: Trust) -> bool {
    trust == Trust::Own || trust::is_allowed(code)
}

/// `code`'s declared controls with their start values, read from its text (nothing is
/// compiled for a new instance's parameters).
fn declared(code: &str) -> Vec<(Control, f64)> {
    let metadata = metadata::metadata(code).ok().flatten().unwrap_or_default();
    declared_in_text(code)
        .into_iter()
        .map(|c| {
            let start = metadata.start_value(&c);
            (c, start)
        })
        .collect()
}

/// The slot positions of a new instance starting with `code`: its declared controls in
/// the slots a new map gives them, at their start values, and 0 elsewhere. These are the
/// host parameters' defaults, so a host's "reset" returns to the starting patch.
pub fn default_positions(code: &str) -> [f32; crate::slots::SLOT_COUNT] {
    let binding = bind(
        &SlotMap::default(),
        &SlotTable::default(),
        &declared(code),
        BindMode::New,
        |_| 0.0,
    );
    let mut positions = [0.0; crate::slots::SLOT_COUNT];
    for (slot, position) in binding.moves {
        if let Some(p) = positions.get_mut(slot) {
            *p = position;
        }
    }
    positions
}
