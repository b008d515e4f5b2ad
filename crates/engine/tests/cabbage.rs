//! The `<Cabbage>` section parser: the full control list of each example patch in
//! `tests/patches/cabbage/`, edge cases of the syntax, and each patch rendering with its
//! controls at their defaults.

use csound_plug_engine::render::{render, RenderOptions};
use csound_plug_patch::cabbage::{cabbage_controls, cabbage_displays};
use csound_plug_patch::controls::{Control, ControlKind};
use std::path::PathBuf;

use ControlKind::{Button, Continuous, Integer, Toggle};

fn patch_dir() -> PathBuf {
    csound_plug_testkit::patches_dir().join("cabbage")
}

fn patch(name: &str) -> String {
    let path = patch_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A control from the fields a test states: channel, label, (min, max, default), skew,
/// step, kind.
fn c(
    channel: &str,
    label: &str,
    range: (f64, f64, f64),
    skew: f64,
    step: f64,
    kind: ControlKind,
) -> Control {
    Control::cabbage(channel, Some(label), range, skew, step, kind)
}

fn menu(items: &[&str]) -> ControlKind {
    ControlKind::Menu(items.iter().map(|s| s.to_string()).collect())
}

/// A knob as Cabbage's examples write them: skew 1, increment 0.001.
fn knob(channel: &str, label: &str, range: (f64, f64, f64)) -> Control {
    c(channel, label, range, 1.0, 0.001, Continuous)
}

/// Each example patch with its expected controls and displays.
fn expected() -> Vec<(&'static str, Vec<Control>, Vec<&'static str>)> {
    // The last box says 36, below its minimum: it shows 38.
    let notes = [72.0, 67.0, 60.0, 59.0, 57.0, 52.0, 48.0, 38.0];
    let mut sequencer = vec![
        c("play", "Play", (0.0, 1.0, 1.0), 1.0, 1.0, Toggle),
        c("shuffle", "Shuffle", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
        c("clear", "Clear", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
    ];
    for (i, note) in notes.into_iter().enumerate() {
        let channel = format!("note{i}");
        sequencer.push(c(&channel, &channel, (38.0, 88.0, note), 1.0, 1.0, Integer));
    }
    sequencer.extend([
        knob("randomWeight", "Weight", (0.0, 100.0, 90.0)),
        knob("decay", "Decay", (0.0, 1.0, 0.3)),
        knob("pw", "Pulse Width", (0.2, 0.8, 0.2)),
        c("tempo", "Tempo", (2.0, 8.0, 4.0), 1.0, 2.0, Integer),
    ]);

    vec![
        (
            "combobox_synth.csd",
            vec![
                knob("att", "Att.", (0.0, 1.0, 0.01)),
                knob("dec", "Dec.", (0.0, 1.0, 0.4)),
                knob("sus", "Sus.", (0.0, 1.0, 0.7)),
                knob("rel", "Rel.", (0.0, 1.0, 0.8)),
                c(
                    "waveform",
                    "waveform",
                    (1.0, 3.0, 1.0),
                    1.0,
                    1.0,
                    menu(&["Saw", "Square", "Triangle"]),
                ),
            ],
            vec![],
        ),
        (
            "xypad_filter.csd",
            vec![
                c("x", "x", (0.0, 400.0, 105.0), 1.0, 0.0, Continuous),
                c("y", "y", (0.0, 400.0, 200.0), 1.0, 0.0, Continuous),
                knob("gain", "Gain", (0.0, 2.0, 1.158)),
                knob("speed", "Speed", (-2.0, 2.0, -0.384)),
                knob("wetDry", "Wet/Dry", (0.0, 1.0, 0.0)),
                c("random", "Randomise", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
                c(
                    "updateSpeed",
                    "updateSpeed",
                    (0.0, 20.0, 2.0),
                    1.0,
                    0.01,
                    Continuous,
                ),
            ],
            vec![],
        ),
        (
            "hrange_bands.csd",
            vec![
                knob("rangeMin1", "rangeMin1", (0.0, 1000.0, 100.0)),
                knob("rangeMax1", "rangeMax1", (0.0, 1000.0, 200.0)),
                knob("rangeMin2", "rangeMin2", (0.0, 1000.0, 200.0)),
                knob("rangeMax2", "rangeMax2", (0.0, 1000.0, 300.0)),
                knob("rangeMin3", "rangeMin3", (0.0, 1000.0, 400.0)),
                knob("rangeMax3", "rangeMax3", (0.0, 1000.0, 500.0)),
                c("agitate", "Agitate", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
                c(
                    "source",
                    "source",
                    (1.0, 2.0, 1.0),
                    1.0,
                    1.0,
                    menu(&["Noise", "Pulse Wave"]),
                ),
            ],
            vec![],
        ),
        ("nslider_sequencer.csd", sequencer, vec![]),
        (
            "meter_encoder.csd",
            vec![
                c("play", "Play", (0.0, 1.0, 1.0), 1.0, 1.0, Toggle),
                c(
                    "detune",
                    "detune",
                    (-10000.0, 10000.0, 0.0),
                    1.0,
                    0.01,
                    Continuous,
                ),
            ],
            vec!["vu1", "vu2"],
        ),
        (
            "edge_cases.csd",
            vec![
                c(
                    "freq",
                    "Freq (Hz)",
                    (100.0, 1000.0, 440.0),
                    0.5,
                    1.0,
                    Integer,
                ),
                c(
                    "level",
                    "Level, dB-ish",
                    (0.0, 1.0, 0.25),
                    1.0,
                    0.01,
                    Continuous,
                ),
                c("fold", "fold", (1.0, 1024.0, 1.0), 0.25, 0.001, Continuous),
                knob("pan", "pan", (-1.0, 1.0, 0.0)),
                knob("late", "late", (0.0, 1.0, 0.1)),
                knob("early", "early", (0.0, 1.0, 0.75)),
                c("steps", "Steps", (0.0, 10.0, 3.0), 1.0, 1.0, Integer),
                c("on", "On", (0.0, 1.0, 1.0), 1.0, 1.0, Toggle),
                c("mute", "mute", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
                c("trig", "Go", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle),
                c(
                    "shape",
                    "shape",
                    (1.0, 3.0, 2.0),
                    1.0,
                    1.0,
                    menu(&["Sine", "Low, soft", "High (loud)"]),
                ),
                c(
                    "preset",
                    "preset",
                    (1.0, 7.0, 1.0),
                    1.0,
                    1.0,
                    menu(&[
                        "Item 1", "Item 2", "Item 3", "Item 4", "Item 5", "Item 6", "Item 7",
                    ]),
                ),
                // A string combobox: its channel gets the item's text.
                Control {
                    source: csound_plug_patch::controls::ControlSource::CabbageText,
                    ..c(
                        "file",
                        "file",
                        (1.0, 2.0, 1.0),
                        1.0,
                        1.0,
                        menu(&["a.wav", "b.wav"]),
                    )
                },
                c(
                    "mode",
                    "Mode",
                    (0.0, 2.0, 1.0),
                    1.0,
                    1.0,
                    menu(&["A", "B", "C"]),
                ),
                c("padX", "Pad X", (0.0, 10.0, 5.0), 1.0, 0.0, Continuous),
                c("padY", "Pad Y", (-1.0, 1.0, 0.0), 1.0, 0.0, Continuous),
                c("lo", "lo", (20.0, 20000.0, 200.0), 0.3, 0.001, Continuous),
                c("hi", "hi", (20.0, 20000.0, 2000.0), 0.3, 0.001, Continuous),
                c("octave", "octave", (-3.0, 3.0, 1.0), 1.0, 1.0, Integer),
                c("wide", "Wide", (0.0, 1.0, 0.5), 1.0, 0.01, Continuous),
            ],
            vec!["out"],
        ),
    ]
}

#[test]
fn example_patches_give_their_controls() {
    for (name, controls, displays) in expected() {
        let csd = patch(name);
        assert_eq!(cabbage_controls(&csd), controls, "controls of {name}");
        assert_eq!(cabbage_displays(&csd), displays, "displays of {name}");
    }
}

#[test]
fn every_patch_in_the_folder_is_checked() {
    let mut on_disk: Vec<String> = std::fs::read_dir(patch_dir())
        .expect("patch folder")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csd"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = expected().iter().map(|e| e.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert!(listed.len() >= 5);
}

#[test]
fn crlf_line_ends_read_the_same() {
    for (name, controls, displays) in expected() {
        let csd = patch(name).replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(cabbage_controls(&csd), controls, "controls of {name}");
        assert_eq!(cabbage_displays(&csd), displays, "displays of {name}");
    }
}

#[test]
fn no_section_no_controls() {
    assert!(cabbage_controls("").is_empty());
    let plain = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
                 </CsoundSynthesizer>\n";
    assert!(cabbage_controls(plain).is_empty());
    assert!(cabbage_displays(plain).is_empty());
    // A tag mentioned inside a line (a comment, a string) does not open a section.
    let mentioned = "; the <Cabbage> section\nrslider channel(\"a\")\n</Cabbage>\n";
    assert!(cabbage_controls(mentioned).is_empty());
    // An empty section.
    assert!(cabbage_controls("<Cabbage>\n</Cabbage>\n").is_empty());
    // Cabbage 3's JSON form is read (its widget defaults are Cabbage's).
    let json = "<Cabbage>[\n{\"type\": \"rotarySlider\", \"channel\": \"gain\"}\n]</Cabbage>";
    assert_eq!(cabbage_controls(json).len(), 1);
}

fn section(lines: &str) -> String {
    format!("<Cabbage>\n{lines}\n</Cabbage>\n<CsoundSynthesizer>\n</CsoundSynthesizer>\n")
}

fn only(lines: &str) -> Control {
    let controls = cabbage_controls(&section(lines));
    assert_eq!(controls.len(), 1, "{lines}: {controls:?}");
    controls.into_iter().next().expect("one control")
}

#[test]
fn section_tags_tolerate_whitespace_and_a_missing_end() {
    let csd = "  \t<Cabbage>  \r\nrslider channel(\"a\")\r\n   </Cabbage>\r\n";
    assert_eq!(cabbage_controls(csd).len(), 1);
    // Without </Cabbage> the section stops at the next tag.
    let csd = "<Cabbage>\nrslider channel(\"a\")\n<CsoundSynthesizer>\n\
               ; rslider channel(\"b\")\n</CsoundSynthesizer>\n";
    assert_eq!(cabbage_controls(csd).len(), 1);
}

#[test]
fn defaults_when_identifiers_are_missing() {
    assert_eq!(
        only("rslider channel(\"a\")"),
        knob("a", "a", (0.0, 1.0, 0.0))
    );
    assert_eq!(
        only("nslider channel(\"n\")"),
        c("n", "n", (0.0, 100.0, 0.0), 1.0, 0.01, Continuous)
    );
    assert_eq!(
        only("encoder channel(\"e\")"),
        c("e", "e", (-10000.0, 10000.0, 0.0), 1.0, 1.0, Integer)
    );
    assert_eq!(
        only("checkbox channel(\"t\")"),
        c("t", "t", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle)
    );
    // Cabbage's buttons are latched: each click turns them on or off.
    assert_eq!(
        only("button channel(\"b\")"),
        c("b", "b", (0.0, 1.0, 0.0), 1.0, 1.0, Toggle)
    );
    assert_eq!(
        only("button channel(\"m\"), latched(0)"),
        c("m", "m", (0.0, 1.0, 0.0), 1.0, 1.0, Button)
    );
    assert_eq!(
        only("optionbutton channel(\"o\")"),
        c(
            "o",
            "o",
            (0.0, 2.0, 0.0),
            1.0,
            1.0,
            menu(&["Item 1", "Item 2", "Item 3"])
        )
    );
    // Three-number range: skew 1, increment 0.001.
    assert_eq!(
        only("hslider channel(\"h\") range(-5, 5, 2)"),
        knob("h", "h", (-5.0, 5.0, 2.0))
    );
    // Empty optional arguments are as if absent.
    assert_eq!(
        only("vslider channel(\"v\") range(0, 10, , , 0.5)"),
        c("v", "v", (0.0, 10.0, 0.0), 1.0, 0.5, Continuous)
    );
    // hrange without lo:hi: both thumbs at 0, clamped into the range.
    let controls = cabbage_controls(&section("hrange channel(\"l\", \"h\") range(10, 20)"));
    assert_eq!(
        controls,
        vec![
            knob("l", "l", (10.0, 20.0, 10.0)),
            knob("h", "h", (10.0, 20.0, 10.0))
        ]
    );
}

#[test]
fn spacing_commas_and_numbers() {
    let expected = c("a b", "x, (y)", (-1.0, 1000.0, 0.5), 2.0, 0.25, Continuous);
    for line in [
        "rslider channel(\"a b\"), range(-1, 1e3, .5, 2, 0.25), text(\"x, (y)\")",
        "rslider channel(\"a b\") range(-1,1e3,.5,2,0.25) text(\"x, (y)\")",
        "\t rslider\tchannel ( \"a b\" ) ,, range ( -1 , 1E3 , 0.5 , 2.0 , .25 ) , text( \"x, (y)\" ) ,  ",
        "rslider text(\"x, (y)\"), bounds(1, 2, 3, 4), range(-1, 1000, +0.5, 2, 25e-2), channel(\"a b\"),",
        "rslider range(-1, 1000, 0.5, 2, 0.25) unknownThing(1, (2), \"3)\") channel(a b) text(x\\, (y))",
    ] {
        let mut want = expected.clone();
        if line.contains("text(x\\,") {
            // A bare argument splits at its comma, as in Cabbage.
            want.label = "x\\".to_string();
        }
        assert_eq!(only(line), want, "{line}");
    }
    // Identifiers are matched ignoring case, and so are widget names.
    assert_eq!(
        only("RSlider Channel(\"k\") RANGE(0, 2, 1)"),
        knob("k", "k", (0.0, 2.0, 1.0))
    );
}

#[test]
fn comments_are_ignored() {
    let lines = "; rslider channel(\"a\")\n\
                 rslider channel(\"b\") ; range(0, 9, 9)\n\
                 /* rslider channel(\"c\")\n\
                 rslider channel(\"d\") */ rslider channel(\"e\") range(0, 2, 1) // text(\"E\")\n\
                 rslider channel(\"f\") text(\"semi; colon /* not */ // a comment\")";
    let controls = cabbage_controls(&section(lines));
    assert_eq!(
        controls,
        vec![
            knob("b", "b", (0.0, 1.0, 0.0)),
            knob("e", "e", (0.0, 2.0, 1.0)),
            knob("f", "semi; colon /* not */ // a comment", (0.0, 1.0, 0.0)),
        ]
    );
}

#[test]
fn value_and_range_in_written_order() {
    assert_eq!(
        only("rslider channel(\"a\") range(0, 10, 2) value(7)").default,
        7.0
    );
    assert_eq!(
        only("rslider channel(\"a\") value(7) range(0, 10, 2)").default,
        2.0
    );
    // range() without a value keeps the earlier value().
    assert_eq!(
        only("rslider channel(\"a\") value(7) range(0, 10)").default,
        7.0
    );
    // min(), max(), increment(), sliderSkew() each alone.
    assert_eq!(
        only("rslider channel(\"a\") min(-2) max(2) increment(0.5) sliderSkew(0.3) value(1)"),
        c("a", "a", (-2.0, 2.0, 1.0), 0.3, 0.5, Continuous)
    );
}

#[test]
fn defaults_are_clamped_and_snapped() {
    assert_eq!(only("rslider channel(\"a\") range(1, 16, 0)").default, 1.0);
    assert_eq!(only("rslider channel(\"a\") range(0, 1, 5)").default, 1.0);
    let stepped = only("rslider channel(\"a\") range(0, 100, 47, 1, 5)");
    assert_eq!((stepped.kind, stepped.default), (Integer, 45.0));
    // A whole step from a fractional minimum stays continuous.
    let offset = only("rslider channel(\"a\") range(0.5, 10.5, 3, 1, 1)");
    assert_eq!((offset.kind, offset.default), (Continuous, 3.0));
    assert_eq!(only("checkbox channel(\"t\") value(5)").default, 1.0);
    assert_eq!(only("button channel(\"b\") value(-1)").default, 1.0);
    let menu_low = only("combobox channel(\"m\") items(\"a\", \"b\") value(0)");
    assert_eq!(menu_low.default, 1.0);
    let menu_high = only("combobox channel(\"m\") text(\"a\", \"b\") value(9)");
    assert_eq!(menu_high.default, 2.0);
}

#[test]
fn labels() {
    assert_eq!(only("rslider channel(\"a\") text(\"A\")").label, "A");
    assert_eq!(only("rslider channel(\"a\") caption(\"Cap\")").label, "Cap");
    assert_eq!(
        only("rslider channel(\"a\") caption(\"Cap\") text(\"A\")").label,
        "A"
    );
    assert_eq!(only("rslider channel(\"a\") text(\"\")").label, "a");
    assert_eq!(
        only("button channel(\"b\") text(\"Off\", \"On\")").label,
        "Off"
    );
    // A menu's text() are its items; its label is caption() or the channel.
    let m = only("combobox channel(\"m\") caption(\"Wave\") text(\"Saw\")");
    assert_eq!((m.label.as_str(), m.kind), ("Wave", menu(&["Saw"])));
    let controls = cabbage_controls(&section(
        "hrange channel(\"lo\", \"hi\") text(\"Band\") range(0, 10, 2:8)\n\
         xypad channel(\"px\", \"py\")",
    ));
    let labels: Vec<&str> = controls.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["Band min", "Band max", "px", "py"]);
}

#[test]
fn bad_widgets_are_skipped() {
    let lines = "rslider range(0, 1, 0.5)\n\
                 rslider channel()\n\
                 rslider channel(\"\")\n\
                 rslider channel(\"a\") range(0, 1, 0.5\n\
                 rslider channel(\"b\") range(zero, 1)\n\
                 rslider channel(\"c\") range(1)\n\
                 rslider channel(\"d\") range(2, 1, 1)\n\
                 rslider channel(\"e\") range(0, 1, 0.5, 0)\n\
                 rslider channel(\"f\") range(0, 1, 0.5, 1, -0.1)\n\
                 rslider channel(\"g\") range(0, 1, 0.5, 1, inf)\n\
                 rslider channel(\"h\") text(\"unclosed)\n\
                 hrange channel(\"i\") range(0, 1, 0.2:0.4)\n\
                 xypad channel(\"j\", \"k\") rangeX(1, 1, 1)\n\
                 combobox channel(\"l\") items()\n\
                 combobox channel(\"m\") populate(\"*.snaps\")\n\
                 combobox channel(\"n\") mode(\"resize\") value(3)\n\
                 optionbutton channel(\"o\") channelType(\"string\")\n\
                 listbox channel(\"p\") text(\"a\", \"b\")\n\
                 soundfiler channel(\"q\", \"r\")\n\
                 keyboard channel(\"s\")\n\
                 texteditor channel(\"t\")\n\
                 hmeter bounds(0, 0, 10, 10)\n\
                 rslider channel(\"ok\")";
    let controls = cabbage_controls(&section(lines));
    let channels: Vec<&str> = controls.iter().map(|c| c.channel.as_str()).collect();
    assert_eq!(channels, ["ok"]);
    assert!(cabbage_displays(&section(lines)).is_empty());
}

#[test]
fn an_unclosed_line_does_not_swallow_the_next_widget() {
    let lines = "rslider channel(\"a\") range(0, 1, 0.5\n\
                 rslider channel(\"b\")\n\
                 rslider channel(\"c\") range(0, 4,\n\
                 \t2)";
    let controls = cabbage_controls(&section(lines));
    assert_eq!(
        controls,
        vec![
            knob("b", "b", (0.0, 1.0, 0.0)),
            knob("c", "c", (0.0, 4.0, 2.0)),
        ]
    );
}

#[test]
fn macros_and_continuations() {
    let lines = "#define STEPS range(0, 8, 4, 1, 1)\n\
                 #define LOOK colour(\"red\") fontColour(\"white\")\n\
                 rslider channel(\"a\") $STEPS $LOOK \\\n\
                 text(\"Steps\")\n\
                 rslider channel(\"b\") $UNDEFINED range(0, 2, 1)\n\
                 rslider channel(\"c\") $LATER\n\
                 #define LATER range(0, 3, 3)\n\
                 #define TWICE range(0, 5, 5)\n\
                 rslider channel(\"d\") $TWICE\n\
                 #define TWICE range(0, 6, 6)";
    let controls = cabbage_controls(&section(lines));
    assert_eq!(
        controls,
        vec![
            c("a", "Steps", (0.0, 8.0, 4.0), 1.0, 1.0, Integer),
            knob("b", "b", (0.0, 2.0, 1.0)),
            // As in Cabbage, macros are collected before any widget is read: a macro may
            // be used above its definition, and the last definition applies throughout.
            knob("c", "c", (0.0, 3.0, 3.0)),
            knob("d", "d", (0.0, 6.0, 6.0)),
        ]
    );
}

#[test]
fn duplicate_channels_keep_the_first_widget() {
    let lines = "rslider channel(\"cut\") range(20, 20000, 1000, 0.5) text(\"Cutoff\")\n\
                 nslider channel(\"cut\") range(20, 20000, 1000, 1, 1)\n\
                 vmeter channel(\"cut\")\n\
                 vmeter channel(\"level\")\n\
                 hmeter channel(\"level\")\n\
                 meter channel(\"peak\")";
    let csd = section(lines);
    assert_eq!(
        cabbage_controls(&csd),
        vec![c(
            "cut",
            "Cutoff",
            (20.0, 20000.0, 1000.0),
            0.5,
            0.001,
            Continuous
        )]
    );
    assert_eq!(cabbage_displays(&csd), ["level", "peak"]);
}

#[test]
fn xypad_with_one_channel_gives_x_only() {
    let controls = cabbage_controls(&section(
        "xypad channel(\"x\") rangeX(0, 2, 1) rangeY(0, 4, 9)",
    ));
    assert_eq!(
        controls,
        vec![c("x", "x", (0.0, 2.0, 1.0), 1.0, 0.0, Continuous)]
    );
    // valueX()/valueY() set the pad's position.
    let controls = cabbage_controls(&section(
        "xypad channel(\"x\", \"y\") valueX(0.25) valueY(0.75)",
    ));
    let defaults: Vec<f64> = controls.iter().map(|c| c.default).collect();
    assert_eq!(defaults, [0.25, 0.75]);
}

// ---------------------------------------------------------------------------------------
// Rendering

#[test]
fn example_patches_render_with_their_defaults() {
    // The renderer writes every declared control's default, as the plugin does; without
    // that, Cabbage patches read 0 from their channels and most are silent.
    for (name, _, _) in expected() {
        let code = patch(name);
        let options = RenderOptions {
            duration: Some(1.0),
            ..Default::default()
        };
        let rendered = render(&code, &options, |_, _| {})
            .unwrap_or_else(|e| panic!("{name} did not render: {e:?}"));
        let samples: Vec<f32> = rendered.channels.iter().flatten().copied().collect();
        assert!(!samples.is_empty(), "{name}: no output");
        assert!(
            samples.iter().all(|s| s.is_finite()),
            "{name}: non-finite output"
        );
        let rms = (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>()
            / samples.len() as f64)
            .sqrt();
        println!(
            "{name}: rms {rms:.4}, {} frames",
            rendered.channels[0].len()
        );
        assert!(rms > 1e-3, "{name} is silent (rms {rms})");
    }
}

/// Every control, whatever the input, is usable: finite numbers, a default inside the
/// range, a positive skew, a step ≥ 0, and menus with one item per value.
fn assert_usable(control: &Control, input: &str) {
    let numbers = [
        control.min,
        control.max,
        control.default,
        control.skew,
        control.step,
    ];
    assert!(
        numbers.iter().all(|x| x.is_finite()),
        "{control:?} from {input:?}"
    );
    assert!(control.min <= control.max, "{control:?} from {input:?}");
    assert!(
        (control.min..=control.max).contains(&control.default),
        "{control:?} from {input:?}"
    );
    assert!(
        control.skew > 0.0 && control.step >= 0.0,
        "{control:?} from {input:?}"
    );
    assert!(!control.channel.is_empty(), "{control:?} from {input:?}");
    if let ControlKind::Menu(items) = &control.kind {
        assert_eq!(
            items.len() as f64,
            control.max - control.min + 1.0,
            "{control:?} from {input:?}"
        );
    }
}

#[test]
fn scrambled_sections_never_panic() {
    const WIDGETS: &[&str] = &[
        "rslider",
        "hslider",
        "nslider",
        "encoder",
        "hrange",
        "vrange",
        "xypad",
        "combobox",
        "optionbutton",
        "checkbox",
        "button",
        "vmeter",
        "label",
        "form",
        "",
    ];
    const IDENTIFIERS: &[&str] = &[
        "channel",
        "range",
        "rangeX",
        "rangeY",
        "value",
        "valueX",
        "minValue",
        "maxValue",
        "text",
        "items",
        "caption",
        "min",
        "max",
        "increment",
        "sliderSkew",
        "bounds",
        "channelType",
        "populate",
    ];
    const ARGS: &[&str] = &[
        "0",
        "1",
        "-1",
        ".5",
        "1e3",
        "3.7",
        "2",
        "-0",
        "1e999",
        "nan",
        "2:3",
        "",
        "abc",
        "\"a\"",
        "\"b\"",
        "\"x, y\"",
        "\"string\"",
        "é",
        "(1)",
    ];
    const GARBAGE: &[&str] = &[
        "\"",
        "(",
        ")",
        ",",
        ";",
        "//",
        "/*",
        "*/",
        "\\",
        "\n",
        "\r\n",
        "{",
        "}",
        "$M",
        "#define M range(0, 5",
        "\u{feff}",
        "\t",
        "</Cabbage>",
        "<Cabbage>",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut produced = 0;
    for _ in 0..3000 {
        let mut body = String::new();
        for _ in 0..next(6) {
            body.push_str(WIDGETS[next(WIDGETS.len())]);
            if next(2) == 0 {
                body.push_str(" channel(\"w\", \"v\")");
            }
            for _ in 0..next(7) {
                body.push(if next(2) == 0 { ' ' } else { ',' });
                if next(8) == 0 {
                    body.push_str(GARBAGE[next(GARBAGE.len())]);
                    continue;
                }
                body.push_str(IDENTIFIERS[next(IDENTIFIERS.len())]);
                body.push('(');
                for i in 0..next(6) {
                    if i > 0 {
                        body.push(',');
                    }
                    body.push_str(ARGS[next(ARGS.len())]);
                }
                if next(12) != 0 {
                    body.push(')');
                }
            }
            body.push_str(if next(4) == 0 { "\r\n" } else { "\n" });
        }
        let csd = format!("<Cabbage>\n{body}</Cabbage>\n");
        for control in cabbage_controls(&csd) {
            assert_usable(&control, &csd);
            produced += 1;
        }
        let _ = cabbage_displays(&csd);
        let _ = cabbage_controls(&body);
    }
    println!("{produced} controls from scrambled input");
    assert!(
        produced > 100,
        "the scrambled input should give some controls"
    );
    for (name, controls, _) in expected() {
        for control in &controls {
            assert_usable(control, name);
        }
    }
}

/// The peak of the first channel of `code` rendered as the command line does.
fn rendered_peak(code: &str) -> f32 {
    let rendered = render(code, &RenderOptions::default(), |_, _| {}).expect("renders");
    let samples = &rendered.channels[0];
    csound_plug_testkit::analysis::peak(samples, 0..samples.len())
}

/// A string combobox (`channelType("string")`) is a menu whose channel holds the chosen
/// item's text: `value("…")` or a 0-based index picks the start, and a render at the
/// defaults gives the patch the text (the level it picks by it is measured).
#[test]
fn string_comboboxes_set_their_channel_to_the_items_text() {
    use csound_plug_patch::controls::ControlSource;
    let lines = "combobox channel(\"w\"), channelType(\"string\"), text(\"sine\", \"saw\", \"pulse\"), value(\"pulse\")\n\
                 combobox channel(\"x\"), channelType(\"string\"), text(\"a\", \"b\"), value(1)\n\
                 combobox channel(\"y\"), channelType(\"string\"), text(\"a\", \"b\"), value(\"none\")\n\
                 combobox channel(\"z\"), channelType(\"string\"), populate(\"*.wav\")";
    let controls = cabbage_controls(&section(lines));
    let shown: Vec<(&str, f64, bool)> = controls
        .iter()
        .map(|c| {
            (
                c.channel.as_str(),
                c.default,
                c.source == ControlSource::CabbageText,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [("w", 3.0, true), ("x", 2.0, true), ("y", 1.0, true)]
    );
    assert_eq!(controls[0].kind, menu(&["sine", "saw", "pulse"]));

    let patch = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 1
0dbfs = 1
instr 1
  SWave chnget "w"
  iLevel = (strcmp(SWave, "pulse") == 0 ? 0.5 : 0.1)
  out oscili(iLevel, 440)
endin
</CsInstruments>
<CsScore>
i 1 0 0.5
</CsScore>
<Cabbage>
combobox bounds(0, 0, 100, 20), channel("w"), channelType("string"), text("sine", "saw", "pulse"), value("pulse")
</Cabbage>
</CsoundSynthesizer>
"#;
    let peak = rendered_peak(patch);
    assert!(
        (peak - 0.5).abs() < 0.01,
        "level {peak}: the channel did not say \"pulse\""
    );
}

/// What a `filebutton` chose is kept in the metadata's `[strings]` and given to the patch
/// before its first note: the instrument reads it at its start.
#[test]
fn a_filebuttons_choice_reaches_its_channel_before_the_first_note() {
    let patch = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 1
0dbfs = 1
instr 1
  SFile chnget "file"
  iLevel = (strcmp(SFile, "takes/kick 2.wav") == 0 ? 0.5 : 0.1)
  out oscili(iLevel, 440)
endin
</CsInstruments>
<CsScore>
i 1 0 0.5
</CsScore>
<Cabbage>
filebutton bounds(0, 0, 100, 20), channel("file"), text("Open")
</Cabbage>
<CsoundPlug>
[strings]
file = "takes/kick 2.wav"
</CsoundPlug>
</CsoundSynthesizer>
"#;
    assert!(
        (rendered_peak(patch) - 0.5).abs() < 0.01,
        "the channel did not hold the file"
    );
    let without = patch.replace("file = \"takes/kick 2.wav\"", "");
    assert!((rendered_peak(&without) - 0.1).abs() < 0.01);
}

/// A widget's channel the patch also writes (a `chnset` default for plain Csound) stays
/// an input: only meters and output channels are values to show.
#[test]
fn widget_channels_the_patch_writes_are_not_outputs() {
    let patch = r#"<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 1
0dbfs = 1
chnset 0.5, "gain"
instr 1
  chnset rms(oscili(chnget:k("gain"), 440)), "meter"
  out a(0)
endin
</CsInstruments>
<CsScore>
i 1 0 1
</CsScore>
<Cabbage>
rslider bounds(0, 0, 50, 50), channel("gain"), range(0, 1, 0.25)
vmeter bounds(60, 0, 10, 50), channel("meter")
</Cabbage>
</CsoundSynthesizer>
"#;
    let ring = std::sync::Arc::new(csound_plug_engine::messages::MessageRing::new(64));
    let (engine, _) = csound_plug_engine::Engine::compile(
        patch,
        &csound_plug_engine::EngineConfig::default(),
        ring,
    )
    .expect("compiles");
    assert_eq!(engine.outputs().names(), ["meter"]);
}
