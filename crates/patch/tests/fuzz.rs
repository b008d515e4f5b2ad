//! Fuzzing on stable Rust: every reader of patch text and saved state, fed seeds from the
//! factory presets and the test patches, mutated at random (a fixed-seed generator, so a
//! failure repeats). Nothing may panic. The test command runs a bounded number of cases;
//! `cargo xtask fuzz` runs many more (`CSOUND_PLUG_FUZZ_CASES`).

use csound_plug_patch::cabbage::{cabbage_controls, cabbage_displays, cabbage_knobs};
use csound_plug_patch::controls::declared_in_text;
use csound_plug_patch::csd::{strip_comments, Comments, Csd};
use csound_plug_patch::{facts, metadata, presets, state};
use csound_plug_testkit::rng::Rng;
use std::collections::BTreeMap;

/// Text that means something to one of the readers.
const TOKENS: &[&str] = &[
    "<CsoundSynthesizer>",
    "</CsoundSynthesizer>",
    "<CsInstruments>",
    "</CsInstruments>",
    "<CsScore>",
    "</CsScore>",
    "<CsScore bin=\"x\">",
    "<CsOptions>",
    "</CsOptions>",
    "<Cabbage>",
    "</Cabbage>",
    "<cabbage>",
    "<CsoundPlug>",
    "</CsoundPlug>",
    "<CsFileB filename='a b.wav'>",
    "</CsFileB>",
    "/*",
    "*/",
    ";",
    "//",
    "#",
    "\"",
    "{{",
    "}}",
    "\n",
    "\r\n",
    "\t",
    "\u{feff}",
    "♪",
    "é",
    "instr ",
    "endin",
    "instr 1, Name\n",
    "p6",
    "p7",
    "massign ",
    "chn_k \"a\", 1, 3, 1000, 20, 20000\n",
    "chn_k(\"b\", 3, 1, -1, 0, 1e9)",
    "outvalue \"o\", ",
    "i1 0 1",
    "i \"x\" 0 -1",
    "f 1 0 1024 10 1\n",
    "e\n",
    "[",
    "]",
    "(",
    ")",
    ",",
    "=",
    "range(0, 100, 78.125.5)",
    "rslider bounds(1,2,3,4), channel(\"c\"), ",
    "combobox channel(\"m\"), text(\"a\", \"b\"), value(3)",
    "xypad channel(\"x\", \"y\")",
    "#define M #1#\n",
    "$M",
    "name = \"x\"\n",
    "[midi]\nchannels = { 10 = 5 }\n",
    "[params]\n",
    "ksmps = -1\n",
    "0",
    "-0",
    "1e400",
    "NaN",
    "inf",
    "4294967296",
];

/// `seed` changed a few times: characters dropped, repeated, swapped in from another
/// seed, or tokens inserted, at character boundaries.
fn mutate(rng: &mut Rng, seed: &str, other: &str) -> String {
    let mut text: Vec<char> = seed.chars().collect();
    let other: Vec<char> = other.chars().collect();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(text.len() + 1);
        match rng.below(6) {
            0 if !text.is_empty() => {
                let end = (at + rng.below(64)).min(text.len());
                text.drain(at.min(end)..end);
            }
            1 if !text.is_empty() => {
                let end = (at + rng.below(200)).min(text.len());
                let copy: Vec<char> = text[at.min(end)..end].to_vec();
                let to = rng.below(text.len() + 1);
                text.splice(to..to, copy);
            }
            2 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + rng.below(300)).min(other.len());
                text.splice(at..at, other[from..end].iter().copied());
            }
            3 => text.truncate(at),
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                text.splice(at..at, token.chars());
            }
        }
    }
    text.into_iter().collect()
}

/// Every reader of patch text, on `text`.
fn read_all(text: &str) {
    let csd = Csd::parse(text);
    for section in csd.sections() {
        let _ = (section.attribute("bin"), section.attribute("filename"));
        let _ = csd.line_of(section.tag_start);
    }
    let _ = (csd.orchestra_text(), csd.options(), csd.score_statements());
    for style in [Comments::Orchestra, Comments::Score, Comments::Options] {
        let stripped = strip_comments(text, style);
        assert_eq!(stripped.len(), text.len(), "stripping keeps the length");
    }
    let _ = facts::instruments(text);
    for instr in facts::instrument_numbers(text).into_iter().take(4) {
        let _ = facts::pfields_read(text, instr);
    }
    let _ = (facts::uses_midi_opcodes(text), facts::outvalue_names(text));
    let _ = (facts::chn_declarations(text), facts::string_literals(text));
    let _ = (facts::massigns(text), facts::midi_instruments(text));
    let _ = (
        cabbage_controls(text),
        cabbage_displays(text),
        cabbage_knobs(text),
    );
    for control in declared_in_text(text) {
        for p in [0.0, 0.5, 1.0] {
            let value = control.value_at(p);
            let _ = (control.position_of(value), control.format(value));
            let _ = control.parse(&control.format(value));
        }
    }
    if let Ok(Some(found)) = metadata::metadata(text) {
        let _ = found.instrument_for(9);
    }
    let mut values = BTreeMap::new();
    values.insert("cutoff".to_string(), 0.5);
    let _ = metadata::with_saved_values(text, "Fuzzed", &values);
}

/// The saved-state readers, on `bytes`.
fn read_state(bytes: &[u8]) {
    let mut fields = BTreeMap::new();
    fields.insert(
        state::STATE_KEY.to_string(),
        String::from_utf8_lossy(bytes).into_owned(),
    );
    state::check_fields(&mut fields);
    if let Ok(value) = serde_json::from_str(&fields[state::STATE_KEY]) {
        if let Ok(saved) = state::parse_state(&value) {
            let again = state::parse_state(&state::state_value(&saved));
            assert_eq!(again.as_ref(), Ok(&saved), "a state reads back as written");
        }
    }
}

fn cases() -> usize {
    std::env::var("CSOUND_PLUG_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

fn seeds() -> Vec<String> {
    let mut seeds: Vec<String> = presets::factory().into_iter().map(|p| p.code).collect();
    let patches = csound_plug_testkit::patches_dir();
    for dir in [patches.clone(), patches.join("cabbage")] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                seeds.push(text);
            }
        }
    }
    seeds
}

#[test]
fn mutated_patches_never_panic_a_reader() {
    let seeds = seeds();
    assert!(seeds.len() > 30, "{} seeds", seeds.len());
    let mut rng = Rng(0x005e_ed0f_c50d);
    for case in 0..cases() {
        let seed = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed, other);
        let outcome = std::panic::catch_unwind(|| read_all(&text));
        if outcome.is_err() {
            let file = std::env::temp_dir().join(format!("csound-plug-fuzz-{case}.csd"));
            let _ = std::fs::write(&file, &text);
            panic!("case {case} panicked; its text is in {}", file.display());
        }
    }
}

#[test]
fn mutated_states_never_panic_and_read_back_as_written() {
    let seeds = seeds();
    let mut rng = Rng(0x0057_a7e5);
    for case in 0..cases() {
        let code = &seeds[rng.below(seeds.len())];
        let saved = state::SavedState {
            code: code.clone(),
            slots: Default::default(),
            preset: None,
            last_good: (rng.below(2) == 0).then(|| seeds[rng.below(seeds.len())].clone()),
            folder: (rng.below(2) == 0).then(|| "/home/jo/patches".to_string()),
            patch_values: (rng.below(2) == 0).then(|| {
                let mut values = serde_json::Map::new();
                values.insert("level".into(), serde_json::json!([0.5, "x"]));
                values
            }),
        };
        let json = state::state_value(&saved).to_string();
        let mutated = mutate(&mut rng, &json, "{\"version\": 3, \"slots\": {\"a\": 64}}");
        let outcome = std::panic::catch_unwind(|| read_state(mutated.as_bytes()));
        assert!(outcome.is_ok(), "case {case} panicked on {mutated:?}");
    }
}
