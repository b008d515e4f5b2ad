//! What the compiler thread, the plugin, the audio thread and the editor share, split by
//! role: the hand-over to the audio thread, the status the editor shows, and the slots.

use super::{CompileReport, Ready, Refusal};
use crate::console::Console;
use crate::meters::Meters;
use crate::slots::{SlotTable, SlotValues};
use arc_swap::{ArcSwap, ArcSwapOption};
use crossbeam::channel::{self, Receiver, Sender};
use crossbeam::queue::ArrayQueue;
use csound_plug_engine::cabbage::{StateValues, WidgetUpdates};
use csound_plug_engine::channels::OutputValues;
use csound_plug_engine::messages::MessageRing;
use csound_plug_patch::metadata::BusMetadata;
use csound_plug_patch::state::SlotMap;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, OnceLock};

/// Engines the audio thread has not picked up yet (more would only be superseded).
const READY_CAPACITY: usize = 4;
/// Messages Csound can queue from the audio thread between two drains.
const RING_CHUNKS: usize = 1024;
/// Reports kept for a reader that is not reading; older ones are dropped.
const REPORT_CAPACITY: usize = 64;

/// Between the compiler and the audio thread: engines in; Csound's real-time messages,
/// the NaN flag and the meters out. Lock-free on the audio side.
pub struct Handover {
    /// Compiled engines for the audio thread.
    pub ready: ArrayQueue<Box<Ready>>,
    /// Where engines' real-time messages go.
    pub ring: Arc<MessageRing>,
    /// Set by the audio thread when the running patch first produced NaN/Inf (the block
    /// was dropped).
    pub non_finite: AtomicBool,
    /// Peaks, load and MIDI activity, from the audio thread.
    pub meters: Meters,
}

impl Default for Handover {
    fn default() -> Self {
        Self {
            ready: ArrayQueue::new(READY_CAPACITY),
            ring: Arc::new(MessageRing::new(RING_CHUNKS)),
            non_finite: AtomicBool::new(false),
            meters: Meters::default(),
        }
    }
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

/// What the pre-check measured of a patch's files.
#[derive(Debug, Default)]
pub struct PatchFiles {
    /// The code measured.
    pub code: Option<Arc<String>>,
    /// Whether anything was measured (a patch checked before on this machine is not run
    /// again, and one that reads no file measures nothing).
    pub measured: bool,
    /// The paths Csound opened to read (not its temporary files), each once.
    pub read: Vec<String>,
    /// The files it could not find, with the lines that want them.
    pub missing: Vec<csound_plug_engine::diagnostics::MissingFile>,
}

/// What the user sees of the compiles: written by the compiler, read by the editor, the
/// CLI-like tests and the host's log.
pub struct Status {
    /// Csound's messages, our notices and the last compile's errors.
    pub console: Console,
    /// The newest engine's output values (`chn_k` outputs, `outvalue`, meters).
    pub outputs: ArcSwap<OutputValues>,
    /// The identifier updates (`cabbageSet "w", "visible(0)"`…) the newest engine's
    /// patch publishes for its widgets, for the editor to drain and apply. A new engine
    /// brings a new queue (its widgets start as the section writes them).
    pub widget_updates: ArcSwap<WidgetUpdates>,
    /// The values the patch saves with the session (`cabbageSetStateValue`): one store
    /// every engine of this instance writes; a session load replaces it.
    pub patch_values: ArcSwap<StateValues>,
    /// What the newest good compile runs at.
    pub facts: ArcSwapOption<EngineFacts>,
    /// The newest code the pre-check refused for anything but a compile error (it
    /// crashed, hung or reaches outside the audio), and why; cleared by a good compile.
    pub refused: ArcSwapOption<Refusal>,
    /// The code of the newest engine built.
    pub last_built: ArcSwapOption<String>,
    /// The bus names the current code's metadata gives (`[buses]`).
    pub bus_names: ArcSwap<BusMetadata>,
    /// The folder the current code was loaded from (a user preset's): its relative file
    /// names are looked for there.
    pub patch_folder: ArcSwapOption<std::path::PathBuf>,
    /// The files the newest checked code read and could not find, as its pre-check
    /// measured them.
    pub files: ArcSwap<PatchFiles>,
    /// In-process compiles that did not return in time and were left running.
    pub abandoned: AtomicUsize,
    /// Set once the missing helper has been reported.
    pub(super) no_helper_said: AtomicBool,
    reports: (Sender<CompileReport>, Receiver<CompileReport>),
}

impl Default for Status {
    fn default() -> Self {
        Self {
            console: Console::default(),
            outputs: ArcSwap::default(),
            widget_updates: ArcSwap::default(),
            patch_values: ArcSwap::default(),
            facts: ArcSwapOption::empty(),
            refused: ArcSwapOption::empty(),
            last_built: ArcSwapOption::empty(),
            bus_names: ArcSwap::default(),
            patch_folder: ArcSwapOption::empty(),
            files: ArcSwap::default(),
            abandoned: AtomicUsize::new(0),
            no_helper_said: AtomicBool::new(false),
            reports: channel::bounded(REPORT_CAPACITY),
        }
    }
}

impl Status {
    /// Reports of compiles, oldest first.
    pub fn reports(&self) -> Receiver<CompileReport> {
        self.reports.1.clone()
    }

    /// Queues a report, dropping the oldest when nobody has read them.
    pub(super) fn report(&self, report: CompileReport) {
        let (tx, rx) = &self.reports;
        if let Err(channel::TrySendError::Full(report)) = tx.try_send(report) {
            let _ = rx.try_recv();
            let _ = tx.try_send(report);
        }
    }
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
