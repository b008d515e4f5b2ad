//! `csound-plug`: render and check Csound patches through the plugin's engine.

use clap::{Args, Parser, Subcommand};
use csound_plug_engine::csound::OpenedFile;
use csound_plug_engine::diagnostics;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi_file;
use csound_plug_engine::packing;
use csound_plug_engine::render::{self, InputAudio, RenderEnd, RenderOptions};
use csound_plug_engine::{CompileError, Engine, EngineConfig};
use csound_plug_patch::metadata;
use csound_plug_patch::presets::{self, library::Library, Preset};
use csound_plug_patch::settings::Settings;
use csound_plug_sandbox::precheck::{self, Checked, Playing, Problem};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod patch_files;

/// Csound Plug's command line: the plugin's engine path, offline.
#[derive(Parser, Debug)]
#[command(name = "csound-plug", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render a patch to a 32-bit float WAV file, sample-aligned with `csound -o`.
    Render {
        /// The patch (.csd).
        patch: PathBuf,
        /// Output WAV file.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        args: RenderArgs,
    },
    /// Compile a patch and report errors with line numbers (exit code 1 on error).
    Check {
        /// The patch (.csd).
        patch: PathBuf,
        /// Keep watching the file and check it again each time it is saved (Ctrl+C ends).
        #[arg(short, long)]
        watch: bool,
        /// Let the patch run commands, write files, use the network or load libraries.
        #[arg(long)]
        allow_unsafe: bool,
        /// Check it as the effect entry (Csound Plug FX) plays it: notes reach its
        /// instruments only when its code or metadata asks for MIDI.
        #[arg(long)]
        fx: bool,
    },
    /// Factory and user presets: list, show, export, import, rename, delete.
    #[command(subcommand)]
    Presets(PresetsCommand),
    /// Embed every file a patch reads (samples, tables, #includes, SoundFonts) into one
    /// shareable .csd, as Csound's own <CsFileB> sections.
    Pack {
        /// The patch (.csd), read with the files beside it.
        patch: PathBuf,
        /// The packed .csd to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The most megabytes one patch may embed.
        #[arg(long, default_value_t = packing::DEFAULT_CAP_MB)]
        max_mb: u64,
        /// Let the patch run commands, write files, use the network or load libraries
        /// while its files are measured.
        #[arg(long)]
        allow_unsafe: bool,
    },
    /// Write the files a packed .csd carries into a folder, with the patch beside them.
    Unpack {
        /// The packed patch (.csd).
        patch: PathBuf,
        /// The folder to write to (made if missing).
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// `presets` subcommands. NAME is a preset's name (any case); `factory:NAME` or
/// `user:NAME` picks one kind when both have it.
#[derive(Subcommand, Debug)]
enum PresetsCommand {
    /// List factory and user presets by category.
    List {
        /// Only names, one per line (for scripts).
        #[arg(long)]
        names: bool,
    },
    /// Show a preset: what its metadata says and the parameters it declares.
    Show {
        /// The preset.
        name: String,
    },
    /// Write a preset's .csd (runs in the `csound` command line as it is).
    Export {
        /// The preset.
        name: String,
        /// Where to write it; `-` for standard output. Default: NAME.csd here.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Copy a .csd into the user presets.
    Import {
        /// The .csd file.
        file: PathBuf,
        /// Save it under this name (default: its metadata name, else its file name).
        #[arg(long)]
        name: Option<String>,
        /// A saved parameter value: `--set cutoff=800` (repeatable).
        #[arg(long, value_name = "NAME=VALUE", value_parser = parse_set)]
        set: Vec<(String, f64)>,
    },
    /// Rename a user preset.
    Rename {
        /// Its name now.
        name: String,
        /// Its new name.
        new_name: String,
    },
    /// Delete a user preset.
    Delete {
        /// The preset.
        name: String,
    },
}

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`csound-plug presets list | head`) instead of panicking in `println!`.
    #[cfg(unix)]
    // SAFETY: called first, before any other thread exists; restores the default action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render {
            patch,
            output,
            args,
        } => run_render(&patch, &output, args),
        Command::Check {
            patch,
            watch: false,
            allow_unsafe,
            fx,
        } => run_check(&patch, allow_unsafe, fx),
        Command::Check {
            patch,
            watch: true,
            allow_unsafe,
            fx,
        } => watch_check(&patch, allow_unsafe, fx),
        Command::Presets(command) => run_presets(command),
        Command::Pack {
            patch,
            output,
            max_mb,
            allow_unsafe,
        } => run_pack(&patch, &output, max_mb, allow_unsafe),
        Command::Unpack { patch, output } => run_unpack(&patch, &output),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("csound-plug: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_presets(command: PresetsCommand) -> Result<(), String> {
    let library = Library::user_default()?;
    match command {
        PresetsCommand::List { names } => {
            let listing = library.list();
            let mut category = None;
            for preset in &listing.presets {
                if names {
                    println!("{}", preset.name);
                    continue;
                }
                if category != Some(&preset.category) {
                    category = Some(&preset.category);
                    println!("{}", preset.category);
                }
                let origin = if preset.is_factory() { "" } else { " (user)" };
                println!("  {:<28} {}{origin}", preset.name, preset.description);
            }
            for problem in &listing.problems {
                eprintln!("csound-plug: skipped {problem}");
            }
            Ok(())
        }
        PresetsCommand::Show { name } => show_preset(&library.find(&name)?),
        PresetsCommand::Export { name, output } => {
            let preset = library.find(&name)?;
            match output.as_deref() {
                Some(path) if path == Path::new("-") => {
                    print!("{}", preset.code);
                    Ok(())
                }
                _ => {
                    let path =
                        output.unwrap_or_else(|| PathBuf::from(format!("{}.csd", preset.name)));
                    library.export(&name, &path)?;
                    eprintln!("wrote {}", path.display());
                    Ok(())
                }
            }
        }
        PresetsCommand::Import { file, name, set } => {
            let mut preset = library.import(&file)?;
            if name.is_some() || !set.is_empty() {
                let imported = preset.name.clone();
                let mut values = metadata::metadata(&preset.code)?.unwrap_or_default().params;
                values.extend(set);
                let name = name.unwrap_or_else(|| imported.clone());
                library.delete(&imported)?;
                preset = library.save(&name, &preset.code, &values)?;
            }
            eprintln!(
                "imported '{}' into {}",
                preset.name,
                library.user_dir().display()
            );
            Ok(())
        }
        PresetsCommand::Rename { name, new_name } => {
            let preset = library.rename(&name, &new_name)?;
            eprintln!("renamed '{name}' to '{}'", preset.name);
            Ok(())
        }
        PresetsCommand::Delete { name } => {
            library.delete(&name)?;
            eprintln!("deleted '{name}'");
            Ok(())
        }
    }
}

/// Prints what a preset is and the parameters it declares (compiling it to find them).
fn show_preset(preset: &Preset) -> Result<(), String> {
    println!("{}", preset.name);
    println!("  category: {}", preset.category);
    match &preset.origin {
        presets::Origin::Factory => println!("  factory preset"),
        presets::Origin::User(path) => println!("  user preset: {}", path.display()),
    }
    if !preset.author.is_empty() {
        println!("  author: {}", preset.author);
    }
    if !preset.tags.is_empty() {
        println!("  tags: {}", preset.tags.join(", "));
    }
    if !preset.description.is_empty() {
        println!("  {}", preset.description);
    }
    if let Some(problem) = &preset.problem {
        println!("  metadata problem: {problem}");
    }
    // Listing the parameters compiles the preset: a preset file is checked like any patch.
    let config = EngineConfig::default();
    let label = PathBuf::from(format!("'{}'", preset.name));
    precheck_patch(&label, &preset.code, &config, false, &Playing::plugin())?;
    let ring = Arc::new(MessageRing::new(64));
    let (mut engine, _) = Engine::compile(&preset.code, &config, ring)
        .map_err(|e| format!("'{}' does not compile: {e}", preset.name))?;
    print_parameters(&mut engine, &preset.code);
    Ok(())
}

/// The declared parameters, one line each, with the value the patch starts at.
fn print_parameters(engine: &mut Engine, code: &str) {
    let controls = engine.declared_controls(code);
    if controls.is_empty() {
        println!("no declared parameters");
    }
    let widgets = csound_plug_patch::cabbage::cabbage_control_types(code);
    for c in &controls {
        let widget = widgets
            .iter()
            .find(|(channel, _)| *channel == c.channel)
            .map_or(String::new(), |(_, kind)| format!(", Cabbage {kind}"));
        let start = engine.metadata().start_value(c);
        let saved = if start == c.default {
            String::new()
        } else {
            format!(", saved at {}", c.format(start))
        };
        println!(
            "parameter {}: {} to {}, default {}{saved} ({:?}{}{widget})",
            c.channel,
            c.format(c.min),
            c.format(c.max),
            c.format(c.default),
            c.kind,
            if c.skew.is_nan() { ", exponential" } else { "" }
        );
    }
    let slots = csound_plug_patch::state::SLOT_COUNT;
    if controls.len() > slots {
        let left: Vec<&str> = controls[slots..]
            .iter()
            .map(|c| c.channel.as_str())
            .collect();
        println!(
            "no host parameter for {} controls past the {slots} the plugin has (they keep \
             their defaults): {}",
            left.len(),
            left.join(", ")
        );
    }
    // What the patch writes for the host and the editor's meters.
    let outputs = engine.outputs();
    for name in outputs.names() {
        match outputs.range(name) {
            Some((min, max)) => println!("output {name}: {min} to {max}"),
            None => println!("output {name}"),
        }
    }
}

/// Where a patch's relative file names are looked for: the folder the patch file is in
/// (as the `csound` command line does), then the user's sample folders.
fn patch_folder(path: &Path) -> Vec<PathBuf> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut folders = vec![std::fs::canonicalize(&folder).unwrap_or(folder)];
    match Settings::load() {
        Ok(settings) => folders.extend(settings.existing_sample_folders()),
        Err(e) => eprintln!("warning: the settings were not read: {e}"),
    }
    folders
}

fn read_patch(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read patch '{}': {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("patch '{}' is not UTF-8 text", path.display()))
}

fn read_wav(path: &Path) -> Result<InputAudio, String> {
    let fail = |e: hound::Error| format!("cannot read input '{}': {e}", path.display());
    let mut reader = hound::WavReader::open(path).map_err(fail)?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(fail)?,
        hound::SampleFormat::Int => {
            // The same scaling as libsndfile's, which `csound -i` uses.
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|s| (f64::from(s) * scale) as f32))
                .collect::<Result<_, _>>()
                .map_err(fail)?
        }
    };
    let n = usize::from(spec.channels.max(1));
    let channels = (0..n)
        .map(|c| interleaved.iter().skip(c).step_by(n).copied().collect())
        .collect();
    Ok(InputAudio {
        channels,
        sample_rate: spec.sample_rate,
    })
}

fn write_wav(path: &Path, channels: &[Vec<f32>], sample_rate: u32) -> Result<(), String> {
    let fail = |e: hound::Error| format!("cannot write '{}': {e}", path.display());
    let spec = hound::WavSpec {
        channels: channels.len().max(1) as u16,
        sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(fail)?;
    let frames = channels.first().map_or(0, Vec::len);
    for frame in 0..frames {
        for channel in channels {
            writer.write_sample(channel[frame]).map_err(fail)?;
        }
    }
    writer.finalize().map_err(fail)
}

/// `render`'s options besides the patch and output paths.
#[derive(Args, Debug)]
struct RenderArgs {
    /// Sample rate override (the patch's `sr` otherwise).
    #[arg(long)]
    sr: Option<u32>,
    /// Host block size in frames; the output does not depend on it.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    block: u32,
    /// Audio fed to the patch's input (WAV, at the patch's sample rate).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Seconds to render (otherwise until the score ends, or the input ends).
    #[arg(long)]
    duration: Option<f64>,
    /// Extra score statements, e.g. "i 1 0 2 60 100 1" to play an instrument patch.
    #[arg(long)]
    score: Option<String>,
    /// A standard MIDI file to play into the patch (tempo map honoured); rendering then
    /// runs until two seconds after its last event unless --duration says otherwise.
    #[arg(long)]
    midi: Option<PathBuf>,
    /// Write the MIDI the patch sends (`midiout`, `midion`…) to this MIDI file.
    #[arg(long)]
    midi_out: Option<PathBuf>,
    /// Set a channel: `--set cutoff=800` (repeatable); others keep their declared default.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_set)]
    set: Vec<(String, f64)>,
    /// Print Csound's messages.
    #[arg(short, long)]
    verbose: bool,
    /// Let the patch run commands, write files, use the network or load libraries.
    #[arg(long)]
    allow_unsafe: bool,
}

/// `name=value` for `--set`.
fn parse_set(text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got '{text}'"))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("'{value}' is not a number"))?;
    Ok((name.trim().to_string(), value))
}

fn run_render(patch: &Path, output: &Path, args: RenderArgs) -> Result<(), String> {
    let RenderArgs {
        sr,
        block,
        input,
        duration,
        score,
        midi,
        midi_out,
        set,
        verbose,
        allow_unsafe,
    } = args;
    let code = read_patch(patch)?;
    let config = EngineConfig {
        sample_rate: sr.map(f64::from),
        search_dirs: patch_folder(patch),
        ..EngineConfig::default()
    };
    // The check plays what this render plays: the extra score, and notes with MIDI.
    let playing = Playing {
        extra_score: score.clone(),
        test_notes: midi.is_some(),
    };
    let checked = precheck_patch(patch, &code, &config, allow_unsafe, &playing)?;
    // A file the patch reads is not there: the render would be silence where it plays.
    if let Some(error) = checked.missing_error(patch) {
        return Err(error);
    }
    let input = input.as_deref().map(read_wav).transpose()?;
    // MIDI frames need the rate the patch will run at.
    let midi = match &midi {
        Some(path) => {
            let rate = match sr {
                Some(sr) => f64::from(sr),
                None => patch_sample_rate(&code, &config)
                    .map_err(|e| format!("{}: {e}", patch.display()))?,
            };
            midi_file::read_midi_file(path, rate)?
        }
        None => Vec::new(),
    };
    if duration.is_some_and(|d| !d.is_finite() || d < 0.0) {
        return Err("--duration must be a number of seconds ≥ 0".into());
    }
    let options = RenderOptions {
        sample_rate: sr.map(f64::from),
        blocks: vec![block as usize],
        input,
        duration,
        score,
        set,
        midi,
        search_dirs: config.search_dirs.clone(),
        ..RenderOptions::default()
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} frames ({eta})")
            .expect("valid progress template")
            .progress_chars("=> "),
    );
    bar.set_message(
        patch
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    );
    let rendered = render::render(&code, &options, |done, total| {
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let rendered = rendered.map_err(|e| match e {
        // The pre-check's pass may be remembered: the same `file:line: error:` lines.
        render::RenderError::Compile(error) => compile_failure(patch, &error),
        other => format!("{}: {other}", patch.display()),
    })?;
    // Also after: the pre-check's pass may be remembered from when the file was there.
    if let Some(error) = missing_error(patch, &diagnostics::missing_files(&rendered.log, &code)) {
        return Err(error);
    }
    if verbose {
        eprint!("{}", rendered.log);
    } else {
        // Instruments that failed at init are silent but do not stop a render: say so.
        for error in diagnostics::performance_errors(&rendered.log)
            .iter()
            .take(10)
        {
            eprintln!("csound-plug: warning: {error}");
        }
    }
    if rendered.end == RenderEnd::Limit {
        eprintln!(
            "csound-plug: the patch did not end by itself; stopped after {} s (use --duration)",
            options.limit_seconds
        );
    }
    write_wav(output, &rendered.channels, rendered.sample_rate)?;
    if let Some(path) = &midi_out {
        midi_file::write_midi_file(path, &rendered.midi_out, f64::from(rendered.sample_rate))?;
        eprintln!(
            "wrote {}: {} MIDI messages",
            path.display(),
            rendered.midi_out.len()
        );
    }
    let frames = rendered.channels.first().map_or(0, Vec::len);
    let peak = rendered
        .channels
        .iter()
        .flatten()
        .fold(0.0f32, |m, s| m.max(s.abs()));
    eprintln!(
        "wrote {}: {} ch, {} Hz, {:.3} s, peak {:.1} dBFS",
        output.display(),
        rendered.channels.len(),
        rendered.sample_rate,
        frames as f64 / f64::from(rendered.sample_rate.max(1)),
        20.0 * f64::from(peak.max(1e-10)).log10()
    );
    Ok(())
}

/// The rate a patch runs at by itself with `config` (no rate in it; compiles it once).
fn patch_sample_rate(code: &str, config: &EngineConfig) -> Result<f64, String> {
    let ring = Arc::new(MessageRing::new(64));
    Engine::compile(code, config, ring)
        .map(|(engine, _)| engine.sample_rate())
        .map_err(|e| e.to_string())
}

/// Runs the pre-check on `code` (the helper beside this program, else the gate alone):
/// compile errors are printed as by `check`, anything else becomes one line.
fn precheck_patch(
    patch: &Path,
    code: &str,
    config: &EngineConfig,
    allow_unsafe: bool,
    playing: &Playing,
) -> Result<Measured, String> {
    precheck_run(patch, code, config, allow_unsafe, playing, true)
}

/// What a passed pre-check measured.
struct Measured {
    /// The files Csound opened.
    files: Vec<OpenedFile>,
    /// The files it could not open while the patch played.
    missing: Vec<diagnostics::MissingFile>,
}

impl Measured {
    /// The missing files as one error line (`file:line: cannot find 'x'; …`), if any.
    fn missing_error(&self, patch: &Path) -> Option<String> {
        missing_error(patch, &self.missing)
    }
}

/// `patch:line: cannot find 'name'` for each, on one line, or `None` when none is missing.
fn missing_error(patch: &Path, missing: &[diagnostics::MissingFile]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let named: Vec<String> = missing
        .iter()
        .map(|m| match m.line {
            Some(line) => format!("{}:{line}: cannot find '{}'", patch.display(), m.name),
            None => format!("{}: cannot find '{}'", patch.display(), m.name),
        })
        .collect();
    Some(format!(
        "{} (looked in the working folder, the patch's folder and Csound's SSDIR, SADIR, \
         MFDIR, INCDIR); nothing written",
        named.join("; ")
    ))
}

/// [`precheck_patch`], or with `remember` false a check that runs even if this code
/// passed before (so that it measures the files the patch reads).
fn precheck_run(
    patch: &Path,
    code: &str,
    config: &EngineConfig,
    allow_unsafe: bool,
    playing: &Playing,
    remember: bool,
) -> Result<Measured, String> {
    let report = match remember {
        true => precheck::precheck_remembered(code, config, allow_unsafe, playing),
        false => precheck::precheck_playing(code, config, allow_unsafe, playing),
    };
    if let Some(why) = &report.unsandboxed {
        eprintln!("csound-plug: warning: the pre-check ran without its sandbox: {why}");
    }
    if let Some(why) = &report.no_helper {
        eprintln!("csound-plug: warning: {why}: no crash and hang check");
    }
    for phase in &report.non_finite {
        eprintln!(
            "csound-plug: warning: {}: NaN or infinite samples while {phase} (the plugin \
             drops such blocks)",
            patch.display()
        );
    }
    match report.checked {
        Checked::Passed { .. } => Ok(Measured {
            files: report.files,
            missing: report.missing,
        }),
        Checked::Refused(Problem::Compile(error)) => Err(compile_failure(patch, &error)),
        Checked::Refused(problem) if problem.needs_permission() => Err(format!(
            "{}: {}; `check --allow-unsafe` or `render --allow-unsafe` runs it if you trust it",
            patch.display(),
            problem.summary()
        )),
        Checked::Refused(problem) => Err(format!("{}: {}", patch.display(), problem.summary())),
    }
}

/// Prints a compile error's lines as `file:line: error: …` and returns the last line.
fn compile_failure(patch: &Path, error: &CompileError) -> String {
    if error.errors.is_empty() {
        eprint!("{}", error.log);
    }
    for e in &error.errors {
        // An error inside an `#include`d file names that file, as Csound does.
        let file = e
            .file
            .clone()
            .unwrap_or_else(|| patch.display().to_string());
        match e.line {
            Some(line) => eprintln!("{file}:{line}: error: {}", e.message),
            None => eprintln!("{file}: error: {}", e.message),
        }
    }
    format!("{}: {}", patch.display(), error.step)
}

fn run_check(patch: &Path, allow_unsafe: bool, fx: bool) -> Result<(), String> {
    let code = read_patch(patch)?;
    let config = EngineConfig {
        is_effect: fx,
        search_dirs: patch_folder(patch),
        ..EngineConfig::default()
    };
    // As in the plugin: test notes on every instrument MIDI reaches.
    let playing = Playing::plugin();
    let checked = precheck_run(patch, &code, &config, allow_unsafe, &playing, false)?;
    for missing in &checked.missing {
        eprintln!("csound-plug: warning: {}: {missing}", patch.display());
    }
    let mut opened = checked.files;
    let ring = Arc::new(MessageRing::new(64));
    match Engine::compile(&code, &config, ring) {
        Ok((mut engine, _log)) => {
            println!(
                "{}: ok (sr {}, ksmps {}, nchnls {}, nchnls_i {}, 0dbfs {})",
                patch.display(),
                engine.sample_rate(),
                engine.ksmps(),
                engine.nchnls(),
                engine.nchnls_input(),
                engine.zero_dbfs()
            );
            print_parameters(&mut engine, &code);
            opened.extend(engine.opened_files());
            let files = patch_files::lines(&opened);
            if !files.is_empty() {
                println!("files read:");
                for line in files {
                    println!("  {line}");
                }
            }
            Ok(())
        }
        Err(error) => Err(compile_failure(patch, &error)),
    }
}

/// The files `patch` reads, measured as `check` measures them: the pre-check (its score,
/// test notes) and a compile here.
fn files_read(
    patch: &Path,
    code: &str,
    config: &EngineConfig,
    allow_unsafe: bool,
) -> Result<Vec<OpenedFile>, String> {
    let playing = Playing::plugin();
    let checked = precheck_run(patch, code, config, allow_unsafe, &playing, false)?;
    if let Some(error) = checked.missing_error(patch) {
        return Err(error);
    }
    let mut opened = checked.files;
    let ring = Arc::new(MessageRing::new(64));
    let (engine, _) =
        Engine::compile(code, config, ring).map_err(|e| compile_failure(patch, &e))?;
    opened.extend(engine.opened_files());
    Ok(opened)
}

fn run_pack(patch: &Path, output: &Path, max_mb: u64, allow_unsafe: bool) -> Result<(), String> {
    let code = read_patch(patch)?;
    let config = EngineConfig {
        search_dirs: patch_folder(patch),
        ..EngineConfig::default()
    };
    let opened = files_read(patch, &code, &config, allow_unsafe)?;
    let folder = patch.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let (packed, names) = packing::pack(folder, &code, &opened, max_mb).map_err(|e| {
        let raise = if e.contains(" MB cap") {
            " (--max-mb raises it)"
        } else {
            ""
        };
        format!("{}: {e}{raise}", patch.display())
    })?;
    std::fs::write(output, &packed)
        .map_err(|e| format!("cannot write '{}': {e}", output.display()))?;
    eprintln!(
        "wrote {}: {} with {} embedded file{}{}",
        output.display(),
        patch.display(),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        match names.is_empty() {
            true => String::new(),
            false => format!(" ({})", names.join(", ")),
        }
    );
    Ok(())
}

fn run_unpack(patch: &Path, output: &Path) -> Result<(), String> {
    let code = read_patch(patch)?;
    let file_name = patch
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "patch.csd".into());
    let written = packing::unpack(&code, output, &file_name)
        .map_err(|e| format!("{}: {e}", patch.display()))?;
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Checks `patch` now and again whenever its modification time or size changes.
fn watch_check(patch: &Path, allow_unsafe: bool, fx: bool) -> Result<(), String> {
    let stamp = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| (m.modified().ok(), m.len()))
    };
    let mut last = None;
    loop {
        let now = stamp(patch);
        if now != last {
            last = now;
            if let Err(message) = run_check(patch, allow_unsafe, fx) {
                eprintln!("csound-plug: {message}");
            }
            println!("-- watching {} (Ctrl+C to stop)", patch.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
