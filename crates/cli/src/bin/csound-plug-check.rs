//! `csound-plug-check`: the pre-check helper. Reads a check request on standard input,
//! runs the patch in this sandboxed process and reports on standard output; the plugin
//! and the CLI start it and read the verdict.

fn main() {
    std::process::exit(csound_plug_sandbox::child::main());
}
