//! Encoders, one module per output codec. Each takes 8-bit pixels (already
//! oriented, resized and colour-managed) and returns a complete file.

pub(crate) mod jpeg;
pub(crate) mod png;
pub(crate) mod webp;
