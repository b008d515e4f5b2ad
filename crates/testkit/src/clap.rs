//! A small CLAP host for integration tests: loads the built `.clap` bundle with `clack-host`,
//! instantiates a plugin by id and drives it the way a DAW does.
//!
//! Thread model (CLAP spec): the test thread that creates a [`HostedPlugin`] is its main thread;
//! every `[main-thread]` call (activate, extensions, state, `on_main_thread`) is made from it.
//! Each [`HostedPlugin::render`] runs `start_processing` / `process` / `stop_processing` on a
//! separate audio thread, while the main thread keeps answering `request_callback`. The host
//! declares `thread-check` (so the plugin sees the same split), `latency`, `log` and `params`.
//!
//! The extensions come from `clack-extensions`: the host implements its side of `thread-check`,
//! `latency`, `log` and `params` through the crate's `Host*Impl` traits, and reads the plugin's
//! `audio-ports`, `note-ports`, `latency`, `params` and `state` through the crate's safe
//! wrappers. Parameter changes reach the plugin as `CLAP_EVENT_PARAM_VALUE` events in
//! [`HostedPlugin::render`]'s event list. [`HostedPlugin::render_with`] also gives the
//! plugin a [`Transport`] with every block and returns the events the plugin sent
//! ([`OutputEvent`]). The only `unsafe` left is loading the bundle.

use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

use serde_json::Value;

use clack_extensions::audio_ports::{AudioPortFlags, AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::latency::{HostLatency, HostLatencyImpl, PluginLatency};
use clack_extensions::log::{HostLog, HostLogImpl, LogSeverity};
use clack_extensions::note_ports::{
    NoteDialect, NoteDialects, NotePortInfoBuffer, PluginNotePorts,
};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamInfoBuffer,
    ParamInfoFlags, ParamRescanFlags, PluginParams,
};
use clack_extensions::state::PluginState;
use clack_extensions::thread_check::{HostThreadCheck, HostThreadCheckImpl};
use clack_host::events::event_types::{
    MidiEvent, NoteOffEvent, NoteOnEvent, ParamValueEvent, TransportEvent, TransportFlags,
};
use clack_host::events::spaces::CoreEventSpace;
use clack_host::events::{EventFlags, EventHeader, Match, UnknownEvent};
use clack_host::prelude::*;
use clack_host::utils::{BeatTime, SecondsTime};

/// CLAP id of the instrument entry ("Csound Plug").
pub const INSTRUMENT_ID: &str = "org.csound-plug.instrument";
/// CLAP id of the effect entry ("Csound Plug FX").
pub const FX_ID: &str = "org.csound-plug.fx";

/// File name of the bundle made by `cargo xtask bundle csound_plug --release`.
pub const BUNDLE_NAME: &str = "Csound Plug.clap";

/// Path of the `.clap` bundle under test: `$CSOUND_PLUG_BUNDLE_DIR/Csound Plug.clap`, the
/// directory defaulting to `target/bundled` in this crate.
pub fn bundle_path() -> PathBuf {
    crate::bundle_dir().join(BUNDLE_NAME)
}

/// Where the plugins loaded by this test process log (set before the first load).
static LOG_FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// What the plugins of this test process have logged so far (all instances).
pub fn plugin_log() -> String {
    LOG_FILE
        .get()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default()
}

/// Waits up to `seconds` until the plugins' log holds `text` more than `before` times
/// (messages come from the compiler thread, a little after the call that causes them).
pub fn logged_more_than(text: &str, before: usize, seconds: u32) -> bool {
    (0..seconds * 10).any(|_| {
        let found = plugin_log().matches(text).count() > before;
        if !found {
            std::thread::sleep(Duration::from_millis(100));
        }
        found
    })
}

/// Loads the bundle's CLAP entry, panicking with a hint when the bundle has not been built.
pub fn load_bundle() -> PluginEntry {
    // The plugin's log (nice-plug's logger reads this once, at the first load).
    LOG_FILE.get_or_init(|| {
        let path =
            std::env::temp_dir().join(format!("csound-plug-test-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        std::env::set_var("NICE_LOG", &path);
        path
    });
    let path = bundle_path();
    assert!(
        path.exists(),
        "CLAP bundle not found at {}: run `cargo xtask bundle csound_plug --release` first \
         (or point CSOUND_PLUG_BUNDLE_DIR at the directory holding it)",
        path.display()
    );
    // SAFETY: loading a shared library runs its initialisers; the bundle is this project's own
    // build output, and clack checks the exported `clap_entry` before using it.
    match unsafe { PluginEntry::load(&path) } {
        Ok(entry) => entry,
        Err(err) => panic!("could not load the CLAP entry of {}: {err}", path.display()),
    }
}

/// `(id, name)` of every plugin the entry's plugin factory lists, in factory order.
pub fn plugin_descriptors(entry: &PluginEntry) -> Vec<(String, String)> {
    let factory = entry
        .get_plugin_factory()
        .expect("the bundle exposes no CLAP plugin factory");
    factory
        .plugin_descriptors()
        .map(|d| {
            let text = |s: Option<&CStr>| s.map(|s| s.to_string_lossy().into_owned());
            (
                text(d.id()).unwrap_or_default(),
                text(d.name()).unwrap_or_default(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Host side
// ---------------------------------------------------------------------------------------------

thread_local! {
    /// Set on the thread that runs [`HostedPlugin::render`]'s processing loop.
    static IS_AUDIO_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// The host's callback handler set (type glue for `clack-host`).
pub struct TestHost;

/// Host state shared by all threads of one plugin instance.
pub struct TestHostShared {
    /// The thread that created the instance: the CLAP main thread.
    main_thread: ThreadId,
    /// The plugin asked for `on_main_thread` to be called.
    callback_requested: AtomicBool,
    /// The plugin asked to be deactivated and re-activated.
    restart_requested: AtomicBool,
    /// The plugin asked for processing to (re)start.
    process_requested: AtomicBool,
    /// Number of `latency.changed` calls received.
    latency_changed: AtomicU32,
    /// The flags of every `params.rescan` call received, in order.
    param_rescans: Mutex<Vec<ParamRescanFlags>>,
    /// Number of `params.request_flush` calls received.
    param_flush_requests: AtomicU32,
    /// Messages the plugin sent through the `log` extension.
    log: Mutex<Vec<String>>,
    /// Host callbacks the plugin made from the wrong thread.
    violations: Mutex<Vec<String>>,
}

impl TestHostShared {
    fn new() -> Self {
        Self {
            main_thread: std::thread::current().id(),
            callback_requested: AtomicBool::new(false),
            restart_requested: AtomicBool::new(false),
            process_requested: AtomicBool::new(false),
            latency_changed: AtomicU32::new(0),
            param_rescans: Mutex::new(Vec::new()),
            param_flush_requests: AtomicU32::new(0),
            log: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
        }
    }

    fn violation(&self, what: &str) {
        self.violations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what.to_owned());
    }
}

impl<'a> SharedHandler<'a> for TestHostShared {
    fn request_restart(&self) {
        self.restart_requested.store(true, Ordering::SeqCst);
    }

    fn request_process(&self) {
        self.process_requested.store(true, Ordering::SeqCst);
    }

    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::SeqCst);
    }
}

/// Main-thread host state: a view of the shared state, where main-thread callbacks record.
pub struct TestHostMainThread<'a> {
    shared: &'a TestHostShared,
}

impl<'a> MainThreadHandler<'a> for TestHostMainThread<'a> {}

impl HostHandlers for TestHost {
    type Shared<'a> = TestHostShared;
    type MainThread<'a> = TestHostMainThread<'a>;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostThreadCheck>()
            .register::<HostLatency>()
            .register::<HostLog>()
            .register::<HostParams>();
    }
}

impl HostThreadCheckImpl for TestHostShared {
    fn is_main_thread(&self) -> bool {
        std::thread::current().id() == self.main_thread
    }

    fn is_audio_thread(&self) -> bool {
        IS_AUDIO_THREAD.with(Cell::get)
    }
}

impl HostLatencyImpl for TestHostMainThread<'_> {
    fn changed(&self) {
        // `clack-host` routes this `[main-thread]` callback here from whatever thread the
        // plugin called it on, so the thread is checked here.
        if !self.shared.is_main_thread() {
            self.shared
                .violation("latency.changed() called off the main thread");
        }
        self.shared.latency_changed.fetch_add(1, Ordering::SeqCst);
    }
}

impl HostParamsImplShared for TestHostShared {
    fn request_flush(&self) {
        self.param_flush_requests.fetch_add(1, Ordering::SeqCst);
    }
}

impl HostParamsImplMainThread for TestHostMainThread<'_> {
    fn rescan(&self, flags: ParamRescanFlags) {
        if !self.shared.is_main_thread() {
            self.shared
                .violation("params.rescan() called off the main thread");
        }
        self.shared
            .param_rescans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(flags);
    }

    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {
        if !self.shared.is_main_thread() {
            self.shared
                .violation("params.clear() called off the main thread");
        }
    }
}

impl HostLogImpl for TestHostShared {
    fn log(&self, severity: LogSeverity, message: &str) {
        eprintln!("[plugin log, {severity}] {message}");
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{severity}: {message}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Plugin ports
// ---------------------------------------------------------------------------------------------

/// One audio port, as the plugin's `audio-ports` extension describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioPortInfo {
    /// Stable port id.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// `CLAP_AUDIO_PORT_IS_MAIN` is set.
    pub is_main: bool,
    /// Number of channels.
    pub channel_count: u32,
    /// Port type (`"mono"`, `"stereo"`, ...), if given and not empty.
    pub port_type: Option<String>,
}

/// One note port, as the plugin's `note-ports` extension describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotePortInfo {
    /// Stable port id.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// The note dialects the port accepts.
    pub supported_dialects: NoteDialects,
    /// The dialect the plugin prefers, if it names a known one.
    pub preferred_dialect: Option<NoteDialect>,
}

/// One parameter, as the plugin's `params` extension describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    /// Stable parameter id (what events and `get_value` address).
    pub id: u32,
    /// Display name.
    pub name: String,
    /// Module path (group), `/`-separated.
    pub module: String,
    /// Lowest plain value.
    pub min: f64,
    /// Highest plain value.
    pub max: f64,
    /// Plain default value.
    pub default: f64,
    /// `CLAP_PARAM_*` flags.
    pub flags: ParamInfoFlags,
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// An input event to send (a note, MIDI, or a parameter change), at an absolute sample position
/// from the start of a render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoteEvent {
    /// CLAP note-on (`velocity` 0..=1).
    On {
        /// Sample position.
        time: usize,
        /// MIDI channel 0..=15.
        channel: u16,
        /// MIDI key 0..=127.
        key: u16,
        /// Velocity 0..=1.
        velocity: f64,
    },
    /// CLAP note-off.
    Off {
        /// Sample position.
        time: usize,
        /// MIDI channel 0..=15.
        channel: u16,
        /// MIDI key 0..=127.
        key: u16,
    },
    /// Raw MIDI 1.0 message on note port 0.
    Midi {
        /// Sample position.
        time: usize,
        /// Status and two data bytes.
        data: [u8; 3],
    },
    /// `CLAP_EVENT_PARAM_VALUE` for every note, key and channel.
    Param {
        /// Sample position.
        time: usize,
        /// Parameter id.
        id: u32,
        /// New plain value.
        value: f64,
    },
}

impl NoteEvent {
    /// CLAP note-on on channel 0 with a MIDI-style velocity (0..=127).
    pub fn on(time: usize, key: u16, midi_velocity: u8) -> Self {
        Self::On {
            time,
            channel: 0,
            key,
            velocity: f64::from(midi_velocity) / 127.0,
        }
    }

    /// CLAP note-off on channel 0.
    pub fn off(time: usize, key: u16) -> Self {
        Self::Off {
            time,
            channel: 0,
            key,
        }
    }

    /// A parameter change: `id` to the plain `value` at `time`.
    pub fn param(time: usize, id: u32, value: f64) -> Self {
        Self::Param { time, id, value }
    }

    /// Sample position of the event.
    pub fn time(&self) -> usize {
        match *self {
            Self::On { time, .. }
            | Self::Off { time, .. }
            | Self::Midi { time, .. }
            | Self::Param { time, .. } => time,
        }
    }

    /// Pushes the event into `buffer` at `time - block_start`.
    fn push_to(&self, buffer: &mut EventBuffer, block_start: usize) {
        let offset = u32::try_from(self.time() - block_start).expect("event offset fits u32");
        match *self {
            Self::On {
                channel,
                key,
                velocity,
                ..
            } => buffer.push(&NoteOnEvent::new(
                offset,
                Pckn::new(0u16, channel, key, Match::All),
                velocity,
            )),
            Self::Off { channel, key, .. } => buffer.push(&NoteOffEvent::new(
                offset,
                Pckn::new(0u16, channel, key, Match::All),
                0.0,
            )),
            Self::Midi { data, .. } => buffer.push(&MidiEvent::new(offset, 0, data)),
            Self::Param { id, value, .. } => buffer.push(&ParamValueEvent::new(
                offset,
                ClapId::new(id),
                Pckn::match_all(),
                value,
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

/// The host's transport as one block sees it (`clap_event_transport`, passed as `process`'s
/// `transport`). `None` fields are left out of the event (their `HAS_*` flag is clear).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transport {
    /// Tempo in BPM (`HAS_TEMPO`).
    pub tempo: Option<f64>,
    /// `IS_PLAYING`.
    pub playing: bool,
    /// `IS_RECORDING`.
    pub recording: bool,
    /// Song position in quarter notes (`HAS_BEATS_TIMELINE`).
    pub beats: Option<f64>,
    /// Song position in seconds (`HAS_SECONDS_TIMELINE`).
    pub seconds: Option<f64>,
    /// Time signature (numerator, denominator) (`HAS_TIME_SIGNATURE`).
    pub time_signature: Option<(u16, u16)>,
}

impl Transport {
    /// Playing at `tempo` from `seconds` into the song, with both timelines (the beat
    /// position follows from the tempo) and a 4/4 time signature.
    pub fn playing(tempo: f64, seconds: f64) -> Self {
        Self {
            tempo: Some(tempo),
            playing: true,
            recording: false,
            beats: Some(seconds * tempo / 60.0),
            seconds: Some(seconds),
            time_signature: Some((4, 4)),
        }
    }

    /// The same transport, stopped where it is.
    pub fn stopped(self) -> Self {
        Self {
            playing: false,
            ..self
        }
    }

    /// The same transport with the song position in beats only (no seconds timeline).
    pub fn beats_only(self) -> Self {
        Self {
            seconds: None,
            ..self
        }
    }

    /// This transport `frames` later at `sample_rate`: a playing transport has moved on (the
    /// beat position at its tempo), a stopped one stays where it is.
    pub fn advanced(&self, frames: usize, sample_rate: f64) -> Self {
        if !self.playing {
            return *self;
        }
        let elapsed = frames as f64 / sample_rate;
        Self {
            seconds: self.seconds.map(|s| s + elapsed),
            beats: match (self.beats, self.tempo) {
                (Some(beats), Some(tempo)) => Some(beats + elapsed * tempo / 60.0),
                (beats, _) => beats,
            },
            ..*self
        }
    }

    /// The CLAP transport event for a block (time 0).
    fn event(&self) -> TransportEvent {
        let mut flags = TransportFlags::empty();
        flags.set(TransportFlags::HAS_TEMPO, self.tempo.is_some());
        flags.set(TransportFlags::HAS_BEATS_TIMELINE, self.beats.is_some());
        flags.set(TransportFlags::HAS_SECONDS_TIMELINE, self.seconds.is_some());
        flags.set(
            TransportFlags::HAS_TIME_SIGNATURE,
            self.time_signature.is_some(),
        );
        flags.set(TransportFlags::IS_PLAYING, self.playing);
        flags.set(TransportFlags::IS_RECORDING, self.recording);
        let (numerator, denominator) = self.time_signature.unwrap_or((4, 4));
        let beats = self.beats.unwrap_or(0.0);
        // Bars of `numerator` notes of 1/`denominator`, in quarter notes.
        let bar_length = f64::from(numerator) * 4.0 / f64::from(denominator.max(1));
        let bar_number = (beats / bar_length).floor();
        TransportEvent {
            header: EventHeader::new_core(0, EventFlags::empty()),
            flags,
            song_pos_beats: BeatTime::from_float(beats),
            song_pos_seconds: SecondsTime::from_float(self.seconds.unwrap_or(0.0)),
            tempo: self.tempo.unwrap_or(0.0),
            tempo_inc: 0.0,
            loop_start_beats: BeatTime::from_int(0),
            loop_end_beats: BeatTime::from_int(0),
            loop_start_seconds: SecondsTime::from_int(0),
            loop_end_seconds: SecondsTime::from_int(0),
            bar_start: BeatTime::from_float(bar_number * bar_length),
            bar_number: bar_number as i32,
            time_signature_numerator: numerator,
            time_signature_denominator: denominator,
        }
    }
}

/// The transport of the block starting at `block_start`: the last of `changes` (sorted
/// `(frame, transport)` pairs) at or before it, advanced by the frames since; `None` before
/// the first (no transport given).
fn transport_at(
    changes: &[(usize, Transport)],
    block_start: usize,
    sample_rate: f64,
) -> Option<Transport> {
    changes
        .iter()
        .take_while(|(at, _)| *at <= block_start)
        .last()
        .map(|(at, transport)| transport.advanced(block_start - at, sample_rate))
}

// ---------------------------------------------------------------------------------------------
// Output events
// ---------------------------------------------------------------------------------------------

/// An event the plugin sent to the host from `process`, at an absolute sample position from the
/// start of a render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutputEvent {
    /// `CLAP_EVENT_NOTE_ON`.
    NoteOn {
        /// Sample position.
        time: usize,
        /// Note port index.
        port: i16,
        /// MIDI channel 0..=15 (-1: any).
        channel: i16,
        /// Key 0..=127 (-1: any).
        key: i16,
        /// Velocity 0..=1.
        velocity: f64,
    },
    /// `CLAP_EVENT_NOTE_OFF`.
    NoteOff {
        /// Sample position.
        time: usize,
        /// Note port index.
        port: i16,
        /// MIDI channel 0..=15 (-1: any).
        channel: i16,
        /// Key 0..=127 (-1: any).
        key: i16,
        /// Release velocity 0..=1.
        velocity: f64,
    },
    /// `CLAP_EVENT_MIDI`.
    Midi {
        /// Sample position.
        time: usize,
        /// Note port index.
        port: u16,
        /// Status and two data bytes.
        data: [u8; 3],
    },
    /// Any other event (parameter values and gestures, note ends, expressions…).
    Other {
        /// Sample position.
        time: usize,
        /// Event space id (0: core).
        space_id: u16,
        /// Event type.
        type_id: u16,
    },
}

impl OutputEvent {
    /// Sample position of the event.
    pub fn time(&self) -> usize {
        match *self {
            Self::NoteOn { time, .. }
            | Self::NoteOff { time, .. }
            | Self::Midi { time, .. }
            | Self::Other { time, .. } => time,
        }
    }

    /// The event read from the plugin's output list, `block_start` added to its time.
    fn from_unknown(event: &UnknownEvent, block_start: usize) -> Self {
        let header = event.header();
        let time = block_start + header.time() as usize;
        match event.as_core_event() {
            Some(CoreEventSpace::NoteOn(e)) => {
                let raw = e.as_raw();
                Self::NoteOn {
                    time,
                    port: raw.port_index,
                    channel: raw.channel,
                    key: raw.key,
                    velocity: raw.velocity,
                }
            }
            Some(CoreEventSpace::NoteOff(e)) => {
                let raw = e.as_raw();
                Self::NoteOff {
                    time,
                    port: raw.port_index,
                    channel: raw.channel,
                    key: raw.key,
                    velocity: raw.velocity,
                }
            }
            Some(CoreEventSpace::Midi(e)) => Self::Midi {
                time,
                port: e.port_index(),
                data: e.data(),
            },
            _ => Self::Other {
                time,
                space_id: header.as_raw().space_id,
                type_id: header.type_id(),
            },
        }
    }
}

/// What [`HostedPlugin::render_with`] got back.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The main output port's channels.
    pub audio: Vec<Vec<f32>>,
    /// Every output port passed, in port order (the main one included).
    pub ports: Vec<Vec<Vec<f32>>>,
    /// The plugin's output events, in the order sent.
    pub events: Vec<OutputEvent>,
}

// ---------------------------------------------------------------------------------------------
// The hosted plugin
// ---------------------------------------------------------------------------------------------

/// A plugin instance from the bundle, with the host state needed to drive it.
///
/// Not `Send`: it must stay on the thread that created it (the CLAP main thread).
pub struct HostedPlugin {
    instance: PluginInstance<TestHost>,
    processor: Option<StoppedPluginAudioProcessor<TestHost>>,
    config: Option<PluginAudioConfiguration>,
    steady_time: u64,
    id: String,
    /// How many of the plugin's input ports `render` passes (all when `None`), as a host
    /// that leaves an optional side-chain out does.
    input_ports_passed: Option<usize>,
    /// The same for output ports.
    output_ports_passed: Option<usize>,
    /// What `render` feeds the first auxiliary input port (the side-chain), per channel.
    side_chain: Vec<Vec<f32>>,
}

impl HostedPlugin {
    /// Creates and initialises the plugin `plugin_id` from `entry` on the calling thread.
    pub fn new(entry: &PluginEntry, plugin_id: &str) -> Self {
        let host_info = HostInfo::new(
            "Csound Plug test host",
            "Csound Plug",
            "https://example.invalid/csound-plug",
            env!("CARGO_PKG_VERSION"),
        )
        .expect("host info strings have no NUL");
        let id = CString::new(plugin_id).expect("plugin id has no NUL");
        let instance = PluginInstance::<TestHost>::new(
            |_| TestHostShared::new(),
            |shared| TestHostMainThread { shared },
            entry,
            &id,
            &host_info,
        )
        .unwrap_or_else(|err| panic!("could not instantiate {plugin_id}: {err}"));
        Self {
            instance,
            processor: None,
            config: None,
            input_ports_passed: None,
            output_ports_passed: None,
            side_chain: Vec::new(),
            steady_time: 0,
            id: plugin_id.to_owned(),
        }
    }

    /// The CLAP id this instance was created from.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Number of audio ports on one side (`audio-ports` extension; 0 without it).
    pub fn audio_port_count(&mut self, is_input: bool) -> u32 {
        let handle = self.instance.plugin_handle();
        handle
            .get_extension::<PluginAudioPorts>()
            .map_or(0, |ext| ext.count(&handle, is_input))
    }

    /// Every audio port on one side, in port order.
    pub fn audio_ports(&mut self, is_input: bool) -> Vec<AudioPortInfo> {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginAudioPorts>() else {
            return Vec::new();
        };
        let mut buffer = AudioPortInfoBuffer::new();
        (0..ext.count(&handle, is_input))
            .map(|index| {
                let info = ext
                    .get(&handle, index, is_input, &mut buffer)
                    .unwrap_or_else(|| {
                        panic!("audio-ports get({index}, input: {is_input}) failed")
                    });
                AudioPortInfo {
                    id: info.id.get(),
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    is_main: info.flags.contains(AudioPortFlags::IS_MAIN),
                    channel_count: info.channel_count,
                    port_type: info.port_type.map(|t| t.0.to_string_lossy().into_owned()),
                }
            })
            .collect()
    }

    /// Selects the audio-ports configuration named `name` (`audio-ports-config`; only while
    /// inactive). Returns whether the plugin has one of that name and took it.
    pub fn select_ports_config(&mut self, name: &str) -> bool {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginAudioPortsConfig>() else {
            return false;
        };
        let mut buffer = AudioPortsConfigBuffer::new();
        let id = (0..ext.count(&handle)).find_map(|index| {
            ext.get(&handle, index, &mut buffer)
                .filter(|config| config.name == name.as_bytes())
                .map(|config| config.id)
        });
        id.is_some_and(|id| ext.select(&handle, id).is_ok())
    }

    /// Makes [`render`](Self::render) pass only the first `count` input ports, or all
    /// again with `None`.
    pub fn pass_input_ports(&mut self, count: Option<usize>) {
        self.input_ports_passed = count;
    }

    /// Makes [`render`](Self::render) pass only the first `count` output ports (a host
    /// that leaves the optional outputs out), or all again with `None`.
    pub fn pass_output_ports(&mut self, count: Option<usize>) {
        self.output_ports_passed = count;
    }

    /// Makes [`render`](Self::render) feed `side_chain` (one buffer per channel) to the
    /// first auxiliary input port; missing samples are silence.
    pub fn feed_side_chain(&mut self, side_chain: Vec<Vec<f32>>) {
        self.side_chain = side_chain;
    }

    /// Every note port on one side (`note-ports` extension; empty without it).
    pub fn note_ports(&mut self, is_input: bool) -> Vec<NotePortInfo> {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginNotePorts>() else {
            return Vec::new();
        };
        let mut buffer = NotePortInfoBuffer::new();
        (0..ext.count(&handle, is_input))
            .map(|index| {
                let info = ext
                    .get(&handle, index, is_input, &mut buffer)
                    .unwrap_or_else(|| panic!("note-ports get({index}, input: {is_input}) failed"));
                NotePortInfo {
                    id: info.id.get(),
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    supported_dialects: info.supported_dialects,
                    preferred_dialect: info.preferred_dialect,
                }
            })
            .collect()
    }

    /// Activates at `sample_rate` for host blocks of 1..=`max_block` frames.
    pub fn activate(&mut self, sample_rate: f64, max_block: u32) {
        assert!(self.processor.is_none(), "{} is already active", self.id);
        let config = PluginAudioConfiguration {
            sample_rate,
            min_frames_count: 1,
            max_frames_count: max_block,
        };
        let processor = self
            .instance
            .activate(|_, _| (), config)
            .unwrap_or_else(|err| panic!("activating {} failed: {err}", self.id));
        self.processor = Some(processor);
        self.config = Some(config);
        self.service_main_thread();
    }

    /// Deactivates (no-op when inactive).
    pub fn deactivate(&mut self) {
        if let Some(processor) = self.processor.take() {
            self.instance.deactivate(processor);
        }
        self.config = None;
    }

    /// Whether the plugin is active.
    pub fn is_active(&self) -> bool {
        self.processor.is_some()
    }

    /// Latency in samples reported by the `latency` extension (`[main-thread]`).
    pub fn latency(&mut self) -> u32 {
        self.service_main_thread();
        let handle = self.instance.plugin_handle();
        handle
            .get_extension::<PluginLatency>()
            .expect("plugin has no latency extension")
            .get(&handle)
    }

    /// Number of `latency.changed` notifications received so far.
    pub fn latency_changed_count(&self) -> u32 {
        self.instance
            .access_shared_handler(|s| s.latency_changed.load(Ordering::SeqCst))
    }

    /// Number of parameters (`params` extension; 0 without it).
    pub fn param_count(&mut self) -> u32 {
        let handle = self.instance.plugin_handle();
        handle
            .get_extension::<PluginParams>()
            .map_or(0, |ext| ext.count(&handle))
    }

    /// Every parameter, in the plugin's order (`params` extension; empty without it).
    pub fn params(&mut self) -> Vec<ParamInfo> {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginParams>() else {
            return Vec::new();
        };
        let mut buffer = ParamInfoBuffer::new();
        (0..ext.count(&handle))
            .map(|index| {
                let info = ext
                    .get_info(&handle, index, &mut buffer)
                    .unwrap_or_else(|| panic!("params get_info({index}) failed"));
                let text = |bytes: &[u8]| {
                    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                    String::from_utf8_lossy(&bytes[..end]).into_owned()
                };
                ParamInfo {
                    id: info.id.get(),
                    name: text(info.name),
                    module: text(info.module),
                    min: info.min_value,
                    max: info.max_value,
                    default: info.default_value,
                    flags: info.flags,
                }
            })
            .collect()
    }

    /// The parameter called `name`, panicking if there is none.
    pub fn param_named(&mut self, name: &str) -> ParamInfo {
        let params = self.params();
        params
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("{}: no parameter named {name:?}", self.id))
    }

    fn params_ext(&mut self) -> PluginParams {
        self.instance
            .plugin_handle()
            .get_extension::<PluginParams>()
            .unwrap_or_else(|| panic!("{} has no params extension", self.id))
    }

    /// The parameter's current plain value (`params.get_value`), `None` if the plugin refuses.
    pub fn param_value(&mut self, id: u32) -> Option<f64> {
        let ext = self.params_ext();
        ext.get_value(&self.instance.plugin_handle(), ClapId::new(id))
    }

    /// The plugin's text for the plain `value` of a parameter (`params.value_to_text`).
    pub fn param_value_text(&mut self, id: u32, value: f64) -> Option<String> {
        let ext = self.params_ext();
        let mut buffer = [0u8; 256];
        ext.value_to_text(
            &self.instance.plugin_handle(),
            ClapId::new(id),
            value,
            &mut buffer,
        )
        .ok()
        .map(|text| String::from_utf8_lossy(text).into_owned())
    }

    /// The plugin's text for a parameter's current value.
    pub fn param_text(&mut self, id: u32) -> Option<String> {
        let value = self.param_value(id)?;
        self.param_value_text(id, value)
    }

    /// The plain value the plugin reads from `text` (`params.text_to_value`).
    pub fn param_text_to_value(&mut self, id: u32, text: &str) -> Option<f64> {
        let ext = self.params_ext();
        let text = CString::new(text).expect("parameter text has no NUL");
        ext.text_to_value(&self.instance.plugin_handle(), ClapId::new(id), &text)
    }

    /// The flags of every `params.rescan` call received so far, in order.
    pub fn param_rescans(&self) -> Vec<ParamRescanFlags> {
        self.instance.access_shared_handler(|s| {
            s.param_rescans
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        })
    }

    /// Number of `params.request_flush` calls received so far.
    pub fn param_flush_requests(&self) -> u32 {
        self.instance
            .access_shared_handler(|s| s.param_flush_requests.load(Ordering::SeqCst))
    }

    /// Saves the plugin state (`state` extension) into a byte vector.
    pub fn save_state(&mut self) -> Vec<u8> {
        self.service_main_thread();
        let handle = self.instance.plugin_handle();
        let ext = handle
            .get_extension::<PluginState>()
            .expect("plugin has no state extension");
        let mut bytes = Vec::new();
        ext.save(&handle, &mut bytes)
            .unwrap_or_else(|err| panic!("state save of {} failed: {err}", self.id));
        bytes
    }

    /// Loads a state saved by [`save_state`](Self::save_state); returns the plugin's verdict.
    pub fn load_state(&mut self, mut bytes: &[u8]) -> bool {
        let handle = self.instance.plugin_handle();
        let ext = handle
            .get_extension::<PluginState>()
            .expect("plugin has no state extension");
        let ok = ext.load(&handle, &mut bytes).is_ok();
        self.service_main_thread();
        ok
    }

    /// Messages the plugin logged through the host's `log` extension.
    pub fn log_messages(&self) -> Vec<String> {
        self.instance
            .access_shared_handler(|s| s.log.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Host callbacks the plugin made from a thread the CLAP spec does not allow.
    pub fn thread_violations(&self) -> Vec<String> {
        self.instance.access_shared_handler(|s| {
            s.violations
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        })
    }

    /// Answers pending plugin requests as a host's main loop would: calls `on_main_thread` if
    /// asked, and restarts (deactivate + activate with the same configuration) if asked.
    pub fn service_main_thread(&mut self) {
        self.call_on_main_thread_if_requested();
        let restart = self
            .instance
            .access_shared_handler(|s| s.restart_requested.swap(false, Ordering::SeqCst));
        if restart {
            if let Some(config) = self.config {
                self.deactivate();
                self.activate(config.sample_rate, config.max_frames_count);
            }
        }
        self.call_on_main_thread_if_requested();
    }

    fn call_on_main_thread_if_requested(&mut self) {
        let requested = self
            .instance
            .access_shared_handler(|s| s.callback_requested.swap(false, Ordering::SeqCst));
        if requested {
            self.instance.call_on_main_thread_callback();
        }
    }

    /// Processes `frames` samples in host blocks of `block_size` (the last one may be shorter)
    /// and returns the main output port's channels.
    ///
    /// `main_input` feeds the main input port, channel by channel (missing channels and samples
    /// are silence); every other input port gets silence. `events` (notes, MIDI and parameter
    /// changes) may come in any order: they are sorted by time (stably, so events at the same
    /// time keep their order) and each lands in its block at `time - block_start`. Processing
    /// runs on a separate audio thread between `start_processing` and `stop_processing`.
    /// No transport is given (a free-running host).
    pub fn render(
        &mut self,
        main_input: &[Vec<f32>],
        frames: usize,
        block_size: usize,
        events: &[NoteEvent],
    ) -> Vec<Vec<f32>> {
        self.render_with(main_input, frames, block_size, events, &[])
            .audio
    }

    /// [`render`](Self::render) with the host's transport, also returning the events the
    /// plugin sent.
    ///
    /// `transport` holds `(frame, transport)` changes sorted by frame: each block gets the last
    /// change at or before its first frame, its position advanced by the frames since (see
    /// [`Transport::advanced`]), so a change between block starts takes effect with the next
    /// block; blocks before the first change get none. The plugin's output events come back
    /// with their times made absolute (block start + event time).
    pub fn render_with(
        &mut self,
        main_input: &[Vec<f32>],
        frames: usize,
        block_size: usize,
        events: &[NoteEvent],
        transport: &[(usize, Transport)],
    ) -> Rendered {
        assert!(
            transport.windows(2).all(|w| w[0].0 <= w[1].0),
            "transport changes are not sorted by frame"
        );
        self.service_main_thread();
        let config = self
            .config
            .unwrap_or_else(|| panic!("render: {} is not active", self.id));
        assert!(
            block_size >= 1 && block_size <= config.max_frames_count as usize,
            "block size {block_size} outside 1..={}",
            config.max_frames_count
        );

        let mut input_ports = self.audio_ports(true);
        if let Some(count) = self.input_ports_passed {
            input_ports.truncate(count);
        }
        let mut output_ports = self.audio_ports(false);
        if let Some(count) = self.output_ports_passed {
            output_ports.truncate(count);
        }
        let side_input_index = input_ports.iter().position(|p| !p.is_main);
        let side_chain = &self.side_chain.clone();
        let main_input_index = input_ports.iter().position(|p| p.is_main);
        assert!(
            main_input.is_empty() || main_input_index.is_some(),
            "{} has no main audio input for the given signal",
            self.id
        );
        let main_output_index = output_ports
            .iter()
            .position(|p| p.is_main)
            .unwrap_or_else(|| panic!("{} has no main audio output", self.id));

        let mut events = events.to_vec();
        events.sort_by_key(NoteEvent::time);
        if let Some(last) = events.last() {
            assert!(
                last.time() < frames,
                "event at {} past the render",
                last.time()
            );
        }

        let processor = self
            .processor
            .take()
            .expect("active plugin has a processor");
        let steady_start = self.steady_time;
        let id = self.id.clone();

        let (processor, output, sent) = std::thread::scope(|scope| {
            let audio = scope.spawn(move || {
                IS_AUDIO_THREAD.with(|flag| flag.set(true));
                let channel_counts = |ports: &[AudioPortInfo]| -> Vec<usize> {
                    ports.iter().map(|p| p.channel_count as usize).collect()
                };
                let in_counts = channel_counts(&input_ports);
                let out_counts = channel_counts(&output_ports);
                let max_block = config.max_frames_count as usize;
                let mut in_bufs: Vec<Vec<Vec<f32>>> = in_counts
                    .iter()
                    .map(|&n| vec![vec![0.0; max_block]; n])
                    .collect();
                let mut out_bufs: Vec<Vec<Vec<f32>>> = out_counts
                    .iter()
                    .map(|&n| vec![vec![0.0; max_block]; n])
                    .collect();
                let mut in_ports =
                    AudioPorts::with_capacity(in_counts.iter().sum(), in_counts.len());
                let mut out_ports =
                    AudioPorts::with_capacity(out_counts.iter().sum(), out_counts.len());
                let mut in_events = EventBuffer::with_capacity(events.len().max(1));
                let mut out_events = EventBuffer::with_capacity(64);
                let mut result: Vec<Vec<Vec<f32>>> = out_counts
                    .iter()
                    .map(|&n| vec![Vec::with_capacity(frames); n])
                    .collect();
                let mut sent = Vec::new();

                let mut started = processor
                    .start_processing()
                    .unwrap_or_else(|err| panic!("start_processing of {id} failed: {err}"));
                let mut steady_time = steady_start;
                let mut next_event = 0;
                let mut start = 0;
                while start < frames {
                    let n = block_size.min(frames - start);

                    in_events.clear();
                    while next_event < events.len() && events[next_event].time() < start + n {
                        events[next_event].push_to(&mut in_events, start);
                        next_event += 1;
                    }
                    in_events.sort();
                    out_events.clear();

                    for (port_index, port) in in_bufs.iter_mut().enumerate() {
                        for (channel_index, channel) in port.iter_mut().enumerate() {
                            let source = if Some(port_index) == main_input_index {
                                main_input.get(channel_index)
                            } else if Some(port_index) == side_input_index {
                                side_chain.get(channel_index)
                            } else {
                                None
                            };
                            for (i, sample) in channel[..n].iter_mut().enumerate() {
                                *sample = source
                                    .and_then(|s| s.get(start + i))
                                    .copied()
                                    .unwrap_or(0.0);
                            }
                        }
                    }
                    // Unwritten output would show up as NaN in the result.
                    for port in out_bufs.iter_mut() {
                        for channel in port.iter_mut() {
                            channel[..n].fill(f32::NAN);
                        }
                    }

                    let audio_in = in_ports.with_input_buffers(in_bufs.iter_mut().map(|port| {
                        AudioPortBuffer {
                            latency: 0,
                            channels: AudioPortBufferType::f32_input_only(
                                port.iter_mut().map(|c| InputChannel::variable(&mut c[..n])),
                            ),
                        }
                    }));
                    let mut audio_out =
                        out_ports.with_output_buffers(out_bufs.iter_mut().map(|port| {
                            AudioPortBuffer {
                                latency: 0,
                                channels: AudioPortBufferType::f32_output_only(
                                    port.iter_mut().map(|c| &mut c[..n]),
                                ),
                            }
                        }));
                    let block_transport =
                        transport_at(transport, start, config.sample_rate).map(|t| t.event());
                    started
                        .process(
                            &audio_in,
                            &mut audio_out,
                            &in_events.as_input(),
                            &mut out_events.as_output(),
                            Some(steady_time),
                            block_transport.as_ref(),
                        )
                        .unwrap_or_else(|err| {
                            panic!("process() of {id} failed in the block at sample {start}: {err}")
                        });
                    for event in out_events.iter() {
                        let time = event.header().time() as usize;
                        assert!(
                            time < n,
                            "{id} sent an event at {time} in a block of {n} (at sample {start})"
                        );
                        sent.push(OutputEvent::from_unknown(event, start));
                    }

                    for (port, bufs) in result.iter_mut().zip(&out_bufs) {
                        for (channel, out) in port.iter_mut().zip(bufs) {
                            channel.extend_from_slice(&out[..n]);
                        }
                    }
                    steady_time += n as u64;
                    start += n;
                }
                (started.stop_processing(), result, sent)
            });

            // Meanwhile, the main thread answers the plugin's main-thread callback requests.
            while !audio.is_finished() {
                self.call_on_main_thread_if_requested();
                std::thread::sleep(Duration::from_millis(1));
            }
            match audio.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });

        self.processor = Some(processor);
        self.steady_time = steady_start + frames as u64;
        self.service_main_thread();

        for (port_index, port) in output.iter().enumerate() {
            for (channel_index, channel) in port.iter().enumerate() {
                if let Some(i) = channel.iter().position(|s| !s.is_finite()) {
                    panic!(
                        "{}: output port {port_index} channel {channel_index} sample {i} is {} \
                         (not written or not finite)",
                        self.id, channel[i]
                    );
                }
            }
        }
        Rendered {
            audio: output[main_output_index].clone(),
            ports: output,
            events: sent,
        }
    }
}

impl Drop for HostedPlugin {
    fn drop(&mut self) {
        self.deactivate();
    }
}

// ---------------------------------------------------------------------------------------------
// nice-plug state framing
// ---------------------------------------------------------------------------------------------

/// Decodes a state saved through CLAP by a nice-plug plugin: an 8-byte little-endian length,
/// then that many bytes of (uncompressed) JSON.
pub fn decode_nice_plug_state(bytes: &[u8]) -> serde_json::Value {
    assert!(
        bytes.len() >= 8,
        "state is {} bytes, shorter than its header",
        bytes.len()
    );
    let (header, json) = bytes.split_at(8);
    let length = u64::from_le_bytes(header.try_into().expect("8-byte header"));
    assert_eq!(
        length,
        json.len() as u64,
        "state length header does not match the data"
    );
    serde_json::from_slice(json).unwrap_or_else(|err| panic!("state is not JSON: {err}"))
}

/// Encodes a JSON state the way [`decode_nice_plug_state`] reads it.
pub fn encode_nice_plug_state(state: &serde_json::Value) -> Vec<u8> {
    let json = serde_json::to_vec(state).expect("JSON values serialise");
    let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(&json);
    bytes
}

/// The `.csd` text inside a saved state.
pub fn patch_code(state: &Value) -> String {
    let inner = state["fields"]["state"]
        .as_str()
        .unwrap_or_else(|| panic!("no fields.state string in {state}"));
    let inner: Value = serde_json::from_str(inner).expect("fields.state is JSON");
    assert_eq!(inner["version"], 3, "state version: {inner}");
    inner["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {inner}"))
        .to_owned()
}

/// A new, inactive instance of `id` from `entry` whose state holds `code` (the way a
/// host restores a session), so ports can be chosen before it is activated.
pub fn hosted_with_patch(entry: &PluginEntry, id: &str, code: &str) -> HostedPlugin {
    let mut plugin = HostedPlugin::new(entry, id);
    let state = decode_nice_plug_state(&plugin.save_state());
    assert!(
        plugin.load_state(&encode_nice_plug_state(&with_patch_code(&state, code))),
        "{id}: loading a state with a patch failed"
    );
    plugin
}

/// The state of a session playing `code`: `state` with its `.csd` text replaced and its
/// slot map and preset emptied (as if only this code had ever played).
pub fn with_patch_code(state: &Value, code: &str) -> Value {
    edit_inner(state, |inner| {
        inner["code"] = Value::String(code.to_owned());
        inner["slots"] = serde_json::json!({});
        inner["preset"] = Value::Null;
    })
}

/// `state` with `key` of the plugin's own state object set to `value` (e.g. the
/// `folder` a patch was loaded from).
pub fn with_state_field(state: &Value, key: &str, value: Value) -> Value {
    edit_inner(state, |inner| inner[key] = value)
}

/// `state` with its `.csd` text replaced by `code`, everything else (the slot map) kept:
/// an edit of the code the state holds.
pub fn with_edited_code(state: &Value, code: &str) -> Value {
    edit_inner(state, |inner| {
        inner["code"] = Value::String(code.to_owned())
    })
}

/// `state` with the plugin's own state object changed by `edit`.
fn edit_inner(state: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut state = state.clone();
    let mut inner: Value = serde_json::from_str(
        state["fields"]["state"]
            .as_str()
            .expect("fields.state string"),
    )
    .expect("fields.state is JSON");
    edit(&mut inner);
    state["fields"]["state"] = Value::String(inner.to_string());
    state
}
