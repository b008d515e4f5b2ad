//! The files a patch reads, as `check` lists them. Measured, not guessed: what Csound
//! opened (its file-open callback) in the pre-check, which plays the score and test
//! notes, and in the compile here; with the size and, for WAV files, the channels, rate
//! and length.

use csound_plug_engine::csound::OpenedFile;
use csound_plug_engine::file_cache::{carried_as, Carried};
use csound_plug_patch::embedded::human_size;
use std::path::{Path, PathBuf};

/// One line per file the patch read (not Csound's temporary files, not what it wrote),
/// each once.
pub fn lines(opened: &[OpenedFile]) -> Vec<String> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut lines = Vec::new();
    for file in opened.iter().filter(|f| !f.write && !f.temporary) {
        let path = Path::new(&file.path);
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical.clone());
        lines.push(format!("{}{}", describe(&canonical), origin(path)));
    }
    lines
}

/// How the patch carries a file Csound opened at `path`: embedded in the code (unpacked
/// in the file cache), linked (reached through the cache's links), or neither.
fn origin(path: &Path) -> &'static str {
    match carried_as(path) {
        Some((Carried::Linked, _)) => "  [linked]",
        Some((Carried::Embedded, _)) => "  [embedded]",
        None => "",
    }
}

/// `path  size  [audio]`.
fn describe(path: &Path) -> String {
    let size = match std::fs::metadata(path) {
        Ok(meta) => human_size(meta.len() as usize),
        Err(_) => "missing".to_string(),
    };
    let audio = hound::WavReader::open(path).ok().map(|wav| {
        let spec = wav.spec();
        let seconds = f64::from(wav.duration()) / f64::from(spec.sample_rate.max(1));
        format!(
            ", audio: {} ch, {} Hz, {:.3} s",
            spec.channels, spec.sample_rate, seconds
        )
    });
    format!("{}  ({size}{})", path.display(), audio.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_are_listed_once_with_size_and_audio_facts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let wav = dir.path().join("tone.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(&wav, spec).unwrap();
        for _ in 0..44_100 * 2 {
            writer.write_sample(0i16).unwrap();
        }
        writer.finalize().unwrap();
        let udo = dir.path().join("lib.udo");
        std::fs::write(&udo, "opcode X, 0, 0\nendop\n").unwrap();
        let opened = |path: &Path, write: bool, temporary: bool| OpenedFile {
            path: path.display().to_string(),
            write,
            temporary,
        };
        let listed = lines(&[
            opened(&wav, false, false),
            opened(&udo, false, false),
            opened(&wav, false, false),
            opened(&dir.path().join("out.wav"), true, false),
            opened(&dir.path().join("score.srt"), false, true),
        ]);
        let wav = std::fs::canonicalize(&wav).unwrap();
        let udo = std::fs::canonicalize(&udo).unwrap();
        assert_eq!(
            listed,
            [
                format!(
                    "{}  (172.3 KB, audio: 2 ch, 44100 Hz, 1.000 s)",
                    wav.display()
                ),
                format!("{}  (21 bytes)", udo.display()),
            ]
        );
    }
}
