#![cfg(not(target_arch = "wasm32"))]
//! Property tests: on mutated real files and on generated metadata, cleaning never
//! panics, its output always parses, holds no metadata, and cleans to itself.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use traceless_core::{clean, inspect, Category, Policy};

/// Small supported images from the corpus, as mutation seeds.
fn seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let corpus = common::corpus_dir();
        let seeds: Vec<Vec<u8>> = common::index()
            .into_iter()
            .filter(|r| ["JPEG", "PNG", "APNG", "GIF", "WEBP", "HEIF", "AVIF"].contains(&r.format.as_str()))
            .filter_map(|r| std::fs::read(corpus.join(&r.path)).ok())
            .filter(|d| d.len() <= 48 * 1024 && clean(d, &Policy::default()).is_ok())
            .collect();
        assert!(seeds.len() >= 100, "too few seeds: {}", seeds.len());
        seeds
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let n = data.len().max(1);
    match m {
        Mutation::Truncate(at) => data.truncate(at % n),
        Mutation::Flip(at, bits) => {
            if !data.is_empty() {
                data[at % n] ^= bits | 1;
            }
        }
        Mutation::Insert(at, bytes) => {
            let at = at % n;
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Remove(at, len) => {
            let at = at % n;
            let end = (at + len).min(data.len());
            data.drain(at..end);
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1usize..64).prop_map(|(a, l)| Mutation::Remove(a, l)),
    ]
}

fn check_output(input: &[u8], policy: &Policy) -> Result<(), TestCaseError> {
    let Ok(cleaned) = clean(input, policy) else {
        return Ok(());
    };
    let report = inspect(&cleaned.data);
    prop_assert!(report.is_ok(), "cleaned output does not parse: {:?}", report.err());
    let leftovers: Vec<_> = report.unwrap().findings.into_iter().filter(|f| f.category != Category::Display).collect();
    prop_assert!(leftovers.is_empty(), "cleaned output still reveals {:?}", leftovers);
    let again = clean(&cleaned.data, policy).expect("cleaned output cleans again");
    prop_assert_eq!(again.data, cleaned.data, "cleaning is not idempotent");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_real_files_never_break_cleaning(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let seeds = seeds();
        let mut data = seeds[index % seeds.len()].clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        let _ = inspect(&data);
        check_output(&data, &Policy::default())?;
        check_output(&data, &Policy::strict())?;
    }

    #[test]
    fn any_inserted_jpeg_segments_are_removed_exactly(
        index in any::<usize>(),
        segments in prop::collection::vec((prop_oneof![0xE1u8..=0xEDu8, Just(0xEFu8), Just(0xFEu8)], prop::collection::vec(any::<u8>(), 0..300)), 1..6),
    ) {
        let jpegs: Vec<&Vec<u8>> = seeds().iter().filter(|d| d.starts_with(&[0xFF, 0xD8])).collect();
        let base = clean(jpegs[index % jpegs.len()], &Policy::strict()).unwrap().data;
        let mut file = base[..2].to_vec();
        for (marker, payload) in &segments {
            // Payloads that happen to start like ICC or Adobe segments would be kept.
            prop_assume!(!payload.starts_with(b"ICC_PROFILE") && !payload.starts_with(b"Adobe"));
            file.extend_from_slice(&[0xFF, *marker]);
            file.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            file.extend_from_slice(payload);
        }
        file.extend_from_slice(&base[2..]);
        prop_assert_eq!(clean(&file, &Policy::strict()).unwrap().data, base);
    }
}
