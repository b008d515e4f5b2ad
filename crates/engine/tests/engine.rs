//! Engine-level tests: block-size invariance, notes, compile errors, the fallback.

use csound_plug_engine::block::Input;
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::midi::MidiEvent;
use csound_plug_engine::render::{render, InputAudio, RenderOptions, Rendered};
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_testkit::analysis;
use std::sync::Arc;

/// The first default effect, kept as a fixture: tests edit its text.
use csound_plug_testkit::PING_PONG_ECHO;
use csound_plug_testkit::TWO_OSC_SYNTH;

fn patch(name: &str) -> String {
    let path = csound_plug_testkit::patches_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn render_blocks(code: &str, blocks: Vec<usize>, input: Option<InputAudio>) -> Rendered {
    let options = RenderOptions {
        blocks,
        input,
        ..RenderOptions::default()
    };
    render(code, &options, |_, _| {}).expect("patch renders")
}

/// A deterministic sequence of block sizes between 1 and 700.
fn random_blocks(n: usize) -> Vec<usize> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 700) as usize + 1
        })
        .collect()
}

fn assert_same(reference: &Rendered, other: &Rendered, what: &str) {
    assert_eq!(reference.channels.len(), other.channels.len(), "{what}");
    for (a, b) in reference.channels.iter().zip(&other.channels) {
        assert_eq!(a.len(), b.len(), "{what}: length");
        let first_diff = a
            .iter()
            .zip(b)
            .position(|(x, y)| x.to_bits() != y.to_bits());
        assert_eq!(first_diff, None, "{what}: first differing frame");
    }
}

#[test]
fn output_does_not_depend_on_host_block_sizes() {
    let code = patch("long_score.csd");
    let reference = render_blocks(&code, vec![64], None);
    assert!(analysis::peak(&reference.channels[0], 0..reference.channels[0].len()) > 0.01);
    for size in [1, 7, 32, 100, 512, 4096] {
        assert_same(
            &reference,
            &render_blocks(&code, vec![size], None),
            &format!("block {size}"),
        );
    }
    assert_same(
        &reference,
        &render_blocks(&code, random_blocks(97), None),
        "random blocks",
    );
}

#[test]
fn effect_output_does_not_depend_on_host_block_sizes() {
    let sr = 48_000;
    let left = analysis::tone_burst(220.0, f64::from(sr), 4_800, 240, 3 * sr as usize, 0.5);
    let right = analysis::sine(330.0, f64::from(sr), 3 * sr as usize, 0.3);
    let input = InputAudio {
        channels: vec![left, right],
        sample_rate: sr,
    };
    let code = PING_PONG_ECHO.replace("i 1 0 z", "i 1 0 3");
    let reference = render_blocks(&code, vec![512], Some(input.clone()));
    for blocks in [vec![1], vec![37], vec![4096], random_blocks(31)] {
        let what = format!("blocks {:?}", &blocks[..blocks.len().min(4)]);
        assert_same(
            &reference,
            &render_blocks(&code, blocks, Some(input.clone())),
            &what,
        );
    }
    // The echo is there: 300 ms after the burst's start, about half its level.
    let l = &reference.channels[0];
    let dry = analysis::rms(l, 0..4_800);
    let echo = analysis::rms(l, 14_400..14_400 + 4_800);
    assert!(
        echo > 0.3 * dry && echo < 1.2 * dry,
        "dry {dry}, echo {echo}"
    );
}

/// Runs `engine` for `frames` frames in blocks of `block`, with `events` at absolute frames.
fn run(
    engine: &mut Engine,
    frames: usize,
    block: usize,
    events: &[(usize, MidiEvent)],
) -> Vec<f32> {
    let mut out = vec![0.0f32; frames];
    let mut right = vec![0.0f32; block];
    let mut start = 0;
    while start < frames {
        let n = block.min(frames - start);
        let block_events: Vec<MidiEvent> = events
            .iter()
            .filter(|(at, _)| (start..start + n).contains(at))
            .filter_map(|(at, e)| {
                // The same message, at its offset inside this block.
                let (bytes, len) = e.to_bytes();
                MidiEvent::from_bytes((at - start) as u32, &bytes[..len])
            })
            .collect();
        let (left, _) = out.split_at_mut(start + n);
        let mut outputs = [&mut left[start..], &mut right[..n]];
        engine.process(&Input::<&[f32]>::Silence, &mut outputs, n, &block_events);
        start += n;
    }
    out
}

fn plugin_config() -> EngineConfig {
    EngineConfig::plugin(48_000.0, false)
}

#[test]
fn notes_play_the_pitch_of_their_key_and_stop_after_note_off() {
    let ring = Arc::new(MessageRing::new(256));
    let (mut engine, _) = Engine::compile(TWO_OSC_SYNTH, &plugin_config(), ring).expect("compiles");
    assert_eq!(engine.latency(), 32);
    let on = |key| MidiEvent::On {
        offset: 0,
        channel: 0,
        key,
        velocity: 100,
    };
    let off = |key| MidiEvent::Off {
        offset: 0,
        channel: 0,
        key,
    };
    let out = run(
        &mut engine,
        110_000,
        100,
        &[
            (1_000, on(69)),
            (30_000, off(69)),
            (50_000, on(60)),
            (70_000, off(60)),
        ],
    );
    // Silent until the note comes out, one latency after its frame.
    assert_eq!(analysis::peak(&out, 0..1_000 + 32), 0.0);
    assert!(analysis::peak(&out, 1_000 + 32..1_300) > 0.0);
    let a4 = analysis::fundamental(&out[8_000..28_000], 48_000.0).expect("a pitch");
    assert!((a4 - 440.0).abs() < 1.0, "A4 measured {a4} Hz");
    let c4 = analysis::fundamental(&out[55_000..69_000], 48_000.0).expect("a pitch");
    assert!((c4 - 261.626).abs() < 1.0, "C4 measured {c4} Hz");
    // Released within 0.4 s of each note-off (the release segment is 0.3 s).
    assert!(analysis::peak(&out, 30_000 + 19_200..50_000) < 1e-4);
    assert!(analysis::peak(&out, 70_000 + 19_200..110_000) < 1e-4);
}

#[test]
fn compile_errors_name_their_line() {
    let code = TWO_OSC_SYNTH.replace("outs aout, aout", "outs aout, aout bogus");
    let line = code.lines().position(|l| l.contains("bogus")).unwrap() + 1;
    let ring = Arc::new(MessageRing::new(64));
    let error = match Engine::compile(&code, &plugin_config(), ring) {
        Ok(_) => panic!("broken code compiled"),
        Err(error) => error,
    };
    assert!(
        error.errors.iter().any(|e| e.line == Some(line)),
        "expected an error on line {line}: {error}"
    );
    assert!(error.to_string().contains(&format!("line {line}")));
}

#[test]
fn a_front_end_panel_after_the_closing_tag_is_not_read() {
    // CsoundQt keeps its widget panel after `</CsoundSynthesizer>`, sometimes with NUL
    // bytes; Csound stops reading at the tag, and so does the engine.
    let plain = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n a1 oscili 0.5, 440\n outs a1, a1\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 0.2\n</CsScore>\n\
        </CsoundSynthesizer>\n";
    let with_panel = format!(
        "{plain}<bsbPanel>\n <label>\0\0</label>\n</bsbPanel>\n<CsScore>\ni 1 0 5\n</CsScore>\n"
    );
    let (a, b) = (
        render_blocks(plain, vec![64], None),
        render_blocks(&with_panel, vec![64], None),
    );
    assert!(analysis::peak(&a.channels[0], 0..a.channels[0].len()) > 0.4);
    assert_eq!(a.channels, b.channels, "the same sound, the same length");
}

#[test]
fn zero_dbfs_scales_both_ways() {
    // An old-style patch at 0dbfs = 32768 copying its input: the host sees its own signal.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 32768\n\
        instr 1\n a1, a2 ins\n outs a1, a2 * 0.5\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";
    let input = InputAudio {
        channels: vec![analysis::sine(100.0, 48_000.0, 48_000, 0.5); 2],
        sample_rate: 48_000,
    };
    let out = render_blocks(code, vec![33], Some(input.clone()));
    assert_eq!(out.channels[0], input.channels[0]);
    let halved: Vec<f32> = input.channels[1].iter().map(|s| s * 0.5).collect();
    assert_eq!(out.channels[1], halved);
}

#[test]
fn device_options_in_the_patch_open_nothing_and_change_nothing() {
    let plain = TWO_OSC_SYNTH.replace("<CsScore>", "<CsScore>\ni 1 0 0.5 64 100 1");
    let with_devices = plain.replace(
        "<CsOptions>",
        "<CsOptions>\n-odac -iadc -Ma -Q0 -+rtmidi=alsa -+rtaudio=jack -b 128 -B 512",
    );
    let a = render_blocks(&plain, vec![64], None);
    let b = render_blocks(&with_devices, vec![64], None);
    assert!(analysis::peak(&a.channels[0], 0..a.channels[0].len()) > 0.05);
    assert_same(&a, &b, "with device options");
}

#[test]
fn notes_start_on_their_own_frame_plus_the_latency() {
    // An instrument whose first sample is already full level.
    let code = |ksmps: usize| {
        format!(
            "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = {ksmps}\nnchnls = 2\n0dbfs = 1\n\
             instr 1\n a1 = 0.5\n outs a1, a1\nendin\n</CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n"
        )
    };
    let mut errors = Vec::new();
    for ksmps in [1, 16, 64] {
        for block in [1, 37, 64, 512] {
            for at in [0, 1, 15, 16, 17, 63, 64, 65, 100, 511, 777] {
                let ring = Arc::new(MessageRing::new(64));
                let (mut engine, _) =
                    Engine::compile(&code(ksmps), &plugin_config(), ring).expect("compiles");
                let on = MidiEvent::On {
                    offset: 0,
                    channel: 0,
                    key: 60,
                    velocity: 100,
                };
                let out = run(&mut engine, 2_000, block, &[(at, on)]);
                let onset = analysis::first_above(&out, 0.25);
                if onset != Some(at + ksmps) {
                    errors.push(format!(
                        "ksmps {ksmps} block {block} frame {at}: onset {onset:?}"
                    ));
                }
            }
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn error_lines_point_into_the_users_text_after_macros() {
    // Csound 6.18 restarts its line count after a macro with arguments; the error must
    // still point at the line the user wrote.
    let code = "<CsoundSynthesizer>\n<CsOptions>\n-d\n; options comment\n</CsOptions>\n\
        <CsInstruments>\n/* a block\n   comment */\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
        #define GAIN # 0.5 #\n#define TWICE(x) #\n  $x * 2\n#\n\ninstr 1\n  a1 oscili $GAIN, 440\n\
        a2 = $TWICE(a1)\n  outs a1, a2 nonsense\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 1\n\
        </CsScore>\n</CsoundSynthesizer>\n";
    let line = code.lines().position(|l| l.contains("nonsense")).unwrap() + 1;
    let ring = Arc::new(MessageRing::new(64));
    let error = match Engine::compile(code, &plugin_config(), ring) {
        Ok(_) => panic!("broken code compiled"),
        Err(error) => error,
    };
    assert_eq!(error.errors.len(), 1, "{error}");
    assert_eq!(error.errors[0].line, Some(line), "{error}");
}

#[test]
fn host_information_channels_follow_the_transport_every_k_cycle() {
    // The patch writes TIME_IN_SAMPLES, HOST_BPM and IS_PLAYING into its output.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n kt chnget \"TIME_IN_SAMPLES\"\n kb chnget \"HOST_BPM\"\n kp chnget \"IS_PLAYING\"\n\
        outs upsamp(kt / 1e6), upsamp(kb / 1000 + kp)\nendin\n</CsInstruments>\n<CsScore>\ni 1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";
    let out = render_blocks(code, vec![37], None);
    // Offline the transport plays from 0 at 120 BPM; each k-cycle sees its own start.
    for cycle in [0usize, 1, 100, 2_000] {
        let frame = cycle * 16;
        let seen = f64::from(out.channels[0][frame + 3]) * 1e6;
        assert!(
            (seen - frame as f64).abs() < 0.5,
            "cycle {cycle}: TIME_IN_SAMPLES {seen}"
        );
    }
    assert!(
        (out.channels[1][500] - 1.12).abs() < 1e-6,
        "bpm/1000 + playing: {}",
        out.channels[1][500]
    );
}

#[test]
fn the_score_can_follow_the_host_transport() {
    // A note at 2 s in the patch's score; the host starts playing at 1.5 s.
    let code = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 16\nnchnls = 2\n0dbfs = 1\n\
        instr 1\n a1 poscil 0.3, 440\n outs a1, a1\nendin\n</CsInstruments>\n\
        <CsScore>\ni 1 2 1\n</CsScore>\n<CsoundPlug>\nfollow_transport = true\n</CsoundPlug>\n</CsoundSynthesizer>\n";
    let ring = Arc::new(MessageRing::new(256));
    let (mut engine, _) = Engine::compile(code, &plugin_config(), ring).expect("compiles");
    let out = play_from(&mut engine, 1.5, 200);
    assert!(!engine.is_finished(), "the performance outlives the score");
    // The note starts 0.5 s after playback started (plus the latency), not 2 s.
    let onset = analysis::first_above(&out, 0.01).expect("the note plays");
    assert!((24_000..24_000 + 16 + 48).contains(&onset), "onset {onset}");
    // A locate back to 1.9 s plays the note again 0.1 s later.
    let again = play_from(&mut engine, 1.9, 40);
    let onset = analysis::first_above(&again, 0.01).expect("the note plays again");
    assert!(
        (4_800..4_800 + 16 + 48).contains(&onset),
        "onset after locate {onset}"
    );
}

/// Plays `blocks` blocks of 480 frames with the transport running from `seconds`.
fn play_from(engine: &mut Engine, seconds: f64, blocks: usize) -> Vec<f32> {
    use csound_plug_engine::channels::HostInfo;
    let block = 480;
    let mut out = Vec::new();
    for n in 0..blocks {
        engine.set_host_info(&HostInfo {
            playing: true,
            position_samples: seconds * 48_000.0 + (n * block) as f64,
            ..HostInfo::default()
        });
        let (mut l, mut r) = (vec![0.0f32; block], vec![0.0f32; block]);
        engine.process(
            &Input::<&[f32]>::Silence,
            &mut [&mut l[..], &mut r[..]],
            block,
            &[],
        );
        out.extend(l);
    }
    out
}
