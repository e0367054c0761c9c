//! One small sort for the crate: the standard library's adds kilobytes of wasm per element
//! type (`sort_unstable_by_key` on one tuple: 15.8 KB of the image module, measured in
//! session 40), this a few hundred bytes.

/// A stable merge sort by `le` (less than or equal).
#[inline(never)]
pub(crate) fn sort<T: Copy>(v: &mut Vec<T>, le: fn(&T, &T) -> bool) {
    let n = v.len();
    let mut buf = v.clone();
    let mut width = 1;
    while width < n {
        let mut i = 0;
        while i < n {
            let mid = n.min(i + width);
            let end = n.min(mid + width);
            let (mut a, mut b) = (i, mid);
            for slot in &mut buf[i..end] {
                // Ties take the left run's element first: the sort is stable.
                if b == end || (a < mid && le(&v[a], &v[b])) {
                    *slot = v[a];
                    a += 1;
                } else {
                    *slot = v[b];
                    b += 1;
                }
            }
            i = end;
        }
        std::mem::swap(v, &mut buf);
        width *= 2;
    }
}
