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
    /// A symbolic link found in a folder: not followed (no loops, no escaping the
    /// folder), and said so rather than left out silently.
    pub link: bool,
}

/// Why a link found in a folder was left out.
pub const LINK_SKIPPED: &str = "a symbolic link: links inside folders are not followed (name the file itself)";

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
    let outputs = outputs.and_then(|dir| std::fs::canonicalize(dir).ok());
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for arg in args {
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                if let Err(e) = walk(arg, outputs.as_deref(), &mut files) {
                    unreadable
                        .push(Unreadable { path: arg.clone(), error: format!("cannot read folder: {}", describe(&e)) });
                }
                files.sort();
                for (path, link) in files {
                    let relative = path.strip_prefix(arg).unwrap_or(&path).to_path_buf();
                    inputs.push(Input { path, relative, from_dir: true, link });
                }
            }
            Ok(_) => {
                let relative = PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str()));
                inputs.push(Input { path: arg.clone(), relative, from_dir: false, link: false });
            }
            Err(e) => unreadable.push(Unreadable { path: arg.clone(), error: describe(&e) }),
        }
    }
    (inputs, unreadable)
}

/// The files under `dir`, each with whether it is a symbolic link (not followed).
fn walk(dir: &Path, outputs: Option<&Path>, out: &mut Vec<(PathBuf, bool)>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            if outputs.is_some_and(|outputs| std::fs::canonicalize(&path).is_ok_and(|real| real == outputs)) {
                continue;
            }
            walk(&path, outputs, out)?;
        } else if kind.is_file() {
            out.push((path, false));
        } else if kind.is_symlink() {
            out.push((path, true));
        }
    }
    Ok(())
}
