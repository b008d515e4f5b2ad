//! The audio thread's side: the running engine, the fallback, and engine hand-over.
//!
//! Nothing here locks, allocates or waits: new engines come from a lock-free queue, old
//! ones leave through a bounded channel to the retire thread, and note events go into a
//! buffer sized once.

use crate::compiler::{CompilerShared, Ready, Retired};
use crate::engine::block::{BlockAdapter, Input, Kernel};
use crate::engine::midi::NoteEvent;
use crossbeam::channel::Sender;
use std::sync::Arc;

/// Note events kept per host block; more are dropped (hosts send far fewer).
pub const EVENT_CAPACITY: usize = 1024;
/// Fallback latency before any patch has run (the default patches' ksmps).
const DEFAULT_LATENCY: usize = 32;

/// What plays while no patch does: silence for an instrument, the input for an effect.
struct Fallback {
    pass_through: bool,
}

impl Kernel for Fallback {
    fn perform(&mut self, input: &[f64], output: &mut [f64]) -> bool {
        if self.pass_through && input.len() == output.len() {
            output.copy_from_slice(input);
        } else {
            output.fill(0.0);
        }
        false
    }
}

/// Owns the running engine on the audio thread.
pub struct Processor {
    current: Option<Box<Ready>>,
    fallback: Fallback,
    fallback_adapter: BlockAdapter,
    generation: u64,
    shared: Arc<CompilerShared>,
    retire: Sender<Retired>,
    events: Vec<NoteEvent>,
}

impl Processor {
    /// A processor whose fallback passes input through if `pass_through`.
    pub fn new(shared: Arc<CompilerShared>, retire: Sender<Retired>, pass_through: bool) -> Self {
        Self {
            current: None,
            fallback: Fallback { pass_through },
            fallback_adapter: BlockAdapter::new(DEFAULT_LATENCY, 0, 0, 1.0),
            generation: 0,
            shared,
            retire,
            events: Vec::with_capacity(EVENT_CAPACITY),
        }
    }

    /// Off the audio thread (in `activate`): starts `generation` with `engine`, or with the
    /// fallback if the patch did not compile. The fallback keeps the last latency so the
    /// host's delay compensation stays right.
    pub fn activate(
        &mut self,
        ready: Option<Box<Ready>>,
        generation: u64,
        inputs: usize,
        outputs: usize,
    ) {
        let latency = ready
            .as_ref()
            .map(|r| r.engine.latency())
            .unwrap_or_else(|| self.latency());
        self.fallback_adapter = BlockAdapter::new(latency, inputs, outputs, 1.0);
        self.generation = generation;
        self.current = ready;
    }

    /// The latency the host should compensate, in frames.
    pub fn latency(&self) -> usize {
        match &self.current {
            Some(ready) => ready.engine.latency(),
            None => self.fallback_adapter.latency(),
        }
    }

    /// The code of the running engine, if one runs.
    pub fn running_code(&self) -> Option<&Arc<String>> {
        self.current.as_ref().map(|r| &r.code)
    }

    /// Picks up a newly compiled engine, if one is waiting. Returns the new latency when
    /// it changed. Engines of an older activation, or of the code already running, are
    /// sent to the retire thread.
    pub fn take_ready(&mut self) -> Option<usize> {
        let before = self.latency();
        while let Some(ready) = self.shared.ready.pop() {
            let same_code = self
                .running_code()
                .is_some_and(|code| Arc::ptr_eq(code, &ready.code));
            if ready.generation != self.generation || same_code {
                self.retire_engine(ready);
                continue;
            }
            if let Some(old) = self.current.replace(ready) {
                self.retire_engine(old);
            }
        }
        let after = self.latency();
        (after != before).then_some(after)
    }

    fn retire_engine(&mut self, ready: Box<Ready>) {
        // The retire thread keeps up with a handful of engines per second; if its queue
        // were ever full the engine would be dropped here, on the audio thread.
        let _ = self.retire.try_send(Some(ready));
    }

    /// Clears the block's event buffer (call at the start of each block).
    pub fn clear_events(&mut self) {
        self.events.clear();
    }

    /// Queues a note event for this block; dropped beyond [`EVENT_CAPACITY`].
    pub fn push_event(&mut self, event: NoteEvent) {
        if self.events.len() < EVENT_CAPACITY {
            self.events.push(event);
        }
    }

    /// Processes one host block of `frames` frames.
    pub fn process<S: AsRef<[f32]>>(
        &mut self,
        input: &Input<'_, S>,
        outputs: &mut [&mut [f32]],
        frames: usize,
    ) {
        match &mut self.current {
            Some(ready) => {
                ready.engine.process(input, outputs, frames, &self.events);
            }
            None => {
                self.fallback_adapter
                    .run(&mut self.fallback, input, outputs, 0..frames);
            }
        }
    }
}
