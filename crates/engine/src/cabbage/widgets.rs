//! Widget identifier updates (`cabbageSet "gain", "visible(0)"`, `cabbageSet kTrig,
//! "box", "bounds", kX, kY, kW, kH`…): the patch publishes each one as Cabbage 2
//! identifier text for a widget's channel; the editor drains them and applies them.
//!
//! Csound publishes from whatever thread performs it (the audio thread, or the compiler
//! thread while it warms a patch up), so a publish copies the text into a slot of a queue
//! made when the patch is compiled: no lock, no allocation. When nobody drains, the
//! oldest updates make room for the newest.

use crossbeam::queue::ArrayQueue;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest identifier text kept (bytes); a longer one is dropped and counted.
pub const TEXT_CAPACITY: usize = 1024;

/// Updates kept between two drains.
const QUEUE_CAPACITY: usize = 128;

/// One published update, in a fixed-size slot.
struct Update {
    /// Index of the widget channel in [`WidgetUpdates::channels`].
    widget: usize,
    len: usize,
    text: [u8; TEXT_CAPACITY],
}

/// The identifier updates a running patch publishes for its widgets, in order.
pub struct WidgetUpdates {
    channels: Vec<String>,
    queue: ArrayQueue<Update>,
    dropped: AtomicUsize,
}

impl std::fmt::Debug for WidgetUpdates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetUpdates")
            .field("channels", &self.channels)
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl Default for WidgetUpdates {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl WidgetUpdates {
    /// Updates for the widgets with these channels (every widget of the `<Cabbage>`
    /// section that has one); others are ignored.
    pub fn new(channels: Vec<String>) -> Self {
        // A patch without widgets publishes nothing: one slot is enough.
        let capacity = if channels.is_empty() {
            1
        } else {
            QUEUE_CAPACITY
        };
        Self {
            channels,
            queue: ArrayQueue::new(capacity),
            dropped: AtomicUsize::new(0),
        }
    }

    /// The widget channels updates can be for.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// Publishes `text` (Cabbage 2 identifiers, e.g. `bounds(10, 20, 100, 30)`) for the
    /// widget whose channel is `channel`. Returns whether it was queued: `false` for a
    /// channel no widget has, or a text too long. Real-time safe.
    pub fn publish(&self, channel: &[u8], text: &[u8]) -> bool {
        let Some(widget) = self.channels.iter().position(|c| c.as_bytes() == channel) else {
            return false;
        };
        if text.len() > TEXT_CAPACITY {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let mut update = Update {
            widget,
            len: text.len(),
            text: [0; TEXT_CAPACITY],
        };
        update.text[..text.len()].copy_from_slice(text);
        if self.queue.force_push(update).is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        true
    }

    /// Hands every queued update to `f` as (widget channel, identifier text), oldest
    /// first. For the editor or the main thread, not the audio thread.
    pub fn drain(&self, mut f: impl FnMut(&str, &str)) {
        while let Some(update) = self.queue.pop() {
            let text = String::from_utf8_lossy(&update.text[..update.len]);
            if let Some(channel) = self.channels.get(update.widget) {
                f(channel, &text);
            }
        }
    }

    /// Updates lost so far: pushed out by newer ones while nobody drained, or too long.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_come_out_in_order_for_known_widgets_only() {
        let updates = WidgetUpdates::new(vec!["gain".into(), "label".into()]);
        assert!(updates.publish(b"label", b"text(\"hi\")"));
        assert!(!updates.publish(b"nowidget", b"visible(0)"));
        assert!(updates.publish(b"gain", b"visible(0)"));
        let mut got = Vec::new();
        updates.drain(|c, t| got.push(format!("{c}: {t}")));
        assert_eq!(got, ["label: text(\"hi\")", "gain: visible(0)"]);
    }

    #[test]
    fn a_full_queue_keeps_the_newest() {
        let updates = WidgetUpdates::new(vec!["w".into()]);
        for i in 0..QUEUE_CAPACITY + 3 {
            updates.publish(b"w", format!("alpha({i})").as_bytes());
        }
        assert!(!updates.publish(b"w", &[b'x'; TEXT_CAPACITY + 1]));
        assert_eq!(updates.dropped(), 4);
        let mut first = None;
        updates.drain(|_, t| {
            first.get_or_insert_with(|| t.to_string());
        });
        assert_eq!(first.as_deref(), Some("alpha(3)"));
    }
}
