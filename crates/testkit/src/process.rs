//! Running commands with a time limit, and reading what they wrote.

use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Longest any single command may run before the test gives up on it.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// What a finished command left behind.
pub struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// What it printed.
    pub stdout: String,
    /// What it printed as errors.
    pub stderr: String,
}

impl Output {
    /// Status and both outputs, for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "exit status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` with its output captured in files under `dir` (no pipe can fill up), and
/// kills it if it runs longer than `COMMAND_TIMEOUT`.
pub fn run(mut cmd: Command, dir: &Path, label: &str) -> Output {
    let out_path = dir.join(format!("{label}.stdout"));
    let err_path = dir.join(format!("{label}.stderr"));
    let out_file = File::create(&out_path).expect("create stdout capture file");
    let err_file = File::create(&err_path).expect("create stderr capture file");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out_file))
        .stderr(Stdio::from(err_file));
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {COMMAND_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Output {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// A WAV file read as interleaved 32-bit float samples.
pub struct Wav {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// Interleaved samples.
    pub samples: Vec<f32>,
}

impl Wav {
    /// Frames in the file.
    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels as usize
    }

    /// One buffer per channel.
    pub fn channel_buffers(&self) -> Vec<Vec<f32>> {
        let n = usize::from(self.channels);
        (0..n)
            .map(|c| self.samples.iter().skip(c).step_by(n).copied().collect())
            .collect()
    }
}

/// What `csound -o` makes of `code` (written to `dir` as `name.csd`): one buffer per
/// channel of the float WAV it writes. Panics with Csound's output when it fails.
pub fn csound_output(code: &str, dir: &Path, name: &str) -> Vec<Vec<f32>> {
    let csd = dir.join(format!("{name}.csd"));
    let wav = dir.join(format!("{name}.wav"));
    std::fs::write(&csd, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", csd.display()));
    let mut cmd = Command::new("csound");
    cmd.current_dir(dir)
        .args(["-d", "--format=wav:float", "-o"])
        .arg(&wav)
        .arg(&csd);
    limit_file_size(&mut cmd, 64 << 20);
    let result = run(cmd, dir, name);
    assert!(
        result.status.success(),
        "csound failed\n{}",
        result.describe()
    );
    read_float_wav(&wav).channel_buffers()
}

/// Reads a 32-bit float WAV file.
pub fn read_float_wav(path: &Path) -> Wav {
    let reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("cannot read {} as WAV: {e}", path.display()));
    let spec = reader.spec();
    assert!(
        spec.sample_format == hound::SampleFormat::Float && spec.bits_per_sample == 32,
        "{} is not a 32-bit float WAV: {spec:?}",
        path.display()
    );
    let samples = reader
        .into_samples::<f32>()
        .collect::<Result<Vec<f32>, _>>()
        .unwrap_or_else(|e| panic!("cannot read samples of {}: {e}", path.display()));
    Wav {
        sample_rate: spec.sample_rate,
        channels: spec.channels,
        samples,
    }
}

/// Whether the `csound` command line can be started. (It is stopped at once: Csound
/// 6.18's `--version` can keep running after printing.)
pub fn csound_available() -> bool {
    Command::new("csound")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut child| {
            let _ = child.kill();
            let _ = child.wait();
        })
        .is_ok()
}

/// Makes `cmd` unable to write files larger than `bytes` (the kernel stops it with
/// SIGXFSZ), so a patch that never ends cannot fill the disk before the time limit.
pub fn limit_file_size(cmd: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only `setrlimit`, which is async-signal-safe, runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}
