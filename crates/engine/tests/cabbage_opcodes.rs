//! Cabbage's own opcodes in a patch written for Cabbage, rendered: values read and
//! written through the widgets' channels, change triggers, `value` through `cabbageSet`,
//! other identifiers published for the editor in order, the saved state values, the
//! change watcher, filtered widget lists, the file opcodes, the file-name helpers, a
//! widget's bounds read from the section, and Csound's line numbers unchanged in front
//! of them.

use csound_plug_engine::block::Input;
use csound_plug_engine::cabbage::state::{SharedValues, StateValues};
use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::render::{render, RenderOptions};
use csound_plug_engine::{Engine, EngineConfig};
use csound_plug_testkit::analysis::peak;
use std::sync::Arc;

const SR: usize = 48_000;

/// Four outputs: the gain widget's level on a sine, the changes counted, the file-name
/// helpers' verdict, and the channel list's length.
const PATCH: &str = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 4
0dbfs = 1
instr 1
  kGain cabbageGetValue "gain"
  kValue, kChanged cabbageGetValue "gain"
  kCount init 0
  kCount += kChanged
  SFile = "/home/jo/kit/kick.wav"
  iNames = (strcmp(cabbageGetFileNoExtension(SFile), "kick") == 0 ? 1 : 0)
  iNames += (strcmp(cabbageGetFileExtension(SFile), ".wav") == 0 ? 1 : 0)
  iNames += (strcmp(cabbageGetFilePath(SFile), "/home/jo/kit") == 0 ? 1 : 0)
  iNames += (strcmp(cabbageGetFilename(SFile), "kick.wav") == 0 ? 1 : 0)
  iBounds[] cabbageGet "gain", "bounds"
  iNames += (iBounds[0] == 10 && iBounds[1] == 20 && iBounds[2] == 80 && iBounds[3] == 90 ? 1 : 0)
  SChannels[] cabbageGetWidgetChannels
  out oscili(kGain, 440), a(kCount / 10), a(iNames / 5), a(lenarray(SChannels) / 10)
endin
instr 2
  cabbageSetValue "gain", 0.25
endin
instr 3
  cabbageSet "gain", "value(0.75)"
  cabbageSet "gain", "visible(0)"
  cabbageSet 1, "gain", "colour", 255, 0, 0
  cabbageSet 1, "gain", "visible", 1
endin
instr 4
  kTrig init 0
  kTrig = 1 - kTrig
  cabbageSetValue "gain", 0.125, kTrig
endin
</CsInstruments>
<CsScore>
i 1 0 1
i 2 0.25 0.01
i 3 0.5 0.01
i 4 0.75 0.001
</CsScore>
<Cabbage>
form caption("Opcodes") size(300, 200)
rslider bounds(10, 20, 80, 90) channel("gain") range(0, 1, 0.5)
checkbox bounds(100, 10, 80, 20) channel("on") value(1)
</Cabbage>
</CsoundSynthesizer>
"#;

#[test]
fn cabbage_opcodes_read_and_write_the_widgets_channels() {
    let options = RenderOptions::default();
    let rendered = render(PATCH, &options, |_, _| {}).expect("renders");
    let [sine, count, names, channels] = &rendered.channels[..] else {
        panic!("four channels");
    };
    let at = |seconds: f64| (seconds * SR as f64) as usize;
    // The widget's default, then each value the other instruments set.
    for (from, to, level) in [
        (0.0, 0.25, 0.5),
        (0.26, 0.5, 0.25),
        (0.51, 0.75, 0.75),
        (0.76, 1.0, 0.125),
    ] {
        let level_here = peak(sine, at(from + 0.01)..at(to - 0.01));
        assert!(
            (level_here - level).abs() < 0.002,
            "{from}-{to} s: {level_here}"
        );
    }
    // One change counted at each of the three moves.
    for (second, changes) in [(0.2, 0.0), (0.4, 1.0), (0.6, 2.0), (0.9, 3.0)] {
        let value = count[at(second)];
        assert!(
            (value - changes / 10.0).abs() < 1e-6,
            "at {second} s: {value}"
        );
    }
    assert_eq!(
        names[at(0.5)],
        1.0,
        "the file-name helpers and the widget's bounds"
    );
    assert!(
        (channels[at(0.5)] - 0.2).abs() < 1e-6,
        "two widget channels"
    );
    // Identifiers other than the value are published for the editor, not reported.
    assert!(!rendered.log.contains("is accepted"), "{}", rendered.log);
}

#[test]
fn errors_keep_the_patchs_line_numbers() {
    let broken = PATCH.replace(
        "  SChannels[] cabbageGetWidgetChannels\n",
        "  SChannels[] cabbageGetWidgetChannels\n  kBad nosuchopcode 1\n",
    );
    let error = render(&broken, &RenderOptions::default(), |_, _| {}).expect_err("fails");
    let text = format!("{error:?}");
    assert!(text.contains("line 20"), "{text}");
}

/// Compiles `code` as the command line does (with `state` as the saved values) and
/// performs `seconds` of it in 256-frame blocks; returns the engine and each output
/// channel; says what Csound printed while performing.
fn perform(code: &str, state: Option<&str>, seconds: f64) -> (Engine, Vec<Vec<f32>>) {
    let config = EngineConfig {
        cabbage_state: state
            .map(|json| SharedValues(Arc::new(StateValues::from_json(Some(json), 0)))),
        ..EngineConfig::default()
    };
    let ring = Arc::new(MessageRing::new(256));
    let (mut engine, log) = Engine::compile(code, &config, ring.clone()).expect("compiles");
    assert!(!log.contains("error"), "{log}");
    let nchnls = engine.nchnls();
    let mut out = vec![Vec::new(); nchnls];
    let mut block = vec![vec![0.0f32; 256]; nchnls];
    for _ in 0..(seconds * SR as f64 / 256.0) as usize {
        let mut outputs: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
        engine.process(&Input::<Vec<f32>>::Silence, &mut outputs, 256, &[]);
        for (o, b) in out.iter_mut().zip(&block) {
            o.extend_from_slice(b);
        }
    }
    let mut printed = String::new();
    ring.drain_into(&mut printed);
    eprintln!("{printed}");
    (engine, out)
}

/// The identifier updates `engine` published, as "channel: text", oldest first.
fn drained(engine: &Engine) -> Vec<String> {
    let mut got = Vec::new();
    engine
        .widget_updates()
        .drain(|channel, text| got.push(format!("{channel}: {text}")));
    got
}

/// A patch whose `<Cabbage>` section has a knob, a label and a group box with channels
/// and an image without one, around `orchestra`.
fn widget_patch(orchestra: &str, score: &str) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 3\n0dbfs = 1\n\
         {orchestra}\n</CsInstruments>\n<CsScore>\n{score}\n</CsScore>\n<Cabbage>\n\
         form size(300, 200)\nrslider bounds(10, 10, 80, 80) channel(\"gain\") range(0, 1, 0.2)\n\
         label bounds(10, 100, 80, 20) channel(\"title\") text(\"Title\")\n\
         groupbox bounds(100, 10, 150, 150) channel(\"box\") text(\"Box\")\n\
         image bounds(0, 0, 10, 10)\nbutton bounds(0, 0, 10, 10) channel(\"go\")\n\
         </Cabbage>\n</CsoundSynthesizer>\n"
    )
}

#[test]
fn identifier_updates_reach_the_editor_in_order() {
    let code = widget_patch(
        r#"instr 1
  cabbageSet "title", "visible(0) text(\"hi\")"
  cabbageSet "gain", "visible", 0
  cabbageSet "gain", "value", 0.5
  cabbageSet "gain", "value(0.75)"
  cabbageSet "title", "text", "Hello"
  cabbageSet "gain", "colour", 255, 0, 0
  cabbageSet "box", "bounds", 10, 20, 100, 30
  cabbageSet "nowidget", "visible", 0
endin
instr 2
  kCycle init 0
  kCycle += 1
  kTrig = (kCycle == 2 || kCycle == 5 ? 1 : 0)
  cabbageSet kTrig, "box", "bounds", kCycle, 20, 100.5, 30
  cabbageSet kTrig, "title", sprintfk("text(\"cycle %d\")", kCycle)
  cabbageSet 1, "gain", "alpha", 0.5
  cabbageSet kTrig, "gain", "value", 0.25
  out upsamp(chnget:k("gain")), a(0), a(0)
endin"#,
        "i 1 0 0.01\ni 2 0.05 0.05",
    );
    let (engine, out) = perform(&code, None, 0.2);
    let got = drained(&engine);
    assert_eq!(
        got,
        [
            r#"title: visible(0) text("hi")"#,
            "gain: visible(0)",
            r#"title: text("Hello")"#,
            "gain: colour(255, 0, 0)",
            "box: bounds(10, 20, 100, 30)",
            // instr 2: at init the trigger is 0; a held trigger publishes once.
            "gain: alpha(0.5)",
            "box: bounds(2, 20, 100.5, 30)",
            r#"title: text("cycle 2")"#,
            "box: bounds(5, 20, 100.5, 30)",
            r#"title: text("cycle 5")"#,
        ]
    );
    assert_eq!(engine.widget_updates().dropped(), 0);
    // The value forms set the channel instead: 0.75 in instr 2's first k-cycle (output
    // one k-cycle late), 0.25 from its second.
    assert_eq!(out[0][2440], 0.75);
    assert_eq!(out[0][(0.09 * SR as f64) as usize], 0.25);
}

#[test]
fn state_values_are_given_back_and_kept() {
    let code = widget_patch(
        r#"instr 1
  iFreq cabbageGetStateValue "freq"
  cabbageSetStateValue "seen", iFreq * 2
  kMissing cabbageGetStateValue "missing"
  SNames[] cabbageGetStateValue "names"
  SName cabbageGetStateValue "name"
  kList[] cabbageGetStateValue "list"
  iOk = (strcmp(SNames[1], "b") == 0 && strcmp(SName, "Jo") == 0 ? 1 : 0)
  iOk += (lenarray(SNames) == 2 ? 1 : 0)
  ; Read before this instrument sets the list below.
  kListOk init 0
  if timeinstk() == 1 then
    kListOk = (kList[2] == 30 ? 1 : 0)
  endif
  kOk = iOk + kListOk
  cabbageSetStateValue "name", "Jo \"the\" cat"
  kArr[] fillarray 1, 2.5, 3
  cabbageSetStateValue "list", kArr
  out oscili(0.5, iFreq), a(kMissing), a(kOk / 3)
endin
instr 2
  cabbageWriteStateData 1, "{\"pi\": 3.5, \"happy\": true}"
  SAll cabbageReadStateData
  kHas cabbageHasStateData
  if timeinstk() == 1 then
    cabbageSetStateValue "all", SAll
  endif
endin"#,
        "i 1 0 0.2\ni 2 0.1 0.01",
    );
    let saved = r#"{"freq": 880, "names": ["a", "b"], "name": "Jo", "list": [10, 20, 30]}"#;
    let (engine, out) = perform(&code, Some(saved), 0.2);
    let frequency = csound_plug_testkit::analysis::fundamental(&out[0][..8000], SR as f64);
    assert!((frequency.unwrap() - 880.0).abs() < 2.0, "{frequency:?}");
    assert_eq!(out[1][4800], -1.0, "a missing number reads -1");
    assert_eq!(
        out[2][4800], 1.0,
        "strings, string arrays and number arrays read back"
    );
    let mut state = engine.cabbage_state().to_value();
    let all = state.remove("all").expect("the whole state as text");
    let all: serde_json::Value = serde_json::from_str(all.as_str().unwrap()).unwrap();
    assert_eq!(all["pi"], 3.5);
    assert_eq!(all["seen"], 1760.0);
    assert_eq!(
        serde_json::Value::Object(state),
        serde_json::json!({
            "freq": 880, "names": ["a", "b"], "name": "Jo \"the\" cat", "list": [1, 2.5, 3],
            "seen": 1760, "pi": 3.5, "happy": true
        })
    );
}

#[test]
fn changes_filters_and_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.wav", "a.wav", "notes.txt", ".hidden.wav"] {
        std::fs::write(dir.path().join(name), b"x").unwrap();
    }
    std::fs::create_dir(dir.path().join("kits")).unwrap();
    let folder = dir.path().display().to_string();
    let code = widget_patch(
        &format!(
            r#"instr 1
  SWatched[] fillarray "gain", "go"
  SChanged, kTrig cabbageChanged SWatched
  kIndex, kTrig2 cabbageChanged SWatched
  kUp, kCrossed cabbageChanged SWatched, 0.5, 0
  kCount init 0
  kCount += kTrig
  kCrossings init 0
  kCrossings += kCrossed
  kWhich = (strcmpk(SChanged, "go") == 0 ? 2 : 1)
  SKnobs[] cabbageGetWidgetChannels "type(\"rslider\")"
  SBoxes[] cabbageGetWidgetChannels "type(\"groupbox\") text(\"Box\")"
  SAll[] cabbageGetWidgetChannels
  iLists = (lenarray(SKnobs) == 1 && strcmp(SKnobs[0], "gain") == 0 ? 1 : 0)
  iLists += (lenarray(SBoxes) == 1 && strcmp(SBoxes[0], "box") == 0 ? 1 : 0)
  iLists += (lenarray(SAll) == 4 ? 1 : 0)
  SWavs[] cabbageFindFiles "{folder}", "files", "*.wav"
  SDirs[] cabbageFindFiles "{folder}", "directories"
  iFiles = (lenarray(SWavs) == 2 && strcmp(SWavs[0], "{folder}/a.wav") == 0 ? 1 : 0)
  iFiles += (strcmp(SWavs[1], "{folder}/b.wav") == 0 && lenarray(SDirs) == 1 ? 1 : 0)
  out a(kCount + kCrossings * 10), a(kWhich * 10 + kIndex), a((iLists + iFiles) / 5)
endin
instr 2
  chnset 0.75, "gain"
endin
instr 3
  chnset 1, "go"
endin
instr 4
  chnset 0.25, "gain"
endin"#
        ),
        "i 1 0 0.3\ni 2 0.1 0.01\ni 3 0.15 0.01\ni 4 0.2 0.01",
    );
    let (_, out) = perform(&code, None, 0.3);
    let at = |s: f64| (s * SR as f64) as usize;
    // gain holds its widget's default (0.2) from the start, as in Cabbage, which sets
    // the channels before the performance: the opcode, starting from 0 as Cabbage's
    // does, counts that as a change in the first cycle; then gain's move to 0.75, go to
    // 1, gain to 0.25 are three more; 0.5 is crossed upwards twice (gain, then go).
    for (second, count) in [(0.05, 1.0), (0.12, 12.0), (0.17, 23.0), (0.25, 24.0)] {
        assert_eq!(out[0][at(second)], count, "at {second} s");
    }
    // The last change: go (index 1) at 0.15 s, then gain (index 0).
    assert_eq!(out[1][at(0.17)], 21.0);
    assert_eq!(out[1][at(0.25)], 10.0);
    assert_eq!(out[2][at(0.05)], 1.0, "widget lists and found files");
}

/// Cabbage 2's identifier channels: what the patch writes to a widget's `identChannel`
/// reaches the editor under that name, once per change, also when written every cycle.
#[test]
fn ident_channel_texts_reach_the_editor_when_they_change() {
    let code = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 1
0dbfs = 1
instr 1
  chnset "visible(0)", "panelIdent"
endin
instr 2
  kCycle init 0
  kCycle += 1
  ; The same text every cycle, then a new one.
  SText = (kCycle < 10 ? "text(\"one\")" : "text(\"two\") colour(255, 0, 0)")
  chnset SText, "labelIdent"
  out a(0)
endin
</CsInstruments>
<CsScore>
i 1 0 0.01
i 2 0.02 0.05
</CsScore>
<Cabbage>
form size(200, 100)
groupbox bounds(0, 0, 100, 100), identChannel("panelIdent") {
label bounds(5, 5, 50, 20), text("zero"), identChannel("labelIdent")
}
</Cabbage>
</CsoundSynthesizer>
"#;
    let (engine, _) = perform(code, None, 0.2);
    let got = drained(&engine);
    assert_eq!(
        got,
        [
            "panelIdent: visible(0)",
            r#"labelIdent: text("one")"#,
            r#"labelIdent: text("two") colour(255, 0, 0)"#,
        ]
    );
}

/// Forms Cabbage's examples use: `cabbageGet` of `bounds` into a k-rate array, of a
/// string channel with its trigger, and `cabbageSet` at k-rate without a trigger (it acts
/// in the first cycle and when the value changes).
#[test]
fn k_rate_arrays_string_triggers_and_untriggered_sets() {
    let code = widget_patch(
        r#"chnset "hello", "words"
instr 1
  kB[] cabbageGet "gain", "bounds"
  SText, kNew cabbageGet "words"
  kCycle init 0
  kCycle += 1
  cabbageSet "box", "alpha", (kCycle < 4 ? 0.5 : 1)
  out a(kB[2] / 100), a(strcmpk(SText, "hello") == 0 ? 1 : 0), a(0)
endin"#,
        "i 1 0 0.05",
    );
    let (engine, out) = perform(&code, None, 0.1);
    let got = drained(&engine);
    assert_eq!(got, ["box: alpha(0.5)", "box: alpha(1)"]);
    assert_eq!(out[0][1000], 0.8, "the knob's width, 80");
    assert_eq!(out[1][1000], 1.0, "the string channel's text");
}

/// `cabbageGet` of `range` and `text` arrays reads the section: a knob's min, max,
/// value, skew and increment, a label's texts; a widget without texts gives one empty.
#[test]
fn range_and_text_arrays_come_from_the_section() {
    let code = widget_patch(
        r#"instr 1
  iR[] cabbageGet "gain", "range"
  STitle[] cabbageGet "title", "text"
  SNone[] cabbageGet "box2", "text"
  iOk = (iR[0] == 0 && iR[1] == 1 && iR[2] == 0.2 && iR[3] == 1 && iR[4] == 0.001 ? 1 : 0)
  iOk += (lenarray(STitle) == 1 && strcmp(STitle[0], "Title") == 0 ? 1 : 0)
  iOk += (lenarray(SNone) == 1 && strcmp(SNone[0], "") == 0 ? 1 : 0)
  out a(iOk / 3), a(0), a(0)
endin"#,
        "i 1 0 0.05",
    );
    let (_, out) = perform(&code, None, 0.05);
    assert_eq!(out[0][1000], 1.0);
}
