//! A colour profile for a HEIF or AVIF picture whose colours are given only as code
//! points (`colr` of type `nclx`, ITU-T H.273), as Apple's AVIFs give Display P3:
//! with an ICC profile made from them, the rest of the pipeline keeps the colours
//! as it does any file's profile (embedded, or converted to sRGB), where the coded
//! values alone would be shown as sRGB, duller.
//!
//! The transfer curve: every SDR curve H.273 codes as the BT.709 family (1, 6, 14,
//! 15, and sRGB's own 13) is given the sRGB curve, as browsers and viewers show such
//! photos; their primaries are what changes the colours. HDR curves (PQ, HLG) and
//! log curves are not described: those pictures keep their coded values (their tone
//! mapping is not done here).

use moxcms::{
    adaption_matrix_d, Chromaticity, ColorPrimaries, ColorProfile, LocalizableString, ProfileText, ToneReprCurve,
    WHITE_POINT_D50,
};

/// The sRGB curve as an ICC parametric curve (type 3): gamma, a, b, c, d.
const SRGB_CURVE: [f32; 5] = [2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045];

/// An ICC profile (v4, matrix and curves) for `primaries` and `transfer` (H.273 code
/// points); None when they describe sRGB already or a curve this does not map.
pub(crate) fn profile(primaries: u16, transfer: u16) -> Option<Vec<u8>> {
    let (curve, srgb_curve) = match transfer {
        // The BT.709 family (and reserved or unspecified: read as sRGB, as everywhere).
        0..=3 | 6 | 7 | 11..=15 => (SRGB_CURVE.to_vec(), true),
        4 => (vec![2.2], false),
        5 => (vec![2.8], false),
        8 => (vec![1.0], false),
        // Log, PQ, HLG, SMPTE 428: not described.
        _ => return None,
    };
    // H.273's primaries, and the white point where it is not D65.
    let d65 = Chromaticity::D65;
    let (primaries, white, name) = match primaries {
        4 => (ColorPrimaries::BT_470M, Chromaticity { x: 0.310, y: 0.316 }, "BT.470 System M"),
        5 => (ColorPrimaries::BT_470BG, d65, "BT.601 (625 lines)"),
        6 | 7 => (ColorPrimaries::BT_601, d65, "BT.601 (525 lines)"),
        8 => (ColorPrimaries::GENERIC_FILM, Chromaticity { x: 0.310, y: 0.316 }, "Generic film"),
        9 => (ColorPrimaries::BT_2020, d65, "BT.2020"),
        11 => (ColorPrimaries::DCI_P3, Chromaticity { x: 0.314, y: 0.351 }, "DCI-P3"),
        12 => (ColorPrimaries::DISPLAY_P3, d65, "Display P3"),
        22 => (ColorPrimaries::EBU_3213, d65, "EBU 3213"),
        // CIE XYZ as primaries: not an RGB profile.
        10 => return None,
        // BT.709's (sRGB's), and reserved or unspecified ones, read as those: sRGB itself.
        _ if srgb_curve => return None,
        _ => (ColorPrimaries::BT_709, d65, "sRGB primaries"),
    };
    // sRGB's profile as the frame (header, D50 adaptation), given these primaries and curve.
    let mut profile = ColorProfile::new_srgb();
    profile.update_rgb_colorimetry(white.to_xyyb(), primaries);
    // As ICC v4 has it for a display profile: the white point tag is D50 and `chad` is
    // the (Bradford) adaptation from the picture's own white to it.
    profile.chromatic_adaptation = Some(adaption_matrix_d(white.to_xyz(), WHITE_POINT_D50.to_xyz()));
    profile.media_white_point = Some(WHITE_POINT_D50.to_xyzd());
    let curve = ToneReprCurve::Parametric(curve);
    profile.red_trc = Some(curve.clone());
    profile.green_trc = Some(curve.clone());
    profile.blue_trc = Some(curve);
    // A plain matrix-and-curves profile: sRGB's `cicp` tag (ICC 4.4) would misdescribe it.
    profile.cicp = None;
    let text =
        |s: &str| Some(ProfileText::Localizable(vec![LocalizableString::new("en".into(), "US".into(), s.into())]));
    profile.description = text(&format!("{name} (from the file's colour code points)"));
    profile.copyright = text("No copyright, use freely");
    let mut bytes = profile.encode().ok()?;
    // moxcms stamps the header with the time it wrote the profile (natively; a fixed
    // date in wasm): a copy would carry when it was made, which is what Traceless
    // removes, and the same photo would convert to different bytes. Zero is "no date".
    bytes.get_mut(CREATED)?.fill(0);
    Some(bytes)
}

/// The ICC header's creation date and time (six 16-bit numbers).
const CREATED: std::ops::Range<usize> = 24..36;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcode::colour::to_srgb;

    /// Display P3 to sRGB, by H.273's primaries and D65 (linear light).
    const P3_TO_SRGB: [[f64; 3]; 3] =
        [[1.224_94, -0.224_94, 0.0], [-0.042_06, 1.042_06, 0.0], [-0.019_64, -0.078_64, 1.098_28]];

    fn srgb_decode(v: f64) -> f64 {
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }

    fn srgb_encode(v: f64) -> f64 {
        let v = v.clamp(0.0, 1.0);
        if v <= 0.003_130_8 {
            v * 12.92
        } else {
            1.055 * v.powf(1.0 / 2.4) - 0.055
        }
    }

    #[test]
    fn display_p3_converts_to_srgb_by_its_primaries() {
        let profile = profile(12, 13).expect("a Display P3 profile");
        let colours: [[u8; 3]; 6] =
            [[128, 128, 128], [200, 60, 40], [40, 180, 90], [30, 60, 200], [255, 255, 255], [0, 0, 0]];
        let mut rgba: Vec<u8> = colours.iter().flat_map(|c| [c[0], c[1], c[2], 255]).collect();
        to_srgb(&mut rgba, &profile).unwrap();
        for (colour, got) in colours.iter().zip(rgba.chunks(4)) {
            let linear = colour.map(|c| srgb_decode(f64::from(c) / 255.0));
            for (channel, row) in P3_TO_SRGB.iter().enumerate() {
                let mixed: f64 = row.iter().zip(linear).map(|(m, v)| m * v).sum();
                let want = srgb_encode(mixed) * 255.0;
                assert!(
                    (f64::from(got[channel]) - want).abs() <= 2.0,
                    "{colour:?} channel {channel}: {got:?}, want {want:.1}"
                );
            }
            assert_eq!(got[3], 255);
        }
        // Saturated P3 red is outside sRGB: it moves, so the conversion happened.
        assert_ne!(&rgba[4..7], &[200, 60, 40]);
    }

    #[test]
    fn a_made_profile_carries_no_date_and_is_the_same_every_time() {
        let made = profile(12, 13).unwrap();
        assert!(made[CREATED].iter().all(|&b| b == 0), "{:?}", &made[CREATED]);
        assert_eq!(made, profile(12, 13).unwrap());
        assert_eq!(&made[36..40], b"acsp");
    }

    #[test]
    fn srgb_and_hdr_code_points_get_no_profile() {
        for (p, t) in [(1, 13), (1, 1), (1, 6), (2, 2), (0, 0), (1, 14)] {
            assert!(profile(p, t).is_none(), "{p}/{t}: already sRGB");
        }
        for (p, t) in [(9, 16), (9, 18), (12, 16), (10, 13), (1, 9)] {
            assert!(profile(p, t).is_none(), "{p}/{t}: not described");
        }
        // sRGB's primaries with a plain gamma are not sRGB.
        assert!(profile(1, 4).is_some());
    }

    #[test]
    fn a_white_other_than_d65_is_adapted_to_d50_in_the_profile() {
        for (p, white) in [(11, (0.314, 0.351)), (12, (0.3127, 0.329)), (4, (0.310, 0.316))] {
            let read = ColorProfile::new_from_slice(&profile(p, 13).unwrap()).unwrap();
            let d50 = WHITE_POINT_D50.to_xyzd();
            let wtpt = read.media_white_point.unwrap();
            assert!((wtpt.x - d50.x).abs() < 1e-3 && (wtpt.z - d50.z).abs() < 1e-3, "{p}: wtpt {wtpt:?}");
            // `chad` takes the picture's own white to D50.
            let w = Chromaticity { x: white.0, y: white.1 }.to_xyzd();
            let m = read.chromatic_adaptation.unwrap().v;
            let adapted = [0, 1, 2].map(|r| m[r][0] * w.x + m[r][1] * w.y + m[r][2] * w.z);
            assert!((adapted[0] - d50.x).abs() < 2e-3 && (adapted[2] - d50.z).abs() < 2e-3, "{p}: {adapted:?}");
        }
    }

    #[test]
    fn every_described_profile_reads_back_and_keeps_grey_grey() {
        for p in [4, 5, 6, 7, 8, 9, 11, 12, 22] {
            let profile = profile(p, 1).unwrap_or_else(|| panic!("primaries {p}"));
            assert!(crate::metadata::icc::description(&profile).is_some_and(|d| d.contains("code points")), "{p}");
            let mut grey = vec![128, 128, 128, 255];
            to_srgb(&mut grey, &profile).unwrap();
            // Relative colorimetric: every white (DCI-P3's and film's are not D65) maps to sRGB's.
            assert!(grey[..3].iter().all(|&v| (126..=130).contains(&v)), "{p}: {grey:?}");
        }
    }
}
