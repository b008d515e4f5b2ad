//! The threads that compile and destroy engines run at a lower CPU priority than the
//! host's: on a machine with few cores the audio thread then wins when both want the
//! CPU, and a recompile does not stretch `process()` (see the benchmark's percentiles
//! during recompiles). The pre-check's child keeps the normal priority: its verdict must
//! not depend on how busy the machine is.

/// How much lower (Linux `nice` steps).
const STEPS: i32 = 10;

/// Lowers the calling thread's priority; where that is not possible nothing changes.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own id only changes its scheduling.
    unsafe {
        let id = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, id, STEPS);
    }
}
