//! The controls read from a patch's text (a new instance's parameters, before anything is
//! compiled) are the ones Csound reports for the compiled patch, for every factory preset
//! and every Cabbage test patch.

use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_patch::controls::declared_in_text;
use csound_plug_patch::presets;
use std::sync::Arc;

/// Both lists, compared through their debug text (an exponential control's skew is NaN,
/// which `==` never matches).
fn same_controls(name: &str, code: &str) {
    let ring = Arc::new(MessageRing::new(64));
    let (mut engine, _) = Engine::compile(code, &EngineConfig::default(), ring)
        .unwrap_or_else(|e| panic!("{name} compiles: {e}"));
    let compiled = format!("{:#?}", engine.declared_controls(code));
    let read = format!("{:#?}", declared_in_text(code));
    assert_eq!(read, compiled, "{name}");
}

#[test]
fn text_and_compiled_declarations_agree() {
    let mut checked = 0;
    for preset in presets::factory() {
        same_controls(&preset.name, &preset.code);
        checked += 1;
    }
    let cabbage = csound_plug_testkit::patches_dir().join("cabbage");
    for entry in std::fs::read_dir(cabbage).expect("the Cabbage test patches") {
        let path = entry.expect("an entry").path();
        let code = std::fs::read_to_string(&path).expect("readable");
        same_controls(&path.display().to_string(), &code);
        checked += 1;
    }
    assert!(checked > 30, "{checked} patches");
}

#[test]
fn a_computed_declaration_is_left_to_csound() {
    // Csound evaluates the expression; the text reader leaves it out rather than guess.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nichan = 1\n\
                chn_k \"gain\", ichan, 2, 0.5, 0, 1\nchn_k \"cut\", 1, 3, 1000, 20, 20000\n\
                </CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";
    let read: Vec<String> = declared_in_text(code)
        .into_iter()
        .map(|c| c.channel)
        .collect();
    assert_eq!(read, ["cut"]);
}
