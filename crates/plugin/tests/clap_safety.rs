//! Safe patches through a CLAP host (`clack-host` loading the built `.clap`): bad patches
//! put into a playing instance through its state never run. The host survives, the old
//! sound plays on bit for bit, no marker file appears, the session keeps the new code and
//! the plugin's log says why.
//!
//! Needs the bundle with its helper: `cargo xtask test` builds both.

use csound_plug_testkit::analysis::seconds;
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, load_bundle, logged_more_than, patch_code,
    plugin_log, with_patch_code, HostedPlugin, NoteEvent, INSTRUMENT_ID,
};
use csound_plug_testkit::csd::csd;
use csound_plug_testkit::unsafe_patches::{bad_patches, markers_present};
use std::time::Duration;

const SR: f64 = 48_000.0;

fn sine(octaves_up: u32) -> String {
    csd(
        &format!(
            "instr 1\n  asig oscili 0.3, cpsmidinn(p4 + {})\n  outs asig, asig\nendin\n",
            12 * octaves_up
        ),
        "",
    )
}

/// A short phrase: key 69 held, released, a tail.
fn phrase(plugin: &mut HostedPlugin) -> Vec<Vec<f32>> {
    let events = [
        NoteEvent::on(0, 69, 100),
        NoteEvent::off(seconds(0.2, SR), 69),
    ];
    plugin.render(&[], seconds(0.3, SR), 256, &events)
}

#[test]
fn bad_patches_in_a_session_leave_the_old_sound_playing() {
    // The hang cases end after two seconds instead of five.
    std::env::set_var("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    let markers = tempfile::tempdir().unwrap();
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(&fresh, &sine(1)))));
    plugin.activate(SR, 512);
    let before = phrase(&mut plugin);
    assert!(before[0].iter().any(|s| s.abs() > 0.1), "the sine plays");
    assert_eq!(phrase(&mut plugin), before, "a phrase repeats bit for bit");
    for patch in bad_patches(markers.path()) {
        let count = plugin_log().matches(patch.reason).count();
        let state = with_patch_code(&fresh, &patch.code);
        assert!(
            plugin.load_state(&encode_nice_plug_state(&state)),
            "{}: the host's load succeeds (the code is kept)",
            patch.name
        );
        assert!(
            logged_more_than(patch.reason, count, 10),
            "{}: no '{}' in the plugin's log:\n{}",
            patch.name,
            patch.reason,
            plugin_log()
        );
        assert!(
            phrase(&mut plugin) == before,
            "{}: the old sound plays on bit for bit",
            patch.name
        );
        assert_eq!(
            patch_code(&decode_nice_plug_state(&plugin.save_state())),
            patch.code,
            "{}: the session keeps the refused code",
            patch.name
        );
    }
    assert_eq!(markers_present(markers.path()), Vec::<String>::new());
    // A good patch after all that still compiles and plays.
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(&fresh, &sine(2)))));
    let played = (0..50).any(|_| {
        let out = phrase(&mut plugin);
        if out != before {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
        false
    });
    assert!(played, "the next good patch replaced the sine");
}

#[test]
fn a_session_that_starts_with_a_bad_patch_plays_the_default() {
    std::env::set_var("CSOUND_PLUG_CHECK_TIMEOUT", "2");
    let markers = tempfile::tempdir().unwrap();
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let mut reference = HostedPlugin::new(&entry, INSTRUMENT_ID);
    reference.activate(SR, 512);
    let default_sound = phrase(&mut reference);
    for name in ["divide_by_zero", "system_marker"] {
        let patches = bad_patches(markers.path());
        let patch = patches.iter().find(|p| p.name == name).unwrap();
        // Loaded before activation, as a host opening a saved song does.
        let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
        let state = with_patch_code(&fresh, &patch.code);
        assert!(plugin.load_state(&encode_nice_plug_state(&state)));
        plugin.activate(SR, 512);
        assert!(
            phrase(&mut plugin) == default_sound,
            "{name}: the default patch plays"
        );
        assert!(plugin_log().contains(patch.reason), "{name}");
    }
    assert!(markers_present(markers.path()).is_empty());
}
