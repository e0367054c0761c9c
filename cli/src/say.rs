//! Printing that survives a closed stream. `traceless inspect … | head` stops reading,
//! and Rust's print macros panic then (Rust ignores SIGPIPE), which ended a batch half-way
//! with some files written and no word of the rest. Here a closed stream only loses the
//! lines after it; the work goes on, and the exit status still tells how it went.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// `text` on stdout, as it is (the caller ends its lines).
pub fn out(text: impl Display) {
    write_to(&STDOUT_CLOSED, std::io::stdout().lock(), text);
}

/// `text` and a line end on stdout.
pub fn out_line(text: impl Display) {
    out(format_args!("{text}\n"));
}

/// `text` and a line end on stderr.
pub fn err_line(text: impl Display) {
    write_to(&STDERR_CLOSED, std::io::stderr().lock(), format_args!("{text}\n"));
}

fn write_to(closed: &AtomicBool, mut stream: impl Write, text: impl Display) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    if write!(stream, "{text}").and_then(|()| stream.flush()).is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}
