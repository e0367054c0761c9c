//! Reading animations frame by frame: GIF, APNG and animated WebP, each frame
//! handed out as the whole picture shown at that moment (composed on a canvas),
//! with how long it shows. One frame at a time, so memory holds a canvas or two
//! whatever the length of the animation.

use crate::error::Result;
use crate::format::Format;

/// A frame as shown: the whole canvas, RGBA8 unpremultiplied, row-major.
pub(crate) struct Frame<'a> {
    pub rgba: &'a [u8],
    pub duration_ms: u32,
    /// Pixels decoded for it (its stored rectangle, which a GIF may make larger
    /// than the canvas), for the work limit.
    pub decoded: u64,
}

pub(crate) trait Frames {
    /// The canvas size: every frame is this size.
    fn size(&self) -> (u32, u32);
    /// The next frame, or None after the last.
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>>;
    /// How many times the animation plays, as WebP says it (0: forever). Known
    /// once every frame has been read (a GIF may say it anywhere).
    fn loop_count(&self) -> u16;
}

/// The frames of an animated `format` file (GIF, PNG or WebP); `count`: how many
/// the container holds (an APNG may promise more than it has).
pub(crate) fn frames<'a>(format: Format, data: &'a [u8], count: u32) -> Result<Box<dyn Frames + 'a>> {
    Ok(match format {
        Format::Gif => Box::new(super::gif::Frames::new(data)?),
        Format::Png => Box::new(super::png::ApngFrames::new(data, count)?),
        Format::Webp => Box::new(super::webp_anim::Frames::new(data)?),
        other => {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::Unsupported,
                format!("{} has no animations", other.name()),
            ))
        }
    })
}
