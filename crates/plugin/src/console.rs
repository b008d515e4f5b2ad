//! The plugin's console: Csound's messages and our notices, for the editor and the log.
//!
//! Only non-real-time threads touch this; the audio thread's messages reach it through
//! the engine's lock-free [`MessageRing`].

use csound_plug_engine::messages::MessageRing;
use csound_plug_engine::CompileError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Most text kept; older text is cut from the front.
const MAX_TEXT: usize = 256 * 1024;

/// Text shown to the user plus the last compile result.
#[derive(Default)]
pub struct Console {
    text: Mutex<String>,
    last_error: Mutex<Option<CompileError>>,
    /// Counts changes, so a reader copies the text only when it changed.
    changes: AtomicU64,
    /// Our notices since the last clear: they explain the compile that clears (a state
    /// that could not be read, say), so they stay.
    recent_notices: Mutex<Vec<String>>,
}

impl Console {
    /// Appends text, keeping at most [`MAX_TEXT`] bytes.
    pub fn append(&self, text: &str) {
        let Ok(mut all) = self.text.lock() else {
            return;
        };
        all.push_str(text);
        if !text.ends_with('\n') && !text.is_empty() {
            all.push('\n');
        }
        self.changes.fetch_add(1, Ordering::Release);
        if all.len() > MAX_TEXT {
            let mut cut = all.len() - MAX_TEXT;
            while !all.is_char_boundary(cut) {
                cut += 1;
            }
            all.drain(..cut);
        }
    }

    /// A notice of ours (not Csound's), also sent to the host's log.
    pub fn notice(&self, text: &str) {
        nice_plug::nice_log!("{text}");
        let line = format!("[csound-plug] {text}");
        if let Ok(mut recent) = self.recent_notices.lock() {
            recent.push(line.clone());
        }
        self.append(&line);
    }

    /// A notice of something the user should fix (a file the patch cannot find), sent
    /// to the host's log as a warning (hosts show warnings in release builds).
    pub fn warning(&self, text: &str) {
        nice_plug::nice_warn!("{text}");
        let line = format!("[csound-plug] {text}");
        if let Ok(mut recent) = self.recent_notices.lock() {
            recent.push(line.clone());
        }
        self.append(&line);
    }

    /// Moves queued real-time messages from `ring` into the console.
    pub fn drain(&self, ring: &MessageRing) {
        let mut text = String::new();
        let dropped = ring.drain_into(&mut text);
        if !text.is_empty() {
            self.append(&text);
        }
        if dropped > 0 {
            // Console only: a patch that prints every k-cycle would flood the host's log.
            self.append(&format!(
                "[csound-plug] {dropped} message chunks were dropped (console ring full)"
            ));
        }
    }

    /// Empties the text but for our notices since the last clear: each compile starts a
    /// fresh console.
    pub fn clear(&self) {
        let kept = self
            .recent_notices
            .lock()
            .map(|mut recent| std::mem::take(&mut *recent))
            .unwrap_or_default();
        if let Ok(mut all) = self.text.lock() {
            all.clear();
            for line in kept {
                all.push_str(&line);
                all.push('\n');
            }
            self.changes.fetch_add(1, Ordering::Release);
        }
    }

    /// A number that changes whenever the text or the compile result does.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Records a compile result: `None` after a good compile.
    pub fn set_compile_result(&self, error: Option<CompileError>) {
        if let Some(error) = &error {
            self.append(&error.log);
            // One line to the host's log; the console also gets Csound's full text.
            nice_plug::nice_warn!("Csound compile failed, what plays is unchanged: {error}");
            self.append(&format!(
                "[csound-plug] compile failed, what plays is unchanged: {error}"
            ));
        }
        if let Ok(mut last) = self.last_error.lock() {
            *last = error;
        }
        self.changes.fetch_add(1, Ordering::Release);
    }

    /// The error of the last compile, if it failed.
    pub fn last_error(&self) -> Option<CompileError> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    /// All text so far.
    pub fn text(&self) -> String {
        self.text.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compile_clears_all_but_the_notices_that_led_to_it() {
        let console = Console::default();
        console.append("csound says hello");
        let before = console.changes();
        console.notice("the saved state is corrupt; loading the default patch");
        assert!(console.changes() > before);
        console.clear();
        assert_eq!(
            console.text(),
            "[csound-plug] the saved state is corrupt; loading the default patch\n"
        );
        console.append("next compile");
        console.clear();
        assert_eq!(console.text(), "");
    }
}
