//! A JPEG conversion in parts, for a caller with more than one thread of its own (the
//! extension's workers): everything up to the encode is done once, the encode is split
//! into strips that can run side by side (`encode_part`), and `join_parts` makes the
//! file. The result is the file `convert` makes, up to each strip's trellis seeing only
//! its own rows (codec/jpeg_parts.rs).

use serde::{Deserialize, Serialize};

use super::{ConvertReport, Converted};
use crate::codec::jpeg::Subsampling;
use crate::codec::jpeg_parts::{self, Share};
use crate::error::{Error, ErrorKind, Result};
use crate::transcode::Chroma;

/// Below this many output pixels a conversion is not split: starting a second worker
/// and joining cost more than half an encode saves.
pub const MIN_PARTS_PIXELS: u64 = 4_000_000;

/// What the parts of one conversion share: their settings, and the report the joined
/// file completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartsJob {
    pub width: u32,
    /// Each strip's rows, top to bottom.
    pub heights: Vec<u32>,
    pub quality: u8,
    pub chroma: Chroma,
    /// The colour profile the file embeds.
    pub icc: Option<Vec<u8>>,
    pub report: ConvertReport,
}

/// A conversion ready to encode in strips: `rgb` holds them all, top to bottom.
#[derive(Debug)]
pub struct Parts {
    pub job: PartsJob,
    pub rgb: Vec<u8>,
}

/// What `convert_in_parts` made: the file (not worth splitting, or not a JPEG), or parts.
#[derive(Debug)]
pub enum InParts {
    Whole(Converted),
    Parts(Parts),
}

impl Parts {
    /// The pixels of strip `k`.
    pub fn strip(&self, k: usize) -> &[u8] {
        let row = self.job.width as usize * 3;
        let start: u32 = self.job.heights[..k].iter().sum();
        &self.rgb[start as usize * row..(start + self.job.heights[k]) as usize * row]
    }
}

pub(super) fn subsampling(chroma: Chroma) -> Subsampling {
    match chroma {
        Chroma::Subsampled => Subsampling::S420,
        Chroma::Full => Subsampling::S444,
    }
}

/// Strip heights for `parts` strips of the output, or None when it should not be split.
pub(super) fn plan(size: (u32, u32), chroma: Chroma, parts: u32) -> Option<Vec<u32>> {
    if parts < 2 || u64::from(size.0) * u64::from(size.1) < MIN_PARTS_PIXELS {
        return None;
    }
    let heights = jpeg_parts::strip_heights(size.1, subsampling(chroma), parts);
    (heights.len() > 1).then_some(heights)
}

/// Encodes one strip (`rgb`: its rows, `height` of them) of a job.
pub fn encode_part(rgb: &[u8], height: u32, job: &PartsJob) -> Result<Vec<u8>> {
    if !job.heights.contains(&height) {
        return Err(Error::new(ErrorKind::InvalidRequest, "this strip is not one of the job's"));
    }
    jpeg_parts::encode_strip(rgb, job.width, height, job.quality, subsampling(job.chroma))
}

/// The file from a job's encoded strips, top to bottom, and its report.
pub fn join_parts(strips: &[&[u8]], job: PartsJob) -> Result<Converted> {
    check_strips(strips, &job)?;
    let data = jpeg_parts::join(strips, job.width, job.heights.iter().sum(), job.icc.as_deref(), Share::All)?;
    Ok(converted(data, job))
}

/// Half of the file's scans (`half` 0 or 1) from a job's encoded strips: two workers
/// write the two halves side by side, and `splice_scans` makes the file.
pub fn write_scans(strips: &[&[u8]], job: &PartsJob, half: u32) -> Result<Vec<u8>> {
    check_strips(strips, job)?;
    let (share, icc) = match half {
        0 => (Share::First, job.icc.as_deref()),
        1 => (Share::Second, None),
        _ => return Err(Error::new(ErrorKind::InvalidRequest, "a file's scans are written in two halves")),
    };
    jpeg_parts::join(strips, job.width, job.heights.iter().sum(), icc, share)
}

/// The file from `write_scans`' two halves, in order, and its report. `jobs`: the job,
/// or each strip's (`encode_decoded_strip`: they differ only in whether their rows had
/// translucent pixels to flatten).
pub fn splice_scans(halves: &[&[u8]], jobs: &[PartsJob]) -> Result<Converted> {
    let mut job = jobs.first().cloned().ok_or_else(|| Error::new(ErrorKind::InvalidRequest, "no job to splice for"))?;
    job.report.flattened = jobs.iter().any(|j| j.report.flattened);
    if jobs.iter().any(|j| {
        let mut same = j.clone();
        same.report.flattened = job.report.flattened;
        same != job
    }) {
        return Err(Error::new(ErrorKind::InvalidRequest, "the strips are of different jobs"));
    }
    let data = match halves {
        [first, second] => jpeg_parts::splice(&[first, second]),
        _ => return Err(Error::new(ErrorKind::InvalidRequest, "a file's scans come in two halves")),
    };
    let parsed = crate::container::parse(crate::format::Format::Jpeg, &data);
    if !parsed.is_ok_and(|p| (p.width, p.height) == (job.width, job.heights.iter().sum())) {
        return Err(Error::new(ErrorKind::InvalidRequest, "the halves do not make this job's JPEG"));
    }
    Ok(converted(data, job))
}

fn converted(data: Vec<u8>, job: PartsJob) -> Converted {
    let mut report = job.report;
    report.output_bytes = data.len() as u64;
    Converted { data, report }
}

/// Checked here, where a bad strip is an error: libjpeg's errors stop the wasm module.
fn check_strips(strips: &[&[u8]], job: &PartsJob) -> Result<()> {
    if strips.len() != job.heights.len() {
        return Err(Error::new(ErrorKind::InvalidRequest, "a strip of the job is missing"));
    }
    for (strip, &rows) in strips.iter().zip(&job.heights) {
        let parsed = crate::container::parse(crate::format::Format::Jpeg, strip);
        if !parsed.is_ok_and(|p| (p.width, p.height) == (job.width, rows)) {
            return Err(Error::new(ErrorKind::InvalidRequest, "a strip is not the JPEG the job needs there"));
        }
    }
    Ok(())
}
