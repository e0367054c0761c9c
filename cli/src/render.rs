//! How results are shown: text for people, JSON for machines.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use traceless_core::{Category, CleanReport, InspectReport};

pub enum Outcome {
    Cleaned {
        output: PathBuf,
        report: Box<CleanReport>,
    },
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
}

fn size(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}

pub fn inspect_text(path: &Path, result: &Result<InspectReport, String>) -> String {
    let mut out = String::new();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "{}: error: {e}\n", path.display());
            return out;
        }
    };
    let frames = if report.frames > 1 {
        format!(", {} frames", report.frames)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{}: {} {}×{}{}, {}",
        path.display(),
        report.format.name(),
        report.width,
        report.height,
        frames,
        size(report.bytes)
    );
    let _ = writeln!(out, "  Reveals: {}", report.summary);
    let mut by_category: BTreeMap<Category, Vec<&traceless_core::Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_category.entry(f.category).or_default().push(f);
    }
    for (category, findings) in by_category {
        let heading = if category == Category::Display {
            "kept for display"
        } else {
            category.phrase()
        };
        let _ = writeln!(out, "  {}:", capitalise(heading));
        for f in findings {
            let _ = writeln!(out, "    {:<34} {}", f.label, f.value);
        }
    }
    if let Some(pos) = report.location {
        let _ = writeln!(
            out,
            "  Map: https://www.openstreetmap.org/?mlat={:.6}&mlon={:.6}",
            pos.latitude, pos.longitude
        );
    }
    if report.findings_omitted > 0 {
        let _ = writeln!(out, "  … and {} more findings", report.findings_omitted);
    }
    out.push('\n');
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

pub fn inspect_json(path: &Path, result: &Result<InspectReport, String>) -> Value {
    match result {
        Ok(r) => json!({ "file": path, "ok": true, "report": r }),
        Err(e) => json!({ "file": path, "ok": false, "error": e }),
    }
}

pub fn outcome_text(path: &Path, outcome: &Outcome) -> Option<String> {
    Some(match outcome {
        Outcome::Cleaned { output, report } => format!(
            "{} → {}: {} ({} → {})",
            path.display(),
            output.display(),
            report.summary,
            size(report.input_bytes),
            size(report.output_bytes)
        ),
        Outcome::Skipped { .. } => return None,
        Outcome::Failed { error } => format!("{}: error: {error}", path.display()),
    })
}

pub fn outcome_json(path: &Path, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Cleaned { output, report } => {
            json!({ "file": path, "status": "cleaned", "output": output, "report": report })
        }
        Outcome::Skipped { reason } => {
            json!({ "file": path, "status": "skipped", "reason": reason })
        }
        Outcome::Failed { error } => json!({ "file": path, "status": "failed", "error": error }),
    }
}

pub fn totals(results: &[Value], skipped: usize, failures: usize) -> String {
    let cleaned: Vec<&Value> = results
        .iter()
        .filter(|r| r["status"] == "cleaned")
        .collect();
    let before: u64 = cleaned
        .iter()
        .filter_map(|r| r["report"]["input_bytes"].as_u64())
        .sum();
    let after: u64 = cleaned
        .iter()
        .filter_map(|r| r["report"]["output_bytes"].as_u64())
        .sum();
    let mut line = format!(
        "{} cleaned ({} → {})",
        cleaned.len(),
        size(before),
        size(after)
    );
    if skipped > 0 {
        let _ = write!(line, ", {skipped} skipped (not images)");
    }
    if failures > 0 {
        let _ = write!(line, ", {failures} failed");
    }
    line
}
