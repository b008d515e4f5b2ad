//! The one reader of `.csd` text used by the whole plug-in.
//!
//! Patches used to be read in several places with slightly different rules;
//! this module keeps those rules in one place, close to what Csound 6.18
//! itself accepts, so the plug-in sees a patch the way Csound will run it.
//!
//! Everything is reported as byte offsets into the original text, so callers
//! can compute line numbers and splice new text in without re-reading.

use std::ops::Range;

/// Sections Csound reads itself: their tags only count with this exact case.
const CSOUND_SECTIONS: [&str; 12] = [
    "CsoundSynthesizer",
    "CsOptions",
    "CsInstruments",
    "CsScore",
    "CsFileB",
    "CsFile",
    "CsSampleB",
    "CsMidifileB",
    "CsLicence",
    "CsLicense",
    "CsShortLicense",
    "CsVersion",
];

/// The wrapper of a unified file: its content is read as if it were top level.
const WRAPPER: &str = "CsoundSynthesizer";

/// Editors on Windows may start a file with a byte order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

// ---------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------

/// Which comment syntax applies to a piece of text: each section kind has its
/// own, and mixing them up hides or invents code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    /// `<CsInstruments>` code: `;` and `//` to the line end, `/* */` blocks;
    /// `"…"` (one line, `\` escapes) and `{{…}}` strings shield them.
    Orchestra,
    /// `<CsScore>` text: `;` and `//` to the line end, `/* */` blocks;
    /// `"…"` strings shield them.
    Score,
    /// `<CsOptions>` text: `;` and `#` to the line end, `/* */` blocks;
    /// `"…"` strings (no escapes, for Windows paths) shield them.
    Options,
}

/// What a byte of text is, once comments and strings are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Code, including string delimiters and newlines.
    Code,
    /// Part of a comment, delimiters included.
    Comment,
    /// The content of a string literal.
    Literal,
}

/// Replaces comments by spaces, keeping every newline (`\n` and `\r`) and the
/// byte length, so offsets and line numbers found in the result are valid in
/// `text` too.
pub fn strip_comments(text: &str, style: Comments) -> String {
    blank(text, style, |class| class == Class::Comment)
}

/// Like [`strip_comments`], and also blanks the content of string literals
/// (their quotes stay), so word searches only see code: `prints "veloc"`
/// does not use the `veloc` opcode.
pub fn strip_comments_and_strings(text: &str, style: Comments) -> String {
    blank(text, style, |class| class != Class::Code)
}

/// Replaces the bytes whose class `hide` selects by spaces, except newlines.
fn blank(text: &str, style: Comments, hide: impl Fn(Class) -> bool) -> String {
    let classes = classify(text, style);
    let bytes: Vec<u8> = text
        .bytes()
        .zip(classes)
        .map(|(byte, class)| {
            if hide(class) && byte != b'\n' && byte != b'\r' {
                b' '
            } else {
                byte
            }
        })
        .collect();
    // Hidden runs start and end at ASCII delimiters, so whole characters are
    // replaced and the bytes stay valid UTF-8; the fallback never runs.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Classifies every byte of `text` as code, comment or string content.
fn classify(text: &str, style: Comments) -> Vec<Class> {
    let b = text.as_bytes();
    let mut classes = vec![Class::Code; b.len()];
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        i = match (b[i], next) {
            (b'"', _) => quoted_string(b, i, style != Comments::Options, &mut classes),
            (b'{', Some(b'{')) if style == Comments::Orchestra => brace_string(b, i, &mut classes),
            (b';', _) => line_comment(b, i, &mut classes),
            (b'#', _) if style == Comments::Options => line_comment(b, i, &mut classes),
            (b'/', Some(b'/')) if style != Comments::Options => line_comment(b, i, &mut classes),
            (b'/', Some(b'*')) => block_comment(b, i, &mut classes),
            _ => i + 1,
        };
    }
    classes
}

/// Marks `range` of `classes` as `class`.
fn mark(classes: &mut [Class], range: Range<usize>, class: Class) {
    for c in &mut classes[range] {
        *c = class;
    }
}

/// Position of the first `needle` in `b[from..]`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// A comment running to the line end; returns where code resumes.
fn line_comment(b: &[u8], start: usize, classes: &mut [Class]) -> usize {
    let end = line_end(b, start);
    mark(classes, start..end, Class::Comment);
    end
}

/// A `/* */` comment, possibly spanning lines or unterminated.
fn block_comment(b: &[u8], start: usize, classes: &mut [Class]) -> usize {
    let end = find(b, start + 2, b"*/").map_or(b.len(), |p| p + 2);
    mark(classes, start..end, Class::Comment);
    end
}

/// A `"…"` string: it never runs past its line end, as in Csound.
fn quoted_string(b: &[u8], start: usize, escapes: bool, classes: &mut [Class]) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => {
                mark(classes, start + 1..i, Class::Literal);
                return i + 1;
            }
            b'\n' => break,
            b'\\' if escapes && b.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
            _ => i += 1,
        }
    }
    let end = i.min(b.len());
    mark(classes, start + 1..end, Class::Literal);
    end
}

/// A `{{…}}` orchestra string, which may span lines.
fn brace_string(b: &[u8], start: usize, classes: &mut [Class]) -> usize {
    match find(b, start + 2, b"}}") {
        Some(close) => {
            mark(classes, start + 2..close, Class::Literal);
            close + 2
        }
        None => {
            mark(classes, start + 2..b.len(), Class::Literal);
            b.len()
        }
    }
}

// ---------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------

/// Position of the `\n` ending the line that holds `from`, or the text length.
fn line_end(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(b.len(), |p| from + p)
}

/// Start of the line after the one holding `from`, or the text length.
fn next_line(b: &[u8], from: usize) -> usize {
    (line_end(b, from) + 1).min(b.len())
}

/// First position in `b[i..end]` that is not a space, tab or BOM.
fn skip_line_blanks(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
        } else if b[i..].starts_with(BOM) {
            i += BOM.len();
        } else {
            break;
        }
    }
    i
}

/// Start of the first line at or after the line start `pos` whose first
/// non-blank character is `<`, or the text length: where an unclosed section
/// stops.
fn next_tag_line(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() {
        let end = line_end(b, pos);
        let first = skip_line_blanks(b, pos, end);
        if first < end && b[first] == b'<' {
            return pos;
        }
        pos = end + 1;
    }
    b.len()
}

// ---------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------

/// Whether `name` is a section Csound reads itself (exact case).
fn is_csound_section(name: &str) -> bool {
    CSOUND_SECTIONS.contains(&name)
}

/// Whether two section names denote the same section: Csound's own names
/// only with their exact case (Csound ignores `<csinstruments>`), others
/// ignoring ASCII case, as Cabbage does.
fn same_section(a: &str, b: &str) -> bool {
    if is_csound_section(a) || is_csound_section(b) {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// One section of a `.csd` text, such as `<CsInstruments>…</CsInstruments>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'a> {
    /// The name as written in the opening tag, e.g. `CsScore` or `cabbage`.
    pub name: &'a str,
    /// The raw attribute text of the opening tag, trimmed (`bin="python"`),
    /// empty when there is none.
    pub attributes: &'a str,
    /// The text between the opening tag's `>` and the closing tag, exactly.
    pub body: &'a str,
    /// Byte offset of the opening tag's `<` in the whole text.
    pub tag_start: usize,
    /// Byte offset of the body (just after the opening tag's `>`).
    pub body_start: usize,
    /// Byte offset just after the closing tag, or the body end when the
    /// section is not closed; `tag_start..end` removes the whole section.
    pub end: usize,
    /// Whether the closing tag was found.
    pub closed: bool,
}

impl<'a> Section<'a> {
    /// Byte offset just after the body, in the whole text.
    pub fn body_end(&self) -> usize {
        self.body_start + self.body.len()
    }

    /// The value of attribute `key` (ASCII case ignored), without its
    /// quotes; `Some("")` for an attribute written without a value.
    pub fn attribute(&self, key: &str) -> Option<&'a str> {
        attribute_pairs(self.attributes)
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

/// Reads `key="v" key='v' key=v key` pairs; tolerant, since front ends write
/// attributes loosely.
fn attribute_pairs(text: &str) -> Vec<(&str, &str)> {
    let b = text.as_bytes();
    let slice = |r: Range<usize>| text.get(r).unwrap_or("");
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() || b[i] == b'=' {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = slice(key_start..i);
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            pairs.push((key, ""));
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let (value, next) = match b.get(j) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let close = b[j + 1..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| j + 1 + p);
                (slice(j + 1..close), close + 1)
            }
            _ => {
                let end = b[j..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(b.len(), |p| j + p);
                (slice(j..end), end)
            }
        };
        pairs.push((key, value));
        i = next;
    }
    pairs
}

/// Where the parts of an opening tag lie.
struct OpenTag {
    name: Range<usize>,
    attributes: Range<usize>,
    body_start: usize,
}

/// Bytes allowed in a tag name after its first letter.
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// Reads an opening tag starting at `lt` (a `<`) and ending before `end`:
/// `<Name>` or `<Name attributes>`.
fn opening_tag(b: &[u8], lt: usize, end: usize) -> Option<OpenTag> {
    let name_start = lt + 1;
    if name_start >= end || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let mut i = name_start;
    while i < end && is_name_byte(b[i]) {
        i += 1;
    }
    let name = name_start..i;
    if i >= end {
        return None;
    }
    if b[i] == b'>' {
        return Some(OpenTag {
            name,
            attributes: i..i,
            body_start: i + 1,
        });
    }
    if b[i] != b' ' && b[i] != b'\t' {
        return None;
    }
    let gt = attributes_end(b, i, end)?;
    Some(OpenTag {
        name,
        attributes: i..gt,
        body_start: gt + 1,
    })
}

/// Position of the `>` closing a tag's attributes, skipping quoted values.
fn attributes_end(b: &[u8], mut i: usize, end: usize) -> Option<usize> {
    let mut quote = None;
    while i < end {
        match (quote, b[i]) {
            (None, b'>') => return Some(i),
            (None, c @ (b'"' | b'\'')) => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Position of the `<` of `</name>` at or after `from`, with the section
/// name case rule.
fn find_closing(text: &str, name: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i + name.len() + 3 <= b.len() {
        if b[i] == b'<' && b[i + 1] == b'/' && b[i + 2 + name.len()] == b'>' {
            let candidate = text.get(i + 2..i + 2 + name.len());
            if candidate.is_some_and(|c| same_section(name, c)) {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Reads the section whose opening tag starts at `tag_start`; also returns
/// where reading resumes (a line start).
fn read_section(text: &str, tag_start: usize, tag: OpenTag) -> (Section<'_>, usize) {
    let b = text.as_bytes();
    let name = text.get(tag.name).unwrap_or("");
    let attributes = text.get(tag.attributes).unwrap_or("").trim();
    let body_start = tag.body_start;
    let (body_end, end, closed, resume) = match find_closing(text, name, body_start) {
        Some(close) => {
            let end = close + name.len() + 3;
            (close, end, true, next_line(b, end))
        }
        None => {
            // Unclosed: stop before the next line that looks like a tag, as
            // front ends did, so one missing tag does not swallow the rest.
            let stop = next_tag_line(b, next_line(b, body_start));
            (stop, stop, false, stop)
        }
    };
    let body = text.get(body_start..body_end).unwrap_or("");
    let section = Section {
        name,
        attributes,
        body,
        tag_start,
        body_start,
        end,
        closed,
    };
    (section, resume)
}

// ---------------------------------------------------------------------------
// The parsed text
// ---------------------------------------------------------------------------

/// A `.csd` text read once: its sections in order, and its line starts.
#[derive(Debug, Clone)]
pub struct Csd<'a> {
    text: &'a str,
    sections: Vec<Section<'a>>,
    line_starts: Vec<usize>,
    /// Whether any tag (even the wrapper alone) was seen: text without one is
    /// bare orchestra code.
    tagged: bool,
}

/// A whitespace-separated token of `<CsOptions>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token as written, quotes included (`"-o my file.wav"`).
    pub text: &'a str,
    /// Byte offset of the token in the whole text.
    pub offset: usize,
    /// 1-based line of the token in the whole text.
    pub line: usize,
}

impl Token<'_> {
    /// The token without its `"` characters, as Csound passes it on.
    pub fn unquoted(&self) -> String {
        self.text.replace('"', "")
    }
}

/// One statement of `<CsScore>`, such as `i1 0 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreStatement<'a> {
    /// The statement letter (`i`, `f`, `e`, `t`, …), or `{`, `}`, `#`, `$`
    /// for loops, preprocessor lines and macro uses.
    pub opcode: char,
    /// The fields as written, quotes and `[…]` brackets included; lines that
    /// continue a statement add their fields to it.
    pub fields: Vec<&'a str>,
    /// 1-based line of the opcode in the whole text.
    pub line: usize,
    /// Byte offset of the opcode in the whole text.
    pub offset: usize,
}

/// The part of `text` Csound reads: up to the end of the line that closes
/// `</CsoundSynthesizer>` (first on its line after blanks, as Csound looks for it), all of
/// `text` when no line closes it. Front ends keep their own data after it (CsoundQt's
/// widget panel, which may hold NUL bytes that no C string can carry).
pub fn csound_text(text: &str) -> &str {
    let b = text.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        let end = line_end(b, pos);
        let first = skip_line_blanks(b, pos, end);
        if b[first..end].starts_with(b"</CsoundSynthesizer>") {
            return &text[..end];
        }
        let next = next_line(b, pos);
        if next <= pos {
            break;
        }
        pos = next;
    }
    text
}

impl<'a> Csd<'a> {
    /// Reads the sections of `text`, with or without the
    /// `<CsoundSynthesizer>` wrapper.
    pub fn parse(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut sections = Vec::new();
        let mut tagged = false;
        let mut pos = 0;
        while pos < b.len() {
            let end = line_end(b, pos);
            let first = skip_line_blanks(b, pos, end);
            let mut resume = next_line(b, pos);
            if first < end && b[first] == b'<' {
                if let Some(tag) = opening_tag(b, first, end) {
                    tagged = true;
                    if text.get(tag.name.clone()) != Some(WRAPPER) {
                        let (section, after) = read_section(text, first, tag);
                        sections.push(section);
                        resume = after;
                    }
                } else if b[first..].starts_with(b"</CsoundSynthesizer>") {
                    tagged = true;
                }
            }
            if resume <= pos {
                break; // cannot happen; guards against an endless loop
            }
            pos = resume;
        }
        let line_starts = std::iter::once(0)
            .chain(
                b.iter()
                    .enumerate()
                    .filter(|(_, &c)| c == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Csd {
            text,
            sections,
            line_starts,
            tagged,
        }
    }

    /// The whole text that was parsed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// All sections, in text order (the wrapper is not one).
    pub fn sections(&self) -> &[Section<'a>] {
        &self.sections
    }

    /// The first section named `name`, with the section name case rule.
    pub fn section(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| same_section(s.name, name))
    }

    /// Every section named `name`, in order (e.g. each `<CsFileB>`).
    pub fn sections_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Section<'a>> + 's {
        self.sections
            .iter()
            .filter(move |s| same_section(s.name, name))
    }

    /// The `<CsInstruments>` section.
    pub fn orchestra(&self) -> Option<&Section<'a>> {
        self.section("CsInstruments")
    }

    /// The `<CsScore>` section.
    pub fn score(&self) -> Option<&Section<'a>> {
        self.section("CsScore")
    }

    /// The orchestra code: the `<CsInstruments>` body, or the whole text when
    /// it has no tag at all (bare orchestra code), else empty.
    pub fn orchestra_text(&self) -> &'a str {
        match self.orchestra() {
            Some(section) => section.body,
            None if !self.tagged => self.text,
            None => "",
        }
    }

    /// Byte offset of [`Csd::orchestra_text`] in the whole text, so facts
    /// found in it can be placed in the file.
    pub fn orchestra_start(&self) -> usize {
        self.orchestra().map_or(0, |s| s.body_start)
    }

    /// 1-based line of byte `offset` in the whole text (offsets past the end
    /// give the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// The tokens of `<CsOptions>` outside comments; a `"…"` run keeps its
    /// blanks inside one token.
    pub fn options(&self) -> Vec<Token<'a>> {
        let Some(section) = self.section("CsOptions") else {
            return Vec::new();
        };
        let stripped = strip_comments(section.body, Comments::Options);
        option_token_ranges(stripped.as_bytes())
            .into_iter()
            .filter_map(|r| {
                let offset = section.body_start + r.start;
                let text = section.body.get(r)?;
                Some(Token {
                    text,
                    offset,
                    line: self.line_of(offset),
                })
            })
            .collect()
    }

    /// The statements of `<CsScore>` outside comments, one per line starting
    /// with a statement letter; lines starting otherwise continue the
    /// previous statement, as in Csound.
    pub fn score_statements(&self) -> Vec<ScoreStatement<'a>> {
        let Some(section) = self.score() else {
            return Vec::new();
        };
        let stripped = strip_comments(section.body, Comments::Score);
        let b = stripped.as_bytes();
        let mut statements: Vec<ScoreStatement<'a>> = Vec::new();
        let mut pos = 0;
        while pos < b.len() {
            let end = line_end(b, pos);
            let first = skip_field_blanks(b, pos, end);
            if first < end {
                let fields_from = if starts_statement(b[first]) {
                    first + 1
                } else {
                    first
                };
                let fields = field_ranges(b, fields_from, end)
                    .into_iter()
                    .filter_map(|r| section.body.get(r))
                    .collect::<Vec<_>>();
                if starts_statement(b[first]) {
                    let offset = section.body_start + first;
                    let line = self.line_of(offset);
                    statements.push(ScoreStatement {
                        opcode: char::from(b[first]),
                        fields,
                        line,
                        offset,
                    });
                } else if let Some(last) = statements.last_mut() {
                    last.fields.extend(fields);
                }
            }
            pos = end + 1;
        }
        statements
    }
}

/// Token ranges of comment-stripped options text.
fn option_token_ranges(b: &[u8]) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quoted = false;
        while i < b.len() && b[i] != b'\n' && (quoted || !b[i].is_ascii_whitespace()) {
            if b[i] == b'"' {
                quoted = !quoted;
            }
            i += 1;
        }
        tokens.push(start..i);
    }
    tokens
}

/// Whether a score line starting with `c` starts a statement rather than
/// continuing the previous one with more fields.
fn starts_statement(c: u8) -> bool {
    c.is_ascii_alphabetic() || matches!(c, b'{' | b'}' | b'#' | b'$')
}

/// Blanks between score fields.
fn is_field_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

/// First position in `b[i..end]` that is not a field blank.
fn skip_field_blanks(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_field_blank(b[i]) {
        i += 1;
    }
    i
}

/// Field ranges of one comment-stripped score line: blank-separated, a
/// `"…"` string or a `[…]` expression is one field.
fn field_ranges(b: &[u8], mut i: usize, end: usize) -> Vec<Range<usize>> {
    let mut fields = Vec::new();
    loop {
        i = skip_field_blanks(b, i, end);
        if i >= end {
            return fields;
        }
        let start = i;
        i = match b[i] {
            b'"' => b[i + 1..end]
                .iter()
                .position(|&c| c == b'"')
                .map_or(end, |p| i + 2 + p),
            b'[' => bracket_end(b, i, end),
            _ => {
                let rest = &b[i..end];
                rest.iter()
                    .position(|&c| is_field_blank(c))
                    .map_or(end, |p| i + p)
            }
        };
        fields.push(start..i);
    }
}

/// Position just after the `]` matching the `[` at `start`, or `end`.
fn bracket_end(b: &[u8], start: usize, end: usize) -> usize {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().take(end).skip(start) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    end
}

#[cfg(test)]
mod tests {
    #[test]
    fn csound_reads_up_to_its_closing_tag() {
        let body = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n  </CsoundSynthesizer>";
        let text = format!("{body}\n<bsbPanel>\0\0</bsbPanel>\n");
        assert_eq!(csound_text(&text), body);
        assert_eq!(csound_text(body), body);
        // Not first on its line: Csound reads on.
        let inline = "<CsoundSynthesizer>\nx </CsoundSynthesizer>\nmore";
        assert_eq!(csound_text(inline), inline);
        assert_eq!(csound_text(""), "");
    }

    use super::*;

    fn body<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        Csd::parse(text).section(name).map(|s| s.body)
    }

    // --- comments -------------------------------------------------------

    #[test]
    fn line_comments_in_orchestra() {
        let text = "a = 1 ; note\nb = 2 // note\nc";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "a = 1       \nb = 2        \nc"
        );
    }

    #[test]
    fn block_comment_spans_lines_and_keeps_newlines() {
        let text = "a /* one\ntwo */ b";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "a       \n       b"
        );
    }

    #[test]
    fn unterminated_block_comment_runs_to_the_end() {
        assert_eq!(strip_comments("a /* b\nc", Comments::Score), "a     \n ");
    }

    #[test]
    fn comment_marks_inside_a_string_are_not_comments() {
        let text = "prints \"a;b//c/*d\" ; real";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "prints \"a;b//c/*d\"       "
        );
    }

    #[test]
    fn a_string_ends_at_its_line_end() {
        let text = "prints \"open\n; comment";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "prints \"open\n         "
        );
    }

    #[test]
    fn escaped_quote_does_not_end_an_orchestra_string() {
        let text = "prints \"a\\\";b\" ; c";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "prints \"a\\\";b\"    "
        );
    }

    #[test]
    fn brace_strings_shield_comments_in_orchestra_only() {
        let text = "S = {{ ; kept\n// kept }} ; gone";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "S = {{ ; kept\n// kept }}       "
        );
        assert_eq!(strip_comments("{{ ; x }}", Comments::Score), "{{       ");
    }

    #[test]
    fn score_comments() {
        let text = "i1 0 1 ; a\ni2 0 1 // b\n/* i3\n*/ e";
        assert_eq!(
            strip_comments(text, Comments::Score),
            "i1 0 1    \ni2 0 1     \n     \n   e"
        );
    }

    #[test]
    fn options_comments_include_hash_but_not_double_slash() {
        let text = "-odac ; a\n# b\n-m0 /* c */ -o a//b.wav";
        assert_eq!(
            strip_comments(text, Comments::Options),
            "-odac    \n   \n-m0         -o a//b.wav"
        );
    }

    #[test]
    fn hash_is_code_in_orchestra() {
        let text = "#define X #1#";
        assert_eq!(strip_comments(text, Comments::Orchestra), text);
    }

    #[test]
    fn multibyte_comment_becomes_one_space_per_byte() {
        let text = "x ; ♪é\ny";
        let stripped = strip_comments(text, Comments::Orchestra);
        assert_eq!(stripped.len(), text.len());
        assert_eq!(stripped, format!("x {}\ny", " ".repeat(1 + 1 + 3 + 2)));
    }

    #[test]
    fn crlf_is_kept_through_comments() {
        let text = "a ; c\r\nb /* \r\n */";
        assert_eq!(
            strip_comments(text, Comments::Orchestra),
            "a    \r\nb    \r\n   "
        );
    }

    #[test]
    fn strings_can_be_blanked_too() {
        let text = "prints \"veloc é\" ; massign";
        assert_eq!(
            strip_comments_and_strings(text, Comments::Orchestra),
            "prints \"        \"          "
        );
    }

    // --- sections -------------------------------------------------------

    #[test]
    fn front_end_section_inside_the_wrapper() {
        let text = "<CsoundSynthesizer>\n<CsoundPlug>\nname = \"Pad\"\n</CsoundPlug>\n</CsoundSynthesizer>";
        assert_eq!(body(text, "CsoundPlug"), Some("\nname = \"Pad\"\n"));
        assert_eq!(Csd::parse(text).sections().len(), 1);
    }

    #[test]
    fn cabbage_with_bom_and_mixed_case() {
        let text = "\u{feff}<cabbage>\nq\n</CABBAGE>";
        let csd = Csd::parse(text);
        let section = csd.section("Cabbage").unwrap();
        assert_eq!(section.body, "\nq\n");
        assert!(section.closed);
        assert_eq!(section.tag_start, 3);
    }

    #[test]
    fn unclosed_section_ends_before_the_next_tag_line() {
        let text =
            "<Cabbage>\nrslider channel(\"a\")\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>";
        let csd = Csd::parse(text);
        let cabbage = csd.section("cabbage").unwrap();
        assert_eq!(cabbage.body, "\nrslider channel(\"a\")\n");
        assert!(!cabbage.closed);
        assert_eq!(cabbage.end, cabbage.body_end());
        let orc = csd.orchestra().unwrap();
        assert_eq!(orc.body, "\ninstr 1\nendin\n");
        assert!(orc.closed);
    }

    #[test]
    fn unclosed_section_at_the_end_of_the_text() {
        let text = "<CsScore>\ni1 0 1";
        let section = Csd::parse(text).score().cloned().unwrap();
        assert_eq!(section.body, "\ni1 0 1");
        assert!(!section.closed);
        assert_eq!(section.end, text.len());
    }

    #[test]
    fn no_section_at_all() {
        assert_eq!(body("instr 1\nendin\n", "CsInstruments"), None);
        assert_eq!(body("", "CsoundPlug"), None);
        let csd = Csd::parse("instr 1\nendin\n");
        assert_eq!(csd.orchestra_text(), "instr 1\nendin\n");
        assert_eq!(csd.orchestra_start(), 0);
    }

    #[test]
    fn tagged_text_without_orchestra_has_no_orchestra_text() {
        assert_eq!(
            Csd::parse("<CsoundSynthesizer>\n</CsoundSynthesizer>").orchestra_text(),
            ""
        );
        assert_eq!(Csd::parse("<CsScore>\ne\n</CsScore>").orchestra_text(), "");
    }

    #[test]
    fn csound_section_names_need_exact_case() {
        let text = "<csinstruments>\ninstr 1\nendin\n</csinstruments>";
        let csd = Csd::parse(text);
        assert!(csd.orchestra().is_none());
        assert_eq!(
            csd.section("CSINSTRUMENTS").map(|s| s.body),
            Some("\ninstr 1\nendin\n")
        );
        // A lowercase closing tag does not close Csound's own section.
        let csd = Csd::parse("<CsScore>\ni1 0 1\n</csscore>\nmore\n</CsScore>");
        assert_eq!(csd.score().unwrap().body, "\ni1 0 1\n</csscore>\nmore\n");
    }

    #[test]
    fn other_section_names_ignore_ascii_case() {
        let text = "<CSOUNDplug>\nx\n</csoundPLUG>";
        let csd = Csd::parse(text);
        let section = csd.section("CsoundPlug").unwrap();
        assert_eq!(section.name, "CSOUNDplug");
        assert!(section.closed);
        assert_eq!(section.body, "\nx\n");
    }

    #[test]
    fn attributes_on_opening_tags() {
        let text = "<CsScore bin=\"python\">\nprint(1)\n</CsScore>\n\
                    <CsFileB filename='a b.wav'>\nQUJD\n</CsFileB>\n\
                    <Extra  a=1 flag b = \"x>y\" >\n</Extra>";
        let csd = Csd::parse(text);
        let score = csd.score().unwrap();
        assert_eq!(score.attributes, "bin=\"python\"");
        assert_eq!(score.attribute("bin"), Some("python"));
        assert_eq!(score.body, "\nprint(1)\n");
        let file = csd.section("CsFileB").unwrap();
        assert_eq!(file.attribute("FILENAME"), Some("a b.wav"));
        assert_eq!(file.body, "\nQUJD\n");
        let extra = csd.section("extra").unwrap();
        assert_eq!(extra.attribute("a"), Some("1"));
        assert_eq!(extra.attribute("flag"), Some(""));
        assert_eq!(extra.attribute("b"), Some("x>y"));
        assert_eq!(extra.attribute("c"), None);
        assert_eq!(extra.body, "\n");
    }

    #[test]
    fn tag_names_must_end_with_blank_or_bracket() {
        assert!(Csd::parse("<CsScorex>\n</CsScorex>").score().is_none());
        assert!(Csd::parse("<CsScore/>\ni1 0 1").score().is_none());
        assert!(Csd::parse("<CsScore\ni1 0 1\n</CsScore>").score().is_none());
    }

    #[test]
    fn every_csfileb_section() {
        let text =
            "<CsFileB filename=a.wav>\nAA\n</CsFileB>\n<CsFileB filename=b.wav>\nBB\n</CsFileB>";
        let csd = Csd::parse(text);
        let names: Vec<_> = csd
            .sections_named("CsFileB")
            .filter_map(|s| s.attribute("filename"))
            .collect();
        assert_eq!(names, ["a.wav", "b.wav"]);
        assert_eq!(csd.sections_named("csfileb").count(), 0);
    }

    #[test]
    fn a_tag_after_other_text_is_not_a_tag() {
        let text = "junk <CsScore>\ni1 0 1\n</CsScore>";
        let csd = Csd::parse(text);
        assert!(csd.sections().is_empty());
        // Nor is a second tag on the line that closes a section.
        let csd = Csd::parse("<CsOptions>-odac</CsOptions><CsScore>\ne\n</CsScore>");
        assert_eq!(csd.section("CsOptions").unwrap().body, "-odac");
        assert!(csd.score().is_none());
    }

    #[test]
    fn bom_and_indentation_before_a_tag() {
        let text = "\u{feff} \t<CsInstruments>\ninstr 1\nendin\n  </CsInstruments>\n\t<CsScore>\ne\n</CsScore>";
        let csd = Csd::parse(text);
        let orc = csd.orchestra().unwrap();
        assert_eq!(orc.tag_start, 5);
        assert_eq!(orc.body, "\ninstr 1\nendin\n  ");
        assert_eq!(csd.score().unwrap().body, "\ne\n");
    }

    #[test]
    fn crlf_line_ends() {
        let text = "<CsoundSynthesizer>\r\n<CsOptions>\r\n-odac\r\n</CsOptions>\r\n<CsInstruments>\r\ninstr 1\r\nendin\r\n\
                    </CsInstruments>\r\n<CsScore>\r\ni1 0 1\r\n</CsScore>\r\n</CsoundSynthesizer>\r\n";
        let csd = Csd::parse(text);
        assert_eq!(csd.orchestra_text(), "\r\ninstr 1\r\nendin\r\n");
        let options = csd.options();
        assert_eq!(options.len(), 1);
        assert_eq!((options[0].text, options[0].line), ("-odac", 3));
        let statements = csd.score_statements();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].fields, ["1", "0", "1"]);
        assert_eq!(statements[0].line, 10);
    }

    #[test]
    fn score_tag_inside_the_orchestra_is_orchestra_text() {
        let text = "<CsInstruments>\ninstr 1\n<CsScore>\nendin\n</CsInstruments>\n<CsScore>\ni1 0 1\n</CsScore>";
        let csd = Csd::parse(text);
        assert_eq!(csd.sections().len(), 2);
        assert_eq!(csd.orchestra_text(), "\ninstr 1\n<CsScore>\nendin\n");
        assert_eq!(csd.score().unwrap().body, "\ni1 0 1\n");
    }

    #[test]
    fn closing_tag_anywhere_on_a_line() {
        let text = "<CsOptions>-odac -d</CsOptions>\n<CsInstruments>\ninstr 1\nendin</CsInstruments> ignored\n";
        let csd = Csd::parse(text);
        assert_eq!(csd.section("CsOptions").unwrap().body, "-odac -d");
        assert_eq!(csd.orchestra_text(), "\ninstr 1\nendin");
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n<CsScore>\ni1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";
        let csd = Csd::parse(text);
        for section in csd.sections() {
            assert_eq!(&text[section.body_start..section.body_end()], section.body);
            assert!(text[section.tag_start..].starts_with(&format!("<{}", section.name)));
            assert!(text[..section.end].ends_with(&format!("</{}>", section.name)));
        }
    }

    #[test]
    fn splicing_at_body_offsets_gives_a_valid_csd() {
        let text = "<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n<CsScore>\ni1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";
        let csd = Csd::parse(text);
        let score = csd.score().unwrap();
        let mut spliced = text.to_string();
        spliced.insert_str(score.body_start, "\ni9 0 2");
        let csd2 = Csd::parse(&spliced);
        let opcodes: Vec<_> = csd2
            .score_statements()
            .iter()
            .map(|s| s.fields[0])
            .collect();
        assert_eq!(opcodes, ["9", "1"]);
        assert_eq!(csd2.orchestra_text(), csd.orchestra_text());

        let orc = csd.orchestra().unwrap();
        let replaced = format!(
            "{}\ninstr 2\nendin\n{}",
            &text[..orc.body_start],
            &text[orc.body_end()..]
        );
        let csd3 = Csd::parse(&replaced);
        assert_eq!(csd3.orchestra_text(), "\ninstr 2\nendin\n");
        assert_eq!(csd3.score().unwrap().body, score.body);
    }

    #[test]
    fn multibyte_text_everywhere() {
        let text = "<CsoundPlug>\nname = \"Pâte é ♪\"\n</CsoundPlug>\n<Ré>\n<CsInstruments>\n; ♪ é\ninstr 1 /* ♪ */\nendin\n</CsInstruments>\n<CsScore>\ni1 0 1 \"é ♪\" ; ♪\n</CsScore>";
        let csd = Csd::parse(text);
        assert_eq!(
            csd.section("csoundplug").unwrap().body,
            "\nname = \"Pâte é ♪\"\n"
        );
        assert_eq!(csd.orchestra_text(), "\n; ♪ é\ninstr 1 /* ♪ */\nendin\n");
        let statements = csd.score_statements();
        assert_eq!(statements[0].fields, ["1", "0", "1", "\"é ♪\""]);
        assert_eq!(statements[0].line, 11);
        for style in [Comments::Orchestra, Comments::Score, Comments::Options] {
            assert_eq!(strip_comments(text, style).len(), text.len());
        }
    }

    #[test]
    fn line_numbers() {
        let csd = Csd::parse("a\nbé\n\nc");
        assert_eq!(csd.line_of(0), 1);
        assert_eq!(csd.line_of(1), 1); // the newline belongs to its line
        assert_eq!(csd.line_of(2), 2);
        assert_eq!(csd.line_of(6), 3);
        assert_eq!(csd.line_of(7), 4);
        assert_eq!(csd.line_of(1000), 4);
        assert_eq!(Csd::parse("").line_of(0), 1);
    }

    // --- options ----------------------------------------------------------

    #[test]
    fn option_tokens_with_comments_and_lines() {
        let text = "<CsoundSynthesizer>\n<CsOptions>\n-odac -d ; -x ignored\n# -y ignored\n\
                    -m0 /* -z\n ignored */ --env:SSDIR=\"a b\" \"-o my file.wav\"\n</CsOptions>\n</CsoundSynthesizer>";
        let csd = Csd::parse(text);
        let tokens: Vec<_> = csd.options().iter().map(|t| (t.text, t.line)).collect();
        assert_eq!(
            tokens,
            [
                ("-odac", 3),
                ("-d", 3),
                ("-m0", 5),
                ("--env:SSDIR=\"a b\"", 6),
                ("\"-o my file.wav\"", 6)
            ]
        );
        let options = csd.options();
        assert_eq!(options[4].unquoted(), "-o my file.wav");
        assert_eq!(&text[options[2].offset..options[2].offset + 3], "-m0");
    }

    #[test]
    fn no_options_section_gives_no_tokens() {
        assert!(Csd::parse("instr 1\nendin").options().is_empty());
    }

    // --- score ------------------------------------------------------------

    fn statements(score: &str) -> Vec<(char, Vec<String>, usize)> {
        let text = format!("<CsScore>{score}</CsScore>");
        Csd::parse(&text)
            .score_statements()
            .into_iter()
            .map(|s| {
                (
                    s.opcode,
                    s.fields.iter().map(|f| f.to_string()).collect(),
                    s.line,
                )
            })
            .collect()
    }

    fn owned(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn score_statements_of_every_kind() {
        let score = "\ni1 0 1\ni 2 3 4 \"str with space\"\n; i9 0 1\n/* i8 0 1\ni7 0 1 */\nf 1 0 1024 10 1\ne\n";
        assert_eq!(
            statements(score),
            [
                ('i', owned(&["1", "0", "1"]), 2),
                ('i', owned(&["2", "3", "4", "\"str with space\""]), 3),
                ('f', owned(&["1", "0", "1024", "10", "1"]), 7),
                ('e', owned(&[]), 8),
            ]
        );
    }

    #[test]
    fn score_comments_inside_a_statement() {
        let score = "\ni1 0 /* two\nlines */ 2 // end\n  i2\t0\t1 ; c\n";
        assert_eq!(
            statements(score),
            [
                ('i', owned(&["1", "0", "2"]), 2),
                ('i', owned(&["2", "0", "1"]), 4)
            ]
        );
    }

    #[test]
    fn continuation_lines_add_fields() {
        let score = "\n1 2\ni1 0 1\n 7 8\nt 0 60\n";
        assert_eq!(
            statements(score),
            [
                ('i', owned(&["1", "0", "1", "7", "8"]), 3),
                ('t', owned(&["0", "60"]), 5)
            ]
        );
    }

    #[test]
    fn loops_and_macros_give_their_fields_as_text() {
        let score = "\n{ 4 CNT\ni1 [$CNT * 0.5] 0.5\n}\n$NOTE(1) 2\n";
        assert_eq!(
            statements(score),
            [
                ('{', owned(&["4", "CNT"]), 2),
                ('i', owned(&["1", "[$CNT * 0.5]", "0.5"]), 3),
                ('}', owned(&[]), 4),
                ('$', owned(&["NOTE(1)", "2"]), 5),
            ]
        );
    }

    #[test]
    fn score_statement_offsets_point_at_the_opcode() {
        let text = "<CsScore>\n  i1 0 1\n</CsScore>";
        let csd = Csd::parse(text);
        let statement = &csd.score_statements()[0];
        assert_eq!(&text[statement.offset..statement.offset + 2], "i1");
    }

    #[test]
    fn first_late_note_of_each_instrument() {
        // What the "notes after N seconds" caller needs from the statements.
        let text = "<CsScore>\ni1 0 1\ni2.1 5 1 60\ni2 7 1\ni3 6 1\ni3 1 1\ne\n</CsScore>";
        let csd = Csd::parse(text);
        let mut first: Vec<(u32, f64, usize)> = Vec::new();
        let mut early: Vec<u32> = Vec::new();
        for s in csd.score_statements().iter().filter(|s| s.opcode == 'i') {
            let instr = s.fields[0].parse::<f64>().unwrap().floor() as u32;
            let start: f64 = s.fields[1].parse().unwrap();
            if start <= 4.0 {
                early.push(instr);
            } else if !first.iter().any(|f| f.0 == instr) {
                first.push((instr, start, s.line));
            }
        }
        first.retain(|f| !early.contains(&f.0));
        assert_eq!(first, [(2, 5.0, 3)]);
    }

    #[test]
    fn no_score_gives_no_statements() {
        assert!(Csd::parse("instr 1\nendin").score_statements().is_empty());
    }
}
