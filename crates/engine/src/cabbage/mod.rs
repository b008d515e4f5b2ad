//! Cabbage's own opcodes (`cabbageGetValue`, `cabbageSetValue`, `cabbageGet`,
//! `cabbageSet`, the file-name helpers…), which Cabbage registers in its Csound and plain
//! Csound lacks, so that patches written for Cabbage run as written. They are
//! user-defined opcodes ([`LIBRARY`]) put in front of the orchestra of a patch that
//! calls one, followed by a `#line` directive so Csound's line numbers stay the patch's.
//! Every Csound we create (plugin, standalone, command line, pre-check child) compiles
//! through here, and the trust gate parses the same text.
//!
//! A widget is a host parameter here, so its value is its channel: values are read and
//! written through channels. The other identifiers a patch sets (`visible`, `colour`,
//! `bounds`, …) are published as Cabbage 2 text for the editor ([`WidgetUpdates`]);
//! `cabbageGet` of them reads 0 or "". What Csound code cannot do (publishing, the
//! saved values of [`StateValues`], listing and copying files) is done by native opcodes
//! added to every instance (`crate::csound`'s `native` module) and called by the library.

use csound_plug_patch::csd::{Comments, Csd};
use std::borrow::Cow;

mod ident;
pub(crate) mod json_text;
pub mod state;
mod widget_filter;
pub mod widgets;

pub(crate) use ident::IdentChannels;
pub use state::StateValues;
pub use widgets::WidgetUpdates;

/// The opcodes, as Csound code.
pub const LIBRARY: &str = include_str!("opcodes.orc");

/// Whether `code` calls a Cabbage opcode (a word starting `cabbage` followed by a
/// capital, outside comments) and does not define one itself.
pub fn calls_cabbage_opcodes(code: &str) -> bool {
    let csd = Csd::parse(code);
    let orchestra =
        csound_plug_patch::csd::strip_comments(csd.orchestra_text(), Comments::Orchestra);
    let calls = orchestra.match_indices("cabbage").any(|(at, _)| {
        let before = orchestra[..at].chars().next_back();
        let after = orchestra[at + "cabbage".len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && after.is_some_and(|c| c.is_ascii_uppercase())
    });
    calls && !defines_cabbage_opcode(&orchestra)
}

/// Whether the orchestra defines a UDO named `cabbage…` (then it brings its own).
fn defines_cabbage_opcode(orchestra: &str) -> bool {
    orchestra.lines().any(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("opcode") && words.next().is_some_and(|w| w.starts_with("cabbage"))
    })
}

/// How many keys the orchestra of `code` names as string constants for
/// `cabbageSetStateValue` and `cabbageWriteStateData` (room is made for them).
pub(crate) fn state_keys_named(code: &str) -> usize {
    let csd = Csd::parse(code);
    let orchestra =
        csound_plug_patch::csd::strip_comments(csd.orchestra_text(), Comments::Orchestra);
    orchestra.matches("cabbageSetStateValue").count()
        + orchestra.matches("cabbageWriteStateData").count() * 16
}

/// A Csound statement filling the string array `name` with `items`. Csound cannot size
/// an array 0: an empty list is declared and never sized (`lenarray` gives -1, so
/// loops over it do nothing).
fn fill_strings(name: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("  if 0 == 1 then\n    {name}[] init 1\n  endif\n");
    }
    let quoted: Vec<String> = items
        .iter()
        .map(|c| format!("\"{}\"", c.replace(['"', '\\'], "")))
        .collect();
    format!("  {name}[] fillarray {}\n", quoted.join(", "))
}

/// The library for `code`: [`LIBRARY`], then what depends on its `<Cabbage>` section:
/// `cabbageGetWidgetChannels` (every widget's channels, or those matching each filter
/// the code writes as a string constant) and the widgets' bounds for `cabbageGet`.
fn library_for(code: &str) -> String {
    let widgets = csound_plug_patch::cabbage::cabbage_widgets(code);
    let channels: Vec<String> = widgets.iter().flat_map(|w| w.channels.clone()).collect();
    let fill = fill_strings("SChannels", &channels);
    let csd = Csd::parse(code);
    let orchestra =
        csound_plug_patch::csd::strip_comments(csd.orchestra_text(), Comments::Orchestra);
    let mut filtered = String::new();
    for raw in widget_filter::filters_in(&orchestra) {
        let matching = widget_filter::channels_matching(&widgets, &raw);
        filtered.push_str(&format!(
            "  if strcmp(SFilter, \"{raw}\") == 0 then\n  {}    iKnown = 1\n  endif\n",
            fill_strings("SChannels", &matching)
        ));
    }
    let mut bounds = String::new();
    for (channel, [x, y, w, h]) in csound_plug_patch::cabbage::cabbage_bounds(code) {
        bounds.push_str(&format!(
            "  if strcmp(SName, \"{channel}\") == 0 then\n    iB[0] = {x}\n    iB[1] = {y}\n    \
             iB[2] = {w}\n    iB[3] = {h}\n  endif\n"
        ));
    }
    let mut ranges = String::new();
    for control in csound_plug_patch::cabbage::cabbage_controls(code) {
        let skew = if control.skew.is_finite() {
            control.skew
        } else {
            1.0
        };
        ranges.push_str(&format!(
            "  if strcmp(SName, \"{}\") == 0 then\n    iR[] fillarray {}, {}, {}, {skew}, {}\n  endif\n",
            control.channel.replace(['"', '\\'], ""),
            control.min,
            control.max,
            control.default,
            control.step
        ));
    }
    let mut texts = String::new();
    for widget in &widgets {
        let items = widget
            .identifiers
            .iter()
            .rev()
            .find(|(name, _)| name == "text" || name == "items")
            .map(|(_, args)| args.clone())
            .filter(|args| !args.is_empty());
        if let (Some(channel), Some(items)) = (widget.channels.first(), items) {
            texts.push_str(&format!(
                "  if strcmp(SName, \"{}\") == 0 then\n  {}  endif\n",
                channel.replace(['"', '\\'], ""),
                fill_strings("SOut", &items)
            ));
        }
    }
    let none = fill_strings("SChannels", &[]);
    format!(
        "{LIBRARY}\nopcode cabbageGetWidgetChannels, S[], 0\n{fill}  xout SChannels\nendop\n\
         opcode cabbageGetWidgetChannels, S[], S\n  SFilter xin\n  iKnown = 0\n{none}\
         {filtered}  if iKnown == 0 then\n    prints \"cabbageGetWidgetChannels: only a filter \
         written as a string constant is read\\n\"\n  endif\n  xout SChannels\nendop\n\
         opcode cabbagePlugBounds, i[], S\n  SName xin\n  iB[] init 4\n{bounds}  xout iB\nendop\n\
         opcode cabbagePlugRange, i[], S\n  SName xin\n  iR[] init 5\n{ranges}  xout iR\nendop\n\
         opcode cabbagePlugTexts, S[], S\n  SName xin\n  SOut[] fillarray \"\"\n{texts}  xout SOut\nendop\n{ARRAYS}"
    )
}

/// `cabbageGet`'s array forms: `bounds`, `range` (min, max, value, skew, increment) and
/// `text` from the section, the others zeros of Cabbage's lengths (colours 4) or one
/// empty text; the k-rate form holds the same numbers.
const ARRAYS: &str = r#"
opcode cabbageGet, i[], SS
  SName, SIdent xin
  if strcmp(SIdent, "bounds") == 0 then
    iOut[] cabbagePlugBounds SName
  elseif strcmp(SIdent, "range") == 0 then
    iOut[] cabbagePlugRange SName
  else
    cabbagePlugReport SIdent
    iOut[] init 4
  endif
  xout iOut
endop

opcode cabbageGet, S[], SS
  SName, SIdent xin
  if strcmp(SIdent, "text") == 0 then
    SOut[] cabbagePlugTexts SName
  else
    cabbagePlugReport SIdent
    SOut[] fillarray ""
  endif
  xout SOut
endop

opcode cabbageGet, k[], SS
  SName, SIdent xin
  iOut[] cabbageGet SName, SIdent
  kOut[] init lenarray(iOut)
  kOut = iOut
  xout kOut
endop
"#;

/// `text` (the `.csd` Csound gets) with the opcodes in front of its orchestra when it
/// calls them; Csound's line numbers stay those of `text`.
pub fn with_opcodes(text: &str) -> Cow<'_, str> {
    if !calls_cabbage_opcodes(text) {
        return Cow::Borrowed(text);
    }
    let csd = Csd::parse(text);
    let Some(orchestra) = csd.orchestra() else {
        return Cow::Borrowed(text);
    };
    let at = orchestra.body_start;
    let line = csd.line_of(at);
    Cow::Owned(format!(
        "{}\n{}#line {line}\n{}",
        &text[..at],
        library_for(text),
        &text[at..]
    ))
}

/// An orchestra `body` whose first line is line 1, with the opcodes in front when
/// `code` (the whole patch) calls them; line numbers stay the same.
pub fn orchestra_with_opcodes(code: &str, body: &str) -> String {
    match calls_cabbage_opcodes(code) {
        true => format!("{}#line 1\n{body}", library_for(code)),
        false => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\ninstr 1\n  \
        kGain cabbageGetValue \"gain\"\nendin\n</CsInstruments>\n<CsScore>\n</CsScore>\n\
        </CsoundSynthesizer>\n";

    #[test]
    fn the_opcodes_go_in_front_of_the_orchestra_of_patches_that_call_them() {
        assert!(calls_cabbage_opcodes(PATCH));
        let text = with_opcodes(PATCH);
        assert!(text.contains("opcode cabbageGetValue, k, S"));
        assert!(text.contains("#line 2\n\nsr = 48000"), "{text}");
        // Not called (a comment, another word), or defined by the patch: left alone.
        for other in [
            PATCH.replace("kGain cabbageGetValue", "kGain chnget ;cabbageGetValue"),
            PATCH.replace("cabbageGetValue", "cabbagesque"),
            PATCH.replace(
                "instr 1",
                "opcode cabbageGetValue, k, S\nS xin\nxout chnget:k(S)\nendop\ninstr 1",
            ),
        ] {
            assert!(matches!(with_opcodes(&other), Cow::Borrowed(_)), "{other}");
        }
    }
}
