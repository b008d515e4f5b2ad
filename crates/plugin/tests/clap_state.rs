//! The plugin's saved state through a CLAP host (`clack-host` loading the built `.clap`):
//! state the plugin cannot use loads the default patch and says why in its log, state the
//! host cannot even hand over is refused without losing what plays, and big, non-ASCII
//! patches round-trip exactly.
//!
//! Needs the bundle: `cargo xtask bundle csound_plug --release` (or `CSOUND_PLUG_BUNDLE_DIR`).

use csound_plug_testkit::analysis::{fundamental, mono, rms, seconds};
use csound_plug_testkit::clap::{
    decode_nice_plug_state, encode_nice_plug_state, load_bundle, logged_more_than, patch_code,
    plugin_log, with_patch_code, HostedPlugin, NoteEvent, INSTRUMENT_ID,
};
use csound_plug_testkit::csd::csd;
use serde_json::{json, Value};

const SR: f64 = 48_000.0;
const MAX_BLOCK: u32 = 512;

/// A plain sine on the note's key, an octave up: unmistakable against the default synth.
fn octave_sine() -> String {
    csd(
        "instr 1\n  asig oscili 0.3, cpsmidinn(p4 + 12)\n  outs asig, asig\nendin\n",
        "",
    )
}

/// The pitch a held key 69 plays, if it sounds.
fn pitch_of_a4(plugin: &mut HostedPlugin) -> Option<f64> {
    let out = plugin.render(&[], seconds(0.4, SR), 256, &[NoteEvent::on(0, 69, 100)]);
    let m = mono(&out);
    let tone = &m[seconds(0.15, SR)..];
    (rms(tone, 0..tone.len()) > 0.01)
        .then(|| fundamental(tone, SR))
        .flatten()
}

/// Whether key 69 comes to play `hz` (a recompile may still be under way); the last
/// pitch heard otherwise.
fn plays(plugin: &mut HostedPlugin, hz: f64) -> Result<(), Option<f64>> {
    let mut heard = None;
    for _ in 0..50 {
        heard = pitch_of_a4(plugin);
        if heard.is_some_and(|p| (p - hz).abs() < hz * 0.003) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    Err(heard)
}

/// A new instance playing `code` (loaded as its state), active.
fn playing(entry: &clack_host::prelude::PluginEntry, state: &Value, code: &str) -> HostedPlugin {
    let mut plugin = HostedPlugin::new(entry, INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(&with_patch_code(state, code))));
    plugin.activate(SR, MAX_BLOCK);
    if let Err(heard) = plays(&mut plugin, 880.0) {
        panic!("the sine patch plays {heard:?} Hz, not 880");
    }
    plugin
}

/// Waits until the plugin's log holds `text`.
fn logged(text: &str) -> bool {
    logged_more_than(text, 0, 5)
}

#[test]
fn state_the_plugin_cannot_use_loads_the_default_patch_and_says_why() {
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let default_code = patch_code(&fresh);
    let inner = |value: Value| {
        let mut state = fresh.clone();
        state["fields"]["state"] = Value::String(value.to_string());
        state
    };
    let mut no_field = fresh.clone();
    no_field["fields"] = json!({});
    let mut corrupt = fresh.clone();
    corrupt["fields"]["state"] = Value::String("{\"version\": 2, \"code\": \"<Csound".into());
    let cases = [
        (
            "wrong version",
            inner(json!({"version": 7, "code": octave_sine()})),
            "newer Csound Plug (state version 7",
        ),
        (
            "unknown old version",
            inner(json!({"version": 0, "code": octave_sine()})),
            "unknown version (0)",
        ),
        (
            "no patch in the state",
            no_field,
            "holds no Csound Plug patch",
        ),
        ("corrupt inner state", corrupt, "the saved state is corrupt"),
        (
            "bad slot map",
            inner(json!({"version": 2, "code": octave_sine(), "slots": {"a": 999}})),
            "slot map",
        ),
    ];
    for (what, state, reason) in cases {
        let mut plugin = playing(&entry, &fresh, &octave_sine());
        assert!(
            plugin.load_state(&encode_nice_plug_state(&state)),
            "{what}: the host is told the load worked (the default patch loaded)"
        );
        assert_eq!(
            patch_code(&decode_nice_plug_state(&plugin.save_state())),
            default_code,
            "{what}: the default patch is loaded"
        );
        if let Err(heard) = plays(&mut plugin, 440.0) {
            panic!("{what}: the default patch plays {heard:?} Hz, not 440");
        }
        assert!(
            logged(reason) && logged("loading the default patch"),
            "{what}: no message with '{reason}' in the plugin's log:\n{}",
            plugin_log()
        );
    }
}

#[test]
fn bytes_that_are_no_state_are_refused_and_lose_nothing() {
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let good = encode_nice_plug_state(&with_patch_code(&fresh, &octave_sine()));
    let mut lcg: u32 = 7;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            lcg = lcg.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (lcg >> 24) as u8
        })
        .collect();
    let mut random_with_length = (4096u64 - 8).to_le_bytes().to_vec();
    random_with_length.extend_from_slice(&random[8..]);
    let cases = [
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("random bytes", random),
        ("random JSON body", random_with_length),
        (
            "JSON of another shape",
            encode_nice_plug_state(&json!([1, 2, 3])),
        ),
    ];
    for (what, bytes) in cases {
        let mut plugin = playing(&entry, &fresh, &octave_sine());
        assert!(
            !plugin.load_state(&bytes),
            "{what}: the host is told the load failed"
        );
        // Nothing is lost: the patch that played plays on and is what a save stores.
        let pitch = pitch_of_a4(&mut plugin).expect("still plays");
        assert!(
            (pitch - 880.0).abs() < 2.0,
            "{what}: plays {pitch} Hz, not the sine"
        );
        assert_eq!(
            patch_code(&decode_nice_plug_state(&plugin.save_state())),
            octave_sine(),
            "{what}"
        );
    }
    assert!(
        logged("Failed to") || logged("rror"),
        "nice-plug logs why it refused the state:\n{}",
        plugin_log()
    );
}

#[test]
fn a_megabyte_of_non_ascii_code_round_trips_exactly() {
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let comments = "; Grüße, ünïcødé ♪ 音楽 \u{1F3B9} \"quoted\" \\ back\tslash\n".repeat(17_000);
    let code = octave_sine().replace("instr 1\n", &format!("{comments}instr 1\n"));
    assert!(code.len() > 1_000_000, "{} bytes", code.len());
    let mut plugin = playing(&entry, &fresh, &code);
    let saved = plugin.save_state();
    assert_eq!(patch_code(&decode_nice_plug_state(&saved)), code);
    let mut copy = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(copy.load_state(&saved));
    assert_eq!(
        copy.save_state(),
        saved,
        "byte-identical after a second round trip"
    );
    copy.activate(SR, MAX_BLOCK);
    if let Err(heard) = plays(&mut copy, 880.0) {
        panic!("the big patch plays {heard:?} Hz, not 880");
    }
}

#[test]
fn the_editor_size_travels_with_the_state() {
    let entry = load_bundle();
    let mut state = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    assert_eq!(
        state["fields"]["editor-size"], "0",
        "no size until the window is resized"
    );
    let size = (900u64 << 32) | 600;
    state["fields"]["editor-size"] = Value::String(size.to_string());
    let mut plugin = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(plugin.load_state(&encode_nice_plug_state(&state)));
    let saved = decode_nice_plug_state(&plugin.save_state());
    assert_eq!(
        saved["fields"]["editor-size"],
        Value::String(size.to_string())
    );
}

/// The plugin's own state object inside a saved state.
fn inner_state(bytes: &[u8]) -> Value {
    let state = decode_nice_plug_state(bytes);
    serde_json::from_str(state["fields"]["state"].as_str().expect("fields.state")).expect("JSON")
}

#[test]
fn the_last_code_that_ran_plays_after_a_reset_and_a_reopen() {
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let good = octave_sine();
    let mut plugin = playing(&entry, &fresh, &good);
    let said = "the last code that ran plays instead";
    let before = plugin_log().matches(said).count();
    // Broken code from the host's state: it does not compile, the sine plays on.
    let broken = good.replace("outs asig, asig", "outs asig, asig, nosuch");
    let state = encode_nice_plug_state(&with_patch_code(&fresh, &broken));
    assert!(plugin.load_state(&state));
    assert_eq!(plays(&mut plugin, 880.0), Ok(()), "after the broken code");
    // The host resets the plugin (pedalboard at each process call; a DAW on a rate
    // change or an offline render): still the sine, not the fallback.
    plugin.deactivate();
    plugin.activate(SR, MAX_BLOCK);
    assert_eq!(plays(&mut plugin, 880.0), Ok(()), "after a re-activation");
    assert!(logged_more_than(said, before, 5), "{}", plugin_log());
    // The session keeps the code as it is and the code that ran beside it.
    let saved = plugin.save_state();
    let inner = inner_state(&saved);
    assert_eq!(inner["code"], broken.as_str());
    assert_eq!(inner["last_good"], good.as_str());
    // Reopened in a new instance: the sine again.
    let mut reopened = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(reopened.load_state(&saved));
    reopened.activate(SR, MAX_BLOCK);
    assert_eq!(plays(&mut reopened, 880.0), Ok(()), "after a reopen");
    assert_eq!(inner_state(&reopened.save_state())["code"], broken.as_str());
    // Once the code runs again, the session holds one copy.
    assert!(reopened.load_state(&encode_nice_plug_state(&with_patch_code(&fresh, &good))));
    assert_eq!(plays(&mut reopened, 880.0), Ok(()));
    let mut tries = 0;
    while inner_state(&reopened.save_state())
        .get("last_good")
        .is_some()
        && tries < 50
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
        tries += 1;
    }
    assert!(inner_state(&reopened.save_state())
        .get("last_good")
        .is_none());
}

/// The first pitch a note of key 69 plays that is one of `pitches` (another patch,
/// such as the default one while the code compiles, may play before). Each note ends.
fn first_of(plugin: &mut HostedPlugin, pitches: &[f64]) -> Option<f64> {
    for _ in 0..50 {
        let note = [
            NoteEvent::on(0, 69, 100),
            NoteEvent::off(seconds(0.3, SR), 69),
        ];
        let out = plugin.render(&[], seconds(0.5, SR), 256, &note);
        let tone = &mono(&out)[seconds(0.1, SR)..seconds(0.3, SR)];
        let heard = (rms(tone, 0..tone.len()) > 0.01)
            .then(|| fundamental(tone, SR))
            .flatten();
        if let Some(heard) = heard {
            if let Some(p) = pitches.iter().find(|p| (heard - **p).abs() < **p * 0.003) {
                return Some(*p);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    None
}

#[test]
fn values_the_patch_saves_come_back_with_the_session() {
    // Each note plays the frequency saved by the note before (550 Hz when none was),
    // then saves a fifth above its key.
    let code = csd(
        "instr 1\n  iFreq cabbageGetStateValue \"freq\"\n  iFreq = (iFreq <= 0 ? 550 : iFreq)\n  \
         asig oscili 0.3, iFreq\n  outs asig, asig\n  \
         cabbageSetStateValue \"freq\", cpsmidinn(p4 + 7)\nendin\n",
        "",
    );
    let fifth = 440.0 * 2f64.powf(7.0 / 12.0);
    let entry = load_bundle();
    let fresh = decode_nice_plug_state(&HostedPlugin::new(&entry, INSTRUMENT_ID).save_state());
    let mut first = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(first.load_state(&encode_nice_plug_state(&with_patch_code(&fresh, &code))));
    first.activate(SR, MAX_BLOCK);
    assert_eq!(
        first_of(&mut first, &[550.0, fifth]),
        Some(550.0),
        "nothing saved yet"
    );
    assert_eq!(
        first_of(&mut first, &[550.0, fifth]),
        Some(fifth),
        "the next note reads it"
    );
    let saved = decode_nice_plug_state(&first.save_state());
    let inner: Value = serde_json::from_str(saved["fields"]["state"].as_str().unwrap()).unwrap();
    let kept = inner["patch_values"]["freq"].as_f64().unwrap();
    assert!((kept - fifth).abs() < 1e-9, "{inner}");

    // A new instance given the session plays the saved value from its first note.
    let mut second = HostedPlugin::new(&entry, INSTRUMENT_ID);
    assert!(second.load_state(&encode_nice_plug_state(&saved)));
    second.activate(SR, MAX_BLOCK);
    assert_eq!(first_of(&mut second, &[550.0, fifth]), Some(fifth));
}
