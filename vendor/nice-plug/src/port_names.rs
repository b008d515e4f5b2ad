//! Csound Plug patch: port names that follow what the plugin runs. nice-plug takes port
//! names from the `'static` [`AudioIOLayout`](nice_plug_core::audio_setup::AudioIOLayout);
//! a plugin whose buses are named by the code it loads registers a [`PortNames`] source
//! here, keyed by its parameters object (which the wrappers hold), and the CLAP, VST3 and
//! JACK wrappers ask it first when a host asks for a port's name.

use nice_plug_core::params::Params;
use std::sync::{Arc, Mutex, Weak};

/// Names of ports that may change while the plugin runs.
pub trait PortNames: Send + Sync {
    /// The name of input (`is_input`) or output port `index`, numbered as the wrappers
    /// number them (the main port first, then the auxiliary ones), or `None` for the
    /// layout's own name.
    fn port_name(&self, is_input: bool, index: usize) -> Option<String>;
}

/// Registered sources by the address of their plugin's parameters object.
static SOURCES: Mutex<Vec<(usize, Weak<dyn PortNames>)>> = Mutex::new(Vec::new());

fn key(params: &Arc<dyn Params>) -> usize {
    Arc::as_ptr(params) as *const () as usize
}

/// Makes `source` name the ports of the plugin whose [`Plugin::params()`] returns
/// `params`. Sources whose plugin is gone are forgotten.
///
/// [`Plugin::params()`]: nice_plug_core::plugin::Plugin::params
pub fn register(params: &Arc<dyn Params>, source: Weak<dyn PortNames>) {
    let mut sources = SOURCES.lock().unwrap_or_else(|e| e.into_inner());
    let key = key(params);
    sources.retain(|(k, s)| *k != key && s.strong_count() > 0);
    sources.push((key, source));
}

/// The registered name of a port of the plugin with `params`, if any.
pub(crate) fn lookup(params: &Arc<dyn Params>, is_input: bool, index: usize) -> Option<String> {
    let source = {
        let sources = SOURCES.lock().unwrap_or_else(|e| e.into_inner());
        let key = key(params);
        sources
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, s)| s.upgrade())
    }?;
    source.port_name(is_input, index)
}
