//! What the report says, in words for people: GPS fields as people write them, plain
//! labels, and a location stored only in XMP read as a position (exiftool writes it).

mod common;

use std::process::Command;

use traceless_core::{clean, inspect, Category, Policy};

fn value<'a>(report: &'a traceless_core::InspectReport, label: &str) -> &'a str {
    let finding = report.findings.iter().find(|f| f.label == label);
    &finding.unwrap_or_else(|| panic!("no '{label}' in {:#?}", report.findings)).value
}

#[test]
fn gps_fields_read_as_people_write_them() {
    let data = std::fs::read(common::corpus_dir().join("exiftool/t/images/Apple.jpg")).unwrap();
    let report = inspect(&data).unwrap();
    assert_eq!(value(&report, "Latitude"), "53° 22′ 58.25″ N");
    assert_eq!(value(&report, "Longitude"), "1° 27′ 24.04″ W");
    assert_eq!(value(&report, "Altitude"), "72.4 m above sea level");
    assert_eq!(value(&report, "Direction the camera faced"), "342° (from true north)");
    assert_eq!(value(&report, "Speed"), "0 km/h");
    assert_eq!(value(&report, "GPS time (UTC)"), "17:17:58 UTC");
    assert_eq!(value(&report, "GPS date (UTC)"), "2016-09-28");
    assert_eq!(value(&report, "Date taken"), "2016-09-28 18:18:05");
    assert_eq!(value(&report, "Position accuracy"), "within 165 m");
    // The hemisphere and unit fields are shown inside the values above, not as the
    // standard's phrases beside them.
    for f in &report.findings {
        assert!(!f.label.contains("East or West") && !f.label.contains("North or south"), "{f:?}");
        assert!(!f.value.contains(" deg "), "{f:?}");
    }
    let location = report.location.expect("a position");
    assert!((location.latitude - 53.382847).abs() < 1e-5 && (location.longitude + 1.456678).abs() < 1e-5);
}

#[test]
fn a_location_only_in_xmp_is_a_position_with_its_map() {
    // A corpus photo without EXIF GPS, given an XMP-only location by exiftool.
    let source = common::corpus_dir().join("exiftool/t/images/XMP.jpg");
    let dir = std::env::temp_dir().join(format!("traceless-xmp-gps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("xmp-gps.jpg");
    std::fs::copy(&source, &file).unwrap();
    let status = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-EXIF:GPS*=", "-XMP-exif:GPSLatitude=58.98123 N"])
        .args(["-XMP-exif:GPSLongitude=11.885127 W", "-XMP-exif:GPSAltitude=123.4", "-XMP-exif:GPSAltitudeRef#=1"])
        .arg(&file)
        .status()
        .expect("run exiftool (make deps installs it)");
    assert!(status.success());
    let data = std::fs::read(&file).unwrap();
    // What exiftool wrote is XMP's own form, not decimal degrees.
    let text = String::from_utf8_lossy(&data);
    for form in ["58,58.8738N", "11,53.10762W", "617/5"] {
        assert!(text.contains(form), "exiftool wrote another form than {form}");
    }

    let report = inspect(&data).unwrap();
    let location = report.location.expect("the XMP position");
    assert!((location.latitude - 58.98123).abs() < 1e-6, "{location:?}");
    assert!((location.longitude + 11.885127).abs() < 1e-6, "{location:?}");
    assert_eq!(location.altitude, Some(-123.4));
    assert_eq!(value(&report, "GPS position"), "58.981230, -11.885127");
    let first_location = report.findings.iter().find(|f| f.category == Category::Location).unwrap();
    assert_eq!(first_location.key, "XMP GPS position");

    let cleaned = clean(&data, &Policy::default()).unwrap();
    assert!(inspect(&cleaned.data).unwrap().location.is_none());
    std::fs::remove_dir_all(&dir).ok();
}

/// Found by a read-only audit against exiftool (session 40): a phone's GPS written as
/// signed fractions gave no position (no map link, `location` empty in JSON); an empty
/// GPS block showed "NaN"; the map datum alone counted as a location; the iPhone's model
/// in HostComputer showed as "Tag(Tiff, 316)"; the lens range as "1.5700000524639703-9 mm";
/// a HEIC's EXIF orientation was shown as kept, though cleaning removes it.
#[test]
fn phones_gps_lens_and_computer_read_as_exiftool_reads_them() {
    let read = |path: &str| inspect(&std::fs::read(common::corpus_dir().join(path)).unwrap()).unwrap();

    let nokia = read("ianare-exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg");
    let at = nokia.location.expect("a position from signed fractions");
    assert!((at.latitude - 60.146706).abs() < 1e-5 && (at.longitude - 24.906772).abs() < 1e-5, "{at:?}");
    assert_eq!(value(&nokia, "GPS position"), "60.146706, 24.906772");

    let empty = read("exiftool/t/images/InfiRay.jpg");
    assert!(!empty.findings.iter().any(|f| f.value.contains("NaN")), "{:#?}", empty.findings);
    let datum = read("exiftool/t/images/Motorola.jpg");
    assert!(!datum.findings.iter().any(|f| f.category == Category::Location), "{:#?}", datum.findings);

    let iphone = read("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC");
    let computer = iphone.findings.iter().find(|f| f.label == "Computer or phone").expect("HostComputer named");
    assert_eq!((computer.category, computer.value.as_str()), (Category::Device, "iPhone 13 Pro Max"));
    assert_eq!(value(&iphone, "Lens range"), "1.6–9 mm f/1.5–2.8");
    // A HEIC is turned by its irot; its EXIF orientation goes with the EXIF, so it is not shown as kept.
    let orientation = iphone.findings.iter().find(|f| f.key == "EXIF Orientation").expect("the EXIF orientation");
    assert_ne!(orientation.category, Category::Display);
    assert_eq!(value(&read("exiftool/t/images/Apple.jpg"), "Lens range"), "4 mm f/1.8");
}

/// Serial numbers and owner names in the maker notes of Canon, Nikon, Olympus and
/// Panasonic cameras are named (as exiftool reads them), not only "maker notes": the
/// audit of session 40 found 21 corpus files whose report did not say so.
#[test]
fn serial_numbers_and_owners_in_maker_notes_are_named() {
    let cases: [(&str, &[(&str, &str)]); 9] = [
        (
            "exiftool/t/images/Canon.jpg",
            &[("Camera serial number (maker notes)", "0560018150"), ("Camera owner (maker notes)", "Phil Harvey")],
        ),
        (
            "exiftool/t/images/Canon1DmkIII.jpg",
            &[
                ("Camera serial number (maker notes)", "500292"),
                ("Camera's internal serial number (maker notes)", "G002669"),
            ],
        ),
        ("ianare-exif-samples/jpg/Canon_PowerShot_S40.jpg", &[("Camera owner (maker notes)", "Andreas Huggel")]),
        ("exiftool/t/images/NikonD2Hs.jpg", &[("Camera serial number (maker notes)", "3001006")]),
        ("ianare-exif-samples/jpg/tests/32-lens_data.jpeg", &[("Camera serial number (maker notes)", "3105364")]),
        (
            "exiftool/t/images/OlympusE1.jpg",
            &[
                ("Camera serial number (maker notes)", "143008611"),
                ("Camera's internal serial number (maker notes)", "4001310004375102"),
                ("Lens serial number (maker notes)", "050105886"),
            ],
        ),
        (
            "ianare-exif-samples/jpg/Panasonic_DMC-FZ30.jpg",
            &[("Camera's internal serial number (maker notes)", "S010604030293")],
        ),
        ("exiftool/t/images/NikonD70.jpg", &[("Camera serial number (maker notes)", "NO= 20025585")]),
        (
            "exiftool/t/images/Olympus2.jpg",
            &[
                ("Camera serial number (maker notes)", "C90500055"),
                ("Camera's internal serial number (maker notes)", "0171612001128001"),
            ],
        ),
    ];
    for (path, expected) in cases {
        let data = std::fs::read(common::corpus_dir().join(path)).unwrap();
        let report = inspect(&data).unwrap();
        for (label, serial) in expected {
            assert_eq!(value(&report, label), *serial, "{path}");
        }
        assert!(
            report.summary.contains("camera serial number") || report.summary.contains("names"),
            "{path}: {}",
            report.summary
        );
        // Removed with the maker notes.
        let cleaned = clean(&data, &Policy::default()).unwrap();
        for (label, _) in expected {
            assert!(cleaned.report.removed.iter().any(|f| f.label == *label), "{path}: {label}");
            assert!(!cleaned.report.kept.iter().any(|f| f.label == *label), "{path}: {label}");
        }
    }
}
