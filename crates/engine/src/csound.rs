//! A small safe wrapper over `csound-sys`: one owned Csound instance.
//!
//! All of the project's FFI to libcsound lives here, so the rest of the code is safe Rust.
//! Names follow Csound's API (`compile_csd_text` is `csoundCompileCsdText`, and so on).

use crate::messages::MessageRing;
use csound_sys as sys;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};

mod native;

pub use native::{find_files, matches_wildcard, CabbageLinks, TEXT_CHANNEL};

/// Called once per process: no signal handlers and no `atexit` hook, which a plugin
/// must not install inside its host.
fn initialize_library() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let flags = (sys::CSOUNDINIT_NO_SIGNAL_HANDLER | sys::CSOUNDINIT_NO_ATEXIT) as c_int;
        // SAFETY: csoundInitialize only sets process-wide flags; `Once` makes it run once.
        unsafe { sys::csoundInitialize(flags) };
    });
}

/// Csound 6.18's orchestra parser numbers the labels and variables it makes for `if`
/// blocks and `? :` with one counter for the whole process (`genlabs` in
/// csound_orc_expressions.c), unlocked: two instances parsing at once can give a label
/// and its use different numbers, and the patch fails with "used before defined". So
/// parsing in this process takes turns (compiler threads only, never the audio thread).
static PARSER: Mutex<()> = Mutex::new(());

/// This thread's turn at Csound's parser, until the guard drops.
fn parser_turn() -> std::sync::MutexGuard<'static, ()> {
    PARSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Csound instances alive in this process (tests check that recompiles leak none).
static LIVE_INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// How many Csound instances this process holds right now.
pub fn live_instances() -> usize {
    LIVE_INSTANCES.load(Ordering::SeqCst)
}

/// Csound's version number (6180 for 6.18.0).
pub fn version() -> i32 {
    // SAFETY: reads a constant; needs no instance.
    unsafe { sys::csoundGetVersion() }
}

/// Csound instances created in this process (tests check that a re-activation reuses an
/// engine instead of compiling again).
static CREATED_INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// How many Csound instances this process has created so far.
pub fn created_instances() -> usize {
    CREATED_INSTANCES.load(Ordering::SeqCst)
}

/// Values that `invalue` reads and `outvalue` writes, by channel name.
#[derive(Default)]
pub struct NamedValues {
    /// `invalue "name"` answers from here (names with no entry read 0).
    pub inputs: Vec<(String, f64)>,
    /// `outvalue "name", x` lands here (names with no entry are ignored).
    pub outputs: Vec<(String, f64)>,
}

/// Bytes of MIDI Csound can read per k-cycle, or write.
const MIDI_BUFFER: usize = 4096;

/// Raw MIDI passed between the host and Csound's MIDI callbacks.
struct MidiBuffers {
    input: [u8; MIDI_BUFFER],
    input_len: usize,
    output: [u8; MIDI_BUFFER],
    output_len: usize,
}

/// Where an instance's messages go; Csound hands its pointer back in the callback.
struct HostData {
    /// Same access rule as `named`.
    midi: std::cell::UnsafeCell<MidiBuffers>,
    /// Only touched by the thread that owns the instance: by our methods through
    /// `&mut Csound`, and by Csound's channel callbacks inside `csoundPerformKsmps`,
    /// which that same thread runs.
    named: std::cell::UnsafeCell<NamedValues>,
    /// Messages while not yet performing in real time (compile, start).
    log: Mutex<String>,
    /// Set once the instance performs on the audio thread: from then on messages go to `ring`.
    realtime: AtomicBool,
    /// Set while the instance is destroyed: its closing report (end of score, overall
    /// amps) would only bury the messages of the patch that replaced it.
    closing: AtomicBool,
    ring: Arc<MessageRing>,
    /// The files Csound opened, recorded while `record_files` is set.
    opened: Mutex<Vec<OpenedFile>>,
    /// Cleared when the instance performs in real time (no lock, no allocation on the
    /// audio thread); a checker that plays the patch off line sets it again.
    record_files: AtomicBool,
    /// What the native Cabbage opcodes work on, set once before the instance compiles.
    cabbage: OnceLock<CabbageLinks>,
    /// Text the native opcodes build strings in; same access rule as `named`.
    scratch: std::cell::UnsafeCell<Box<[u8]>>,
}

/// A file Csound opened (its file-open callback), with the path as Csound resolved it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenedFile {
    /// The path Csound opened.
    pub path: String,
    /// Opened for writing.
    pub write: bool,
    /// A temporary file of Csound's own.
    pub temporary: bool,
}

extern "C" fn file_open_callback(
    csound: *mut sys::CSOUND,
    path: *const c_char,
    _file_type: c_int,
    write: c_int,
    temporary: c_int,
) {
    if path.is_null() {
        return;
    }
    // SAFETY: as in `message_callback`: the host data is our `HostData`; Csound passes a
    // NUL-terminated path.
    let (host, path) = unsafe {
        let host = sys::csoundGetHostData(csound) as *const HostData;
        if host.is_null() {
            return;
        }
        (&*host, CStr::from_ptr(path))
    };
    if !host.record_files.load(Ordering::Acquire) {
        return;
    }
    if let Ok(mut opened) = host.opened.lock() {
        let file = OpenedFile {
            path: path.to_string_lossy().into_owned(),
            write: write != 0,
            temporary: temporary != 0,
        };
        if !opened.contains(&file) {
            opened.push(file);
        }
    }
}

extern "C" fn message_callback(csound: *mut sys::CSOUND, attr: c_int, text: *const c_char) {
    if text.is_null() {
        return;
    }
    // SAFETY: the host data was set in `Csound::new` to a `HostData` that outlives the
    // instance (it is freed only after csoundDestroy); Csound passes a NUL-terminated string.
    let (host, text) = unsafe {
        let host = sys::csoundGetHostData(csound) as *const HostData;
        if host.is_null() {
            return;
        }
        (&*host, CStr::from_ptr(text).to_bytes())
    };
    if host.closing.load(Ordering::Acquire) {
        return;
    }
    if host.realtime.load(Ordering::Acquire) {
        host.ring.push(attr, text);
    } else if let Ok(mut log) = host.log.lock() {
        log.push_str(&String::from_utf8_lossy(text));
    }
}

/// MIDI devices named in a patch's options (`-M0`, `-Ma`, `-Q0`) open onto the host's
/// MIDI, which Csound reaches only through these callbacks. Host MIDI for the native mode
/// is not wired yet: input reads nothing and output is discarded.
extern "C" fn midi_open(_: *mut sys::CSOUND, user: *mut *mut c_void, _: *const c_char) -> c_int {
    if !user.is_null() {
        // SAFETY: Csound passes a valid slot for our per-device data; we keep none.
        unsafe { *user = std::ptr::null_mut() };
    }
    0
}

extern "C" fn midi_close(_: *mut sys::CSOUND, _: *mut c_void) -> c_int {
    0
}

/// The MIDI buffers of the instance behind `csound`.
///
/// # Safety
/// As [`named_values`]: only from callbacks on the owning thread.
unsafe fn midi_buffers<'a>(csound: *mut sys::CSOUND) -> Option<&'a mut MidiBuffers> {
    // SAFETY: the host data is our `HostData` (see `message_callback`).
    let host = unsafe { sys::csoundGetHostData(csound) as *const HostData };
    // SAFETY: see the function's contract.
    (!host.is_null()).then(|| unsafe { &mut *(*host).midi.get() })
}

/// Csound reads the host's MIDI for this k-cycle (native mode).
extern "C" fn midi_read(csound: *mut sys::CSOUND, _: *mut c_void, buf: *mut u8, n: c_int) -> c_int {
    // SAFETY: called inside csoundPerformKsmps on the owning thread; `buf` has room for
    // `n` bytes.
    unsafe {
        let Some(midi) = midi_buffers(csound) else {
            return 0;
        };
        let count = midi.input_len.min(n.max(0) as usize);
        std::ptr::copy_nonoverlapping(midi.input.as_ptr(), buf, count);
        midi.input.copy_within(count..midi.input_len, 0);
        midi.input_len -= count;
        count as c_int
    }
}

/// Csound sends MIDI (`midiout`, `noteon`…): kept for the host, in order.
extern "C" fn midi_write(
    csound: *mut sys::CSOUND,
    _: *mut c_void,
    buf: *const u8,
    n: c_int,
) -> c_int {
    // SAFETY: as in `midi_read`; `buf` holds `n` bytes.
    unsafe {
        if let Some(midi) = midi_buffers(csound) {
            let count = (MIDI_BUFFER - midi.output_len).min(n.max(0) as usize);
            std::ptr::copy_nonoverlapping(
                buf,
                midi.output.as_mut_ptr().add(midi.output_len),
                count,
            );
            midi.output_len += count;
        }
    }
    n
}

extern "C" {
    // Csound's variable types, exported by libcsound64: `invalue`/`outvalue` pass one of
    // them to say whether the value is a number or a string.
    static CS_VAR_TYPE_K: c_void;
    static CS_VAR_TYPE_I: c_void;
}

/// The named-value table of the instance behind `csound`.
///
/// # Safety
/// Only from Csound's callbacks, which run on the thread that owns the instance while
/// no `&mut` borrow of the table is live.
unsafe fn named_values<'a>(csound: *mut sys::CSOUND) -> Option<&'a mut NamedValues> {
    // SAFETY: as in `message_callback`: the host data is our `HostData`.
    let host = unsafe { sys::csoundGetHostData(csound) as *const HostData };
    // SAFETY: see the function's contract.
    (!host.is_null()).then(|| unsafe { &mut *(*host).named.get() })
}

/// Whether a channel callback's type is a number (k or i), not a string.
fn is_number(channel_type: *const c_void) -> bool {
    // Only the statics' addresses are taken, never their contents.
    let (k, i) = (
        std::ptr::addr_of!(CS_VAR_TYPE_K),
        std::ptr::addr_of!(CS_VAR_TYPE_I),
    );
    channel_type == k || channel_type == i
}

extern "C" fn invalue_callback(
    csound: *mut sys::CSOUND,
    name: *const c_char,
    value: *mut c_void,
    channel_type: *const c_void,
) {
    if name.is_null() || value.is_null() || !is_number(channel_type) {
        return;
    }
    // SAFETY: Csound passes a NUL-terminated name and, for a number, a MYFLT to fill;
    // this runs inside csoundPerformKsmps on the owning thread.
    unsafe {
        let name = CStr::from_ptr(name).to_bytes();
        let found = named_values(csound)
            .and_then(|n| n.inputs.iter().find(|(k, _)| k.as_bytes() == name))
            .map_or(0.0, |(_, v)| *v);
        *(value as *mut f64) = found;
    }
}

extern "C" fn outvalue_callback(
    csound: *mut sys::CSOUND,
    name: *const c_char,
    value: *mut c_void,
    channel_type: *const c_void,
) {
    if name.is_null() || value.is_null() || !is_number(channel_type) {
        return;
    }
    // SAFETY: as in `invalue_callback`; for a number `value` points at a MYFLT.
    unsafe {
        let name = CStr::from_ptr(name).to_bytes();
        if let Some(entry) = named_values(csound)
            .and_then(|n| n.outputs.iter_mut().find(|(k, _)| k.as_bytes() == name))
        {
            entry.1 = *(value as *const f64);
        }
    }
}

/// Why a Csound call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsoundError {
    /// A Csound API call returned an error code.
    #[error("{action} failed (Csound returned {code})")]
    Call {
        /// What was being done.
        action: &'static str,
        /// Csound's return code.
        code: i32,
    },
    /// The text holds a NUL byte, which cannot reach Csound's C API.
    #[error("{0}: the text contains a NUL byte")]
    Nul(&'static str),
    /// `csoundCreate` returned no instance.
    #[error("Csound could not create an instance")]
    Create,
    /// The loaded libcsound is not the 64-bit-sample build this code is written for.
    #[error(
        "the loaded Csound library uses {0}-byte samples; Csound Plug needs the 64-bit \
         (double) build, libcsound64"
    )]
    SampleSize(usize),
}

/// `text` as a C string for `action`; text with a NUL byte cannot reach Csound.
fn c_string(text: &str, action: &'static str) -> Result<CString, CsoundError> {
    CString::new(text).map_err(|_| CsoundError::Nul(action))
}

fn check(action: &'static str, code: c_int) -> Result<(), CsoundError> {
    if code == sys::CSOUND_SUCCESS {
        Ok(())
    } else {
        Err(CsoundError::Call { action, code })
    }
}

/// Checks once that the loaded library's samples (`MYFLT`) are the `f64` every buffer
/// and channel pointer here is read as; a 32-bit build would be read as garbage.
fn check_sample_size() -> Result<(), CsoundError> {
    static SIZE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    // SAFETY: csoundGetSizeOfMYFLT takes no arguments and only returns a constant.
    let size = *SIZE.get_or_init(|| unsafe { sys::csoundGetSizeOfMYFLT() } as usize);
    if size == std::mem::size_of::<f64>() {
        Ok(())
    } else {
        Err(CsoundError::SampleSize(size))
    }
}

/// One Csound instance, destroyed when dropped.
pub struct Csound {
    ptr: NonNull<sys::CSOUND>,
    host: Box<HostData>,
    /// Channel pointers from `csoundGetChannelPtr`, valid while `ptr` lives.
    channels: Vec<NonNull<f64>>,
}

// SAFETY: a Csound instance may be used from any thread as long as one thread at a time
// uses it; `Csound` is not `Sync` and every method takes `&mut self` or `&self` through a
// single owner, so moving it between threads (compiler → audio → retire) is sound.
unsafe impl Send for Csound {}

impl Csound {
    /// Creates an instance whose real-time messages go to `ring`. Audio and MIDI are
    /// host-implemented: Csound opens no devices and no sound files for output.
    pub fn new(ring: Arc<MessageRing>) -> Result<Self, CsoundError> {
        initialize_library();
        check_sample_size()?;
        let host = Box::new(HostData {
            midi: std::cell::UnsafeCell::new(MidiBuffers {
                input: [0; MIDI_BUFFER],
                input_len: 0,
                output: [0; MIDI_BUFFER],
                output_len: 0,
            }),
            named: Default::default(),
            log: Mutex::new(String::new()),
            realtime: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            ring,
            opened: Mutex::new(Vec::new()),
            record_files: AtomicBool::new(true),
            cabbage: OnceLock::new(),
            scratch: std::cell::UnsafeCell::new(vec![0; native::SCRATCH].into_boxed_slice()),
        });
        // SAFETY: the host data pointer stays valid for the instance's life (the Box is
        // owned by the returned value and dropped after csoundDestroy).
        let raw = unsafe { sys::csoundCreate(&*host as *const HostData as *mut c_void) };
        let ptr = NonNull::new(raw).ok_or(CsoundError::Create)?;
        LIVE_INSTANCES.fetch_add(1, Ordering::SeqCst);
        CREATED_INSTANCES.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `ptr` is a live instance; the callback only reads the host data.
        unsafe {
            sys::csoundSetMessageStringCallback(ptr.as_ptr(), message_callback);
            sys::csoundSetHostImplementedAudioIO(ptr.as_ptr(), 1, 0);
            sys::csoundSetHostImplementedMIDIIO(ptr.as_ptr(), 1);
            sys::csoundSetExternalMidiInOpenCallback(ptr.as_ptr(), Some(midi_open));
            sys::csoundSetExternalMidiOutOpenCallback(ptr.as_ptr(), Some(midi_open));
            sys::csoundSetExternalMidiReadCallback(ptr.as_ptr(), Some(midi_read));
            sys::csoundSetExternalMidiWriteCallback(ptr.as_ptr(), Some(midi_write));
            sys::csoundSetExternalMidiInCloseCallback(ptr.as_ptr(), Some(midi_close));
            sys::csoundSetExternalMidiOutCloseCallback(ptr.as_ptr(), Some(midi_close));
            sys::csoundSetInputChannelCallback(ptr.as_ptr(), Some(invalue_callback));
            sys::csoundSetOutputChannelCallback(ptr.as_ptr(), Some(outvalue_callback));
            sys::csoundSetFileOpenCallback(ptr.as_ptr(), Some(file_open_callback));
            native::register(ptr.as_ptr());
        }
        Ok(Self {
            ptr,
            host,
            channels: Vec::new(),
        })
    }

    fn raw(&self) -> *mut sys::CSOUND {
        self.ptr.as_ptr()
    }

    /// The files Csound opened so far, each once, in order (recorded until the instance
    /// performs in real time, and after [`Csound::record_opened_files`]).
    pub fn opened_files(&self) -> Vec<OpenedFile> {
        self.host
            .opened
            .lock()
            .map(|opened| opened.clone())
            .unwrap_or_default()
    }

    /// Gives the native Cabbage opcodes the widget updates, saved values and folders
    /// they work on; before compiling, once (a second call is ignored).
    pub fn link_cabbage(&mut self, links: CabbageLinks) {
        let _ = self.host.cabbage.set(links);
    }

    /// `csoundSetOption`: one command-line style option, before compiling.
    pub fn set_option(&mut self, option: &str) -> Result<(), CsoundError> {
        let option = c_string(option, "csoundSetOption")?;
        // SAFETY: live instance, NUL-terminated string that Csound copies.
        check("csoundSetOption", unsafe {
            sys::csoundSetOption(self.raw(), option.as_ptr())
        })
    }

    /// `csoundCompileCsdText`: compiles a whole `.csd` given as text.
    pub fn compile_csd_text(&mut self, text: &str) -> Result<(), CsoundError> {
        let text = c_string(text, "csoundCompileCsdText")?;
        let _turn = parser_turn();
        // SAFETY: live instance, NUL-terminated text that Csound copies.
        check("csoundCompileCsdText", unsafe {
            sys::csoundCompileCsdText(self.raw(), text.as_ptr())
        })
    }

    /// `csoundCompileOrc`: compiles more orchestra code; its global code runs now.
    pub fn compile_orc(&mut self, text: &str) -> Result<(), CsoundError> {
        let text = c_string(text, "csoundCompileOrc")?;
        let _turn = parser_turn();
        // SAFETY: live instance, NUL-terminated text that Csound copies.
        check("csoundCompileOrc", unsafe {
            sys::csoundCompileOrc(self.raw(), text.as_ptr())
        })
    }

    /// Every name in `orc` after Csound's preprocessor has expanded its macros and
    /// `#include`s (opcodes, functions, variables, labels), with the line Csound gives it;
    /// `None` when the orchestra does not parse. Compiles nothing.
    pub fn orchestra_names(&mut self, orc: &str) -> Option<Vec<(String, usize)>> {
        let text = c_string(orc, "csoundParseOrc").ok()?;
        let turn = parser_turn();
        // SAFETY: live instance, NUL-terminated text; the tree is Csound's until deleted.
        let tree = unsafe { sys::csoundParseOrc(self.raw(), text.as_ptr()) };
        drop(turn);
        if tree.is_null() {
            return None;
        }
        let mut names = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Iterative: statement lists are long `next` chains.
        let mut pending = vec![tree];
        while let Some(node) = pending.pop() {
            if !seen.insert(node) {
                continue;
            }
            // SAFETY: every pointer in the tree is null or a node/token Csound made.
            let node = unsafe { &*node };
            if let Some(token) = unsafe { node.value.as_ref() } {
                if !token.lexeme.is_null() {
                    // SAFETY: a token's lexeme is a NUL-terminated string.
                    let lexeme = unsafe { CStr::from_ptr(token.lexeme) };
                    names.push((
                        lexeme.to_string_lossy().into_owned(),
                        node.line.max(0) as usize,
                    ));
                }
            }
            for next in [node.left, node.right, node.next] {
                if !next.is_null() {
                    pending.push(next);
                }
            }
        }
        // SAFETY: the tree came from csoundParseOrc on this instance.
        unsafe { sys::csoundDeleteTree(self.raw(), tree) };
        Some(names)
    }

    /// The names of every opcode this Csound knows (`csoundNewOpcodeList`), sorted,
    /// without duplicates (an opcode has one entry per type signature).
    pub fn opcode_names(&mut self) -> Vec<String> {
        let mut list: *mut sys::opcodeListEntry = std::ptr::null_mut();
        // SAFETY: live instance; Csound allocates the list and returns its length.
        let count = unsafe { sys::csoundNewOpcodeList(self.raw(), &mut list) };
        if count <= 0 || list.is_null() {
            return Vec::new();
        }
        // SAFETY: `list` holds `count` entries with NUL-terminated names until disposed.
        let mut names: Vec<String> = unsafe {
            std::slice::from_raw_parts(list, count as usize)
                .iter()
                .filter(|entry| !entry.opname.is_null())
                .map(|entry| CStr::from_ptr(entry.opname).to_string_lossy().into_owned())
                .collect()
        };
        // SAFETY: the list came from csoundNewOpcodeList on this instance.
        unsafe { sys::csoundDisposeOpcodeList(self.raw(), list) };
        names.sort();
        names.dedup();
        names
    }

    /// `csoundStart`: runs the header and instr 0, prepares performance.
    pub fn start(&mut self) -> Result<(), CsoundError> {
        // SAFETY: live instance.
        check("csoundStart", unsafe { sys::csoundStart(self.raw()) })
    }

    /// `csoundPerformKsmps`: one k-cycle. Returns `true` when the performance has ended
    /// (score finished, `exitnow`, or an error) and no audio was produced.
    pub fn perform_ksmps(&mut self) -> bool {
        // SAFETY: live, started instance; only the owning thread calls this.
        unsafe { sys::csoundPerformKsmps(self.raw()) != 0 }
    }

    /// The values `invalue` reads and `outvalue` writes. Size the tables off the audio
    /// thread; updating values in place is real-time safe.
    pub fn named_values(&mut self) -> &mut NamedValues {
        // SAFETY: `&mut self` excludes our other borrows, and Csound's callbacks only run
        // inside `perform_ksmps`, which also needs `&mut self`.
        unsafe { &mut *self.host.named.get() }
    }

    /// Queues MIDI bytes for Csound's MIDI input, read at the next k-cycle (native mode).
    /// Real-time safe; bytes that do not fit are dropped.
    pub fn queue_midi(&mut self, bytes: &[u8]) {
        // SAFETY: `&mut self` excludes the callbacks (they run inside `perform_ksmps`).
        let midi = unsafe { &mut *self.host.midi.get() };
        let count = (MIDI_BUFFER - midi.input_len).min(bytes.len());
        midi.input[midi.input_len..midi.input_len + count].copy_from_slice(&bytes[..count]);
        midi.input_len += count;
    }

    /// Takes the MIDI bytes Csound sent since the last call into `out`; returns the count.
    /// Real-time safe.
    pub fn take_midi_output(&mut self, out: &mut [u8]) -> usize {
        // SAFETY: as in `queue_midi`.
        let midi = unsafe { &mut *self.host.midi.get() };
        let count = midi.output_len.min(out.len());
        out[..count].copy_from_slice(&midi.output[..count]);
        midi.output.copy_within(count..midi.output_len, 0);
        midi.output_len -= count;
        count
    }

    /// `csoundSetScoreOffsetSeconds` then `csoundRewindScore`: the patch's score restarts
    /// at `seconds` (events before it are skipped), as a host's locate asks.
    pub fn seek_score(&mut self, seconds: f64) {
        // SAFETY: live instance; called between k-cycles by the owning thread.
        unsafe {
            sys::csoundSetScoreOffsetSeconds(self.raw(), seconds.max(0.0));
            sys::csoundRewindScore(self.raw());
        }
    }

    /// `csoundGetA4`: the patch's tuning of A4.
    pub fn a4(&self) -> f64 {
        // SAFETY: live instance.
        unsafe { sys::csoundGetA4(self.raw()) }
    }

    /// From now on messages go into the lock-free ring (call before real-time use).
    pub fn enter_realtime(&mut self) {
        self.host.realtime.store(true, Ordering::Release);
        self.host.record_files.store(false, Ordering::Release);
    }

    /// Records the files Csound opens again (see [`Csound::opened_files`]): for playing
    /// a patch off line after [`Csound::enter_realtime`], never on an audio thread.
    pub fn record_opened_files(&mut self) {
        self.host.record_files.store(true, Ordering::Release);
    }

    /// Takes the text Csound printed so far outside real-time use.
    pub fn take_log(&mut self) -> String {
        self.host
            .log
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }

    /// `csoundGetSr`.
    pub fn sr(&self) -> f64 {
        // SAFETY: live instance.
        unsafe { sys::csoundGetSr(self.raw()) }
    }

    /// `csoundGetKsmps`.
    pub fn ksmps(&self) -> usize {
        // SAFETY: live instance.
        unsafe { sys::csoundGetKsmps(self.raw()) as usize }
    }

    /// `csoundGetNchnls`: output channels.
    pub fn nchnls(&self) -> usize {
        // SAFETY: live instance.
        unsafe { sys::csoundGetNchnls(self.raw()) as usize }
    }

    /// `csoundGetNchnlsInput`: input channels.
    pub fn nchnls_input(&self) -> usize {
        // SAFETY: live instance.
        unsafe { sys::csoundGetNchnlsInput(self.raw()) as usize }
    }

    /// `csoundGet0dBFS`.
    pub fn zero_dbfs(&self) -> f64 {
        // SAFETY: live instance.
        unsafe { sys::csoundGet0dBFS(self.raw()) }
    }

    /// `csoundGetSpin`: the input buffer of one k-cycle, `ksmps * nchnls_i` interleaved
    /// samples. Valid after `start`.
    pub fn spin(&mut self) -> &mut [f64] {
        let len = self.ksmps() * self.nchnls_input();
        // SAFETY: after csoundStart, spin holds ksmps*nchnls_i MYFLTs (MYFLT is f64 in
        // libcsound64) and lives as long as the instance; `&mut self` makes it exclusive.
        unsafe {
            let ptr = sys::csoundGetSpin(self.raw()) as *mut f64;
            if ptr.is_null() || len == 0 {
                return &mut [];
            }
            std::slice::from_raw_parts_mut(ptr, len)
        }
    }

    /// `csoundGetSpout`: the output of the last k-cycle, `ksmps * nchnls` interleaved samples.
    pub fn spout(&self) -> &[f64] {
        let len = self.ksmps() * self.nchnls();
        // SAFETY: after csoundStart, spout holds ksmps*nchnls MYFLTs for the instance's life.
        unsafe {
            let ptr = sys::csoundGetSpout(self.raw()) as *const f64;
            if ptr.is_null() || len == 0 {
                return &[];
            }
            std::slice::from_raw_parts(ptr, len)
        }
    }

    /// `csoundScoreEvent`: a real-time score event (`'i'`, `'f'`, `'e'`), its p2 relative
    /// to the start of the next k-cycle.
    pub fn score_event(&mut self, kind: u8, pfields: &[f64]) -> Result<(), CsoundError> {
        // SAFETY: live instance; Csound copies `pfields` before returning.
        check("csoundScoreEvent", unsafe {
            sys::csoundScoreEvent(
                self.raw(),
                kind as c_char,
                pfields.as_ptr(),
                pfields.len() as std::ffi::c_long,
            )
        })
    }
}

impl Drop for Csound {
    fn drop(&mut self) {
        self.host.closing.store(true, Ordering::Release);
        // SAFETY: the instance is live and owned; nothing uses it after this. The host
        // data is dropped afterwards, when `self.host` goes.
        unsafe { sys::csoundDestroy(self.raw()) };
        LIVE_INSTANCES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A control channel's cached pointer, looked up once off the audio thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelId(usize);

/// Direction of a control channel (Csound's `CSOUND_INPUT_CHANNEL` / `CSOUND_OUTPUT_CHANNEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelMode {
    /// Written by the host, read by the patch.
    Input,
    /// Written by the patch, read by the host.
    Output,
}

impl Csound {
    /// `csoundGetChannelPtr` for a control channel (creating it if the patch did not);
    /// the pointer is cached with the instance and stays valid for its life.
    pub fn control_channel(
        &mut self,
        name: &str,
        mode: ChannelMode,
    ) -> Result<ChannelId, CsoundError> {
        let direction = match mode {
            ChannelMode::Input => sys::CSOUND_INPUT_CHANNEL,
            ChannelMode::Output => sys::CSOUND_OUTPUT_CHANNEL,
        };
        let ptr = self.channel_pointer(name, sys::CSOUND_CONTROL_CHANNEL | direction)?;
        self.channels.push(ptr);
        Ok(ChannelId(self.channels.len() - 1))
    }

    /// Writes a cached control channel (no look-up, no lock, no allocation).
    pub fn set_control(&mut self, id: ChannelId, value: f64) {
        // SAFETY: the pointer came from csoundGetChannelPtr of this instance, which is
        // alive; a control channel is one MYFLT.
        unsafe { self.channels[id.0].as_ptr().write_volatile(value) }
    }

    /// Reads a cached control channel.
    pub fn control(&self, id: ChannelId) -> f64 {
        // SAFETY: as in `set_control`.
        unsafe { self.channels[id.0].as_ptr().read_volatile() }
    }
}

impl Csound {
    /// `csoundReadScore`: adds score text (with the full score syntax, e.g. `f0 z`).
    pub fn read_score(&mut self, score: &str) -> Result<(), CsoundError> {
        let score = c_string(score, "csoundReadScore")?;
        // SAFETY: live instance; Csound copies the text.
        check("csoundReadScore", unsafe {
            sys::csoundReadScore(self.raw(), score.as_ptr())
        })
    }
}

/// A control channel as `csoundListChannels` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelInfo {
    /// The channel's name.
    pub name: String,
    /// Written by the host (`chn_k "x", 1` or 3).
    pub input: bool,
    /// Written by the patch (`chn_k "x", 2` or 3).
    pub output: bool,
    /// The declaration's hints (`chn_k` with a type), if any.
    pub hints: Option<ChannelHints>,
}

/// How a channel's value behaves (`chn_k`'s `itype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelBehaviour {
    /// Whole numbers (itype 1).
    Integer,
    /// Linear (itype 2).
    Linear,
    /// Exponential (itype 3).
    Exponential,
}

/// A `chn_k` declaration's range and default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelHints {
    /// The value's behaviour.
    pub behaviour: ChannelBehaviour,
    /// `idflt`: a hint only; the channel holds 0 until written.
    pub default: f64,
    /// `imin`.
    pub min: f64,
    /// `imax`.
    pub max: f64,
}

fn channel_hints(hints: &sys::controlChannelHints_t) -> Option<ChannelHints> {
    let behaviour = match hints.behav {
        sys::CSOUND_CONTROL_CHANNEL_INT => ChannelBehaviour::Integer,
        sys::CSOUND_CONTROL_CHANNEL_LIN => ChannelBehaviour::Linear,
        sys::CSOUND_CONTROL_CHANNEL_EXP => ChannelBehaviour::Exponential,
        _ => return None,
    };
    Some(ChannelHints {
        behaviour,
        default: hints.dflt,
        min: hints.min,
        max: hints.max,
    })
}

impl Csound {
    /// `csoundListChannels`, control channels only (alphabetical, as Csound lists them).
    /// Not for the audio thread.
    pub fn control_channels(&mut self) -> Vec<ChannelInfo> {
        let mut list: *mut sys::controlChannelInfo_t = std::ptr::null_mut();
        // SAFETY: live instance; Csound allocates the list and we free it below.
        let count = unsafe { sys::csoundListChannels(self.raw(), &mut list) };
        if count <= 0 || list.is_null() {
            return Vec::new();
        }
        // SAFETY: Csound returned `count` entries at `list`, each with a NUL-terminated
        // name, valid until csoundDeleteChannelList.
        let channels = unsafe {
            std::slice::from_raw_parts(list, count as usize)
                .iter()
                .filter(|c| {
                    c.type_ as u32 & sys::CSOUND_CHANNEL_TYPE_MASK == sys::CSOUND_CONTROL_CHANNEL
                })
                .map(|c| ChannelInfo {
                    name: CStr::from_ptr(c.name).to_string_lossy().into_owned(),
                    input: c.type_ as u32 & sys::CSOUND_INPUT_CHANNEL != 0,
                    output: c.type_ as u32 & sys::CSOUND_OUTPUT_CHANNEL != 0,
                    hints: channel_hints(&c.hints),
                })
                .collect()
        };
        // SAFETY: `list` came from csoundListChannels of this instance.
        unsafe { sys::csoundDeleteChannelList(self.raw(), list) };
        channels
    }

    /// `csoundGetControlChannel` by name (a look-up: not for the audio thread).
    pub fn get_control_channel(&mut self, name: &str) -> Option<f64> {
        let name = CString::new(name).ok()?;
        let mut err: c_int = 0;
        // SAFETY: live instance, NUL-terminated name, `err` receives the status.
        let value = unsafe { sys::csoundGetControlChannel(self.raw(), name.as_ptr(), &mut err) };
        (err == sys::CSOUND_SUCCESS).then_some(value)
    }

    /// The data of string channel `name` (creating it if the patch did not), to read in
    /// place with [`read_string`]: Csound keeps the channel's `STRINGDAT` where it is for
    /// the instance's life, though it may move the text when a longer one is set.
    pub(crate) fn string_channel_data(&mut self, name: &str) -> Option<NonNull<c_void>> {
        let both = sys::CSOUND_INPUT_CHANNEL | sys::CSOUND_OUTPUT_CHANNEL;
        self.channel_pointer(name, sys::CSOUND_STRING_CHANNEL | both)
            .ok()
            .map(NonNull::cast)
    }

    /// `csoundGetChannelPtr`: the data of channel `name` of type and direction `flags`,
    /// made if the patch did not make it.
    fn channel_pointer(&mut self, name: &str, flags: u32) -> Result<NonNull<f64>, CsoundError> {
        let name = c_string(name, "csoundGetChannelPtr")?;
        let mut ptr: *mut f64 = std::ptr::null_mut();
        // SAFETY: live instance; Csound writes the channel's data pointer into `ptr`.
        let code = unsafe {
            sys::csoundGetChannelPtr(self.raw(), &mut ptr, name.as_ptr(), flags as c_int)
        };
        check("csoundGetChannelPtr", code)?;
        NonNull::new(ptr).ok_or(CsoundError::Call {
            action: "csoundGetChannelPtr (null pointer)",
            code: -1,
        })
    }

    /// `csoundSetStringChannel`: sets a string channel (creating it if the patch did
    /// not). A look-up in Csound's channel table under its spin lock; Csound allocates
    /// only when `value` is longer than the channel's buffer.
    pub fn set_string_channel(&mut self, name: &CStr, value: &CStr) {
        // SAFETY: live instance, NUL-terminated texts; Csound copies `value` and does not
        // write through the pointer its C signature leaves mutable.
        unsafe {
            sys::csoundSetStringChannel(self.raw(), name.as_ptr(), value.as_ptr().cast_mut())
        };
    }

    /// `csoundSetControlChannel` by name (a look-up: not for the audio thread).
    pub fn set_control_channel(&mut self, name: &str, value: f64) {
        if let Ok(name) = CString::new(name) {
            // SAFETY: live instance, NUL-terminated name.
            unsafe { sys::csoundSetControlChannel(self.raw(), name.as_ptr(), value) };
        }
    }
}

/// Csound's `STRINGDAT`: a string channel's text and the size of its buffer.
#[repr(C)]
struct StringData {
    data: *const std::ffi::c_char,
    size: c_int,
}

/// The text of a string channel from [`Csound::string_channel_data`], without its NUL
/// (empty when it has none).
///
/// # Safety
/// `data` must come from `string_channel_data` of a live instance, and nothing may set
/// the channel while the text is read: call it from the thread that performs.
pub(crate) unsafe fn read_string<'a>(data: NonNull<c_void>) -> &'a [u8] {
    // SAFETY: the caller's promise; the buffer holds `size` bytes, NUL-terminated.
    unsafe {
        let string = &*data.as_ptr().cast::<StringData>();
        if string.data.is_null() || string.size <= 0 {
            return &[];
        }
        let bytes = std::slice::from_raw_parts(string.data.cast::<u8>(), string.size as usize);
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        &bytes[..end]
    }
}
