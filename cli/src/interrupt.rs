//! Stopping cleanly when stopped from outside (Ctrl-C, a closed terminal, `kill`).
//!
//! Every output is written to a temporary file and renamed into place, so a stopped
//! run never leaves a half-written image; without this module it left the temporary
//! file itself, which for a video being cleaned can be gigabytes. The temporary files
//! of the writes in progress are kept here; on a signal they are removed and the
//! process then ends as that signal would have ended it (a shell or `make` sees
//! "interrupted", not an error code of ours). A second Ctrl-C ends it at once, should
//! the removal hang (a stalled network drive).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written. Created under this lock, which the signal's clean-up
/// keeps until the process ends, so no file is created after the clean-up looked. A
/// file renamed into place meanwhile is simply not there to remove any more.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Output folders this run made. A run stopped before one holds anything removes it again:
/// `-o out` interrupted at its first file left an empty `out/`.
static MADE_FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub fn made_folders(folders: Vec<PathBuf>) {
    MADE_FOLDERS.lock().unwrap_or_else(|e| e.into_inner()).extend(folders);
}

/// At the end of a run: the folders it made that hold nothing (every file meant for them
/// failed) are removed, as a stopped run's are; an empty `out/` looked like a finished run.
pub fn remove_empty_made_folders() {
    remove_empty(&mut MADE_FOLDERS.lock().unwrap_or_else(|e| e.into_inner()));
}

/// Innermost first; `remove_dir` leaves any folder that holds something.
fn remove_empty(folders: &mut [PathBuf]) {
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders.iter() {
        let _ = fs::remove_dir(folder);
    }
}

/// Starts watching for the signals that end a run. Called once, first thing.
#[cfg(unix)]
pub fn watch() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    let signals = [SIGINT, SIGTERM, SIGHUP];
    // The watcher first: should it fail, no handler is installed and the signals keep
    // their default (stopped at once, as before), rather than a first Ctrl-C doing nothing.
    let Ok(mut received) = signal_hook::iterator::Signals::new(signals) else { return };
    // A second Ctrl-C ends the run at once. Only Ctrl-C: closing a terminal may send SIGHUP
    // twice (the shell, then the kernel), and the second must not skip the clean-up.
    let pressed = Arc::new(AtomicBool::new(false));
    // Registered before the flag, so the first press finds it unarmed and arms it.
    let _ = signal_hook::flag::register_conditional_shutdown(SIGINT, 128 + SIGINT, Arc::clone(&pressed))
        .and_then(|_| signal_hook::flag::register(SIGINT, pressed));
    std::thread::spawn(move || {
        if let Some(signal) = received.forever().next() {
            let files = in_flight();
            for file in files.iter() {
                let _ = fs::remove_file(file);
            }
            // Deepest first; remove_dir leaves any folder that holds something (a finished output).
            let mut folders = MADE_FOLDERS.lock().unwrap_or_else(|e| e.into_inner());
            remove_empty(&mut folders);
            // Ends the process as the signal would have, with the lock held: no write starts
            // after the clean-up. (It does not return for these signals; the exit is a backstop.)
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
pub fn watch() {}

/// A temporary file being written: removed when dropped, unless renamed into place.
pub struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    /// Creates the file (failing if it exists) and records it for a signal's clean-up.
    pub fn create(path: PathBuf) -> io::Result<(TempFile, fs::File)> {
        let mut files = in_flight();
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Readable by its owner only until it is whole and has the original's permissions:
        // a private photo is not for others to read while it is written.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        files.push(path.clone());
        Ok((TempFile { path, kept: false }, file))
    }

    /// Renames the file to `destination`, where it stays.
    pub fn rename_to(mut self, destination: &Path) -> io::Result<()> {
        fs::rename(&self.path, destination)?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let mut files = in_flight();
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
        if let Some(i) = files.iter().position(|p| *p == self.path) {
            files.swap_remove(i);
        }
    }
}
