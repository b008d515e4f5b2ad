//! `cargo xtask bench`: speed and memory as ratios measured side by side in one run (this
//! machine is shared and noisy, so only ratios mean anything).
//!
//! - process() time at host block 64 while the compiler thread recompiles without pause,
//!   against the median of normal blocks (worst and 99.9th percentile);
//! - plugin processing against a bare `csoundPerformKsmps` loop on the same patch;
//! - `csound-plug render` against `csound -o` on the same file;
//! - memory per running engine;
//! - the pre-check's added time per recompile (factory presets: median and worst, against
//!   the in-process compile) and recompiles per second with and without it;
//! - how many instances of the default instrument holding an 8-note chord one core runs
//!   in real time at host block 128, against bare Csound instances running the same;
//! - a sampler patch with a 10 MB sample embedded (`<CsFileB>`) against the same patch
//!   linking the file: compile time (cold and warm file cache) and memory per engine;
//!   and `diskin2` streaming the sample against `loscil` playing it from a table.
//!
//! `cargo xtask bench` also runs `benches/host.rs` (what a DAW waits for).

use csound_plug::compiler::{Compiler, Ready, Trust};
use csound_plug::processor::{Channels, Processor};
use csound_plug::slots::BindMode;
use csound_plug_engine::block::Input;
use csound_plug_engine::csound::Csound;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_patch::embedded;
use csound_plug_patch::presets;
use csound_plug_testkit::bench::Figures;
use csound_plug_testkit::memory::settled_rss_kib;
use csound_plug_testkit::rng::Rng;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SR: f64 = 48_000.0;
const BLOCK: usize = 64;

fn config() -> EngineConfig {
    EngineConfig::plugin(SR, false)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The default instrument holding a three-note chord from its own score, so every
/// recompiled engine makes the same sound at the same cost.
fn chord_patch(variant: usize) -> String {
    presets::DEFAULT_INSTRUMENT.replace(
        "<CsScore>",
        &format!("<CsScore>\n; variant {variant}\ni 1 0 3600 48 100 1\ni 1 0 3600 55 100 1\ni 1 0 3600 64 100 1"),
    )
}

/// process() times at host block 64, paced in real time, while the compiler thread
/// recompiles every `interval` (or back to back when `None`, or never when `Some(ZERO)`).
fn timed_blocks(seconds: f64, interval: Option<Duration>) -> (Vec<Duration>, f64) {
    // The audio thread real-time, as a DAW's is (where this process may: as root or with
    // an rtprio limit); else the figures show the scheduler, not the plugin.
    let param = libc::sched_param { sched_priority: 10 };
    // SAFETY: changes only this thread's scheduling.
    let realtime =
        unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) } == 0;
    let compiler = Compiler::spawn().expect("the compiler starts");
    let shared = compiler.shared().clone();
    let mut processor = Processor::new(shared.handover.clone(), compiler.retire_sender(), false);
    let generation = compiler.activate(config()).generation;
    let code = Arc::new(chord_patch(0));
    let (engine, _) =
        Engine::compile(&code, &config(), shared.handover.ring.clone()).expect("compiles");
    processor
        .activate(
            Some(Box::new(Ready {
                engine,
                code,
                generation,
            })),
            generation,
            Channels::STEREO,
            BLOCK,
            SR,
        )
        .expect("buffers");
    let reports = compiler.reports();
    let (mut left, mut right) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let period = Duration::from_secs_f64(BLOCK as f64 / SR);
    let blocks = (seconds * SR / BLOCK as f64) as usize;
    let mut times = Vec::with_capacity(blocks);
    let (mut sent, mut done) = (0usize, 0usize);
    let mut last_sent = Instant::now();
    let start = Instant::now();
    for n in 0..blocks {
        let recompiling = interval != Some(Duration::ZERO);
        while reports.try_recv().is_ok() {
            done += 1;
        }
        // One compile in flight at a time; each text differs, so each is a real compile.
        if recompiling && done == sent && interval.is_none_or(|i| last_sent.elapsed() >= i) {
            sent += 1;
            last_sent = Instant::now();
            compiler
                .requester()
                .compile(Arc::new(chord_patch(sent)), Trust::Own);
        }
        let t0 = Instant::now();
        processor.take_ready();
        processor.clear_events();
        let mut outputs = [&mut left[..], &mut right[..]];
        processor.process(&Input::<&[f32]>::Silence, &mut outputs, BLOCK);
        times.push(t0.elapsed());
        // Real-time pacing, as a host's audio callback would be.
        if let Some(wait) = (period * (n as u32 + 1)).checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    times.sort();
    if realtime {
        let normal = libc::sched_param { sched_priority: 0 };
        // SAFETY: as above, back to the normal policy.
        unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_OTHER, &normal) };
    } else {
        println!("  (the audio thread could not be made real-time: the scheduler shows)");
    }
    (times, done as f64 / start.elapsed().as_secs_f64())
}

/// Worst and 99.9th-percentile process() time during recompiles against normal blocks.
fn recompile_bench(figures: &mut Figures) {
    let seconds = 8.0;
    let (normal, _) = timed_blocks(seconds, Some(Duration::ZERO));
    let median = micros(percentile(&normal, 0.5));
    println!("process() at host block {BLOCK}, default instrument holding a chord, real-time pacing, SCHED_FIFO audio thread, {seconds} s per row:");
    println!(
        "  {:<34} {:>9} {:>9} {:>9} {:>14} {:>14}",
        "", "median", "p99.9", "worst", "p99.9/median", "worst/median"
    );
    let row = |name: &str, times: &[Duration]| {
        let (p50, p999, worst) = (
            micros(percentile(times, 0.5)),
            micros(percentile(times, 0.999)),
            micros(*times.last().unwrap()),
        );
        println!(
            "  {name:<34} {p50:>7.1}us {p999:>7.1}us {worst:>7.1}us {:>14.2} {:>14.2}",
            p999 / median,
            worst / median
        );
    };
    row("no recompiles", &normal);
    let normal_p999 = micros(percentile(&normal, 0.999));
    for (name, interval) in [
        ("10 recompiles/s", Some(Duration::from_millis(100))),
        ("back-to-back recompiles", None),
    ] {
        let (times, rate) = timed_blocks(seconds, interval);
        row(&format!("{name} ({rate:.0}/s)"), &times);
        figures.ratio(
            &format!("process() p99.9 at block {BLOCK} during {name} ({rate:.0}/s)"),
            micros(percentile(&times, 0.999)),
            "p99.9 with no recompiles",
            normal_p999,
            "us",
        );
        figures.ratio(
            &format!("process() median at block {BLOCK} during {name}"),
            micros(percentile(&times, 0.5)),
            "median with no recompiles",
            median,
            "us",
        );
    }
    println!("  (ratios are against the median of the no-recompile row)");
}

/// Bare Csound running `code` at 48 kHz, started and ready for a perform loop: the
/// reference the engine path is measured against.
fn bare_csound(code: &str, ring: &Arc<MessageRing>) -> Csound {
    let mut csound = Csound::new(ring.clone()).expect("csound");
    csound.set_option("-d").unwrap();
    csound.set_option("--sample-rate=48000").unwrap();
    csound.compile_csd_text(code).expect("compiles");
    csound.start().expect("starts");
    csound.enter_realtime();
    csound
}

/// Plugin processing (processor + block adapter + engine) against a bare perform loop.
fn overhead_bench(figures: &mut Figures) {
    let seconds = 20.0;
    let cycles = (seconds * SR / 32.0) as usize;
    let ring = Arc::new(MessageRing::new(1024));
    let patch = presets::DEFAULT_INSTRUMENT.replace(
        "<CsScore>",
        "<CsScore>\ni 1 0 1000 60 100 1\ni 1 0 1000 67 100 1",
    );
    let bare = || {
        let mut csound = bare_csound(&patch, &ring);
        let mut sink = vec![0.0f64; 64];
        let t = Instant::now();
        for _ in 0..cycles {
            csound.perform_ksmps();
            sink.copy_from_slice(csound.spout());
        }
        t.elapsed()
    };
    let plugin = |block: usize| {
        let (mut engine, _) = Engine::compile(&patch, &config(), ring.clone()).expect("compiles");
        let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
        let t = Instant::now();
        for _ in 0..cycles * 32 / block {
            let mut outputs = [&mut left[..], &mut right[..]];
            engine.process(&Input::<&[f32]>::Silence, &mut outputs, block, &[]);
        }
        t.elapsed()
    };
    // Interleaved runs, best of three each, so drift on a shared machine hits both alike.
    let mut best = [Duration::MAX; 3];
    for _ in 0..3 {
        best[0] = best[0].min(bare());
        best[1] = best[1].min(plugin(64));
        best[2] = best[2].min(plugin(1));
    }
    for (block, time) in [(64, best[1]), (1, best[2])] {
        figures.ratio(
            &format!("engine path at host block {block}, {seconds} s of two held notes"),
            time.as_secs_f64() * 1e3,
            "bare csoundPerformKsmps loop",
            best[0].as_secs_f64() * 1e3,
            "ms",
        );
    }
}

/// `csound-plug render` against `csound -o` on a long score.
fn render_bench(figures: &mut Figures) {
    let root = csound_plug_testkit::root().display().to_string();
    let patch = format!("{root}/tests/patches/long_score.csd");
    let ours = format!("{root}/target/release/csound-plug");
    if !std::path::Path::new(&ours).exists() {
        println!("render: skipped, build the release CLI first (cargo build --release)");
        return;
    }
    let dir = std::env::temp_dir().join("csound-plug-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let time = |cmd: &mut Command| {
        let t = Instant::now();
        let status = cmd.output().expect("runs").status;
        assert!(status.success(), "{cmd:?} failed");
        t.elapsed()
    };
    let mut best = [Duration::MAX; 2];
    for _ in 0..3 {
        best[0] = best[0].min(time(
            Command::new("csound")
                .args(["-d", "--format=wav:float", "-o"])
                .arg(dir.join("ref.wav"))
                .arg(&patch),
        ));
        best[1] = best[1].min(time(
            Command::new(&ours)
                .arg("render")
                .arg(&patch)
                .arg("-o")
                .arg(dir.join("ours.wav")),
        ));
    }
    figures.ratio(
        "csound-plug render of long_score.csd (25 s)",
        best[1].as_secs_f64() * 1e3,
        "csound -o",
        best[0].as_secs_f64() * 1e3,
        "ms",
    );
}

/// Resident memory added by each running engine.
fn memory_bench(figures: &mut Figures) {
    // Settled: memory earlier benches freed but the allocator kept would otherwise be
    // reused by these engines and hide them (it read 0.00 MB).
    let rss_kib = || settled_rss_kib() as f64;
    let ring = Arc::new(MessageRing::new(1024));
    let warm =
        Engine::compile(presets::DEFAULT_INSTRUMENT, &config(), ring.clone()).expect("compiles");
    let before = rss_kib();
    let engines: Vec<_> = (0..20)
        .map(|_| {
            Engine::compile(presets::DEFAULT_INSTRUMENT, &config(), ring.clone()).expect("compiles")
        })
        .collect();
    let per = (rss_kib() - before) / engines.len() as f64;
    figures.value(
        "resident memory per running default-instrument engine (20 engines)",
        per / 1024.0,
        "MB",
    );
    drop(engines);
    drop(warm);
}

/// What the pre-check adds to a recompile.
fn precheck_bench(figures: &mut Figures) {
    use csound_plug_sandbox::precheck::{self, Checked};
    if precheck::helper_path().is_none() {
        println!("pre-check: skipped, build the helper first (cargo build --release)");
        return;
    }
    let mut checks = Vec::new();
    let mut compiles = Vec::new();
    let mut worst = (Duration::ZERO, String::new());
    for preset in presets::factory() {
        let config = EngineConfig::plugin(SR, preset.category == "Effects");
        let t = Instant::now();
        let report = precheck::precheck(&preset.code, &config, false);
        let check = t.elapsed();
        assert!(
            matches!(report.checked, Checked::Passed { .. }),
            "{}: {:?}",
            preset.name,
            report.checked
        );
        let t = Instant::now();
        let ring = Arc::new(MessageRing::new(1024));
        drop(Engine::compile(&preset.code, &config, ring).expect("compiles"));
        compiles.push(t.elapsed());
        if check > worst.0 {
            worst = (check, preset.name.clone());
        }
        checks.push(check);
    }
    checks.sort();
    compiles.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    println!(
        "pre-check of the {} factory presets: worst {:.0} ms ({})",
        checks.len(),
        worst.0.as_secs_f64() * 1e3,
        worst.1
    );
    figures.ratio(
        "pre-check of a factory preset, median",
        median(&checks).as_secs_f64() * 1e3,
        "in-process compile, median",
        median(&compiles).as_secs_f64() * 1e3,
        "ms",
    );
    // Back-to-back recompiles of new code (each variant is new text, so none is cached).
    let rate = |checked: bool| {
        let compiler = Compiler::spawn().expect("the compiler starts");
        let shared = compiler.shared().clone();
        let active = compiler.activate(config());
        let count = 12;
        let t = Instant::now();
        for variant in 0..count {
            let code = Arc::new(chord_patch(1000 * usize::from(checked) + variant));
            if checked {
                drop(
                    shared
                        .build(code, &active, BindMode::Edit, Trust::Own)
                        .expect("compiles"),
                );
            } else {
                let ring = shared.handover.ring.clone();
                drop(Engine::compile(&code, &config(), ring).expect("compiles"));
            }
        }
        count as f64 / t.elapsed().as_secs_f64()
    };
    let (with, without) = (rate(true), rate(false));
    figures.ratio(
        "recompiles per second of new code, with the pre-check",
        with,
        "without the pre-check",
        without,
        "per s",
    );
}

/// The default instrument holding an 8-note chord from its own score.
fn chord8_patch() -> String {
    let notes: String = [48, 52, 55, 59, 60, 64, 67, 71]
        .iter()
        .map(|key| format!("i 1 0 3600 {key} 100 1\n"))
        .collect();
    presets::DEFAULT_INSTRUMENT.replace("<CsScore>", &format!("<CsScore>\n{notes}"))
}

/// Instances one core runs in real time at host block 128: the time to process one block
/// of each of 8 instances in turn, per instance, against the block's duration. The plugin
/// path (processor, block adapter, engine) against bare Csound (`csoundPerformKsmps`
/// until the block is full, copying the output).
fn instances_bench(figures: &mut Figures) {
    const HOST_BLOCK: usize = 128;
    const COUNT: usize = 8;
    let seconds = 6.0;
    let blocks = (seconds * SR / HOST_BLOCK as f64) as usize;
    let code = Arc::new(chord8_patch());
    let ring = Arc::new(MessageRing::new(1024));
    let plugin = || -> Duration {
        let mut instances: Vec<(Compiler, Processor)> = (0..COUNT)
            .map(|_| {
                let compiler = Compiler::spawn().expect("the compiler starts");
                let shared = compiler.shared().clone();
                let mut processor =
                    Processor::new(shared.handover.clone(), compiler.retire_sender(), false);
                let generation = compiler.activate(config()).generation;
                let (engine, _) = Engine::compile(&code, &config(), shared.handover.ring.clone())
                    .expect("compiles");
                let ready = Ready {
                    engine,
                    code: code.clone(),
                    generation,
                };
                processor
                    .activate(
                        Some(Box::new(ready)),
                        generation,
                        Channels::STEREO,
                        HOST_BLOCK,
                        SR,
                    )
                    .expect("buffers");
                (compiler, processor)
            })
            .collect();
        let (mut left, mut right) = (vec![0.0f32; HOST_BLOCK], vec![0.0f32; HOST_BLOCK]);
        let t = Instant::now();
        for _ in 0..blocks {
            for (_, processor) in instances.iter_mut() {
                processor.take_ready();
                processor.clear_events();
                let mut outputs = [&mut left[..], &mut right[..]];
                processor.process(&Input::<&[f32]>::Silence, &mut outputs, HOST_BLOCK);
            }
        }
        t.elapsed()
    };
    let bare = || -> Duration {
        let mut instances: Vec<Csound> = (0..COUNT).map(|_| bare_csound(&code, &ring)).collect();
        let ksmps = instances[0].ksmps();
        let mut sink = vec![0.0f64; 2 * ksmps];
        let t = Instant::now();
        for _ in 0..blocks {
            for csound in instances.iter_mut() {
                for _ in 0..HOST_BLOCK / ksmps {
                    csound.perform_ksmps();
                    sink.copy_from_slice(csound.spout());
                }
            }
        }
        t.elapsed()
    };
    // Interleaved, best of three each, so drift on a shared machine hits both alike.
    let (mut ours, mut theirs) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        ours = ours.min(plugin());
        theirs = theirs.min(bare());
    }
    let block_seconds = HOST_BLOCK as f64 / SR;
    let per_block = |total: Duration| total.as_secs_f64() / (blocks * COUNT) as f64;
    figures.ratio(
        "instances of the default instrument with an 8-note chord one core runs in real time at block 128",
        block_seconds / per_block(ours),
        "bare Csound instances",
        block_seconds / per_block(theirs),
        "instances",
    );
}

/// Frames of the sampler benches' sample: 16-bit mono at 48 kHz, just over 10 MiB.
const SAMPLE_FRAMES: usize = 5_300_000;

/// The file cache's folder variable (read by `file_cache::cache_root`).
const CACHE_VARIABLE: &str = "CSOUND_PLUG_FILE_CACHE";

/// A sampler patch reading `sample.wav`: `header` in the orchestra header, `body` as
/// instr 1, held by its own score.
fn sampler_patch(header: &str, body: &str) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
         {header}\ninstr 1\n{body}\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 3600\n</CsScore>\n\
         </CsoundSynthesizer>\n"
    )
}

/// The sample played from a GEN01 table.
fn table_patch() -> String {
    sampler_patch(
        "giS ftgen 0, 0, 0, -1, \"sample.wav\", 0, 0, 0",
        "aS loscil 0.5, 1, giS, 1\nouts aS, aS",
    )
}

/// The sample streamed from disk as it plays.
fn streaming_patch() -> String {
    sampler_patch(
        "",
        "aS diskin2 \"sample.wav\", 1, 0, 1\nouts aS * 0.5, aS * 0.5",
    )
}

/// Writes `sample.wav` in `folder`: random noise (so it does not compress), returns its bytes.
fn write_sample(folder: &Path) -> Vec<u8> {
    let path = folder.join("sample.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).expect("the sample is written");
    let mut rng = Rng(0x5a3d_1ec0_ffee);
    for _ in 0..SAMPLE_FRAMES {
        // The high bits (xorshift64*'s best), a quarter of full scale.
        let sample = (rng.next_u64() >> 48) as u16 as i16 / 4;
        writer.write_sample(sample).expect("the sample is written");
    }
    writer.finalize().expect("the sample is written");
    std::fs::read(&path).expect("the sample reads back")
}

/// Milliseconds to create an engine and compile `code` (dropping it is not counted).
fn compile_ms(code: &str, config: &EngineConfig, ring: &Arc<MessageRing>) -> f64 {
    let t = Instant::now();
    let (engine, _) = Engine::compile(code, config, ring.clone()).expect("the sampler compiles");
    let ms = t.elapsed().as_secs_f64() * 1e3;
    drop(engine);
    ms
}

/// A 10 MB sample embedded in the patch against the same file linked from a search
/// folder (compile time with a cold and a warm file cache, memory per engine), and
/// `diskin2` streaming it against `loscil` playing it from a table.
fn files_bench(figures: &mut Figures) {
    let folder = tempfile::tempdir().expect("temp dir");
    let bytes = write_sample(folder.path());
    assert!(bytes.len() >= 10 << 20, "the sample is 10 MiB or more");
    let linked = table_patch();
    let embedded = embedded::embed(&linked, "sample.wav", &bytes);
    println!(
        "sampler: {:.1} MB sample, {:.1} MB of patch text with it embedded",
        bytes.len() as f64 / 1e6,
        embedded.len() as f64 / 1e6
    );
    drop(bytes);
    // The linked patch finds the file in a search folder; the embedded one needs none.
    let linked_config = EngineConfig {
        search_dirs: vec![folder.path().to_path_buf()],
        ..config()
    };
    let ring = Arc::new(MessageRing::new(1024));
    // A private cache: a fresh folder for each cold run, one kept warm.
    let saved_cache = std::env::var_os(CACHE_VARIABLE);
    let warm_cache = folder.path().join("cache-warm");
    std::env::set_var(CACHE_VARIABLE, &warm_cache);
    // Once each first: the library, the file's pages, the warm cache.
    compile_ms(&linked, &linked_config, &ring);
    compile_ms(&embedded, &config(), &ring);

    // Interleaved runs, so drift on a shared machine hits all three alike.
    let runs = 7;
    let (mut cold, mut warm, mut link) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let cold_cache = folder.path().join(format!("cache-cold-{run}"));
        std::env::set_var(CACHE_VARIABLE, &cold_cache);
        cold.push(compile_ms(&embedded, &config(), &ring));
        let _ = std::fs::remove_dir_all(&cold_cache);
        std::env::set_var(CACHE_VARIABLE, &warm_cache);
        warm.push(compile_ms(&embedded, &config(), &ring));
        link.push(compile_ms(&linked, &linked_config, &ring));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let link_ms = median(&mut link);
    figures.ratio(
        &format!("compile, 10 MB sample embedded (cold cache), median of {runs}"),
        median(&mut cold),
        "linked",
        link_ms,
        "ms",
    );
    figures.ratio(
        &format!("compile, 10 MB sample embedded (warm cache), median of {runs}"),
        median(&mut warm),
        "linked",
        link_ms,
        "ms",
    );

    // What each engine adds to the process: the caller holds the patch text.
    let engines = 3;
    let added_mb = |code: &str, config: &EngineConfig| {
        let before = settled_rss_kib();
        let held: Vec<_> = (0..engines)
            .map(|_| Engine::compile(code, config, ring.clone()).expect("compiles"))
            .collect();
        let after = settled_rss_kib();
        drop(held);
        (after as f64 - before as f64) / engines as f64 / 1024.0
    };
    let linked_mb = added_mb(&linked, &linked_config);
    let embedded_mb = added_mb(&embedded, &config());
    figures.ratio(
        &format!("resident memory per engine, 10 MB sample embedded ({engines} engines)"),
        embedded_mb,
        "linked",
        linked_mb,
        "MB",
    );
    match saved_cache {
        Some(dir) => std::env::set_var(CACHE_VARIABLE, dir),
        None => std::env::remove_var(CACHE_VARIABLE),
    }
    drop(embedded);

    // Streaming against the table, block by block in turn so drift hits both alike.
    let seconds = 10.0;
    let blocks = (seconds * SR / BLOCK as f64) as usize;
    let mut engines = [table_patch(), streaming_patch()].map(|code| {
        Engine::compile(&code, &linked_config, ring.clone())
            .expect("compiles")
            .0
    });
    let mut times = [Vec::with_capacity(blocks), Vec::with_capacity(blocks)];
    let mut peaks = [0.0f32; 2];
    let (mut left, mut right) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    for _ in 0..blocks {
        for (n, engine) in engines.iter_mut().enumerate() {
            let mut outputs = [&mut left[..], &mut right[..]];
            let t = Instant::now();
            engine.process(&Input::<&[f32]>::Silence, &mut outputs, BLOCK, &[]);
            times[n].push(t.elapsed());
            peaks[n] = left.iter().fold(peaks[n], |peak, s| peak.max(s.abs()));
        }
    }
    assert!(
        peaks.iter().all(|&peak| peak > 0.01),
        "both play the sample: peaks {peaks:?}"
    );
    for (name, block_times) in ["loscil", "diskin2"].iter().zip(times.iter_mut()) {
        block_times.sort();
        let mean = block_times.iter().sum::<Duration>() / block_times.len() as u32;
        println!(
            "  {name:<8} block {BLOCK}: median {:.2} us, p99 {:.2} us, mean {:.2} us",
            micros(percentile(block_times, 0.5)),
            micros(percentile(block_times, 0.99)),
            micros(mean)
        );
    }
    figures.ratio(
        &format!("process() median at block {BLOCK}, diskin2 streaming the 10 MB sample"),
        micros(percentile(&times[1], 0.5)),
        "loscil from a GEN01 table",
        micros(percentile(&times[0], 0.5)),
        "us",
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let mut figures = Figures::new("engine");
    instances_bench(&mut figures);
    precheck_bench(&mut figures);
    recompile_bench(&mut figures);
    overhead_bench(&mut figures);
    render_bench(&mut figures);
    memory_bench(&mut figures);
    files_bench(&mut figures);
    figures.write();
}
