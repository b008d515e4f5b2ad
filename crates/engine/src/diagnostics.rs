//! Compile errors picked out of Csound's message text, with the line they point at in
//! the user's text.
//!
//! For a `.csd`, Csound counts lines through the whole file, but its count goes wrong
//! after a macro with arguments (Csound 6.18 restarts it), and errors inside an
//! `#include`d file carry that file's own line. So each error's line is taken from the
//! source text Csound quotes (`>>> … <<<`, or the line after `Found:`) when that text is
//! found in the patch, nearest to the line Csound named; Csound's number is the fallback.

/// One error Csound reported while compiling.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorLine {
    /// Line (1-based) in the patch text, or in `file` when that is set.
    pub line: Option<usize>,
    /// The `#include`d file the error is in; `None` for the patch itself.
    pub file: Option<String>,
    /// Csound's error text, trimmed.
    pub message: String,
}

/// The distinct init-time and performance errors in a performance's log (an instrument
/// that failed at init stays silent while the performance goes on).
pub fn performance_errors(log: &str) -> Vec<&str> {
    let mut errors: Vec<&str> = Vec::new();
    for line in log.lines().map(str::trim) {
        if (line.starts_with("INIT ERROR") || line.starts_with("PERF ERROR"))
            && !errors.contains(&line)
        {
            errors.push(line);
        }
    }
    errors
}

/// A file the patch wanted that Csound could not open.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingFile {
    /// The name as the patch gives it.
    pub name: String,
    /// The first line (1-based) of the patch that names it in quotes, if one does.
    pub line: Option<usize>,
}

impl std::fmt::Display for MissingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "cannot find '{}' (line {line})", self.name),
            None => write!(f, "cannot find '{}'", self.name),
        }
    }
}

/// The files Csound could not open during a performance of `code`, each once, in the
/// order it said so: a table's sound file (GEN01), `diskin2`/`soundin`, an `#include`,
/// a SoundFont, an analysis file.
pub fn missing_files(log: &str, code: &str) -> Vec<MissingFile> {
    let mut missing: Vec<MissingFile> = Vec::new();
    for text in log.lines() {
        let Some(name) = missing_file_name(text) else {
            continue;
        };
        if missing.iter().any(|m| m.name == name) {
            continue;
        }
        let quoted = format!("\"{name}\"");
        let line = code
            .lines()
            .position(|l| l.contains(&quoted))
            .map(|i| i + 1);
        missing.push(MissingFile { name, line });
    }
    missing
}

/// The file name in one of Csound's can't-open messages.
fn missing_file_name(text: &str) -> Option<String> {
    let text = text.trim();
    // "ftable 1: Failed to open file x.wav", "Cannot open #include'd file x.udo",
    // "sfload: cannot open SoundFont file \"x.sf2\" (error …)".
    for marker in [
        "Failed to open file ",
        "Cannot open #include'd file ",
        "cannot open SoundFont file ",
        "could not open file ",
        "unable to open file ",
    ] {
        if let Some(at) = text.find(marker) {
            let rest = text[at + marker.len()..].trim();
            let name = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or(""),
                None => rest.split_whitespace().next().unwrap_or(""),
            };
            let name = name.trim_end_matches([':', '.', ',']);
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    // "diskin2: x.wav: failed to open file (No Error.)"
    let at = text.find(": failed to open file")?;
    let before = &text[..at];
    let name = before.rsplit(": ").next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Finds the errors in a compile log of `code`: parse errors (`error:`), and init errors
/// of the global code when the patch fails to start (`INIT ERROR in instr 0 (opcode
/// ftgen.iS) line 7: ftgen error`), with the cause Csound printed just before (a file it
/// could not open).
pub fn error_lines(log: &str, code: &str) -> Vec<ErrorLine> {
    let lines: Vec<&str> = log.lines().collect();
    let mut errors = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        if let Some(error) = init_error(&lines, i) {
            errors.push(error);
            continue;
        }
        let Some(at) = text.to_ascii_lowercase().find("error:") else {
            continue;
        };
        // The error's own lines: up to the next error, at most a few.
        let end = lines[i + 1..]
            .iter()
            .position(|l| l.to_ascii_lowercase().contains("error:"))
            .map_or(lines.len(), |k| i + 1 + k)
            .min(i + 8);
        let block = &lines[i..end];
        let reported = block.iter().find_map(|l| line_number(l));
        let file = block.iter().find_map(|l| innermost_include(l));
        let line = match (&file, block.iter().find_map(|l| quoted_source(l, block))) {
            (None, Some(source)) => locate(code, &source, reported).or(reported),
            _ => reported,
        };
        errors.push(ErrorLine {
            line,
            file,
            message: text[at + "error:".len()..].trim().to_string(),
        });
    }
    errors
}

/// `INIT ERROR in instr 0 (opcode ftgen.iS) line 7: ftgen error` at `lines[i]` (also
/// `PERF ERROR`), with a file Csound failed to open in the lines before it.
fn init_error(lines: &[&str], i: usize) -> Option<ErrorLine> {
    let text = lines[i].trim();
    let rest = text
        .strip_prefix("INIT ERROR in ")
        .or_else(|| text.strip_prefix("PERF ERROR in "))?;
    let line = line_number(rest);
    let mut message = match rest.find(": ") {
        Some(at) => rest[at + 2..].trim().to_string(),
        None => rest.to_string(),
    };
    let cause = lines[i.saturating_sub(4)..i].iter().rev().find_map(|l| {
        let at = l
            .find("Failed to open file")
            .or_else(|| l.find("cannot open"))?;
        Some(l[at..].trim().trim_end_matches('.').to_string())
    });
    if let Some(cause) = cause {
        message = format!("{message}: {cause}");
    }
    Some(ErrorLine {
        line,
        file: None,
        message,
    })
}

/// The number after `line` in text such as ` from file x.csd (1), line 12:` or `Line: 12`.
fn line_number(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("line") {
        rest = &rest[at + 4..];
        let digits: String = rest
            .trim_start_matches([':', ' '])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse() {
            return Some(n);
        }
    }
    None
}

/// In ` from file inc.orc (2), from file *string* (1), line 3:` the innermost file,
/// when it is an included one (depth above 1).
fn innermost_include(text: &str) -> Option<String> {
    let rest = &text[text.find("from file ")? + "from file ".len()..];
    let open = rest.find(" (")?;
    let depth: usize = rest[open + 2..].split(')').next()?.trim().parse().ok()?;
    (depth > 1).then(|| rest[..open].to_string())
}

/// The source text Csound quotes with an error: `>>> text <<<`, or for an opcode error
/// the line after `Found: …`, which Csound cuts with `...`.
fn quoted_source(text: &str, block: &[&str]) -> Option<String> {
    if let Some(start) = text.find(">>>") {
        let rest = &text[start + 3..];
        let quoted = rest[..rest.find("<<<").unwrap_or(rest.len())].trim();
        return (!quoted.is_empty()).then(|| quoted.to_string());
    }
    if text.trim_start().starts_with("Found:") {
        let next = block.iter().skip_while(|l| *l != &text).nth(1)?;
        let quoted = next.trim().trim_end_matches("...").trim();
        return (!quoted.is_empty() && !quoted.to_ascii_lowercase().starts_with("line"))
            .then(|| quoted.to_string());
    }
    None
}

/// The 1-based line of `code` holding `source` (whitespace runs compared as one space),
/// nearest to `near` when several do.
fn locate(code: &str, source: &str, near: Option<usize>) -> Option<usize> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let source = squash(source);
    code.lines()
        .enumerate()
        .filter(|(_, l)| squash(l).contains(&source))
        .map(|(i, _)| i + 1)
        .min_by_key(|&n| near.map_or(n, |r| n.abs_diff(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_init_error_of_the_global_code_names_its_line_and_cause() {
        let log = "ftable 101:\ndeferred alloc for no_such_file.wav\n\
                   soundin cannot open no_such_file.wav: No Error.ftable 101: Failed to open file no_such_file.wav\n\
                   f101     0.00     0.00     1.00  \"no_such_file.wav\" ...\n\
                   INIT ERROR in instr 0 (opcode ftgen.iS) line 7: ftgen error\n \
                   from file *string* (1),giSample\tftgen.iS\t0\t0\t0\t1\t\"no_such_file.wav\"\n\
                   header init errors\n";
        let errors = error_lines(log, "");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(7));
        assert_eq!(
            errors[0].message,
            "ftgen error: Failed to open file no_such_file.wav"
        );
    }

    #[test]
    fn performance_errors_are_listed_once() {
        let log = "SECTION 1:\nINIT ERROR in instr 1 (opcode tablei.a) line 10: no ftable 99\n\
                   \t  B  0.000 - note deleted.  i1 had 1 init errors\n\
                   INIT ERROR in instr 1 (opcode tablei.a) line 10: no ftable 99\n\
                   PERF ERROR in instr 2 (opcode oscili) line 14: bad\n";
        assert_eq!(
            performance_errors(log),
            vec![
                "INIT ERROR in instr 1 (opcode tablei.a) line 10: no ftable 99",
                "PERF ERROR in instr 2 (opcode oscili) line 14: bad"
            ]
        );
    }

    #[test]
    fn syntax_error_line_comes_from_the_next_line() {
        let log = "some banner\nerror: syntax error, unexpected T_IDENT  (token \"foo\")\n from file (1), line 12:\n";
        assert_eq!(
            error_lines(log, ""),
            vec![ErrorLine {
                line: Some(12),
                file: None,
                message: "syntax error, unexpected T_IDENT  (token \"foo\")".into()
            }]
        );
    }

    #[test]
    fn opcode_error_uses_capital_line() {
        let log = "error:  Unable to find opcode entry for 'oscilx' with matching argument types:\n\nFound: a oscilx cc\n       asig oscilx 0.3 ...\nLine: 7\n from file x.csd (1),Parsing failed due to syntax errors\n";
        let errors = error_lines(log, "");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(7));
    }

    #[test]
    fn quoted_source_corrects_a_miscounted_line() {
        // Csound said line 2 (its count restarted after a macro); the quoted text is on 5.
        let code = "a\nb\nc\nd\n  outs a1,   a2 nonsense\n";
        let log = "error: syntax error (token \"nonsense\")\n from file *string* (1), line 2:\n >>>   outs a1, a2 nonsense <<<\n";
        assert_eq!(error_lines(log, code)[0].line, Some(5));
        // Opcode errors quote the line after `Found:`.
        let log = "error: Unable to find opcode entry for 'oscilx'\nFound: a oscilx cc\n  outs a1, a2 nonsense...\nLine: 1\n";
        assert_eq!(error_lines(log, code)[0].line, Some(5));
    }

    #[test]
    fn errors_in_included_files_name_the_file() {
        let log = "error: syntax error (token \"alsobad\")\n from file inc.orc (2), from file *string* (1), line 3:\n >>> outs a1, a1 alsobad <<<\n";
        let errors = error_lines(log, "outs a1, a1 alsobad\n");
        assert_eq!(errors[0].file.as_deref(), Some("inc.orc"));
        assert_eq!(errors[0].line, Some(3));
    }

    #[test]
    fn performance_summary_is_not_an_error() {
        assert!(error_lines("0 errors in performance\n", "").is_empty());
        assert!(error_lines("no problems here\n", "").is_empty());
    }

    #[test]
    fn missing_files_are_named_once_with_the_line_that_wants_them() {
        let code = "<CsInstruments>\ninstr 1\n a1 diskin2 \"loop.wav\", 1\nendin\n\
            </CsInstruments>\n<CsScore>\nf 1 0 0 1 \"marimba.wav\" 0 0 0\n</CsScore>\n";
        let log = "ftable 1:\nsoundin cannot open marimba.wav: No Error.ftable 1: Failed to open \
            file marimba.wav\nINIT ERROR in instr 1 (opcode diskin2) line 3: diskin2: loop.wav: \
            failed to open file (No Error.)\nftable 1: Failed to open file marimba.wav\n\
            Cannot open #include'd file lib.udo\n\
            sfload: cannot open SoundFont file \"piano.sf2\" (error No such file)\n";
        let found: Vec<(String, Option<usize>)> = missing_files(log, code)
            .into_iter()
            .map(|m| (m.name, m.line))
            .collect();
        assert_eq!(
            found,
            [
                ("marimba.wav".to_string(), Some(7)),
                ("loop.wav".to_string(), Some(3)),
                ("lib.udo".to_string(), None),
                ("piano.sf2".to_string(), None),
            ]
        );
        assert!(missing_files("INIT ERROR in instr 1: no table", code).is_empty());
    }
}
