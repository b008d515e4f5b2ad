//! Opcodes written in Rust and added to every instance (`csoundAppendOpcode`) before it
//! compiles: what Cabbage's opcodes need that Csound code cannot do. The internal ones
//! (`cabbagePlug…`) are called by the user-defined opcodes of
//! [`crate::cabbage::LIBRARY`]; `cabbageCopyFile` is Cabbage's own name, so the trust
//! gate can see a patch call it.
//!
//! Each opcode reaches the instance's [`CabbageLinks`] through the host data. Strings
//! go back to the Csound code through a string channel (`csoundSetStringChannel`), as
//! an opcode written outside Csound cannot grow a string variable itself.

use super::HostData;
use crate::cabbage::json_text::{self, Cursor, Entries};
use crate::cabbage::state::{StateValues, VALUE_CAPACITY};
use crate::cabbage::widgets::WidgetUpdates;
use csound_sys as sys;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What the native opcodes of one instance work on, given before it compiles.
pub struct CabbageLinks {
    /// Where widget identifier updates go.
    pub widgets: Arc<WidgetUpdates>,
    /// The patch's saved values.
    pub state: Arc<StateValues>,
    /// Folders a relative folder or file name is looked for in, in order.
    pub folders: Vec<PathBuf>,
    /// Set once a value could not be kept (said once, not every k-cycle).
    not_kept_said: AtomicBool,
}

impl CabbageLinks {
    /// Links to these updates, values and folders.
    pub fn new(
        widgets: Arc<WidgetUpdates>,
        state: Arc<StateValues>,
        folders: Vec<PathBuf>,
    ) -> Self {
        Self {
            widgets,
            state,
            folders,
            not_kept_said: AtomicBool::new(false),
        }
    }
}

/// Bytes of the scratch text the opcodes build strings in (the whole state as JSON
/// must fit).
pub(super) const SCRATCH: usize = 64 * 1024;

/// The string channel strings come back through (one at a time: the Csound code reads
/// it right after the opcode that wrote it).
pub const TEXT_CHANNEL: &str = "cabbage.plug.text";

/// Csound's `OPDS`, the header of every opcode's data (6.18: six pointers).
#[repr(C)]
struct Opds([*mut c_void; 6]);

/// An opcode's data: the header, then one pointer per argument, outputs first.
#[repr(C)]
struct Args<const N: usize> {
    header: Opds,
    args: [*mut c_void; N],
}

/// Csound's `STRINGDAT`.
#[repr(C)]
struct StringDat {
    data: *mut c_char,
    size: c_int,
}

/// Csound's `ARRAYDAT`.
#[repr(C)]
struct ArrayDat {
    dimensions: c_int,
    sizes: *mut c_int,
    member_size: c_int,
    array_type: *mut c_void,
    data: *mut f64,
    allocated: usize,
}

const OK: c_int = 0;

/// The host data and links of `csound`.
///
/// # Safety
/// `csound` is an instance made by [`super::Csound::new`], calling an opcode on the
/// thread that performs it.
unsafe fn host<'a>(csound: *mut sys::CSOUND) -> Option<&'a HostData> {
    // SAFETY: see the function's contract; the host data outlives the instance.
    unsafe { (sys::csoundGetHostData(csound) as *const HostData).as_ref() }
}

/// The opcode data of an opcode with `N` arguments.
///
/// # Safety
/// `data` is the data block of an opcode registered with `N` arguments.
unsafe fn args<'a, const N: usize>(data: *mut c_void) -> &'a [*mut c_void; N] {
    // SAFETY: see the function's contract.
    unsafe { &(*(data as *const Args<N>)).args }
}

/// A string argument's bytes.
///
/// # Safety
/// `arg` points at a `STRINGDAT`.
unsafe fn text<'a>(arg: *mut c_void) -> &'a [u8] {
    // SAFETY: see the function's contract; Csound's strings are NUL-terminated.
    unsafe {
        let s = &*(arg as *const StringDat);
        if s.data.is_null() {
            &[]
        } else {
            CStr::from_ptr(s.data).to_bytes()
        }
    }
}

/// A number argument.
///
/// # Safety
/// `arg` points at a `MYFLT`.
unsafe fn number(arg: *mut c_void) -> f64 {
    // SAFETY: see the function's contract.
    unsafe { *(arg as *const f64) }
}

/// Sets a number output.
///
/// # Safety
/// `arg` points at a `MYFLT`.
unsafe fn set_number(arg: *mut c_void, value: f64) {
    // SAFETY: see the function's contract.
    unsafe { *(arg as *mut f64) = value }
}

/// A one-dimensional array argument's members, as `T` (`f64` or `StringDat`).
///
/// # Safety
/// `arg` points at an `ARRAYDAT` whose members are `T`.
unsafe fn members<'a, T>(arg: *mut c_void) -> &'a [T] {
    // SAFETY: see the function's contract; `sizes` holds `dimensions` entries.
    unsafe {
        let array = &*(arg as *const ArrayDat);
        if array.data.is_null() || array.sizes.is_null() || array.dimensions < 1 {
            return &[];
        }
        let len = (0..array.dimensions as usize)
            .map(|d| (*array.sizes.add(d)).max(0) as usize)
            .product();
        std::slice::from_raw_parts(array.data as *const T, len)
    }
}

/// The scratch text of the instance (owning thread only).
///
/// # Safety
/// As [`host`]; no other borrow of the scratch is live.
// The mutability comes from the scratch's `UnsafeCell`.
#[allow(clippy::mut_from_ref)]
unsafe fn scratch(host: &HostData) -> &mut [u8] {
    // SAFETY: see the function's contract.
    unsafe { &mut (&mut *host.scratch.get())[..] }
}

/// Writes `bytes` (no NUL inside) into the string channel `channel` for the Csound code
/// to read; `buf` must have room for one byte more.
///
/// # Safety
/// As [`host`].
unsafe fn send_text(csound: *mut sys::CSOUND, channel: &[u8], buf: &mut [u8], len: usize) {
    let mut name = [0u8; 64];
    if channel.len() >= name.len() || len >= buf.len() {
        return;
    }
    name[..channel.len()].copy_from_slice(channel);
    buf[len] = 0;
    // SAFETY: live instance; both strings are NUL-terminated; Csound copies the text.
    unsafe {
        sys::csoundSetStringChannel(
            csound,
            name.as_ptr() as *const c_char,
            buf.as_mut_ptr() as *mut c_char,
        )
    };
}

// ---------------------------------------------------------------------------------------
// Widget updates

/// `cabbagePlugPublish SChannel, SText`: queues an identifier update for a widget.
unsafe extern "C" fn publish(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with two string arguments; called by Csound on its thread.
    unsafe {
        let [channel, code] = *args::<2>(data);
        if let Some(links) = host(csound).and_then(|h| h.cabbage.get()) {
            links.widgets.publish(text(channel), text(code));
        }
    }
    OK
}

// ---------------------------------------------------------------------------------------
// State values

/// The state store of `csound`, if it was linked.
///
/// # Safety
/// As [`host`].
unsafe fn state<'a>(csound: *mut sys::CSOUND) -> Option<(&'a HostData, &'a StateValues)> {
    // SAFETY: see the function's contract.
    let host = unsafe { host(csound)? };
    Some((host, &host.cabbage.get()?.state))
}

/// Stores `value` (JSON text) under `key`, saying once per instance when it cannot.
///
/// # Safety
/// As [`host`].
unsafe fn store(csound: *mut sys::CSOUND, state: &StateValues, key: &[u8], value: &[u8]) {
    // SAFETY: as the caller's.
    let links = unsafe { host(csound) }.and_then(|h| h.cabbage.get());
    let said = links.is_none_or(|l| l.not_kept_said.swap(true, Ordering::Relaxed));
    if state.set(key, value).is_err() && !said {
        // SAFETY: live instance; a constant format.
        unsafe {
            sys::csoundMessage(
                csound,
                c"cabbageSetStateValue: a key or value is too long, or there are too many keys; not kept\n"
                    .as_ptr(),
            )
        };
    }
}

/// `cabbagePlugStateSetNumber SKey, xValue`.
unsafe extern "C" fn state_set_number(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a string and a number.
    unsafe {
        let [key, value] = *args::<2>(data);
        if let Some((_, state)) = state(csound) {
            let mut buf = [0u8; 64];
            let mut cursor = Cursor::new(&mut buf);
            if cursor.number(number(value)).is_ok() {
                let len = cursor.len();
                store(csound, state, text(key), &buf[..len]);
            }
        }
    }
    OK
}

/// Writes a value as JSON with `write` into the scratch and stores it under `key`; one
/// that does not fit in [`VALUE_CAPACITY`] is not kept, and said so (an empty key is
/// refused by the store).
///
/// # Safety
/// As [`scratch`].
unsafe fn store_written(
    csound: *mut sys::CSOUND,
    host: &HostData,
    state: &StateValues,
    key: &[u8],
    write: impl FnOnce(&mut Cursor) -> std::fmt::Result,
) {
    // SAFETY: the caller's promise.
    let buf = unsafe { scratch(host) };
    let mut cursor = Cursor::new(&mut buf[..VALUE_CAPACITY]);
    let written = write(&mut cursor);
    let len = cursor.len();
    // SAFETY: as the caller's.
    unsafe {
        match written {
            Ok(()) => store(csound, state, key, &buf[..len]),
            Err(_) => store(csound, state, b"", b""),
        }
    }
}

/// Writes `items` as a JSON array, each with `write_item`.
fn write_list<T>(
    cursor: &mut Cursor,
    items: &[T],
    mut write_item: impl FnMut(&mut Cursor, &T) -> std::fmt::Result,
) -> std::fmt::Result {
    cursor.put(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            cursor.put(b",")?;
        }
        write_item(cursor, item)?;
    }
    cursor.put(b"]")
}

/// `cabbagePlugStateSetNumbers SKey, xValues[]`.
unsafe extern "C" fn state_set_numbers(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a string and a number array.
    unsafe {
        let [key, values] = *args::<2>(data);
        if let Some((host, state)) = state(csound) {
            store_written(csound, host, state, text(key), |cursor| {
                write_list(cursor, members::<f64>(values), |c, x| c.number(*x))
            });
        }
    }
    OK
}

/// `cabbagePlugStateSetText SKey, SValue`.
unsafe extern "C" fn state_set_text(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with two strings.
    unsafe {
        let [key, value] = *args::<2>(data);
        if let Some((host, state)) = state(csound) {
            store_written(csound, host, state, text(key), |cursor| {
                cursor.string(text(value))
            });
        }
    }
    OK
}

/// `cabbagePlugStateSetTexts SKey, SValues[]`.
unsafe extern "C" fn state_set_texts(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a string and a string array.
    unsafe {
        let [key, values] = *args::<2>(data);
        if let Some((host, state)) = state(csound) {
            store_written(csound, host, state, text(key), |cursor| {
                write_list(cursor, members::<StringDat>(values), |c, s| {
                    let bytes = match s.data.is_null() {
                        true => &[][..],
                        false => CStr::from_ptr(s.data).to_bytes(),
                    };
                    c.string(bytes)
                })
            });
        }
    }
    OK
}

/// The element `index` of `value` (the value itself for a negative index).
fn element(value: &[u8], index: f64) -> Option<&[u8]> {
    if index < 0.0 {
        return Some(value);
    }
    Entries::array(value).nth(index as usize).map(|(_, v)| v)
}

/// `xValue cabbagePlugStateNumber SKey, xIndex`: the number (or array item), -1 when
/// there is none.
unsafe extern "C" fn state_number(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output, a string and a number.
    unsafe {
        let [out, key, index] = *args::<3>(data);
        let index = number(index);
        let found = state(csound)
            .and_then(|(_, s)| {
                s.with_value(text(key), |v| element(v, index).and_then(json_text::number))
            })
            .flatten();
        set_number(out, found.unwrap_or(-1.0));
    }
    OK
}

/// `xCount cabbagePlugStateCount SKey`: an array's length, 1 for another value, 0 when
/// there is none.
unsafe extern "C" fn state_count(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output and a string.
    unsafe {
        let [out, key] = *args::<2>(data);
        let count = state(csound)
            .and_then(|(_, s)| {
                s.with_value(text(key), |v| match v.first() {
                    Some(b'[') => Entries::array(v).count(),
                    _ => 1,
                })
            })
            .unwrap_or(0);
        set_number(out, count as f64);
    }
    OK
}

/// `xFound cabbagePlugStateText SKey, xIndex`: the string (or array item) into
/// [`TEXT_CHANNEL`] (another value as its JSON text); 1 when found.
unsafe extern "C" fn state_text(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output, a string and a number.
    unsafe {
        let [out, key, index] = *args::<3>(data);
        let index = number(index);
        let mut len = None;
        if let Some((host, state)) = state(csound) {
            let buf = scratch(host);
            len = state
                .with_value(text(key), |v| {
                    let item = element(v, index)?;
                    json_text::unescape(item, &mut buf[..SCRATCH - 1]).or_else(|| {
                        let n = item.len().min(SCRATCH - 1);
                        buf[..n].copy_from_slice(&item[..n]);
                        Some(n)
                    })
                })
                .flatten();
            send_text(csound, TEXT_CHANNEL.as_bytes(), buf, len.unwrap_or(0));
        }
        set_number(out, if len.is_some() { 1.0 } else { 0.0 });
    }
    OK
}

/// `xFound cabbagePlugStateRead`: the whole state as JSON text into [`TEXT_CHANNEL`].
unsafe extern "C" fn state_read(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output.
    unsafe {
        let [out] = *args::<1>(data);
        let mut found = 0.0;
        if let Some((host, state)) = state(csound) {
            let buf = scratch(host);
            let len = state.write_json(&mut buf[..SCRATCH - 1]);
            found = if len.is_some() { 1.0 } else { 0.0 };
            send_text(csound, TEXT_CHANNEL.as_bytes(), buf, len.unwrap_or(0));
        }
        set_number(out, found);
    }
    OK
}

/// `cabbagePlugStateWrite iMode, SJson`: sets the members of a JSON object (mode 1:
/// merged with the values there; else replacing them).
unsafe extern "C" fn state_write(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number and a string.
    unsafe {
        let [mode, json] = *args::<2>(data);
        if let Some((_, state)) = state(csound) {
            let json = text(json);
            if Entries::object(json).next().is_none() && !json.starts_with(b"{") {
                sys::csoundMessage(
                    csound,
                    c"cabbageWriteStateData: the text is not a JSON object\n".as_ptr(),
                );
            } else {
                state.set_members(json, number(mode) != 1.0);
            }
        }
    }
    OK
}

/// `xHas cabbagePlugStateHas`: 1 when any key holds a value.
unsafe extern "C" fn state_has(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output.
    unsafe {
        let [out] = *args::<1>(data);
        let has = state(csound).is_some_and(|(_, s)| !s.is_empty());
        set_number(out, if has { 1.0 } else { 0.0 });
    }
    OK
}

// ---------------------------------------------------------------------------------------
// Files

/// `path` as given when absolute, else in the first of `folders` where it exists (else
/// the first folder, else the working directory).
fn resolve(path: &str, folders: &[PathBuf]) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    folders
        .iter()
        .map(|f| f.join(path))
        .find(|p| p.exists())
        .or_else(|| folders.first().map(|f| f.join(path)))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Whether `name` matches the wildcard `pattern` (`*`, `?`; several patterns separated
/// by `;`), as Cabbage matches them (case-sensitive where file names are).
pub fn matches_wildcard(name: &str, pattern: &str) -> bool {
    fn matches(name: &[char], pattern: &[char]) -> bool {
        match pattern.split_first() {
            None => name.is_empty(),
            Some(('*', rest)) => (0..=name.len()).any(|i| matches(&name[i..], rest)),
            Some(('?', rest)) => !name.is_empty() && matches(&name[1..], rest),
            Some((c, rest)) => name.first() == Some(c) && matches(&name[1..], rest),
        }
    }
    let fold = |s: &str| -> Vec<char> {
        match cfg!(target_os = "linux") {
            true => s.chars().collect(),
            false => s.to_lowercase().chars().collect(),
        }
    };
    let name = fold(name);
    pattern
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .any(|p| matches(&name, &fold(p)))
}

/// The full paths in `folder` that `types` (`files`, `directories`,
/// `filesAndDirectories`) and `pattern` select, hidden ones left out, sorted.
pub fn find_files(folder: &Path, types: &str, pattern: &str) -> Vec<String> {
    let (files, dirs) = match types {
        "filesAndDirectories" | "directoriesAndFiles" => (true, true),
        "directories" => (false, true),
        _ => (true, false),
    };
    let pattern = if pattern.trim().is_empty() {
        "*"
    } else {
        pattern
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.path().is_dir();
            !name.starts_with('.')
                && (if is_dir { dirs } else { files })
                && matches_wildcard(&name, pattern)
        })
        .map(|e| e.path().display().to_string())
        .collect();
    found.sort();
    found
}

/// `iCount cabbagePlugListFiles SFolder, STypes, SPattern`: the paths, one a line, into
/// [`TEXT_CHANNEL`]. I-time only: it reads the file system (as `directory` does).
unsafe extern "C" fn list_files(csound: *mut sys::CSOUND, data: *mut c_void) -> c_int {
    // SAFETY: registered with a number output and three strings.
    unsafe {
        let [out, folder, types, pattern] = *args::<4>(data);
        let Some(host) = host(csound) else {
            return OK;
        };
        let folders = host.cabbage.get().map_or(&[][..], |l| &l.folders[..]);
        let folder = resolve(&String::from_utf8_lossy(text(folder)), folders);
        let found = find_files(
            &folder,
            &String::from_utf8_lossy(text(types)),
            &String::from_utf8_lossy(text(pattern)),
        );
        set_number(out, found.len() as f64);
        let mut joined = found.join("\n").into_bytes();
        joined.retain(|b| *b != 0);
        let len = joined.len();
        joined.push(0);
        send_text(csound, TEXT_CHANNEL.as_bytes(), &mut joined, len);
    }
    OK
}

/// `cabbageCopyFile SFolder, SFile1[, SFile2…]` with `N - 1` files: copies the files
/// into the folder (made if missing), replacing files of the same name. It writes files:
/// the trust gate refuses a patch that calls it unless the user allows it.
unsafe extern "C" fn copy_files<const N: usize>(
    csound: *mut sys::CSOUND,
    data: *mut c_void,
) -> c_int {
    // SAFETY: registered with `N` strings.
    unsafe {
        let args = *args::<N>(data);
        let Some(host) = host(csound) else {
            return OK;
        };
        let folders = host.cabbage.get().map_or(&[][..], |l| &l.folders[..]);
        let target = resolve(&String::from_utf8_lossy(text(args[0])), folders);
        let mut failed = std::fs::create_dir_all(&target)
            .err()
            .map(|e| (target.clone(), e));
        for file in &args[1..] {
            let source = resolve(&String::from_utf8_lossy(text(*file)), folders);
            let Some(name) = source.file_name() else {
                continue;
            };
            if let Err(e) = std::fs::copy(&source, target.join(name)) {
                failed.get_or_insert((source, e));
            }
        }
        if let Some((path, e)) = failed {
            let message = format!("cabbageCopyFile: {}: {e}\n", path.display());
            if let Ok(message) = CString::new(message) {
                sys::csoundMessage(csound, c"%s".as_ptr(), message.as_ptr());
            }
        }
    }
    OK
}

// ---------------------------------------------------------------------------------------
// Registration

/// An opcode function.
type Function = unsafe extern "C" fn(*mut sys::CSOUND, *mut c_void) -> c_int;

/// When an opcode runs.
#[derive(Clone, Copy)]
enum Rate {
    /// Init pass only.
    Init,
    /// Every k-cycle only.
    Perf,
}

/// Adds one opcode with `N` arguments.
///
/// # Safety
/// `csound` is a live instance; `function` reads `N` arguments of these types.
unsafe fn add<const N: usize>(
    csound: *mut sys::CSOUND,
    name: &CStr,
    rate: Rate,
    outputs: &CStr,
    inputs: &CStr,
    function: Function,
) {
    let (thread, init, perf) = match rate {
        Rate::Init => (1, Some(function), None),
        Rate::Perf => (2, None, Some(function)),
    };
    // SAFETY: see the function's contract; Csound copies the names and types.
    unsafe {
        sys::csoundAppendOpcode(
            csound,
            name.as_ptr(),
            std::mem::size_of::<Args<N>>() as c_int,
            0,
            thread,
            outputs.as_ptr(),
            inputs.as_ptr(),
            init,
            perf,
            None,
        );
    }
}

/// Adds the native opcodes to a new instance, before anything compiles.
///
/// # Safety
/// `csound` is a live instance made by [`super::Csound::new`].
pub(super) unsafe fn register(csound: *mut sys::CSOUND) {
    use Rate::{Init, Perf};
    // SAFETY: each function reads the arguments its types give.
    unsafe {
        add::<2>(csound, c"cabbagePlugPublish", Init, c"", c"SS", publish);
        add::<2>(csound, c"cabbagePlugPublishK", Perf, c"", c"SS", publish);
        add::<2>(
            csound,
            c"cabbagePlugStateSetNumber",
            Init,
            c"",
            c"Si",
            state_set_number,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetNumberK",
            Perf,
            c"",
            c"Sk",
            state_set_number,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetNumbers",
            Init,
            c"",
            c"Si[]",
            state_set_numbers,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetNumbersK",
            Perf,
            c"",
            c"Sk[]",
            state_set_numbers,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetText",
            Init,
            c"",
            c"SS",
            state_set_text,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetTextK",
            Perf,
            c"",
            c"SS",
            state_set_text,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetTexts",
            Init,
            c"",
            c"SS[]",
            state_set_texts,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateSetTextsK",
            Perf,
            c"",
            c"SS[]",
            state_set_texts,
        );
        add::<3>(
            csound,
            c"cabbagePlugStateNumber",
            Init,
            c"i",
            c"Si",
            state_number,
        );
        add::<3>(
            csound,
            c"cabbagePlugStateNumberK",
            Perf,
            c"k",
            c"Sk",
            state_number,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateCount",
            Init,
            c"i",
            c"S",
            state_count,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateCountK",
            Perf,
            c"k",
            c"S",
            state_count,
        );
        add::<3>(
            csound,
            c"cabbagePlugStateText",
            Init,
            c"i",
            c"Si",
            state_text,
        );
        add::<3>(
            csound,
            c"cabbagePlugStateTextK",
            Perf,
            c"k",
            c"Sk",
            state_text,
        );
        add::<1>(csound, c"cabbagePlugStateRead", Init, c"i", c"", state_read);
        add::<1>(
            csound,
            c"cabbagePlugStateReadK",
            Perf,
            c"k",
            c"",
            state_read,
        );
        add::<2>(
            csound,
            c"cabbagePlugStateWrite",
            Init,
            c"",
            c"iS",
            state_write,
        );
        add::<1>(csound, c"cabbagePlugStateHas", Init, c"i", c"", state_has);
        add::<1>(csound, c"cabbagePlugStateHasK", Perf, c"k", c"", state_has);
        add::<4>(
            csound,
            c"cabbagePlugListFiles",
            Init,
            c"i",
            c"SSS",
            list_files,
        );
        add::<2>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SS",
            copy_files::<2>,
        );
        add::<3>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSS",
            copy_files::<3>,
        );
        add::<4>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSSS",
            copy_files::<4>,
        );
        add::<5>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSSSS",
            copy_files::<5>,
        );
        add::<6>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSSSSS",
            copy_files::<6>,
        );
        add::<7>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSSSSSS",
            copy_files::<7>,
        );
        add::<8>(
            csound,
            c"cabbageCopyFile",
            Init,
            c"",
            c"SSSSSSSS",
            copy_files::<8>,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_cabbage_matches_them() {
        assert!(matches_wildcard("kick.wav", "*.wav"));
        assert!(matches_wildcard("kick.wav", "*"));
        assert!(matches_wildcard("kick.aif", "*.wav; *.aif"));
        assert!(matches_wildcard("k1.wav", "k?.wav"));
        assert!(!matches_wildcard("kick.wav.txt", "*.wav"));
    }
}
