//! Facts the plug-in reads from a patch: instruments, p-fields, MIDI use,
//! channels.
//!
//! Every function takes a whole `.csd` text or bare orchestra code (as unit
//! tests pass) and reads it with [`Csd`], so comments and strings are
//! understood the same way everywhere.

use crate::csd::{strip_comments, strip_comments_and_strings, Comments, Csd};

/// Csound opcodes that read MIDI input: a patch using one wants MIDI routed
/// to it.
const MIDI_OPCODES: &[&str] = &[
    "massign",
    "pgmassign",
    "cpsmidi",
    "cpsmidib",
    "midictrl",
    "ctrl7",
    "ctrl14",
    "ctrl21",
    "notnum",
    "veloc",
    "ampmidi",
    "pchbend",
    "aftouch",
    "polyaft",
    "midinoteonkey",
    "midinoteoncps",
    "midinoteonoct",
    "midinoteonpch",
    "midiin",
    "mididefault",
    "midic7",
    "midic14",
    "midic21",
    "initc7",
    "midichn",
    "octmidi",
    "pchmidi",
    "pchmidib",
    "octmidib",
    "cpstmid",
];

/// The p-field count every note has (p1 to p5), so callers never send fewer.
const BASE_PFIELDS: usize = 5;

/// The orchestra of a patch, read once with comments (and strings) blanked.
struct Orchestra<'a> {
    csd: Csd<'a>,
    /// Offset of the orchestra in the whole text.
    base: usize,
    /// The orchestra with comments blanked: string literals can be read.
    clean: String,
    /// The orchestra with comments and string contents blanked: words found
    /// here are code.
    bare: String,
}

impl<'a> Orchestra<'a> {
    fn read(code: &'a str) -> Self {
        let csd = Csd::parse(code);
        let text = csd.orchestra_text();
        let base = csd.orchestra_start();
        let clean = strip_comments(text, Comments::Orchestra);
        let bare = strip_comments_and_strings(text, Comments::Orchestra);
        Orchestra {
            csd,
            base,
            clean,
            bare,
        }
    }

    /// 1-based line in the whole text of offset `pos` in the orchestra.
    fn line(&self, pos: usize) -> usize {
        self.csd.line_of(self.base + pos)
    }
}

/// Bytes of a Csound identifier or number: the boundaries of whole words.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every whole word of `text` with its offset.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !is_word_byte(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        (start < i).then(|| (start, text.get(start..i).unwrap_or("")))
    })
}

/// Position of the `\n` ending the line holding `from`, or the length.
fn line_end(text: &str, from: usize) -> usize {
    text.as_bytes()
        .get(from..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(text.len(), |p| from + p)
}

/// The contents of the orchestra's `"…"` strings outside comments, each once: the
/// channel names a patch spells out (`chnget "CC74"`).
pub fn string_literals(code: &str) -> Vec<String> {
    let orc = Orchestra::read(code);
    let mut found: Vec<String> = Vec::new();
    for (i, piece) in orc.clean.split('"').enumerate() {
        // Odd pieces sit between quotes; a string ends at its line.
        if i % 2 == 1 && !piece.contains('\n') && !found.iter().any(|f| f == piece) {
            found.push(piece.to_string());
        }
    }
    found
}

// ---------------------------------------------------------------------------
// Instruments
// ---------------------------------------------------------------------------

/// One `instr` header of the orchestra and the body it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    /// The numbers the header gives, in order (`instr 1, 2`).
    pub numbers: Vec<u32>,
    /// The names the header gives, in order, without a leading `+`.
    pub names: Vec<String>,
    /// 1-based line of the header in the whole text.
    pub line: usize,
    /// Byte range in the whole text from the line after the header to its
    /// `endin` (or to the next header, or the orchestra end, when missing).
    pub body: (usize, usize),
}

/// A header line found in the bare orchestra.
struct Header {
    numbers: Vec<u32>,
    names: Vec<String>,
    keyword: usize,
    line_start: usize,
    body_start: usize,
}

/// Every `instr` header of the orchestra outside comments and strings:
/// `instr 1`, `instr 1, 2`, `instr Name`, `instr +Name`, `instr 3, Name`.
pub fn instruments(code: &str) -> Vec<Instrument> {
    read_instruments(&Orchestra::read(code))
}

/// The numbered instruments in order; named ones are left out.
pub fn instrument_numbers(code: &str) -> Vec<u32> {
    instruments(code)
        .into_iter()
        .flat_map(|i| i.numbers)
        .collect()
}

fn read_instruments(orc: &Orchestra) -> Vec<Instrument> {
    let headers = headers(&orc.bare);
    let mut found = Vec::new();
    for (k, header) in headers.iter().enumerate() {
        // A missing endin should not let a body run into the next instrument.
        let limit = headers
            .get(k + 1)
            .map_or(orc.bare.len(), |next| next.line_start);
        let span = orc.bare.get(header.body_start..limit).unwrap_or("");
        let body_end = words(span)
            .find(|(_, w)| *w == "endin")
            .map_or(limit, |(pos, _)| header.body_start + pos);
        found.push(Instrument {
            numbers: header.numbers.clone(),
            names: header.names.clone(),
            line: orc.line(header.keyword),
            body: (orc.base + header.body_start, orc.base + body_end),
        });
    }
    found
}

/// Lines of `bare` whose first word is `instr`.
fn headers(bare: &str) -> Vec<Header> {
    let mut found = Vec::new();
    let mut line_start = 0;
    while line_start < bare.len() {
        let end = line_end(bare, line_start);
        let line = bare.get(line_start..end).unwrap_or("");
        let indent = line.len() - line.trim_start().len();
        let rest = &line[indent..];
        if let Some(args) = rest.strip_prefix("instr") {
            if !args.bytes().next().is_some_and(is_word_byte) {
                let (numbers, names) = header_items(args);
                let body_start = (end + 1).min(bare.len());
                found.push(Header {
                    numbers,
                    names,
                    keyword: line_start + indent,
                    line_start,
                    body_start,
                });
            }
        }
        line_start = end + 1;
    }
    found
}

/// The numbers and names of an `instr` header's comma-separated list.
fn header_items(args: &str) -> (Vec<u32>, Vec<String>) {
    let mut numbers = Vec::new();
    let mut names = Vec::new();
    for item in args.split(',').map(str::trim) {
        if !item.is_empty() && item.bytes().all(|c| c.is_ascii_digit()) {
            numbers.extend(item.parse::<u32>().ok());
        } else {
            let name = item.strip_prefix('+').unwrap_or(item).trim_start();
            if is_identifier(name) {
                names.push(name.to_string());
            }
        }
    }
    (numbers, names)
}

/// Whether `s` is a Csound identifier (a letter or `_`, then word bytes).
fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && bytes.all(is_word_byte)
}

// ---------------------------------------------------------------------------
// P-fields and MIDI
// ---------------------------------------------------------------------------

/// How many p-fields instrument `instr` reads: 7 when its body names `p7`,
/// else 6 when it names `p6`, else 5 (also for an unknown instrument). Only
/// whole words in code count (`p61`, `kp6`, `ip6_` and comments do not).
/// When an instrument is defined twice, the last definition counts, as in
/// Csound.
pub fn pfields_read(code: &str, instr: u32) -> usize {
    let orc = Orchestra::read(code);
    let Some(found) = read_instruments(&orc)
        .into_iter()
        .rev()
        .find(|i| i.numbers.contains(&instr))
    else {
        return BASE_PFIELDS;
    };
    let body = orc
        .bare
        .get(found.body.0 - orc.base..found.body.1 - orc.base)
        .unwrap_or("");
    words(body).fold(BASE_PFIELDS, |n, (_, word)| match word {
        "p6" => n.max(6),
        "p7" => n.max(7),
        _ => n,
    })
}

/// Whether the orchestra uses a Csound MIDI opcode (in code, not in a
/// comment or a string).
pub fn uses_midi_opcodes(code: &str) -> bool {
    let orc = Orchestra::read(code);
    let found = words(&orc.bare).any(|(_, word)| MIDI_OPCODES.contains(&word));
    found
}

// ---------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------

/// A string literal right after an opcode: blanks, an optional `(`, then
/// `"name"` on the same line. Returns the name, where reading goes on, and
/// whether the call used parentheses.
fn literal_after(clean: &str, from: usize) -> Option<(&str, usize, bool)> {
    let b = clean.as_bytes();
    let skip = |mut i: usize| {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        i
    };
    let mut i = skip(from);
    let paren = b.get(i) == Some(&b'(');
    if paren {
        i = skip(i + 1);
    }
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let close = i
        + 1
        + b.get(i + 1..)?
            .iter()
            .position(|&c| c == b'"' || c == b'\n')?;
    if b[close] != b'"' {
        return None;
    }
    Some((clean.get(i + 1..close)?, close + 1, paren))
}

/// The literal channel names of `outvalue "name", …` calls (also written
/// `outvalue("name", …)`), each once, in order.
pub fn outvalue_names(code: &str) -> Vec<String> {
    let orc = Orchestra::read(code);
    let mut names: Vec<String> = Vec::new();
    for (pos, word) in words(&orc.bare) {
        if word != "outvalue" {
            continue;
        }
        if let Some((name, _, _)) = literal_after(&orc.clean, pos + word.len()) {
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// The range hints of a `chn_k` declaration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChnHints {
    /// 1 integer, 2 linear, 3 exponential.
    pub behaviour: u32,
    /// The default value.
    pub default: f64,
    /// The lowest value.
    pub min: f64,
    /// The highest value.
    pub max: f64,
}

/// A `chn_k`, `chn_a` or `chn_S` declaration with a literal name and mode.
#[derive(Debug, Clone, PartialEq)]
pub struct ChnDeclaration {
    /// The channel name.
    pub name: String,
    /// `'k'`, `'a'` or `'S'`, after the opcode.
    pub kind: char,
    /// 1 input, 2 output, 3 both.
    pub mode: u32,
    /// The range hints, when the type is 1, 2 or 3 and all four numbers are
    /// literals.
    pub hints: Option<ChnHints>,
    /// 1-based line of the opcode in the whole text.
    pub line: usize,
}

/// The channel declarations of the orchestra whose name and mode are
/// literals (others cannot be known before running); a channel declared
/// twice is reported once, as first declared.
pub fn chn_declarations(code: &str) -> Vec<ChnDeclaration> {
    let orc = Orchestra::read(code);
    let mut found: Vec<ChnDeclaration> = Vec::new();
    for (pos, word) in words(&orc.bare) {
        let kind = match word {
            "chn_k" => 'k',
            "chn_a" => 'a',
            "chn_S" => 'S',
            _ => continue,
        };
        let Some((name, mode, hints)) = read_chn(&orc.clean, pos + word.len()) else {
            continue;
        };
        if found.iter().any(|d| d.name == name) {
            continue;
        }
        let line = orc.line(pos);
        found.push(ChnDeclaration {
            name: name.to_string(),
            kind,
            mode,
            hints,
            line,
        });
    }
    found
}

/// Reads the arguments of a channel declaration after its opcode.
fn read_chn(clean: &str, from: usize) -> Option<(&str, u32, Option<ChnHints>)> {
    let (name, after, paren) = literal_after(clean, from)?;
    if name.is_empty() {
        return None;
    }
    let mut rest = clean.get(after..line_end(clean, after))?;
    if paren {
        rest = rest.split(')').next().unwrap_or("");
    }
    let args: Vec<&str> = rest
        .trim_start()
        .strip_prefix(',')?
        .split(',')
        .map(str::trim)
        .collect();
    let mode = whole_number(args.first()?).filter(|m| (1..=3).contains(m))?;
    Some((name, mode, hints(&args[1..])))
}

/// Hints from `itype, idflt, imin, imax`, when all are literal and the type
/// asks for them.
fn hints(args: &[&str]) -> Option<ChnHints> {
    let behaviour = whole_number(args.first()?).filter(|t| (1..=3).contains(t))?;
    Some(ChnHints {
        behaviour,
        default: number(args.get(1)?)?,
        min: number(args.get(2)?)?,
        max: number(args.get(3)?)?,
    })
}

/// The orchestra's `massign ichnl, insnum` statements with literal numbers, in order:
/// (MIDI channel 1–16, or 0 for every channel; the instrument, 0 for none).
pub fn massigns(code: &str) -> Vec<(u32, u32)> {
    let orc = Orchestra::read(code);
    let mut found = Vec::new();
    for (pos, word) in words(&orc.bare) {
        if word != "massign" {
            continue;
        }
        let from = pos + word.len();
        let Some(line) = orc.clean.get(from..line_end(&orc.clean, from)) else {
            continue;
        };
        let line = line.trim().trim_start_matches('(').trim_end_matches(')');
        let args: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(channel), Some(instr)) = (
            args.first().and_then(|a| whole_number(a)),
            args.get(1).and_then(|a| whole_number(a)),
        ) else {
            continue;
        };
        if channel <= 16 {
            found.push((channel, instr));
        }
    }
    found
}

/// Where Csound sends the notes of each MIDI channel (index 0 is channel 1) in native
/// mode: the last `massign` for that channel or for all, else the instrument of the same
/// number, else the lowest-numbered instrument (Csound's default routing). `None` where
/// nothing plays them (`massign c, 0`, or no numbered instrument).
pub fn midi_instruments(code: &str) -> [Option<u32>; 16] {
    let assigned = massigns(code);
    let numbers = instrument_numbers(code);
    let lowest = numbers.iter().copied().min();
    std::array::from_fn(|index| {
        let channel = index as u32 + 1;
        let massigned = assigned
            .iter()
            .rev()
            .find(|&&(c, _)| c == 0 || c == channel)
            .map(|&(_, instr)| instr);
        match massigned {
            Some(instr) => (instr > 0).then_some(instr),
            None if numbers.contains(&channel) => Some(channel),
            None => lowest,
        }
    })
}

/// A literal number (`-1`, `0.5`, `.5`, `1e-3`); not `inf` or `nan`, which
/// Rust would accept but Csound would not.
fn number(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let first = unsigned.bytes().next()?;
    let allowed = |c: u8| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+');
    if !(first.is_ascii_digit() || first == b'.') || !unsigned.bytes().all(allowed) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A literal number that is a whole non-negative value (`1`, `2.0`).
fn whole_number(s: &str) -> Option<u32> {
    let v = number(s)?;
    (v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csd::{strip_comments, strip_comments_and_strings, Comments, Csd};
    use csound_plug_testkit::rng::Rng;

    const CSD: &str = "<CsoundSynthesizer>\n<CsOptions>\n-odac\n</CsOptions>\n<CsInstruments>\n\
        sr = 44100\ninstr 1\n ifreq = p4\nendin\ninstr 2, Pad\n ichan = p6\nendin\n\
        </CsInstruments>\n<CsScore>\ni1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";

    // --- instruments --------------------------------------------------------

    #[test]
    fn every_header_form() {
        let code = "instr 1\nendin\ninstr 1, 2\nendin\ninstr Name\nendin\n  instr +Name2\nendin\ninstr 3 , Name3\nendin\n";
        let found = instruments(code);
        let summary: Vec<_> = found
            .iter()
            .map(|i| (i.numbers.clone(), i.names.clone(), i.line))
            .collect();
        let n = |v: &[u32]| v.to_vec();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            summary,
            [
                (n(&[1]), s(&[]), 1),
                (n(&[1, 2]), s(&[]), 3),
                (n(&[]), s(&["Name"]), 5),
                (n(&[]), s(&["Name2"]), 7),
                (n(&[3]), s(&["Name3"]), 9),
            ]
        );
    }

    #[test]
    fn headers_in_comments_and_strings_do_not_count() {
        let code = "; instr 9\n// instr 8\n/* instr 7\ninstr 6 */ instr 2\n prints \"instr 5\"\nendin\ninstrx 4\n";
        let found = instruments(code);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].numbers.clone(), found[0].line), (vec![2], 4));
    }

    #[test]
    fn body_runs_from_the_header_line_to_endin() {
        let code = "instr 1 ; one\n a1 oscili 0.1, 440\n out a1\nendin\ninstr 2\n; endin\n prints \"endin\"\nendin";
        let found = instruments(code);
        let bodies: Vec<_> = found.iter().map(|i| &code[i.body.0..i.body.1]).collect();
        assert_eq!(
            bodies,
            [
                " a1 oscili 0.1, 440\n out a1\n",
                "; endin\n prints \"endin\"\n"
            ]
        );
    }

    #[test]
    fn a_missing_endin_stops_at_the_next_header() {
        let code = "instr 1\n a = p6\ninstr 2\n b = 1\n";
        let found = instruments(code);
        assert_eq!(&code[found[0].body.0..found[0].body.1], " a = p6\n");
        assert_eq!(&code[found[1].body.0..found[1].body.1], " b = 1\n");
        assert_eq!(pfields_read(code, 2), 5);
    }

    #[test]
    fn instruments_of_a_whole_csd_use_whole_text_lines_and_offsets() {
        let found = instruments(CSD);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].line, 7);
        assert_eq!(found[1].line, 10);
        assert_eq!(found[1].names, ["Pad"]);
        assert_eq!(&CSD[found[0].body.0..found[0].body.1], " ifreq = p4\n");
    }

    #[test]
    fn instrument_numbers_leave_names_out() {
        let code = "instr 2\nendin\ninstr Foo\nendin\ninstr 1, 3\nendin\ninstr 99999999999\nendin";
        assert_eq!(instrument_numbers(code), [2, 1, 3]);
        assert_eq!(instrument_numbers(CSD), [1, 2]);
        assert!(instrument_numbers("").is_empty());
    }

    #[test]
    fn crlf_orchestra() {
        let code = "instr 1\r\n ival = p7\r\nendin\r\ninstr 2\r\nendin\r\n";
        assert_eq!(instrument_numbers(code), [1, 2]);
        assert_eq!(pfields_read(code, 1), 7);
    }

    #[test]
    fn massign_routes_midi_channels() {
        let code = "massign 0, 3\nmassign 10, 5 ; drums\n/* massign 2, 9 */\n\
                    instr 1\nendin\ninstr 3\nendin\ninstr 5\nendin\n";
        assert_eq!(massigns(code), [(0, 3), (10, 5)]);
        assert_eq!(midi_instruments(code)[0], Some(3));
        assert_eq!(midi_instruments(code)[1], Some(3));
        assert_eq!(midi_instruments(code)[9], Some(5));
        // Csound's default: the same number, else the lowest-numbered instrument.
        let plain = "instr 2\nendin\ninstr 4\nendin\n";
        assert_eq!(midi_instruments(plain)[3], Some(4));
        assert_eq!(midi_instruments(plain)[0], Some(2));
        assert_eq!(midi_instruments("massign 0, 0\ninstr 1\nendin\n")[0], None);
        assert_eq!(
            midi_instruments("massign(1, 2)\ninstr 2\nendin\n")[0],
            Some(2)
        );
    }

    #[test]
    fn string_literals_skip_comments() {
        let code = "kv chnget \"CC74\" ; \"CC1\"\n/* \"CC2\" */ S = \"é ♪\"\nk2 chnget \"CC74\"\n";
        assert_eq!(string_literals(code), ["CC74", "é ♪"]);
    }

    // --- p-fields -----------------------------------------------------------

    #[test]
    fn pfields_read_cases() {
        assert_eq!(pfields_read("instr 1\n ivel = p5\nendin", 1), 5);
        assert_eq!(pfields_read("instr 1\n ifreq = p7\nendin", 1), 7);
        assert_eq!(pfields_read("instr 3, 1\n ichan = p6\nendin", 1), 6);
        assert_eq!(pfields_read("instr 1\n i6 = p6\n i7 = p7\nendin", 1), 7);
        assert_eq!(pfields_read("instr 1\n /* p6\n p7 */ ; p6\nendin", 1), 5);
        assert_eq!(pfields_read("instr 1\n ; ichan = p6\nendin", 1), 5);
        assert_eq!(
            pfields_read("instr 1\n a = p61 + kp6 + ip6_\n prints \"p6\"\nendin", 1),
            5
        );
        assert_eq!(pfields_read("instr 1\n ivel = p5\nendin", 4), 5);
        assert_eq!(pfields_read(CSD, 2), 6);
        assert_eq!(pfields_read(CSD, 1), 5);
    }

    #[test]
    fn pfields_only_of_the_instruments_own_body() {
        let code = "instr 1\n a = p5\nendin\ninstr 2\n b = p7\nendin\n";
        assert_eq!(pfields_read(code, 1), 5);
        assert_eq!(pfields_read(code, 2), 7);
    }

    #[test]
    fn a_redefined_instrument_reads_its_last_definition() {
        let code = "instr 1\n a = p7\nendin\ninstr 1\n a = p6\nendin\n";
        assert_eq!(pfields_read(code, 1), 6);
    }

    // --- MIDI ---------------------------------------------------------------

    #[test]
    fn midi_opcodes_in_code_only() {
        assert!(!uses_midi_opcodes("; massign in a comment\n"));
        assert!(!uses_midi_opcodes("/* massign */"));
        assert!(!uses_midi_opcodes("prints \"veloc\""));
        assert!(uses_midi_opcodes("kv veloc"));
        assert!(uses_midi_opcodes("massign 0, 1"));
        assert!(uses_midi_opcodes("instr 1\n icps cpsmidi\nendin"));
        assert!(!uses_midi_opcodes("kvelocity = 1\nimassign = 2"));
        assert!(!uses_midi_opcodes(CSD));
    }

    #[test]
    fn midi_opcodes_outside_the_orchestra_do_not_count() {
        let text =
            "<Cabbage>\nmassign\n</Cabbage>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>";
        assert!(!uses_midi_opcodes(text));
    }

    // --- outvalue -----------------------------------------------------------

    #[test]
    fn outvalue_literal_names_once_in_order() {
        let code = "outvalue \"gain\", k1\noutvalue \"gain\", k2\n outvalue\t\"pan\",k3\n; outvalue \"x\", 1\n\
                    /* outvalue \"y\", 1 */\noutvalue Sname, k1\noutvalue(\"z\", k1)\nprints \"outvalue \\\"q\\\"\"\n\
                    koutvalue \"w\", 1\noutvalue \"é ♪\", 1";
        assert_eq!(outvalue_names(code), ["gain", "pan", "z", "é ♪"]);
        assert!(outvalue_names("; outvalue \"x\", 1").is_empty());
        assert!(outvalue_names("outvalue \"open\n\", 1").is_empty());
    }

    // --- channels -----------------------------------------------------------

    #[test]
    fn chn_declarations_with_and_without_hints() {
        let code = "chn_k \"cutoff\", 1, 2, 1000, 20, 20000\n\
                    chn_k(\"gain\", 3, 3, 0.5, 1e-3, 1.5E0)\n\
                    chn_k  \"neg\" ,2,1, -1 , -10, -.5 ; comment\n\
                    chn_a \"audio\", 2\n\
                    chn_S \"text\", 1\n\
                    chn_k Sname, 1\n\
                    chn_k \"var\", imode\n\
                    chn_k \"cutoff\", 2\n\
                    chn_k \"plain\", 3, 0, 1, 2, 3\n\
                    chn_k \"partial\", 3, 2, idflt, 0, 1\n\
                    ; chn_k \"commented\", 1\n\
                    chn_k \"badmode\", 7\n\
                    chn_k \"few\", 1, 2, 0\n";
        let found = chn_declarations(code);
        let summary: Vec<_> = found
            .iter()
            .map(|d| (d.name.as_str(), d.kind, d.mode, d.hints, d.line))
            .collect();
        let h = |behaviour, default, min, max| {
            Some(ChnHints {
                behaviour,
                default,
                min,
                max,
            })
        };
        assert_eq!(
            summary,
            [
                ("cutoff", 'k', 1, h(2, 1000.0, 20.0, 20000.0), 1),
                ("gain", 'k', 3, h(3, 0.5, 0.001, 1.5), 2),
                ("neg", 'k', 2, h(1, -1.0, -10.0, -0.5), 3),
                ("audio", 'a', 2, None, 4),
                ("text", 'S', 1, None, 5),
                ("plain", 'k', 3, None, 9),
                ("partial", 'k', 3, None, 10),
                ("few", 'k', 1, None, 13),
            ]
        );
    }

    #[test]
    fn chn_declarations_in_a_whole_csd() {
        let text = "<CsoundSynthesizer>\n<CsInstruments>\nchn_k \"vol\", 1, 2, 0.5, 0, 1\n</CsInstruments>\n</CsoundSynthesizer>";
        let found = chn_declarations(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 3);
    }

    #[test]
    fn literal_numbers() {
        assert_eq!(number("-1"), Some(-1.0));
        assert_eq!(number("+.5"), Some(0.5));
        assert_eq!(number("5."), Some(5.0));
        assert_eq!(number("2e3"), Some(2000.0));
        assert_eq!(number("inf"), None);
        assert_eq!(number("nan"), None);
        assert_eq!(number("1e999"), None);
        assert_eq!(number("1+1"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("e5"), None);
        assert_eq!(whole_number("2.0"), Some(2));
        assert_eq!(whole_number("2.5"), None);
        assert_eq!(whole_number("-1"), None);
    }

    // --- robustness ---------------------------------------------------------

    const PIECES: [&str; 48] = [
        "<CsoundSynthesizer>",
        "</CsoundSynthesizer>",
        "<CsInstruments>",
        "</CsInstruments>",
        "<CsScore>",
        "</CsScore>",
        "<CsOptions>",
        "</CsOptions>",
        "<Cabbage>",
        "</CABBAGE>",
        "<CsFileB filename='a b.wav'>",
        "<CsScore bin=\"x",
        "\n",
        "\n",
        "\r\n",
        " ",
        "\t",
        ";",
        "//",
        "/*",
        "*/",
        "#",
        "\"",
        "{{",
        "}}",
        "\\",
        "♪",
        "é",
        "\u{feff}",
        "instr ",
        "instr 1",
        ", Name",
        "endin",
        "p6",
        "p7",
        "massign 0, 1",
        "veloc",
        "outvalue \"",
        "chn_k \"c\", 1, 2, 0, -1, 1e3",
        "chn_k(\"d\", 3",
        "i1 0 1",
        "i",
        "[",
        "]",
        "{",
        "$X",
        "<",
        ">",
    ];

    fn generated(rng: &mut Rng) -> String {
        let count = 1 + rng.below(40);
        (0..count)
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect()
    }

    fn check_csd(text: &str) {
        let csd = Csd::parse(text);
        for s in csd.sections() {
            assert!(s.tag_start < s.body_start && s.body_start <= s.body_end());
            assert!(s.body_end() <= s.end && s.end <= text.len());
            assert_eq!(text.get(s.body_start..s.body_end()), Some(s.body));
        }
        for token in csd.options() {
            assert_eq!(
                text.get(token.offset..token.offset + token.text.len()),
                Some(token.text)
            );
            assert!(token.line >= 1);
        }
        for statement in csd.score_statements() {
            assert!(statement.offset < text.len() && statement.line >= 1);
        }
        let orc = csd.orchestra_text();
        let start = csd.orchestra_start();
        assert_eq!(text.get(start..start + orc.len()), Some(orc));
        for style in [Comments::Orchestra, Comments::Score, Comments::Options] {
            let stripped = strip_comments(text, style);
            assert_eq!(stripped.len(), text.len());
            let newlines = |s: &str| {
                s.bytes()
                    .enumerate()
                    .filter(|(_, c)| *c == b'\n' || *c == b'\r')
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            };
            assert_eq!(newlines(&stripped), newlines(text));
            let bare = strip_comments_and_strings(text, style);
            assert_eq!(bare.len(), text.len());
            assert_eq!(newlines(&bare), newlines(text));
        }
    }

    fn check_facts(text: &str) {
        for instrument in instruments(text) {
            assert!(instrument.body.0 <= instrument.body.1 && instrument.body.1 <= text.len());
            assert!(text.get(instrument.body.0..instrument.body.1).is_some());
        }
        let _ = instrument_numbers(text);
        assert!(pfields_read(text, 1) >= 5);
        let _ = uses_midi_opcodes(text);
        let _ = outvalue_names(text);
        for declaration in chn_declarations(text) {
            assert!(declaration.line >= 1 && (1..=3).contains(&declaration.mode));
        }
    }

    #[test]
    fn generated_texts_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..400 {
            let text = generated(&mut rng);
            // Every truncation too, at character boundaries.
            let cuts: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .step_by(3)
                .collect();
            for cut in cuts.into_iter().chain([text.len()]) {
                let piece = &text[..cut];
                check_csd(piece);
                check_facts(piece);
            }
        }
    }

    #[test]
    fn facts_read_the_same_with_comments_blanked() {
        // Blanking comments keeps offsets, so facts must not change.
        let code = "instr 1 ; x\n a = p6 /* p7 */\nendin\n";
        let stripped = strip_comments(code, Comments::Orchestra);
        assert_eq!(instruments(code), instruments(&stripped));
        assert_eq!(pfields_read(&stripped, 1), 6);
    }
}
