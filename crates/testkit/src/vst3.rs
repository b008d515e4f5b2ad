//! A small VST3 host for integration tests: it talks to a plugin factory through the
//! `vst3` crate's COM bindings, either the built `.vst3` bundle's (loaded like a DAW loads
//! it) or the one this test process links in (so that a test's global allocator sees every
//! allocation the wrapper makes). It covers what the tests need: parameters through the
//! edit controller, `process()` with parameter changes and note events, and state.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::PathBuf;
use vst3::Steinberg::Vst::{
    AudioBusBuffers, AudioBusBuffers__type0, BusDirections_, BusInfo, BusInfo_, Event, Event_,
    Event__type0, IAudioProcessor, IAudioProcessorTrait, IComponent, IComponentTrait,
    IEditController, IEditControllerTrait, IEventList, IEventListTrait, IParamValueQueue,
    IParamValueQueueTrait, IParameterChanges, IParameterChangesTrait, MediaTypes_, NoteOffEvent,
    NoteOnEvent, ParamID, ParamValue, ParameterInfo, ProcessData, ProcessModes_, ProcessSetup,
    SymbolicSampleSizes_,
};
use vst3::Steinberg::{
    int32, int64, kInvalidArgument, kResultFalse, kResultOk, tresult, IBStream, IBStreamTrait,
    IBStream_::IStreamSeekMode_, IPluginBaseTrait, IPluginFactory, IPluginFactoryTrait, PClassInfo,
    TUID,
};
use vst3::{Class, ComPtr, ComWrapper, Interface};

/// The bundle's shared library: `target/bundled` unless `CSOUND_PLUG_BUNDLE_DIR` says
/// where the bundles are.
pub fn bundle_library() -> PathBuf {
    crate::bundle_dir().join("Csound Plug.vst3/Contents/x86_64-linux/Csound Plug.so")
}

/// A plugin factory and, when it came from a bundle, the library that holds it.
pub struct Module {
    factory: ComPtr<IPluginFactory>,
    // Dropped after the factory: the library's code must outlive every object from it.
    _library: Option<libloading::Library>,
}

impl Module {
    /// Loads the built bundle as a Linux VST3 host does: `ModuleEntry`, then
    /// `GetPluginFactory`.
    pub fn load_bundle() -> Self {
        let path = bundle_library();
        assert!(
            path.exists(),
            "VST3 bundle not found at {}: run `cargo xtask bundle csound_plug --release` first",
            path.display()
        );
        // SAFETY: the library is this project's own build output; the two symbols have the
        // signatures the VST3 module format gives them.
        unsafe {
            let library = libloading::Library::new(&path).expect("the VST3 library loads");
            let entry: libloading::Symbol<unsafe extern "C" fn(*mut c_void) -> bool> =
                library.get(b"ModuleEntry").expect("ModuleEntry");
            assert!(entry(std::ptr::null_mut()), "ModuleEntry failed");
            let get_factory: libloading::Symbol<unsafe extern "system" fn() -> *mut c_void> =
                library.get(b"GetPluginFactory").expect("GetPluginFactory");
            let factory = get_factory();
            let mut module = Self::from_factory(factory);
            module._library = Some(library);
            module
        }
    }

    /// Wraps a factory pointer returned by a `GetPluginFactory` (taking its reference).
    ///
    /// # Safety
    /// `factory` must be a valid `IPluginFactory` pointer with a reference for the caller.
    pub unsafe fn from_factory(factory: *mut c_void) -> Self {
        let factory = unsafe { ComPtr::from_raw(factory as *mut IPluginFactory) }
            .expect("GetPluginFactory returned a factory");
        Self {
            factory,
            _library: None,
        }
    }

    /// The names of the audio-module classes, in factory order.
    pub fn class_names(&self) -> Vec<String> {
        self.classes().into_iter().map(|(name, _)| name).collect()
    }

    fn classes(&self) -> Vec<(String, TUID)> {
        // SAFETY: plain factory queries into a PClassInfo this function owns.
        unsafe {
            (0..self.factory.countClasses())
                .filter_map(|index| {
                    let mut info: PClassInfo = std::mem::zeroed();
                    (self.factory.getClassInfo(index, &mut info) == kResultOk)
                        .then(|| (c_string(&info.name), info.cid))
                })
                .collect()
        }
    }

    /// Creates, initialises and sets up (48 kHz, up to `max_block` frames) the class named
    /// `name`.
    pub fn create(&self, name: &str, max_block: usize) -> Plugin {
        let (_, cid) = self
            .classes()
            .into_iter()
            .find(|(class, _)| class == name)
            .unwrap_or_else(|| panic!("no VST3 class named {name}"));
        // SAFETY: COM calls on objects the factory made; every out-pointer is local.
        unsafe {
            let mut object: *mut c_void = std::ptr::null_mut();
            let result = self.factory.createInstance(
                cid.as_ptr(),
                IComponent::IID.as_ptr() as *const _,
                &mut object,
            );
            assert_eq!(result, kResultOk, "createInstance");
            let component =
                ComPtr::from_raw(object as *mut IComponent).expect("a component was made");
            assert_eq!(component.initialize(std::ptr::null_mut()), kResultOk);
            let processor = component
                .cast::<IAudioProcessor>()
                .expect("the component is an audio processor");
            // nice-plug's component is its own edit controller.
            let controller = component
                .cast::<IEditController>()
                .expect("the component is its own edit controller");
            let mut setup = ProcessSetup {
                processMode: ProcessModes_::kRealtime as i32,
                symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
                maxSamplesPerBlock: max_block as i32,
                sampleRate: 48_000.0,
            };
            assert_eq!(processor.setupProcessing(&mut setup), kResultOk);
            let mut plugin = Plugin {
                component,
                processor,
                controller,
                inputs: Vec::new(),
                outputs: Vec::new(),
                max_block,
            };
            plugin.inputs = plugin.bus_channels(BusDirections_::kInput as i32);
            plugin.outputs = plugin.bus_channels(BusDirections_::kOutput as i32);
            plugin
        }
    }
}

/// A parameter as the edit controller describes it.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub id: ParamID,
    pub title: String,
    pub flags: i32,
}

/// One plugin instance: its component, processor and controller interfaces.
pub struct Plugin {
    component: ComPtr<IComponent>,
    processor: ComPtr<IAudioProcessor>,
    controller: ComPtr<IEditController>,
    /// Channel count of each audio input bus, and of each output bus.
    inputs: Vec<usize>,
    outputs: Vec<usize>,
    max_block: usize,
}

impl Plugin {
    fn bus_channels(&self, direction: i32) -> Vec<usize> {
        self.bus_infos(direction)
            .iter()
            .map(|info| info.channelCount as usize)
            .collect()
    }

    fn bus_infos(&self, direction: i32) -> Vec<BusInfo> {
        // SAFETY: bus queries into a BusInfo this function owns.
        unsafe {
            let audio = MediaTypes_::kAudio as i32;
            (0..self.component.getBusCount(audio, direction))
                .map(|index| {
                    let mut info: BusInfo = std::mem::zeroed();
                    assert_eq!(
                        self.component
                            .getBusInfo(audio, direction, index, &mut info),
                        kResultOk
                    );
                    info
                })
                .collect()
        }
    }

    /// Each audio bus's name and whether it starts active (`kDefaultActive`): inputs,
    /// then outputs.
    pub fn bus_names_and_defaults(&self) -> [Vec<(String, bool)>; 2] {
        let describe = |direction: i32| -> Vec<(String, bool)> {
            self.bus_infos(direction)
                .iter()
                .map(|info| {
                    let end = info
                        .name
                        .iter()
                        .position(|&c| c == 0)
                        .unwrap_or(info.name.len());
                    let name = String::from_utf16_lossy(&info.name[..end]);
                    let default_active = info.flags & BusInfo_::BusFlags_::kDefaultActive;
                    (name, default_active != 0)
                })
                .collect()
        };
        [
            describe(BusDirections_::kInput as i32),
            describe(BusDirections_::kOutput as i32),
        ]
    }

    /// `IComponent::activateBus` for audio bus `index` on the input or output side.
    pub fn activate_bus(&self, is_input: bool, index: i32, active: bool) -> tresult {
        let direction = match is_input {
            true => BusDirections_::kInput,
            false => BusDirections_::kOutput,
        } as i32;
        // SAFETY: a plain call with values.
        unsafe {
            self.component.activateBus(
                MediaTypes_::kAudio as i32,
                direction,
                index,
                u8::from(active),
            )
        }
    }

    /// Every parameter the controller lists, hidden ones included.
    pub fn parameters(&self) -> Vec<Parameter> {
        // SAFETY: controller queries into a ParameterInfo this function owns.
        unsafe {
            (0..self.controller.getParameterCount())
                .map(|index| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    assert_eq!(
                        self.controller.getParameterInfo(index, &mut info),
                        kResultOk
                    );
                    Parameter {
                        id: info.id,
                        title: String::from_utf16_lossy(
                            &info.title[..info.title.iter().position(|&c| c == 0).unwrap_or(0)],
                        ),
                        flags: info.flags,
                    }
                })
                .collect()
        }
    }

    /// The parameter flagged as the host's bypass.
    pub fn bypass_id(&self) -> Option<ParamID> {
        let bypass = vst3::Steinberg::Vst::ParameterInfo_::ParameterFlags_::kIsBypass;
        self.parameters()
            .into_iter()
            .find(|param| param.flags & bypass != 0)
            .map(|param| param.id)
    }

    /// `IEditController::setParamNormalized`.
    pub fn set_param(&self, id: ParamID, value: f64) -> tresult {
        // SAFETY: a plain controller call.
        unsafe { self.controller.setParamNormalized(id, value) }
    }

    /// `IEditController::getParamNormalized`.
    pub fn param(&self, id: ParamID) -> f64 {
        // SAFETY: a plain controller call.
        unsafe { self.controller.getParamNormalized(id) }
    }

    /// Channel counts of the audio input buses, then of the output buses.
    pub fn buses(&self) -> (Vec<usize>, Vec<usize>) {
        (self.inputs.clone(), self.outputs.clone())
    }

    /// `IAudioProcessor::setBusArrangements` with one speaker arrangement (a channel
    /// bit mask) per bus; [`Plugin::buffers`] then follows the buses the plugin reports.
    pub fn set_bus_arrangements(&mut self, inputs: &[u64], outputs: &[u64]) -> tresult {
        let (mut inputs, mut outputs) = (inputs.to_vec(), outputs.to_vec());
        // SAFETY: the arrays hold the counts passed with them.
        let result = unsafe {
            self.processor.setBusArrangements(
                inputs.as_mut_ptr(),
                inputs.len() as int32,
                outputs.as_mut_ptr(),
                outputs.len() as int32,
            )
        };
        self.inputs = self.bus_channels(BusDirections_::kInput as i32);
        self.outputs = self.bus_channels(BusDirections_::kOutput as i32);
        result
    }

    /// `setActive(true)` then `setProcessing(true)`.
    pub fn start(&self) {
        // SAFETY: plain lifecycle calls in the order the VST3 workflow gives.
        unsafe {
            assert_eq!(self.component.setActive(1), kResultOk);
            assert_eq!(self.processor.setProcessing(1), kResultOk);
        }
    }

    /// `setProcessing(false)` then `setActive(false)`.
    pub fn stop(&self) {
        // SAFETY: as in `start`.
        unsafe {
            self.processor.setProcessing(0);
            self.component.setActive(0);
        }
    }

    /// Buffers for [`Plugin::process`] sized for this instance's buses.
    pub fn buffers(&self) -> Buffers {
        let bus = |channels: &[usize]| -> Vec<Vec<Vec<f32>>> {
            channels
                .iter()
                .map(|&n| vec![vec![0.0; self.max_block]; n])
                .collect()
        };
        Buffers {
            inputs: bus(&self.inputs),
            outputs: bus(&self.outputs),
        }
    }

    /// One `process()` call of `frames` frames with `changes` and `events` as the host's
    /// input; the output lands in `buffers.outputs`.
    pub fn process(
        &self,
        buffers: &mut Buffers,
        frames: usize,
        changes: &ComPtr<IParameterChanges>,
        events: &ComPtr<IEventList>,
    ) -> tresult {
        self.prepare(buffers, frames, changes, events).run()
    }

    /// A `process()` call made ready, so that [`ProcessCall::run`] does nothing but call
    /// the plugin (the tests count the allocations made inside it).
    pub fn prepare<'a>(
        &'a self,
        buffers: &'a mut Buffers,
        frames: usize,
        changes: &'a ComPtr<IParameterChanges>,
        events: &'a ComPtr<IEventList>,
    ) -> ProcessCall<'a> {
        assert!(frames <= self.max_block, "more frames than set up");
        let pointers = |buses: &mut Vec<Vec<Vec<f32>>>| -> Vec<Vec<*mut f32>> {
            buses
                .iter_mut()
                .map(|bus| bus.iter_mut().map(|c| c.as_mut_ptr()).collect())
                .collect()
        };
        let mut input_pointers = pointers(&mut buffers.inputs);
        let mut output_pointers = pointers(&mut buffers.outputs);
        let bus_buffers = |pointers: &mut Vec<Vec<*mut f32>>| -> Vec<AudioBusBuffers> {
            pointers
                .iter_mut()
                .map(|channels| AudioBusBuffers {
                    numChannels: channels.len() as i32,
                    silenceFlags: 0,
                    __field0: AudioBusBuffers__type0 {
                        channelBuffers32: channels.as_mut_ptr(),
                    },
                })
                .collect()
        };
        let mut inputs = bus_buffers(&mut input_pointers);
        let mut outputs = bus_buffers(&mut output_pointers);
        let data = ProcessData {
            processMode: ProcessModes_::kRealtime as i32,
            symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
            numSamples: frames as i32,
            numInputs: inputs.len() as i32,
            numOutputs: outputs.len() as i32,
            inputs: inputs.as_mut_ptr(),
            outputs: outputs.as_mut_ptr(),
            inputParameterChanges: changes.as_ptr(),
            outputParameterChanges: std::ptr::null_mut(),
            inputEvents: events.as_ptr(),
            outputEvents: std::ptr::null_mut(),
            processContext: std::ptr::null_mut(),
        };
        ProcessCall {
            plugin: self,
            data,
            _buses: (inputs, outputs),
            _pointers: (input_pointers, output_pointers),
            _buffers: buffers,
        }
    }

    /// The component's state (`IComponent::getState`).
    pub fn state(&self) -> Vec<u8> {
        let stream = ComWrapper::new(Stream::default());
        let pointer = stream.to_com_ptr::<IBStream>().expect("a stream");
        // SAFETY: the stream outlives the call.
        assert_eq!(
            unsafe { self.component.getState(pointer.as_ptr()) },
            kResultOk
        );
        let bytes = stream.data.borrow().clone();
        bytes
    }

    /// Loads a state into the component (`IComponent::setState`).
    pub fn set_state(&self, bytes: &[u8]) -> tresult {
        let stream = ComWrapper::new(Stream {
            data: RefCell::new(bytes.to_vec()),
            position: Cell::new(0),
        });
        let pointer = stream.to_com_ptr::<IBStream>().expect("a stream");
        // SAFETY: the stream outlives the call.
        unsafe { self.component.setState(pointer.as_ptr()) }
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        // SAFETY: the last calls on this instance.
        unsafe {
            self.component.terminate();
        }
    }
}

/// A prepared `process()` call: the plugin, its `ProcessData` and what that points into
/// (moving the vectors keeps their heap buffers where they are).
pub struct ProcessCall<'a> {
    plugin: &'a Plugin,
    data: ProcessData,
    _buses: (Vec<AudioBusBuffers>, Vec<AudioBusBuffers>),
    _pointers: (Vec<Vec<*mut f32>>, Vec<Vec<*mut f32>>),
    _buffers: &'a mut Buffers,
}

impl ProcessCall<'_> {
    /// Calls the plugin's `process()`.
    pub fn run(&mut self) -> tresult {
        // SAFETY: every pointer in `data` points into vectors and buffers this call holds.
        unsafe { self.plugin.processor.process(&mut self.data) }
    }
}

/// Audio buffers per bus and channel.
pub struct Buffers {
    pub inputs: Vec<Vec<Vec<f32>>>,
    pub outputs: Vec<Vec<Vec<f32>>>,
}

/// The host's parameter changes for one `process()` call: `(id, offset, value)` points,
/// one queue per parameter.
pub fn parameter_changes(points: &[(ParamID, i32, f64)]) -> ComPtr<IParameterChanges> {
    let mut queues: Vec<(ParamID, Vec<(i32, f64)>)> = Vec::new();
    for &(id, offset, value) in points {
        match queues.iter_mut().find(|(queue, _)| *queue == id) {
            Some((_, queue)) => queue.push((offset, value)),
            None => queues.push((id, vec![(offset, value)])),
        }
    }
    let queues = queues
        .into_iter()
        .map(|(id, points)| {
            ComWrapper::new(ValueQueue { id, points })
                .to_com_ptr::<IParamValueQueue>()
                .expect("a queue")
        })
        .collect();
    ComWrapper::new(Changes { queues })
        .to_com_ptr::<IParameterChanges>()
        .expect("parameter changes")
}

/// A note for [`event_list`]: on (velocity > 0) or off, at a frame offset.
#[derive(Debug, Clone, Copy)]
pub struct Note {
    pub offset: i32,
    pub channel: i16,
    pub key: i16,
    pub velocity: f32,
}

/// The host's note events for one `process()` call.
pub fn event_list(notes: &[Note]) -> ComPtr<IEventList> {
    let events = notes
        .iter()
        .map(|note| {
            // SAFETY: an all-zero Event is a valid value of this plain C struct.
            let mut event: Event = unsafe { std::mem::zeroed() };
            event.sampleOffset = note.offset;
            if note.velocity > 0.0 {
                event.r#type = Event_::EventTypes_::kNoteOnEvent as u16;
                event.__field0 = Event__type0 {
                    noteOn: NoteOnEvent {
                        channel: note.channel,
                        pitch: note.key,
                        tuning: 0.0,
                        velocity: note.velocity,
                        length: 0,
                        noteId: -1,
                    },
                };
            } else {
                event.r#type = Event_::EventTypes_::kNoteOffEvent as u16;
                event.__field0 = Event__type0 {
                    noteOff: NoteOffEvent {
                        channel: note.channel,
                        pitch: note.key,
                        velocity: 0.0,
                        noteId: -1,
                        tuning: 0.0,
                    },
                };
            }
            event
        })
        .collect();
    ComWrapper::new(Events { events })
        .to_com_ptr::<IEventList>()
        .expect("an event list")
}

struct ValueQueue {
    id: ParamID,
    points: Vec<(i32, f64)>,
}

impl Class for ValueQueue {
    type Interfaces = (IParamValueQueue,);
}

impl IParamValueQueueTrait for ValueQueue {
    unsafe fn getParameterId(&self) -> ParamID {
        self.id
    }

    unsafe fn getPointCount(&self) -> int32 {
        self.points.len() as int32
    }

    unsafe fn getPoint(&self, index: int32, offset: *mut int32, value: *mut ParamValue) -> tresult {
        match self.points.get(index as usize) {
            Some(&(at, point)) => {
                // SAFETY: the caller passes valid out-pointers.
                unsafe {
                    *offset = at;
                    *value = point;
                }
                kResultOk
            }
            None => kInvalidArgument,
        }
    }

    unsafe fn addPoint(&self, _: int32, _: ParamValue, _: *mut int32) -> tresult {
        kResultFalse
    }
}

struct Changes {
    queues: Vec<ComPtr<IParamValueQueue>>,
}

impl Class for Changes {
    type Interfaces = (IParameterChanges,);
}

impl IParameterChangesTrait for Changes {
    unsafe fn getParameterCount(&self) -> int32 {
        self.queues.len() as int32
    }

    unsafe fn getParameterData(&self, index: int32) -> *mut IParamValueQueue {
        self.queues
            .get(index as usize)
            .map_or(std::ptr::null_mut(), |queue| queue.as_ptr())
    }

    unsafe fn addParameterData(&self, _: *const ParamID, _: *mut int32) -> *mut IParamValueQueue {
        std::ptr::null_mut()
    }
}

struct Events {
    events: Vec<Event>,
}

impl Class for Events {
    type Interfaces = (IEventList,);
}

impl IEventListTrait for Events {
    unsafe fn getEventCount(&self) -> int32 {
        self.events.len() as int32
    }

    unsafe fn getEvent(&self, index: int32, event: *mut Event) -> tresult {
        match self.events.get(index as usize) {
            Some(found) => {
                // SAFETY: the caller passes a valid out-pointer.
                unsafe { *event = *found };
                kResultOk
            }
            None => kInvalidArgument,
        }
    }

    unsafe fn addEvent(&self, _: *mut Event) -> tresult {
        kResultFalse
    }
}

/// An in-memory `IBStream`.
#[derive(Default)]
struct Stream {
    data: RefCell<Vec<u8>>,
    position: Cell<usize>,
}

impl Class for Stream {
    type Interfaces = (IBStream,);
}

impl IBStreamTrait for Stream {
    unsafe fn read(&self, buffer: *mut c_void, count: int32, read: *mut int32) -> tresult {
        let data = self.data.borrow();
        let start = self.position.get().min(data.len());
        let n = (count.max(0) as usize).min(data.len() - start);
        // SAFETY: the caller's buffer holds `count` bytes; n <= count.
        unsafe { std::ptr::copy_nonoverlapping(data[start..].as_ptr(), buffer as *mut u8, n) };
        self.position.set(start + n);
        if !read.is_null() {
            // SAFETY: checked for null.
            unsafe { *read = n as int32 };
        }
        kResultOk
    }

    unsafe fn write(&self, buffer: *mut c_void, count: int32, written: *mut int32) -> tresult {
        let n = count.max(0) as usize;
        // SAFETY: the caller's buffer holds `count` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(buffer as *const u8, n) };
        let mut data = self.data.borrow_mut();
        let start = self.position.get();
        if data.len() < start + n {
            data.resize(start + n, 0);
        }
        data[start..start + n].copy_from_slice(bytes);
        self.position.set(start + n);
        if !written.is_null() {
            // SAFETY: checked for null.
            unsafe { *written = n as int32 };
        }
        kResultOk
    }

    unsafe fn seek(&self, pos: int64, mode: int32, result: *mut int64) -> tresult {
        let len = self.data.borrow().len() as int64;
        let target = match mode {
            m if m == IStreamSeekMode_::kIBSeekSet as int32 => pos,
            m if m == IStreamSeekMode_::kIBSeekCur as int32 => self.position.get() as int64 + pos,
            m if m == IStreamSeekMode_::kIBSeekEnd as int32 => len + pos,
            _ => return kInvalidArgument,
        };
        if target < 0 {
            return kInvalidArgument;
        }
        self.position.set(target as usize);
        if !result.is_null() {
            // SAFETY: checked for null.
            unsafe { *result = target };
        }
        kResultOk
    }

    unsafe fn tell(&self, pos: *mut int64) -> tresult {
        if pos.is_null() {
            return kInvalidArgument;
        }
        // SAFETY: checked for null.
        unsafe { *pos = self.position.get() as int64 };
        kResultOk
    }
}

/// A NUL-terminated `char8` array as text.
fn c_string(chars: &[i8]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}
