//! Turning command-line paths into the list of files to process, and the one
//! wording every command uses when a path cannot be read.

use std::io;
use std::path::{Path, PathBuf};

pub struct Input {
    pub path: PathBuf,
    /// The path relative to the folder it was found in (or its file name).
    pub relative: PathBuf,
    /// Found by walking a folder (non-images there are skipped, not failures).
    pub from_dir: bool,
    /// Why a file found in a folder is left out, said rather than left out silently: a
    /// symbolic link (not followed: no loops, no escaping the folder), a pipe or a device.
    pub skip: Option<&'static str>,
}

/// Why a link found in a folder was left out.
pub const LINK_SKIPPED: &str = "a symbolic link: links inside folders are not followed (name the file itself)";
/// Why a pipe, device or socket found in a folder was left out.
pub const SPECIAL_SKIPPED: &str = "not a regular file (a pipe, a device or a socket)";

/// An argument that named nothing readable, with the reason in plain words.
pub struct Unreadable {
    pub path: PathBuf,
    pub error: String,
}

/// Plain words for an I/O failure, the same in every command.
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a folder".into(),
        _ => {
            // Drop Rust's "(os error N)" suffix: it means nothing to people.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

/// Expands folders recursively, in a stable order, leaving out the folder `outputs`
/// (an output folder inside an input folder: each run would clean the last one's
/// copies again, a level deeper). Returns the inputs and the arguments that could not
/// be read.
pub fn collect(args: &[PathBuf], outputs: Option<&Path>) -> (Vec<Input>, Vec<Unreadable>) {
    let outputs = outputs.map(crate::write::resolved);
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for arg in args {
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                walk(arg, outputs.as_deref(), &mut files, &mut unreadable);
                files.sort();
                for (path, skip) in files {
                    let relative = path.strip_prefix(arg).unwrap_or(&path).to_path_buf();
                    inputs.push(Input { path, relative, from_dir: true, skip });
                }
            }
            Ok(_) => {
                let relative = PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str()));
                inputs.push(Input { path: arg.clone(), relative, from_dir: false, skip: None });
            }
            Err(e) => unreadable.push(Unreadable { path: arg.clone(), error: describe(&e) }),
        }
    }
    (inputs, unreadable)
}

/// The files under `dir`, each with why it is left out, if it is. A folder that cannot
/// be read is named in `unreadable`, and the walk goes on with the rest.
fn walk(
    dir: &Path,
    outputs: Option<&Path>,
    out: &mut Vec<(PathBuf, Option<&'static str>)>,
    unreadable: &mut Vec<Unreadable>,
) {
    let cannot =
        |e: io::Error| Unreadable { path: dir.to_path_buf(), error: format!("cannot read folder: {}", describe(&e)) };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return unreadable.push(cannot(e)),
    };
    for entry in entries {
        let (entry, kind) = match entry.and_then(|entry| Ok((entry.file_type()?, entry))) {
            Ok((kind, entry)) => (entry, kind),
            Err(e) => {
                unreadable.push(cannot(e));
                continue;
            }
        };
        let path = entry.path();
        if kind.is_dir() {
            if outputs.is_some_and(|outputs| std::fs::canonicalize(&path).is_ok_and(|real| real == outputs)) {
                continue;
            }
            walk(&path, outputs, out, unreadable);
        } else if kind.is_file() {
            out.push((path, None));
        } else if kind.is_symlink() {
            out.push((path, Some(LINK_SKIPPED)));
        } else {
            out.push((path, Some(SPECIAL_SKIPPED)));
        }
    }
}
