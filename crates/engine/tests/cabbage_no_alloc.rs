//! The native Cabbage opcodes allocate nothing in Rust while Csound performs: identifier
//! updates published every k-cycle (more than the queue holds), an identifier channel
//! written every k-cycle and looked at after each block, saved values set and
//! read as numbers, strings and arrays, and the whole state read as JSON, all under
//! nice-plug's allocation checker (libcsound's own C allocations are outside its view).

use csound_plug_engine::block::Input;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::{Engine, EngineConfig};
use nice_assert_no_alloc::{
    assert_no_alloc, reset_violation_count, violation_count, AllocDisabler,
};
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

const PATCH: &str = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 1
0dbfs = 1
instr 1
  kCycle init 0
  kCycle += 1
  cabbageSet 1, "box", "bounds", kCycle, 0, 10, 10
  chnset sprintfk("text(\"%d\")", kCycle), "labelIdent"
  cabbageSetStateValue "count", kCycle
  kArr[] fillarray kCycle, 2, 3
  cabbageSetStateValue "list", kArr
  cabbageSetStateValue "name", sprintfk("n%d", kCycle)
  kCount cabbageGetStateValue "count"
  kList[] cabbageGetStateValue "list"
  SName cabbageGetStateValue "name"
  SAll cabbageReadStateData
  kSame = (kCount == kCycle && kList[0] == kCycle && strlenk(SAll) > 20 ? 1 : 0)
  out a(kSame)
endin
</CsInstruments>
<CsScore>
i 1 0 10
</CsScore>
<Cabbage>
groupbox bounds(0, 0, 100, 100) channel("box")
label bounds(0, 0, 10, 10) identChannel("labelIdent")
</Cabbage>
</CsoundSynthesizer>
"#;

#[test]
fn publishing_and_saved_values_do_not_allocate() {
    let ring = Arc::new(MessageRing::new(256));
    let (mut engine, _) = Engine::compile(PATCH, &EngineConfig::default(), ring).expect("compiles");
    let mut block = vec![0.0f32; 256];
    let blocks = 200;
    reset_violation_count();
    for _ in 0..blocks {
        assert_no_alloc(|| {
            let mut outputs = [&mut block[..]];
            engine.process(&Input::<Vec<f32>>::Silence, &mut outputs, 256, &[]);
        });
    }
    assert_eq!(violation_count(), 0, "allocations while performing");
    assert_eq!(block[255], 1.0, "the values read back as set");
    let cycles = blocks * 256 / 32;
    let updates = engine.widget_updates();
    let (mut last, mut label) = (String::new(), String::new());
    updates.drain(|channel, text| match channel {
        "labelIdent" => label = text.to_string(),
        _ => last = text.to_string(),
    });
    assert_eq!(last, format!("bounds({cycles}, 0, 10, 10)"));
    // The identifier channel, looked at after each block.
    assert_eq!(label, format!("text(\"{cycles}\")"));
    assert!(updates.dropped() > 0, "the queue kept the newest");
    let values = engine.cabbage_state().to_value();
    assert_eq!(values["count"], cycles as f64);
    assert_eq!(values["name"], format!("n{cycles}"));
}
