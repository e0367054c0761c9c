//! How results are shown: text for people, JSON for machines.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use traceless_core::{Category, InspectReport};

/// A finished file: its bytes, and what to tell the user about it.
pub struct Done {
    /// The output to write; empty for a video, which is streamed to its
    /// destination as it is cleaned (`written`).
    pub data: Vec<u8>,
    pub written: bool,
    pub output_bytes: u64,
    pub summary: String,
    pub input_bytes: u64,
    pub report: Value,
}

impl Done {
    pub fn from_clean(cleaned: traceless_core::Cleaned) -> Self {
        let r = &cleaned.report;
        Done {
            summary: r.summary.clone(),
            input_bytes: r.input_bytes,
            report: serde_json::to_value(r).expect("serialisable"),
            output_bytes: cleaned.data.len() as u64,
            written: false,
            data: cleaned.data,
        }
    }

    /// A video cleaned straight into its destination.
    pub fn from_video(report: &traceless_core::CleanReport) -> Self {
        Done {
            summary: report.summary.clone(),
            input_bytes: report.input_bytes,
            report: serde_json::to_value(report).expect("serialisable"),
            output_bytes: report.output_bytes,
            written: true,
            data: Vec::new(),
        }
    }

    /// `background`: what transparent areas became, said when there were any (a JPEG has no
    /// transparency, and a logo on white looks unchanged until it is put on another colour).
    pub fn from_convert(converted: traceless_core::Converted, background: [u8; 3]) -> Self {
        let r = &converted.report;
        let mut summary = format!("{} {}×{}", r.format.name(), r.width, r.height);
        if let Some(q) = r.quality {
            let _ = write!(summary, " q{q}");
        }
        if r.flattened {
            match background {
                [255, 255, 255] => summary.push_str(", transparency made white"),
                [r, g, b] => {
                    let _ = write!(summary, ", transparency made #{r:02x}{g:02x}{b:02x}");
                }
            }
        }
        if !r.removed.is_empty() {
            let _ = write!(summary, ", removed {}", traceless_core::summarise(&r.removed));
        }
        Done {
            summary,
            input_bytes: r.input_bytes,
            report: serde_json::to_value(r).expect("serialisable"),
            output_bytes: converted.data.len() as u64,
            written: false,
            data: converted.data,
        }
    }
}

pub enum Outcome {
    Done { output: PathBuf, done: Box<Done> },
    Skipped { reason: String },
    Failed { error: String },
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

/// A path as JSON holds it: serde refuses a path that is not UTF-8 (a name from another
/// system's encoding), which is shown with U+FFFD where its bytes are not text.
fn shown(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The line (stderr) for a file left out that the user would miss: a link in a folder.
pub fn skipped_line(path: &Path, reason: &str) -> String {
    format!("{}: skipped: {reason}", path.display())
}

/// The one line every command prints (to stderr) for a file it could not process.
pub fn error_line(path: &Path, error: &str) -> String {
    format!("{}: error: {error}", path.display())
}

pub fn inspect_text(path: &Path, report: &InspectReport) -> String {
    let mut out = String::new();
    let frames = if report.frames > 1 { format!(", {} frames", report.frames) } else { String::new() };
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
        let heading = if category == Category::Display { "kept for display" } else { category.phrase() };
        let _ = writeln!(out, "  {}:", capitalise(heading));
        for f in findings {
            let _ = writeln!(out, "    {:<34} {}", f.label, f.value);
        }
    }
    if let Some(pos) = report.location {
        let _ =
            writeln!(out, "  Map: https://www.openstreetmap.org/?mlat={:.6}&mlon={:.6}", pos.latitude, pos.longitude);
    }
    if report.findings_omitted > 0 {
        let _ = writeln!(out, "  … and {} more findings", report.findings_omitted);
    }
    out.push('\n');
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

pub fn inspect_json(path: &Path, result: &Result<InspectReport, String>) -> Value {
    match result {
        Ok(r) => json!({ "file": shown(path), "ok": true, "report": r }),
        Err(e) => json!({ "file": shown(path), "ok": false, "error": e }),
    }
}

/// The line for a finished file (stdout), or None when there is nothing to say.
pub fn done_text(path: &Path, outcome: &Outcome) -> Option<String> {
    Some(match outcome {
        Outcome::Done { output, done } => format!(
            "{} → {}: {} ({} → {})",
            path.display(),
            output.display(),
            done.summary,
            size(done.input_bytes),
            size(done.output_bytes)
        ),
        Outcome::Skipped { .. } | Outcome::Failed { .. } => return None,
    })
}

pub fn outcome_json(path: &Path, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Done { output, done } => {
            json!({ "file": shown(path), "status": "done", "output": shown(output), "report": done.report })
        }
        Outcome::Skipped { reason } => json!({ "file": shown(path), "status": "skipped", "reason": reason }),
        Outcome::Failed { error } => json!({ "file": shown(path), "status": "failed", "error": error }),
    }
}

pub fn totals(results: &[Value], skipped: usize, failures: usize) -> String {
    let cleaned: Vec<&Value> = results.iter().filter(|r| r["status"] == "done").collect();
    let before: u64 = cleaned.iter().filter_map(|r| r["report"]["input_bytes"].as_u64()).sum();
    let after: u64 = cleaned.iter().filter_map(|r| r["report"]["output_bytes"].as_u64()).sum();
    let mut line = format!("{} done ({} → {})", cleaned.len(), size(before), size(after));
    if skipped > 0 {
        let _ = write!(line, ", {skipped} skipped (not images or videos it cleans, or links)");
    }
    if failures > 0 {
        let _ = write!(line, ", {failures} failed");
    }
    line
}
