//! The benchmarks' figures: printed as they come and written together as JSON to
//! `target/bench/<bench>.json`, each a measurement of ours against a reference measured
//! side by side in the same run (only ratios mean anything on a shared machine).

use serde_json::{json, Value};
use std::path::PathBuf;

/// One benchmark program's figures.
pub struct Figures {
    bench: String,
    rows: Vec<Value>,
}

impl Figures {
    /// Figures of the benchmark `bench` (the JSON file's name).
    pub fn new(bench: &str) -> Self {
        Self {
            bench: bench.to_string(),
            rows: Vec::new(),
        }
    }

    /// Records and prints `what`: ours against `reference` (named `against`), in `unit`;
    /// the ratio is ours / reference.
    pub fn ratio(&mut self, what: &str, ours: f64, against: &str, reference: f64, unit: &str) {
        let ratio = ours / reference;
        println!("{what}: {ours:.2} {unit}; {against}: {reference:.2} {unit} (ratio {ratio:.2})");
        self.rows.push(json!({
            "what": what,
            "ours": ours,
            "against": against,
            "reference": reference,
            "unit": unit,
            "ratio": ratio,
        }));
    }

    /// Records and prints a figure with no reference (a count, a limit found).
    pub fn value(&mut self, what: &str, value: f64, unit: &str) {
        println!("{what}: {value:.2} {unit}");
        self.rows
            .push(json!({ "what": what, "ours": value, "unit": unit }));
    }

    /// Where [`Figures::write`] puts the file.
    pub fn path(&self) -> PathBuf {
        crate::root()
            .join("target/bench")
            .join(format!("{}.json", self.bench))
    }

    /// Writes the figures (with the time and machine they were taken on) as JSON.
    pub fn write(&self) {
        let path = self.path();
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let taken = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let document = json!({
            "bench": self.bench,
            "taken_unix_seconds": taken,
            "cores": cores,
            "figures": self.rows,
        });
        match std::fs::write(
            &path,
            serde_json::to_string_pretty(&document).unwrap_or_default(),
        ) {
            Ok(()) => println!("figures written to {}", path.display()),
            Err(e) => println!("cannot write {}: {e}", path.display()),
        }
    }
}
