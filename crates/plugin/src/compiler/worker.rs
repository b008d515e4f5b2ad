//! The thread in-process compiles run on: one that lives across builds, so a session's
//! many compiles do not start a thread each. A compile that does not return in time is
//! abandoned with its thread (a thread cannot be killed), and the next build starts a
//! fresh one.

use crossbeam::channel::{self, Receiver, Sender};
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{CompileError, Engine, EngineConfig};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// What one compile gives back.
pub type Built = Result<(Engine, String), CompileError>;

/// One compile to run.
struct Job {
    code: Arc<String>,
    config: EngineConfig,
    ring: Arc<MessageRing>,
}

/// A compile thread and its two channels.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    results: Receiver<Built>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread, or says why it could not.
    pub fn spawn() -> Result<Self, String> {
        let (jobs, job_rx) = channel::bounded::<Job>(1);
        let (result_tx, results) = channel::bounded::<Built>(1);
        let thread = std::thread::Builder::new()
            .name("csound-plug compile".into())
            .spawn(move || {
                super::priority::lower_this_thread();
                while let Ok(job) = job_rx.recv() {
                    let built = Engine::compile(&job.code, &job.config, job.ring);
                    // Nobody waits for an abandoned compile: its engine is dropped here.
                    if result_tx.send(built).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Self {
            jobs: Some(jobs),
            results,
            thread: Some(thread),
        })
    }

    /// Compiles `code` for `config`, waiting at most `limit`: what the compile gave, or
    /// `None` when it did not return in time (the worker is then to be abandoned).
    pub fn compile(
        &self,
        code: Arc<String>,
        config: EngineConfig,
        ring: Arc<MessageRing>,
        limit: Duration,
    ) -> Option<Built> {
        let job = Job { code, config, ring };
        self.jobs.as_ref()?.send(job).ok()?;
        self.results.recv_timeout(limit).ok()
    }

    /// Lets the thread go on alone (it ends when its compile does).
    pub fn abandon(mut self) {
        self.jobs.take();
        // Dropping the handle detaches the thread instead of waiting for it.
        self.thread.take();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the job channel ends the idle thread; wait for it, so no thread of
        // this library outlives the plugin that made it.
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
