//! How much memory the files being processed at once may hold together.
//!
//! Each file's own memory is bounded by the engine's limits, but `--jobs` (one per
//! core by default) multiplied that bound: sixteen cores converting 48-megapixel
//! photos would want about 20 GB (16 × 48 MP × 28 bytes a pixel, below). Each file now reserves what it needs (its size before it
//! is read, then what its work takes, from its header) and waits, in turn, while the
//! run's budget is spent; a file that needs more than the whole budget still runs,
//! alone, so every run finishes.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Peak memory of a conversion per pixel of the image, beyond its file: decoded pixels,
/// their colour-converted and resized copies, and the encoder's own. Measured natively
/// (GNU time's maximum resident size, 2026-12-06) on 12 and 16 MP JPEG and HEIC photos to
/// JPEG, PNG, WebP and AVIF: 12 to 27 bytes a pixel, AVIF the most.
pub const CONVERT_BYTES_PER_PIXEL: u64 = 28;

pub struct Budget {
    limit: u64,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// Bytes held by the files being worked on.
    used: u64,
    /// Files are let in in the order they ask (a ticket each): one that needs much must
    /// not wait, while small ones keep filling the room it waits for, until the run ends.
    next_ticket: u64,
    serving: u64,
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
        Budget { limit, state: Mutex::new(State { used: 0, next_ticket: 0, serving: 0 }), changed: Condvar::new() }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for this request's turn, then until `bytes` fit beside what the files being
    /// worked on hold, or none holds any (a file larger than the budget runs alone).
    fn take(&self, mut state: MutexGuard<'_, State>, bytes: u64) {
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        while state.serving != ticket || (state.used > 0 && state.used.saturating_add(bytes) > self.limit) {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.used += bytes;
        state.serving += 1;
        // The next in line may fit too.
        self.changed.notify_all();
    }

    pub fn hold(&self, bytes: u64) -> Held<'_> {
        self.take(self.state(), bytes);
        Held { budget: self, bytes }
    }
}

impl Held<'_> {
    /// Holds `bytes` in all, once the file tells how much it needs (after it was read).
    /// What it held is given back while it waits in line again: a file waiting must hold
    /// nothing, or the one ahead of it could wait for it for ever. (Its file, read, is
    /// then not counted until its turn: at most one file per worker.)
    pub fn grow_to(&mut self, bytes: u64) {
        if bytes <= self.bytes {
            return;
        }
        let mut state = self.budget.state();
        state.used -= self.bytes;
        self.bytes = 0;
        self.budget.changed.notify_all();
        self.budget.take(state, bytes);
        self.bytes = bytes;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.state().used -= self.bytes;
        self.budget.changed.notify_all();
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

/// What the system can give without swapping: MemAvailable from /proc/meminfo, or less
/// when the process is in a control group with a memory limit (a container).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let available = line.split_whitespace().nth(1)?.parse::<u64>().ok()?.saturating_mul(1024);
    Some(group_room().map_or(available, |room| room.min(available)))
}

/// The room left under the memory limit of this process's control group, as cgroup v2
/// (`0::path`) or v1 (`N:memory:path`) tells; none when it has no limit ("max" in v2, a
/// huge number in v1, which the minimum above passes over).
fn group_room() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    membership.lines().find_map(|line| {
        let (dir, limit, usage) = if let Some(path) = line.strip_prefix("0::") {
            (std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/')), "memory.max", "memory.current")
        } else {
            let path = line.split_once(":memory:")?.1;
            let dir = std::path::Path::new("/sys/fs/cgroup/memory").join(path.trim_start_matches('/'));
            (dir, "memory.limit_in_bytes", "memory.usage_in_bytes")
        };
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok()?.trim().parse::<u64>().ok();
        Some(read(limit)?.saturating_sub(read(usage)?))
    })
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
        assert_eq!(budget.state().used, 0, "everything given back");
        // The large file ran, alone (nothing else ever exceeds the budget of 100).
        assert_eq!(peak.load(Ordering::SeqCst), 250);
    }
}
