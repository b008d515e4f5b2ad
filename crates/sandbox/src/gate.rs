//! The trust gate's reading of a patch: what in it reaches outside the audio.
//!
//! The orchestra is read after Csound's own preprocessor has expanded its macros and
//! `#include`s (a `#define` cannot hide an opcode from it); options, the score's `bin`
//! attribute and embedded files are read from the `.csd` text, where no macro applies.

use csound_plug_engine::csound::Csound;
use csound_plug_engine::includes;
use csound_plug_engine::messages::MessageRing;
use csound_plug_patch::csd::Csd;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// A way for a patch to reach outside the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reach {
    /// Starts a program (or runs Python code, which can).
    Command,
    /// Writes, creates or deletes a file (or a device).
    File,
    /// Opens a network socket or talks to another program's server.
    Network,
    /// Loads native code into the process.
    Library,
    /// Ends the host's process.
    Exit,
    /// Compiles code given as a string at run time, which no check can read beforehand.
    RuntimeCode,
}

impl Reach {
    /// What a patch with this reach tries to do, after "this patch tries to".
    pub fn verb(self) -> &'static str {
        match self {
            Self::Command => "run a command",
            Self::File => "write or delete a file",
            Self::Network => "use the network",
            Self::Library => "load a library",
            Self::Exit => "end the host's process",
            Self::RuntimeCode => "compile code at run time",
        }
    }
}

/// One thing in a patch that reaches outside the audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsafeUse {
    /// What it does.
    pub reach: Reach,
    /// The opcode, option or section that does it.
    pub name: String,
    /// Its line in the patch (or in an `#include`d file), when known.
    pub line: Option<usize>,
}

impl std::fmt::Display for UnsafeUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// Opcodes that reach outside the audio (Csound 6.18's names).
const OPCODES: &[(&str, Reach)] = &[
    ("system", Reach::Command),
    ("system_i", Reach::Command),
    ("fout", Reach::File),
    ("foutk", Reach::File),
    ("fouti", Reach::File),
    ("foutir", Reach::File),
    ("fiopen", Reach::File),
    ("fprints", Reach::File),
    ("fprintks", Reach::File),
    ("ftsave", Reach::File),
    ("ftsavek", Reach::File),
    ("ftaudio", Reach::File),
    ("dumpk", Reach::File),
    ("dumpk2", Reach::File),
    ("dumpk3", Reach::File),
    ("dumpk4", Reach::File),
    ("pvsfwrite", Reach::File),
    ("hdf5write", Reach::File),
    // Cabbage's: copies files into a folder it makes. (`cabbageFindFiles` only lists a
    // folder: a read, like Csound's own `directory`, so it is not here.)
    ("cabbageCopyFile", Reach::File),
    ("sockrecv", Reach::Network),
    ("sockrecvs", Reach::Network),
    ("strecv", Reach::Network),
    ("socksend", Reach::Network),
    ("socksends", Reach::Network),
    ("stsend", Reach::Network),
    ("remoteport", Reach::Network),
    ("insremot", Reach::Network),
    ("insglobal", Reach::Network),
    ("midremot", Reach::Network),
    ("midglobal", Reach::Network),
    ("websocket", Reach::Network),
    ("vstinit", Reach::Library),
    ("exitnow", Reach::Exit),
    ("compilestr", Reach::RuntimeCode),
    ("compileorc", Reach::RuntimeCode),
    ("compilecsd", Reach::RuntimeCode),
    ("evalstr", Reach::RuntimeCode),
];

/// Opcode families by prefix. A prefix only names the opcodes of the running Csound that
/// start with it ([`opcode_reach`] is given its list): an instrument, a UDO or a variable
/// that happens to start the same way (`instr serial_MM_FM`) is not one of them.
const PREFIXES: &[(&str, Reach)] = &[
    // pyinit, pyrun, pyexec, pycall…: Python can do anything.
    ("py", Reach::Command),
    ("OSC", Reach::Network),
    ("Jacko", Reach::Network),
    ("serial", Reach::File),
    ("arduino", Reach::File),
    ("dssi", Reach::Library),
    ("faust", Reach::Library),
];

/// The reach of `name`, if it is an opcode with one: a name of the table, or a name of
/// a prefix family that `known` (the running Csound's opcodes) holds.
pub fn opcode_reach(name: &str, known: &HashSet<String>) -> Option<Reach> {
    let family = || {
        PREFIXES
            .iter()
            .find(|(p, _)| name.starts_with(p) && known.contains(name))
    };
    OPCODES
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(family)
        .map(|(_, reach)| *reach)
}

/// Options in `<CsOptions>` that reach outside the audio (prefix, reach).
const OPTIONS: &[(&str, Reach)] = &[
    ("--opcode-lib", Reach::Library),
    ("--opcode-dir", Reach::Library),
    ("--utility", Reach::Command),
    ("-U", Reach::Command),
    ("--logfile", Reach::File),
    ("-O", Reach::File),
    ("--midioutfile", Reach::File),
];

/// Sections whose contents Csound writes to a file beside the patch. Not `<CsFileB>`:
/// the engine unpacks those itself into its private cache and Csound never sees them.
const FILE_SECTIONS: &[&str] = &["CsSampleB", "CsMidifileB", "CsFile"];

/// Everything in `code` (a whole `.csd`) that reaches outside the audio, in line order.
/// Creates a Csound instance to expand the orchestra: run it where the patch's
/// preprocessing cannot hurt (the pre-check's child), or accept that it runs here.
pub fn scan(code: &str, search_dirs: &[PathBuf]) -> Vec<UnsafeUse> {
    let mut uses = scan_sections(code);
    // Csound's parser dies (a longjmp with nowhere to go) on an `#include` it cannot
    // find: the includes are given their folders first, and a patch with one found
    // nowhere is not parsed here (its compile fails on it, so nothing of it runs).
    if let Ok(code) = includes::resolve(code, search_dirs) {
        uses.extend(scan_orchestra(&code));
    }
    uses.sort_by_key(|u| (u.line, u.name.clone()));
    uses.dedup();
    uses
}

/// The orchestra's opcodes with a reach, found in Csound's parse of it.
fn scan_orchestra(code: &str) -> Vec<UnsafeUse> {
    let csd = Csd::parse(code);
    let Some(orchestra) = csd.orchestra() else {
        return Vec::new();
    };
    // Blank lines in front keep Csound's line numbers those of the whole patch.
    let before = csd.line_of(orchestra.body_start) - 1;
    let body = format!("{}{}", "\n".repeat(before), orchestra.body);
    // Parsed as it is compiled: with Cabbage's opcodes when it calls them.
    let text = csound_plug_engine::cabbage::orchestra_with_opcodes(code, &body);
    let Ok(mut csound) = Csound::new(Arc::new(MessageRing::new(64))) else {
        return Vec::new();
    };
    // Before the parse, which adds the patch's own UDOs to the list.
    let known: HashSet<String> = csound.opcode_names().into_iter().collect();
    // Csound's parser finds `#include` files from the current folder, as the compile does.
    let names = csound.orchestra_names(&text).unwrap_or_default();
    names
        .into_iter()
        .filter_map(|(name, line)| {
            opcode_reach(&name, &known).map(|reach| UnsafeUse {
                reach,
                name,
                line: (line > 0).then_some(line),
            })
        })
        .collect()
}

/// Options, the score's `bin` and embedded files, from the text.
fn scan_sections(code: &str) -> Vec<UnsafeUse> {
    let csd = Csd::parse(code);
    let mut uses = Vec::new();
    let tokens = csd.options();
    for (i, token) in tokens.iter().enumerate() {
        let text = token.unquoted();
        // Line events come from a file or device, which is only reading, or from a
        // command when the name starts with `|` (`-L "|cmd"`, `-L|cmd`, `--linein=|cmd`).
        let line_events = ["-L", "--linein"]
            .iter()
            .find(|o| option_is(&text, o))
            .map(|o| {
                let attached = text[o.len()..].trim_start_matches('=');
                match attached.is_empty() {
                    true => tokens.get(i + 1).map(|t| t.unquoted()).unwrap_or_default(),
                    false => attached.to_string(),
                }
            });
        if let Some(source) = line_events {
            if source.starts_with('|') {
                uses.push(UnsafeUse {
                    reach: Reach::Command,
                    name: format!("-L {source}"),
                    line: Some(token.line),
                });
            }
            continue;
        }
        if let Some((_, reach)) = OPTIONS.iter().find(|(o, _)| option_is(&text, o)) {
            uses.push(UnsafeUse {
                reach: *reach,
                name: text,
                line: Some(token.line),
            });
        }
    }
    for score in csd.sections_named("CsScore") {
        if score.attribute("bin").is_some() {
            uses.push(UnsafeUse {
                reach: Reach::Command,
                name: "<CsScore bin=…>".into(),
                line: Some(csd.line_of(score.tag_start)),
            });
        }
    }
    for name in FILE_SECTIONS {
        for section in csd.sections_named(name) {
            uses.push(UnsafeUse {
                reach: Reach::File,
                name: format!("<{name}>"),
                line: Some(csd.line_of(section.tag_start)),
            });
        }
    }
    uses
}

/// Whether `token` is the option `option`: `--name`, `--name=x`; a one-letter `-X`
/// also with its value attached (`-Lfile`).
fn option_is(token: &str, option: &str) -> bool {
    if option.starts_with("--") {
        token == option || token.starts_with(&format!("{option}="))
    } else {
        token.starts_with(option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csd(orc: &str) -> String {
        format!(
            "<CsoundSynthesizer>\n<CsOptions>\n-d\n</CsOptions>\n<CsInstruments>\n{orc}\n\
             </CsInstruments>\n<CsScore>\ni1 0 1\n</CsScore>\n</CsoundSynthesizer>\n"
        )
    }

    fn names(uses: &[UnsafeUse]) -> Vec<(&str, Option<usize>)> {
        uses.iter().map(|u| (u.name.as_str(), u.line)).collect()
    }

    #[test]
    fn opcodes_are_found_with_their_lines() {
        let code =
            csd("instr 1\nires system_i 1, \"touch /tmp/x\"\nfprints \"/tmp/y\", \"hi\"\nendin");
        let uses = scan(&code, &[]);
        assert_eq!(names(&uses), [("system_i", Some(7)), ("fprints", Some(8))]);
        assert_eq!(uses[0].reach, Reach::Command);
        assert_eq!(uses[1].reach, Reach::File);
    }

    #[test]
    fn cabbage_opcodes_do_not_hide_an_opcode() {
        // Without Cabbage's opcodes Csound's parse would fail and find nothing.
        let code = csd("instr 1\nkG cabbageGetValue \"gain\"\nfprints \"/tmp/y\", \"hi\"\nendin");
        assert_eq!(names(&scan(&code, &[])), [("fprints", Some(8))]);
    }

    #[test]
    fn copying_files_is_a_reach_and_listing_a_folder_is_not() {
        let code = csd(
            "instr 1\nSFiles[] cabbageFindFiles \"/tmp\", \"files\", \"*.wav\"\n\
             cabbageCopyFile \"/tmp/kit\", SFiles[0]\nkG cabbageGetValue \"gain\"\nendin",
        );
        let uses = scan(&code, &[]);
        assert_eq!(names(&uses), [("cabbageCopyFile", Some(8))]);
        assert_eq!(uses[0].reach, Reach::File);
    }

    #[test]
    fn a_macro_does_not_hide_an_opcode() {
        let code = csd("#define RUN #system_i#\ninstr 1\nires $RUN 1, \"touch /tmp/x\"\nendin");
        assert_eq!(names(&scan(&code, &[])), [("system_i", Some(8))]);
        let code = csd("#define CALL(x) #ires system_i 1, $x#\ninstr 1\n$CALL(\"ls\")\nendin");
        assert_eq!(scan(&code, &[])[0].name, "system_i");
    }

    #[test]
    fn an_include_does_not_hide_an_opcode() {
        let dir = tempfile::tempdir().unwrap();
        let include = dir.path().join("hidden.inc");
        std::fs::write(&include, "ires system_i 1, \"touch /tmp/x\"\n").unwrap();
        let code = csd(&format!(
            "instr 1\n#include \"{}\"\nendin",
            include.display()
        ));
        assert_eq!(scan(&code, &[])[0].name, "system_i");
    }

    #[test]
    fn an_include_in_the_patch_folder_is_read_and_a_missing_one_does_not_crash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hidden.inc"), "ires system_i 1, \"ls\"\n").unwrap();
        let code = csd("instr 1\n#include \"hidden.inc\"\nendin");
        let uses = scan(&code, &[dir.path().to_path_buf()]);
        assert_eq!(uses[0].name, "system_i");
        // Found nowhere: Csound's parser would die; the compile reports it instead.
        assert!(scan(&code, &[]).is_empty());
    }

    #[test]
    fn names_in_strings_and_comments_are_not_uses() {
        let code = csd("instr 1\n; system_i here\nprints \"system_i fprints\\n\"\nendin");
        assert!(scan(&code, &[]).is_empty(), "{:?}", scan(&code, &[]));
    }

    #[test]
    fn options_score_bin_and_embedded_files_are_found() {
        let code = "<CsoundSynthesizer>\n<CsOptions>\n-d --opcode-lib=/tmp/evil.so ; -L x\n\
                    -Lfifo -L stdin --linein=events.txt -L \"|ls -l\"\n</CsOptions>\n<CsInstruments>\ninstr 1\nendin\n</CsInstruments>\n\
                    <CsScore bin=\"python\">\nprint(1)\n</CsScore>\n\
                    <CsFileB filename=\"a.wav\">\nAAAA\n</CsFileB>\n\
                    <CsSampleB filename=\"b.wav\">\nAAAA\n</CsSampleB>\n</CsoundSynthesizer>\n";
        let uses = scan(code, &[]);
        assert_eq!(
            names(&uses),
            [
                ("--opcode-lib=/tmp/evil.so", Some(3)),
                // Reading line events from a file or device is not a reach.
                ("-L |ls -l", Some(4)),
                ("<CsScore bin=…>", Some(10)),
                // <CsFileB> (line 13) is unpacked by the engine: not a reach.
                ("<CsSampleB>", Some(16)),
            ]
        );
        assert_eq!(uses[0].reach, Reach::Library);
        assert_eq!(uses[1].reach, Reach::Command);
    }

    #[test]
    fn a_prefix_family_is_the_opcodes_csound_has_not_any_name() {
        // The FLOSS manual's instrument names start like the serial opcodes; a UDO and a
        // variable do the same. None of them is one.
        let code = csd("opcode OSCish, a, a\nain xin\nxout ain\nendop\n\
             instr serial_MM_FM\nkserialx = 1\naout OSCish a(0)\nouts aout, aout\nendin");
        assert!(scan(&code, &[]).is_empty(), "{:?}", scan(&code, &[]));
        // A real member of the family still is.
        let code = csd("instr 1\nihandle OSCinit 9999\nendin");
        assert_eq!(names(&scan(&code, &[])), [("OSCinit", Some(7))]);
        assert_eq!(scan(&code, &[])[0].reach, Reach::Network);
    }

    #[test]
    fn ordinary_patches_have_no_uses() {
        for preset in csound_plug_patch::presets::factory() {
            assert!(scan(&preset.code, &[]).is_empty(), "{}", preset.name);
        }
    }
}
