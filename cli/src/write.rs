//! Where output files go, and reading and writing them safely.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::inputs::Input;
use crate::interrupt::TempFile;

pub enum Target {
    /// Write into a folder, keeping the input's relative path; with `format`,
    /// the file gets that format's extension. `converting` without a format
    /// (keep the format) renames what has no encoder: see `kept_extension`.
    Dir {
        root: PathBuf,
        overwrite: bool,
        format: Option<traceless_core::Format>,
        converting: bool,
    },
    InPlace,
}

/// Decides every output path up front, refusing anything that would overwrite
/// an original (this input's or another input's of the run, even with --overwrite),
/// another output of this run, or (without --overwrite) any file.
pub struct Planner {
    target: Target,
    planned: HashSet<PathBuf>,
    /// Every input of the run, as `absolute` gives it and with every link resolved.
    originals: HashSet<PathBuf>,
    /// Canonical forms of folders already seen: resolving a path costs a system
    /// call per component, and batches share folders.
    canonical: HashMap<PathBuf, PathBuf>,
}

impl Planner {
    pub fn new(target: Target, inputs: &[Input]) -> Self {
        let mut planner =
            Planner { target, planned: HashSet::new(), originals: HashSet::new(), canonical: HashMap::new() };
        for input in inputs {
            let absolute = planner.absolute(&input.path);
            planner.originals.insert(absolute);
            if let Ok(real) = fs::canonicalize(&input.path) {
                planner.originals.insert(real);
            }
        }
        planner
    }

    pub fn plan(&mut self, input: &Input) -> Result<PathBuf, String> {
        let (root, overwrite, format, converting) = match &self.target {
            Target::InPlace => return self.in_place(input),
            Target::Dir { root, overwrite, format, converting } => (root, *overwrite, *format, *converting),
        };
        // Said as what it is: writing into it failed as "cannot write x.jpg/a.jpg: File exists".
        if fs::metadata(root).is_ok_and(|meta| !meta.is_dir()) {
            return Err(format!("the output folder {} is a file (-o names a folder)", root.display()));
        }
        let mut destination = root.join(&input.relative);
        if let Some(format) = format {
            destination.set_extension(format.extension());
        } else if let Some(extension) =
            (converting && input.skip.is_none()).then(|| kept_extension(&input.path)).flatten()
        {
            destination.set_extension(extension);
        }
        let absolute = self.absolute(&destination);
        if absolute == self.absolute(&input.path) {
            return Err("the output would replace the original (use --in-place to do that on purpose)".into());
        }
        // Another file of this run: --overwrite is for earlier outputs, never for originals.
        if self.originals.contains(&absolute) {
            return Err(format!("the output would replace {}, another original of this run", destination.display()));
        }
        if !self.planned.insert(absolute) {
            return Err(format!("{} is already the output of another input", destination.display()));
        }
        // A link there counts, even one to nothing (`exists` follows links).
        if !overwrite && fs::symlink_metadata(&destination).is_ok() {
            return Err(format!("{} exists (use --overwrite to replace it)", destination.display()));
        }
        Ok(destination)
    }

    /// In place: the file itself, through any symbolic link (replacing the link would
    /// leave the photo it points to as it was), once, and not a file with other names.
    fn in_place(&mut self, input: &Input) -> Result<PathBuf, String> {
        let real = fs::canonicalize(&input.path).map_err(|e| crate::inputs::describe(&e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // The new file takes this name only: its other hard links would keep the original.
            let links = fs::metadata(&real).map_err(|e| crate::inputs::describe(&e))?.nlink();
            if links > 1 {
                return Err(format!(
                    "it has {} other names (hard links), which would keep the original: clean a copy with -o instead",
                    links - 1
                ));
            }
        }
        if !self.planned.insert(real.clone()) {
            return Err(format!("{} is named twice in this run: cleaned once", real.display()));
        }
        Ok(real)
    }

    /// The path with its folder resolved (the file itself may not exist yet).
    fn absolute(&mut self, path: &Path) -> PathBuf {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return resolved(path);
        };
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        self.canonical.entry(parent.to_path_buf()).or_insert_with(|| resolved(parent)).join(name)
    }
}

/// `path` with every link resolved as far as it exists, the rest taken by name: folders
/// this run will make are no links, so `new/..` is the folder it starts from. (Made
/// absolute alone, `-o new/..` was not seen to be the originals' own folder, and the
/// originals were replaced.)
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let Ok(mut out) = fs::canonicalize(parts[..existing].iter().collect::<PathBuf>()) else { continue };
        for part in &parts[existing..] {
            match part {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return out;
    }
    absolute
}

/// Converting "in the same format" writes what the file is, not what its name says: a
/// GIF as PNG and a HEIC or AVIF as JPEG, having no encoder for them (core's
/// `OutputFormat::Keep`), and a HEIC named `.png` as a JPEG. The name says what was
/// written: a new extension where its own names another format. Told from the file's
/// first bytes (by its name where they cannot be read: converting it fails anyway).
fn kept_extension(path: &Path) -> Option<&'static str> {
    let named = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let mut head = Vec::with_capacity(256);
    // Regular files only: opening a pipe waits for a writer, for ever (`open` asks first too).
    let read = fs::metadata(path).is_ok_and(|meta| meta.is_file())
        && fs::File::open(path).and_then(|file| file.take(256).read_to_end(&mut head)).is_ok();
    let written = match (read, traceless_core::detect(&head)) {
        (true, traceless_core::Detected::Supported(format)) => traceless_core::OutputFormat::Keep.resolve(format),
        _ => match named.as_str() {
            "gif" => return Some("png"),
            "heic" | "heif" | "hif" | "avif" => return Some("jpg"),
            _ => return None,
        },
    };
    let fits = match written {
        traceless_core::Format::Jpeg => matches!(named.as_str(), "jpg" | "jpeg" | "jpe" | "jfif"),
        traceless_core::Format::Png => matches!(named.as_str(), "png" | "apng"),
        other => named == other.extension(),
    };
    (!fits).then(|| written.extension())
}

/// Creates a folder (and its parents) once per run: batches write many files
/// into few folders.
fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    static CREATED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let mut created = CREATED.lock().unwrap_or_else(|e| e.into_inner());
    let created = created.get_or_insert_with(HashSet::new);
    if !created.contains(dir) {
        // The folders this run makes, not those already there: a run stopped before they hold
        // anything removes them again (interrupt.rs).
        let missing: Vec<PathBuf> =
            dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).map(Path::to_path_buf).collect();
        fs::create_dir_all(dir)?;
        crate::interrupt::made_folders(missing);
        created.insert(dir.to_path_buf());
    }
    Ok(())
}

/// An input opened once: its first bytes tell a video (streamed from the
/// open file) from an image (read whole from it), and its permissions (and,
/// replacing it, its owner) go to the output.
pub struct Opened {
    pub file: fs::File,
    pub origin: Origin,
    len: u64,
    head: Vec<u8>,
}

/// What the output keeps of the original's file.
#[derive(Clone)]
pub struct Origin {
    permissions: fs::Permissions,
    /// User and group: a file cleaned in place stays its owner's and its group's (others in
    /// the group lost read access to a shared photo when it became the runner's).
    #[cfg(unix)]
    owner: (u32, u32),
}

impl Origin {
    fn of(meta: &fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Origin {
            permissions: meta.permissions(),
            #[cfg(unix)]
            owner: (meta.uid(), meta.gid()),
        }
    }

    /// Gives `file` the original's owner and group as far as this user may (root: both;
    /// others: the group, if they are in it), then its permissions (after: a change of
    /// owner clears set-user-ID bits).
    fn apply(&self, file: &fs::File, replacing: bool) -> std::io::Result<()> {
        #[cfg(unix)]
        if replacing {
            use std::os::unix::fs::fchown;
            let (user, group) = self.owner;
            if fchown(file, Some(user), Some(group)).is_err() {
                let _ = fchown(file, None, Some(group));
            }
        }
        #[cfg(not(unix))]
        let _ = replacing;
        file.set_permissions(self.permissions.clone())
    }
}

pub fn open(path: &Path) -> Result<Opened, String> {
    let io = |e: std::io::Error| crate::inputs::describe(&e);
    // Asked before opening: opening a pipe waits for a writer, for ever.
    let kind = fs::metadata(path).map_err(io)?.file_type();
    if kind.is_dir() {
        return Err("is a folder".into());
    }
    if !kind.is_file() {
        return Err("not a regular file (a pipe, a device or a socket)".into());
    }
    let file = fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let mut head = Vec::with_capacity(256);
    (&file).take(256).read_to_end(&mut head).map_err(io)?;
    Ok(Opened { file, origin: Origin::of(&meta), len: meta.len(), head })
}

impl Opened {
    /// The file's size when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// A video (by its first bytes): cleaned streamed, never read whole.
    pub fn is_video(&self) -> bool {
        traceless_core::video::detect(&self.head).is_some()
    }

    /// The whole file. Files over the engine's input limit are refused before
    /// reading, so a huge file never fills memory.
    pub fn read(mut self) -> Result<Vec<u8>, String> {
        let io = |e: std::io::Error| crate::inputs::describe(&e);
        let limit = traceless_core::limits::MAX_INPUT_BYTES as u64;
        if self.len > limit {
            return Err(format!("too large: {} MB (Traceless reads files up to {} MB)", self.len >> 20, limit >> 20));
        }
        let mut data = std::mem::take(&mut self.head);
        data.reserve(self.len.saturating_sub(data.len() as u64) as usize);
        // `take` keeps the limit even if the file grows while it is read.
        let room = limit + 1 - data.len() as u64;
        self.file.take(room).read_to_end(&mut data).map_err(io)?;
        if data.len() as u64 > limit {
            return Err(format!("too large (Traceless reads files up to {} MB)", limit >> 20));
        }
        Ok(data)
    }
}

/// Writes to a temporary file beside `destination`, then renames it into place,
/// so no reader ever sees a half-written image. The output gets the original's
/// permissions. `replacing` (the original itself, in place) also gives it the
/// original's owner and flushes it to disk before the rename (a power cut must not
/// lose the photo), which copies need not.
pub fn atomic(destination: &Path, data: &[u8], origin: &Origin, replacing: bool) -> std::io::Result<()> {
    atomic_with(destination, origin, replacing, |file| file.write_all(data))
}

/// As `atomic`, with the content written by `fill` (a video streamed into place).
pub fn atomic_with(
    destination: &Path,
    origin: &Origin,
    replacing: bool,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = destination.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    ensure_dir(dir)?;
    // Short and numbered, not named after the file: a name near the system's limit would
    // not fit, and names that differ only in bytes that are not text would share one.
    // Created only if new: a file (or a link planted by someone else) already there is
    // never written through; one left by an earlier run with our process id is passed over.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut attempts = 0;
    let (temp, mut file) = loop {
        let name = format!(".traceless-{}-{}.tmp", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        match TempFile::create(dir.join(name)) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            created => break created?,
        }
    };
    fill(&mut file)?;
    origin.apply(&file, replacing)?;
    if replacing {
        file.sync_all()?;
    }
    drop(file);
    temp.rename_to(destination)
}
