//! The pre-check child's seccomp filters: starting programs, opening files for writing,
//! creating or deleting files and opening sockets are trapped. The `SIGSYS` handler writes
//! `attempt <syscall number>` to the report pipe and makes the call fail with `EPERM`, so
//! the check goes on and reports every kind of attempt, and nothing outside happens.
//! New processes are refused without a report (see [`NEW_PROCESS`]).

use crate::gate::Reach;
use crate::protocol::ATTEMPT_PREFIX;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};
use std::collections::BTreeMap;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

/// Where the handler writes its lines (the report pipe).
static REPORT_FD: AtomicI32 = AtomicI32::new(-1);

/// System calls trapped only because the filter cannot read their arguments (a pointer
/// to a struct); they fail with `ENOSYS` so the C library falls back to the plain forms,
/// which the filter can read.
const FALL_BACK: &[i64] = &[libc::SYS_openat2];

/// What a trapped system call would have done; `None` for [`FALL_BACK`] calls.
pub fn reach_of(syscall: i64) -> Option<Reach> {
    if FALL_BACK.contains(&syscall) {
        return None;
    }
    if COMMAND.contains(&syscall) {
        Some(Reach::Command)
    } else if syscall == libc::SYS_socket {
        Some(Reach::Network)
    } else {
        Some(Reach::File)
    }
}

/// Starting a program in this process.
const COMMAND: &[i64] = &[libc::SYS_execve, libc::SYS_execveat];

/// Making a new process (not a thread) fails with `EPERM` without a trap: the C library's
/// `system` and `posix_spawn` block every signal around their clone, and a trap while
/// the signal is blocked kills the check instead of reaching the handler. The gate finds
/// the opcodes that start programs in the code itself.
const NEW_PROCESS: &[i64] = &[
    #[cfg(target_arch = "x86_64")]
    libc::SYS_fork,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_vfork,
];

/// Changing the file system whatever the arguments.
const FILE_CHANGES: &[i64] = &[
    libc::SYS_unlinkat,
    libc::SYS_renameat,
    libc::SYS_renameat2,
    libc::SYS_mkdirat,
    libc::SYS_linkat,
    libc::SYS_symlinkat,
    libc::SYS_truncate,
    libc::SYS_fchmodat,
    libc::SYS_fchownat,
    libc::SYS_mknodat,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_creat,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_unlink,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_rename,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_mkdir,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_rmdir,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_link,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_symlink,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_chmod,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_chown,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_lchown,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_mknod,
];

/// Installs the handler and the filter for this process and every thread it starts
/// later; the handler reports to `report_fd`. Call before any other thread exists.
pub fn install(report_fd: c_int) -> Result<(), String> {
    REPORT_FD.store(report_fd, Ordering::Relaxed);
    // SAFETY: a zeroed sigaction is valid; the handler only does async-signal-safe work.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigsys as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) != 0 {
            return Err(format!(
                "cannot handle SIGSYS: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    // The kernel applies the strictest answer of all filters: trap, then the errors.
    for program in [no_processes()?, no_clone3()?, traps()?] {
        seccompiler::apply_filter(&program)
            .map_err(|e| format!("cannot install the filter: {e}"))?;
    }
    Ok(())
}

/// Builds a filter that answers `rules` with `action` and allows everything else.
fn build(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    action: SeccompAction,
) -> Result<BpfProgram, String> {
    let arch = std::env::consts::ARCH
        .try_into()
        .map_err(|_| format!("no seccomp support for {}", std::env::consts::ARCH))?;
    let filter =
        SeccompFilter::new(rules, SeccompAction::Allow, action, arch).map_err(|e| e.to_string())?;
    filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())
}

/// New processes fail with `EPERM`; threads (clones with `CLONE_THREAD`) are fine.
fn no_processes() -> Result<BpfProgram, String> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        NEW_PROCESS.iter().map(|&call| (call, Vec::new())).collect();
    let thread = libc::CLONE_THREAD as u64;
    rules.insert(
        libc::SYS_clone,
        vec![
            SeccompRule::new(vec![condition(0, SeccompCmpOp::MaskedEq(thread), 0)?])
                .map_err(|e| e.to_string())?,
        ],
    );
    build(rules, SeccompAction::Errno(libc::EPERM as u32))
}

/// `clone3` passes its flags in a struct the filter cannot read: it fails with `ENOSYS`,
/// and the C library falls back to `clone`.
fn no_clone3() -> Result<BpfProgram, String> {
    let rules = BTreeMap::from([(libc::SYS_clone3, Vec::new())]);
    build(rules, SeccompAction::Errno(libc::ENOSYS as u32))
}

fn condition(arg: u8, op: SeccompCmpOp, value: u64) -> Result<SeccompCondition, String> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(|e| e.to_string())
}

/// Rules matching an open call whose flags (argument `arg`) ask for writing.
fn writing_open(arg: u8) -> Result<Vec<SeccompRule>, String> {
    [
        libc::O_WRONLY,
        libc::O_RDWR,
        libc::O_CREAT,
        libc::O_TRUNC,
        libc::O_APPEND,
    ]
    .iter()
    .map(|&flag| {
        let flag = flag as u64;
        SeccompRule::new(vec![condition(arg, SeccompCmpOp::MaskedEq(flag), flag)?])
            .map_err(|e| e.to_string())
    })
    .collect()
}

/// Programs, file changes and sockets trap into the handler.
fn traps() -> Result<BpfProgram, String> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    // An empty rule list matches every call.
    for &call in FALL_BACK.iter().chain(FILE_CHANGES).chain(COMMAND) {
        rules.insert(call, Vec::new());
    }
    rules.insert(libc::SYS_socket, Vec::new());
    rules.insert(libc::SYS_openat, writing_open(2)?);
    #[cfg(target_arch = "x86_64")]
    rules.insert(libc::SYS_open, writing_open(1)?);
    build(rules, SeccompAction::Trap)
}

/// The `SIGSYS` handler: report the call, make it fail. Async-signal-safe: no allocation,
/// no locks, only `write`.
extern "C" fn on_sigsys(_: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo for SIGSYS, whose union holds
    // `{ void *call_addr; int syscall; unsigned arch; }` right after the three ints and
    // their padding, and a valid ucontext.
    unsafe {
        let syscall = *(info as *const u8)
            .add(16 + std::mem::size_of::<usize>())
            .cast::<c_int>();
        let errno = match reach_of(i64::from(syscall)) {
            None => libc::ENOSYS,
            Some(_) => {
                report(syscall);
                libc::EPERM
            }
        };
        set_result(context.cast(), -i64::from(errno));
    }
}

/// Writes `attempt <n>\n` to the report pipe in one `write` (atomic on a pipe).
fn report(syscall: c_int) {
    let mut line = [0u8; 32];
    let prefix = ATTEMPT_PREFIX.as_bytes();
    line[..prefix.len()].copy_from_slice(prefix);
    let mut len = prefix.len();
    let mut digits = [0u8; 12];
    let mut n = syscall.unsigned_abs();
    let mut count = 0;
    loop {
        digits[count] = b'0' + (n % 10) as u8;
        count += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in (0..count).rev() {
        line[len] = digits[i];
        len += 1;
    }
    line[len] = b'\n';
    len += 1;
    let fd = REPORT_FD.load(Ordering::Relaxed);
    // SAFETY: writing a stack buffer to a file descriptor.
    unsafe {
        libc::write(fd, line.as_ptr().cast(), len);
    }
}

/// Sets the trapped call's return value in the interrupted context.
///
/// # Safety
/// `context` must be the ucontext the kernel passed to the signal handler.
unsafe fn set_result(context: *mut libc::ucontext_t, value: i64) {
    #[cfg(target_arch = "x86_64")]
    {
        (*context).uc_mcontext.gregs[libc::REG_RAX as usize] = value;
    }
    #[cfg(target_arch = "aarch64")]
    {
        (*context).uc_mcontext.regs[0] = value as u64;
    }
}
