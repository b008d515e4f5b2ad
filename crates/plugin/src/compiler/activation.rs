//! What an activation waits for. Code this machine has checked before compiles at once
//! and plays from the first block. Code it has not checked (a session from elsewhere, a
//! patch that reached the state while inactive) needs the pre-check, which can take up to
//! its limit: the activation waits a moment for it and, when it takes longer, returns with
//! the fallback playing while the build goes on on a thread of its own; its engine then
//! reaches the audio thread as a recompile's does. So one slow or bad patch does not hold
//! up a DAW opening a session. An offline render always waits: its first block must be
//! the patch's.

use super::{Active, CompilerShared, Ready, Trust};
use crossbeam::channel;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long an activation waits for code that has to be checked
/// (`$CSOUND_PLUG_ACTIVATION_WAIT` seconds overrides it).
pub const ACTIVATION_WAIT: Duration = Duration::from_millis(250);

impl CompilerShared {
    /// [`CompilerShared::build_for_activation`], waiting at most `wait` (`None`: until it
    /// is done) unless `code` passed the pre-check on this machine before or is the
    /// entry's default patch, which are always waited for. When the wait ends first, returns `None` (the fallback plays)
    /// and hands the engine over when the build ends, if this activation is still the
    /// current one.
    pub fn activation_build(
        self: &Arc<Self>,
        code: Arc<String>,
        active: &Active,
        trust: Trust,
        default_code: &'static str,
        carried: Vec<(String, f64)>,
        wait: Option<Duration>,
    ) -> Option<Box<Ready>> {
        // The entry's own default patch is always waited for: a new instance plays it
        // from its first block, however busy the machine is.
        let wait = match wait {
            Some(wait)
                if *code != default_code
                    && !self.checked_before(&code, &self.config_for(active, &code), trust) =>
            {
                wait
            }
            _ => return self.build_for_activation(code, active, trust, default_code, &carried),
        };
        let (sender, receiver) = channel::bounded(1);
        // Set by the activation when it stops waiting, under the lock the build takes
        // to hand its result over, so the result goes to exactly one place.
        let gave_up = Arc::new(Mutex::new(false));
        let (shared, thread_active, thread_gave_up) =
            (self.clone(), active.clone(), gave_up.clone());
        let (thread_code, carried_here) = (code.clone(), carried.clone());
        let spawned = std::thread::Builder::new()
            .name("csound-plug activation".into())
            .spawn(move || {
                super::priority::lower_this_thread();
                let ready = shared.build_for_activation(
                    thread_code,
                    &thread_active,
                    trust,
                    default_code,
                    &carried,
                );
                let gave_up = thread_gave_up.lock().unwrap_or_else(|e| e.into_inner());
                if !*gave_up {
                    let _ = sender.send(ready);
                } else if let Some(ready) = ready {
                    shared.hand_over_late(ready);
                }
            });
        match spawned {
            Ok(thread) => {
                let mut threads = self
                    .activation_threads
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                threads.retain(|t| !t.is_finished());
                threads.push(thread);
            }
            // No thread: wait here, as before there was a limit.
            Err(_) => {
                let carried = &carried_here;
                return self.build_for_activation(code, active, trust, default_code, carried);
            }
        }
        if let Ok(ready) = receiver.recv_timeout(wait) {
            return ready;
        }
        let mut flag = gave_up.lock().unwrap_or_else(|e| e.into_inner());
        *flag = true;
        // The build may have finished between the timeout and the lock.
        match receiver.try_recv() {
            Ok(ready) => ready,
            Err(_) => {
                self.status.console.notice(&format!(
                    "the patch is being checked; it plays when ready (the activation \
                     waited {} ms)",
                    wait.as_millis()
                ));
                None
            }
        }
    }

    /// Queues an engine an activation stopped waiting for, unless another activation
    /// came since; a full queue makes room as the compiler thread does.
    fn hand_over_late(&self, mut ready: Box<Ready>) {
        let current = self
            .active
            .load()
            .as_ref()
            .is_some_and(|a| a.generation == ready.generation);
        if !current {
            return;
        }
        let queue = &self.handover.ready;
        while let Err(back) = queue.push(ready) {
            ready = back;
            // Off the audio thread: dropping the oldest waiting engine here is allowed.
            drop(queue.pop());
        }
    }
}
