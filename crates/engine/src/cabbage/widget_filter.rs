//! `cabbageGetWidgetChannels "type(\"rslider\")"`: the channels of the widgets whose
//! identifiers match a filter. The widgets are known when the patch is compiled, so the
//! filters the code writes as string constants are matched here and their answers
//! written into the opcode.

use csound_plug_patch::cabbage::WidgetInfo;

/// The string constants given to `cabbageGetWidgetChannels` in `orchestra`, as written
/// between their quotes (escapes kept), each once.
pub fn filters_in(orchestra: &str) -> Vec<String> {
    let mut filters = Vec::new();
    let name = "cabbageGetWidgetChannels";
    for (at, _) in orchestra.match_indices(name) {
        let rest = orchestra[at + name.len()..].trim_start_matches([' ', '\t', '(']);
        let Some(body) = rest.strip_prefix('"') else {
            continue;
        };
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                '\n' => break,
                _ => escaped = false,
            }
        }
        if let Some(end) = end {
            let raw = body[..end].to_string();
            if !filters.contains(&raw) {
                filters.push(raw);
            }
        }
    }
    filters
}

/// `raw` (a Csound string constant's inside) with `\"` and `\\` unescaped.
fn unescape(raw: &str) -> String {
    raw.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// The identifiers of `text` (`name(args) name(args)…`): name (lower case) and its first
/// argument without quotes.
fn identifiers(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let name = rest[..open]
            .trim_matches(|c: char| c.is_whitespace() || c == ',')
            .to_ascii_lowercase();
        let mut depth = 0;
        let mut in_quote = false;
        let mut close = None;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '"' => in_quote = !in_quote,
                '(' if !in_quote => depth += 1,
                ')' if !in_quote => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            break;
        };
        let args = &rest[open + 1..close];
        let first = first_arg(args);
        found.push((name, first));
        rest = &rest[close + 1..];
    }
    found
}

/// The first comma-separated argument outside quotes, trimmed and unquoted.
fn first_arg(args: &str) -> String {
    let mut in_quote = false;
    let end = args
        .char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                in_quote = !in_quote;
            }
            c == ',' && !in_quote
        })
        .map_or(args.len(), |(i, _)| i);
    args[..end].trim().trim_matches('"').to_string()
}

/// Whether two arguments say the same: as numbers when both are, else as text.
fn same(a: &str, b: &str) -> bool {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// Cabbage's default for the identifiers filters ask about most when the section does
/// not write them: `automatable` (1 for the widgets that are host parameters), `visible`
/// and `active` (1).
fn default_of(kind: &str, name: &str) -> Option<&'static str> {
    const AUTOMATABLE: &[&str] = &[
        "rslider",
        "hslider",
        "vslider",
        "nslider",
        "encoder",
        "checkbox",
        "button",
        "optionbutton",
        "combobox",
        "xypad",
        "hrange",
        "vrange",
    ];
    match name {
        "automatable" if AUTOMATABLE.contains(&kind) => Some("1"),
        "automatable" => Some("0"),
        "visible" | "active" => Some("1"),
        _ => None,
    }
}

/// Whether `widget` has every identifier of the filter `text` with the same first
/// argument (`type(…)` is the widget's type): as written in the section, else Cabbage's
/// default for `automatable`, `visible` and `active`.
fn matches(widget: &WidgetInfo, filter: &[(String, String)]) -> bool {
    !filter.is_empty()
        && filter.iter().all(|(name, value)| {
            if name == "type" {
                return widget.kind.eq_ignore_ascii_case(value.trim());
            }
            widget
                .identifiers
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .and_then(|(_, args)| args.first().map(String::as_str))
                .or_else(|| default_of(&widget.kind, name))
                .is_some_and(|arg| same(arg, value))
        })
}

/// The channels of `widgets` that match the filter written `raw` in the code.
pub fn channels_matching(widgets: &[WidgetInfo], raw: &str) -> Vec<String> {
    let filter = identifiers(&unescape(raw));
    widgets
        .iter()
        .filter(|w| matches(w, &filter))
        .flat_map(|w| w.channels.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_found_and_matched() {
        let code = "S1[] cabbageGetWidgetChannels \"type(\\\"rslider\\\")\"\n\
                    S2[] cabbageGetWidgetChannels(\"colour(255, 0, 0) type(\\\"button\\\")\")\n\
                    S3[] cabbageGetWidgetChannels\n";
        let filters = filters_in(code);
        assert_eq!(
            filters,
            [
                "type(\\\"rslider\\\")",
                "colour(255, 0, 0) type(\\\"button\\\")"
            ]
        );
        let csd = "<Cabbage>\nrslider channel(\"a\")\nbutton channel(\"b\") colour(255, 0, 0)\n\
                   button channel(\"c\") colour(0, 0, 0)\nrslider channel(\"d\")\n</Cabbage>\n";
        let widgets = csound_plug_patch::cabbage::cabbage_widgets(csd);
        assert_eq!(channels_matching(&widgets, &filters[0]), ["a", "d"]);
        assert_eq!(channels_matching(&widgets, &filters[1]), ["b"]);
        // Cabbage's defaults count where the section writes nothing.
        let csd = "<Cabbage>\nrslider channel(\"a\")\nlabel channel(\"l\")\n\
                   button channel(\"b\") automatable(0)\ncheckbox channel(\"c\") visible(0)\n</Cabbage>\n";
        let widgets = csound_plug_patch::cabbage::cabbage_widgets(csd);
        assert_eq!(channels_matching(&widgets, "automatable(1)"), ["a", "c"]);
        assert_eq!(channels_matching(&widgets, "automatable(0)"), ["l", "b"]);
        assert_eq!(channels_matching(&widgets, "visible(1)"), ["a", "l", "b"]);
    }
}
