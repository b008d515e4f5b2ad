//! `cargo xtask`: bundle, install and test Csound Plug.
//!
//! - `cargo xtask install [--prefix DIR]`: Debian packages, release build, bundles into
//!   the user's plugin folders, binaries into `~/.local/bin`, then a test render.
//! - `cargo xtask test`: formatting, lints, the bundles, every Rust test and the Python
//!   host tests (in a virtual environment it creates under `target/`).
//! - `cargo xtask bench`: speed and memory ratios (`crates/plugin/benches/engine.rs` and
//!   `host.rs`), also as JSON under `target/bench/`.
//! - `cargo xtask fuzz [CASES]`: the fuzz tests with many cases.
//! - `cargo xtask soak [SECONDS]`: the soak test for ten minutes.
//! - `cargo xtask bundle …`: nice-plug's bundler (`.clap`, `.vst3`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian packages the build needs (Csound, and the standalone app's audio and windowing).
const BUILD_PACKAGES: &[&str] = &[
    "libcsound64-dev",
    "pkg-config",
    "libasound2-dev",
    "libjack-jackd2-dev",
    "libx11-xcb-dev",
    "libxcursor-dev",
    "libgl-dev",
    "libxkbcommon-dev",
];
/// Extra packages the tests need: the `csound` command line and Python's venv.
const TEST_PACKAGES: &[&str] = &[
    "csound",
    // A General MIDI SoundFont for the packing test.
    "timgm6mb-soundfont",
    "python3-venv",
    "python3-pip",
    // The editor test: a virtual X display, keyboard and mouse, screenshots, and Mesa's
    // software OpenGL.
    "xvfb",
    "xdotool",
    "x11-apps",
    // xprop: sets the display's Xft.dpi for the HiDPI test.
    "x11-utils",
    "libgl1-mesa-dri",
    "libglx-mesa0",
];
/// The crate that holds the plugin.
const PACKAGE: &str = "csound_plug";
/// The crate that holds the command line and the pre-check helper.
const CLI_PACKAGE: &str = "csound-plug-cli";

/// What each crate must never depend on, directly or not: the crate boundaries are the
/// architecture, and this keeps them (checked by `cargo xtask test`).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "csound-plug-patch",
        &[
            "csound-sys",
            "csound-plug-engine",
            "csound-plug-sandbox",
            "csound_plug",
            "nice-plug",
            "egui",
        ],
    ),
    (
        "csound-plug-engine",
        &["csound-plug-sandbox", "csound_plug", "nice-plug", "egui"],
    ),
    ("csound-plug-sandbox", &["csound_plug", "nice-plug", "egui"]),
    ("csound-plug-cli", &["csound_plug", "nice-plug", "egui"]),
];
/// Bundle base name (see bundler.toml).
const BUNDLE: &str = "Csound Plug";

type Result<T = ()> = std::result::Result<T, String>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("install") => install(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("bench") => bench(),
        Some("fuzz") => fuzz(&args[1..]),
        Some("soak") => soak(&args[1..]),
        Some("bundle") | Some("bundle-universal") => {
            nice_plug_xtask::main_with_args("cargo xtask", args).map_err(|e| format!("{e:#}"))
        }
        _ => Err(
            "usage: cargo xtask install [--prefix DIR] | test | bench | fuzz [CASES] | soak [SECONDS] | bundle <package> [--release]"
                .into(),
        ),
    };
    if let Err(message) = result {
        eprintln!("xtask: {message}");
        std::process::exit(1);
    }
}

/// The workspace root (xtask's parent directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Runs a command in the workspace root, failing with its name if it fails.
fn run(program: &str, args: &[&str]) -> Result {
    eprintln!("xtask: running {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Installs the Debian packages in `packages` that are missing.
fn ensure_packages(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .map(|o| !String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
                .unwrap_or(true)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return Err(format!(
            "these Debian packages are missing: {0}\n\
             install them as root, then run this again:\n    sudo apt-get install -y {0}",
            missing.join(" ")
        ));
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    std::env::set_var("DEBIAN_FRONTEND", "noninteractive");
    run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    run("apt-get", &args)
}

/// The pre-check helper, which the plugins find beside their own binary.
const HELPER: &str = "csound-plug-check";

/// Release build of the library and binaries, then the `.clap`/`.vst3` bundles, each
/// with the pre-check helper beside its binary.
fn build_bundles() -> Result {
    // The command line and the helper live in their own crate.
    run("cargo", &["build", "--release", "-p", CLI_PACKAGE])?;
    let args = ["bundle", PACKAGE, "--release", "--features", "standalone"];
    nice_plug_xtask::main_with_args("cargo xtask", args.map(String::from))
        .map_err(|e| format!("bundling failed: {e:#}"))?;
    let helper = root().join("target/release").join(HELPER);
    let bundled = root().join("target/bundled");
    for folder in [
        bundled.clone(),
        bundled.join(format!("{BUNDLE}.vst3/Contents/x86_64-linux")),
    ] {
        copy_recursive(&helper, &folder.join(HELPER))?;
    }
    Ok(())
}

fn install(args: &[String]) -> Result {
    let home = std::env::var("HOME").map_err(|_| "HOME is not set".to_string())?;
    let home = PathBuf::from(home);
    let prefix = match args {
        [] => home.join(".local"),
        [flag, dir] if flag == "--prefix" => PathBuf::from(dir),
        _ => return Err("usage: cargo xtask install [--prefix DIR]".into()),
    };
    ensure_packages(BUILD_PACKAGES)?;
    build_bundles()?;
    let bundled = root().join("target/bundled");
    let release = root().join("target/release");
    let copies = [
        (bundled.join(format!("{BUNDLE}.clap")), home.join(".clap")),
        (bundled.join(HELPER), home.join(".clap")),
        (bundled.join(format!("{BUNDLE}.vst3")), home.join(".vst3")),
        (release.join("csound-plug"), prefix.join("bin")),
        (release.join(HELPER), prefix.join("bin")),
        (release.join("csound-plug-standalone"), prefix.join("bin")),
    ];
    for (from, to_dir) in &copies {
        std::fs::create_dir_all(to_dir)
            .map_err(|e| format!("cannot create {}: {e}", to_dir.display()))?;
        let to = to_dir.join(from.file_name().expect("bundle paths have names"));
        copy_recursive(from, &to)?;
        eprintln!("xtask: installed {}", to.display());
    }
    let cli = prefix.join("bin/csound-plug");
    let wav = root().join("target/default-patch.wav");
    let patch = root().join("presets/default_instrument.csd");
    let status = Command::new(&cli)
        .arg("render")
        .arg(&patch)
        .args([
            "--score",
            "i 1 0 1.5 57 100 1 220\ni 1 0.5 1 64 90 1 329.63\ni 1 1 1 69 80 1 440",
            "--duration",
            "3",
            "-o",
        ])
        .arg(&wav)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", cli.display()))?;
    if !status.success() {
        return Err("the installed csound-plug could not render the default patch".into());
    }
    eprintln!(
        "xtask: done. The default patch rendered to {}",
        wav.display()
    );
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(hint) = path_hint(&path, &prefix.join("bin")) {
        eprintln!("{hint}");
    }
    Ok(())
}

/// What to tell the user when `bin` (where the commands went) is not on their `PATH`:
/// on a fresh Debian machine `~/.local/bin` is not, until a login shell finds it there.
fn path_hint(path: &std::ffi::OsStr, bin: &Path) -> Option<String> {
    if std::env::split_paths(path).any(|dir| dir == bin) {
        return None;
    }
    Some(format!(
        "xtask: {0} is not on your PATH, so `csound-plug` is not found by name yet; add it \
         with\n    echo 'export PATH=\"{0}:$PATH\"' >> ~/.profile\nand open a new terminal \
         (or run `export PATH=\"{0}:$PATH\"` in this one).",
        bin.display()
    ))
}

/// Copies a file or a bundle directory, replacing what was there.
fn copy_recursive(from: &Path, to: &Path) -> Result {
    let fail =
        |e: std::io::Error| format!("cannot copy {} to {}: {e}", from.display(), to.display());
    if from.is_dir() {
        if to.exists() {
            std::fs::remove_dir_all(to).map_err(fail)?;
        }
        std::fs::create_dir_all(to).map_err(fail)?;
        for entry in std::fs::read_dir(from).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            copy_recursive(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ()).map_err(fail)
    }
}

fn test(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    let mut packages = BUILD_PACKAGES.to_vec();
    packages.extend(TEST_PACKAGES);
    ensure_packages(&packages)?;
    run("cargo", &["fmt", "--all", "--check"])?;
    check_boundaries()?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "csound_plug/standalone",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    build_bundles()?;
    let bundled = root().join("target/bundled");
    std::env::set_var("CSOUND_PLUG_BUNDLE_DIR", &bundled);
    // Permissions given by tests stay out of the user's own allow list.
    std::env::set_var(
        "CSOUND_PLUG_ALLOWED",
        root().join("target/test-allowed-code"),
    );
    // Every test run checks patches afresh: passes are kept per process only.
    std::env::set_var("CSOUND_PLUG_VERDICTS", "");
    // The user's settings (sample folders) stay out of the tests.
    std::env::set_var(
        "CSOUND_PLUG_SETTINGS",
        root().join("target/test-settings.toml"),
    );
    // Embedded files unpack under target/, not into the user's cache.
    std::env::set_var(
        "CSOUND_PLUG_FILE_CACHE",
        root().join("target/test-file-cache"),
    );
    // Activations wait for their build, however loaded the machine is, so that tests
    // which play from the first block do not depend on load (one test shortens it).
    std::env::set_var("CSOUND_PLUG_ACTIVATION_WAIT", "600");
    run("cargo", &["test", "--workspace"])?;
    python_tests()
}

/// Fails when a crate depends (normal dependencies, transitively) on one it must never
/// reach, naming both.
fn check_boundaries() -> Result {
    for (package, forbidden) in FORBIDDEN {
        eprintln!("xtask: checking what {package} depends on");
        let output = Command::new("cargo")
            .args(["tree", "-p", package, "-e", "normal", "--prefix", "none"])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot run cargo tree: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo tree -p {package} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        let found: Vec<&str> = tree
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| forbidden.contains(name))
            .collect();
        if let Some(name) = found.first() {
            return Err(format!(
                "{package} depends on {name}, which the crate boundaries forbid (see README, Development)"
            ));
        }
    }
    Ok(())
}

/// The one optional whole-number argument of `fuzz` and `soak`, `default` without one.
fn number_argument(args: &[String], default: &str, usage: &str) -> Result<String> {
    match args {
        [] => Ok(default.to_string()),
        [n] if n.parse::<u64>().is_ok() => Ok(n.clone()),
        _ => Err(usage.to_string()),
    }
}

/// The fuzz tests with many more cases than the test command runs (default 200 000),
/// optimised: patch text, saved state, MIDI files, MIDI streams into every factory patch.
fn fuzz(args: &[String]) -> Result {
    let cases = number_argument(args, "200000", "usage: cargo xtask fuzz [CASES]")?;
    ensure_packages(BUILD_PACKAGES)?;
    std::env::set_var("CSOUND_PLUG_FUZZ_CASES", &cases);
    run(
        "cargo",
        &[
            "test",
            "--release",
            "-p",
            "csound-plug-patch",
            "-p",
            "csound-plug-engine",
            "--test",
            "fuzz",
            "--",
            "--nocapture",
        ],
    )
}

/// The soak test for ten minutes (or SECONDS), optimised: recompiles every second and
/// random traffic; RSS must not grow by 1 MB after the warm-up.
fn soak(args: &[String]) -> Result {
    let seconds = number_argument(args, "600", "usage: cargo xtask soak [SECONDS]")?;
    ensure_packages(BUILD_PACKAGES)?;
    std::env::set_var("CSOUND_PLUG_SOAK_SECONDS", &seconds);
    // Its recompiles (a new code each second) stay out of the user's remembered checks.
    std::env::set_var("CSOUND_PLUG_VERDICTS", "");
    run(
        "cargo",
        &[
            "test",
            "--release",
            "-p",
            PACKAGE,
            "--test",
            "soak",
            "--",
            "--nocapture",
        ],
    )
}

/// Benchmarks: ratios measured side by side (see `crates/plugin/benches/`).
fn bench() -> Result {
    ensure_packages(&["csound"])?;
    run("cargo", &["build", "--release", "-p", CLI_PACKAGE])?;
    build_bundles()?;
    std::env::set_var("CSOUND_PLUG_BUNDLE_DIR", root().join("target/bundled"));
    run("cargo", &["bench", "-p", PACKAGE, "--bench", "engine"])?;
    run("cargo", &["bench", "-p", PACKAGE, "--bench", "host"])?;
    eprintln!("xtask: the figures are in target/bench/engine.json and target/bench/host.json");
    Ok(())
}

/// The VST3 host tests: pedalboard and dawdreamer from PyPI, in a venv under `target/`.
fn python_tests() -> Result {
    let venv = root().join("target/pyvenv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run("python3", &["-m", "venv", &venv.to_string_lossy()])?;
    }
    let python = python.to_string_lossy().into_owned();
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "tests/python/requirements.txt",
        ],
    )?;
    run(&python, &["-m", "pytest", "-q", "tests/python"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_says_when_its_folder_is_not_on_path() {
        let bin = Path::new("/home/u/.local/bin");
        let hint = path_hint("/usr/bin:/bin".as_ref(), bin).expect("a hint");
        assert!(hint.contains("/home/u/.local/bin:$PATH"), "{hint}");
        assert!(hint.contains("~/.profile"), "{hint}");
        assert_eq!(path_hint("/usr/bin:/home/u/.local/bin".as_ref(), bin), None);
    }
}
