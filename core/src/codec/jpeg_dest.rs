//! A libjpeg destination that writes into a Rust `Vec`. libjpeg's own memory destination
//! (`jpeg_mem_dest`) frees and replaces its buffer as the file grows, and tells the caller
//! the new one only when the file is finished: a compression that failed part-way left the
//! caller holding a freed pointer (freeing it again on the way out), and the live buffer
//! leaked. Here the buffer is the `Vec`, which nothing but Rust frees.

use mozjpeg_sys as ffi;

/// The first room handed to libjpeg; it doubles as the file grows.
const FIRST: usize = 64 * 1024;

/// `manager` first, so that libjpeg's pointer to it is a pointer to the whole.
#[repr(C)]
pub(super) struct VecDest {
    manager: ffi::jpeg_destination_mgr,
    data: Vec<u8>,
}

impl VecDest {
    pub(super) fn new() -> Box<VecDest> {
        Box::new(VecDest {
            manager: ffi::jpeg_destination_mgr {
                next_output_byte: std::ptr::null_mut(),
                free_in_buffer: 0,
                init_destination: Some(init),
                empty_output_buffer: Some(grow),
                term_destination: Some(term),
            },
            data: Vec::new(),
        })
    }

    /// Makes this `cinfo`'s destination: the box must outlive the compressor's use of it.
    pub(super) fn attach(self: &mut Box<Self>, cinfo: &mut ffi::jpeg_compress_struct) {
        cinfo.dest = &mut self.manager;
    }

    /// The file, once `jpeg_finish_compress` has returned.
    pub(super) fn into_data(self: &mut Box<Self>) -> Vec<u8> {
        std::mem::take(&mut self.data)
    }
}

/// The destination of a compressor `attach` set up.
unsafe fn of(cinfo: &mut ffi::jpeg_compress_struct) -> &mut VecDest {
    &mut *cinfo.dest.cast::<VecDest>()
}

unsafe extern "C-unwind" fn init(cinfo: &mut ffi::jpeg_compress_struct) {
    let dest = of(cinfo);
    dest.data = Vec::with_capacity(FIRST);
    hand_out(dest);
}

/// Hands libjpeg the room past what it has written (the `Vec`'s length): its spare
/// capacity, which libjpeg fills before the length covers it.
unsafe fn hand_out(dest: &mut VecDest) {
    let written = dest.data.len();
    dest.manager.next_output_byte = dest.data.as_mut_ptr().add(written);
    dest.manager.free_in_buffer = dest.data.capacity() - written;
}

/// libjpeg filled all it was given: those bytes are the file's, and it gets as much again.
unsafe extern "C-unwind" fn grow(cinfo: &mut ffi::jpeg_compress_struct) -> ffi::boolean {
    let dest = of(cinfo);
    let full = dest.data.capacity();
    dest.data.set_len(full);
    dest.data.reserve(full);
    hand_out(dest);
    1
}

unsafe extern "C-unwind" fn term(cinfo: &mut ffi::jpeg_compress_struct) {
    let dest = of(cinfo);
    let written = dest.data.capacity() - dest.manager.free_in_buffer;
    dest.data.set_len(written);
}

#[cfg(test)]
mod tests {
    use crate::codec::jpeg::{encode, Subsampling};

    #[test]
    fn files_larger_than_the_first_buffer_come_out_whole() {
        // Noise compresses badly: a file of several first buffers.
        let (width, height) = (512u32, 512u32);
        let mut seed = 7u32;
        let rgb: Vec<u8> = (0..width * height * 3)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (seed >> 24) as u8
            })
            .collect();
        let icc = vec![9u8; 100_000];
        let file = encode(&rgb, width, height, 95, Subsampling::S444, Some(&icc)).unwrap();
        assert!(file.len() > 4 * super::FIRST, "{} bytes", file.len());
        assert_eq!(&file[..2], &[0xFF, 0xD8]);
        assert_eq!(&file[file.len() - 2..], &[0xFF, 0xD9]);
        let decoded = crate::codec::jpeg::decode(&file).unwrap();
        assert_eq!((decoded.width, decoded.height), (width, height));
    }
}
