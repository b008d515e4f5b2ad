//! The `<Cabbage>` section as a window: the form's size and colour and every widget where
//! its `bounds` put it, with the colours and texts it gives, so the editor can draw a
//! Cabbage patch the way its author laid it out.
//!
//! Widgets planted in a container (`groupbox bounds(…) { rslider bounds(10, 30, …) }`, also
//! written with `plant("name")`) give bounds relative to it; [`Form`] holds every widget
//! in window coordinates. Identifiers that change a widget at run time (`cabbageSet
//! "chan", "visible(0)"`) are applied with [`Placed::apply_text`], by the same rules.
//!
//! Colours follow Cabbage 2's reading: `colour(r, g, b[, a])` from 0 to 255, one number
//! for a grey (`0` is white, as in Cabbage), `"#rrggbb"`, `"#aarrggbb"` or a colour name.
//! Which colour an identifier sets follows Cabbage too: `colour:0` is a button's or
//! checkbox's off colour and `colour`/`colour:1` its on colour; for the other widgets
//! both are the fill.

use crate::cabbage::{self, Widget};

/// A colour: red, green, blue, alpha (0–255).
pub type Rgba = [u8; 4];

/// The window a `<Cabbage>` section describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// `size(width, height)`; without one, what holds every widget.
    pub size: [f32; 2],
    /// `caption("…")`, the window title in Cabbage.
    pub caption: Option<String>,
    /// The form's `colour`, its background.
    pub colour: Option<Rgba>,
    /// The widgets in the order written (later ones are drawn over earlier ones), `form`
    /// excluded.
    pub widgets: Vec<Placed>,
}

/// One widget at its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The Cabbage widget type, lower case (`rslider`, `groupbox`, …; Cabbage 3's types
    /// under their Cabbage 2 names).
    pub kind: String,
    /// `bounds(x, y, width, height)` in window coordinates.
    pub bounds: [f32; 4],
    /// Where its container's top-left corner is: `bounds` set at run time are relative
    /// to it.
    pub origin: [f32; 2],
    /// `channel(…)`: its channels (two for an `xypad` or a range).
    pub channels: Vec<String>,
    /// `text(…)` (a button's off and on texts, a combobox's items) or `items(…)`.
    pub text: Vec<String>,
    /// The fill (`colour`, `colour:1`): for a button or checkbox, its colour when on.
    pub colour: Option<Rgba>,
    /// A button's or checkbox's colour when off (`colour:0`).
    pub off_colour: Option<Rgba>,
    /// `fontColour` (`fontColour:0`) for its text.
    pub font_colour: Option<Rgba>,
    /// `outlineColour`.
    pub outline_colour: Option<Rgba>,
    /// `trackerColour`: a slider's or knob's value arc.
    pub tracker_colour: Option<Rgba>,
    /// `visible(0)` hides it.
    pub visible: bool,
    /// `active(0)` shows it but takes no input.
    pub active: bool,
    /// `corners(r)`: the radius of its corners.
    pub corners: f32,
    /// `align("left" | "centre" | "right")` for a label's text.
    pub align: Option<String>,
    /// `shape("ellipse")` for an image.
    pub shape: Option<String>,
    /// `outlineThickness(n)`.
    pub outline_thickness: f32,
    /// `textColour`: a slider's or knob's label.
    pub text_colour: Option<Rgba>,
    /// `popup(1)`: a container Cabbage opens as its own window when the patch shows it;
    /// hidden in the form with what is planted in it.
    pub popup: bool,
    /// `identChannel("name")`: a string channel through which Cabbage 2 patches send the
    /// widget identifiers (`chnset "visible(1)", "name"`).
    pub ident_channel: Option<String>,
    /// The index in [`Form::widgets`] of the container it is planted in.
    pub parent: Option<usize>,
}

impl Placed {
    fn new(kind: &str, origin: [f32; 2]) -> Self {
        Self {
            kind: kind.to_string(),
            bounds: [origin[0], origin[1], 0.0, 0.0],
            origin,
            channels: Vec::new(),
            text: Vec::new(),
            colour: None,
            off_colour: None,
            font_colour: None,
            outline_colour: None,
            tracker_colour: None,
            visible: true,
            active: true,
            corners: 0.0,
            align: None,
            shape: None,
            outline_thickness: 0.0,
            text_colour: None,
            popup: false,
            ident_channel: None,
            parent: None,
        }
    }

    /// Applies one identifier, as the section or `cabbageSet` gives it (lower-case name,
    /// arguments unquoted). Identifiers the editor does not draw are ignored.
    pub fn apply(&mut self, name: &str, args: &[String]) {
        let numbers: Vec<f32> = args
            .iter()
            .map_while(|a| cabbage::number(a).map(|x| x as f32))
            .collect();
        let flag = || numbers.first().map(|&x| x != 0.0);
        let button_like = matches!(self.kind.as_str(), "button" | "checkbox");
        match name {
            "bounds" if numbers.len() >= 4 => {
                self.bounds = [
                    self.origin[0] + numbers[0],
                    self.origin[1] + numbers[1],
                    numbers[2].max(0.0),
                    numbers[3].max(0.0),
                ];
            }
            "pos" if numbers.len() >= 2 => {
                self.bounds[0] = self.origin[0] + numbers[0];
                self.bounds[1] = self.origin[1] + numbers[1];
            }
            "size" if numbers.len() >= 2 => {
                self.bounds[2] = numbers[0].max(0.0);
                self.bounds[3] = numbers[1].max(0.0);
            }
            "channel" | "channels" => self.channels = cabbage::channels_of(args),
            "text" | "items" => self.text = args.to_vec(),
            "colour:0" if button_like => self.off_colour = colour(args),
            "colour" | "colour:0" | "colour:1" | "colours" => self.colour = colour(args),
            "fontcolour" | "fontcolour:0" => self.font_colour = colour(args),
            "outlinecolour" => self.outline_colour = colour(args),
            "trackercolour" => self.tracker_colour = colour(args),
            "textcolour" => self.text_colour = colour(args),
            "popup" => self.popup = flag().unwrap_or(false),
            "identchannel" => self.ident_channel = args.first().cloned(),
            "visible" => self.visible = flag().unwrap_or(true),
            "active" => self.active = flag().unwrap_or(true),
            "corners" => self.corners = numbers.first().copied().unwrap_or(0.0).max(0.0),
            "outlinethickness" => {
                self.outline_thickness = numbers.first().copied().unwrap_or(0.0).max(0.0)
            }
            "align" => self.align = args.first().map(|a| a.to_ascii_lowercase()),
            "shape" => self.shape = args.first().map(|a| a.to_ascii_lowercase()),
            _ => {}
        }
    }

    /// Applies identifiers written as in the section (`visible(0) text("Hi")`), as
    /// `cabbageSet` sends them; text that is not identifiers changes nothing.
    pub fn apply_text(&mut self, identifiers: &str) {
        if let Some(widget) = cabbage::parse_widget(&format!("update {identifiers}")) {
            for (name, args) in &widget.identifiers {
                self.apply(name, args);
            }
        }
    }

    /// Whether it has `channel`, or takes identifiers through it (`identChannel`).
    pub fn has_channel(&self, channel: &str) -> bool {
        self.channels.iter().any(|c| c == channel) || self.ident_channel.as_deref() == Some(channel)
    }
}

impl Form {
    /// Whether each widget shows: it is visible, not a pop-up, and neither is any
    /// container it is planted in.
    pub fn shown(&self) -> Vec<bool> {
        let mut shown: Vec<bool> = Vec::with_capacity(self.widgets.len());
        for widget in &self.widgets {
            let parent = widget
                .parent
                .and_then(|p| shown.get(p).copied())
                .unwrap_or(true);
            shown.push(parent && widget.visible && !widget.popup);
        }
        shown
    }
}

/// The form `csd`'s `<Cabbage>` section describes; `None` without a section or when no
/// widget has bounds (then the editor's generic panel shows the controls).
pub fn cabbage_form(csd: &str) -> Option<Form> {
    let section = cabbage::section(csd)?;
    let widgets = placed_widgets(section);
    let mut form = Form {
        size: [0.0, 0.0],
        caption: None,
        colour: None,
        widgets: Vec::new(),
    };
    let mut size = None;
    // Section index -> form index, for containers.
    let mut placed_at: Vec<Option<usize>> = Vec::new();
    for (widget, origin, parent) in widgets {
        placed_at.push(None);
        if widget.kind == "form" {
            for (name, args) in &widget.identifiers {
                let numbers: Vec<f32> = args
                    .iter()
                    .filter_map(|a| cabbage::number(a).map(|x| x as f32))
                    .collect();
                match name.as_str() {
                    "size" if numbers.len() >= 2 => size = Some([numbers[0], numbers[1]]),
                    "caption" => form.caption = args.first().cloned(),
                    "colour" | "colour:0" => form.colour = colour(args),
                    _ => {}
                }
            }
            continue;
        }
        let mut placed = Placed::new(&widget.kind, origin);
        for (name, args) in &widget.identifiers {
            placed.apply(name, args);
        }
        placed.parent = parent.and_then(|p| placed_at[p]);
        if widget.identifiers.iter().any(|(name, _)| name == "bounds") {
            *placed_at.last_mut().expect("pushed above") = Some(form.widgets.len());
            form.widgets.push(placed);
        }
    }
    if form.widgets.is_empty() {
        return None;
    }
    form.size = size.unwrap_or_else(|| {
        let right = form.widgets.iter().map(|w| w.bounds[0] + w.bounds[2]);
        let bottom = form.widgets.iter().map(|w| w.bounds[1] + w.bounds[3]);
        [right.fold(0.0, f32::max), bottom.fold(0.0, f32::max)]
    });
    Some(form)
}

/// The section's widgets with the top-left corner of the container each is planted in
/// (the window's is 0, 0). Cabbage 3's JSON widgets are all in window coordinates.
fn placed_widgets(section: &str) -> Vec<(Widget, [f32; 2], Option<usize>)> {
    if section.trim_start().starts_with('[') {
        return cabbage::json_widgets(section)
            .into_iter()
            .map(|w| (w, [0.0, 0.0], None))
            .collect();
    }
    let cleaned = cabbage::strip_comments(section);
    let lines = cabbage::logical_lines(&cleaned);
    let macros = cabbage::macros(&lines);
    // The open containers (index, corner), innermost last.
    let mut containers: Vec<(Option<usize>, [f32; 2])> = Vec::new();
    let mut widgets: Vec<(Widget, [f32; 2], Option<usize>)> = Vec::new();
    for line in lines.iter().filter(|line| !line.starts_with('#')) {
        let line = cabbage::expand_macros(line, &macros);
        for piece in pieces(&line) {
            match piece {
                Piece::Open => {
                    // Opens the widget before it (on this line or above).
                    let origin = containers.last().map_or([0.0, 0.0], |c| c.1);
                    let opened = widgets.last().map_or(origin, |(w, o, _)| corner(w, *o));
                    containers.push((widgets.len().checked_sub(1), opened));
                }
                Piece::Close => {
                    containers.pop();
                }
                Piece::Text(text) => {
                    let (parent, origin) = containers.last().copied().unwrap_or((None, [0.0, 0.0]));
                    if let Some(widget) = cabbage::parse_widget(text).filter(|w| !w.kind.is_empty())
                    {
                        widgets.push((widget, origin, parent));
                    }
                }
            }
        }
    }
    widgets
}

/// The window position of `widget`'s top-left corner, planted at `origin`.
fn corner(widget: &Widget, origin: [f32; 2]) -> [f32; 2] {
    let bounds = widget
        .identifiers
        .iter()
        .rev()
        .find(|(name, _)| name == "bounds");
    let number = |i: usize| {
        bounds
            .and_then(|(_, args)| args.get(i))
            .and_then(|a| cabbage::number(a))
            .unwrap_or(0.0) as f32
    };
    [origin[0] + number(0), origin[1] + number(1)]
}

/// Part of a line: widget text, or a brace outside quotes.
enum Piece<'a> {
    Text(&'a str),
    Open,
    Close,
}

/// `line` cut at its braces outside quotes (`groupbox … { label … }` is two widgets, the
/// second planted in the first).
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut in_quote = false;
    let mut start = 0;
    for (at, c) in line.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '{' | '}' if !in_quote => {
                if !line[start..at].trim().is_empty() {
                    pieces.push(Piece::Text(&line[start..at]));
                }
                pieces.push(if c == '{' { Piece::Open } else { Piece::Close });
                start = at + 1;
            }
            _ => {}
        }
    }
    if !line[start..].trim().is_empty() {
        pieces.push(Piece::Text(&line[start..]));
    }
    pieces
}

/// A colour as Cabbage 2 reads `colour(…)`'s arguments; `None` when they name none.
pub fn colour(args: &[String]) -> Option<Rgba> {
    let byte = |a: &String| cabbage::number(a).map(|x| x.clamp(0.0, 255.0) as u8);
    match args {
        [r, g, b] => Some([byte(r)?, byte(g)?, byte(b)?, 255]),
        [r, g, b, a] => Some([byte(r)?, byte(g)?, byte(b)?, byte(a)?]),
        [one] => {
            let one = one.trim();
            if one == "0" {
                return Some([255, 255, 255, 255]);
            }
            if let Some(grey) = cabbage::number(one).filter(|x| *x > 0.0 && *x <= 255.0) {
                let grey = grey as u8;
                return Some([grey, grey, grey, 255]);
            }
            if let Some(hex) = one.strip_prefix('#') {
                let value = u32::from_str_radix(hex, 16).ok()?;
                let [a, r, g, b] = match hex.len() {
                    6 => (0xff00_0000 | value).to_be_bytes(),
                    8 => value.to_be_bytes(),
                    _ => return None,
                };
                return Some([r, g, b, a]);
            }
            named(one)
        }
        _ => None,
    }
}

/// The colour names Cabbage patches use most (JUCE's values).
fn named(name: &str) -> Option<Rgba> {
    let rgb = match name.to_ascii_lowercase().replace([' ', '_'], "").as_str() {
        "transparent" | "transparentblack" => return Some([0, 0, 0, 0]),
        "transparentwhite" => return Some([255, 255, 255, 0]),
        "black" => 0x000000,
        "white" => 0xffffff,
        "red" => 0xff0000,
        "green" => 0x008000,
        "lime" => 0x00ff00,
        "blue" => 0x0000ff,
        "yellow" => 0xffff00,
        "orange" => 0xffa500,
        "purple" => 0x800080,
        "grey" | "gray" => 0x808080,
        "darkgrey" | "darkgray" => 0x555555,
        "lightgrey" | "lightgray" => 0xd3d3d3,
        "silver" => 0xc0c0c0,
        "cornflowerblue" => 0x6495ed,
        "whitesmoke" => 0xf5f5f5,
        "cyan" | "aqua" => 0x00ffff,
        "magenta" | "fuchsia" => 0xff00ff,
        "pink" => 0xffc0cb,
        "brown" => 0xa52a2a,
        "navy" => 0x000080,
        "maroon" => 0x800000,
        "olive" => 0x808000,
        "teal" => 0x008080,
        "gold" => 0xffd700,
        "darkblue" => 0x00008b,
        "darkred" => 0x8b0000,
        "darkgreen" => 0x006400,
        "lightblue" => 0xadd8e6,
        "skyblue" => 0x87ceeb,
        "steelblue" => 0x4682b4,
        "slategrey" | "slategray" => 0x708090,
        "beige" => 0xf5f5dc,
        "ivory" => 0xfffff0,
        "indigo" => 0x4b0082,
        "violet" => 0xee82ee,
        "tomato" => 0xff6347,
        "coral" => 0xff7f50,
        "salmon" => 0xfa8072,
        _ => return None,
    };
    let [_, r, g, b] = (rgb as u32).to_be_bytes();
    Some([r, g, b, 255])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csd(section: &str) -> String {
        format!("<CsoundSynthesizer>\n<Cabbage>\n{section}\n</Cabbage>\n<CsInstruments>\n</CsInstruments>\n</CsoundSynthesizer>\n")
    }

    #[test]
    fn widgets_sit_at_their_bounds_and_planted_ones_inside_their_container() {
        let form = cabbage_form(&csd(
            "form caption(\"Synth\") size(400, 300), colour(20, 30, 40)\n\
             label bounds(10, 5, 100, 20), text(\"Title\"), fontColour(\"red\")\n\
             groupbox bounds(50, 60, 200, 120), text(\"Filter\"), plant(\"f\") {\n\
                 rslider bounds(10, 30, 60, 60), channel(\"cf\"), colour(\"#ff8000\")\n\
                 image bounds(100, 20, 40, 40) {\n\
                     checkbox bounds(5, 5, 20, 20), channel(\"on\"), colour:0(0, 0, 0), colour:1(0, 255, 0)\n\
                 }\n\
             }\n\
             keyboard bounds(10, 200, 380, 80)\n\
             hslider channel(\"nobounds\")",
        ))
        .unwrap();
        assert_eq!(form.size, [400.0, 300.0]);
        assert_eq!(form.caption.as_deref(), Some("Synth"));
        assert_eq!(form.colour, Some([20, 30, 40, 255]));
        let at: Vec<(&str, [f32; 4])> = form
            .widgets
            .iter()
            .map(|w| (w.kind.as_str(), w.bounds))
            .collect();
        assert_eq!(
            at,
            vec![
                ("label", [10.0, 5.0, 100.0, 20.0]),
                ("groupbox", [50.0, 60.0, 200.0, 120.0]),
                ("rslider", [60.0, 90.0, 60.0, 60.0]),
                ("image", [150.0, 80.0, 40.0, 40.0]),
                ("checkbox", [155.0, 85.0, 20.0, 20.0]),
                ("keyboard", [10.0, 200.0, 380.0, 80.0]),
            ]
        );
        let w = &form.widgets;
        assert_eq!(w[0].font_colour, Some([255, 0, 0, 255]));
        assert_eq!(w[0].text, ["Title"]);
        assert_eq!(w[2].colour, Some([255, 128, 0, 255]));
        assert_eq!(w[2].channels, ["cf"]);
        assert_eq!(w[4].off_colour, Some([0, 0, 0, 255]));
        assert_eq!(w[4].colour, Some([0, 255, 0, 255]));
    }

    #[test]
    fn braces_on_their_own_lines_and_one_line_plants() {
        let form = cabbage_form(&csd(
            "image bounds(100, 100, 50, 50)\n{\nbutton bounds(1, 2, 3, 4), channel(\"b\")\n}\n\
             groupbox bounds(10, 10, 10, 10) { label bounds(1, 1, 1, 1) }\n\
             label bounds(7, 7, 7, 7)",
        ))
        .unwrap();
        let at: Vec<[f32; 4]> = form.widgets.iter().map(|w| w.bounds).collect();
        assert_eq!(
            at,
            vec![
                [100.0, 100.0, 50.0, 50.0],
                [101.0, 102.0, 3.0, 4.0],
                [10.0, 10.0, 10.0, 10.0],
                [11.0, 11.0, 1.0, 1.0],
                [7.0, 7.0, 7.0, 7.0],
            ]
        );
        // Without size(), the form holds every widget.
        assert_eq!(form.size, [150.0, 150.0]);
    }

    #[test]
    fn what_is_planted_in_a_hidden_or_pop_up_container_is_hidden_too() {
        let mut form = cabbage_form(&csd(
            "groupbox bounds(0, 0, 100, 100), popup(1), identChannel(\"p\") {\n\
             rslider bounds(1, 1, 10, 10), channel(\"a\")\n}\n\
             image bounds(0, 0, 50, 50), channel(\"img\") {\n\
             groupbox bounds(0, 0, 40, 40) {\nlabel bounds(1, 1, 5, 5)\n}\n}\n\
             label bounds(60, 60, 5, 5)",
        ))
        .unwrap();
        let parents: Vec<Option<usize>> = form.widgets.iter().map(|w| w.parent).collect();
        assert_eq!(parents, [None, Some(0), None, Some(2), Some(3), None]);
        assert_eq!(form.shown(), [false, false, true, true, true, true]);
        form.widgets[2].apply_text("visible(0)");
        assert_eq!(form.shown(), [false, false, false, false, false, true]);
        // A pop-up shown by its ident channel stays a pop-up: Cabbage opens a window.
        assert!(form.widgets[0].has_channel("p"));
    }

    #[test]
    fn run_time_identifiers_change_the_widget() {
        let form = cabbage_form(&csd(
            "groupbox bounds(100, 100, 200, 200) {\nlabel bounds(10, 10, 50, 20), channel(\"l\"), text(\"a\")\n}",
        ))
        .unwrap();
        let mut label = form.widgets[1].clone();
        label.apply_text("visible(0) text(\"Hello, you\") colour(255, 0, 0, 128)");
        assert!(!label.visible);
        assert_eq!(label.text, ["Hello, you"]);
        assert_eq!(label.colour, Some([255, 0, 0, 128]));
        // Bounds set at run time are in the container too.
        label.apply_text("bounds(20, 30, 40, 50) active(0)");
        assert_eq!(label.bounds, [120.0, 130.0, 40.0, 50.0]);
        assert!(!label.active);
        label.apply_text("not identifiers at all");
        assert_eq!(label.bounds, [120.0, 130.0, 40.0, 50.0]);
    }

    #[test]
    fn colours_as_cabbage_reads_them() {
        let c = |args: &[&str]| colour(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        assert_eq!(c(&["10", "20", "30"]), Some([10, 20, 30, 255]));
        assert_eq!(c(&["10", "20", "30", "40"]), Some([10, 20, 30, 40]));
        assert_eq!(c(&["0"]), Some([255, 255, 255, 255]));
        assert_eq!(c(&["100"]), Some([100, 100, 100, 255]));
        assert_eq!(c(&["#102030"]), Some([16, 32, 48, 255]));
        assert_eq!(c(&["#80102030"]), Some([16, 32, 48, 128]));
        assert_eq!(c(&["CornflowerBlue"]), Some([100, 149, 237, 255]));
        assert_eq!(c(&["no such colour"]), None);
    }

    #[test]
    fn a_json_section_is_placed_too() {
        let form = cabbage_form(&csd(
            r##"[{"type": "form", "size": {"width": 300, "height": 200}, "caption": "J"},
                {"type": "rotarySlider", "channel": "g", "bounds": {"left": 10, "top": 20, "width": 60, "height": 70}}]"##,
        ))
        .unwrap();
        assert_eq!(form.size, [300.0, 200.0]);
        assert_eq!(form.widgets[0].kind, "rslider");
        assert_eq!(form.widgets[0].bounds, [10.0, 20.0, 60.0, 70.0]);
        assert!(cabbage_form(&csd("hslider channel(\"x\")")).is_none());
        assert!(cabbage_form("<CsoundSynthesizer></CsoundSynthesizer>").is_none());
    }
}
