//! Compiling off the audio thread, handing engines to it, and destroying old ones.
//!
//! The compiler thread takes new code text (from a state load, later the editor), compiles
//! it for the current engine configuration and queues the engine for the audio thread.
//! Newer text supersedes text not yet compiled. A retire thread destroys engines the audio
//! thread has let go of, so `csoundDestroy` never runs there.

use crate::console::Console;
use crate::controls::Control;
use crate::engine::channels::OutputValues;
use crate::engine::messages::MessageRing;
use crate::engine::{CompileError, Engine, EngineConfig};
use crate::meters::Meters;
use crate::sandbox::precheck::{self, Checked, Problem};
use crate::sandbox::trust;
use crate::slots::{SlotMap, SlotTable, SlotValues, SLOT_COUNT};
use arc_swap::{ArcSwap, ArcSwapOption};
use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};
use crossbeam::queue::ArrayQueue;
use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

/// Engines the audio thread has not picked up yet (more would only be superseded).
const READY_CAPACITY: usize = 4;
/// Engines waiting to be destroyed.
const RETIRE_CAPACITY: usize = 16;
/// Messages Csound can queue from the audio thread between two drains.
const RING_CHUNKS: usize = 1024;
/// How often the compiler thread moves real-time messages into the console.
const DRAIN_INTERVAL: Duration = Duration::from_millis(50);
/// How long an in-process compile (with its start and warm-up) may take before it is
/// abandoned (`$CSOUND_PLUG_COMPILE_LIMIT` seconds overrides it); the pre-check has run
/// the same code, so only a surprise gets here.
const COMPILE_LIMIT: Duration = Duration::from_secs(10);

/// Who vouches for code about to be compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Typed in the editor on this machine, or a factory preset: the user's own. What it
    /// reaches outside the audio is remembered as allowed.
    Own,
    /// From a session, a preset file or an import: reaching outside the audio needs the
    /// user's permission for this exact code.
    Shared,
}

/// Code the pre-check kept from compiling, for the editor.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The code.
    pub code: Arc<String>,
    /// Why.
    pub problem: Problem,
}

/// A compiled engine for the configuration of `generation`; handed over boxed, so the
/// audio thread moves a pointer and frees nothing.
pub struct Ready {
    /// The engine.
    pub engine: Engine,
    /// The code it was compiled from (the same `Arc` as the plugin's current code).
    pub code: Arc<String>,
    /// The activation it was compiled for; the audio thread drops stale ones.
    pub generation: u64,
}

/// The outcome of one compile on the compiler thread, for the editor, the CLI and tests.
#[derive(Debug, Clone)]
pub struct CompileReport {
    /// The code that was compiled.
    pub code: Arc<String>,
    /// The new engine's latency, or why there is no new engine.
    pub result: Result<usize, CompileError>,
}

/// Reports kept for a reader that is not reading; older ones are dropped.
const REPORT_CAPACITY: usize = 64;

/// The configuration engines are compiled for while the plugin is active.
#[derive(Clone)]
pub struct Active {
    /// How to compile.
    pub config: EngineConfig,
    /// Which activation.
    pub generation: u64,
}

/// The slot map and what each slot drives, shared with the parameters and the state.
#[derive(Default)]
pub struct SlotState {
    /// Channel → slot, saved with the state.
    pub map: ArcSwap<SlotMap>,
    /// What each slot drives (value text, the editor).
    pub table: Arc<ArcSwap<SlotTable>>,
    /// The host parameters behind the slots, set once by the plugin.
    pub values: OnceLock<Arc<dyn SlotValues>>,
}

/// What the newest good compile runs at, for the editor's status bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineFacts {
    /// Frames per second.
    pub sample_rate: f64,
    /// Frames per k-cycle.
    pub ksmps: usize,
    /// Reported latency in frames.
    pub latency: usize,
    /// Output channels.
    pub nchnls: usize,
}

/// What the compiler thread, the plugin and the audio thread share.
pub struct CompilerShared {
    active: ArcSwapOption<Active>,
    generation: AtomicU64,
    /// Compiled engines for the audio thread.
    pub ready: ArrayQueue<Box<Ready>>,
    /// Where engines' real-time messages go.
    pub ring: Arc<MessageRing>,
    /// What the user sees.
    pub console: Console,
    /// Set by the audio thread when a patch produced NaN/Inf and was silenced.
    pub non_finite: AtomicBool,
    reports: (Sender<CompileReport>, Receiver<CompileReport>),
    /// Slots and their bindings.
    pub slots: SlotState,
    /// The newest engine's output values (`chn_k` outputs, `outvalue`, meters).
    pub outputs: ArcSwap<OutputValues>,
    /// What the newest good compile runs at.
    pub facts: ArcSwapOption<EngineFacts>,
    /// Peaks, load and MIDI activity, from the audio thread.
    pub meters: Meters,
    /// The newest code the pre-check refused for anything but a compile error (it
    /// crashed, hung or reaches outside the audio), and why; cleared by a good compile.
    pub refused: ArcSwapOption<Refusal>,
    /// The code of the newest engine built.
    pub last_built: ArcSwapOption<String>,
    /// In-process compiles that did not return in time and were left running.
    pub abandoned: AtomicUsize,
    /// Set once the missing helper has been reported.
    no_helper_said: AtomicBool,
}

impl CompilerShared {
    /// Compiles `code` for `active`, binds its controls to slots and reports the result.
    /// New channels start at their start value (saved with the patch, else declared),
    /// changed ranges keep the value where they can; with `load_values` (a preset was
    /// loaded) every bound slot moves to its start value. Never on the audio thread.
    pub fn build(
        &self,
        code: Arc<String>,
        active: &Active,
        load_values: bool,
        trust: Trust,
    ) -> Result<Box<Ready>, CompileError> {
        // Each compile starts a fresh console (the running patch's messages since the last
        // compile go with it).
        self.console.drain(&self.ring);
        self.console.clear();
        let built = self
            .precheck(&code, &active.config, trust)
            .and_then(|()| self.compile_in_time(&code, &active.config));
        let (mut engine, log) = match built {
            Ok(built) => built,
            Err(error) => {
                self.report(CompileReport {
                    code,
                    result: Err(error.clone()),
                });
                self.console.set_compile_result(Some(error.clone()));
                return Err(error);
            }
        };
        self.refused.store(None);
        self.last_built.store(Some(code.clone()));
        let controls = engine.declared_controls(&code);
        self.bind(&mut engine, &controls, load_values);
        self.outputs.store(engine.outputs());
        self.facts.store(Some(Arc::new(EngineFacts {
            sample_rate: engine.sample_rate(),
            ksmps: engine.ksmps(),
            latency: engine.latency(),
            nchnls: engine.nchnls(),
        })));
        self.console.append(&log);
        self.console.set_compile_result(None);
        self.report(CompileReport {
            code: code.clone(),
            result: Ok(engine.latency()),
        });
        Ok(Box::new(Ready {
            engine,
            code,
            generation: active.generation,
        }))
    }

    /// Runs the pre-check on `code` unless it passed before with this configuration.
    /// A refusal is reported in the console, the host's log and `refused`.
    fn precheck(
        &self,
        code: &Arc<String>,
        config: &EngineConfig,
        trust: Trust,
    ) -> Result<(), CompileError> {
        let allowed = trust == Trust::Own || trust::is_allowed(code);
        let key = format!(
            "{}:{allowed}:{}",
            trust::code_hash(code),
            serde_json::to_string(config).unwrap_or_default()
        );
        // Process-wide: every instance of a session starts with the same code.
        static PASSED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
        let passed = || {
            PASSED
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|e| e.into_inner())
        };
        if passed().contains(&key) {
            return Ok(());
        }
        let report = precheck::precheck(code, config, allowed);
        if let Some(why) = &report.unsandboxed {
            self.console
                .notice(&format!("the pre-check ran without its sandbox: {why}"));
        }
        if let Some(why) = &report.no_helper {
            if !self.no_helper_said.swap(true, Ordering::Relaxed) {
                self.console.notice(&format!(
                    "{why}: patches compile without the crash and hang check"
                ));
            }
        }
        match report.checked {
            Checked::Passed { uses } => {
                if trust == Trust::Own && !uses.is_empty() {
                    if let Err(e) = trust::allow(code) {
                        self.console
                            .notice(&format!("cannot remember the permission: {e}"));
                    }
                }
                passed().insert(key);
                Ok(())
            }
            Checked::Refused(problem) => {
                let hint = if problem.needs_permission() {
                    "; the old patch plays on (open the editor to allow this code if you trust it)"
                } else {
                    "; the old patch plays on"
                };
                let error = problem.to_compile_error();
                // A compile error is shown as one (console, gutter); the rest never ran.
                if !matches!(problem, Problem::Compile(_)) {
                    self.console.notice(&format!("{}{hint}", problem.summary()));
                    self.refused.store(Some(Arc::new(Refusal {
                        code: code.clone(),
                        problem,
                    })));
                }
                Err(error)
            }
        }
    }

    /// Compiles in-process on a thread of its own, waiting at most [`COMPILE_LIMIT`]: a
    /// compile that hangs is left running (counted in `abandoned`) and later compiles go on.
    fn compile_in_time(
        &self,
        code: &Arc<String>,
        config: &EngineConfig,
    ) -> Result<(Engine, String), CompileError> {
        let (done_tx, done) = channel::bounded(1);
        let (code_here, config_here, ring) = (code.clone(), config.clone(), self.ring.clone());
        let spawned = std::thread::Builder::new()
            .name("csound-plug compile".into())
            .spawn(move || {
                // An abandoned compile that ends after all drops its engine here.
                let _ = done_tx.send(Engine::compile(&code_here, &config_here, ring));
            });
        let failed = |step: String| CompileError {
            log: String::new(),
            errors: Vec::new(),
            step,
        };
        if let Err(e) = spawned {
            return Err(failed(format!("cannot start a compile thread: {e}")));
        }
        let limit = precheck::limit_from_env("CSOUND_PLUG_COMPILE_LIMIT", COMPILE_LIMIT);
        match done.recv_timeout(limit) {
            Ok(result) => result,
            Err(_) => {
                let count = self.abandoned.fetch_add(1, Ordering::Relaxed) + 1;
                let step = format!(
                    "the compile did not finish in {} s and was abandoned ({count} so far); \
                     the previous patch plays on",
                    limit.as_secs_f64()
                );
                self.console.notice(&step);
                Err(failed(step))
            }
        }
    }

    fn bind(&self, engine: &mut Engine, controls: &[Control], load_values: bool) {
        let mut map = SlotMap::clone(&self.slots.map.load());
        if load_values {
            // A preset replaces the patch: channels it does not declare give up their
            // slots (an edit keeps them, so a channel deleted by mistake keeps its lane).
            map.retain_declared(controls);
        }
        let binding = map.bind(controls);
        engine.bind_slots(&binding.table, &binding.unslotted);
        let old = self.slots.table.load_full();
        if let Some(values) = self.slots.values.get() {
            for slot in 0..SLOT_COUNT {
                let position = match (&old.0[slot], &binding.table.0[slot]) {
                    (_, Some(new)) if load_values || binding.fresh.contains(&slot) => {
                        new.position_of(engine.start_value(new))
                    }
                    (Some(old), Some(new)) if old.channel == new.channel && old != new => {
                        // The same channel with a new declaration: keep its value.
                        let value = old.value_at(f64::from(values.position(slot)));
                        new.position_of(value)
                    }
                    _ => continue,
                };
                values.set_position(slot, position as f32);
            }
        }
        if !binding.unslotted.is_empty() {
            self.console.notice(&format!(
                "{} declared controls found no free parameter slot; they keep their defaults",
                binding.unslotted.len()
            ));
        }
        self.slots.map.store(Arc::new(map));
        self.slots.table.store(Arc::new(binding.table));
    }

    /// Binds `code`'s declared controls to slots at their start values now, before any
    /// activation compiles it, so a host that reads a new instance's parameters sees the
    /// starting patch's values (and does not see them move at activation).
    pub fn bind_declared(&self, code: &str) {
        let declared = declared(code);
        let controls: Vec<Control> = declared.iter().map(|(c, _)| c.clone()).collect();
        let mut map = SlotMap::clone(&self.slots.map.load());
        let binding = map.bind(&controls);
        if let Some(values) = self.slots.values.get() {
            for (slot, control) in binding.table.0.iter().enumerate() {
                if let Some(control) = control.as_ref().filter(|_| binding.fresh.contains(&slot)) {
                    values.set_position(slot, start_position(&declared, control));
                }
            }
        }
        self.slots.map.store(Arc::new(map));
        self.slots.table.store(Arc::new(binding.table));
    }

    /// Queues a report, dropping the oldest when nobody has read them.
    fn report(&self, report: CompileReport) {
        let (tx, rx) = &self.reports;
        if let Err(channel::TrySendError::Full(report)) = tx.try_send(report) {
            let _ = rx.try_recv();
            let _ = tx.try_send(report);
        }
    }
}

/// Declared controls with their start values.
type Declared = Vec<(Control, f64)>;

/// `code`'s declared controls with their start values, compiled once per process for
/// each code text (the plugins' starting patches). Not for the audio thread.
fn declared(code: &str) -> Declared {
    static DECLARED: OnceLock<Mutex<HashMap<String, Declared>>> = OnceLock::new();
    let mut cache = DECLARED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry(code.to_string())
        .or_insert_with(|| {
            let ring = Arc::new(MessageRing::new(64));
            match Engine::compile(code, &EngineConfig::default(), ring) {
                Ok((mut engine, _)) => engine
                    .declared_controls(code)
                    .into_iter()
                    .map(|c| {
                        let start = engine.start_value(&c);
                        (c, start)
                    })
                    .collect(),
                Err(_) => Vec::new(),
            }
        })
        .clone()
}

fn start_position(declared: &[(Control, f64)], control: &Control) -> f32 {
    let start = declared
        .iter()
        .find(|(c, _)| c.channel == control.channel)
        .map_or(control.default, |(_, v)| *v);
    control.position_of(start) as f32
}

/// The slot positions of a new instance starting with `code`: its declared controls in
/// the slots a new map gives them, at their start values, and 0 elsewhere. These are the
/// host parameters' defaults, so a host's "reset" returns to the starting patch.
pub fn default_positions(code: &str) -> [f32; SLOT_COUNT] {
    let declared = declared(code);
    let controls: Vec<Control> = declared.iter().map(|(c, _)| c.clone()).collect();
    let binding = SlotMap::default().bind(&controls);
    std::array::from_fn(|slot| {
        binding.table.0[slot]
            .as_ref()
            .map_or(0.0, |control| start_position(&declared, control))
    })
}

/// A request to the compiler thread.
enum Request {
    /// Code to compile; `true` when its saved values replace the current ones.
    Compile(Arc<String>, bool, Trust),
    Notice(String),
    Stop,
}

/// Owns the compiler and retire threads; stops them when dropped.
pub struct Compiler {
    shared: Arc<CompilerShared>,
    requests: Sender<Request>,
    retire: Sender<Retired>,
    compile_thread: Option<JoinHandle<()>>,
    retire_thread: Option<JoinHandle<()>>,
}

/// An engine to destroy, or `None` to stop the retire thread.
pub type Retired = Option<Box<Ready>>;

impl Compiler {
    /// Starts the compiler and retire threads.
    pub fn new() -> Self {
        let shared = Arc::new(CompilerShared {
            active: ArcSwapOption::empty(),
            generation: AtomicU64::new(0),
            ready: ArrayQueue::new(READY_CAPACITY),
            ring: Arc::new(MessageRing::new(RING_CHUNKS)),
            console: Console::default(),
            non_finite: AtomicBool::new(false),
            reports: channel::bounded(REPORT_CAPACITY),
            slots: SlotState::default(),
            outputs: ArcSwap::default(),
            facts: ArcSwapOption::empty(),
            meters: Meters::default(),
            refused: ArcSwapOption::empty(),
            last_built: ArcSwapOption::empty(),
            abandoned: AtomicUsize::new(0),
            no_helper_said: AtomicBool::new(false),
        });
        let (requests, request_rx) = channel::unbounded();
        let (retire, retire_rx) = channel::bounded::<Retired>(RETIRE_CAPACITY);
        let compile_shared = shared.clone();
        let compile_retire = retire.clone();
        // A plugin that cannot start a thread cannot work at all; the host's process is
        // out of resources.
        let compile_thread = std::thread::Builder::new()
            .name("csound-plug compiler".into())
            .spawn(move || compile_loop(&compile_shared, &request_rx, &compile_retire))
            .expect("spawning the compiler thread");
        let retire_thread = std::thread::Builder::new()
            .name("csound-plug retire".into())
            .spawn(move || {
                while let Ok(Some(engine)) = retire_rx.recv() {
                    drop(engine);
                }
            })
            .expect("spawning the retire thread");
        Self {
            shared,
            requests,
            retire,
            compile_thread: Some(compile_thread),
            retire_thread: Some(retire_thread),
        }
    }

    /// What the threads share.
    pub fn shared(&self) -> &Arc<CompilerShared> {
        &self.shared
    }

    /// Reports of compiles done on the compiler thread, oldest first.
    pub fn reports(&self) -> Receiver<CompileReport> {
        self.shared.reports.1.clone()
    }

    /// A handle that queues code for compiling; cheap to clone, callable from any thread.
    pub fn requester(&self) -> CompileRequester {
        CompileRequester {
            requests: self.requests.clone(),
        }
    }

    /// Where the audio thread sends engines it no longer needs.
    pub fn retire_sender(&self) -> Sender<Retired> {
        self.retire.clone()
    }

    /// Starts a new activation with `config`; engines of older activations become stale.
    /// Returns the new generation.
    pub fn activate(&self, config: EngineConfig) -> Active {
        let generation = self.shared.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let active = Active { config, generation };
        self.shared.active.store(Some(Arc::new(active.clone())));
        active
    }

    /// No activation: queued code waits for the next `activate`, which compiles it.
    pub fn deactivate(&self) {
        self.shared.active.store(None);
    }
}

impl Default for Compiler {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Compiler {
    fn drop(&mut self) {
        let _ = self.requests.send(Request::Stop);
        // The compiler first: it may still be retiring engines.
        if let Some(thread) = self.compile_thread.take() {
            let _ = thread.join();
        }
        let _ = self.retire.send(None);
        if let Some(thread) = self.retire_thread.take() {
            let _ = thread.join();
        }
    }
}

/// Queues code for the compiler thread.
#[derive(Clone)]
pub struct CompileRequester {
    requests: Sender<Request>,
}

impl CompileRequester {
    /// Asks for `code` to be compiled for the current activation; the parameters keep
    /// their values.
    pub fn compile(&self, code: Arc<String>, trust: Trust) {
        let _ = self.requests.send(Request::Compile(code, false, trust));
    }

    /// Asks for a preset's `code` to be compiled; its parameters move to the values saved
    /// with it (else their declared defaults).
    pub fn load(&self, code: Arc<String>, trust: Trust) {
        let _ = self.requests.send(Request::Compile(code, true, trust));
    }

    /// Puts a notice of ours in the console (from any thread, without locking).
    pub fn notice(&self, text: String) {
        let _ = self.requests.send(Request::Notice(text));
    }
}

fn compile_loop(shared: &CompilerShared, requests: &Receiver<Request>, retire: &Sender<Retired>) {
    loop {
        let (mut code, mut load_values, mut trust) = match requests.recv_timeout(DRAIN_INTERVAL) {
            Ok(Request::Compile(code, load, trust)) => (code, load, trust),
            Ok(Request::Notice(text)) => {
                shared.console.notice(&text);
                continue;
            }
            Ok(Request::Stop) => break,
            Err(RecvTimeoutError::Timeout) => {
                shared.console.drain(&shared.ring);
                if shared.non_finite.swap(false, Ordering::AcqRel) {
                    shared.console.notice(
                        "the patch produced NaN or infinite samples: silenced until the next good compile",
                    );
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Latest wins: skip texts that newer ones already replaced.
        let mut stop = false;
        while let Ok(request) = requests.try_recv() {
            match request {
                Request::Compile(newer, load, newer_trust) => {
                    // A preset load stays a load when edits follow it before its compile.
                    code = newer;
                    load_values |= load;
                    trust = newer_trust;
                }
                Request::Notice(text) => shared.console.notice(&text),
                Request::Stop => stop = true,
            }
        }
        if stop {
            break;
        }
        let Some(active) = shared.active.load_full() else {
            continue;
        };
        if let Ok(mut ready) = shared.build(code, &active, load_values, trust) {
            // Make room by retiring what the audio thread has not taken yet.
            while let Err(back) = shared.ready.push(ready) {
                ready = back;
                if let Some(stale) = shared.ready.pop() {
                    let _ = retire.send(Some(stale));
                }
            }
        }
    }
    while let Some(stale) = shared.ready.pop() {
        drop(stale);
    }
}
