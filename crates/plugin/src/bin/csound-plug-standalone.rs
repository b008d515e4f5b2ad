//! The standalone app: the instrument (or, with `--fx`, the effect) with JACK or ALSA.

use csound_plug::{CsoundPlugFx, CsoundPlugInstrument};
use nice_plug::prelude::nice_export_standalone_with_args;

fn main() {
    let mut fx = false;
    let args: Vec<String> = std::env::args()
        .filter(|arg| {
            let is_fx = arg == "--fx";
            fx |= is_fx;
            !is_fx
        })
        .collect();
    let ok = if fx {
        nice_export_standalone_with_args::<CsoundPlugFx, _>(args)
    } else {
        nice_export_standalone_with_args::<CsoundPlugInstrument, _>(args)
    };
    std::process::exit(if ok { 0 } else { 1 });
}
