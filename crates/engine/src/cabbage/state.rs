//! The patch's own saved values (`cabbageSetStateValue "key", x`,
//! `cabbageGetStateValue "key"`, `cabbageWriteStateData`, `cabbageReadStateData`): a
//! JSON object kept with the plugin's state, so a DAW session gives the patch back what
//! it stored.
//!
//! Csound reads and writes them while it performs, so they live in slots made
//! beforehand, each holding its key and its value as JSON text: no lock and no
//! allocation there. One store serves every engine of a plugin instance, so a value set
//! while a new engine compiles is not lost; the old engine (audio thread) and the new
//! one (warming up on the compiler thread) may then write at once. Each slot has a
//! sequence number that is odd while a writer holds it: another writer gives up instead
//! of waiting (a k-rate value is set again on the next k-cycle), and a reader copies a
//! value again instead of taking half of one (the main thread as often as it must, the
//! Csound threads a few times).

use super::json_text::{Cursor, Entries};
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};

/// The longest key kept (bytes).
pub const KEY_CAPACITY: usize = 128;
/// The longest value kept, as JSON text (bytes).
pub const VALUE_CAPACITY: usize = 4096;
/// Keys a patch may add beyond the ones it was given (and, for a store of its own, the
/// ones its code names).
pub const EXTRA_KEYS: usize = 64;

/// One key and its value.
struct Slot {
    /// Odd while being written.
    sequence: AtomicU64,
    key_len: AtomicUsize,
    key: Box<[AtomicU8]>,
    /// 0 when the slot holds nothing.
    value_len: AtomicUsize,
    value: Box<[AtomicU8]>,
}

fn bytes(len: usize) -> Box<[AtomicU8]> {
    (0..len).map(|_| AtomicU8::new(0)).collect()
}

fn copy_in(target: &[AtomicU8], source: &[u8]) {
    for (t, s) in target.iter().zip(source) {
        t.store(*s, Ordering::Relaxed);
    }
}

fn copy_out(source: &[AtomicU8], target: &mut [u8]) {
    for (t, s) in target.iter_mut().zip(source) {
        *t = s.load(Ordering::Relaxed);
    }
}

impl Slot {
    fn new() -> Self {
        Self {
            sequence: AtomicU64::new(0),
            key_len: AtomicUsize::new(0),
            key: bytes(KEY_CAPACITY),
            value_len: AtomicUsize::new(0),
            value: bytes(VALUE_CAPACITY),
        }
    }

    fn key_is(&self, key: &[u8]) -> bool {
        let len = self.key_len.load(Ordering::Relaxed);
        len == key.len()
            && self.key[..len]
                .iter()
                .zip(key)
                .all(|(a, b)| a.load(Ordering::Relaxed) == *b)
    }

    fn is_free(&self) -> bool {
        self.value_len.load(Ordering::Relaxed) == 0
    }

    /// Takes the slot for writing: the even sequence it had, or `None` when another
    /// writer holds it.
    fn lock(&self) -> Option<u64> {
        let sequence = self.sequence.load(Ordering::Relaxed);
        if sequence % 2 == 1 {
            return None;
        }
        self.sequence
            .compare_exchange(sequence, sequence + 1, Ordering::Acquire, Ordering::Relaxed)
            .ok()?;
        std::sync::atomic::fence(Ordering::Release);
        Some(sequence)
    }

    /// Gives the slot back after writing (or not).
    fn unlock(&self, sequence: u64) {
        self.sequence.store(sequence + 2, Ordering::Release);
    }

    /// Writes key and value; the caller holds the slot.
    fn write(&self, key: &[u8], value: &[u8]) {
        copy_in(&self.key, key);
        self.key_len.store(key.len(), Ordering::Relaxed);
        copy_in(&self.value, value);
        self.value_len.store(value.len(), Ordering::Relaxed);
    }

    /// A consistent copy of key and value (`None`: empty slot, or still being written
    /// after `tries` attempts).
    fn read(
        &self,
        key: &mut [u8; KEY_CAPACITY],
        value: &mut [u8],
        tries: usize,
    ) -> Option<(usize, usize)> {
        for _ in 0..tries {
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let key_len = self.key_len.load(Ordering::Relaxed).min(KEY_CAPACITY);
            let value_len = self.value_len.load(Ordering::Relaxed).min(VALUE_CAPACITY);
            copy_out(&self.key[..key_len], &mut key[..key_len]);
            copy_out(&self.value[..value_len], &mut value[..value_len]);
            std::sync::atomic::fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) == before {
                return (value_len > 0).then_some((key_len, value_len));
            }
        }
        None
    }
}

/// Why a value was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
    /// The key is empty or longer than [`KEY_CAPACITY`].
    Key,
    /// The value's JSON text is longer than [`VALUE_CAPACITY`].
    TooLong,
    /// Every slot holds another key.
    Full,
    /// Another engine was writing the key at the same moment.
    Busy,
}

/// The patch's saved values: a JSON object of keys set by the patch or loaded with the
/// session.
pub struct StateValues {
    slots: Box<[Slot]>,
}

impl std::fmt::Debug for StateValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateValues")
            .field("json", &self.to_json())
            .finish()
    }
}

impl Default for StateValues {
    fn default() -> Self {
        Self::with_capacity(EXTRA_KEYS)
    }
}

/// The store the engines of one plugin instance share (see the [module docs](self));
/// two are equal when they are the same store.
#[derive(Debug, Clone, Default)]
pub struct SharedValues(pub std::sync::Arc<StateValues>);

impl PartialEq for SharedValues {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl StateValues {
    /// Room for `keys` keys, all empty.
    pub fn with_capacity(keys: usize) -> Self {
        Self {
            slots: (0..keys.max(1)).map(|_| Slot::new()).collect(),
        }
    }

    /// The values of the JSON object `json` (members that do not fit are left out), with
    /// room for `more_keys` keys besides. Not for the audio thread.
    pub fn from_json(json: Option<&str>, more_keys: usize) -> Self {
        let object = json
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
            .and_then(|v| match v {
                serde_json::Value::Object(map) => Some(map),
                _ => None,
            })
            .unwrap_or_default();
        let values = Self::with_capacity(object.len() + more_keys + EXTRA_KEYS);
        for (key, value) in &object {
            let _ = values.set(key.as_bytes(), value.to_string().as_bytes());
        }
        values
    }

    /// Sets `key` to `value` (its JSON text). Real-time safe: never waits.
    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<(), StateError> {
        if key.is_empty() || key.len() > KEY_CAPACITY {
            return Err(StateError::Key);
        }
        if value.is_empty() || value.len() > VALUE_CAPACITY {
            return Err(StateError::TooLong);
        }
        if let Some(slot) = self.slots.iter().find(|s| !s.is_free() && s.key_is(key)) {
            let sequence = slot.lock().ok_or(StateError::Busy)?;
            // Still this key's (a replacing write may have emptied it meanwhile).
            slot.write(key, value);
            slot.unlock(sequence);
            return Ok(());
        }
        for slot in self.slots.iter().filter(|s| s.is_free()) {
            let Some(sequence) = slot.lock() else {
                continue;
            };
            // Another writer may have taken it between the look and the lock.
            let free = slot.is_free() || slot.key_is(key);
            if free {
                slot.write(key, value);
            }
            slot.unlock(sequence);
            if free {
                return Ok(());
            }
        }
        Err(StateError::Full)
    }

    /// Sets every member of the JSON object `json`; with `replace`, the keys it does not
    /// name are removed first. Returns how many members were kept. Real-time safe.
    pub fn set_members(&self, json: &[u8], replace: bool) -> usize {
        if replace {
            for slot in self.slots.iter() {
                if let Some(sequence) = slot.lock() {
                    slot.write(&[], &[]);
                    slot.unlock(sequence);
                }
            }
        }
        Entries::object(json)
            .filter(|(key, value)| self.set(key, value).is_ok())
            .count()
    }

    /// Calls `f` with the JSON text of `key`'s value, if it has one. Real-time safe (a
    /// copy on the stack; a value being written at that moment reads as missing).
    pub fn with_value<R>(&self, key: &[u8], f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let slot = self.slots.iter().find(|s| !s.is_free() && s.key_is(key))?;
        let mut key_copy = [0u8; KEY_CAPACITY];
        let mut value = [0u8; VALUE_CAPACITY];
        let (_, len) = slot.read(&mut key_copy, &mut value, 4)?;
        Some(f(&value[..len]))
    }

    /// Whether any key holds a value.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Slot::is_free)
    }

    /// Writes the whole object as JSON text into `out` (members in slot order); returns
    /// the length, or `None` when it does not fit. Real-time safe.
    pub fn write_json(&self, out: &mut [u8]) -> Option<usize> {
        let mut cursor = Cursor::new(out);
        cursor.put(b"{").ok()?;
        let mut first = true;
        for slot in self.slots.iter().filter(|s| !s.is_free()) {
            if !first {
                cursor.put(b",").ok()?;
            }
            first = false;
            // Keys are kept as they came in JSON text, escapes and all.
            cursor.put(b"\"").ok()?;
            let key_len = slot.key_len.load(Ordering::Relaxed).min(KEY_CAPACITY);
            for byte in &slot.key[..key_len] {
                cursor.put(&[byte.load(Ordering::Relaxed)]).ok()?;
            }
            cursor.put(b"\":").ok()?;
            let len = slot.value_len.load(Ordering::Relaxed).min(VALUE_CAPACITY);
            for byte in &slot.value[..len] {
                cursor.put(&[byte.load(Ordering::Relaxed)]).ok()?;
            }
        }
        cursor.put(b"}").ok()?;
        Some(cursor.len())
    }

    /// The values as a JSON object, read from any thread (the host saving its session
    /// while the patch plays). Not for the audio thread.
    pub fn to_value(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        let mut key = [0u8; KEY_CAPACITY];
        let mut value = vec![0u8; VALUE_CAPACITY];
        for slot in self.slots.iter() {
            let Some((key_len, value_len)) = slot.read(&mut key, &mut value, usize::MAX) else {
                continue;
            };
            // The key as JSON text (it may hold escapes).
            let mut quoted = Vec::with_capacity(key_len + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&key[..key_len]);
            quoted.push(b'"');
            let key = serde_json::from_slice::<String>(&quoted);
            let value = serde_json::from_slice::<serde_json::Value>(&value[..value_len]);
            if let (Ok(key), Ok(value)) = (key, value) {
                map.insert(key, value);
            }
        }
        map
    }

    /// [`StateValues::to_value`] as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::Value::Object(self.to_value()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_set_read_and_round_trip_through_json() {
        let state = StateValues::from_json(Some(r#"{"pi": 3.14, "names": ["a", "b"]}"#), 0);
        state.set(b"level", b"0.5").unwrap();
        state.set(b"pi", b"3.5").unwrap();
        assert_eq!(
            state.with_value(b"pi", |v| v.to_vec()),
            Some(b"3.5".to_vec())
        );
        assert_eq!(state.with_value(b"missing", |_| ()), None);
        let expected = json!({"pi": 3.5, "names": ["a", "b"], "level": 0.5});
        assert_eq!(serde_json::Value::Object(state.to_value()), expected);
        let mut out = [0u8; 256];
        let n = state.write_json(&mut out).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out[..n]).unwrap(),
            expected
        );
        let again = StateValues::from_json(Some(&state.to_json()), 0);
        assert_eq!(serde_json::Value::Object(again.to_value()), expected);
    }

    #[test]
    fn members_merge_or_replace_and_capacity_is_kept() {
        let state = StateValues::with_capacity(2);
        assert_eq!(state.set_members(br#"{"a": 1, "b": true}"#, false), 2);
        assert_eq!(state.set(b"c", b"1"), Err(StateError::Full));
        assert_eq!(state.set_members(br#"{"c": "x"}"#, true), 1);
        assert_eq!(
            serde_json::Value::Object(state.to_value()),
            json!({"c": "x"})
        );
        assert_eq!(
            state.set(&[b'k'; KEY_CAPACITY + 1], b"1"),
            Err(StateError::Key)
        );
        assert!(!state.is_empty());
    }
}
