//! The C library functions that the C codecs (MozJPEG, libwebp, libdeflate)
//! call. wasm32-unknown-unknown has no libc, and an unresolved symbol becomes an
//! `env` import that no browser provides, so they are defined here. Memory comes
//! from Rust's allocator, with the size kept in a header for free/realloc.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};
use std::ffi::{c_int, c_void};

const HEADER: usize = 16;

unsafe fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

unsafe fn allocate(size: usize, zeroed: bool) -> *mut c_void {
    let Some(layout) = layout(size) else { return std::ptr::null_mut() };
    let base = if zeroed { alloc_zeroed(layout) } else { alloc(layout) };
    if base.is_null() {
        return std::ptr::null_mut();
    }
    (base as *mut usize).write(size);
    base.add(HEADER).cast()
}

#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    allocate(size, false)
}

#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    match count.checked_mul(size) {
        Some(total) => allocate(total, true),
        None => std::ptr::null_mut(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    let base = (ptr as *mut u8).sub(HEADER);
    let size = (base as *const usize).read();
    dealloc(base, layout(size).expect("size was valid when allocated"));
}

#[no_mangle]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        return malloc(size);
    }
    let old = ((ptr as *mut u8).sub(HEADER) as *const usize).read();
    let new = malloc(size);
    if !new.is_null() {
        std::ptr::copy_nonoverlapping(ptr as *const u8, new as *mut u8, old.min(size));
        free(ptr);
    }
    new
}

#[no_mangle]
pub extern "C" fn abs(v: c_int) -> c_int {
    v.wrapping_abs()
}

type Compare = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;

/// Sorts through Rust's stable sort on a copy, then writes the elements back
/// in order: simple, O(n log n), and correct for any element size.
#[no_mangle]
pub unsafe extern "C" fn qsort(base: *mut c_void, count: usize, size: usize, compare: Compare) {
    if count < 2 || size == 0 {
        return;
    }
    let bytes = std::slice::from_raw_parts_mut(base as *mut u8, count * size);
    let copy = bytes.to_vec();
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| compare(copy.as_ptr().add(a * size).cast(), copy.as_ptr().add(b * size).cast()).cmp(&0));
    for (slot, &from) in order.iter().enumerate() {
        bytes[slot * size..(slot + 1) * size].copy_from_slice(&copy[from * size..(from + 1) * size]);
    }
}

#[no_mangle]
pub unsafe extern "C" fn bsearch(
    key: *const c_void,
    base: *const c_void,
    count: usize,
    size: usize,
    compare: Compare,
) -> *mut c_void {
    let (mut lo, mut hi) = (0usize, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let item = (base as *const u8).add(mid * size);
        match compare(key, item.cast()) {
            0 => return item as *mut c_void,
            c if c < 0 => hi = mid,
            _ => lo = mid + 1,
        }
    }
    std::ptr::null_mut()
}

// stdio and exit: MozJPEG references them for its stderr messages, its stdio
// destination manager and its default fatal-error handler, none of which the
// engine uses (it installs its own error handler and writes to memory). They
// still need definitions. On wasm32, a C variadic function receives its extra
// arguments through one pointer, hence the `va_list` parameters.

#[no_mangle]
pub extern "C" fn fprintf(_stream: *mut c_void, _format: *const u8, _va_list: *const c_void) -> c_int {
    0
}

#[no_mangle]
pub unsafe extern "C" fn snprintf(buffer: *mut u8, size: usize, _format: *const u8, _va_list: *const c_void) -> c_int {
    if !buffer.is_null() && size > 0 {
        *buffer = 0;
    }
    0
}

/// Reports failure, so a stray use shows up as a libjpeg write error.
#[no_mangle]
pub extern "C" fn fwrite(_ptr: *const c_void, _size: usize, _count: usize, _stream: *mut c_void) -> usize {
    0
}

#[no_mangle]
pub extern "C" fn fputc(c: c_int, _stream: *mut c_void) -> c_int {
    c
}

#[no_mangle]
pub extern "C" fn exit(code: c_int) -> ! {
    panic!("the C codec called exit({code})");
}

/// What libaom (AVIF output) calls beyond the other codecs: files (for options
/// the engine never sets, such as film grain tables: they fail to open),
/// `stderr`, number parsing for its key=value options, `rand`, and `longjmp`.
#[cfg(feature = "avif-encode")]
mod aom {
    use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

    #[no_mangle]
    pub static mut stderr: *mut c_void = std::ptr::null_mut();

    #[no_mangle]
    pub extern "C" fn fopen(_path: *const c_char, _mode: *const c_char) -> *mut c_void {
        std::ptr::null_mut()
    }
    #[no_mangle]
    pub extern "C" fn fclose(_stream: *mut c_void) -> c_int {
        0
    }
    #[no_mangle]
    pub extern "C" fn feof(_stream: *mut c_void) -> c_int {
        1
    }
    #[no_mangle]
    pub extern "C" fn fread(_ptr: *mut c_void, _size: usize, _count: usize, _stream: *mut c_void) -> usize {
        0
    }
    #[no_mangle]
    pub extern "C" fn fseek(_stream: *mut c_void, _offset: c_long, _whence: c_int) -> c_int {
        -1
    }
    /// EOF: nothing was read.
    #[no_mangle]
    pub extern "C" fn fscanf(_stream: *mut c_void, _format: *const c_char, _va_list: *const c_void) -> c_int {
        -1
    }
    #[no_mangle]
    pub unsafe extern "C" fn vsnprintf(
        buffer: *mut u8,
        size: usize,
        _format: *const u8,
        _va_list: *const c_void,
    ) -> c_int {
        if !buffer.is_null() && size > 0 {
            *buffer = 0;
        }
        0
    }

    /// libaom's error path (scripts/wasm-include/setjmp.h): stop the instance.
    #[no_mangle]
    pub extern "C" fn longjmp(_env: *mut c_void, _value: c_int) -> ! {
        panic!("the AV1 encoder failed (out of memory?)");
    }

    /// libaom seeds its own generators; `rand` is only a fallback (a fixed
    /// sequence keeps encodes reproducible).
    #[no_mangle]
    pub extern "C" fn rand() -> c_int {
        static mut STATE: c_uint = 1;
        // SAFETY: wasm32-unknown-unknown runs one thread.
        unsafe {
            STATE = STATE.wrapping_mul(1_103_515_245).wrapping_add(12345);
            ((STATE >> 16) & 0x7fff) as c_int
        }
    }

    #[no_mangle]
    pub extern "C" fn lrint(x: f64) -> c_long {
        // The current rounding mode: to nearest, ties to even.
        x.round_ties_even() as c_long
    }

    #[no_mangle]
    pub unsafe extern "C" fn strncmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
        for i in 0..n {
            let (x, y) = (*a.add(i) as u8, *b.add(i) as u8);
            if x != y || x == 0 {
                return c_int::from(x) - c_int::from(y);
            }
        }
        0
    }
    #[no_mangle]
    pub unsafe extern "C" fn strcmp(a: *const c_char, b: *const c_char) -> c_int {
        strncmp(a, b, usize::MAX)
    }

    /// strtol/strtoul for libaom's option parser, base 10 or 16 (the only ones it uses).
    unsafe fn parse(text: *const c_char, end: *mut *mut c_char, base: c_int) -> (bool, u64) {
        let mut p = text as *const u8;
        while (*p).is_ascii_whitespace() {
            p = p.add(1);
        }
        let negative = *p == b'-';
        if *p == b'-' || *p == b'+' {
            p = p.add(1);
        }
        let base = if base == 0 { 10 } else { base as u64 };
        let mut value: u64 = 0;
        let start = p;
        while let Some(digit) = (*p as char).to_digit(base as u32) {
            value = value.saturating_mul(base).saturating_add(u64::from(digit));
            p = p.add(1);
        }
        if !end.is_null() {
            *end = if p == start { text as *mut c_char } else { p as *mut c_char };
        }
        (negative, value)
    }
    #[no_mangle]
    pub unsafe extern "C" fn strtol(text: *const c_char, end: *mut *mut c_char, base: c_int) -> c_long {
        let (negative, value) = parse(text, end, base);
        let value = value.min(c_long::MAX as u64) as c_long;
        if negative {
            -value
        } else {
            value
        }
    }
    #[no_mangle]
    pub unsafe extern "C" fn strtoul(text: *const c_char, end: *mut *mut c_char, base: c_int) -> c_ulong {
        let (negative, value) = parse(text, end, base);
        let value = value.min(c_ulong::MAX as u64) as c_ulong;
        if negative {
            value.wrapping_neg()
        } else {
            value
        }
    }
}
