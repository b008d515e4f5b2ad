//! What a patch declares as controls: the channels the host can set, with their range,
//! default, skew, step and widget kind. Both declaration forms (`chn_k` hints read back
//! from Csound, and Cabbage widgets) end up as [`Control`]s.

/// How a control is shown and stepped.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlKind {
    /// A continuous value (knob or slider).
    Continuous,
    /// Whole numbers only (`chn_k` type 1, or a step of 1).
    Integer,
    /// Off/on (Cabbage `checkbox`).
    Toggle,
    /// Momentary (Cabbage `button`): 1 while pressed.
    Button,
    /// One of several named items (Cabbage `combobox`), values `min..=max`.
    Menu(Vec<String>),
}

/// Where a declaration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlSource {
    /// `chn_k "name", 1|3, itype, idflt, imin, imax`.
    ChnK,
    /// A widget in the `<Cabbage>` section.
    Cabbage,
    /// A Cabbage `combobox` with `channelType("string")`: a menu whose channel is a
    /// string channel holding the chosen item's text.
    CabbageText,
}

/// One declared input control.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The Csound channel it drives.
    pub channel: String,
    /// What to call it (Cabbage `text()`, else the channel name).
    pub label: String,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// Value before anyone moves it.
    pub default: f64,
    /// Cabbage/JUCE skew: the control's position `p` in 0..1 maps to
    /// `min + (max - min) * p^(1/skew)`; 1 is linear. An exponential `chn_k` (type 3)
    /// is given as `f64::NAN`: logarithmic between min and max.
    pub skew: f64,
    /// Smallest change; 0 for continuous.
    pub step: f64,
    /// Widget kind.
    pub kind: ControlKind,
    /// Declaration form.
    pub source: ControlSource,
}

/// A `chn_k` declaration's type (`itype`): how its value moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChnBehaviour {
    /// 1: whole numbers.
    Integer,
    /// 2: linear.
    Linear,
    /// 3: exponential (logarithmic between min and max).
    Exponential,
}

impl ChnBehaviour {
    /// The type `chn_k` is given as a number (1, 2 or 3).
    pub fn from_itype(itype: u32) -> Option<Self> {
        match itype {
            1 => Some(Self::Integer),
            2 => Some(Self::Linear),
            3 => Some(Self::Exponential),
            _ => None,
        }
    }
}

impl Control {
    /// The control an input `chn_k "name", 1|3, itype, idflt, imin, imax` declares,
    /// whether read from the text or back from Csound.
    pub fn from_chn_k(
        name: &str,
        behaviour: ChnBehaviour,
        default: f64,
        (min, max): (f64, f64),
    ) -> Control {
        let (min, max) = if min <= max { (min, max) } else { (max, min) };
        let (kind, skew, step) = match behaviour {
            ChnBehaviour::Integer => (ControlKind::Integer, 1.0, 1.0),
            ChnBehaviour::Linear => (ControlKind::Continuous, 1.0, 0.0),
            // Logarithmic needs a range on one side of zero; otherwise linear.
            ChnBehaviour::Exponential if min > 0.0 || max < 0.0 => {
                (ControlKind::Continuous, f64::NAN, 0.0)
            }
            ChnBehaviour::Exponential => (ControlKind::Continuous, 1.0, 0.0),
        };
        Control {
            channel: name.to_string(),
            label: name.to_string(),
            min,
            max,
            default: default.clamp(min, max),
            skew,
            step,
            kind,
            source: ControlSource::ChnK,
        }
    }

    /// A control declared by a Cabbage widget: `label` is its `text()` (the channel name
    /// when there is none), the range is (min, max, default).
    pub fn cabbage(
        channel: &str,
        label: Option<&str>,
        (min, max, default): (f64, f64, f64),
        skew: f64,
        step: f64,
        kind: ControlKind,
    ) -> Control {
        Control {
            channel: channel.to_string(),
            label: label.unwrap_or(channel).to_string(),
            min,
            max,
            default,
            skew,
            step,
            kind,
            source: ControlSource::Cabbage,
        }
    }

    /// The value at a host parameter position `p` in 0..=1.
    pub fn value_at(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let span = self.max - self.min;
        let value = match &self.kind {
            ControlKind::Toggle | ControlKind::Button => {
                return if p >= 0.5 { self.max } else { self.min };
            }
            ControlKind::Menu(_) => return (self.min + (p * span).round()).min(self.max),
            _ if self.skew.is_nan() => self.min * (self.max / self.min).powf(p),
            _ if self.skew > 0.0 && self.skew != 1.0 => self.min + span * p.powf(1.0 / self.skew),
            _ => self.min + span * p,
        };
        self.quantize(value)
    }

    /// The value at host position `position` with the fewest significant digits that
    /// still lands on the same position: what a saved preset writes (`0.8`, not
    /// `0.7999998241220575`), and reads back to exactly the same parameter.
    pub fn shortest_value_at(&self, position: f32) -> f64 {
        let value = self.value_at(f64::from(position));
        (1..=17)
            .filter_map(|digits| format!("{value:.*e}", digits - 1).parse::<f64>().ok())
            .find(|v| self.position_of(*v) as f32 == position)
            .unwrap_or(value)
    }

    /// The host parameter position (0..=1) of `value`.
    pub fn position_of(&self, value: f64) -> f64 {
        let span = self.max - self.min;
        if span == 0.0 {
            return 0.0;
        }
        let value = value.clamp(self.min.min(self.max), self.max.max(self.min));
        let linear = (value - self.min) / span;
        let p = match &self.kind {
            ControlKind::Toggle | ControlKind::Button => {
                if value >= (self.min + self.max) / 2.0 {
                    1.0
                } else {
                    0.0
                }
            }
            _ if self.skew.is_nan() => (value / self.min).ln() / (self.max / self.min).ln(),
            _ if self.skew > 0.0 && self.skew != 1.0 => linear.powf(self.skew),
            _ => linear,
        };
        p.clamp(0.0, 1.0)
    }

    fn quantize(&self, value: f64) -> f64 {
        let step = match self.kind {
            ControlKind::Integer => self.step.max(1.0),
            _ => self.step,
        };
        let value = if step > 0.0 {
            self.min + ((value - self.min) / step).round() * step
        } else {
            value
        };
        value.clamp(self.min.min(self.max), self.max.max(self.min))
    }

    /// The value as a user reads it: `440`, `0.25`, `1.20 k`, a menu item, `on`/`off`.
    pub fn format(&self, value: f64) -> String {
        match &self.kind {
            ControlKind::Toggle | ControlKind::Button => if value >= (self.min + self.max) / 2.0 {
                "on"
            } else {
                "off"
            }
            .to_string(),
            ControlKind::Menu(items) => {
                let index = (value - self.min).round().max(0.0) as usize;
                items
                    .get(index)
                    .cloned()
                    .unwrap_or_else(|| format!("{value}"))
            }
            ControlKind::Integer => format!("{}", value.round()),
            ControlKind::Continuous => format_number(value, self.step),
        }
    }

    /// Reads a typed value: a number (`1200`, `1.2k`), a menu item, `on`/`off`; text
    /// before a colon (`cutoff: 1200`) is ignored.
    pub fn parse(&self, text: &str) -> Option<f64> {
        let text = text.rsplit(':').next().unwrap_or(text).trim();
        if let ControlKind::Menu(items) = &self.kind {
            if let Some(i) = items
                .iter()
                .position(|item| item.eq_ignore_ascii_case(text))
            {
                return Some(self.min + i as f64);
            }
        }
        match text.to_ascii_lowercase().as_str() {
            "on" | "true" => return Some(self.max),
            "off" | "false" => return Some(self.min),
            _ => {}
        }
        let (number, scale) = match text.strip_suffix(['k', 'K']) {
            Some(number) => (number, 1000.0),
            None => (text, 1.0),
        };
        let value = number.trim().parse::<f64>().ok()? * scale;
        value.is_finite().then(|| self.quantize(value))
    }
}

/// A patch's declared controls: its Cabbage widgets in document order, then its `chn_k`
/// controls (in the order given) for channels no widget names.
pub fn merge_declared(
    cabbage: Vec<Control>,
    chn_k: impl IntoIterator<Item = Control>,
) -> Vec<Control> {
    let mut controls = cabbage;
    for control in chn_k {
        if !controls.iter().any(|c| c.channel == control.channel) {
            controls.push(control);
        }
    }
    controls
}

/// The controls `csd` declares, read from its text without running it: Cabbage widgets,
/// then input `chn_k` declarations with literal hints, alphabetical as Csound lists them.
/// The compiled patch's list ([`merge_declared`] over Csound's channels) is the
/// authority; this one serves where nothing is compiled yet (a new instance's
/// parameters) and agrees with it for every patch whose declarations are literals.
pub fn declared_in_text(csd: &str) -> Vec<Control> {
    let mut chn_k: Vec<Control> = crate::facts::chn_declarations(csd)
        .into_iter()
        .filter(|d| d.kind == 'k' && d.mode & 1 != 0)
        .filter_map(|d| {
            let hints = d.hints?;
            let behaviour = ChnBehaviour::from_itype(hints.behaviour)?;
            Some(Control::from_chn_k(
                &d.name,
                behaviour,
                hints.default,
                (hints.min, hints.max),
            ))
        })
        .collect();
    chn_k.sort_by(|a, b| a.channel.cmp(&b.channel));
    merge_declared(crate::cabbage::cabbage_controls(csd), chn_k)
}

/// A number with as many decimals as `step` has, or about four significant digits.
fn format_number(value: f64, step: f64) -> String {
    // The precision follows the value as shown, not as given, so a value just below a
    // boundary (9999.7 shown as "10.00 k", 999.97 as "1000") reads back to the same text.
    if value.abs().round() >= 10_000.0 {
        return format!("{:.2} k", value / 1000.0);
    }
    let decimals = if step > 0.0 {
        (-step.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        let first = decimals_for(value.abs());
        let shown: f64 = format!("{value:.first$}").parse().unwrap_or(value);
        first.min(decimals_for(shown.abs()))
    };
    format!("{value:.decimals$}")
}

/// Decimals shown for a continuous value of this size: about four significant digits.
fn decimals_for(magnitude: f64) -> usize {
    if magnitude >= 1000.0 {
        0
    } else if magnitude >= 100.0 {
        1
    } else if magnitude >= 10.0 {
        2
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_values_are_short_and_land_on_the_same_position() {
        let c = control(ControlKind::Continuous, 0.005, 8.0, f64::NAN, 0.0);
        let p = c.position_of(0.8) as f32;
        assert_eq!(c.shortest_value_at(p), 0.8);
        for i in 0..=1000 {
            let p = i as f32 / 1000.0;
            let v = c.shortest_value_at(p);
            assert_eq!(c.position_of(v) as f32, p, "{v}");
        }
    }

    #[test]
    fn value_text_reads_back_to_the_same_text() {
        let c = control(ControlKind::Continuous, 20.0, 20_000.0, f64::NAN, 0.0);
        for i in 0..=20_000 {
            let p = f64::from(i) / 20_000.0;
            let text = c.format(c.value_at(p));
            let back = c.parse(&text).expect("parses");
            // Through a host's f32 position, as clap-validator does.
            let again = c.format(c.value_at(f64::from(c.position_of(back) as f32)));
            assert_eq!(again, text, "position {p}");
        }
        for v in [999.96, 9999.7, 99.996, 9.9996] {
            let text = format_number(v, 0.0);
            let back: f64 = text.trim_end_matches(" k").parse().unwrap();
            let back = if text.ends_with(" k") {
                back * 1000.0
            } else {
                back
            };
            assert_eq!(format_number(back, 0.0), text, "{v}");
        }
    }

    fn control(kind: ControlKind, min: f64, max: f64, skew: f64, step: f64) -> Control {
        Control {
            channel: "c".into(),
            label: "c".into(),
            min,
            max,
            default: min,
            skew,
            step,
            kind,
            source: ControlSource::Cabbage,
        }
    }

    #[test]
    fn positions_and_values_invert_each_other() {
        let cases = [
            control(ControlKind::Continuous, 20.0, 20_000.0, 1.0, 0.0),
            control(ControlKind::Continuous, 20.0, 20_000.0, 0.3, 0.0),
            control(ControlKind::Continuous, 20.0, 20_000.0, f64::NAN, 0.0),
            control(ControlKind::Continuous, -1.0, 1.0, 1.0, 0.0),
        ];
        for c in &cases {
            for p in [0.0, 0.1, 0.5, 0.77, 1.0] {
                let back = c.position_of(c.value_at(p));
                assert!((back - p).abs() < 1e-9, "{c:?} at {p}: {back}");
            }
        }
        // Exponential: the middle is the geometric mean.
        assert!((cases[2].value_at(0.5) - (20.0f64 * 20_000.0).sqrt()).abs() < 1e-6);
        // Cabbage skew 0.3 gives more room to low values.
        assert!(cases[1].value_at(0.5) < 3_000.0);
    }

    #[test]
    fn steps_kinds_and_text() {
        let int = control(ControlKind::Integer, 0.0, 10.0, 1.0, 1.0);
        assert_eq!(int.value_at(0.34), 3.0);
        assert_eq!(int.format(3.0), "3");
        let stepped = control(ControlKind::Continuous, 0.0, 1.0, 1.0, 0.05);
        assert!((stepped.value_at(0.33) - 0.35).abs() < 1e-12);
        assert_eq!(stepped.format(0.35), "0.35");
        let toggle = control(ControlKind::Toggle, 0.0, 1.0, 1.0, 1.0);
        assert_eq!((toggle.value_at(0.4), toggle.value_at(0.6)), (0.0, 1.0));
        assert_eq!(toggle.parse("on"), Some(1.0));
        let menu = control(
            ControlKind::Menu(vec!["Saw".into(), "Square".into(), "Sine".into()]),
            1.0,
            3.0,
            1.0,
            1.0,
        );
        assert_eq!(menu.value_at(0.5), 2.0);
        assert_eq!(menu.format(2.0), "Square");
        assert_eq!(menu.parse("sine"), Some(3.0));
        let cutoff = control(ControlKind::Continuous, 20.0, 20_000.0, 1.0, 0.0);
        assert_eq!(cutoff.parse("cutoff: 1.2k"), Some(1200.0));
        assert_eq!(cutoff.parse("99999"), Some(20_000.0));
        assert_eq!(cutoff.parse("loud"), None);
        assert_eq!(cutoff.format(1200.0), "1200");
        assert_eq!(cutoff.format(15_000.0), "15.00 k");
    }
}
