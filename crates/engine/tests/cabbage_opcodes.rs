//! Cabbage's own opcodes in a patch written for Cabbage, rendered: values read and
//! written through the widgets' channels, change triggers, `value` through `cabbageSet`,
//! other identifiers accepted and said once, the file-name helpers, a widget's bounds
//! read from the section, and Csound's line
//! numbers unchanged in front of them.

use csound_plug_engine::render::{render, RenderOptions};

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

fn peak(samples: &[f32]) -> f32 {
    samples.iter().fold(0.0, |m, s| m.max(s.abs()))
}

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
        let level_here = peak(&sine[at(from + 0.01)..at(to - 0.01)]);
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
    // Identifiers the editor does not show are said once each.
    for ident in ["visible", "colour"] {
        let said = format!("cabbage: the identifier '{ident}' is accepted");
        assert_eq!(rendered.log.matches(&said).count(), 1, "{}", rendered.log);
    }
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
