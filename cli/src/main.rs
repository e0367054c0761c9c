//! `traceless`: inspect and clean image metadata on your own machine.

mod inputs;
mod render;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use traceless_core::Policy;

use inputs::{collect, Input};

#[derive(Parser)]
#[command(
    name = "traceless",
    version,
    about = "Remove location, camera serial numbers, names, dates and other hidden metadata from photos, without re-encoding them.",
    long_about = "Traceless removes hidden metadata from JPEG, PNG/APNG, WebP and GIF images by editing the file's \
container: the pixels are copied byte for byte. It keeps only what changes how the image looks: the colour \
profile (ICC) and the orientation, unless told otherwise. Nothing is sent anywhere.",
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
        /// Image files to inspect.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print machine-readable JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove metadata, writing cleaned copies (originals are left alone unless --in-place).
    Clean(CleanArgs),
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
    /// Replace files that already exist in OUTDIR.
    #[arg(long)]
    overwrite: bool,
    /// Print machine-readable JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also remove the colour profile (colours may shift on wide-gamut photos).
    #[arg(long)]
    drop_icc: bool,
    /// Also remove the orientation (rotated photos may then display sideways).
    #[arg(long)]
    drop_orientation: bool,
    /// Keep the copyright notice (written into a minimal EXIF).
    #[arg(long)]
    keep_copyright: bool,
    /// Keep the author's name (written into a minimal EXIF).
    #[arg(long)]
    keep_author: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Inspect { files, json } => inspect(&files, json),
        Command::Clean(args) => clean(&args),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn progress(len: usize) -> ProgressBar {
    // Only large batches get a bar; indicatif hides it when stderr is not a terminal.
    if len < 10 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}").expect("valid template"),
    );
    bar
}

fn inspect(files: &[PathBuf], json: bool) -> bool {
    let mut ok = true;
    let mut results = Vec::new();
    for path in files {
        let result = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|data| traceless_core::inspect(&data).map_err(|e| e.to_string()));
        if result.is_err() {
            ok = false;
        }
        if json {
            results.push(render::inspect_json(path, &result));
        } else {
            print!("{}", render::inspect_text(path, &result));
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).expect("serialisable")
        );
    }
    ok
}

fn clean(args: &CleanArgs) -> bool {
    let policy = Policy {
        keep_icc: !args.drop_icc,
        keep_orientation: !args.drop_orientation,
        keep_copyright: args.keep_copyright,
        keep_author: args.keep_author,
    };
    let (inputs, mut failures) = collect(&args.inputs);
    let target = match &args.out {
        Some(dir) => write::Target::Dir {
            root: dir.clone(),
            overwrite: args.overwrite,
        },
        None => write::Target::InPlace,
    };
    let bar = progress(inputs.len());
    let mut results = Vec::new();
    let mut planned = std::collections::HashSet::new();
    let mut skipped = 0;
    for input in &inputs {
        bar.set_message(input.path.display().to_string());
        let outcome = clean_one(input, &policy, &target, &mut planned);
        bar.inc(1);
        match &outcome {
            render::Outcome::Skipped { .. } => skipped += 1,
            render::Outcome::Failed { .. } => failures += 1,
            render::Outcome::Cleaned { .. } => {}
        }
        if !args.json {
            if let Some(line) = render::outcome_text(&input.path, &outcome) {
                bar.suspend(|| println!("{line}"));
            }
        }
        results.push(render::outcome_json(&input.path, &outcome));
    }
    bar.finish_and_clear();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).expect("serialisable")
        );
    } else {
        eprintln!("{}", render::totals(&results, skipped, failures));
    }
    failures == 0
}

fn clean_one(
    input: &Input,
    policy: &Policy,
    target: &write::Target,
    planned: &mut std::collections::HashSet<PathBuf>,
) -> render::Outcome {
    let data = match std::fs::read(&input.path) {
        Ok(d) => d,
        Err(e) => {
            return render::Outcome::Failed {
                error: format!("cannot read: {e}"),
            }
        }
    };
    if input.from_dir
        && !matches!(
            traceless_core::detect(&data),
            traceless_core::Detected::Supported(_)
        )
    {
        return render::Outcome::Skipped {
            reason: "not a JPEG, PNG, WebP or GIF image".into(),
        };
    }
    let cleaned = match traceless_core::clean(&data, policy) {
        Ok(c) => c,
        Err(e) => {
            return render::Outcome::Failed {
                error: e.to_string(),
            }
        }
    };
    let destination = match target.destination(input, planned) {
        Ok(d) => d,
        Err(e) => return render::Outcome::Failed { error: e },
    };
    if let Err(e) = write::atomic(
        &destination,
        &cleaned.data,
        &input.path,
        matches!(target, write::Target::InPlace),
    ) {
        return render::Outcome::Failed {
            error: format!("cannot write {}: {e}", destination.display()),
        };
    }
    render::Outcome::Cleaned {
        output: destination,
        report: Box::new(cleaned.report),
    }
}
