//! How much memory the files being processed at once may hold together.
//!
//! Each file's own memory is bounded by the engine's limits, but `--jobs` (one per
//! core by default) multiplied that bound: sixteen cores converting 48-megapixel
//! photos wanted about 20 GB. Each file now reserves what it needs before it is read
//! and waits while the run's budget is spent; a file that needs more than the whole
//! budget still runs, alone, so every run finishes.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Peak memory of a conversion per pixel of the image, beyond its file: decoded pixels,
/// their colour-converted and resized copies, and the encoder's own. Measured natively
/// (GNU time's maximum resident size, 2026-12-06) on 12 and 16 MP JPEG and HEIC photos to
/// JPEG, PNG, WebP and AVIF: 12 to 27 bytes a pixel, AVIF the most.
pub const CONVERT_BYTES_PER_PIXEL: u64 = 28;

pub struct Budget {
    limit: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// Memory held by one file until it is dropped.
pub struct Held<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Budget {
    /// `limit` in bytes; without one, half the memory available when the run starts,
    /// or no limit where the system does not say (outside Linux).
    pub fn new(limit: Option<u64>) -> Budget {
        let limit = limit.or_else(|| available_memory().map(|bytes| bytes / 2)).unwrap_or(u64::MAX);
        Budget { limit, used: Mutex::new(0), freed: Condvar::new() }
    }

    fn used(&self) -> MutexGuard<'_, u64> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `bytes` fit beside what the other files hold, or no other file holds any.
    fn wait_for(&self, mut used: MutexGuard<'_, u64>, bytes: u64) {
        while *used > 0 && used.saturating_add(bytes) > self.limit {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += bytes;
    }

    pub fn hold(&self, bytes: u64) -> Held<'_> {
        self.wait_for(self.used(), bytes);
        Held { budget: self, bytes }
    }
}

impl Held<'_> {
    /// Holds `bytes` in all, once the file tells how much it needs (after it was read).
    /// What it held is given back while it waits, so two files that each wait for the
    /// other to finish cannot both wait for ever.
    pub fn grow_to(&mut self, bytes: u64) {
        if bytes <= self.bytes {
            return;
        }
        let mut used = self.budget.used();
        *used -= self.bytes;
        self.bytes = 0;
        self.budget.freed.notify_all();
        self.budget.wait_for(used, bytes);
        self.bytes = bytes;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        *self.budget.used() -= self.bytes;
        self.budget.freed.notify_all();
    }
}

/// Lets memory freed by one worker serve the next file on any other. glibc's malloc
/// (which the C codecs use) gives each thread an arena of its own and keeps what was
/// freed in it, so every worker that had converted a photo went on holding its memory:
/// twelve workers in a 400 MB budget, converting one photo at a time, peaked at 494 MB
/// (one worker: 156 MB), with malloc_trim after each file too; with one arena, 211 MB.
/// The codecs allocate a few large buffers a file, so the shared arena's lock is not
/// felt: twelve photos on two workers took 5.4 s with one arena and 5.1 s without (one
/// run each: within this machine's run-to-run noise). Called before any thread starts.
pub fn share_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and changes an allocator setting; no other thread runs yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// MemAvailable from /proc/meminfo: memory the system can give without swapping.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn files_wait_while_the_budget_is_spent_and_one_too_large_runs_alone() {
        let budget = Budget::new(Some(100));
        let peak = AtomicU64::new(0);
        let at_once = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for needs in [60, 60, 30, 250, 40, 60] {
                let (budget, peak, at_once) = (&budget, &peak, &at_once);
                scope.spawn(move || {
                    let mut held = budget.hold(10);
                    held.grow_to(needs);
                    let now = at_once.fetch_add(needs, Ordering::SeqCst) + needs;
                    peak.fetch_max(now, Ordering::SeqCst);
                    assert!(now <= 100 || now == needs, "{now} held beside a file that needs {needs}");
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    at_once.fetch_sub(needs, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(*budget.used(), 0, "everything given back");
        assert!(peak.load(Ordering::SeqCst) >= 250, "the large file ran");
    }
}
