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
