//! The animation canvas: GIF and APNG store each frame as a rectangle drawn over
//! what came before, with rules for blending it and for clearing it afterwards.
//! Neither the `gif` nor the `png` crate composes frames (the image crate does,
//! but only behind its whole-image facade, which the core does not link: see
//! codec/mod.rs), so this small compositor does, once for both formats.

/// How a frame's pixels meet the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blend {
    /// Replace the rectangle, alpha included (APNG `APNG_BLEND_OP_SOURCE`).
    Source,
    /// Alpha-composite over it (APNG `OVER`; a GIF's transparent index is alpha 0).
    Over,
}

/// What becomes of a frame's rectangle before the next frame is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dispose {
    Keep,
    /// Cleared to transparent black.
    Background,
    /// Put back as it was before the frame was drawn.
    Previous,
}

/// One frame as stored: a rectangle of RGBA8 pixels and where it goes.
pub(crate) struct Patch<'a> {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    pub rgba: &'a [u8],
    pub blend: Blend,
    pub dispose: Dispose,
}

pub(crate) struct Canvas {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    /// The disposal still owed by the last frame drawn: its visible rectangle
    /// (left, top, width, height), and for `Previous` the pixels it covered.
    owed: Option<(Dispose, [u32; 4], Vec<u8>)>,
}

impl Canvas {
    /// A transparent canvas (browsers start GIFs transparent, not with their
    /// background colour; APNG says transparent black).
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Canvas {
        debug_assert_eq!(rgba.len() as u64, u64::from(width) * u64::from(height) * 4);
        Canvas { width, height, rgba, owed: None }
    }

    /// Draws a frame (after undoing the one before as it asked) and returns the
    /// whole picture as it is shown. Parts of the patch outside the canvas are cut off.
    pub fn draw(&mut self, patch: &Patch<'_>) -> &[u8] {
        if let Some((dispose, rect, saved)) = self.owed.take() {
            match dispose {
                Dispose::Keep => {}
                Dispose::Background => self.fill(rect, |row| row.fill(0)),
                Dispose::Previous => {
                    let mut rows = saved.chunks_exact(rect[2] as usize * 4);
                    self.fill(rect, |row| row.copy_from_slice(rows.next().unwrap_or_default()));
                }
            }
        }
        let rect = self.clip(patch);
        if rect[2] == 0 || rect[3] == 0 {
            return &self.rgba;
        }
        let saved = match patch.dispose {
            Dispose::Previous => {
                let mut saved = Vec::with_capacity(rect[2] as usize * rect[3] as usize * 4);
                self.fill(rect, |row| saved.extend_from_slice(row));
                saved
            }
            _ => Vec::new(),
        };
        let stride = patch.width as usize * 4;
        let mut source = patch.rgba.chunks_exact(stride).map(|row| &row[..rect[2] as usize * 4]);
        self.fill(rect, |row| {
            let Some(from) = source.next() else { return };
            match patch.blend {
                Blend::Source => row.copy_from_slice(from),
                Blend::Over => {
                    for (dst, src) in row.chunks_exact_mut(4).zip(from.chunks_exact(4)) {
                        over(dst, src);
                    }
                }
            }
        });
        self.owed = Some((patch.dispose, rect, saved));
        &self.rgba
    }

    /// The part of the patch on the canvas: (left, top, width, height).
    fn clip(&self, patch: &Patch<'_>) -> [u32; 4] {
        let in_data = patch.rgba.len() / (patch.width.max(1) as usize * 4);
        let width = patch.width.min(self.width.saturating_sub(patch.left));
        let height = patch.height.min(self.height.saturating_sub(patch.top)).min(in_data as u32);
        [patch.left, patch.top, width, height]
    }

    /// Calls `row` on each canvas row slice of `rect`, top to bottom.
    fn fill(&mut self, rect: [u32; 4], mut row: impl FnMut(&mut [u8])) {
        let [left, top, width, height] = rect.map(|v| v as usize);
        let stride = self.width as usize * 4;
        for y in top..top + height {
            let at = y * stride + left * 4;
            row(&mut self.rgba[at..at + width * 4]);
        }
    }
}

/// Porter-Duff "over" in 8-bit straight (unpremultiplied) alpha.
fn over(dst: &mut [u8], src: &[u8]) {
    let sa = u32::from(src[3]);
    if sa == 255 {
        dst.copy_from_slice(src);
        return;
    }
    if sa == 0 {
        return;
    }
    let da = u32::from(dst[3]);
    // Output alpha, scaled by 255: sa + da (1 - sa).
    let oa = sa * 255 + da * (255 - sa);
    for c in 0..3 {
        let v = (u32::from(src[c]) * sa * 255 + u32::from(dst[c]) * da * (255 - sa) + oa / 2) / oa;
        dst[c] = v as u8;
    }
    dst[3] = ((oa + 127) / 255) as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: [u8; 4] = [255, 0, 0, 255];
    const BLUE: [u8; 4] = [0, 0, 255, 255];
    const CLEAR: [u8; 4] = [0, 0, 0, 0];

    fn patch(rgba: &[u8], left: u32, w: u32, blend: Blend, dispose: Dispose) -> Patch<'_> {
        Patch { left, top: 0, width: w, height: 1, rgba, blend, dispose }
    }

    fn px(canvas: &[u8], i: usize) -> [u8; 4] {
        canvas[i * 4..i * 4 + 4].try_into().unwrap()
    }

    #[test]
    fn disposal_happens_before_the_next_frame_not_after_this_one() {
        let mut canvas = Canvas::new(3, 1, vec![0; 12]);
        let shown = canvas.draw(&patch(&RED, 0, 1, Blend::Source, Dispose::Background));
        assert_eq!(px(shown, 0), RED, "a frame is shown before it is cleared");
        let shown = canvas.draw(&patch(&BLUE, 2, 1, Blend::Source, Dispose::Keep));
        assert_eq!((px(shown, 0), px(shown, 2)), (CLEAR, BLUE));
    }

    #[test]
    fn previous_restores_what_the_frame_covered() {
        let mut canvas = Canvas::new(2, 1, vec![0; 8]);
        canvas.draw(&patch(&[RED, RED].concat(), 0, 2, Blend::Source, Dispose::Keep));
        let shown = canvas.draw(&patch(&BLUE, 1, 1, Blend::Source, Dispose::Previous));
        assert_eq!(px(shown, 1), BLUE);
        let shown = canvas.draw(&patch(&CLEAR, 0, 1, Blend::Over, Dispose::Keep));
        assert_eq!((px(shown, 0), px(shown, 1)), (RED, RED));
    }

    #[test]
    fn over_keeps_what_shows_through_and_source_replaces_it() {
        let mut canvas = Canvas::new(2, 1, vec![0; 8]);
        canvas.draw(&patch(&[RED, RED].concat(), 0, 2, Blend::Source, Dispose::Keep));
        let shown = canvas.draw(&patch(&[CLEAR, [0, 0, 255, 128]].concat(), 0, 2, Blend::Over, Dispose::Keep));
        assert_eq!(px(shown, 0), RED);
        assert_eq!(px(shown, 1), [127, 0, 128, 255]);
        let shown = canvas.draw(&patch(&CLEAR, 0, 1, Blend::Source, Dispose::Keep));
        assert_eq!(px(shown, 0), CLEAR);
    }

    #[test]
    fn patches_past_the_edge_are_cut_off() {
        let mut canvas = Canvas::new(2, 1, vec![0; 8]);
        let shown = canvas.draw(&patch(&[BLUE, BLUE, BLUE].concat(), 1, 3, Blend::Source, Dispose::Background));
        assert_eq!((px(shown, 0), px(shown, 1)), (CLEAR, BLUE));
        let shown = canvas.draw(&patch(&RED, 5, 1, Blend::Source, Dispose::Keep));
        assert_eq!(px(shown, 1), CLEAR, "the clipped frame's disposal still ran");
    }
}
