#![no_main]
//! Cleaning any bytes must not panic; a cleaned file must parse, reveal
//! nothing, and clean to itself.

use libfuzzer_sys::fuzz_target;
use traceless_core::{clean, inspect, Category, Policy};

fuzz_target!(|data: &[u8]| {
    for policy in [Policy::default(), Policy::strict()] {
        if let Ok(cleaned) = clean(data, &policy) {
            let report = inspect(&cleaned.data).expect("cleaned output parses");
            assert!(report.findings.iter().all(|f| f.category == Category::Display), "{:?}", report.findings);
            let again = clean(&cleaned.data, &policy).expect("cleaned output cleans again");
            assert_eq!(again.data, cleaned.data, "cleaning is idempotent");
        }
    }
});
