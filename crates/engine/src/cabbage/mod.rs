//! Cabbage's own opcodes (`cabbageGetValue`, `cabbageSetValue`, `cabbageGet`,
//! `cabbageSet`, the file-name helpers…), which Cabbage registers in its Csound and plain
//! Csound lacks, so that patches written for Cabbage run as written. They are
//! user-defined opcodes ([`LIBRARY`]) put in front of the orchestra of a patch that
//! calls one, followed by a `#line` directive so Csound's line numbers stay the patch's.
//! Every Csound we create (plugin, standalone, command line, pre-check child) compiles
//! through here, and the trust gate parses the same text.
//!
//! A widget is a host parameter here, so its value is its channel: values are read and
//! written through channels; the other identifiers (`visible`, `colour`, …) are accepted
//! and said once per engine.

use csound_plug_patch::csd::{Comments, Csd};
use std::borrow::Cow;

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

/// The library for `code`: [`LIBRARY`] and `cabbageGetWidgetChannels`, which lists the
/// channels of its Cabbage widgets.
fn library_for(code: &str) -> String {
    let channels: Vec<String> = csound_plug_patch::cabbage::cabbage_controls(code)
        .into_iter()
        .map(|c| format!("\"{}\"", c.channel.replace('"', "")))
        .collect();
    let fill = if channels.is_empty() {
        "  SChannels[] init 0\n".to_string()
    } else {
        format!("  SChannels[] fillarray {}\n", channels.join(", "))
    };
    let mut bounds = String::new();
    for (channel, [x, y, w, h]) in csound_plug_patch::cabbage::cabbage_bounds(code) {
        bounds.push_str(&format!(
            "  if strcmp(SName, \"{channel}\") == 0 then\n    iB[0] = {x}\n    iB[1] = {y}\n    \
             iB[2] = {w}\n    iB[3] = {h}\n  endif\n"
        ));
    }
    format!(
        "{LIBRARY}\nopcode cabbageGetWidgetChannels, S[], 0\n{fill}  xout SChannels\nendop\n\
         opcode cabbagePlugBounds, i[], S\n  SName xin\n  iB[] init 4\n{bounds}  xout iB\nendop\n{ARRAYS}"
    )
}

/// `cabbageGet`'s array forms: `bounds` from the section, the others zeros of Cabbage's
/// lengths (`range` 5, colours 4).
const ARRAYS: &str = r#"
opcode cabbageGet, i[], SS
  SName, SIdent xin
  if strcmp(SIdent, "bounds") == 0 then
    iOut[] cabbagePlugBounds SName
  elseif strcmp(SIdent, "range") == 0 then
    cabbagePlugReport SIdent
    iOut[] init 5
  else
    cabbagePlugReport SIdent
    iOut[] init 4
  endif
  xout iOut
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
