//! Cabbage 2's identifier channels: a widget with `identChannel("name")` takes the
//! identifier text the patch writes to that string channel (`chnset "visible(0)",
//! "name"`). Cabbage reads them from its window; here the engine looks at them after each
//! block and publishes the ones that changed as widget updates. Csound sets them on the
//! thread that performs, the one that looks, so the text is read in place without a
//! lock, into buffers made when the patch is compiled.

use super::widgets::{WidgetUpdates, TEXT_CAPACITY};
use crate::csound::{read_string, Csound};
use std::ffi::c_void;
use std::ptr::NonNull;

/// One identifier channel and the text last published from it.
struct Watched {
    name: String,
    data: NonNull<c_void>,
    last: Box<[u8]>,
    last_len: usize,
}

/// The patch's identifier channels.
#[derive(Default)]
pub(crate) struct IdentChannels {
    watched: Vec<Watched>,
}

// SAFETY: the pointers are into the Csound instance of the engine that owns this, which
// moves between threads with it and is only used by one thread at a time.
unsafe impl Send for IdentChannels {}

impl IdentChannels {
    /// The identifier channels `names` (the widgets' `identChannel`s; made if the patch
    /// did not make them). Not for the audio thread.
    pub(crate) fn new(csound: &mut Csound, names: &[String]) -> Self {
        let watched = names
            .iter()
            .filter_map(|name| {
                let data = csound.string_channel_data(name)?;
                Some(Watched {
                    name: name.clone(),
                    data,
                    last: vec![0; TEXT_CAPACITY].into_boxed_slice(),
                    last_len: 0,
                })
            })
            .collect();
        Self { watched }
    }

    /// Publishes the identifier text of each channel whose text changed since the last
    /// look. Real-time safe; call it from the thread that performs, between k-cycles.
    pub(crate) fn poll(&mut self, updates: &WidgetUpdates) {
        for watched in &mut self.watched {
            // SAFETY: from `string_channel_data` of the instance this engine owns, read
            // on the thread that performs it.
            let text = unsafe { read_string(watched.data) };
            let text = &text[..text.len().min(TEXT_CAPACITY)];
            if text == &watched.last[..watched.last_len] {
                continue;
            }
            watched.last[..text.len()].copy_from_slice(text);
            watched.last_len = text.len();
            if !text.is_empty() {
                updates.publish(watched.name.as_bytes(), text);
            }
        }
    }
}
