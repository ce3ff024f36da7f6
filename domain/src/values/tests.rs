use super::country::ISO_3166;
use super::*;
use proptest::prelude::*;

#[test]
fn names_with_bidirectional_overrides_are_refused() {
    for spoof in ["Karolinska\u{202E}tsniK", "Charit\u{2066}e\u{2069}"] {
        assert_eq!(Name::parse(spoof).unwrap_err().code, "bidi_controls");
    }
}

#[test]
fn names_compare_equal_after_normalisation_and_case_folding() {
    let key = |s: &str| Name::parse(s).unwrap().comparison_key();
    // Composed "ä" (U+00E4) and decomposed "a" + U+0308 are one letter.
    assert_eq!(key("Universit\u{E4}t"), key("Universita\u{308}t"));
    assert_eq!(key("Universität"), key("UNIVERSITÄT"));
    assert_eq!(key("Straße"), key("STRASSE"), "full case folding");
    assert_ne!(key("Charité"), key("Charite"), "accents still count");
}

#[test]
fn names_are_trimmed_and_bounded() {
    assert_eq!(Name::parse("  Charité  ").unwrap().as_str(), "Charité");
    assert_eq!(Name::parse("   ").unwrap_err().code, "required");
    assert_eq!(Name::parse(&"x".repeat(201)).unwrap_err().code, "too_long");
    assert_eq!(
        Name::parse("a\u{7}b").unwrap_err().code,
        "control_characters"
    );
}

#[test]
fn country_codes_are_iso_alpha_2_in_upper_case() {
    assert_eq!(CountryCode::parse("DE").unwrap().as_str(), "DE");
    assert_eq!(CountryCode::parse("EL").unwrap().as_str(), "EL");
    assert_eq!(
        CountryCode::parse("de").unwrap_err().code,
        "unknown_country"
    );
    assert_eq!(
        CountryCode::parse("ZZ").unwrap_err().code,
        "unknown_country"
    );
    assert_eq!(
        CountryCode::parse("DEU").unwrap_err().code,
        "unknown_country"
    );
}

#[test]
fn urls_must_be_absolute_http() {
    assert!(HttpUrl::parse("https://www.cancerimage.eu/").is_ok());
    assert_eq!(
        HttpUrl::parse("ftp://example.org").unwrap_err().code,
        "invalid_url"
    );
    assert_eq!(HttpUrl::parse("/relative").unwrap_err().code, "invalid_url");
    assert_eq!(
        HttpUrl::parse("javascript:alert(1)").unwrap_err().code,
        "invalid_url"
    );
}

#[test]
fn emails_need_a_domain() {
    assert!(Email::parse("dac@example.org").is_ok());
    assert_eq!(Email::parse("dac").unwrap_err().code, "invalid_email");
}

proptest! {
    #[test]
    fn a_parsed_name_parses_again_to_itself(input in "\\PC{0,250}") {
        if let Ok(name) = Name::parse(&input) {
            prop_assert_eq!(Name::parse(name.as_str()), Ok(name.clone()));
        }
    }

    #[test]
    fn every_listed_country_round_trips(index in 0..ISO_3166.len()) {
        let (code, alpha_3) = ISO_3166[index];
        let parsed = CountryCode::parse(code).unwrap();
        prop_assert_eq!(parsed.to_string(), code.to_owned());
        prop_assert_eq!(parsed.alpha_3(), alpha_3);
    }
}
