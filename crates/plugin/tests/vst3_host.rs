//! Through a VST3 host: the edit controller holds the values the host sets while the
//! processor runs (Steinberg's validator checks this with the bypass parameter), bus
//! arrangements are read within the host's arrays and a host that passes fewer buses than
//! declared is served, and one
//! `process()` call carrying a value for every parameter (as Ardour sends when it restores
//! a session: 2,080 of them are the hidden MIDI-controller parameters) and a thousand notes
//! allocates nothing.
//!
//! The first test loads the built `.vst3` bundle (`cargo xtask test` builds it); the
//! second links the plugin into this test so that the counting allocator below sees every
//! allocation nice-plug's wrapper makes, also those it permits itself.

use csound_plug_testkit::vst3::{event_list, parameter_changes, Module, Note, Plugin};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the allocations made on a thread while it has `COUNTING` set.
struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note_allocation() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator; the counter itself never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations made by `run` on this thread.
fn allocations_in(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|counting| counting.set(true));
    run();
    COUNTING.with(|counting| counting.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

// The plugin's own factory, linked in from the library this test depends on.
extern "system" {
    fn GetPluginFactory() -> *mut c_void;
}

fn linked_module() -> Module {
    // Referencing the crate keeps its exported entry points in this test binary.
    let _ = <csound_plug::flavor::Instrument as csound_plug::flavor::Flavor>::NAME;
    // SAFETY: the plugin's own VST3 factory entry point, which returns a new reference.
    unsafe { Module::from_factory(GetPluginFactory()) }
}

const FRAMES: usize = 256;

/// Whether the first output bus carries sound.
fn sounds(plugin: &Plugin, blocks: usize) -> bool {
    let mut buffers = plugin.buffers();
    let (changes, events) = (parameter_changes(&[]), event_list(&[]));
    (0..blocks).any(|_| {
        plugin.process(&mut buffers, FRAMES, &changes, &events);
        buffers.outputs[0]
            .iter()
            .any(|channel| channel.iter().any(|s| s.abs() > 1e-3))
    })
}

#[test]
fn the_controller_holds_what_the_host_sets_while_processing() {
    let module = Module::load_bundle();
    for name in ["Csound Plug", "Csound Plug FX"] {
        let plugin = module.create(name, FRAMES);
        let bypass = plugin.bypass_id().expect("a bypass parameter");
        plugin.start();
        let mut buffers = plugin.buffers();
        let no_events = event_list(&[]);

        // Steinberg's bypass-persistence steps: the controller first, then the processor.
        assert_eq!(plugin.set_param(bypass, 1.0), 0, "{name}: kResultOk");
        assert_eq!(
            plugin.param(bypass),
            1.0,
            "{name}: the controller reads it back"
        );
        let on = parameter_changes(&[(bypass, 0, 1.0)]);
        plugin.process(&mut buffers, FRAMES, &on, &no_events);
        assert_eq!(plugin.param(bypass), 1.0, "{name}: the processor took it");
        let saved = plugin.state();

        assert_eq!(plugin.set_param(bypass, 0.0), 0);
        assert_eq!(plugin.param(bypass), 0.0, "{name}: off in the controller");
        let off = parameter_changes(&[(bypass, 0, 0.0)]);
        plugin.process(&mut buffers, FRAMES, &off, &no_events);
        plugin.stop();

        assert_eq!(plugin.set_state(&saved), 0, "{name}: the state loads");
        assert_eq!(
            plugin.param(bypass),
            1.0,
            "{name}: the saved bypass is back"
        );
    }
}

#[test]
fn a_block_with_every_parameter_and_a_thousand_notes_allocates_nothing() {
    let module = linked_module();
    let plugin = module.create("Csound Plug", FRAMES);
    let parameters = plugin.parameters();
    assert!(
        parameters.len() > 2_080,
        "the hidden MIDI-controller parameters are listed ({})",
        parameters.len()
    );
    plugin.start();
    let mut buffers = plugin.buffers();
    // Warm up: the first blocks hand the engine over.
    sounds(&plugin, 8);

    // Every parameter at its current value, as a host restoring a session sends them,
    // the bypass left off.
    let points: Vec<_> = parameters
        .iter()
        .map(|param| {
            let value = if param.title == "Bypass" {
                0.0
            } else {
                plugin.param(param.id)
            };
            (param.id, 0, value)
        })
        .collect();
    let changes = parameter_changes(&points);
    let notes: Vec<Note> = (0..1_024)
        .map(|i| Note {
            offset: (i % FRAMES) as i32,
            channel: 0,
            key: 48 + (i % 24) as i16,
            velocity: if i % 2 == 0 { 0.8 } else { 0.0 },
        })
        .collect();
    let events = event_list(&notes);
    let mut call = plugin.prepare(&mut buffers, FRAMES, &changes, &events);
    let mut result = -1;
    let allocations = allocations_in(|| result = call.run());
    assert_eq!(result, 0, "kResultOk");
    assert_eq!(
        allocations,
        0,
        "process() allocated with {} parameter changes and {} notes in one block",
        points.len(),
        notes.len()
    );

    // Still playing: a chord after the flood sounds.
    let chord: Vec<Note> = [60, 64, 67]
        .iter()
        .map(|&key| Note {
            offset: 0,
            channel: 0,
            key,
            velocity: 0.8,
        })
        .collect();
    let chord = event_list(&chord);
    plugin.process(&mut buffers, FRAMES, &parameter_changes(&[]), &chord);
    assert!(sounds(&plugin, 20), "the instrument plays after the flood");
    plugin.stop();
}

/// Speaker arrangements: a bit per channel.
const STEREO: u64 = 0b11;
const MONO: u64 = 0b1;

/// The instrument's buses: the side-chain in; the main output and seven stereo ones.
const INSTRUMENT_OUTPUTS: [u64; 8] = [STEREO; 8];

#[test]
fn bus_arrangements_and_a_missing_side_chain() {
    let module = Module::load_bundle();
    let mut plugin = module.create("Csound Plug", FRAMES);
    assert_eq!(
        plugin.buses(),
        (vec![2], vec![2; 8]),
        "side-chain in, main and seven auxiliary outputs"
    );
    // The side-chain and the main output start active, the other outputs off; names
    // from the layout.
    let [inputs, outputs] = plugin.bus_names_and_defaults();
    assert_eq!(inputs, [("Side-chain".to_string(), true)]);
    assert_eq!(outputs[0], ("Output".to_string(), true));
    assert_eq!(outputs[1], ("Out 3-4".to_string(), false));
    assert!(outputs[1..].iter().all(|(_, active)| !active));
    assert_eq!(
        plugin.set_bus_arrangements(&[STEREO], &INSTRUMENT_OUTPUTS),
        0,
        "the declared layout is accepted"
    );
    // A disabled auxiliary bus may come as an empty arrangement (JUCE hosts).
    let mut one_off = INSTRUMENT_OUTPUTS;
    one_off[3] = 0;
    assert_eq!(plugin.set_bus_arrangements(&[0], &one_off), 0);
    let mut five_on_main = INSTRUMENT_OUTPUTS;
    five_on_main[0] = 0b11111;
    for (inputs, outputs) in [
        (&[MONO][..], &INSTRUMENT_OUTPUTS[..]),
        (&[STEREO, STEREO][..], &INSTRUMENT_OUTPUTS[..]),
        (&[STEREO][..], &five_on_main[..]),
        (&[STEREO][..], &[][..]),
        (&[][..], &[][..]),
    ] {
        assert_ne!(
            plugin.set_bus_arrangements(inputs, outputs),
            0,
            "{inputs:?} -> {outputs:?} is refused"
        );
    }

    // Mono, the other layout each entry offers.
    let mut mono_main = INSTRUMENT_OUTPUTS;
    mono_main[0] = MONO;
    assert_eq!(plugin.set_bus_arrangements(&[MONO], &mono_main), 0);
    assert_eq!(plugin.buses(), (vec![1], [vec![1], vec![2; 7]].concat()));
    assert_eq!(
        plugin.set_bus_arrangements(&[STEREO], &INSTRUMENT_OUTPUTS),
        0
    );
    assert_eq!(plugin.buses(), (vec![2], vec![2; 8]));

    // The host passes no input bus at all: the instrument plays.
    plugin.start();
    let mut buffers = plugin.buffers();
    buffers.inputs.clear();
    let on = event_list(&[Note {
        offset: 0,
        channel: 0,
        key: 69,
        velocity: 0.8,
    }]);
    let none = event_list(&[]);
    let no_changes = parameter_changes(&[]);
    plugin.process(&mut buffers, FRAMES, &no_changes, &on);
    let played = (0..20).any(|_| {
        plugin.process(&mut buffers, FRAMES, &no_changes, &none);
        buffers.outputs[0][0].iter().any(|s| s.abs() > 1e-3)
    });
    assert!(played, "the note sounds without a side-chain bus");
    plugin.stop();
}

/// Eight channels, a constant per channel: 0.1·n on channel n.
const EIGHT_CONSTANTS: &str = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\n\
    nchnls = 8\n0dbfs = 1\ninstr 1\n  outch 1, a(0.1), 2, a(0.2), 3, a(0.3), 4, a(0.4), \
    5, a(0.5), 6, a(0.6), 7, a(0.7), 8, a(0.8)\nendin\n</CsInstruments>\n<CsScore>\n\
    i 1 0 z\n</CsScore>\n<CsoundPlug>\n[buses]\noutputs = [\"Mix\", \"Kick\"]\n</CsoundPlug>\n\
    </CsoundSynthesizer>\n";

#[test]
fn auxiliary_outputs_play_once_the_host_activates_them() {
    let module = Module::load_bundle();
    let plugin = module.create("Csound Plug", FRAMES);
    // A VST3 state is the JSON alone.
    let saved: serde_json::Value = serde_json::from_slice(&plugin.state()).expect("JSON");
    let state = csound_plug_testkit::clap::with_patch_code(&saved, EIGHT_CONSTANTS);
    let bytes = serde_json::to_vec(&state).expect("JSON");
    assert_eq!(plugin.set_state(&bytes), 0);
    // The patch names its buses.
    let [_, outputs] = plugin.bus_names_and_defaults();
    let names: Vec<&str> = outputs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names[..3], ["Mix", "Kick", "Out 5-6"]);
    // The second auxiliary bus (channels 5–6) on, the others as they start (off).
    assert_eq!(plugin.activate_bus(false, 2, true), 0);
    plugin.start();
    let mut buffers = plugin.buffers();
    let (changes, events) = (parameter_changes(&[]), event_list(&[]));
    for _ in 0..4 {
        for bus in buffers.outputs.iter_mut() {
            for channel in bus.iter_mut() {
                channel.fill(-1.0);
            }
        }
        plugin.process(&mut buffers, FRAMES, &changes, &events);
    }
    let last = |bus: usize, side: usize| buffers.outputs[bus][side][FRAMES - 1];
    assert_eq!([last(0, 0), last(0, 1)], [0.1, 0.2], "main");
    assert_eq!([last(2, 0), last(2, 1)], [0.5, 0.6], "the active bus");
    // An inactive bus is not written (the host does not read it).
    assert_eq!([last(1, 0), last(3, 1)], [-1.0, -1.0]);
    plugin.stop();
}

#[test]
fn the_effect_runs_on_a_mono_bus() {
    let module = Module::load_bundle();
    let mut fx = module.create("Csound Plug FX", FRAMES);
    // Main input and side-chain, main output.
    assert_eq!(fx.set_bus_arrangements(&[MONO, MONO], &[MONO]), 0);
    assert_eq!(fx.buses(), (vec![1, 1], vec![1]));
    fx.start();
    let mut buffers = fx.buffers();
    let (changes, events) = (parameter_changes(&[]), event_list(&[]));
    let mut sounded = false;
    for block in 0..40 {
        let tone = csound_plug_testkit::analysis::sine(440.0, 48_000.0, FRAMES, 0.5);
        buffers.inputs[0][0].copy_from_slice(if block < 4 { &tone } else { &[0.0; FRAMES] });
        fx.process(&mut buffers, FRAMES, &changes, &events);
        assert!(buffers.outputs[0][0].iter().all(|s| s.is_finite()));
        sounded |= buffers.outputs[0][0].iter().any(|s| s.abs() > 0.05);
    }
    assert!(sounded, "the echo plays on the one channel");
    fx.stop();
}
