//! Cabbage compatibility: reads the `<Cabbage>` section of a .csd and turns its widgets
//! into [`Control`]s, so a Cabbage patch gets the controls it shows in Cabbage.
//!
//! The section holds one widget a line (Cabbage 2 syntax):
//!
//! ```text
//! <Cabbage>
//! form caption("Filter") size(300, 120)
//! rslider bounds(10, 10, 70, 70), channel("cf"), text("Freq."), range(20, 20000, 1000, 0.5)
//! combobox bounds(90, 30, 80, 20), channel("type"), text("LP", "HP"), value(1)
//! </Cabbage>
//! ```
//!
//! Input widgets and what they become:
//!
//! | widget | control |
//! |---|---|
//! | `rslider`, `hslider`, `vslider` (also `hslider2/3`, `vslider2/3`), `nslider`, `encoder` | one slider: `Integer` if the increment is a whole number ≥ 1 and `min` is whole, else `Continuous` |
//! | `hrange`, `vrange` | two sliders, `channel("lo", "hi")`, defaults from `range(min, max, lo:hi, …)` |
//! | `xypad` | two `Continuous` controls, `channel("x", "y")`, `rangeX(min, max, value)`, `rangeY(…)` |
//! | `checkbox` | `Toggle`, 0..1 |
//! | `button` | `Toggle`, 0..1: each click turns it on or off (Cabbage's default `latched(1)`); `Button` (momentary, 1 while pressed) with `latched(0)` |
//! | `combobox` | `Menu(items)`, 1..=n (1 is the first item) |
//! | `combobox` with `channelType("string")` | the same menu, source `CabbageText`: the channel is a string channel holding the chosen item's text; `value("item")` or a 0-based `value(n)` picks the first one shown |
//! | `optionbutton` | `Menu(items)`, 0..=n-1 (Cabbage counts its items from 0) |
//!
//! Identifiers read: `channel`/`channels`, `range(min, max[, value[, skew[, incr]]])`,
//! `rangeX`/`rangeY`, `value`, `valueX`/`valueY`, `minValue`/`maxValue`, `min`, `max`,
//! `increment`, `sliderSkew`, `text`/`items`, `caption`, plus `channelType`, `populate`,
//! `file` and `mode` to recognise menus whose items are not in the text. Other identifiers
//! (`bounds`, colours, …) are ignored, and so are widgets that only show something
//! (`form`, `label`, `image`, `groupbox`, `keyboard`, `gentable`, `texteditor`, …) even when
//! they have a channel. Names of widgets and identifiers are matched ignoring case.
//!
//! Defaults are Cabbage's own (its `CabbageWidgetData` initialisers): sliders and ranges
//! 0..1, value 0, skew 1, increment 0.001; `nslider` 0..100, increment 0.01; `encoder`
//! −10000..10000, increment 1; a `combobox` without items has "Item 1" … "Item 7", an
//! `optionbutton` "Item 1" … "Item 3". As in Cabbage, identifiers take effect in the order
//! written, so a later `value()` overrides the default given in `range()` and vice versa.
//!
//! Where the result differs from a literal reading of Cabbage:
//! - The default is clamped into `min..=max` (JUCE's sliders do this when they show it) and
//!   snapped to the step for `Integer` controls. A `checkbox` or `button` default is 1 for
//!   any non-zero `value()`.
//! - A `combobox` without `value()` starts at 1 (the first item). Cabbage starts it at 0,
//!   "no selection", which is outside the menu's values.
//! - `range(min, max)` with two numbers is read (the Cabbage docs allow it; Cabbage's
//!   parser ignores a `range` with fewer than three).
//! - A channel used by several widgets (e.g. a knob and a number box showing the same
//!   value) gives one control, from the first widget.
//!
//! Syntax accepted: `;` and `//` comments to the end of the line and `/* … */` comments
//! (outside quotes), CRLF line ends, a `\` at the end of a line continuing it, a widget
//! whose parentheses are still open at the end of a line continuing on the next one,
//! `#define NAME text` macros used as `$NAME`, `{`/`}` around plants, commas or spaces
//! between identifiers, quoted or bare arguments, quotes holding commas or parentheses.
//! A widget that cannot be read (unclosed parenthesis, a number that is not one, an empty
//! range, a skew ≤ 0, a negative increment) is skipped, as is a widget without a channel,
//! and menus Cabbage fills at run time (`populate`, `file`, `mode("resize")`).
//!
//! Cabbage 3 writes the section as a JSON array of widget objects (`{"type":
//! "rotarySlider", "channel": "cf", "range": {"min": 20, "max": 20000, "defaultValue":
//! 1000, "skew": 0.5, "increment": 1}, "text": "Freq."}`); its types and fields are read
//! as the Cabbage 2 widget and identifiers they name, so both give the same controls.

use crate::controls::{Control, ControlKind, ControlSource};
use crate::csd::{self, Comments, Csd};
use std::collections::HashSet;

/// The input controls declared by the `<Cabbage>` section of `csd`, one per channel, in
/// document order (an `xypad` or `hrange`/`vrange` gives two). Empty if there is no
/// section. See the [module docs](self) for the widgets and identifiers read.
pub fn cabbage_controls(csd: &str) -> Vec<Control> {
    parse(csd).controls
}

/// The channels of the `<Cabbage>` section's meters (`vmeter`, `hmeter`, `meter`): values
/// the patch writes for the editor to show. In document order, each channel once, and none
/// that is also an input control.
pub fn cabbage_displays(csd: &str) -> Vec<String> {
    parse(csd).displays
}

/// The channels of the `<Cabbage>` section's rotary widgets (`rslider`, `encoder`), which
/// the editor draws as knobs.
pub fn cabbage_knobs(csd: &str) -> Vec<String> {
    parse(csd).knobs
}

/// Each input control's channel and the Cabbage widget type that declares it (`rslider`,
/// `combobox`, …), in the order of [`cabbage_controls`].
pub fn cabbage_control_types(csd: &str) -> Vec<(String, String)> {
    parse(csd).types
}

/// Each widget's first channel and its `bounds(x, y, width, height)` (Cabbage 3:
/// `"bounds": {"left", "top", "width", "height"}`), in document order, for widgets that
/// give both.
pub fn cabbage_bounds(csd: &str) -> Vec<(String, [f64; 4])> {
    let Some(section) = section(csd) else {
        return Vec::new();
    };
    widgets(section)
        .iter()
        .filter_map(|widget| {
            let arguments = |key: &str| {
                widget
                    .identifiers
                    .iter()
                    .rev()
                    .find(|(name, _)| name == key)
                    .map(|(_, args)| args)
            };
            let channel = channels_of(arguments("channel").or_else(|| arguments("channels"))?)
                .into_iter()
                .next()?;
            let numbers: Vec<f64> = arguments("bounds")?
                .iter()
                .map(|a| number(a))
                .collect::<Option<_>>()?;
            Some((channel, numbers.get(..4)?.try_into().ok()?))
        })
        .collect()
}

/// A widget of the `<Cabbage>` section that has a channel, as written: what identifier
/// updates and `cabbageGetWidgetChannels` need.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetInfo {
    /// Its type, lower case (`rslider`, `label`…).
    pub kind: String,
    /// Its channels, in order.
    pub channels: Vec<String>,
    /// Its identifiers in written order: name (lower case) and arguments.
    pub identifiers: Vec<(String, Vec<String>)>,
}

/// Every widget of the `<Cabbage>` section that has a channel (input widgets, labels,
/// images, group boxes…), in document order.
pub fn cabbage_widgets(csd: &str) -> Vec<WidgetInfo> {
    let Some(section) = section(csd) else {
        return Vec::new();
    };
    widgets(section)
        .into_iter()
        .filter_map(|widget| {
            let (_, args) = widget
                .identifiers
                .iter()
                .rev()
                .find(|(name, _)| name == "channel" || name == "channels")?;
            let channels = channels_of(args);
            (!channels.is_empty()).then_some(WidgetInfo {
                kind: widget.kind,
                channels,
                identifiers: widget.identifiers,
            })
        })
        .collect()
}

/// The `identChannel("name")` of every widget that has one, each once, in document
/// order: string channels through which Cabbage 2 patches send a widget identifiers
/// (`chnset "visible(0)", "name"`).
pub fn cabbage_ident_channels(csd: &str) -> Vec<String> {
    let Some(section) = section(csd) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for widget in widgets(section) {
        let ident = widget
            .identifiers
            .iter()
            .rev()
            .find(|(name, _)| name == "identchannel")
            .and_then(|(_, args)| args.first())
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty());
        if let Some(name) = ident.filter(|name| !names.contains(name)) {
            names.push(name);
        }
    }
    names
}

/// The lists from one pass.
struct Parsed {
    controls: Vec<Control>,
    types: Vec<(String, String)>,
    displays: Vec<String>,
    knobs: Vec<String>,
}

fn parse(csd: &str) -> Parsed {
    let mut parsed = Parsed {
        controls: Vec::new(),
        types: Vec::new(),
        displays: Vec::new(),
        knobs: Vec::new(),
    };
    let Some(section) = section(csd) else {
        return parsed;
    };
    let mut outputs = Vec::new();
    for widget in widgets(section) {
        match family(&widget.kind) {
            Family::Display => {
                let channel = widget
                    .identifiers
                    .iter()
                    .rev()
                    .find(|(name, _)| name == "channel" || name == "channels");
                if let Some((_, args)) = channel {
                    outputs.extend(channels_of(args));
                }
            }
            Family::Other => {}
            family => {
                if let Some(controls) = build(family, &widget) {
                    if matches!(widget.kind.as_str(), "rslider" | "encoder") {
                        parsed
                            .knobs
                            .extend(controls.iter().map(|c| c.channel.clone()));
                    }
                    parsed.types.extend(
                        controls
                            .iter()
                            .map(|c| (c.channel.clone(), widget.kind.clone())),
                    );
                    parsed.controls.extend(controls);
                }
            }
        }
    }

    let mut seen = HashSet::new();
    parsed
        .controls
        .retain(|control| seen.insert(control.channel.clone()));
    let mut typed = HashSet::new();
    parsed
        .types
        .retain(|(channel, _)| typed.insert(channel.clone()));
    for channel in outputs {
        if seen.insert(channel.clone()) {
            parsed.displays.push(channel);
        }
    }
    parsed
}

/// The section's widgets, in either format: Cabbage 3's JSON array of widget objects, or
/// Cabbage 2's widget lines.
pub(crate) fn widgets(section: &str) -> Vec<Widget> {
    if section.trim_start().starts_with('[') {
        return json_widgets(section);
    }
    let cleaned = strip_comments(section);
    let lines = logical_lines(&cleaned);
    let macros = macros(&lines);
    lines
        .iter()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| parse_widget(&expand_macros(line, &macros)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Cabbage 3's JSON section

/// Cabbage 3's widget types by their Cabbage 2 names.
const JSON_TYPES: &[(&str, &str)] = &[
    ("rotaryslider", "rslider"),
    ("horizontalslider", "hslider"),
    ("verticalslider", "vslider"),
    ("numberslider", "nslider"),
    ("horizontalrange", "hrange"),
    ("verticalrange", "vrange"),
    ("checkbox", "checkbox"),
    ("combobox", "combobox"),
    ("optionbutton", "optionbutton"),
    ("xypad", "xypad"),
    ("verticalmeter", "vmeter"),
    ("horizontalmeter", "hmeter"),
];

/// The widgets of a JSON section (`[{"type": "rotarySlider", "channel": "gain",
/// "range": {"min": 0, "max": 1, "defaultValue": 0.5, "skew": 1, "increment": 0.01}}, …]`)
/// as the identifiers Cabbage 2 would give them; none when it is not a JSON array.
pub(crate) fn json_widgets(section: &str) -> Vec<Widget> {
    let Ok(serde_json::Value::Array(objects)) = serde_json::from_str(section.trim()) else {
        return Vec::new();
    };
    objects
        .iter()
        .filter_map(|object| {
            let object = object.as_object()?;
            let kind = object.get("type")?.as_str()?.to_ascii_lowercase();
            let kind = JSON_TYPES
                .iter()
                .find(|(json, _)| *json == kind)
                .map_or(kind.clone(), |(_, two)| two.to_string());
            let mut identifiers = Vec::new();
            for (name, value) in object {
                let args = match (name.as_str(), value) {
                    ("type", _) => continue,
                    ("range", serde_json::Value::Object(range)) => {
                        let field = |keys: &[&str]| {
                            keys.iter()
                                .find_map(|k| range.get(*k))
                                .map_or(String::new(), json_text)
                        };
                        vec![
                            field(&["min"]),
                            field(&["max"]),
                            field(&["defaultValue", "value"]),
                            field(&["skew"]),
                            field(&["increment"]),
                        ]
                    }
                    ("bounds", serde_json::Value::Object(bounds)) => {
                        ["left", "top", "width", "height"]
                            .iter()
                            .map(|k| bounds.get(*k).map_or(String::new(), json_text))
                            .collect()
                    }
                    ("size", serde_json::Value::Object(size)) => ["width", "height"]
                        .iter()
                        .map(|k| size.get(*k).map_or(String::new(), json_text))
                        .collect(),
                    // `colour: {"fill": "#…", "stroke": {…}}`: the fill.
                    ("colour", serde_json::Value::Object(colour)) => {
                        colour.get("fill").map(json_text).into_iter().collect()
                    }
                    (_, serde_json::Value::Array(items)) => items.iter().map(json_text).collect(),
                    // `text: {"off": …, "on": …}`, `channel: {"x": …, "y": …}`: in order.
                    (_, serde_json::Value::Object(fields)) => {
                        fields.values().map(json_text).collect()
                    }
                    (_, value) => vec![json_text(value)],
                };
                identifiers.push((name.to_ascii_lowercase(), args));
            }
            Some(Widget { kind, identifiers })
        })
        .collect()
}

/// A JSON value as an identifier argument.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Finding the section, comments, lines, macros

/// The `<Cabbage>` section's text, read by the one `.csd` reader (its tag starts a line,
/// any case; without a closing tag it ends before the next line starting with `<`).
pub(crate) fn section(csd: &str) -> Option<&str> {
    if let Some(section) = Csd::parse(csd).section("Cabbage") {
        return Some(section.body);
    }
    // Cabbage also finds a tag after stray text on its line (two of its examples start
    // `y <Cabbage>`), when it is not in a comment and is closed later.
    let lower = csd.to_ascii_lowercase();
    let open = lower.find("<cabbage>")?;
    let line_start = lower[..open].rfind('\n').map_or(0, |i| i + 1);
    let before = &lower[line_start..open];
    if before.contains(';') || before.contains("//") {
        return None;
    }
    let body_start = open + "<cabbage>".len();
    let close = lower[body_start..].find("</cabbage>")? + body_start;
    Some(&csd[body_start..close])
}

/// Removes `;`, `//` and `/* */` comments outside quotes, keeping line breaks: the
/// orchestra's rules, which Cabbage's widget lines follow too.
pub(crate) fn strip_comments(text: &str) -> String {
    csd::strip_comments(text, Comments::Orchestra)
}

/// Every widget type Cabbage knows, input or not: a line starting with one of these
/// starts a new widget.
const WIDGET_TYPES: &[&str] = &[
    "button",
    "checkbox",
    "combobox",
    "csoundoutput",
    "cvinput",
    "cvoutput",
    "directorylist",
    "encoder",
    "eventsequencer",
    "fftdisplay",
    "filebutton",
    "form",
    "gentable",
    "groupbox",
    "hmeter",
    "hostbpm",
    "hostplaying",
    "hostppqpos",
    "hostrecording",
    "hosttime",
    "hrange",
    "hslider",
    "hslider2",
    "hslider3",
    "image",
    "infobutton",
    "keyboard",
    "keyboarddisplay",
    "label",
    "light",
    "line",
    "listbox",
    "loadbutton",
    "meter",
    "nslider",
    "optionbutton",
    "path",
    "popupmenu",
    "presetbutton",
    "rslider",
    "screw",
    "signaldisplay",
    "soundfiler",
    "sourcebutton",
    "stringsequencer",
    "table",
    "textbox",
    "texteditor",
    "unlockbutton",
    "vmeter",
    "vrange",
    "vslider",
    "vslider2",
    "vslider3",
    "webview",
    "xypad",
];

/// The leading word of a line (letters, digits, `_`).
fn first_word(line: &str) -> &str {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '{' || c == '}');
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    &line[..end]
}

fn starts_widget(line: &str) -> bool {
    let word = first_word(line);
    WIDGET_TYPES.iter().any(|t| t.eq_ignore_ascii_case(word))
}

/// Parentheses still open at the end of `line` (outside quotes).
fn open_parens(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_quote = false;
    for c in line.chars() {
        match c {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Trimmed lines, with `\` continuations and lines left inside parentheses joined to the
/// next (unless that one starts a widget or a macro).
pub(crate) fn logical_lines(text: &str) -> Vec<String> {
    let raw: Vec<&str> = text.split('\n').map(str::trim).collect();
    let mut lines = Vec::new();
    let mut index = 0;
    while index < raw.len() {
        let mut line = raw[index].to_string();
        index += 1;
        while index < raw.len() {
            if let Some(stripped) = line.strip_suffix('\\') {
                line = stripped.trim_end().to_string();
            } else if open_parens(&line) <= 0
                || starts_widget(raw[index])
                || raw[index].starts_with('#')
            {
                break;
            }
            line.push(' ');
            line.push_str(raw[index]);
            index += 1;
        }
        lines.push(line);
    }
    lines
}

/// `#define NAME text` lines of the section; a later definition wins.
pub(crate) fn macros(lines: &[String]) -> Vec<(String, String)> {
    let mut macros: Vec<(String, String)> = Vec::new();
    for line in lines {
        let Some(rest) = line
            .get(..7)
            .filter(|head| head.eq_ignore_ascii_case("#define"))
            .and_then(|_| line.get(7..))
        else {
            continue;
        };
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, body) = rest.split_at(end);
        if name.is_empty() {
            continue;
        }
        macros.retain(|(existing, _)| existing != name);
        macros.push((name.to_string(), body.trim().to_string()));
    }
    macros
}

/// Replaces `$NAME` outside quotes with the macro's text; an unknown macro is removed.
pub(crate) fn expand_macros(line: &str, macros: &[(String, String)]) -> String {
    if !line.contains('$') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut in_quote = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c == '"' {
            in_quote = !in_quote;
        }
        if c != '$' || in_quote {
            out.push(c);
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        if let Some((_, body)) = macros.iter().find(|(n, _)| n == name) {
            out.push(' ');
            out.push_str(body);
            out.push(' ');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// One widget line

/// A widget line: its type (lower case) and identifiers in written order, each with its
/// name (lower case) and its arguments (trimmed, outer quotes removed).
pub(crate) struct Widget {
    pub(crate) kind: String,
    pub(crate) identifiers: Vec<(String, Vec<String>)>,
}

/// Reads `type ident(args) ident(args) …`; `None` for a line that is not a widget or whose
/// parentheses or quotes do not close.
pub(crate) fn parse_widget(line: &str) -> Option<Widget> {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '{' || c == '}');
    let kind = first_word(line);
    if kind.is_empty() {
        return None;
    }
    let chars: Vec<char> = line[kind.len()..].chars().collect();
    let is_separator = |c: char| c.is_whitespace() || matches!(c, ',' | ')' | '{' | '}');
    let mut identifiers = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && is_separator(chars[i]) {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let name_start = i;
        while i < chars.len() && !is_separator(chars[i]) && chars[i] != '(' {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if chars.get(i) != Some(&'(') {
            continue; // a bare word: not an identifier
        }
        i += 1;
        let args_start = i;
        let mut depth = 1;
        let mut in_quote = false;
        while i < chars.len() {
            match chars[i] {
                '"' => in_quote = !in_quote,
                '(' if !in_quote => depth += 1,
                ')' if !in_quote => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if i >= chars.len() {
            return None;
        }
        identifiers.push((name.to_ascii_lowercase(), split_args(&chars[args_start..i])));
        i += 1;
    }
    Some(Widget {
        kind: kind.to_ascii_lowercase(),
        identifiers,
    })
}

/// Splits arguments at commas outside quotes and parentheses.
fn split_args(chars: &[char]) -> Vec<String> {
    let text: String = chars.iter().collect();
    if text.trim().is_empty() {
        return Vec::new();
    }
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let mut in_quote = false;
    for &c in chars {
        match c {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            ',' if !in_quote && depth == 0 => {
                args.push(unquote(&current));
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    args.push(unquote(&current));
    args
}

/// Trims and removes the surrounding quotes (or, if they do not surround the whole
/// argument, every quote, as Cabbage does).
fn unquote(arg: &str) -> String {
    let arg = arg.trim();
    match arg
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) if !inner.contains('"') => inner.to_string(),
        _ => arg.replace('"', "").trim().to_string(),
    }
}

/// A finite number (`.5`, `-1`, `1e3`, …); as Cabbage reads numbers, the longest valid
/// beginning of one with more after it (`78.125.5` is 78.125).
pub(crate) fn number(arg: &str) -> Option<f64> {
    let arg = arg.trim();
    if let Ok(x) = arg.parse::<f64>() {
        return Some(x).filter(|x| x.is_finite());
    }
    (1..arg.len())
        .rev()
        .filter(|&end| arg.is_char_boundary(end))
        .find_map(|end| arg[..end].parse::<f64>().ok())
        .filter(|x| x.is_finite())
}

/// Argument `index` as a number: `Ok(None)` if absent or empty, `Err` if not a number.
fn optional_number(args: &[String], index: usize) -> Result<Option<f64>, ()> {
    match args.get(index).map(|a| a.trim()) {
        None | Some("") => Ok(None),
        Some(arg) => number(arg).map(Some).ok_or(()),
    }
}

pub(crate) fn channels_of(args: &[String]) -> Vec<String> {
    args.iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Widgets to controls

#[derive(Clone, Copy, PartialEq)]
enum Family {
    Slider,
    Range,
    XyPad,
    Toggle,
    Button,
    ComboBox,
    OptionButton,
    Display,
    Other,
}

fn family(kind: &str) -> Family {
    match kind {
        "rslider" | "hslider" | "vslider" | "hslider2" | "hslider3" | "vslider2" | "vslider3"
        | "nslider" | "encoder" => Family::Slider,
        "hrange" | "vrange" => Family::Range,
        "xypad" => Family::XyPad,
        "checkbox" => Family::Toggle,
        "button" => Family::Button,
        "combobox" => Family::ComboBox,
        "optionbutton" => Family::OptionButton,
        "vmeter" | "hmeter" | "meter" => Family::Display,
        _ => Family::Other,
    }
}

/// One axis of an `xypad`.
#[derive(Clone, Copy)]
struct Axis {
    min: f64,
    max: f64,
    value: f64,
}

/// A widget's settings, starting from Cabbage's defaults for its type.
struct Settings {
    channels: Vec<String>,
    min: f64,
    max: f64,
    value: f64,
    skew: f64,
    increment: f64,
    low: f64,
    high: f64,
    x: Axis,
    y: Axis,
    texts: Option<Vec<String>>,
    caption: Option<String>,
    /// Items or values only known at run time (file lists, resizing).
    runtime_menu: bool,
    /// `channelType("string")`: the channel holds the chosen item's text.
    string_channel: bool,
    /// A `button`'s `latched()`: each click toggles it (Cabbage's default), else it is
    /// on while pressed.
    latched: bool,
    /// A `value()` that is not a number: a string combobox's chosen item.
    value_text: Option<String>,
}

impl Settings {
    fn defaults(kind: &str) -> Self {
        let unit = Axis {
            min: 0.0,
            max: 1.0,
            value: 0.0,
        };
        let (min, max, increment) = match kind {
            "nslider" => (0.0, 100.0, 0.01),
            "encoder" => (-10000.0, 10000.0, 1.0),
            _ => (0.0, 1.0, 0.001),
        };
        Self {
            channels: Vec::new(),
            min,
            max,
            value: 0.0,
            skew: 1.0,
            increment,
            low: 0.0,
            high: 0.0,
            x: unit,
            y: unit,
            texts: None,
            caption: None,
            runtime_menu: false,
            string_channel: false,
            value_text: None,
            latched: true,
        }
    }

    /// Applies one identifier; `Err` if its numbers cannot be read.
    fn apply(&mut self, name: &str, args: &[String]) -> Result<(), ()> {
        let first = || optional_number(args, 0);
        match name {
            "channel" | "channels" => self.channels = channels_of(args),
            "range" => {
                let (Some(min), Some(max)) = (optional_number(args, 0)?, optional_number(args, 1)?)
                else {
                    return Err(());
                };
                self.min = min;
                self.max = max;
                match args.get(2).map(|a| a.trim()) {
                    Some(pair) if pair.contains(':') => {
                        let (low, high) = pair.split_once(':').ok_or(())?;
                        self.low = number(low).ok_or(())?;
                        self.high = number(high).ok_or(())?;
                    }
                    _ => {
                        if let Some(value) = optional_number(args, 2)? {
                            self.value = value;
                        }
                    }
                }
                if let Some(skew) = optional_number(args, 3)? {
                    self.skew = skew;
                }
                if let Some(increment) = optional_number(args, 4)? {
                    self.increment = increment;
                }
            }
            "rangex" | "rangey" => {
                let (Some(min), Some(max)) = (optional_number(args, 0)?, optional_number(args, 1)?)
                else {
                    return Err(());
                };
                let axis = if name == "rangex" {
                    &mut self.x
                } else {
                    &mut self.y
                };
                axis.min = min;
                axis.max = max;
                if let Some(value) = optional_number(args, 2)? {
                    axis.value = value;
                }
            }
            "value" => match first() {
                Ok(value) => {
                    set(&mut self.value, value);
                    self.value_text = None;
                }
                Err(()) => self.value_text = args.first().cloned(),
            },
            "valuex" => set(&mut self.x.value, first()?),
            "valuey" => set(&mut self.y.value, first()?),
            "minvalue" => set(&mut self.low, first()?),
            "maxvalue" => set(&mut self.high, first()?),
            "min" => set(&mut self.min, first()?),
            "max" => set(&mut self.max, first()?),
            "increment" => set(&mut self.increment, first()?),
            "sliderskew" => set(&mut self.skew, first()?),
            "latched" => self.latched = first()?.is_none_or(|x| x != 0.0),
            "text" | "items" => self.texts = Some(args.to_vec()),
            "caption" => self.caption = args.first().cloned(),
            "channeltype" if first_is(args, "string") => self.string_channel = true,
            "populate" | "file" | "filetype" => self.runtime_menu = true,
            "mode" if first_is(args, "resize") => self.runtime_menu = true,
            _ => {}
        }
        Ok(())
    }

    /// The first non-empty `text()` item, else `caption()`.
    fn text_label(&self) -> Option<&str> {
        self.texts
            .iter()
            .flatten()
            .map(String::as_str)
            .find(|t| !t.is_empty())
            .or(self.caption.as_deref().filter(|c| !c.is_empty()))
    }

    /// `caption()` (for menus, whose `text()` are the items).
    fn caption_label(&self) -> Option<&str> {
        self.caption.as_deref().filter(|c| !c.is_empty())
    }

    fn slider_ok(&self) -> bool {
        self.max > self.min && self.skew > 0.0 && self.increment >= 0.0
    }
}

/// Whether the first argument is `word` (ignoring case).
fn first_is(args: &[String], word: &str) -> bool {
    args.first().is_some_and(|a| a.eq_ignore_ascii_case(word))
}

fn set(target: &mut f64, value: Option<f64>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// A slider's kind: whole-number steps from a whole-number minimum are `Integer`.
fn slider_kind(min: f64, increment: f64) -> ControlKind {
    if increment >= 1.0 && increment.fract() == 0.0 && min.fract() == 0.0 {
        ControlKind::Integer
    } else {
        ControlKind::Continuous
    }
}

/// The default as the widget shows it: on the step grid for whole-number steps, and
/// within the range.
fn shown_default(value: f64, min: f64, max: f64, increment: f64, kind: &ControlKind) -> f64 {
    let value = if *kind == ControlKind::Integer {
        min + increment * ((value - min) / increment).round()
    } else {
        value
    };
    value.clamp(min, max)
}

/// The controls of one input widget; `None` if it is skipped.
fn build(family: Family, widget: &Widget) -> Option<Vec<Control>> {
    let mut s = Settings::defaults(&widget.kind);
    for (name, args) in &widget.identifiers {
        s.apply(name, args).ok()?;
    }
    let channel = s.channels.first()?.clone();
    let text = s.text_label().map(str::to_string);
    let flag = |value: f64| if value != 0.0 { 1.0 } else { 0.0 };
    let menu = |items: Vec<String>, first: f64, value: f64| {
        let last = first + items.len() as f64 - 1.0;
        let default = value.round().clamp(first, last.max(first));
        let label = s.caption_label().map(str::to_string);
        Control::cabbage(
            &channel,
            label.as_deref(),
            (first, last, default),
            1.0,
            1.0,
            ControlKind::Menu(items),
        )
    };
    let numbered = |count: usize| (1..=count).map(|i| format!("Item {i}")).collect();

    // A `value()` that is not a number makes sense for a string combobox only.
    if s.value_text.is_some() && !(family == Family::ComboBox && s.string_channel) {
        return None;
    }
    let controls = match family {
        Family::Slider => {
            if !s.slider_ok() {
                return None;
            }
            let kind = slider_kind(s.min, s.increment);
            let default = shown_default(s.value, s.min, s.max, s.increment, &kind);
            vec![Control::cabbage(
                &channel,
                text.as_deref(),
                (s.min, s.max, default),
                s.skew,
                s.increment,
                kind,
            )]
        }
        Family::Range => {
            let high_channel = s.channels.get(1)?;
            if !s.slider_ok() {
                return None;
            }
            let kind = slider_kind(s.min, s.increment);
            let low = shown_default(s.low, s.min, s.max, s.increment, &kind);
            let high = shown_default(s.high, s.min, s.max, s.increment, &kind);
            [(&channel, low, "min"), (high_channel, high, "max")]
                .into_iter()
                .map(|(ch, default, suffix)| {
                    Control::cabbage(
                        ch,
                        text.as_ref().map(|t| format!("{t} {suffix}")).as_deref(),
                        (s.min, s.max, default),
                        s.skew,
                        s.increment,
                        kind.clone(),
                    )
                })
                .collect()
        }
        Family::XyPad => {
            if !(s.x.max > s.x.min && s.y.max > s.y.min) {
                return None;
            }
            s.channels
                .iter()
                .zip([(s.x, "X"), (s.y, "Y")])
                .map(|(ch, (axis, suffix))| {
                    Control::cabbage(
                        ch,
                        text.as_ref().map(|t| format!("{t} {suffix}")).as_deref(),
                        (axis.min, axis.max, axis.value.clamp(axis.min, axis.max)),
                        1.0,
                        0.0,
                        ControlKind::Continuous,
                    )
                })
                .collect()
        }
        Family::Toggle => vec![Control::cabbage(
            &channel,
            text.as_deref(),
            (0.0, 1.0, flag(s.value)),
            1.0,
            1.0,
            ControlKind::Toggle,
        )],
        Family::Button => vec![Control::cabbage(
            &channel,
            text.as_deref(),
            (0.0, 1.0, flag(s.value)),
            1.0,
            1.0,
            if s.latched {
                ControlKind::Toggle
            } else {
                ControlKind::Button
            },
        )],
        Family::ComboBox if s.string_channel => {
            // Cabbage's string combobox: `value("item")` or a 0-based index picks the
            // first item shown; the channel gets the item's text.
            let items = s
                .texts
                .clone()
                .filter(|t| !t.is_empty() && !s.runtime_menu)?;
            let index = match &s.value_text {
                Some(text) => items.iter().position(|i| i == text).unwrap_or(0),
                None => (s.value.max(0.0) as usize).min(items.len() - 1),
            };
            let mut control = menu(items, 1.0, index as f64 + 1.0);
            control.source = ControlSource::CabbageText;
            vec![control]
        }
        Family::ComboBox | Family::OptionButton => {
            if s.runtime_menu || s.string_channel {
                return None;
            }
            let (first, default_count) = if family == Family::ComboBox {
                (1.0, 7)
            } else {
                (0.0, 3)
            };
            let items = s.texts.clone().unwrap_or_else(|| numbered(default_count));
            if items.is_empty() {
                return None;
            }
            vec![menu(items, first, s.value)]
        }
        Family::Display | Family::Other => return None,
    };
    Some(controls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(csd: &str) -> Control {
        let controls = cabbage_controls(csd);
        assert_eq!(controls.len(), 1, "{controls:?}");
        controls.into_iter().next().expect("one control")
    }

    #[test]
    fn control_types_name_the_declaring_widget_once_per_channel() {
        let csd = "<Cabbage>\nrslider channel(\"a\")\nnslider channel(\"a\")\n\
                   xypad channel(\"x\", \"y\")\ncombobox channel(\"m\"), text(\"1\", \"2\")\n\
                   label channel(\"l\")\n</Cabbage>\n";
        let types = cabbage_control_types(csd);
        let types: Vec<(&str, &str)> = types
            .iter()
            .map(|(c, k)| (c.as_str(), k.as_str()))
            .collect();
        assert_eq!(
            types,
            [
                ("a", "rslider"),
                ("x", "xypad"),
                ("y", "xypad"),
                ("m", "combobox")
            ]
        );
    }

    #[test]
    fn ident_channels_are_listed_once() {
        let csd = "<Cabbage>\nlabel bounds(0, 0, 9, 9) identChannel(\"t\")\n\
                   rslider channel(\"g\") identchannel(\"gIdent\")\nimage identChannel(\"t\")\n\
                   image identChannel(\"\")\n</Cabbage>\n";
        assert_eq!(cabbage_ident_channels(csd), ["t", "gIdent"]);
    }

    #[test]
    fn every_widget_with_a_channel_is_listed() {
        let csd = "<Cabbage>\nform size(10, 10)\nlabel bounds(0, 0, 9, 9) channel(\"title\") text(\"Hi\")\n\
                   image bounds(0, 0, 9, 9)\nxypad channel(\"x\", \"y\")\n</Cabbage>\n";
        let widgets = cabbage_widgets(csd);
        let listed: Vec<(&str, Vec<String>)> = widgets
            .iter()
            .map(|w| (w.kind.as_str(), w.channels.clone()))
            .collect();
        assert_eq!(
            listed,
            [
                ("label", vec!["title".to_string()]),
                ("xypad", vec!["x".to_string(), "y".to_string()])
            ]
        );
        assert!(widgets[0]
            .identifiers
            .contains(&("text".to_string(), vec!["Hi".to_string()])));
    }

    #[test]
    fn section_bounds() {
        assert_eq!(section("x\n  <Cabbage>\nab\n</Cabbage>\n"), Some("\nab\n"));
        assert_eq!(section("<Cabbage>ab"), Some("ab"));
        assert_eq!(
            section("<Cabbage>\na\n<CsoundSynthesizer>\n"),
            Some("\na\n")
        );
        assert_eq!(section("; see the <Cabbage> section\n"), None);
        assert_eq!(section("; see the <Cabbage> section\n</Cabbage>\n"), None);
        assert_eq!(section("y <Cabbage>\nab\n</Cabbage>\n"), Some("\nab\n"));
        assert_eq!(section("\u{feff}<cabbage>\nq\n</CABBAGE>"), Some("\nq\n"));
    }

    #[test]
    fn comments_respect_quotes() {
        let stripped = strip_comments("a(\"x;y//z\") ; c\nb /* q\nr */ c // d");
        let words: Vec<Vec<&str>> = stripped
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(words, vec![vec!["a(\"x;y//z\")"], vec!["b"], vec!["c"]]);
    }

    #[test]
    fn identifiers_and_arguments() {
        let w = parse_widget(r#"rslider bounds(1,2) , text("a, (b)") range ( .5, 1e3 ) x"#)
            .expect("widget");
        assert_eq!(w.kind, "rslider");
        assert_eq!(
            w.identifiers,
            vec![
                ("bounds".to_string(), vec!["1".to_string(), "2".to_string()]),
                ("text".to_string(), vec!["a, (b)".to_string()]),
                (
                    "range".to_string(),
                    vec![".5".to_string(), "1e3".to_string()]
                ),
            ]
        );
        assert!(parse_widget("rslider channel(\"a\"").is_none());
        assert!(parse_widget("rslider channel(\"a)").is_none());
        assert!(parse_widget("   ").is_none());
    }

    #[test]
    fn numbers() {
        assert_eq!(number(" .5 "), Some(0.5));
        assert_eq!(number("-1"), Some(-1.0));
        assert_eq!(number("1e3"), Some(1000.0));
        assert_eq!(number("inf"), None);
        assert_eq!(number("NaN"), None);
        assert_eq!(number("78.125.5"), Some(78.125));
        assert_eq!(number("1,5"), Some(1.0));
        assert_eq!(number("x1"), None);
    }

    #[test]
    fn macros_expand_outside_quotes() {
        let macros = vec![("K".to_string(), "range(0, 2)".to_string())];
        assert_eq!(
            expand_macros("rslider $K text(\"$K\") $NONE", &macros),
            "rslider  range(0, 2)  text(\"$K\") "
        );
    }

    #[test]
    fn integer_default_snaps_to_step() {
        let c = one("<Cabbage>\nrslider channel(\"t\") range(2, 8, 5.2, 1, 2)\n</Cabbage>");
        assert_eq!(c.kind, ControlKind::Integer);
        assert_eq!(c.default, 6.0);
    }
    #[test]
    fn a_cabbage_3_json_section_gives_the_controls_of_the_same_cabbage_2_section() {
        let two = "<Cabbage>\nform caption(\"Synth\") size(580, 500)\n\
            rslider bounds(12, 9, 86, 90) channel(\"cf\") range(20, 20000, 1000, 0.5, 1) text(\"Freq.\")\n\
            hslider bounds(12, 100, 200, 30) channel(\"gain\") range(0, 1, 0.7, 1, 0.001)\n\
            nslider bounds(12, 140, 60, 30) channel(\"voices\") range(1, 16, 4, 1, 1)\n\
            checkbox bounds(10, 16, 126, 18) channel(\"on\") text(\"Enabled\") value(1)\n\
            button bounds(146, 12, 80, 30) channel(\"mute\") text(\"Unmute\", \"Mute\")\n\
            combobox bounds(260, 188, 100, 30) channel(\"wave\") text(\"Saw\", \"Square\", \"Triangle\") value(2)\n\
            xypad bounds(0, 0, 200, 200) channel(\"x\", \"y\") rangeX(0, 1, 0.25) rangeY(0, 10, 5)\n\
            keyboard bounds(12, 104, 348, 80)\n</Cabbage>\n";
        let three = r#"<Cabbage>[
{"type": "form", "caption": "Synth", "size": {"width": 580.0, "height": 500.0}},
{"type": "rotarySlider", "bounds": {"left": 12, "top": 9, "width": 86, "height": 90}, "channel": "cf", "range": {"min": 20, "max": 20000, "defaultValue": 1000, "skew": 0.5, "increment": 1}, "text": "Freq."},
{"type": "horizontalSlider", "channel": "gain", "range": {"min": 0, "max": 1, "value": 0.7, "skew": 1, "increment": 0.001}},
{"type": "numberSlider", "channel": "voices", "range": {"min": 1, "max": 16, "defaultValue": 4, "skew": 1, "increment": 1}},
{"type": "checkBox", "channel": "on", "text": "Enabled", "value": 1},
{"type": "button", "channel": "mute", "text": {"off": "Unmute", "on": "Mute"}},
{"type": "comboBox", "channel": "wave", "items": ["Saw", "Square", "Triangle"], "value": 2},
{"type": "xyPad", "channel": {"x": "x", "y": "y"}, "rangeX": [0, 1, 0.25], "rangeY": [0, 10, 5]},
{"type": "keyboard", "channel": "keyboard"}
]</Cabbage>
"#;
        let from_two = cabbage_controls(two);
        assert_eq!(from_two.len(), 8, "{from_two:#?}");
        assert_eq!(cabbage_controls(three), from_two);
        assert_eq!(cabbage_knobs(three), ["cf"]);
        // Not JSON after all: no controls, no panic.
        assert!(cabbage_controls("<Cabbage>[{\"type\": </Cabbage>").is_empty());
    }

    #[test]
    fn widget_bounds_are_read_in_both_formats() {
        let two =
            "<Cabbage>\nform size(300, 200)\nrslider bounds(10, 20, 80, 90) channel(\"gain\")\n\
            label bounds(1,2,3,4) text(\"x\")\n</Cabbage>\n";
        let want = [("gain".to_string(), [10.0, 20.0, 80.0, 90.0])];
        assert_eq!(cabbage_bounds(two), want);
        let three = r#"<Cabbage>[{"type": "rotarySlider", "channel": "gain",
            "bounds": {"left": 10, "top": 20, "width": 80, "height": 90}}]</Cabbage>"#;
        assert_eq!(cabbage_bounds(three), want);
    }
}
