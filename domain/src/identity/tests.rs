//! Check digits of resident ID numbers (GB 11643-1999) and unified social credit codes
//! (GB 32100-2015) on real-shaped numbers, both ways; masking; encryption and rotation.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

/// The standard's own example (its other, 440524188001010014, was born in 1880: too old to
/// be alive, so refused), then numbers of real shape (a real county code, a birth
/// date, a sequence number) with the check digit each must have.
const IDS_VALID: &[&str] = &[
    "11010519491231002X",
    "320506197401079533",
    "320582200505214841",
    "110105195205023130",
    "310115198607046021",
    "440305200402197034",
    "330106199604179867",
    "510107200010118448",
    "420111200803183672",
    "610113198208171069",
    "37020220061122100X",
    "210102198810124245",
    "350203197204221641",
    "500103198908030728",
    "130102197510035270",
    "410105199003248963",
    "120101195209060795",
    "430104200210087907",
    "450103197709154462",
    "530102200108205162",
    "230103199108150587",
    "64010420020810173X",
    "650102195307278333",
    "340104197411150187",
    "36010219800414632X",
    "32050619830515506X",
];

/// One mistyped check character each.
const IDS_WRONG_CHECK: &[&str] = &[
    "320506197401079538",
    "320582200505214848",
    "110105195205023138",
    "310115198607046027",
    "440305200402197038",
    "330106199604179866",
    "510107200010118445",
    "420111200803183679",
    "610113198208171061",
    "370202200611221004",
    "210102198810124247",
    "350203197204221646",
    "11010519491231002",
];

#[test]
fn valid_id_numbers_pass() {
    for number in IDS_VALID {
        let parsed = IdNumber::parse(number, today());
        assert!(parsed.is_ok(), "{number} is valid: {parsed:?}");
    }
    // A lower-case x and surrounding blanks are accepted and normalised.
    let lower = IdNumber::parse(" 11010519491231002x ", today()).unwrap();
    assert_eq!(lower.expose(), "11010519491231002X");
}

#[test]
fn mistyped_check_digits_fail() {
    for number in IDS_WRONG_CHECK {
        let err = IdNumber::parse(number, today()).expect_err(number);
        assert_eq!(err.code, ErrorCode::InvalidIdNumber, "{number}");
    }
}

#[test]
fn impossible_id_numbers_fail() {
    // Each fixed up to carry the right check digit, so only the named fault fails it.
    let with_check = |first17: &str| format!("{first17}{}", id_check_char(first17).unwrap());
    let cases = [
        with_check("32050620270101123"),                   // born after today
        with_check("32050618890101123"),                   // before 1900
        with_check("32050619900230123"),                   // 30 February
        with_check("32050619901301123"),                   // month 13
        with_check("32050619900001123"),                   // day 0
        with_check("00050619900101123"),                   // no province 00
        with_check("99050619900101123"),                   // no province 99
        with_check("72050619900101123"),                   // no province 72
        "32050619900101123A".to_owned(),                   // a letter other than X
        "3205061990010112X4".to_owned(),                   // X not last
        "3205061990010112".to_owned(),                     // too short
        "3205061990010112345".to_owned(),                  // too long
        "３２０５０６１９９００１０１１２３４".to_owned(), // full-width digits
        String::new(),
    ];
    for number in &cases {
        let err = IdNumber::parse(number, today()).expect_err(number);
        assert_eq!(err.code, ErrorCode::InvalidIdNumber, "{number}");
        assert!(!err.message.contains(number.as_str()) || number.is_empty());
    }
}

#[test]
fn id_numbers_print_masked() {
    let number = IdNumber::parse("320506197401079533", today()).unwrap();
    assert_eq!(number.masked(), "320506********9533");
    assert_eq!(format!("{number:?}"), "IdNumber(320506********9533)");
    assert_eq!(number.to_string(), "320506********9533");
    let input = IdentityInput {
        full_name: "王小明".into(),
        id_number: "320506197401079533".into(),
    };
    assert!(!format!("{input:?}").contains("197401079533"));
}

/// The standard's example and well-known published codes, then real-shaped codes (kind,
/// a real region code, an organisation code) with the check character each must have.
const USCC_VALID: &[&str] = &[
    "91350100M000100Y43",
    "91440300708461136T",
    "91320594MA05PK8G3H",
    "92320505MA5NU18WY9",
    "93110000MANL4HB48C",
    "11310115Y2J2NJ6YHG",
    "12440300NULWT522KY",
    "13330100X0AN5GR78K",
    "515101002N2N390EKD",
    "524201009RRB9881UF",
    "5361010058UD1G90XD",
    "3137020092PK4AFY1D",
    "Y12101007FEBTG19ED",
    "N2350200A9XYQ4BD24",
    "91320594MAG04YW4M1",
    "92320505MAUXR12UB6",
    "93110000MAMQYPF1RD",
    "11310115R2R26Y2FY0",
    "124403005QCQKW8PXJ",
    "13330100PM5CNBH31A",
    "5151010029PXGHTH6K",
    "5242010052GC3PE2KM",
    "53610100LXQ7C5RRYE",
    "313702004G69FWDN6H",
    "Y12101002UWEC497BT",
    "N2350200X55DQ1AFR1",
];

const USCC_WRONG_CHECK: &[&str] = &[
    "91320594MA1XY2AB3C",
    "91320594MA05PK8G3P",
    "92320505MA5NU18WY7",
    "93110000MANL4HB48Q",
    "11310115Y2J2NJ6YH6",
    "12440300NULWT522KA",
    "13330100X0AN5GR788",
    "515101002N2N390EKE",
    "524201009RRB9881UL",
    "5361010058UD1G90XU",
    "3137020092PK4AFY1U",
    "Y12101007FEBTG19EX",
    "N2350200A9XYQ4BD2W",
    "91320594MAG04YW4MF",
    "92320505MAUXR12UBC",
    "91350100M000100Y44",
    "91440300708461136U",
    // Letters outside the code's alphabet.
    "91350100M000100YI3",
    "91350100MO00100Y43",
    "91350100M000100Y4S",
];

#[test]
fn uscc_check_characters() {
    for code in USCC_VALID {
        assert!(uscc_valid(code), "{code} is valid");
    }
    for code in USCC_WRONG_CHECK {
        assert!(!uscc_valid(code), "{code} is not valid");
    }
    assert!(!uscc_valid("91350100M000100Y4"));
    // The remainder 0 case: a check of 31 is written 0.
    let zero = USCC_VALID.iter().any(|c| c.ends_with('0'));
    assert!(zero, "the cases include a check character 0");
}

fn keys(list: &[(&str, &str)]) -> IdentityKeys {
    IdentityKeys::new(
        list.iter()
            .map(|(k, s)| ((*k).to_owned(), s.as_bytes().to_vec()))
            .collect(),
        b"the-hash-key-of-at-least-32-bytes-long",
    )
    .unwrap()
}

#[test]
fn encrypts_decrypts_and_rotates() {
    let old = keys(&[("old", "an-old-secret-of-at-least-32-bytes!!")]);
    let (kid, sealed) = old.encrypt("320506197401079533").unwrap();
    assert_eq!(kid, "old");
    assert!(!sealed.contains("079533"));
    let rotated = keys(&[
        ("new", "a-new-secret-of-at-least-32-bytes!!!"),
        ("old", "an-old-secret-of-at-least-32-bytes!!"),
    ]);
    assert_eq!(
        rotated.decrypt("old", &sealed).unwrap(),
        "320506197401079533"
    );
    let (kid, resealed) = rotated.encrypt("320506197401079533").unwrap();
    assert_eq!(kid, "new");
    assert_eq!(
        rotated.decrypt("new", &resealed).unwrap(),
        "320506197401079533"
    );
    // Nonces differ, so one number never encrypts to the same text twice.
    assert_ne!(rotated.encrypt("320506197401079533").unwrap().1, resealed);
    // Without the old key, old rows cannot be read; a tampered text is refused.
    let only_new = keys(&[("new", "a-new-secret-of-at-least-32-bytes!!!")]);
    assert!(only_new.decrypt("old", &sealed).is_err());
    let mut bytes = STANDARD.decode(&resealed).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    assert!(only_new.decrypt("new", &STANDARD.encode(bytes)).is_err());
    // The hash does not depend on the encryption keys.
    let number = IdNumber::parse("320506197401079533", today()).unwrap();
    assert_eq!(old.hash(&number), only_new.hash(&number));
    assert_eq!(old.hash(&number).len(), 64);
    assert!(IdentityKeys::new(vec![("k".into(), b"short".to_vec())], &[7; 32]).is_err());
}
