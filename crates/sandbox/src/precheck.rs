//! The parent's side of the pre-check: find the helper, run it on the code with a time
//! limit, and read its verdict.

use crate::gate::{self, Reach, UnsafeUse};
use crate::protocol::{CheckRequest, ChildMessage, ATTEMPT_PREFIX};
use crate::verdicts;
use crossbeam::channel::{self, RecvTimeoutError};
use csound_plug_engine::csound::OpenedFile;
use csound_plug_engine::diagnostics::ErrorLine;
use csound_plug_engine::diagnostics::MissingFile;
use csound_plug_engine::file_cache;
use csound_plug_engine::{CompileError, EngineConfig};
use csound_plug_patch::embedded;
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The helper binary's file name.
pub const HELPER: &str = "csound-plug-check";

/// Seconds of the score the check plays.
pub const SCORE_SECONDS: f64 = 1.0;

/// How long the child may go without reporting progress before it counts as hung
/// (`$CSOUND_PLUG_CHECK_TIMEOUT` seconds overrides it).
pub const NO_PROGRESS: Duration = Duration::from_secs(5);

/// Why code may not run.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// It does not compile or start.
    Compile(CompileError),
    /// It reaches outside the audio and the user has not allowed it.
    Unsafe {
        /// Found in the code.
        uses: Vec<UnsafeUse>,
        /// Tried while it ran, as far as the code does not show them.
        attempts: Vec<Reach>,
    },
    /// Csound crashed.
    Crashed {
        /// The signal's name and meaning.
        signal: String,
        /// What ran.
        phase: String,
    },
    /// The process ended without finishing the check (`exitnow`, `abort`).
    Exited {
        /// Its exit code.
        code: i32,
        /// What ran.
        phase: String,
    },
    /// Nothing came back within the time limit.
    Hung {
        /// What ran.
        phase: String,
        /// The limit.
        seconds: f64,
    },
}

impl Problem {
    /// The reason in one line.
    pub fn summary(&self) -> String {
        match self {
            Self::Compile(error) => error.step.clone(),
            Self::Unsafe { uses, attempts } => {
                let mut reaches: Vec<Reach> = uses.iter().map(|u| u.reach).collect();
                reaches.extend(attempts);
                reaches.sort();
                reaches.dedup();
                let verbs: Vec<&str> = reaches.iter().map(|r| r.verb()).collect();
                let found: Vec<String> = uses.iter().take(4).map(ToString::to_string).collect();
                let found = match (found.is_empty(), uses.len() > 4) {
                    (true, _) => " while it runs".to_string(),
                    (false, false) => format!(" ({})", found.join("; ")),
                    (false, true) => format!(" ({}; …)", found.join("; ")),
                };
                format!(
                    "not run: this patch tries to {}{found}",
                    verbs.join(" and ")
                )
            }
            Self::Crashed { signal, phase } => {
                format!("not run: Csound crashed ({signal}) while {phase}")
            }
            Self::Exited { code, phase } => {
                format!(
                    "not run: the patch ended Csound's process (exit code {code}) while {phase}"
                )
            }
            Self::Hung { phase, seconds } => {
                format!(
                    "not run: the patch hung (no progress in {seconds} s of computing) while {phase}"
                )
            }
        }
    }

    /// The problem as a compile error, for the console and the editor's gutter.
    pub fn to_compile_error(&self) -> CompileError {
        match self {
            Self::Compile(error) => error.clone(),
            Self::Unsafe { uses, .. } => CompileError {
                log: String::new(),
                errors: uses
                    .iter()
                    .map(|u| ErrorLine {
                        line: u.line,
                        file: None,
                        message: format!("{} would {}", u.name, u.reach.verb()),
                    })
                    .collect(),
                step: self.summary(),
            },
            _ => CompileError {
                log: String::new(),
                errors: Vec::new(),
                step: self.summary(),
            },
        }
    }

    /// Whether the user's permission would let the code run.
    pub fn needs_permission(&self) -> bool {
        matches!(self, Self::Unsafe { .. })
    }
}

/// What the pre-check found.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// The code may be compiled; `uses` are what it reaches outside, all allowed.
    Passed {
        /// Allowed uses.
        uses: Vec<UnsafeUse>,
    },
    /// The code must not be compiled.
    Refused(Problem),
}

/// One pre-check run's details.
#[derive(Debug, Clone)]
pub struct Report {
    /// The verdict.
    pub checked: Checked,
    /// Set when the child ran without its sandbox, with why.
    pub unsandboxed: Option<String>,
    /// Set when there is no helper or it could not be started, with why: the verdict is
    /// then the gate's reading of the code in this process alone, with no crash or hang
    /// check.
    pub no_helper: Option<String>,
    /// Where the patch put out NaN or infinite samples (with the notes sounding): not a
    /// reason to refuse it, since the plugin drops such blocks, but worth saying.
    pub non_finite: Vec<String>,
    /// The files Csound opened while the code was checked (none when the verdict was
    /// remembered or there was no helper).
    pub files: Vec<OpenedFile>,
    /// Files the patch wanted while it played that Csound could not open: the notes
    /// that need them are silent. Not a reason to refuse it; worth saying.
    pub missing: Vec<MissingFile>,
    /// Wall time of the check.
    pub elapsed: Duration,
}

/// Where the helper is: `$CSOUND_PLUG_CHECK`, else beside the library or program this
/// code runs in (a plugin bundle's binary folder, the CLI's folder), else one folder up
/// (test programs under `target/*/deps`), else in `~/.local/bin`.
pub fn helper_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CSOUND_PLUG_CHECK") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let mut folders = Vec::new();
    for module in [this_module(), std::env::current_exe().ok()]
        .into_iter()
        .flatten()
    {
        if let Some(folder) = module.parent() {
            folders.push(folder.to_path_buf());
            folders.extend(folder.parent().map(Path::to_path_buf));
        }
    }
    folders.extend(dirs::home_dir().map(|home| home.join(".local").join("bin")));
    folders
        .into_iter()
        .map(|folder| folder.join(HELPER))
        .find(|path| path.is_file())
}

/// The file of the shared library (or program) this code was loaded from.
fn this_module() -> Option<PathBuf> {
    // SAFETY: dladdr only reads the loader's tables; a zeroed Dl_info is valid.
    unsafe {
        let mut info: libc::Dl_info = std::mem::zeroed();
        let address = helper_path as *const () as *const libc::c_void;
        if libc::dladdr(address, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(info.dli_fname).to_str().ok()?;
        Some(PathBuf::from(name))
    }
}

/// A time limit: `default`, unless the environment variable `name` gives a positive
/// number of seconds (tests shorten the limits this way).
pub fn limit_from_env(name: &str, default: Duration) -> Duration {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(default, Duration::from_secs_f64)
}

/// What the check plays besides the patch's own score.
#[derive(Debug, Clone, Default)]
pub struct Playing {
    /// Score statements added to the patch's.
    pub extra_score: Option<String>,
    /// Test notes on every instrument MIDI reaches.
    pub test_notes: bool,
}

impl Playing {
    /// What a plugin plays: anything MIDI can reach.
    pub fn plugin() -> Self {
        Self {
            extra_score: None,
            test_notes: true,
        }
    }
}

/// Checks `code` as it would run with `config` in the plugin. `allowed`: the user trusts
/// this code to reach outside the audio.
pub fn precheck(code: &str, config: &EngineConfig, allowed: bool) -> Report {
    precheck_playing(code, config, allowed, &Playing::plugin())
}

/// [`precheck_playing`], unless the same check passed before on this machine (see
/// [`crate::verdicts`]): then a pass with the remembered warnings and nothing run
/// (`elapsed` zero, `uses` empty: the code's uses were allowed when it passed). A pass of
/// a check that ran in its sandbox is remembered.
pub fn precheck_remembered(
    code: &str,
    config: &EngineConfig,
    allowed: bool,
    playing: &Playing,
) -> Report {
    let key = verdicts::key(code, config, allowed, playing);
    if let Some(non_finite) = verdicts::passed(&key) {
        return Report {
            checked: Checked::Passed { uses: Vec::new() },
            unsandboxed: None,
            no_helper: None,
            non_finite,
            files: Vec::new(),
            missing: Vec::new(),
            elapsed: Duration::ZERO,
        };
    }
    let report = precheck_playing(code, config, allowed, playing);
    let ran_in_sandbox = report.no_helper.is_none() && report.unsandboxed.is_none();
    // A pass with missing files is checked again next time, so that they are said again.
    let complete = report.missing.is_empty();
    if matches!(report.checked, Checked::Passed { .. }) && ran_in_sandbox && complete {
        // A file that cannot be written costs a check next time, nothing more.
        let _ = verdicts::remember(&key, &report.non_finite);
    }
    report
}

/// Whether [`precheck_remembered`] would answer from memory, running nothing.
pub fn remembered(code: &str, config: &EngineConfig, allowed: bool, playing: &Playing) -> bool {
    verdicts::passed(&verdicts::key(code, config, allowed, playing)).is_some()
}

/// Checks `code` as it would run with `config`, playing `playing`.
pub fn precheck_playing(
    code: &str,
    config: &EngineConfig,
    allowed: bool,
    playing: &Playing,
) -> Report {
    let started = Instant::now();
    let request = CheckRequest {
        code: code.to_string(),
        config: config.clone(),
        score_seconds: SCORE_SECONDS,
        extra_score: playing.extra_score.clone(),
        test_notes: playing.test_notes,
        allowed,
    };
    // The child may not write files: embedded ones are unpacked (and linked ones linked)
    // here, where its compile finds them (one that cannot be is the compile's error).
    if let Ok(files) = embedded::embedded_files(code) {
        if !files.is_empty() {
            let _ = file_cache::unpack(&files);
        }
    }
    let _ = csound_plug_engine::linked_files::prepare(code, &config.search_dirs);
    let ran = match helper_path() {
        Some(helper) => run_helper(&helper, &request, allowed),
        None => Err(format!("{HELPER} was not found")),
    };
    let (ran, no_helper) = match ran {
        Ok(ran) => (ran, None),
        // A helper that is missing or cannot run must not stop every patch: the gate
        // reads the code here, and the code compiles as before the helper existed.
        Err(why) => {
            let here = scan_here(code, &config.search_dirs, allowed);
            (Ran::verdict(here, None), Some(why))
        }
    };
    Report {
        checked: ran.checked,
        unsandboxed: ran.unsandboxed,
        no_helper,
        non_finite: ran.non_finite,
        files: ran.files,
        missing: ran.missing,
        elapsed: started.elapsed(),
    }
}

/// The request as a file (deleted once the child has it open): a pipe would need the
/// parent to write while the child may already be gone, and a broken pipe's SIGPIPE
/// would end a host that does not ignore it.
fn request_file(request: &CheckRequest) -> Result<std::fs::File, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "csound-plug-check-{}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
    let _ = std::fs::remove_file(&path);
    let text = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    file.write_all(&text)
        .and_then(|()| file.rewind())
        .map_err(|e| format!("cannot write the request: {e}"))?;
    Ok(file)
}

/// What one run of the helper found.
struct Ran {
    checked: Checked,
    unsandboxed: Option<String>,
    non_finite: Vec<String>,
    files: Vec<OpenedFile>,
    missing: Vec<MissingFile>,
}

impl Ran {
    fn verdict(checked: Checked, unsandboxed: Option<String>) -> Self {
        Self {
            checked,
            unsandboxed,
            non_finite: Vec::new(),
            files: Vec::new(),
            missing: Vec::new(),
        }
    }
}

fn run_helper(helper: &Path, request: &CheckRequest, allowed: bool) -> Result<Ran, String> {
    let input = request_file(request)?;
    let mut child = Command::new(helper)
        .stdin(Stdio::from(input))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start '{}': {e}", helper.display()))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (lines_tx, lines) = channel::unbounded();
    let reader = std::thread::Builder::new()
        .name("csound-plug check reader".into())
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let limit = limit_from_env("CSOUND_PLUG_CHECK_TIMEOUT", NO_PROGRESS);
    let mut progress = Progress::now(child.id());
    let mut phase = "starting the check".to_string();
    let mut uses = Vec::new();
    let mut attempts: Vec<Reach> = Vec::new();
    let mut unsandboxed = None;
    let mut problem = None;
    let mut non_finite = Vec::new();
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let mut done = false;
    loop {
        match lines.recv_timeout(POLL) {
            Ok(line) => {
                progress = Progress::now(child.id());
                if let Some(number) = line.strip_prefix(ATTEMPT_PREFIX) {
                    let reach = number.trim().parse().ok().and_then(reach_of_syscall);
                    if let Some(reach) = reach.filter(|r| !attempts.contains(r)) {
                        attempts.push(reach);
                    }
                    continue;
                }
                let Ok(message) = serde_json::from_str::<ChildMessage>(&line) else {
                    continue;
                };
                match message {
                    ChildMessage::Phase { what } => phase = what,
                    ChildMessage::NoSandbox { why } => unsandboxed = Some(why),
                    ChildMessage::Uses { uses: found } => uses = found,
                    ChildMessage::CompileError { error } => {
                        problem.get_or_insert(Problem::Compile(error));
                    }
                    ChildMessage::NonFinite { phase } => non_finite.push(phase),
                    ChildMessage::Files { files: opened } => files = opened,
                    ChildMessage::Missing { files: absent } => missing = absent,
                    ChildMessage::Done => done = true,
                }
            }
            Err(RecvTimeoutError::Timeout) if !progress.stalled(child.id(), limit) => {}
            Err(RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                let problem = if !uses.is_empty() && !allowed {
                    Problem::Unsafe { uses, attempts }
                } else {
                    Problem::Hung {
                        phase,
                        seconds: limit.as_secs_f64(),
                    }
                };
                return Ok(Ran::verdict(Checked::Refused(problem), unsandboxed));
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let _ = reader.join();
    // What ran but the code does not show (the code's own uses explain the rest).
    attempts.retain(|reach| !uses.iter().any(|u| u.reach == *reach));
    let reaches_out = !uses.is_empty() || !attempts.is_empty();
    if reaches_out && !allowed {
        // First, whatever else happened: the sandbox's refusals may be what broke it.
        return Ok(Ran::verdict(
            Checked::Refused(Problem::Unsafe { uses, attempts }),
            unsandboxed,
        ));
    }
    match problem {
        // Allowed code that failed in the sandbox may fail only because the sandbox
        // refused what it was allowed to do: the compile in the process decides.
        Some(Problem::Compile(_)) if reaches_out => {
            return Ok(Ran {
                checked: Checked::Passed { uses },
                unsandboxed,
                non_finite,
                files,
                missing,
            });
        }
        Some(problem) => return Ok(Ran::verdict(Checked::Refused(problem), unsandboxed)),
        None => {}
    }
    if !done {
        use std::os::unix::process::ExitStatusExt;
        let problem = match status.signal() {
            Some(signal) => Problem::Crashed {
                signal: signal_name(signal),
                phase,
            },
            None => Problem::Exited {
                code: status.code().unwrap_or(-1),
                phase,
            },
        };
        return Ok(Ran::verdict(Checked::Refused(problem), unsandboxed));
    }
    Ok(Ran {
        checked: Checked::Passed { uses },
        unsandboxed,
        non_finite,
        files,
        missing,
    })
}

/// How often the parent looks at a silent child.
const POLL: Duration = Duration::from_millis(100);
/// A child that neither reports nor computes (it waits on something) is stopped after
/// this many times the limit of wall time.
const WAITING_FACTOR: u32 = 6;

/// When the child last reported, in its own CPU time and in wall time.
struct Progress {
    cpu: Option<Duration>,
    wall: Instant,
}

impl Progress {
    fn now(pid: u32) -> Self {
        Self {
            cpu: cpu_time(pid),
            wall: Instant::now(),
        }
    }

    /// Whether the child has gone `limit` without reporting: counted in the CPU time it
    /// used since, so a busy machine, which stretches wall time, does not turn a long
    /// parse into a hang (the verdict does not depend on the load); wall time where CPU
    /// time cannot be read, or when the child waits without computing.
    fn stalled(&self, pid: u32, limit: Duration) -> bool {
        let waited = self.wall.elapsed();
        match (self.cpu, cpu_time(pid)) {
            (Some(then), Some(now)) => {
                now.saturating_sub(then) >= limit || waited >= limit * WAITING_FACTOR
            }
            _ => waited >= limit,
        }
    }
}

/// The CPU time (user and system, all threads) process `pid` has used.
#[cfg(target_os = "linux")]
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields count from its end.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

#[cfg(not(target_os = "linux"))]
fn cpu_time(_pid: u32) -> Option<Duration> {
    None
}

#[cfg(target_os = "linux")]
fn reach_of_syscall(number: i64) -> Option<Reach> {
    super::seccomp::reach_of(number)
}

#[cfg(not(target_os = "linux"))]
fn reach_of_syscall(_: i64) -> Option<Reach> {
    None
}

/// A signal's name and what it usually means here.
fn signal_name(signal: i32) -> String {
    let meaning = match signal {
        libc::SIGSEGV => "SIGSEGV, invalid memory access",
        libc::SIGFPE => "SIGFPE, arithmetic error such as an integer division by zero",
        libc::SIGBUS => "SIGBUS, bad memory access",
        libc::SIGILL => "SIGILL, illegal instruction",
        libc::SIGABRT => "SIGABRT, Csound aborted",
        libc::SIGKILL => "SIGKILL, killed, e.g. out of memory",
        libc::SIGXCPU => "SIGXCPU, CPU time limit",
        libc::SIGSYS => "SIGSYS, a refused system call",
        _ => return format!("signal {signal}"),
    };
    meaning.to_string()
}

/// The gate's reading of `code` in this process, for when there is no helper.
fn scan_here(code: &str, search_dirs: &[std::path::PathBuf], allowed: bool) -> Checked {
    let uses = gate::scan(code, search_dirs);
    if uses.is_empty() || allowed {
        Checked::Passed { uses }
    } else {
        Checked::Refused(Problem::Unsafe {
            uses,
            attempts: Vec::new(),
        })
    }
}
