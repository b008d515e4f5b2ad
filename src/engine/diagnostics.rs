//! Compile errors picked out of Csound's message text, with the line they point at.

/// One error Csound reported while compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLine {
    /// Line in the `.csd` text (1-based), when Csound named one.
    pub line: Option<usize>,
    /// Csound's error text, trimmed.
    pub message: String,
}

/// Finds the errors in a compile log. Csound prints `error: …` and, on the same or one of
/// the next few lines (before the next error), `line N` (syntax errors) or `Line: N`
/// (opcode look-up errors, after the argument types found and the offending code); for a
/// `.csd` those are line numbers of the whole file.
pub fn error_lines(log: &str) -> Vec<ErrorLine> {
    let lines: Vec<&str> = log.lines().collect();
    let mut errors = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        let lower = text.to_ascii_lowercase();
        let Some(at) = lower.find("error:") else {
            continue;
        };
        if lower.contains("errors in performance") {
            continue;
        }
        let line = lines[i..lines.len().min(i + 8)]
            .iter()
            .enumerate()
            .take_while(|(k, l)| *k == 0 || !l.to_ascii_lowercase().contains("error:"))
            .find_map(|(_, l)| line_number(l));
        errors.push(ErrorLine {
            line,
            message: text[at + "error:".len()..].trim().to_string(),
        });
    }
    errors
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_line_comes_from_the_next_line() {
        let log = "some banner\nerror: syntax error, unexpected T_IDENT  (token \"foo\")\n from file (1), line 12:\n";
        assert_eq!(
            error_lines(log),
            vec![ErrorLine {
                line: Some(12),
                message: "syntax error, unexpected T_IDENT  (token \"foo\")".into()
            }]
        );
    }

    #[test]
    fn opcode_error_uses_capital_line() {
        let log = "error:  Unable to find opcode entry for 'oscilx' with matching argument types:\n\nFound: a oscilx cc\n       asig oscilx 0.3 ...\nLine: 7\n from file x.csd (1),Parsing failed due to syntax errors\n";
        let errors = error_lines(log);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(7));
    }

    #[test]
    fn performance_summary_is_not_an_error() {
        assert!(error_lines("0 errors in performance\n").is_empty());
        assert!(error_lines("no problems here\n").is_empty());
    }
}
