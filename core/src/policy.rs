//! What cleaning keeps. Everything not kept here is removed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Policy {
    /// Keep the ICC colour profile, so colours display as the author saw them.
    pub keep_icc: bool,
    /// Keep the EXIF orientation (rewritten as a minimal EXIF holding only it),
    /// so a rotated photo still displays upright.
    pub keep_orientation: bool,
    /// Opt-in for photographers: carry the copyright notice into the minimal EXIF.
    pub keep_copyright: bool,
    /// Opt-in for photographers: carry the author's name into the minimal EXIF.
    pub keep_author: bool,
    /// Keep an Ultra HDR JPEG's gain map (cleaned of metadata itself), so HDR
    /// screens still show the photo's highlights as taken.
    pub keep_gain_map: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            keep_icc: true,
            keep_orientation: true,
            keep_copyright: false,
            keep_author: false,
            keep_gain_map: true,
        }
    }
}

impl Policy {
    /// Remove everything, including what only affects display.
    pub fn strict() -> Self {
        Policy {
            keep_icc: false,
            keep_orientation: false,
            keep_copyright: false,
            keep_author: false,
            keep_gain_map: false,
        }
    }
}
