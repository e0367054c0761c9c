//! Turning command-line paths into the list of files to process.

use std::path::{Path, PathBuf};

pub struct Input {
    pub path: PathBuf,
    /// The path relative to the folder it was found in (or its file name).
    pub relative: PathBuf,
    /// Found by walking a folder (non-images there are skipped, not failures).
    pub from_dir: bool,
}

/// Expands folders recursively, in a stable order. Returns the inputs and the
/// number of arguments that could not be read.
pub fn collect(args: &[PathBuf]) -> (Vec<Input>, usize) {
    let mut inputs = Vec::new();
    let mut failures = 0;
    for arg in args {
        if arg.is_dir() {
            let mut files = Vec::new();
            if let Err(e) = walk(arg, &mut files) {
                eprintln!("{}: cannot read folder: {e}", arg.display());
                failures += 1;
            }
            files.sort();
            for path in files {
                let relative = path.strip_prefix(arg).unwrap_or(&path).to_path_buf();
                inputs.push(Input { path, relative, from_dir: true });
            }
        } else if arg.is_file() {
            let relative = PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str()));
            inputs.push(Input { path: arg.clone(), relative, from_dir: false });
        } else {
            eprintln!("{}: no such file or folder", arg.display());
            failures += 1;
        }
    }
    (inputs, failures)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        // Symbolic links are not followed: no loops, no escaping the folder.
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}
