//! The pre-check helper's side (`csound-plug-check`): read the request, put limits and a
//! seccomp filter on this process, then read what the code reaches, compile and start it
//! with the plugin's own engine, play the score's first seconds, test notes on every
//! instrument MIDI reaches and the instruments the score starts later, and report each
//! step on the way, so a crash or a hang names where it happened.

use crate::gate;
use crate::protocol::{CheckRequest, ChildMessage};
use csound_plug_engine::block::Input;
use csound_plug_engine::diagnostics;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::Engine;
use csound_plug_patch::csd::Csd;
use csound_plug_patch::facts::midi_instruments;
use std::ffi::c_int;
use std::io::Read;
use std::sync::Arc;

/// Frames per block the child plays.
const BLOCK: usize = 256;
/// Blocks a test note is held, then released for.
const NOTE_BLOCKS: usize = 12;
/// Seconds each instrument the score starts later is played for.
const LATER_SECONDS: f64 = 0.3;
/// The test notes: (key, velocity), from the edges of MIDI's range to the middle.
const TEST_NOTES: [(u8, u8); 5] = [(0, 1), (36, 64), (60, 100), (96, 127), (127, 127)];
/// Controllers moved to both ends while the test notes sound.
const TEST_CONTROLLERS: [u8; 6] = [1, 7, 10, 11, 64, 74];

/// Writes the report lines.
struct Reporter {
    fd: c_int,
}

impl Reporter {
    fn send(&self, message: &ChildMessage) {
        let line = message.to_line();
        // One write per line: atomic on a pipe, so the seccomp handler's lines never
        // land inside ours.
        // SAFETY: writing a live buffer to a file descriptor.
        unsafe {
            libc::write(self.fd, line.as_ptr().cast(), line.len());
        }
    }

    fn phase(&self, what: impl Into<String>) {
        self.send(&ChildMessage::Phase { what: what.into() });
    }
}

/// The helper's `main`: returns the exit code. Never returns when the patch crashes or
/// hangs; the parent sees that.
pub fn main() -> i32 {
    // The report pipe is our standard output; Csound and the patch print to /dev/null.
    let reporter = match prepare_descriptors() {
        Ok(fd) => Reporter { fd },
        Err(e) => {
            eprintln!("csound-plug-check: {e}");
            return 2;
        }
    };
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("csound-plug-check: cannot read the request: {e}");
        return 2;
    }
    let request: CheckRequest = match serde_json::from_str(&text) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("csound-plug-check: the request is not valid: {e}");
            return 2;
        }
    };
    set_limits(request.allowed);
    // What the user allowed runs here as it will in the real run; the rest is trapped.
    #[cfg(target_os = "linux")]
    if !request.allowed {
        if let Err(why) = super::seccomp::install(reporter.fd) {
            reporter.send(&ChildMessage::NoSandbox { why });
        }
    }
    #[cfg(not(target_os = "linux"))]
    reporter.send(&ChildMessage::NoSandbox {
        why: "seccomp exists only on Linux".into(),
    });
    run(&request, &reporter);
    // Skip destructors: the instance may be in any state after what the patch did.
    // SAFETY: ends the process at once; every report has been written.
    unsafe { libc::_exit(0) }
}

/// Moves standard output to a new descriptor for the reports and points descriptors 1
/// and 2 at /dev/null. Returns the report descriptor.
fn prepare_descriptors() -> Result<c_int, String> {
    // SAFETY: plain descriptor calls on descriptors this process owns.
    unsafe {
        let report = libc::dup(1);
        if report < 0 {
            return Err("cannot duplicate standard output".into());
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null < 0 {
            return Err("cannot open /dev/null".into());
        }
        libc::dup2(null, 1);
        libc::dup2(null, 2);
        libc::close(null);
        Ok(report)
    }
}

/// No core files, no files written past zero bytes (unless the code is `allowed` to
/// write), bounded memory and CPU time, and death with the parent.
fn set_limits(allowed: bool) {
    let limit = |resource, value: u64| {
        let rlimit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: setting a limit of this process.
        unsafe { libc::setrlimit(resource, &rlimit) };
    };
    limit(libc::RLIMIT_CORE, 0);
    if !allowed {
        limit(libc::RLIMIT_FSIZE, 0);
    }
    limit(libc::RLIMIT_AS, 8 << 30);
    limit(libc::RLIMIT_CPU, 120);
    // SAFETY: signal dispositions and prctl on this process.
    unsafe {
        // A write past the size limit fails instead of killing the check.
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
}

fn run(request: &CheckRequest, reporter: &Reporter) {
    reporter.phase("reading the code");
    reporter.send(&ChildMessage::Uses {
        uses: gate::scan(&request.code, &request.config.search_dirs),
    });
    reporter.phase("compiling and starting (instr 0 and global code)");
    let mut config = request.config.clone();
    // Test notes need a performance that outlives a short score.
    config.run_forever = true;
    let ring = Arc::new(MessageRing::new(256));
    let (mut engine, compile_log) = match Engine::compile(&request.code, &config, ring.clone()) {
        Ok((engine, log)) => (engine, log),
        Err(error) => {
            reporter.send(&ChildMessage::CompileError { error });
            reporter.send(&ChildMessage::Done);
            return;
        }
    };
    // The values the plugin starts the patch with.
    engine.set_start_values(&request.code);
    // This process is no audio thread: the files the score and notes open count too.
    engine.record_opened_files();
    if let Some(score) = &request.extra_score {
        // Refused statements are the CLI's to report, as it renders.
        let _ = engine.read_score(&format!("{score}\n"));
    }
    let mut player = Player::new(&engine);
    let seconds = request.score_seconds;
    let phase = format!("playing the score's first {seconds} s");
    reporter.phase(&phase);
    let blocks = (seconds * engine.sample_rate() / BLOCK as f64).ceil() as usize;
    if !player.play(&mut engine, blocks, &[], reporter, &phase, &ring) {
        return;
    }
    let targets = match request.test_notes {
        true => midi_targets(&engine, &request.code),
        false => Vec::new(),
    };
    for (channel, instr) in targets {
        let phase = format!("instr {instr} playing MIDI notes (channel {})", channel + 1);
        reporter.phase(&phase);
        if !player.play_test_notes(&mut engine, channel, reporter, &phase, &ring) {
            return;
        }
    }
    for statement in later_statements(&request.code, seconds) {
        let phase = format!("instr {} started by the score", statement.instr);
        reporter.phase(&phase);
        // A refused statement is the patch's own business; the score would refuse it too.
        let _ = engine.read_score(&statement.now);
        let blocks = (LATER_SECONDS * engine.sample_rate() / BLOCK as f64).ceil() as usize;
        if !player.play(&mut engine, blocks, &[], reporter, &phase, &ring) {
            return;
        }
    }
    // What the score's first tables said while the patch started, and what it said since.
    let log = format!("{compile_log}{}", player.open_errors);
    let missing = diagnostics::missing_files(&log, &request.code);
    if !missing.is_empty() {
        reporter.send(&ChildMessage::Missing { files: missing });
    }
    reporter.send(&ChildMessage::Files {
        files: engine.opened_files(),
    });
    reporter.send(&ChildMessage::Done);
}

/// The MIDI channels (0-based) whose notes reach a distinct instrument, with it, routed
/// as the entry that plays the patch routes them.
fn midi_targets(engine: &Engine, code: &str) -> Vec<(u8, u32)> {
    let mut targets: Vec<(u8, u32)> = Vec::new();
    if !engine.plays_notes() {
        return targets;
    }
    let routing = match engine.note_instruments() {
        // Score mode: the instrument metadata or the configuration names.
        Some(instruments) => instruments.map(Some),
        // Native mode: Csound's routing (`massign`, else the same number, else the
        // lowest-numbered instrument).
        None => midi_instruments(code),
    };
    for (channel, instr) in (0..16u8).zip(routing) {
        if let Some(instr) = instr.filter(|i| !targets.iter().any(|(_, t)| t == i)) {
            targets.push((channel, instr));
        }
    }
    targets
}

/// A score statement the score starts after the played seconds, rewritten to start now.
struct LaterStatement {
    instr: u32,
    now: String,
}

/// The first `i` statement of each instrument whose notes all start after `seconds`,
/// to start now for at most [`LATER_SECONDS`].
fn later_statements(code: &str, seconds: f64) -> Vec<LaterStatement> {
    let mut early: Vec<u32> = Vec::new();
    let mut later: Vec<(u32, Vec<String>)> = Vec::new();
    for statement in Csd::parse(code).score_statements() {
        let fields = &statement.fields;
        let (Some(instr), Some(start)) = (
            fields.first().and_then(|f| f.parse::<f64>().ok()),
            fields.get(1).and_then(|f| f.parse::<f64>().ok()),
        ) else {
            continue;
        };
        if statement.opcode != 'i' {
            continue;
        }
        let instr = instr.floor() as u32;
        if start < seconds {
            early.push(instr);
        } else if !later.iter().any(|(i, _)| *i == instr) {
            later.push((instr, fields[2..].iter().map(|f| f.to_string()).collect()));
        }
    }
    later
        .into_iter()
        .filter(|(instr, _)| !early.contains(instr))
        .map(|(instr, mut rest)| {
            let duration = rest
                .first()
                .and_then(|d| d.parse::<f64>().ok())
                .filter(|d| *d > 0.0)
                .map_or(LATER_SECONDS, |d| d.min(LATER_SECONDS));
            if rest.is_empty() {
                rest.push(String::new());
            }
            rest[0] = duration.to_string();
            LaterStatement {
                instr,
                now: format!("i {instr} 0 {}\n", rest.join(" ")),
            }
        })
        .collect()
}

/// Plays blocks with a test signal in and checks what comes out.
struct Player {
    input: Vec<Vec<f32>>,
    output: Vec<Vec<f32>>,
    frame: u64,
    log: String,
    /// The phase whose non-finite output was reported last.
    non_finite_in: Option<String>,
    /// Csound's messages about files it could not open, since the patch started.
    open_errors: String,
}

impl Player {
    fn new(engine: &Engine) -> Self {
        Self {
            input: vec![vec![0.0; BLOCK]; engine.nchnls_input()],
            output: vec![vec![0.0; BLOCK]; engine.nchnls()],
            frame: 0,
            log: String::new(),
            non_finite_in: None,
            open_errors: String::new(),
        }
    }

    /// Plays `blocks` blocks, `events` in the first. `false` when the check must stop
    /// (the performance ended); that is reported.
    fn play(
        &mut self,
        engine: &mut Engine,
        blocks: usize,
        events: &[MidiEvent],
        reporter: &Reporter,
        phase: &str,
        ring: &MessageRing,
    ) -> bool {
        let rate = engine.sample_rate();
        for block in 0..blocks {
            // A quiet tone with a little noise: effects get something to work on.
            for (ch, buffer) in self.input.iter_mut().enumerate() {
                for (i, sample) in buffer.iter_mut().enumerate() {
                    let t = (self.frame + i as u64) as f64 / rate;
                    let noise = ((self.frame + i as u64).wrapping_mul(2_654_435_761) % 1000) as f64
                        / 1000.0
                        - 0.5;
                    *sample = (0.25 * (std::f64::consts::TAU * 220.0 * t + ch as f64).sin()
                        + 0.05 * noise) as f32;
                }
            }
            let input = Input::Buffers(&self.input[..]);
            let mut outputs: Vec<&mut [f32]> =
                self.output.iter_mut().map(|b| b.as_mut_slice()).collect();
            let these = if block == 0 { events } else { &[] };
            let ended = engine.process(&input, &mut outputs, BLOCK, these);
            self.frame += BLOCK as u64;
            ring.drain_into(&mut self.log);
            // Kept for the missing-file report: Csound's can't-open messages.
            for line in self
                .log
                .lines()
                .filter(|l| l.to_ascii_lowercase().contains("open"))
            {
                self.open_errors.push_str(line);
                self.open_errors.push('\n');
            }
            self.log.clear();
            // Reported once per phase; the host's guard drops such blocks, so the check
            // goes on to what can hurt the host (a crash, a hang, a reach).
            let bad = self.output.iter().flatten().any(|s| !s.is_finite());
            if bad && self.non_finite_in.as_deref() != Some(phase) {
                self.non_finite_in = Some(phase.to_string());
                reporter.send(&ChildMessage::NonFinite {
                    phase: phase.to_string(),
                });
            }
            if ended.is_some() {
                // `f 0 z` keeps the score going; only `exitnow` or an error ends it.
                reporter.send(&ChildMessage::Done);
                return false;
            }
        }
        true
    }

    /// The test notes on `channel` with controllers, pitch bend and pressure at both
    /// ends of their ranges, then the note-offs and a release.
    fn play_test_notes(
        &mut self,
        engine: &mut Engine,
        channel: u8,
        reporter: &Reporter,
        phase: &str,
        ring: &MessageRing,
    ) -> bool {
        let message = |status: u8, a: u8, b: u8| MidiEvent::Message {
            offset: 0,
            bytes: [status | channel, a, b],
        };
        // Controllers, pitch bend (both data bytes) and channel pressure at one end.
        let controls_at = |value: u8| -> Vec<MidiEvent> {
            let mut events: Vec<MidiEvent> = TEST_CONTROLLERS
                .iter()
                .map(|&cc| message(0xb0, cc, value))
                .collect();
            events.push(message(0xe0, value, value));
            events.push(message(0xd0, value, 0));
            events
        };
        let mut on = controls_at(0);
        on.extend(TEST_NOTES.iter().map(|&(key, velocity)| MidiEvent::On {
            offset: 0,
            channel,
            key,
            velocity,
        }));
        let top = controls_at(127);
        let mut off: Vec<MidiEvent> = TEST_NOTES
            .iter()
            .map(|&(key, _)| MidiEvent::Off {
                offset: 0,
                channel,
                key,
            })
            .collect();
        // The sustain pedal went down with the controllers; lift it.
        off.push(message(0xb0, 64, 0));
        // What sounds in each part, for a report of non-finite output.
        let notes: Vec<String> = TEST_NOTES
            .iter()
            .map(|(key, velocity)| format!("key {key} velocity {velocity}"))
            .collect();
        let notes = notes.join(", ");
        let with_low = format!("{phase}: {notes}, controllers at 0");
        let with_high = format!("{phase}: {notes}, controllers at 127");
        let released = format!("{phase}: after the note-offs");
        self.play(engine, NOTE_BLOCKS / 2, &on, reporter, &with_low, ring)
            && self.play(engine, NOTE_BLOCKS / 2, &top, reporter, &with_high, ring)
            && self.play(engine, NOTE_BLOCKS, &off, reporter, &released, ring)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_score_statements_start_now_and_briefly() {
        let code = "<CsScore>\ni1 0 1\ni 2 5 10 0.5 \"x\" ; later\ni2 7 1\ni 3 8 -1\n\
                    i1 9 1\n</CsScore>";
        let later: Vec<String> = later_statements(code, 2.0)
            .into_iter()
            .map(|s| s.now)
            .collect();
        assert_eq!(later, ["i 2 0 0.3 0.5 \"x\"\n", "i 3 0 0.3\n"]);
    }
}
