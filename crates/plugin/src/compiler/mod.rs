//! Compiling off the audio thread, handing engines to it, and destroying old ones.
//!
//! The compiler thread takes new code text (from a state load, the editor, a preset),
//! compiles it for the current engine configuration and queues the engine for the audio
//! thread. Newer text supersedes text not yet compiled. A retire thread destroys engines
//! the audio thread has let go of, so `csoundDestroy` never runs there.
//!
//! - [`build`]: one build (pre-check, compile, slots) and its typed result.
//! - [`activation`]: how long an activation waits for its build.
//! - [`shared`]: what the threads share, by role.
//! - `worker`: the thread in-process compiles run on.
//! - `priority`: these threads run below the host's.

mod activation;
mod build;
mod priority;
mod shared;
mod worker;

pub use activation::ACTIVATION_WAIT;
pub use build::{default_positions, BuildError};
pub use shared::{EngineFacts, Handover, PatchFiles, SlotState, Status};

use crate::slots::BindMode;
use arc_swap::ArcSwapOption;
use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};
use csound_plug_engine::{CompileError, Engine, EngineConfig};
use csound_plug_sandbox::precheck::Problem;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Engines waiting to be destroyed.
const RETIRE_CAPACITY: usize = 16;
/// How often the compiler thread moves real-time messages into the console.
const DRAIN_INTERVAL: Duration = Duration::from_millis(50);

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

/// The configuration engines are compiled for while the plugin is active.
#[derive(Clone)]
pub struct Active {
    /// How to compile.
    pub config: EngineConfig,
    /// Which activation.
    pub generation: u64,
}

/// What the compiler thread, the plugin, the audio thread and the editor share.
pub struct CompilerShared {
    active: ArcSwapOption<Active>,
    generation: AtomicU64,
    /// Engines to the audio thread, messages and meters back.
    pub handover: Arc<Handover>,
    /// What the editor shows.
    pub status: Status,
    /// Slots and their bindings.
    pub slots: SlotState,
    /// The thread in-process compiles run on, started by the first build.
    worker: Mutex<Option<worker::Worker>>,
    /// Builds an activation stopped waiting for; joined before the plugin goes, so no
    /// thread of its runs once a host unloads the library.
    activation_threads: Mutex<Vec<JoinHandle<()>>>,
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
    /// The compiler thread's end of `requests`, until the thread starts.
    request_rx: Option<Receiver<Request>>,
    retire: Sender<Retired>,
    retire_rx: Option<Receiver<Retired>>,
    compile_thread: Option<JoinHandle<()>>,
    retire_thread: Option<JoinHandle<()>>,
}

/// An engine to destroy, or `None` to stop the retire thread.
pub type Retired = Option<Box<Ready>>;

impl Compiler {
    /// The shared state and the queues, with no thread yet: requests wait until
    /// [`Compiler::start`]. Cannot fail, so a plugin's constructor can make one.
    pub fn new() -> Self {
        let shared = Arc::new(CompilerShared {
            active: ArcSwapOption::empty(),
            generation: AtomicU64::new(0),
            handover: Arc::default(),
            status: Status::default(),
            slots: SlotState::default(),
            worker: Mutex::new(None),
            activation_threads: Mutex::new(Vec::new()),
        });
        let (requests, request_rx) = channel::unbounded();
        let (retire, retire_rx) = channel::bounded::<Retired>(RETIRE_CAPACITY);
        Self {
            shared,
            requests,
            request_rx: Some(request_rx),
            retire,
            retire_rx: Some(retire_rx),
            compile_thread: None,
            retire_thread: None,
        }
    }

    /// A compiler with its threads running (for the command line's and tests' use).
    pub fn spawn() -> Result<Self, String> {
        let mut compiler = Self::new();
        compiler.start()?;
        Ok(compiler)
    }

    /// Starts the compiler and retire threads (the plugin's `initialize`); a second call
    /// does nothing. Fails when the process cannot start a thread.
    pub fn start(&mut self) -> Result<(), String> {
        if let Some(retire_rx) = self.retire_rx.take() {
            let spawned = std::thread::Builder::new()
                .name("csound-plug retire".into())
                .spawn(move || {
                    priority::lower_this_thread();
                    while let Ok(Some(engine)) = retire_rx.recv() {
                        drop(engine);
                    }
                });
            match spawned {
                Ok(thread) => self.retire_thread = Some(thread),
                Err(e) => return Err(format!("cannot start the retire thread: {e}")),
            }
        }
        if let Some(request_rx) = self.request_rx.take() {
            let (shared, retire) = (self.shared.clone(), self.retire.clone());
            let spawned = std::thread::Builder::new()
                .name("csound-plug compiler".into())
                .spawn(move || {
                    priority::lower_this_thread();
                    compile_loop(&shared, &request_rx, &retire)
                });
            match spawned {
                Ok(thread) => self.compile_thread = Some(thread),
                Err(e) => return Err(format!("cannot start the compiler thread: {e}")),
            }
        }
        Ok(())
    }

    /// What the threads share.
    pub fn shared(&self) -> &Arc<CompilerShared> {
        &self.shared
    }

    /// Reports of compiles done on the compiler thread, oldest first.
    pub fn reports(&self) -> Receiver<CompileReport> {
        self.shared.status.reports()
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
        // Engines of a compiler that never started go here, off the audio thread.
        while let Some(stale) = self.shared.handover.ready.pop() {
            drop(stale);
        }
        // The compiler first: it may still be retiring engines.
        if let Some(thread) = self.compile_thread.take() {
            let _ = thread.join();
        }
        let builds = std::mem::take(
            &mut *self
                .shared
                .activation_threads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for build in builds {
            let _ = build.join();
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
                shared.status.console.notice(&text);
                continue;
            }
            Ok(Request::Stop) => break,
            Err(RecvTimeoutError::Timeout) => {
                let console = &shared.status.console;
                console.drain(&shared.handover.ring);
                if shared.handover.non_finite.swap(false, Ordering::AcqRel) {
                    console.notice(
                        "the patch produced NaN or infinite samples: those blocks are dropped (silence) and the patch plays on",
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
                Request::Notice(text) => shared.status.console.notice(&text),
                Request::Stop => stop = true,
            }
        }
        if stop {
            break;
        }
        let Some(active) = shared.active.load_full() else {
            continue;
        };
        let mode = if load_values {
            BindMode::Load
        } else {
            BindMode::Edit
        };
        if let Ok(mut ready) = shared.build(code, &active, mode, trust) {
            // Make room by retiring what the audio thread has not taken yet.
            let queue = &shared.handover.ready;
            while let Err(back) = queue.push(ready) {
                ready = back;
                if let Some(stale) = queue.pop() {
                    let _ = retire.send(Some(stale));
                }
            }
        }
    }
    while let Some(stale) = shared.handover.ready.pop() {
        drop(stale);
    }
}
