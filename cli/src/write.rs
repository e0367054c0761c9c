//! Where cleaned files go, and writing them atomically.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::inputs::Input;

pub enum Target {
    /// Write into a folder; `extension` set means the format may change (convert).
    Dir {
        root: PathBuf,
        overwrite: bool,
        extension: Option<traceless_core::OutputFormat>,
    },
    InPlace,
}

impl Target {
    /// The output path for `input`, refusing anything that would overwrite an
    /// original, another output of this run, or (without --overwrite) any file.
    pub fn destination(
        &self,
        input: &Input,
        format: traceless_core::Format,
        planned: &mut HashSet<PathBuf>,
    ) -> Result<PathBuf, String> {
        let (root, overwrite, converting) = match self {
            Target::InPlace => return Ok(input.path.clone()),
            Target::Dir { root, overwrite, extension } => (root, *overwrite, extension.is_some()),
        };
        let mut destination = root.join(&input.relative);
        if converting {
            destination.set_extension(format.extension());
        }
        let absolute = absolute(&destination);
        if absolute == absolute_existing(&input.path) {
            return Err("the output would replace the original (use --in-place to do that on purpose)".into());
        }
        if !planned.insert(absolute.clone()) {
            return Err(format!("{} is already the output of another input", destination.display()));
        }
        if destination.exists() && !overwrite {
            return Err(format!("{} exists (use --overwrite to replace it)", destination.display()));
        }
        Ok(destination)
    }
}

fn absolute(path: &Path) -> PathBuf {
    // The file may not exist yet: canonicalise its folder.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if parent.exists() => absolute_existing(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

fn absolute_existing(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Writes to a temporary file beside `destination`, then renames it into place,
/// so no reader ever sees a half-written image. Keeps the original's permissions.
/// `durable` also flushes to disk before the rename: needed when the original
/// is being replaced (a power cut must not lose it), not for new copies.
pub fn atomic(destination: &Path, data: &[u8], original: &Path, durable: bool) -> std::io::Result<()> {
    let dir = destination.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.traceless-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(data)?;
        if durable {
            file.sync_all()?;
        }
        if let Ok(meta) = fs::metadata(original) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, destination)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
