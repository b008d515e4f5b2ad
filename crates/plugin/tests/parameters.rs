//! Declared controls bound to host parameter slots: defaults, effect on the sound, slots
//! kept across recompiles.

use atomic_float::AtomicF32;
use csound_plug::compiler::{Compiler, Trust};
use csound_plug::processor::{Channels, Processor};
use csound_plug::slots::{BindMode, SlotValues, SLOT_COUNT};
use csound_plug_engine::block::Input;
use csound_plug_engine::EngineConfig;
use csound_plug_testkit::analysis;
use csound_plug_testkit::csd::csd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Host parameter values as a test host keeps them.
struct Values([AtomicF32; SLOT_COUNT]);

impl SlotValues for Values {
    fn position(&self, slot: usize) -> f32 {
        self.0[slot].load(Ordering::Relaxed)
    }
    fn set_position(&self, slot: usize, position: f32) {
        self.0[slot].store(position, Ordering::Relaxed);
    }
}

fn patch(declarations: &str) -> String {
    csd(
        &format!("{declarations}\ninstr 1\n kg chnget \"gain\"\n a1 poscil kg, 440\n outs a1, a1\nendin\n"),
        "i 1 0 z\n",
    )
}

fn config() -> EngineConfig {
    EngineConfig::plugin(48_000.0, false)
}

fn slot_of(compiler: &Compiler, channel: &str) -> Option<usize> {
    compiler.shared().slots.map.load().0.get(channel).copied()
}

#[test]
fn declared_controls_take_slots_start_at_their_default_and_drive_the_sound() {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let values = Arc::new(Values(std::array::from_fn(|_| AtomicF32::new(0.0))));
    assert!(compiler.shared().slots.values.set(values.clone()).is_ok());
    let active = compiler.activate(config());
    let code = Arc::new(patch(
        "chn_k \"gain\", 1, 2, 0.5, 0, 1\nchn_k \"cutoff\", 1, 3, 1000, 20, 20000",
    ));
    let ready = compiler
        .shared()
        .build(code, &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    // Csound lists channels alphabetically: cutoff, then gain.
    assert_eq!(slot_of(&compiler, "cutoff"), Some(0));
    assert_eq!(slot_of(&compiler, "gain"), Some(1));
    let table = compiler.shared().slots.table.load();
    let gain = table.get(1).cloned().expect("gain is bound");
    assert_eq!(
        gain.format(gain.value_at(f64::from(values.position(1)))),
        "0.500"
    );
    let cutoff = table.get(0).cloned().expect("cutoff is bound");
    assert!((cutoff.value_at(f64::from(values.position(0))) - 1000.0).abs() < 0.01);

    let mut processor = Processor::new(
        compiler.shared().handover.clone(),
        compiler.retire_sender(),
        false,
    );
    processor
        .activate(
            Some(ready),
            active.generation,
            Channels::STEREO,
            512,
            48_000.0,
        )
        .expect("buffers");
    let at_default = render(&mut processor, &values, 20);
    let peak = analysis::peak(&at_default, 4_000..10_240);
    assert!(
        (peak - 0.5).abs() < 0.01,
        "default gain 0.5 gives peak {peak}"
    );
    values.set_position(1, 0.2);
    let turned_down = render(&mut processor, &values, 20);
    let peak = analysis::peak(&turned_down, 1_000..10_240);
    assert!((peak - 0.2).abs() < 0.01, "gain 0.2 gives peak {peak}");
}

#[test]
fn surviving_channels_keep_their_slots_across_recompiles() {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let values = Arc::new(Values(std::array::from_fn(|_| AtomicF32::new(0.0))));
    assert!(compiler.shared().slots.values.set(values.clone()).is_ok());
    let active = compiler.activate(config());
    let first = patch(
        "chn_k \"gain\", 1, 2, 0.5, 0, 1\nchn_k \"bright\", 1, 2, 0, 0, 1\nchn_k \"drive\", 1, 2, 0, 0, 10",
    );
    compiler
        .shared()
        .build(Arc::new(first), &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    let before: Vec<_> = ["bright", "drive", "gain"]
        .iter()
        .map(|c| slot_of(&compiler, c))
        .collect();
    assert_eq!(before, vec![Some(0), Some(1), Some(2)]);
    values.set_position(2, 0.8); // the user moved gain
                                 // "drive" removed, "air" added; "gain" gets a wider range.
    let second = patch(
        "chn_k \"air\", 1, 2, 0.25, 0, 1\nchn_k \"gain\", 1, 2, 0.5, 0, 2\nchn_k \"bright\", 1, 2, 0, 0, 1",
    );
    compiler
        .shared()
        .build(Arc::new(second), &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    assert_eq!(slot_of(&compiler, "bright"), Some(0));
    assert_eq!(slot_of(&compiler, "gain"), Some(2));
    assert_eq!(
        slot_of(&compiler, "drive"),
        Some(1),
        "a removed channel keeps its slot"
    );
    assert_eq!(
        slot_of(&compiler, "air"),
        Some(3),
        "a new channel takes a free slot"
    );
    let table = compiler.shared().slots.table.load();
    assert!(
        table.get(1).is_none(),
        "the removed channel's slot drives nothing"
    );
    // The moved gain keeps its value (0.8) in the new range 0..2.
    let gain = table.get(2).cloned().expect("gain bound");
    assert!((gain.value_at(f64::from(values.position(2))) - 0.8).abs() < 1e-6);
    // The new channel starts at its default.
    assert!((values.position(3) - 0.25).abs() < 1e-6);
}

/// A loaded state can give a slot to another channel than the one it drove: the slot's
/// value (restored by the host with the state) is the new channel's, not a rescaled
/// value of the old one.
#[test]
fn a_slot_given_to_another_channel_keeps_the_hosts_value() {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let values = Arc::new(Values(std::array::from_fn(|_| AtomicF32::new(0.0))));
    assert!(compiler.shared().slots.values.set(values.clone()).is_ok());
    let active = compiler.activate(config());
    let attack = patch("chn_k \"attack\", 1, 3, 0.005, 0.001, 4\nchn_k \"gain\", 1, 2, 0.5, 0, 1");
    compiler
        .shared()
        .build(Arc::new(attack), &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    assert_eq!(slot_of(&compiler, "attack"), Some(0));
    // The host loads a session where slot 0 is `gain` at 0.3.
    let mut map = csound_plug::slots::SlotMap::default();
    map.0.insert("gain".into(), 0);
    compiler.shared().slots.map.store(Arc::new(map));
    values.set_position(0, 0.3);
    let gain = patch("chn_k \"gain\", 1, 2, 0.5, 0, 1");
    compiler
        .shared()
        .build(Arc::new(gain), &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    assert_eq!(slot_of(&compiler, "gain"), Some(0));
    assert_eq!(values.position(0), 0.3);
}

#[test]
fn invalue_reads_the_controls_and_outputs_are_published() {
    let compiler = Compiler::spawn().expect("the compiler starts");
    let values = Arc::new(Values(std::array::from_fn(|_| AtomicF32::new(0.0))));
    assert!(compiler.shared().slots.values.set(values.clone()).is_ok());
    let active = compiler.activate(config());
    // The patch reads its gain with invalue (CsoundQt style), reports a level through a
    // chn_k output channel and a count through outvalue.
    let code =
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
        chn_k \"gain\", 1, 2, 0.4, 0, 1\nchn_k \"level\", 2\nchn_k \"reduction\", 2, 2, 0, 0, 24\n\
        instr 1\n kg invalue \"gain\"\n a1 poscil kg, 440\n chnset kg * 10, \"level\"\n\
        kred = 3\n chnset kred, \"reduction\"\n kc init 0\n kc += 1\n outvalue \"cycles\", kc\n outs a1, a1\nendin\n\
        </CsInstruments>\n<CsScore>\ni 1 0 z\n</CsScore>\n</CsoundSynthesizer>\n";
    let ready = compiler
        .shared()
        .build(Arc::new(code.into()), &active, BindMode::Edit, Trust::Own)
        .expect("compiles");
    let mut processor = Processor::new(
        compiler.shared().handover.clone(),
        compiler.retire_sender(),
        false,
    );
    processor
        .activate(
            Some(ready),
            active.generation,
            Channels::STEREO,
            512,
            48_000.0,
        )
        .expect("buffers");
    let left = render(&mut processor, &values, 20);
    let peak = analysis::peak(&left, 2_000..10_240);
    assert!(
        (peak - 0.4).abs() < 0.01,
        "invalue gave the declared default: peak {peak}"
    );
    let outputs = compiler.shared().status.outputs.load();
    assert_eq!(outputs.names(), ["level", "reduction", "cycles"]);
    // A declared range makes the editor's meter; none, a number.
    assert_eq!(outputs.range("reduction"), Some((0.0, 24.0)));
    assert_eq!(outputs.get("reduction"), Some(3.0));
    // Written at k-rate, it stays an output: no host parameter.
    assert_eq!(slot_of(&compiler, "reduction"), None);
    assert_eq!(outputs.range("level"), None);
    assert_eq!(outputs.range("cycles"), None);
    let level = outputs.get("level").expect("level published");
    assert!((level - 4.0).abs() < 1e-6, "level {level}");
    // 20 blocks of 512 frames = 320 k-cycles, plus the two warm-up cycles.
    assert_eq!(outputs.get("cycles"), Some(322.0));
}

/// `blocks` blocks of 512 frames with the host's slot values; the left channel.
fn render(processor: &mut Processor, values: &Values, blocks: usize) -> Vec<f32> {
    let mut out = Vec::new();
    for _ in 0..blocks {
        let (mut l, mut r) = (vec![0.0f32; 512], vec![0.0f32; 512]);
        for slot in 0..SLOT_COUNT {
            processor.slot_positions_mut()[slot] = values.position(slot);
        }
        processor.process(
            &Input::<&[f32]>::Silence,
            &mut [&mut l[..], &mut r[..]],
            512,
        );
        out.extend_from_slice(&l);
    }
    out
}
