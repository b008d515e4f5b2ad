//! Test patches: the `.csd` frame most tests share around their own orchestra and score.

/// A `.csd` at 48 kHz, ksmps 32, stereo, 0dbfs 1, holding `orchestra` (after the header)
/// and `score`; each given with its trailing newline.
pub fn csd(orchestra: &str, score: &str) -> String {
    format!(
        "<CsoundSynthesizer>\n<CsInstruments>\nsr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n\
         {orchestra}</CsInstruments>\n<CsScore>\n{score}</CsScore>\n</CsoundSynthesizer>\n"
    )
}
