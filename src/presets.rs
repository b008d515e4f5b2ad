//! Factory patches, embedded from `presets/` at build time.

/// The instrument entry's starting patch: a subtractive synth played by host notes.
pub const DEFAULT_INSTRUMENT: &str = include_str!("../presets/default_instrument.csd");

/// The effect entry's starting patch: a ping-pong echo.
pub const DEFAULT_FX: &str = include_str!("../presets/default_fx.csd");
