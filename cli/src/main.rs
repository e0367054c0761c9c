//! `traceless`: inspect and clean image metadata on your own machine.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod batch;
mod budget;
mod inputs;
mod interrupt;
mod render;
mod say;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use traceless_core::{Chroma, ColourMode, ConvertOptions, OutputFormat, Policy};

#[derive(Parser)]
#[command(
    name = "traceless",
    version,
    about = "Remove location, camera serial numbers, names, dates and other hidden metadata from photos and videos, without re-encoding them.",
    long_about = "Traceless removes hidden metadata from JPEG, PNG/APNG, WebP, GIF, HEIC/HEIF and AVIF images, and \
from MP4, MOV, M4V and 3GP videos, by editing the file's container: the coded image and media data are copied \
byte for byte (videos are streamed, whatever their size). It keeps only what changes how the image looks: the \
colour profile (ICC) and the orientation, unless told otherwise. Nothing is sent anywhere.",
    after_help = "Examples:\n  traceless inspect holiday.jpg\n  traceless clean ~/Pictures/trip -o ~/Pictures/trip-clean\n  traceless clean photo.jpg --in-place --drop-orientation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what images reveal: location, camera, dates, names, hidden previews and more.
    Inspect {
        /// Image files or folders (folders are searched recursively).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove metadata, writing cleaned copies (originals are left alone unless --in-place).
    Clean(CleanArgs),
    /// Re-encode as JPEG, PNG, WebP or AVIF: smaller, resized, upright, with no metadata.
    Convert(ConvertArgs),
}

#[derive(Args)]
struct ConvertArgs {
    /// Image files or folders (folders are searched recursively).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder for the converted files (created if missing; folder structure is kept).
    #[arg(short = 'o', long = "out", value_name = "OUTDIR", required = true)]
    out: PathBuf,
    /// Output format: jpeg, png, webp, avif, or keep (the input's own).
    #[arg(long, value_name = "FORMAT", default_value = "keep", value_parser = parse_format)]
    to: OutputFormat,
    /// Quality for JPEG, lossy WebP and AVIF, 0-100 (the upper bound with --target-size).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u8).range(0..=100))]
    quality: u8,
    /// Fit within WIDTHxHEIGHT (e.g. 2048x2048; never upscales).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    max_size: Option<(u32, u32)>,
    /// Make each file at most this many kilobytes (quality first, then size).
    #[arg(long, value_name = "KB")]
    target_size: Option<u64>,
    /// Convert colours to sRGB instead of embedding the source's ICC profile.
    #[arg(long)]
    srgb: bool,
    /// JPEG and AVIF: full-resolution colour (4:4:4) instead of 4:2:0.
    #[arg(long)]
    full_chroma: bool,
    /// WebP: lossless.
    #[arg(long)]
    lossless: bool,
    /// PNG: oxipng effort, 0 (fastest) to 6 (smallest) [default: 2, or 1 from 4 megapixels]
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=6))]
    png_level: Option<u8>,
    /// AVIF: encoder speed, 0 (slowest, smallest) to 9.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(0..=9))]
    avif_speed: u8,
    /// AVIF: bits a sample, 8 or 10 (a 16-bit PNG keeps 10 of its bits).
    #[arg(long, default_value_t = 8, value_parser = parse_avif_depth)]
    avif_depth: u8,
    /// Background for transparent areas in JPEG output, as RRGGBB.
    #[arg(long, value_name = "RRGGBB", default_value = "ffffff", value_parser = parse_colour)]
    background: [u8; 3],
    #[command(flatten)]
    batch: BatchArgs,
}

/// Options shared by every command that writes files.
#[derive(Args)]
struct BatchArgs {
    /// Replace files that already exist in OUTDIR.
    #[arg(long)]
    overwrite: bool,
    /// Print machine-readable JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Files processed at once (default: one per core).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Most memory the files processed at once may use together, in MB (default: half
    /// the memory available when the run starts). Files wait their turn; one that needs
    /// more runs alone.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    memory: Option<u64>,
}

impl BatchArgs {
    fn options(&self) -> batch::Options {
        batch::Options { json: self.json, jobs: self.jobs.map(usize::from), memory: self.memory.map(|mb| mb << 20) }
    }
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "jpeg" | "jpg" => Ok(OutputFormat::Jpeg),
        "png" => Ok(OutputFormat::Png),
        "webp" => Ok(OutputFormat::Webp),
        "avif" => Ok(OutputFormat::Avif),
        "keep" => Ok(OutputFormat::Keep),
        _ => Err("expected jpeg, png, webp, avif or keep".into()),
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("expected WIDTHxHEIGHT, e.g. 2048x2048")?;
    let n = |v: &str| v.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or("sizes are positive whole numbers");
    Ok((n(w)?, n(h)?))
}

fn parse_colour(s: &str) -> Result<[u8; 3], String> {
    let hex = s.trim_start_matches('#');
    let v = u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 6).ok_or("expected RRGGBB, e.g. ffffff")?;
    Ok([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

fn parse_avif_depth(s: &str) -> Result<u8, String> {
    match s {
        "8" => Ok(8),
        "10" => Ok(10),
        _ => Err("expected 8 or 10".into()),
    }
}

#[derive(Args)]
struct CleanArgs {
    /// Image files or folders (folders are searched recursively).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder for the cleaned copies (created if missing; folder structure is kept).
    #[arg(
        short = 'o',
        long = "out",
        value_name = "OUTDIR",
        required_unless_present = "in_place",
        conflicts_with = "in_place"
    )]
    out: Option<PathBuf>,
    /// Replace the originals with their cleaned versions.
    #[arg(long)]
    in_place: bool,
    #[command(flatten)]
    batch: BatchArgs,
    /// Also remove the colour profile (colours may shift on wide-gamut photos).
    #[arg(long)]
    drop_icc: bool,
    /// Also remove the EXIF orientation (rotated photos may then display sideways). A HEIC's,
    /// AVIF's or video's rotation stays: it is part of how the picture is coded.
    #[arg(long)]
    drop_orientation: bool,
    /// Keep the copyright notice (written into a minimal EXIF in JPEG, PNG and WebP;
    /// other formats keep none).
    #[arg(long)]
    keep_copyright: bool,
    /// Keep the author's name (written into a minimal EXIF in JPEG, PNG and WebP; other
    /// formats keep none).
    #[arg(long)]
    keep_author: bool,
    /// Also remove an Ultra HDR photo's gain map (HDR screens then show it as SDR).
    #[arg(long)]
    drop_gain_map: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    budget::share_freed_memory();
    interrupt::watch();
    let ok = match cli.command {
        Command::Inspect { files, json } => inspect(&files, json),
        Command::Clean(args) => clean(&args),
        Command::Convert(args) => convert(&args),
    };
    interrupt::remove_empty_made_folders();
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn inspect(args: &[PathBuf], json: bool) -> bool {
    let (inputs, unreadable) = inputs::collect(args, None);
    let mut results = Vec::new();
    let failed = |path: &std::path::Path, error: String, results: &mut Vec<serde_json::Value>| {
        say::err_line(render::error_line(path, &error));
        if json {
            results.push(render::inspect_json(path, &Err(error)));
        }
    };
    let mut ok = unreadable.is_empty();
    for u in unreadable {
        failed(&u.path, u.error, &mut results);
    }
    for input in inputs {
        if let Some(reason) = input.skip {
            say::err_line(render::skipped_line(&input.path, reason));
            continue;
        }
        let opened = match write::open(&input.path) {
            Ok(opened) => opened,
            Err(error) => {
                ok = false;
                failed(&input.path, error, &mut results);
                continue;
            }
        };
        // A video is inspected from the open file: its header only, whatever its size.
        if opened.is_video() {
            let report = traceless_core::video::source::FileSource::new(opened.file)
                .map_err(|e| inputs::describe(&e))
                .and_then(|mut source| traceless_core::video::inspect_source(&mut source).map_err(|e| e.to_string()));
            match report {
                Ok(report) if json => results.push(render::inspect_json(&input.path, &Ok(report))),
                Ok(report) => say::out(render::inspect_text(&input.path, &report)),
                Err(e) => {
                    ok = false;
                    failed(&input.path, e, &mut results);
                }
            }
            continue;
        }
        let data = match opened.read() {
            Ok(data) => data,
            Err(error) => {
                ok = false;
                failed(&input.path, error, &mut results);
                continue;
            }
        };
        // Inside folders, what is not an image is skipped, as clean does.
        if input.from_dir && !matches!(traceless_core::detect(&data), traceless_core::Detected::Supported(_)) {
            continue;
        }
        match traceless_core::inspect(&data) {
            Ok(report) if json => results.push(render::inspect_json(&input.path, &Ok(report))),
            Ok(report) => say::out(render::inspect_text(&input.path, &report)),
            Err(e) => {
                ok = false;
                failed(&input.path, e.to_string(), &mut results);
            }
        }
    }
    if json {
        say::out_line(serde_json::to_string_pretty(&results).expect("serialisable"));
    }
    ok
}

fn clean(args: &CleanArgs) -> bool {
    let policy = Policy {
        keep_icc: !args.drop_icc,
        keep_orientation: !args.drop_orientation,
        keep_copyright: args.keep_copyright,
        keep_author: args.keep_author,
        keep_gain_map: !args.drop_gain_map,
    };
    let target = match &args.out {
        Some(dir) => {
            write::Target::Dir { root: dir.clone(), overwrite: args.batch.overwrite, format: None, converting: false }
        }
        None => write::Target::InPlace,
    };
    let image = |data: &[u8]| {
        let cleaned = traceless_core::clean(data, &policy).map_err(|e| e.to_string())?;
        Ok(render::Done::from_clean(cleaned))
    };
    // The file and its cleaned copy, which is never larger.
    let needs = |data: &[u8]| 2 * data.len() as u64;
    batch::run(&args.inputs, target, &args.batch.options(), needs, image, |opened, destination, durable| {
        clean_video(opened, destination, durable, &policy)
    })
}

/// Cleans a video from disk to disk: its header read, its media copied by the
/// kernel, never held whole (a 4 GB video cleans in a few MB of memory).
fn clean_video(
    opened: write::Opened,
    destination: &std::path::Path,
    durable: bool,
    policy: &Policy,
) -> Result<render::Done, String> {
    use traceless_core::video::{plan, source::FileSource, write_plan_to_file};
    let origin = opened.origin.clone();
    let mut source = FileSource::new(opened.file).map_err(|e| inputs::describe(&e))?;
    let plan = plan(&mut source, policy).map_err(|e| e.to_string())?;
    let mut failure = None;
    write::atomic_with(destination, &origin, durable, |out| {
        write_plan_to_file(&plan, &source, out).map_err(|e| {
            failure = Some(e.to_string());
            std::io::Error::other("cleaning failed")
        })
    })
    .map_err(|e| failure.take().unwrap_or_else(|| format!("cannot write {}: {e}", destination.display())))?;
    Ok(render::Done::from_video(&plan.report))
}

fn convert(args: &ConvertArgs) -> bool {
    let options = ConvertOptions {
        format: args.to,
        quality: args.quality,
        max_width: args.max_size.map(|s| s.0),
        max_height: args.max_size.map(|s| s.1),
        target_bytes: args.target_size.map(|kb| kb * 1024),
        colour: if args.srgb { ColourMode::ConvertToSrgb } else { ColourMode::KeepProfile },
        chroma: if args.full_chroma { Chroma::Full } else { Chroma::Subsampled },
        background: args.background,
        webp_lossless: args.lossless,
        png_level: args.png_level,
        avif_speed: args.avif_speed,
        avif_depth: args.avif_depth,
    };
    // An explicit format gets its own extension; "keep" keeps the file name.
    let format = match args.to {
        OutputFormat::Keep => None,
        OutputFormat::Jpeg => Some(traceless_core::Format::Jpeg),
        OutputFormat::Png => Some(traceless_core::Format::Png),
        OutputFormat::Webp => Some(traceless_core::Format::Webp),
        OutputFormat::Avif => Some(traceless_core::Format::Avif),
    };
    let target =
        write::Target::Dir { root: args.out.clone(), overwrite: args.batch.overwrite, format, converting: true };
    let image = |data: &[u8]| {
        let converted = traceless_core::convert(data, &options).map_err(|e| e.to_string())?;
        Ok(render::Done::from_convert(converted, args.background))
    };
    // The file and its pixels' share of a conversion's memory (the header's size: a file
    // inspect cannot read fails its conversion at once).
    let needs = |data: &[u8]| {
        let pixels = traceless_core::inspect(data).map_or(0, |r| u64::from(r.width) * u64::from(r.height));
        // Saturating: a header may claim 2^31 × 2^31 pixels (the engine then refuses it).
        (data.len() as u64).saturating_add(pixels.saturating_mul(budget::CONVERT_BYTES_PER_PIXEL))
    };
    batch::run(&args.inputs, target, &args.batch.options(), needs, image, |_, _, _| {
        Err("a video: Traceless does not re-encode videos; `traceless clean` removes their metadata".to_string())
    })
}
