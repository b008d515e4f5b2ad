//! Csound syntax highlighting for the code editor, as pure logic (no GUI types).
//!
//! [`highlight`] cuts a .csd (or a bare orchestra) into [`Span`]s of [`Token`] kinds, which the
//! editor maps to colours. A .csd holds several languages, so each section is coloured by its
//! own rules: the orchestra fully (keywords, opcodes, variables by rate, p-fields, labels,
//! macros), the score only for comments, numbers and strings (`i 1 0 2` is not orchestra
//! code), `<CsOptions>` only for comments, `<CsoundPlug>` as TOML and `<Cabbage>` as widget
//! lines. Other `<Cs…>` sections (licence, embedded files, version) are plain text, because
//! they are prose or base64 that orchestra rules would only paint at random.
//!
//! The editor reruns this on every keystroke, on files of 10 000 lines, so it is one forward
//! pass over the bytes: no regex, no state kept between calls. Whether a word is an opcode is
//! asked of the caller, who owns the opcode list.
//!
//! Choices beyond the plain token rules:
//! - An unterminated `/* …` or `{{ …` ends at the next closing section tag (`</CsInstruments>`,
//!   `</Cabbage>`, …) rather than at the end of the file, as Csound splits a .csd into sections
//!   before it reads them; an unterminated `"…` ends at the end of its line.
//! - On an `instr` or `opcode` line the words after the keyword are names and type lists
//!   (`instr Synth`, `opcode Lfo, k, kk`), so they stay [`Token::Text`] instead of looking like
//!   variables.
//! - Empty brackets after a variable are part of it (`kArr[]`), an index is not (`kArr[0]`).
//! - A type hint after an opcode is part of it (`chnget:k`), after anything else it is not;
//!   a one-letter type after a name (`freq:k`) is text, not the `k()` conversion opcode.
//! - In the score, letters and digits are split (`i1` is `i` then the number `1`), so
//!   instrument numbers written without a space are still coloured.

use std::ops::Range;

/// What a piece of Csound code is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Token {
    /// Anything else: operators, punctuation, unknown words, whitespace.
    Text,
    /// `; …` and `// …` to the end of the line, `/* … */` over lines (`# …` in `<CsoundPlug>`).
    Comment,
    /// `"…"` with `\"` escapes, and `{{ … }}` over lines (TOML quoting in `<CsoundPlug>`).
    String,
    /// `440`, `0.5`, `.5`, `5.`, `1e-3`, `0x1F`; a leading minus is [`Token::Text`].
    Number,
    /// Control flow and structure (`instr`, `endin`, `if`, `kgoto`, …), header words (`sr`,
    /// `ksmps`, `0dbfs`, `A4`, …), preprocessor directives (`#define`, …) and macro uses
    /// (`$NAME`).
    Keyword,
    /// A word the caller's `is_opcode` accepts, with its type hint if any (`chnget:k`).
    Opcode,
    /// `p` followed by digits: `p3`, `p12`.
    PField,
    /// An i-rate variable: `iamp`, `giTable`.
    IVar,
    /// A k-rate variable: `kcut`, `gkTempo`.
    KVar,
    /// An a-rate variable: `aout`, `gaOrgan`.
    AVar,
    /// A string variable: `Sname`, `gSfile`.
    SVar,
    /// An f-sig (spectral) variable: `fsig`, `gfsrc`.
    FVar,
    /// A section tag: `<CsoundSynthesizer>`, `</CsScore>`, `<Cabbage>`, …
    Tag,
    /// A line's leading `name:` label, colon included.
    Label,
}

/// A run of one token kind: a byte range into the highlighted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Byte range into the text; both ends are on char boundaries.
    pub range: Range<usize>,
    /// What the bytes in `range` are.
    pub token: Token,
}

/// Spans covering the whole `text` in order, without gaps or overlaps (adjacent spans of the
/// same token may be merged).
///
/// `is_opcode` decides which words are opcodes; it is called at most once per orchestra word,
/// so it should be a set lookup.
pub fn highlight(text: &str, is_opcode: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut scanner = Scanner {
        text,
        is_opcode,
        section: Section::Orchestra,
        header_end: 0,
        spans: Vec::new(),
    };
    scanner.run();
    scanner.spans
}

/// The part of a .csd being read; each has its own colouring rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// `<CsInstruments>`, and anywhere outside a known section (also text without tags).
    Orchestra,
    /// `<CsScore>`.
    Score,
    /// `<CsOptions>`.
    Options,
    /// `<CsoundPlug>`: the plugin's TOML metadata.
    Plug,
    /// `<Cabbage>`: widget lines.
    Cabbage,
    /// Any other `<Cs…>` section: licences, embedded files, version.
    Plain,
}

/// The one pass over the text: each step reads a token at a position and appends its span.
struct Scanner<'a> {
    text: &'a str,
    is_opcode: &'a dyn Fn(&str) -> bool,
    section: Section,
    /// End of the current `instr`/`opcode` line: words before it are names, not variables.
    header_end: usize,
    spans: Vec<Span>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let mut pos = 0;
        while pos < self.text.len() {
            let (end, token) = self.next_token(pos);
            // Every reader moves forward and stops on a char boundary; a bug here would hang
            // the editor or slice through a char, so debug builds (and tests) check it.
            debug_assert!(end > pos && self.text.is_char_boundary(end));
            self.push(pos..end, token);
            pos = end;
        }
    }

    /// Appends a span, merging it into the previous one when the token is the same, so runs
    /// of text read a char at a time become one span.
    fn push(&mut self, range: Range<usize>, token: Token) {
        if let Some(last) = self.spans.last_mut() {
            if last.token == token && last.range.end == range.start {
                last.range.end = range.end;
                return;
            }
        }
        self.spans.push(Span { range, token });
    }

    /// Reads the token at `pos`: tags first, as they switch sections in every section.
    fn next_token(&mut self, pos: usize) -> (usize, Token) {
        if let Some(tag) = tag_at(self.text, pos) {
            self.section = if tag.closing {
                Section::Orchestra
            } else {
                section_of(tag.name)
            };
            return (tag.end, Token::Tag);
        }
        match self.section {
            Section::Orchestra => self.orchestra(pos),
            Section::Score => score(self.text, pos),
            Section::Options => options(self.text, pos),
            Section::Plug => plug(self.text, pos),
            Section::Cabbage => cabbage(self.text, pos),
            Section::Plain => (char_end(self.text, pos), Token::Text),
        }
    }

    /// Orchestra rules: everything the language has.
    fn orchestra(&mut self, pos: usize) -> (usize, Token) {
        let text = self.text;
        let bytes = text.as_bytes();
        if let Some(end) = csound_comment(text, pos) {
            return (end, Token::Comment);
        }
        if let Some(end) = quoted(bytes, pos, b'"', true).or_else(|| brace_string(text, pos)) {
            return (end, Token::String);
        }
        let keyword = preprocessor(text, pos)
            .or_else(|| macro_use(bytes, pos))
            .or_else(|| zero_dbfs(bytes, pos));
        if let Some(end) = keyword {
            return (end, Token::Keyword);
        }
        if let Some(end) = number_end(bytes, pos) {
            return (end, Token::Number);
        }
        if is_ident_start(bytes[pos]) {
            return self.word(pos);
        }
        (char_end(text, pos), Token::Text)
    }

    /// Classifies an orchestra word; the order is the precedence: labels, header names,
    /// keywords, opcodes, p-fields, variables.
    fn word(&mut self, pos: usize) -> (usize, Token) {
        let bytes = self.text.as_bytes();
        let end = word_end(bytes, pos, is_ident_char);
        let word = &self.text[pos..end];
        if let Some(label_end) = label_end(bytes, pos, end) {
            return (label_end, Token::Label);
        }
        if pos < self.header_end || is_type_annotation(bytes, pos, end) {
            return (end, Token::Text);
        }
        if is_keyword(word) {
            if word == "instr" || word == "opcode" {
                self.header_end = line_end(bytes, end);
            }
            return (end, Token::Keyword);
        }
        if (self.is_opcode)(word) {
            return (type_hint_end(bytes, end), Token::Opcode);
        }
        if is_pfield(word) {
            return (end, Token::PField);
        }
        if let Some(token) = variable(word) {
            return (array_suffix_end(bytes, end), token);
        }
        (end, Token::Text)
    }
}

/// Score rules: comments, strings and numbers; statements and names are text.
fn score(text: &str, pos: usize) -> (usize, Token) {
    let bytes = text.as_bytes();
    if let Some(end) = csound_comment(text, pos) {
        return (end, Token::Comment);
    }
    if let Some(end) = quoted(bytes, pos, b'"', true) {
        return (end, Token::String);
    }
    if let Some(end) = number_end(bytes, pos) {
        return (end, Token::Number);
    }
    // Letters only, so the digits of `i1` are read next as a number.
    if is_ident_start(bytes[pos]) {
        let end = word_end(bytes, pos, |b| b.is_ascii_alphabetic() || b == b'_');
        return (end, Token::Text);
    }
    (char_end(text, pos), Token::Text)
}

/// Options rules: command-line flags are text, only comments stand out.
fn options(text: &str, pos: usize) -> (usize, Token) {
    match csound_comment(text, pos) {
        Some(end) => (end, Token::Comment),
        None => (char_end(text, pos), Token::Text),
    }
}

/// `<CsoundPlug>` rules: TOML's `#` comments, strings and numbers; keys and values are text.
fn plug(text: &str, pos: usize) -> (usize, Token) {
    let bytes = text.as_bytes();
    if bytes[pos] == b'#' {
        return (line_end(bytes, pos), Token::Comment);
    }
    if let Some(end) = toml_string(text, pos) {
        return (end, Token::String);
    }
    if let Some(end) = number_end(bytes, pos) {
        return (end, Token::Number);
    }
    // Whole bare keys (`key2`, `max-voices`), so their digits are not coloured as numbers.
    if is_ident_start(bytes[pos]) {
        let end = word_end(bytes, pos, |b| is_ident_char(b) || b == b'-');
        return (end, Token::Text);
    }
    (char_end(text, pos), Token::Text)
}

/// `<Cabbage>` rules: `;` comments, strings and numbers; widget and identifier names are text.
fn cabbage(text: &str, pos: usize) -> (usize, Token) {
    let bytes = text.as_bytes();
    if bytes[pos] == b';' {
        return (line_end(bytes, pos), Token::Comment);
    }
    if let Some(end) = quoted(bytes, pos, b'"', true) {
        return (end, Token::String);
    }
    if let Some(end) = number_end(bytes, pos) {
        return (end, Token::Number);
    }
    // Whole words, so `hslider2` stays one name.
    if is_ident_start(bytes[pos]) {
        return (word_end(bytes, pos, is_ident_char), Token::Text);
    }
    (char_end(text, pos), Token::Text)
}

/// A tag found in the text.
struct Tag<'a> {
    /// Just past the `>`.
    end: usize,
    name: &'a str,
    closing: bool,
}

/// Reads a tag at `pos`: `</Name>` for any name, `<Name>` or `<Name attr…>` when the name is
/// a Csound or Cabbage section. Other `<` are comparisons, so they stay text.
fn tag_at(text: &str, pos: usize) -> Option<Tag<'_>> {
    let bytes = text.as_bytes();
    if bytes[pos] != b'<' {
        return None;
    }
    let closing = bytes.get(pos + 1) == Some(&b'/');
    let name_start = pos + 1 + usize::from(closing);
    if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_end = word_end(bytes, name_start, is_ident_char);
    let name = &text[name_start..name_end];
    if !closing && !is_section_name(name) {
        return None;
    }
    // Attributes only on opening tags (`<CsScore bin="python">`, `<CsFileB filename=x>`).
    let end = tag_close(bytes, name_end, !closing)?;
    Some(Tag { end, name, closing })
}

/// Where a tag whose name ends at `from` closes: at `>`, or with attributes at the first `>`
/// on the same line.
fn tag_close(bytes: &[u8], from: usize, attributes: bool) -> Option<usize> {
    match bytes.get(from) {
        Some(b'>') => Some(from + 1),
        Some(b' ' | b'\t') if attributes => {
            let line = &bytes[from..line_end(bytes, from)];
            let gt = line.iter().position(|&b| b == b'>')?;
            Some(from + gt + 1)
        }
        _ => None,
    }
}

/// Whether a tag name is one that opens a .csd section.
fn is_section_name(name: &str) -> bool {
    name.starts_with("Cs") || name == "Cabbage"
}

/// The section an opening tag starts.
fn section_of(name: &str) -> Section {
    match name {
        // The outer tag: between sections Csound reads nothing, so any rules do; the full
        // ones suit a bare orchestra pasted there.
        "CsoundSynthesizer" | "CsoundSynthesiser" | "CsInstruments" => Section::Orchestra,
        "CsScore" => Section::Score,
        "CsOptions" => Section::Options,
        "CsoundPlug" => Section::Plug,
        "Cabbage" => Section::Cabbage,
        _ => Section::Plain,
    }
}

/// Whether a closing section tag (`</CsInstruments>`, `</Cabbage>`, …) is at `pos`: the
/// point where an unterminated block comment or string stops.
fn is_section_close(text: &str, pos: usize) -> bool {
    tag_at(text, pos).is_some_and(|tag| tag.closing && is_section_name(tag.name))
}

/// Reads a Csound comment at `pos`: `;` or `//` to the end of the line, or `/* … */`.
fn csound_comment(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = &bytes[pos..];
    if rest.starts_with(b";") || rest.starts_with(b"//") {
        Some(line_end(bytes, pos))
    } else if rest.starts_with(b"/*") {
        Some(block_end(text, pos + 2, "*/"))
    } else {
        None
    }
}

/// Reads a `{{ … }}` string at `pos`.
fn brace_string(text: &str, pos: usize) -> Option<usize> {
    text.as_bytes()[pos..]
        .starts_with(b"{{")
        .then(|| block_end(text, pos + 2, "}}"))
}

/// Reads a TOML string at `pos`: `"""…"""` and `'''…'''` over lines, `"…"` with escapes,
/// `'…'` literal.
fn toml_string(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = &bytes[pos..];
    if rest.starts_with(b"\"\"\"") {
        Some(block_end(text, pos + 3, "\"\"\""))
    } else if rest.starts_with(b"'''") {
        Some(block_end(text, pos + 3, "'''"))
    } else {
        quoted(bytes, pos, b'"', true).or_else(|| quoted(bytes, pos, b'\'', false))
    }
}

/// End of a block that started before `from` and closes with `close`: just past `close`, or
/// at a closing section tag, or at the end of the text.
fn block_end(text: &str, from: usize, close: &str) -> usize {
    let bytes = text.as_bytes();
    let close = close.as_bytes();
    // Byte steps are safe: `close` and `<` are ASCII, and UTF-8 continuation bytes never
    // equal an ASCII byte, so every stop is on a char boundary.
    let mut i = from;
    while i < bytes.len() {
        if bytes[i..].starts_with(close) {
            return i + close.len();
        }
        if bytes[i] == b'<' && is_section_close(text, i) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// Reads a one-line string opened by `quote` at `pos`: just past the closing quote, or the
/// end of the line when it is missing, so one stray quote does not colour the whole file.
fn quoted(bytes: &[u8], pos: usize, quote: u8, escapes: bool) -> Option<usize> {
    if bytes[pos] != quote {
        return None;
    }
    let mut i = pos + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return Some(i),
            b if b == quote => return Some(i + 1),
            // Skip the escaped byte, but never a newline: strings do not continue on the
            // next line.
            b'\\' if escapes && bytes.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
            _ => i += 1,
        }
    }
    Some(bytes.len())
}

/// Reads a preprocessor directive at `pos`: `#define`, `#include`, …
fn preprocessor(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes[pos] != b'#' {
        return None;
    }
    let end = word_end(bytes, pos + 1, is_ident_char);
    let directive = &text[pos + 1..end];
    let known = matches!(
        directive,
        "define" | "include" | "includestr" | "undef" | "ifdef" | "ifndef" | "else" | "end"
    );
    known.then_some(end)
}

/// Reads a macro use at `pos`: `$NAME`, with the optional `.` that ends a name (`$NAME.`).
fn macro_use(bytes: &[u8], pos: usize) -> Option<usize> {
    if bytes[pos] != b'$' || !bytes.get(pos + 1).copied().is_some_and(is_ident_start) {
        return None;
    }
    let end = word_end(bytes, pos + 1, is_ident_char);
    Some(if bytes.get(end) == Some(&b'.') {
        end + 1
    } else {
        end
    })
}

/// Reads `0dbfs` at `pos`: a header word that starts with a digit, so it would otherwise be
/// read as the number `0`.
fn zero_dbfs(bytes: &[u8], pos: usize) -> Option<usize> {
    let end = pos + "0dbfs".len();
    let is_word =
        bytes[pos..].starts_with(b"0dbfs") && !bytes.get(end).is_some_and(|&b| is_ident_char(b));
    is_word.then_some(end)
}

/// Reads a number at `pos`: `0x1F`, or digits with an optional fraction and exponent, where
/// a fraction alone (`.5`) is enough.
fn number_end(bytes: &[u8], pos: usize) -> Option<usize> {
    if let Some(end) = hex_end(bytes, pos) {
        return Some(end);
    }
    let int_end = digits_end(bytes, pos);
    let mut end = int_end;
    if bytes.get(end) == Some(&b'.') {
        let frac_end = digits_end(bytes, end + 1);
        // A lone `.` is not a number (the score's carry, or punctuation).
        if int_end > pos || frac_end > end + 1 {
            end = frac_end;
        }
    }
    (end > pos).then(|| exponent_end(bytes, end))
}

/// Reads `0x` and at least one hex digit at `pos`.
fn hex_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let rest = &bytes[pos..];
    if !(rest.starts_with(b"0x") || rest.starts_with(b"0X")) {
        return None;
    }
    let end = word_end(bytes, pos + 2, |b| b.is_ascii_hexdigit());
    (end > pos + 2).then_some(end)
}

/// Extends a number ending at `end` over an exponent (`e-3`) if a complete one follows.
fn exponent_end(bytes: &[u8], end: usize) -> usize {
    if !matches!(bytes.get(end), Some(b'e' | b'E')) {
        return end;
    }
    let mut digits = end + 1;
    if matches!(bytes.get(digits), Some(b'+' | b'-')) {
        digits += 1;
    }
    let exp_end = digits_end(bytes, digits);
    if exp_end > digits {
        exp_end
    } else {
        end
    }
}

fn digits_end(bytes: &[u8], pos: usize) -> usize {
    word_end(bytes, pos, |b| b.is_ascii_digit())
}

/// End of a label whose name is `pos..end`: the name must lead its line and be followed by
/// `:` and no word char (a word after the colon makes it a type hint, `chnget:k`).
fn label_end(bytes: &[u8], pos: usize, end: usize) -> Option<usize> {
    let colon = bytes.get(end) == Some(&b':');
    let hint = bytes.get(end + 1).is_some_and(|&b| is_ident_char(b));
    (colon && !hint && at_line_start(bytes, pos)).then_some(end + 1)
}

/// Whether only spaces and tabs are between the start of the line and `pos`.
fn at_line_start(bytes: &[u8], pos: usize) -> bool {
    // Only runs back over indentation, so the whole pass stays linear.
    let before = bytes[..pos]
        .iter()
        .rev()
        .find(|&&b| b != b' ' && b != b'\t');
    matches!(before, None | Some(b'\n'))
}

/// Whether the word `pos..end` is a one-letter type after a name and colon (`freq:k`,
/// `Sname:S`): the letters `i`, `k`, `a` are also conversion opcodes, which would colour the
/// type like a call. Longer words there stay words, as `kc ? ka:kb` is a ternary.
fn is_type_annotation(bytes: &[u8], pos: usize, end: usize) -> bool {
    let after_name = pos >= 2 && bytes[pos - 1] == b':' && is_ident_char(bytes[pos - 2]);
    after_name && end == pos + 1
}

/// Extends an opcode ending at `end` over a type hint (`:k`, `:a`).
fn type_hint_end(bytes: &[u8], end: usize) -> usize {
    let hinted =
        bytes.get(end) == Some(&b':') && bytes.get(end + 1).copied().is_some_and(is_ident_start);
    if hinted {
        word_end(bytes, end + 1, is_ident_char)
    } else {
        end
    }
}

/// Extends a variable ending at `end` over empty brackets (`kArr[]`, `kGrid[][]`): they are
/// part of an array's declared name, unlike an index.
fn array_suffix_end(bytes: &[u8], mut end: usize) -> usize {
    while bytes[end..].starts_with(b"[]") {
        end += 2;
    }
    end
}

/// Control flow, structure and header words. Checked before opcodes, as some lists of
/// opcodes include `kgoto`, `sr` and the like.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "instr"
            | "endin"
            | "opcode"
            | "endop"
            | "if"
            | "then"
            | "else"
            | "elseif"
            | "endif"
            | "fi"
            | "while"
            | "do"
            | "od"
            | "until"
            | "enduntil"
            | "goto"
            | "igoto"
            | "kgoto"
            | "tigoto"
            | "cggoto"
            | "cigoto"
            | "ckgoto"
            | "cngoto"
            | "return"
            | "rigoto"
            | "sr"
            | "kr"
            | "ksmps"
            | "nchnls"
            | "nchnls_i"
            | "A4"
    )
}

/// `p` and at least one digit: `p3`, `p12`.
fn is_pfield(word: &str) -> bool {
    word.strip_prefix('p')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The rate of a variable name: `i`, `k`, `a`, `S` or `f`, optionally after the global `g`,
/// then at least one more char (a rate letter alone is not a name).
fn variable(word: &str) -> Option<Token> {
    let local = word.strip_prefix('g').unwrap_or(word);
    let token = match local.as_bytes().first()? {
        b'i' => Token::IVar,
        b'k' => Token::KVar,
        b'a' => Token::AVar,
        b'S' => Token::SVar,
        b'f' => Token::FVar,
        _ => return None,
    };
    (local.len() > 1).then_some(token)
}

/// End of the run of bytes from `pos` that `accept` takes.
fn word_end(bytes: &[u8], pos: usize, accept: impl Fn(u8) -> bool) -> usize {
    bytes[pos..]
        .iter()
        .position(|&b| !accept(b))
        .map_or(bytes.len(), |n| pos + n)
}

/// End of the line holding `pos`: the index of its `\n`, or the end of the text.
fn line_end(bytes: &[u8], pos: usize) -> usize {
    word_end(bytes, pos, |b| b != b'\n')
}

/// End of the char at `pos`, so plain text never splits a multi-byte char.
fn char_end(text: &str, pos: usize) -> usize {
    pos + text[pos..].chars().next().map_or(1, char::len_utf8)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The opcodes the tests know; includes words that start like variables (`init`, `in`,
    /// `ftgen`) and words that are also keywords (`sr`, `kgoto`), to test precedence.
    fn is_opcode(word: &str) -> bool {
        matches!(
            word,
            "oscili"
                | "vco2"
                | "chnget"
                | "chnset"
                | "chn_k"
                | "init"
                | "in"
                | "ins"
                | "ftgen"
                | "outs"
                | "out"
                | "tone"
                | "moogladder"
                | "massign"
                | "alwayson"
                | "port"
                | "i"
                | "k"
                | "a"
                | "p"
                | "sr"
                | "kgoto"
                | "rslider"
        )
    }

    /// Highlights `text` and checks the spans cover it exactly.
    fn hl(text: &str) -> Vec<Span> {
        let spans = highlight(text, &is_opcode);
        assert_covers(text, &spans);
        spans
    }

    /// Spans start at 0, follow each other without gaps, end at the text's end, are not
    /// empty, sit on char boundaries and are merged (no two neighbours share a token).
    fn assert_covers(text: &str, spans: &[Span]) {
        let mut pos = 0;
        for (i, span) in spans.iter().enumerate() {
            assert_eq!(
                span.range.start, pos,
                "gap or overlap at span {i}: {spans:?}"
            );
            assert!(span.range.end > span.range.start, "empty span {i}");
            assert!(
                text.is_char_boundary(span.range.end),
                "span {i} splits a char"
            );
            if i > 0 {
                assert_ne!(spans[i - 1].token, span.token, "unmerged spans at {i}");
            }
            pos = span.range.end;
        }
        assert_eq!(pos, text.len(), "spans do not reach the end");
    }

    /// The span holding the first occurrence of `needle`, which must lie inside one span.
    fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("needle in text");
        let end = start + needle.len();
        let spans = hl(text);
        let span = spans
            .into_iter()
            .find(|s| s.range.contains(&start))
            .expect("a span at the needle");
        assert!(
            span.range.end >= end,
            "{needle:?} is split: {span:?} in {text:?}"
        );
        span
    }

    /// The token of the byte at `pos`.
    fn token_at(text: &str, pos: usize) -> Token {
        let spans = hl(text);
        spans
            .into_iter()
            .find(|s| s.range.contains(&pos))
            .unwrap()
            .token
    }

    /// The token of `needle`'s first occurrence.
    fn token_of(text: &str, needle: &str) -> Token {
        span_of(text, needle).token
    }

    /// The token of `needle`'s first occurrence, which must be exactly one span; for text,
    /// which merges with the whitespace around it, inside one span.
    fn exact(text: &str, needle: &str) -> Token {
        let span = span_of(text, needle);
        let start = text.find(needle).unwrap();
        if span.token != Token::Text {
            assert_eq!(
                span.range,
                start..start + needle.len(),
                "{needle:?} in {text:?}"
            );
        }
        span.token
    }

    /// Wraps orchestra code and score lines into a .csd.
    fn csd(orc: &str, sco: &str) -> String {
        format!(
            "<CsoundSynthesizer>\n<CsOptions>\n-odac\n</CsOptions>\n<CsInstruments>\n{orc}\n\
             </CsInstruments>\n<CsScore>\n{sco}\n</CsScore>\n</CsoundSynthesizer>\n"
        )
    }

    // --- coverage ---

    #[test]
    fn empty_text_has_no_spans() {
        assert!(hl("").is_empty());
    }

    #[test]
    fn plain_words_are_one_text_span() {
        assert_eq!(
            hl("hello + world"),
            vec![Span {
                range: 0..13,
                token: Token::Text
            }]
        );
    }

    #[test]
    fn every_prefix_of_a_csd_is_covered() {
        // Cutting the text anywhere leaves tokens unterminated at the end: none may panic,
        // overrun or leave a gap.
        let text = csd(
            "/* block */ {{ str }} \"q\\\"\" $M. #define 0dbfs 0x1F 1e-3 kA[] chnget:k(\"x\")\nlbl:\n",
            "i1 0 2 ; c\n",
        ) + "<CsoundPlug>\nk = '''x''' # c\n</CsoundPlug>\n<Cabbage>\nform ; c\n</Cabbage>é";
        for (cut, _) in text.char_indices() {
            hl(&text[..cut]);
        }
        hl(&text);
    }

    #[test]
    fn adjacent_tokens_of_one_kind_are_merged() {
        let spans = hl("; one\n; two");
        assert_eq!(spans.len(), 3, "{spans:?}");
    }

    // --- comments ---

    #[test]
    fn semicolon_comment_runs_to_end_of_line() {
        let text = "aout oscili 1, 440 ; a sine\nout aout";
        assert_eq!(exact(text, "; a sine"), Token::Comment);
        assert_eq!(
            token_at(text, text.find("\nout").unwrap() + 1),
            Token::Opcode
        );
    }

    #[test]
    fn double_slash_comment_runs_to_end_of_line() {
        let text = "kx = 1 // note\nky = 2";
        assert_eq!(exact(text, "// note"), Token::Comment);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn block_comment_spans_lines() {
        let text = "kx = 1 /* one\ntwo kcut\nthree */ ky = 2";
        assert_eq!(exact(text, "/* one\ntwo kcut\nthree */"), Token::Comment);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn unterminated_block_comment_runs_to_end() {
        let text = "kx = 1 /* never closed\nky = 2";
        assert_eq!(exact(text, "/* never closed\nky = 2"), Token::Comment);
    }

    #[test]
    fn unterminated_block_comment_stops_at_section_end() {
        let text = csd("kx = 1 /* never closed", "i 1 0 1");
        assert_eq!(token_of(&text, "/* never closed\n"), Token::Comment);
        assert_eq!(exact(&text, "</CsInstruments>"), Token::Tag);
        assert_eq!(exact(&text, "<CsScore>"), Token::Tag);
    }

    #[test]
    fn a_division_is_not_a_comment() {
        assert_eq!(exact("kx = ka / kb", "/"), Token::Text);
    }

    // --- strings ---

    #[test]
    fn string_with_escaped_quote() {
        let text = r#"Sx = "say \"hi\"" ; c"#;
        assert_eq!(exact(text, r#""say \"hi\"""#), Token::String);
        assert_eq!(exact(text, "; c"), Token::Comment);
    }

    #[test]
    fn string_ending_in_escaped_backslash() {
        let text = r#"Sx = "C:\\" kx"#;
        assert_eq!(exact(text, r#""C:\\""#), Token::String);
        assert_eq!(exact(text, "kx"), Token::KVar);
    }

    #[test]
    fn comment_marks_inside_a_string_are_string() {
        let text = r#"Sx = "a ; b // c /* d" ky"#;
        assert_eq!(exact(text, r#""a ; b // c /* d""#), Token::String);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn unterminated_string_stops_at_end_of_line() {
        let text = "Sx = \"open\nky = 1";
        assert_eq!(exact(text, "\"open"), Token::String);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn brace_string_spans_lines() {
        let text = "Sx = {{ line \"one\"\n; not a comment\n}} ky";
        assert_eq!(
            exact(text, "{{ line \"one\"\n; not a comment\n}}"),
            Token::String
        );
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn unterminated_brace_string_runs_to_end() {
        let text = "Sx = {{ open\nky";
        assert_eq!(exact(text, "{{ open\nky"), Token::String);
    }

    // --- numbers ---

    #[test]
    fn numbers_in_their_forms() {
        for number in [
            "440", "0.5", ".5", "5.", "1e-3", "2E+4", "6e2", "0x1F", "0XaB",
        ] {
            let text = format!("kx = {number} * 2");
            assert_eq!(exact(&text, number), Token::Number, "{number}");
        }
    }

    #[test]
    fn minus_is_text() {
        let text = "kx = -1";
        assert_eq!(exact(text, "-"), Token::Text);
        assert_eq!(exact(text, "1"), Token::Number);
    }

    #[test]
    fn incomplete_exponent_and_hex_are_not_swallowed() {
        let text = "1e x 0x";
        assert_eq!(exact(text, "1"), Token::Number);
        assert_eq!(token_of(text, "e x"), Token::Text);
        assert_eq!(exact(text, "0"), Token::Number);
    }

    #[test]
    fn lone_dot_is_text() {
        assert_eq!(hl(" . ")[0].token, Token::Text);
        assert_eq!(hl(" . ").len(), 1);
    }

    #[test]
    fn digits_inside_words_are_not_numbers() {
        assert_eq!(exact("k1 = a2", "k1"), Token::KVar);
        assert_eq!(exact("k1 = a2", "a2"), Token::AVar);
        assert_eq!(exact("vco2 1", "vco2"), Token::Opcode);
        assert_eq!(exact("vco2 1", "1"), Token::Number);
    }

    // --- keywords ---

    #[test]
    fn every_keyword() {
        let words = [
            "instr", "endin", "opcode", "endop", "if", "then", "else", "elseif", "endif", "fi",
            "while", "do", "od", "until", "enduntil", "goto", "igoto", "kgoto", "tigoto", "cggoto",
            "cigoto", "ckgoto", "cngoto", "return", "rigoto", "sr", "kr", "ksmps", "nchnls",
            "nchnls_i", "0dbfs", "A4",
        ];
        for word in words {
            let text = format!("x {word} y");
            assert_eq!(exact(&text, word), Token::Keyword, "{word}");
        }
    }

    #[test]
    fn header_words_beat_variables_and_opcodes() {
        // `ksmps` and `kr` start like k-variables, `sr` and `kgoto` are opcodes in the test list.
        let text = "sr = 48000\nksmps = 32\nkr = 1500\n0dbfs = 1\nkgoto end";
        assert_eq!(exact(text, "sr"), Token::Keyword);
        assert_eq!(exact(text, "ksmps"), Token::Keyword);
        assert_eq!(exact(text, "kr"), Token::Keyword);
        assert_eq!(exact(text, "0dbfs"), Token::Keyword);
        assert_eq!(exact(text, "kgoto"), Token::Keyword);
        assert_eq!(exact(text, "48000"), Token::Number);
    }

    #[test]
    fn zero_dbfs_needs_a_word_end() {
        let text = "0dbfsx";
        assert_eq!(exact(text, "0"), Token::Number);
        assert_eq!(exact(text, "dbfsx"), Token::Text);
    }

    #[test]
    fn keyword_prefixes_are_not_keywords() {
        assert_eq!(exact("ifx = 1", "ifx"), Token::IVar);
        assert_eq!(exact("instrument", "instrument"), Token::IVar);
        assert_eq!(exact("endinx", "endinx"), Token::Text);
    }

    #[test]
    fn control_flow_line() {
        let text = "if kx > 0 then\n  ky = 1\nelseif kx < 0 then\n  ky = 2\nendif";
        assert_eq!(exact(text, "if"), Token::Keyword);
        assert_eq!(exact(text, "then"), Token::Keyword);
        assert_eq!(exact(text, "elseif"), Token::Keyword);
        assert_eq!(exact(text, "endif"), Token::Keyword);
        assert_eq!(exact(text, ">"), Token::Text);
        assert_eq!(exact(text, "<"), Token::Text);
    }

    #[test]
    fn preprocessor_directives() {
        for directive in [
            "#define", "#include", "#undef", "#ifdef", "#ifndef", "#else", "#end",
        ] {
            let text = format!("{directive} NAME\n");
            assert_eq!(exact(&text, directive), Token::Keyword, "{directive}");
        }
    }

    #[test]
    fn define_with_body_and_include_path() {
        let text = "#define FREQ #440#\n#include \"lib.udo\"";
        assert_eq!(exact(text, "#define"), Token::Keyword);
        assert_eq!(exact(text, "440"), Token::Number);
        assert_eq!(exact(text, "\"lib.udo\""), Token::String);
    }

    #[test]
    fn unknown_directive_is_text() {
        assert_eq!(exact("#pragma x", "#pragma"), Token::Text);
        assert_eq!(exact("# 1", "#"), Token::Text);
    }

    #[test]
    fn macro_uses_are_keywords() {
        let text = "kx = $FREQ. * $RATIO + $ARGS(1)";
        assert_eq!(exact(text, "$FREQ."), Token::Keyword);
        assert_eq!(exact(text, "$RATIO"), Token::Keyword);
        assert_eq!(exact(text, "$ARGS"), Token::Keyword);
        assert_eq!(exact(text, "1"), Token::Number);
    }

    #[test]
    fn macro_dot_does_not_eat_a_number() {
        let text = "$X.5";
        assert_eq!(exact(text, "$X."), Token::Keyword);
        assert_eq!(exact(text, "5"), Token::Number);
    }

    #[test]
    fn lone_dollar_is_text() {
        assert_eq!(exact("$ 1", "$"), Token::Text);
    }

    // --- opcodes ---

    #[test]
    fn opcodes_by_the_callers_list() {
        let text = "aout vco2 0.5, 440\nouts aout, aout";
        assert_eq!(exact(text, "vco2"), Token::Opcode);
        assert_eq!(exact(text, "outs"), Token::Opcode);
        assert_eq!(exact(text, "aout"), Token::AVar);
    }

    #[test]
    fn opcodes_beat_rate_prefixes() {
        let text = "kx init 0\nain in\ngift ftgen 1, 0, 1024, 10, 1";
        assert_eq!(exact(text, "init"), Token::Opcode);
        assert_eq!(
            token_at(text, text.find(" in\n").unwrap() + 1),
            Token::Opcode
        );
        assert_eq!(exact(text, "ftgen"), Token::Opcode);
        assert_eq!(exact(text, "gift"), Token::IVar);
    }

    #[test]
    fn opcode_type_hint_is_part_of_the_opcode() {
        let text = "kx = chnget:k(\"time\") + oscili:k(1, 2)";
        assert_eq!(exact(text, "chnget:k"), Token::Opcode);
        assert_eq!(exact(text, "oscili:k"), Token::Opcode);
        assert_eq!(exact(text, "\"time\""), Token::String);
    }

    #[test]
    fn type_hint_on_a_variable_is_not_taken() {
        // `k` is an opcode in the test list (the `k()` conversion); after a colon it is a type.
        let text = "kx:k = 1
freq:k = 2
Sn:S = \"a\"";
        assert_eq!(exact(text, "kx"), Token::KVar);
        assert_eq!(exact(text, ":k"), Token::Text);
        assert_eq!(exact(text, "freq"), Token::FVar);
        assert_eq!(exact(text, ":S"), Token::Text);
    }

    #[test]
    fn rate_conversions_are_opcodes() {
        let text = "ix = i(kx)\nax = a(kx)";
        assert_eq!(token_at(text, text.find("i(").unwrap()), Token::Opcode);
        assert_eq!(token_at(text, text.find("a(").unwrap()), Token::Opcode);
        assert_eq!(exact(text, "ix"), Token::IVar);
    }

    #[test]
    fn unknown_words_are_text() {
        assert_eq!(exact("MyUdo 1", "MyUdo"), Token::Text);
        assert_eq!(exact("xyz 1", "xyz"), Token::Text);
    }

    // --- p-fields ---

    #[test]
    fn pfields() {
        let text = "ix = p3 + p12";
        assert_eq!(exact(text, "p3"), Token::PField);
        assert_eq!(exact(text, "p12"), Token::PField);
    }

    #[test]
    fn p_alone_or_with_letters_is_not_a_pfield() {
        assert_eq!(exact("ix = p(4)", "p"), Token::Opcode);
        assert_eq!(highlight("p", &|_| false)[0].token, Token::Text);
        assert_eq!(exact("p3x", "p3x"), Token::Text);
        assert_eq!(exact("pan", "pan"), Token::Text);
    }

    // --- variables ---

    #[test]
    fn local_variables_by_rate() {
        let text = "iamp kcut aout Sname fsig";
        assert_eq!(exact(text, "iamp"), Token::IVar);
        assert_eq!(exact(text, "kcut"), Token::KVar);
        assert_eq!(exact(text, "aout"), Token::AVar);
        assert_eq!(exact(text, "Sname"), Token::SVar);
        assert_eq!(exact(text, "fsig"), Token::FVar);
    }

    #[test]
    fn global_variables_by_rate() {
        let text = "giTab gkTempo gaOrgan gSfile gfsrc";
        assert_eq!(exact(text, "giTab"), Token::IVar);
        assert_eq!(exact(text, "gkTempo"), Token::KVar);
        assert_eq!(exact(text, "gaOrgan"), Token::AVar);
        assert_eq!(exact(text, "gSfile"), Token::SVar);
        assert_eq!(exact(text, "gfsrc"), Token::FVar);
    }

    #[test]
    fn short_and_other_names_are_not_variables() {
        let none = |_: &str| false;
        for word in [
            "k", "f", "S", "gk", "ga", "g", "gx", "s", "sname", "bx", "Kx", "_k",
        ] {
            assert_eq!(highlight(word, &none)[0].token, Token::Text, "{word}");
        }
    }

    #[test]
    fn underscores_and_digits_make_names() {
        let text = "k_1 a1 i_";
        assert_eq!(exact(text, "k_1"), Token::KVar);
        assert_eq!(exact(text, "a1"), Token::AVar);
        assert_eq!(exact(text, "i_"), Token::IVar);
    }

    #[test]
    fn array_declaration_brackets_belong_to_the_variable() {
        let text = "kArr[] init 8\nkGrid[][] init 2, 2\nkx = kArr[3]";
        assert_eq!(exact(text, "kArr[]"), Token::KVar);
        assert_eq!(exact(text, "kGrid[][]"), Token::KVar);
        let index = "kx = kArr[3]";
        assert_eq!(exact(index, "kArr"), Token::KVar);
        assert_eq!(exact(index, "["), Token::Text);
        assert_eq!(exact(index, "3"), Token::Number);
    }

    #[test]
    fn multiple_outputs() {
        let text = "ainL, ainR ins";
        assert_eq!(exact(text, "ainL"), Token::AVar);
        assert_eq!(exact(text, "ainR"), Token::AVar);
        assert_eq!(exact(text, "ins"), Token::Opcode);
    }

    // --- instr / opcode headers ---

    #[test]
    fn instrument_names_are_not_variables() {
        let text = "instr Synth, 2, kick\nSx = \"a\"\nendin";
        assert_eq!(exact(text, "instr"), Token::Keyword);
        assert_eq!(exact(text, "Synth"), Token::Text);
        assert_eq!(exact(text, "kick"), Token::Text);
        assert_eq!(exact(text, "2"), Token::Number);
        assert_eq!(exact(text, "Sx"), Token::SVar);
    }

    #[test]
    fn udo_type_lists_are_not_variables() {
        let text = "opcode Lfo, k, kki ; a udo\nkx xin\nxout kx\nendop";
        assert_eq!(exact(text, "Lfo"), Token::Text);
        assert_eq!(exact(text, "kki"), Token::Text);
        assert_eq!(exact(text, "; a udo"), Token::Comment);
        assert_eq!(exact(text, "kx"), Token::KVar);
        assert_eq!(exact(text, "endop"), Token::Keyword);
    }

    // --- labels ---

    #[test]
    fn leading_labels() {
        let text = "loop:\n  kx = 1\n  end_2:\nkgoto loop";
        assert_eq!(exact(text, "loop:"), Token::Label);
        assert_eq!(exact(text, "end_2:"), Token::Label);
        assert_eq!(exact(text, "kgoto"), Token::Keyword);
    }

    #[test]
    fn label_followed_by_code_or_comment() {
        let text = "skip: ; jump here";
        assert_eq!(exact(text, "skip:"), Token::Label);
        assert_eq!(exact(text, "; jump here"), Token::Comment);
    }

    #[test]
    fn colon_after_a_word_mid_line_is_not_a_label() {
        let text = "kx = (kc ? ka : kb)\nkx = ky:";
        assert_eq!(exact(text, "ka"), Token::KVar);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn label_named_like_an_opcode_is_a_label() {
        assert_eq!(exact("tone:\n", "tone:"), Token::Label);
    }

    // --- tags and sections ---

    #[test]
    fn section_tags() {
        let text = csd("kx = 1", "i 1 0 1");
        for tag in [
            "<CsoundSynthesizer>",
            "<CsOptions>",
            "</CsOptions>",
            "<CsInstruments>",
            "</CsInstruments>",
            "<CsScore>",
            "</CsScore>",
            "</CsoundSynthesizer>",
        ] {
            assert_eq!(exact(&text, tag), Token::Tag, "{tag}");
        }
    }

    #[test]
    fn plugin_and_cabbage_tags() {
        let text = "<CsoundPlug>\n</CsoundPlug>\n<Cabbage>\n</Cabbage>\n<CsLicence>\n</CsLicence>";
        for tag in [
            "<CsoundPlug>",
            "</CsoundPlug>",
            "<Cabbage>",
            "</Cabbage>",
            "<CsLicence>",
            "</CsLicence>",
        ] {
            assert_eq!(exact(text, tag), Token::Tag, "{tag}");
        }
    }

    #[test]
    fn tag_with_attributes() {
        let text = "<CsScore bin=\"python\">\nprint(1)\n</CsScore>";
        assert_eq!(exact(text, "<CsScore bin=\"python\">"), Token::Tag);
    }

    #[test]
    fn comparisons_are_not_tags() {
        let text = "if kx<ky then\nkz = (ka>kb)\nendif\n<Foo>";
        assert_eq!(exact(text, "<"), Token::Text);
        assert_eq!(exact(text, ">"), Token::Text);
        assert_eq!(exact(text, "Foo"), Token::Text);
        assert_eq!(exact("k<Cs", "<"), Token::Text);
        assert_eq!(exact("</ 1", "</"), Token::Text);
    }

    #[test]
    fn text_without_tags_is_orchestra() {
        let text = "instr 1\naout oscili 0.5, 440\nout aout\nendin";
        assert_eq!(exact(text, "oscili"), Token::Opcode);
        assert_eq!(exact(text, "aout"), Token::AVar);
    }

    #[test]
    fn score_colours_only_comments_numbers_and_strings() {
        let text = csd(
            "kx = 1",
            "f 1 0 1024 10 1 ; sine\ni \"Synth\" 0 2 kx\ni1 0.5 .",
        );
        let score = &text[text.find("<CsScore>").unwrap()..];
        assert_eq!(exact(score, "f"), Token::Text);
        assert_eq!(exact(score, "1024"), Token::Number);
        assert_eq!(exact(score, "; sine"), Token::Comment);
        assert_eq!(exact(score, "\"Synth\""), Token::String);
        assert_eq!(exact(score, "kx"), Token::Text);
        let line = "i1 0.5 .";
        let spans = hl(&format!("<CsScore>\n{line}"));
        let tokens: Vec<Token> = spans.iter().map(|s| s.token).collect();
        assert_eq!(
            tokens,
            [
                Token::Tag,
                Token::Text,
                Token::Number,
                Token::Text,
                Token::Number,
                Token::Text
            ]
        );
    }

    #[test]
    fn score_splits_statement_letters_from_numbers() {
        let text = "<CsScore>\ni1 0 2\nnp3";
        assert_eq!(exact(text, "i"), Token::Text);
        assert_eq!(token_at(text, text.find("1 0").unwrap()), Token::Number);
        assert_eq!(exact(text, "np"), Token::Text);
        assert_eq!(exact(text, "3"), Token::Number);
    }

    #[test]
    fn score_block_comment_and_no_orchestra_rules() {
        let text = "<CsScore>\n/* a\nb */ e\n$M #define instr p3 oscili\n</CsScore>";
        assert_eq!(exact(text, "/* a\nb */"), Token::Comment);
        for word in ["$M", "#define", "instr", "oscili"] {
            assert_eq!(token_of(text, word), Token::Text, "{word}");
        }
        // `p3` is a statement letter and a number there, like `i1`.
        assert_eq!(exact(text, "p"), Token::Text);
        assert_eq!(exact(text, "3"), Token::Number);
    }

    #[test]
    fn options_are_text_but_comments() {
        let text = "<CsOptions>\n-odac -m0 --midi-key=4 ; realtime\n</CsOptions>";
        assert_eq!(token_of(text, "-odac -m0 --midi-key=4 "), Token::Text);
        assert_eq!(exact(text, "; realtime"), Token::Comment);
        assert_eq!(exact(text, "</CsOptions>"), Token::Tag);
    }

    #[test]
    fn plug_section_is_toml() {
        let text = "<CsoundPlug>\n# meta\nname = \"Echo \\\"x\\\"\"\nkey2 = 'C:\\x'\n\
                    voices = 8\nmax-gain = 0.5\non = true\n</CsoundPlug>";
        assert_eq!(exact(text, "# meta"), Token::Comment);
        assert_eq!(exact(text, "\"Echo \\\"x\\\"\""), Token::String);
        assert_eq!(exact(text, "'C:\\x'"), Token::String);
        assert_eq!(exact(text, "key2"), Token::Text);
        assert_eq!(exact(text, "8"), Token::Number);
        assert_eq!(exact(text, "max-gain"), Token::Text);
        assert_eq!(exact(text, "0.5"), Token::Number);
        assert_eq!(token_of(text, "on = true"), Token::Text);
    }

    #[test]
    fn plug_multi_line_strings() {
        let text = "<CsoundPlug>\na = \"\"\"one\ntwo\"\"\"\nb = '''x\ny'''\nc = 1\n</CsoundPlug>";
        assert_eq!(exact(text, "\"\"\"one\ntwo\"\"\""), Token::String);
        assert_eq!(exact(text, "'''x\ny'''"), Token::String);
        assert_eq!(exact(text, "1"), Token::Number);
    }

    #[test]
    fn plug_section_has_no_semicolon_comments_or_variables() {
        let text = "<CsoundPlug>\nkx = 1 ; no\n</CsoundPlug>";
        assert_eq!(token_of(text, "kx = "), Token::Text);
        assert_eq!(token_of(text, "; no"), Token::Text);
    }

    #[test]
    fn cabbage_section() {
        let text = "<Cabbage>\nform caption(\"Filter\") size(300, 120) ; main\n\
                    rslider bounds(10, 10, 70, 70), channel(\"cf\")\nhslider2 x\n</Cabbage>";
        assert_eq!(exact(text, "form"), Token::Text);
        assert_eq!(exact(text, "\"Filter\""), Token::String);
        assert_eq!(exact(text, "300"), Token::Number);
        assert_eq!(exact(text, "; main"), Token::Comment);
        // An opcode name in the test list, but in Cabbage it is a widget.
        assert_eq!(token_of(text, "rslider"), Token::Text);
        assert_eq!(token_of(text, "hslider2"), Token::Text);
    }

    #[test]
    fn cabbage_has_no_hash_comments() {
        let text = "<Cabbage>\n# 1\n</Cabbage>";
        assert_eq!(exact(text, "#"), Token::Text);
        assert_eq!(exact(text, "1"), Token::Number);
    }

    #[test]
    fn other_cs_sections_are_plain_text() {
        let text = "<CsLicence>\nfree \"as\" in ; beer 42\n</CsLicence>\n\
                    <CsFileB filename=\"a.wav\">\nUklGRi\n</CsFileB>\nkx";
        assert_eq!(token_of(text, "free \"as\" in ; beer 42"), Token::Text);
        assert_eq!(exact(text, "<CsFileB filename=\"a.wav\">"), Token::Tag);
        assert_eq!(token_of(text, "UklGRi"), Token::Text);
        assert_eq!(exact(text, "kx"), Token::KVar);
    }

    #[test]
    fn orchestra_rules_return_after_each_section() {
        let text = "<CsScore>\ni 1\n</CsScore>\nkx oscili 1\n<CsoundPlug>\n</CsoundPlug>\nky";
        assert_eq!(exact(text, "kx"), Token::KVar);
        assert_eq!(exact(text, "oscili"), Token::Opcode);
        assert_eq!(exact(text, "ky"), Token::KVar);
    }

    #[test]
    fn a_tag_inside_a_string_or_comment_does_not_switch_sections() {
        let text = "Sx = \"<CsScore>\" ; </CsInstruments>\nkx oscili 1";
        assert_eq!(exact(text, "\"<CsScore>\""), Token::String);
        assert_eq!(exact(text, "oscili"), Token::Opcode);
    }

    #[test]
    fn whole_csd_example() {
        let orc = "sr = 48000\nksmps = 32\ngkVol init 0.5\n\ninstr PingPong\n  \
                   ktime = chnget:k(\"time\") / 1000\n  aL, aR ins\n  outs aL*gkVol, aR\nendin";
        let text = csd(orc, "i \"PingPong\" 0 -1");
        assert_eq!(exact(&text, "gkVol"), Token::KVar);
        assert_eq!(exact(&text, "PingPong"), Token::Text);
        assert_eq!(exact(&text, "chnget:k"), Token::Opcode);
        assert_eq!(exact(&text, "aL"), Token::AVar);
        assert_eq!(exact(&text, "-odac"), Token::Text);
        assert_eq!(exact(&text, "\"PingPong\""), Token::String);
        let minus = text.find("0 -1").unwrap() + 2;
        assert_eq!(token_at(&text, minus), Token::Text);
        assert_eq!(token_at(&text, minus + 1), Token::Number);
    }

    // --- text encoding ---

    #[test]
    fn multibyte_text_stays_on_char_boundaries() {
        let text = "; Grüße 🎹\nSname = \"naïve ☃\" ; ok\nkx = é + 日本 ×2\n/* ü */ {{ ß }}";
        let spans = hl(text);
        assert!(spans.iter().all(|s| text.is_char_boundary(s.range.start)));
        assert_eq!(exact(text, "; Grüße 🎹"), Token::Comment);
        assert_eq!(exact(text, "\"naïve ☃\""), Token::String);
        assert_eq!(token_of(text, "é + 日本 ×"), Token::Text);
        assert_eq!(exact(text, "2"), Token::Number);
        assert_eq!(exact(text, "/* ü */"), Token::Comment);
        assert_eq!(exact(text, "{{ ß }}"), Token::String);
    }

    #[test]
    fn multibyte_text_in_every_section() {
        let text = "<CsOptions>\nä\n</CsOptions>\n<CsScore>\ni ö 1\n</CsScore>\n<CsoundPlug>\n\
                    ü = 'ñ'\n</CsoundPlug>\n<Cabbage>\n€ \"é\"\n</Cabbage>\n<CsLicence>\n©\n\
                    </CsLicence>\nkxñ";
        hl(text);
        assert_eq!(exact(text, "'ñ'"), Token::String);
        assert_eq!(exact(text, "\"é\""), Token::String);
        // Words are ASCII: `kxñ` is the variable `kx` and then text.
        assert_eq!(exact(text, "kx"), Token::KVar);
        assert_eq!(token_at(text, text.rfind('ñ').unwrap()), Token::Text);
    }

    #[test]
    fn escape_before_a_multibyte_char() {
        let text = "Sx = \"a\\é\" kx";
        assert_eq!(exact(text, "\"a\\é\""), Token::String);
        assert_eq!(exact(text, "kx"), Token::KVar);
    }

    #[test]
    fn crlf_line_endings() {
        let text = "; c\r\nloop:\r\nkx = 1\r\n";
        assert_eq!(token_of(text, "; c"), Token::Comment);
        assert_eq!(exact(text, "kx"), Token::KVar);
        // The label's colon is followed by `\r`, not a word char.
        assert_eq!(exact(text, "loop:"), Token::Label);
    }

    // --- size ---

    #[test]
    fn ten_thousand_lines() {
        let block = "instr Synth\n  kcut = chnget:k(\"cut\") ; cutoff\n  aout vco2 0.5, p4\n  \
                     /* a filter */ aout moogladder aout, kcut, 0.3\n  outs aout, aout\nendin\n";
        let orc = block.repeat(10_000 / 6 + 1);
        let text = csd(&orc, &"i \"Synth\" 0 1 440\n".repeat(1000));
        assert!(text.lines().count() > 10_000);
        let spans = hl(&text);
        assert!(spans.len() > 50_000);
        assert_eq!(exact(&text, "moogladder"), Token::Opcode);
    }
}
