//! Running one job (clean or convert) over many files: plan every output path
//! first (in input order, so collisions are reported deterministically), then
//! process the files on all cores, going on past failures.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::budget::{Budget, Held};
use crate::inputs::{collect, Input};
use crate::render::{self, Done, Outcome};
use crate::say;
use crate::write::{self, Planner, Target};

fn progress(len: usize) -> ProgressBar {
    // Only large batches get a bar; indicatif hides it when stderr is not a terminal.
    if len < 10 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}").expect("valid template"));
    bar
}

/// How a batch runs (the options every writing command shares).
pub struct Options {
    pub json: bool,
    /// Files processed at once; one per core when not given.
    pub jobs: Option<usize>,
    /// Bytes the files processed at once may hold together (`budget::Budget`).
    pub memory: Option<u64>,
}

/// Returns whether every input succeeded. `needs`: the memory an image's work takes in
/// all, its file included (it is read first).
pub fn run(
    args: &[PathBuf],
    target: Target,
    options: &Options,
    needs: impl Fn(&[u8]) -> u64 + Sync,
    work: impl Fn(&[u8]) -> Result<Done, String> + Sync,
    video: impl Fn(write::Opened, &Path, bool) -> Result<Done, String> + Sync,
) -> bool {
    let Options { json, jobs: jobs_wanted, memory } = *options;
    let budget = Budget::new(memory);
    let outputs = match &target {
        Target::Dir { root, .. } => Some(root.as_path()),
        Target::InPlace => None,
    };
    let (inputs, unreadable) = collect(args, outputs);
    for u in &unreadable {
        say::err_line(render::error_line(&u.path, &u.error));
    }
    let durable = matches!(target, Target::InPlace);
    let mut planner = Planner::new(target, &inputs);
    let jobs: Vec<(Input, Result<PathBuf, String>)> = inputs
        .into_iter()
        .map(|input| {
            let destination = planner.plan(&input);
            (input, destination)
        })
        .collect();

    let bar = progress(jobs.len());
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = jobs_wanted.unwrap_or(cores).min(jobs.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((input, destination)) = jobs.get(i) else { break };
                let outcome = process(input, destination, durable, &budget, &needs, &work, &video);
                match &outcome {
                    // Errors go to stderr in both modes; JSON also lists them on stdout.
                    Outcome::Failed { error } => bar.suspend(|| say::err_line(render::error_line(&input.path, error))),
                    // A link or pipe left out is said in both modes: the folder's copy lacks it.
                    Outcome::Skipped { reason } if input.skip.is_some() => {
                        bar.suspend(|| say::err_line(render::skipped_line(&input.path, reason)))
                    }
                    _ if !json => {
                        if let Some(line) = render::done_text(&input.path, &outcome) {
                            bar.suspend(|| say::out_line(line));
                        }
                    }
                    _ => {}
                }
                bar.inc(1);
                outcomes.lock().expect("no worker panics")[i] = Some(outcome);
            });
        }
    });
    bar.finish_and_clear();

    let outcomes = outcomes.into_inner().expect("no worker panics");
    let mut results = Vec::with_capacity(jobs.len());
    let (mut skipped, mut failures) = (0, unreadable.len());
    for u in &unreadable {
        results.push(render::outcome_json(&u.path, &Outcome::Failed { error: u.error.clone() }));
    }
    for ((input, _), outcome) in jobs.iter().zip(outcomes) {
        let outcome = outcome.expect("every job ran");
        match outcome {
            Outcome::Skipped { .. } => skipped += 1,
            Outcome::Failed { .. } => failures += 1,
            Outcome::Done { .. } => {}
        }
        results.push(render::outcome_json(&input.path, &outcome));
    }
    if json {
        say::out_line(serde_json::to_string_pretty(&results).expect("serialisable"));
    } else {
        say::err_line(render::totals(&results, skipped, failures));
    }
    failures == 0
}

fn process(
    input: &Input,
    destination: &Result<PathBuf, String>,
    durable: bool,
    budget: &Budget,
    needs: &impl Fn(&[u8]) -> u64,
    work: &impl Fn(&[u8]) -> Result<Done, String>,
    video: &impl Fn(write::Opened, &Path, bool) -> Result<Done, String>,
) -> Outcome {
    if let Some(reason) = input.skip {
        return Outcome::Skipped { reason: reason.into() };
    }
    let opened = match write::open(&input.path) {
        Ok(opened) => opened,
        Err(error) => return Outcome::Failed { error },
    };
    // A video holds at most its header (its media is streamed); an image, first its file,
    // unless it is too large to be read at all (refused at once, it need not wait its turn).
    let first_need = if opened.is_video() {
        traceless_core::video::MAX_MOOV_BYTES
    } else if opened.len() > traceless_core::limits::MAX_INPUT_BYTES as u64 {
        0
    } else {
        opened.len()
    };
    let mut held: Held = budget.hold(first_need);
    // Videos are not read whole: they are streamed from the open file.
    if opened.is_video() {
        let destination = match destination {
            Ok(d) => d,
            Err(error) => return Outcome::Failed { error: error.clone() },
        };
        return match video(opened, destination, durable) {
            Ok(done) => Outcome::Done { output: destination.clone(), done: Box::new(done) },
            Err(error) => Outcome::Failed { error },
        };
    }
    let origin = opened.origin.clone();
    let data = match opened.read() {
        Ok(data) => data,
        Err(error) => return Outcome::Failed { error },
    };
    if input.from_dir && !matches!(traceless_core::detect(&data), traceless_core::Detected::Supported(_)) {
        return Outcome::Skipped { reason: "not an image or video Traceless cleans".into() };
    }
    let destination = match destination {
        Ok(d) => d,
        Err(error) => return Outcome::Failed { error: error.clone() },
    };
    held.grow_to(needs(&data));
    let done = match work(&data) {
        Ok(d) => d,
        Err(error) => return Outcome::Failed { error },
    };
    if done.written {
        return Outcome::Done { output: destination.clone(), done: Box::new(done) };
    }
    if let Err(e) = write::atomic(destination, &done.data, &origin, durable) {
        return Outcome::Failed {
            error: format!("cannot write {}: {}", destination.display(), crate::inputs::describe(&e)),
        };
    }
    Outcome::Done { output: destination.clone(), done: Box::new(done) }
}
