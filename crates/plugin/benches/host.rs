//! `cargo xtask bench`, the host's side: what a DAW waits for when it scans the plugin,
//! adds an instance and opens a session, through the built `.clap` in a `clack-host`
//! host, each against bare Csound doing the same work in the same run (this machine is
//! shared and noisy, so only ratios mean anything).
//!
//! - scan: load nothing new, create an instance, read its ports and parameters, destroy
//!   it; against a bare `csoundCreate` + destroy;
//! - instantiate + activate of the default patch (first block included) against a bare
//!   create + compile + start of the same code;
//! - opening a session of 16 instances (create, load the saved state, activate, first
//!   block), with the default patch and with a mix of factory presets, codes this process
//!   has not seen (so every pre-check runs, as after a DAW restart) and seen (reopened);
//!   against 16 bare create + compile + start;
//! - memory: resident memory each further active instance adds, against a bare Csound
//!   instance running the same patch.
//!
//! The figures also go to `target/bench/host.json`.

use csound_plug_engine::csound::Csound;
use csound_plug_engine::messages::MessageRing;
use csound_plug_patch::presets;
use csound_plug_testkit::bench::Figures;
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, load_bundle, with_patch_code, HostedPlugin,
    FX_ID, INSTRUMENT_ID,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SR: f64 = 48_000.0;
const BLOCK: u32 = 128;
const SESSION: usize = 16;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Bare Csound: create, compile `code`, start; dropped at once.
fn bare(code: &str) -> Duration {
    let t = Instant::now();
    let csound = bare_running(code);
    let elapsed = t.elapsed();
    drop(csound);
    elapsed
}

/// `code` made new text (a comment), so no cache in this process knows it.
fn fresh(code: &str, run: usize, index: usize) -> String {
    format!("; session {run} instance {index}\n{code}")
}

/// The median of `runs` measurements.
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Resident memory in MiB, after returning freed memory to the system (so what earlier
/// figures freed does not hide what this one holds).
fn resident_mb() -> f64 {
    csound_plug_testkit::memory::settled_rss_kib() as f64 / 1024.0
}

/// Bare Csound running `code` (created, compiled, started), kept.
fn bare_running(code: &str) -> Csound {
    let mut csound = Csound::new(Arc::new(MessageRing::new(64))).expect("csound");
    csound.set_option("-d").unwrap();
    csound.set_option("-n").unwrap();
    csound.compile_csd_text(code).expect("compiles");
    csound.start().expect("starts");
    csound
}

fn main() {
    // The plugin's pre-check passes go to a file of this run's, not the user's.
    let verdicts = std::env::temp_dir().join(format!("csound-plug-bench-{}", std::process::id()));
    std::env::set_var("CSOUND_PLUG_VERDICTS", &verdicts);
    let mut figures = Figures::new("host");
    let entry = load_bundle();
    // Warm the library and Csound's opcode loading once, like a host that has scanned.
    drop(HostedPlugin::new(&entry, INSTRUMENT_ID));
    bare(presets::DEFAULT_INSTRUMENT);

    // Scan: describe without compiling.
    let scan = median(
        (0..10)
            .map(|_| {
                let t = Instant::now();
                for id in [INSTRUMENT_ID, FX_ID] {
                    let mut plugin = HostedPlugin::new(&entry, id);
                    plugin.audio_ports(true);
                    plugin.audio_ports(false);
                    plugin.params();
                }
                t.elapsed()
            })
            .collect(),
    );
    let bare_create = median(
        (0..10)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..2 {
                    drop(Csound::new(Arc::new(MessageRing::new(64))).expect("csound"));
                }
                t.elapsed()
            })
            .collect(),
    );
    figures.ratio(
        "scan of both entries (create, ports, parameters, destroy)",
        ms(scan),
        "bare csoundCreate + destroy, twice",
        ms(bare_create),
        "ms",
    );

    let template = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let start = |code: &str| -> HostedPlugin {
        let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
        let state = with_patch_code(&template, code);
        assert!(plugin.load_state(&encode_nice_plug_state(&state)));
        plugin.activate(SR, BLOCK);
        plugin.render(&[], BLOCK as usize, BLOCK as usize, &[]);
        plugin
    };
    let open = |codes: &[String]| -> Duration {
        let t = Instant::now();
        let plugins: Vec<HostedPlugin> = codes.iter().map(|code| start(code)).collect();
        let elapsed = t.elapsed();
        drop(plugins);
        elapsed
    };
    let bare_all = |codes: &[String]| -> Duration { codes.iter().map(|c| bare(c)).sum() };

    // One instance of the default patch, new code each time.
    let mut run = 0;
    let mut one = Vec::new();
    let mut one_bare = Vec::new();
    for _ in 0..5 {
        run += 1;
        let code = [fresh(presets::DEFAULT_INSTRUMENT, run, 0)];
        one.push(open(&code));
        one_bare.push(bare_all(&code));
    }
    figures.ratio(
        "instantiate + activate + first block, default instrument, code new to this machine",
        ms(median(one)),
        "bare create + compile + start",
        ms(median(one_bare)),
        "ms",
    );

    let mix: Vec<String> = presets::factory()
        .into_iter()
        .filter(|p| p.category != "Effects")
        .map(|p| p.code)
        .cycle()
        .take(SESSION)
        .collect();
    let default: Vec<String> = vec![presets::DEFAULT_INSTRUMENT.to_string(); SESSION];
    for (what, codes) in [
        ("the default patch", default),
        ("a mix of factory presets", mix),
    ] {
        run += 1;
        // New to this machine: each distinct code is pre-checked once.
        let new_codes: Vec<String> = codes
            .iter()
            .map(|code| fresh(code, run, usize::MAX))
            .collect();
        let first = open(&new_codes);
        // The same session again: every pre-check is remembered, as after a restart.
        let again = open(&new_codes);
        let bare_time = bare_all(&codes);
        figures.ratio(
            &format!("session of {SESSION} instances, {what}, new to this machine"),
            ms(first),
            "bare Csound create + compile + start of each",
            ms(bare_time),
            "ms",
        );
        figures.ratio(
            &format!("session of {SESSION} instances, {what}, reopened"),
            ms(again),
            "bare Csound create + compile + start of each",
            ms(bare_time),
            "ms",
        );
    }

    // Memory per further instance: a first one of each kind warms libraries and caches.
    const COUNT: usize = 12;
    let plugins: Vec<HostedPlugin> = vec![start(presets::DEFAULT_INSTRUMENT)];
    let before = resident_mb();
    let more: Vec<HostedPlugin> = (0..COUNT)
        .map(|_| start(presets::DEFAULT_INSTRUMENT))
        .collect();
    let ours = (resident_mb() - before) / COUNT as f64;
    drop((plugins, more));
    let first = bare_running(presets::DEFAULT_INSTRUMENT);
    let before = resident_mb();
    let bares: Vec<Csound> = (0..COUNT)
        .map(|_| bare_running(presets::DEFAULT_INSTRUMENT))
        .collect();
    let bare_mb = (resident_mb() - before) / COUNT as f64;
    drop((first, bares));
    figures.ratio(
        "resident memory per further active instance, default instrument",
        ours,
        "bare Csound instance running it",
        bare_mb,
        "MB",
    );
    figures.write();
    let _ = std::fs::remove_file(&verdicts);
}
