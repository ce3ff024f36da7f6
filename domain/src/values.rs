//! Small constrained values shared by many resources.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// Whether `c` is a bidirectional formatting control (an embedding, override or isolate), the
/// characters that make text display in another order than it is stored ("Trojan Source"): in a
/// name or title they can make one organisation's name look like another's.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A display name: trimmed, 1 to 200 characters, no control or bidirectional formatting
/// characters. Names that must be unique are compared by [`Name::comparison_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("required", "must not be empty"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new(
                "too_long",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ValueError::new(
                "control_characters",
                "must not contain control characters",
            ));
        }
        if trimmed.chars().any(is_bidi_control) {
            return Err(bidi_controls_refused());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What two names are compared by when they must be unique: Unicode NFC normalisation and
    /// full case folding, so "Universitätsklinikum" (composed or decomposed) and
    /// "UNIVERSITÄTSKLINIKUM" are one name, and so are "Straße" and "STRASSE".
    pub fn comparison_key(&self) -> String {
        use unicode_normalization::UnicodeNormalization;
        let composed: String = self.0.nfc().collect();
        caseless::default_case_fold_str(&composed).nfc().collect()
    }
}

/// The error for text holding bidirectional formatting controls.
pub fn bidi_controls_refused() -> ValueError {
    ValueError::new(
        "bidi_controls",
        "must not contain bidirectional formatting characters (U+202A to U+202E, U+2066 to U+2069)",
    )
}

/// An ISO 3166-1 alpha-2 country code, upper case (`DE`, `FR`). `EL` (the EU's code for Greece)
/// is accepted besides `GR`, since EU registers use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        if !ISO_3166.iter().any(|(alpha_2, _)| *alpha_2 == input) {
            return Err(ValueError::new(
                "unknown_country",
                "must be an ISO 3166-1 alpha-2 country code in upper case, such as DE or FR",
            ));
        }
        let bytes = input.as_bytes();
        Ok(Self([bytes[0], bytes[1]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters from the list above are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Every accepted code, for documentation and schema enums.
    pub fn all() -> impl Iterator<Item = &'static str> {
        ISO_3166.iter().map(|(alpha_2, _)| *alpha_2)
    }

    /// The ISO 3166-1 alpha-3 code, as the EU country authority list names countries.
    pub fn alpha_3(&self) -> &'static str {
        ISO_3166
            .iter()
            .find(|(alpha_2, _)| *alpha_2 == self.as_str())
            .map_or("ZZZ", |(_, alpha_3)| *alpha_3)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A functional e-mail address of an organisation (not a person's identifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.len() > 254 || !email_address::EmailAddress::is_valid(trimmed) {
            return Err(ValueError::new(
                "invalid_email",
                "must be an e-mail address such as dac@example.org",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `http` or `https` URL of at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HttpUrl(String);

impl HttpUrl {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let invalid = || {
            ValueError::new(
                "invalid_url",
                "must be an absolute http or https URL such as https://example.org",
            )
        };
        if input.len() > Self::MAX_CHARS {
            return Err(ValueError::new(
                "too_long",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        let url = url::Url::parse(input.trim()).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid());
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a token speaks for: the `sub` claim, 1 to 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        if input.is_empty() || input.chars().count() > 255 || input.chars().any(char::is_control) {
            return Err(ValueError::new(
                "invalid_subject",
                "must be a token subject (`sub`) of 1 to 255 characters without control characters",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text_value!(Name, Email, HttpUrl, Subject);

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes a text value type (a newtype over `String` with a `parse`) read and write itself as a
/// plain JSON string, checked by `parse` when read, for stored documents and event payloads.
#[macro_export]
macro_rules! text_value {
    ($($name:ty),+ $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value).map_err(|e| e.message)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    )+};
}

/// Declares a closed set of codes as an enum with its wire names, parsing and listing in one
/// place, so the code list, the parser and the documentation cannot drift apart.
#[macro_export]
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $error_code:literal { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(input: &str) -> Result<Self, $crate::ValueError> {
                match input {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::ValueError::new(
                        $error_code,
                        format!("must be one of: {}", Self::wire_names().join(", ")),
                    )),
                }
            }

            pub fn wire_names() -> Vec<&'static str> {
                Self::ALL.iter().map(Self::as_str).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// ISO 3166-1 alpha-2 with its alpha-3 twin (the EU country authority list uses alpha-3), with
/// `EL` (Greece in EU usage) and `XK` (Kosovo, user-assigned, used by EU institutions).
const ISO_3166: &[(&str, &str)] = &[
    ("AD", "AND"),
    ("AE", "ARE"),
    ("AF", "AFG"),
    ("AG", "ATG"),
    ("AI", "AIA"),
    ("AL", "ALB"),
    ("AM", "ARM"),
    ("AO", "AGO"),
    ("AQ", "ATA"),
    ("AR", "ARG"),
    ("AS", "ASM"),
    ("AT", "AUT"),
    ("AU", "AUS"),
    ("AW", "ABW"),
    ("AX", "ALA"),
    ("AZ", "AZE"),
    ("BA", "BIH"),
    ("BB", "BRB"),
    ("BD", "BGD"),
    ("BE", "BEL"),
    ("BF", "BFA"),
    ("BG", "BGR"),
    ("BH", "BHR"),
    ("BI", "BDI"),
    ("BJ", "BEN"),
    ("BL", "BLM"),
    ("BM", "BMU"),
    ("BN", "BRN"),
    ("BO", "BOL"),
    ("BQ", "BES"),
    ("BR", "BRA"),
    ("BS", "BHS"),
    ("BT", "BTN"),
    ("BV", "BVT"),
    ("BW", "BWA"),
    ("BY", "BLR"),
    ("BZ", "BLZ"),
    ("CA", "CAN"),
    ("CC", "CCK"),
    ("CD", "COD"),
    ("CF", "CAF"),
    ("CG", "COG"),
    ("CH", "CHE"),
    ("CI", "CIV"),
    ("CK", "COK"),
    ("CL", "CHL"),
    ("CM", "CMR"),
    ("CN", "CHN"),
    ("CO", "COL"),
    ("CR", "CRI"),
    ("CU", "CUB"),
    ("CV", "CPV"),
    ("CW", "CUW"),
    ("CX", "CXR"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DJ", "DJI"),
    ("DK", "DNK"),
    ("DM", "DMA"),
    ("DO", "DOM"),
    ("DZ", "DZA"),
    ("EC", "ECU"),
    ("EE", "EST"),
    ("EG", "EGY"),
    ("EH", "ESH"),
    ("EL", "GRC"),
    ("ER", "ERI"),
    ("ES", "ESP"),
    ("ET", "ETH"),
    ("FI", "FIN"),
    ("FJ", "FJI"),
    ("FK", "FLK"),
    ("FM", "FSM"),
    ("FO", "FRO"),
    ("FR", "FRA"),
    ("GA", "GAB"),
    ("GB", "GBR"),
    ("GD", "GRD"),
    ("GE", "GEO"),
    ("GF", "GUF"),
    ("GG", "GGY"),
    ("GH", "GHA"),
    ("GI", "GIB"),
    ("GL", "GRL"),
    ("GM", "GMB"),
    ("GN", "GIN"),
    ("GP", "GLP"),
    ("GQ", "GNQ"),
    ("GR", "GRC"),
    ("GS", "SGS"),
    ("GT", "GTM"),
    ("GU", "GUM"),
    ("GW", "GNB"),
    ("GY", "GUY"),
    ("HK", "HKG"),
    ("HM", "HMD"),
    ("HN", "HND"),
    ("HR", "HRV"),
    ("HT", "HTI"),
    ("HU", "HUN"),
    ("ID", "IDN"),
    ("IE", "IRL"),
    ("IL", "ISR"),
    ("IM", "IMN"),
    ("IN", "IND"),
    ("IO", "IOT"),
    ("IQ", "IRQ"),
    ("IR", "IRN"),
    ("IS", "ISL"),
    ("IT", "ITA"),
    ("JE", "JEY"),
    ("JM", "JAM"),
    ("JO", "JOR"),
    ("JP", "JPN"),
    ("KE", "KEN"),
    ("KG", "KGZ"),
    ("KH", "KHM"),
    ("KI", "KIR"),
    ("KM", "COM"),
    ("KN", "KNA"),
    ("KP", "PRK"),
    ("KR", "KOR"),
    ("KW", "KWT"),
    ("KY", "CYM"),
    ("KZ", "KAZ"),
    ("LA", "LAO"),
    ("LB", "LBN"),
    ("LC", "LCA"),
    ("LI", "LIE"),
    ("LK", "LKA"),
    ("LR", "LBR"),
    ("LS", "LSO"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("LY", "LBY"),
    ("MA", "MAR"),
    ("MC", "MCO"),
    ("MD", "MDA"),
    ("ME", "MNE"),
    ("MF", "MAF"),
    ("MG", "MDG"),
    ("MH", "MHL"),
    ("MK", "MKD"),
    ("ML", "MLI"),
    ("MM", "MMR"),
    ("MN", "MNG"),
    ("MO", "MAC"),
    ("MP", "MNP"),
    ("MQ", "MTQ"),
    ("MR", "MRT"),
    ("MS", "MSR"),
    ("MT", "MLT"),
    ("MU", "MUS"),
    ("MV", "MDV"),
    ("MW", "MWI"),
    ("MX", "MEX"),
    ("MY", "MYS"),
    ("MZ", "MOZ"),
    ("NA", "NAM"),
    ("NC", "NCL"),
    ("NE", "NER"),
    ("NF", "NFK"),
    ("NG", "NGA"),
    ("NI", "NIC"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("NP", "NPL"),
    ("NR", "NRU"),
    ("NU", "NIU"),
    ("NZ", "NZL"),
    ("OM", "OMN"),
    ("PA", "PAN"),
    ("PE", "PER"),
    ("PF", "PYF"),
    ("PG", "PNG"),
    ("PH", "PHL"),
    ("PK", "PAK"),
    ("PL", "POL"),
    ("PM", "SPM"),
    ("PN", "PCN"),
    ("PR", "PRI"),
    ("PS", "PSE"),
    ("PT", "PRT"),
    ("PW", "PLW"),
    ("PY", "PRY"),
    ("QA", "QAT"),
    ("RE", "REU"),
    ("RO", "ROU"),
    ("RS", "SRB"),
    ("RU", "RUS"),
    ("RW", "RWA"),
    ("SA", "SAU"),
    ("SB", "SLB"),
    ("SC", "SYC"),
    ("SD", "SDN"),
    ("SE", "SWE"),
    ("SG", "SGP"),
    ("SH", "SHN"),
    ("SI", "SVN"),
    ("SJ", "SJM"),
    ("SK", "SVK"),
    ("SL", "SLE"),
    ("SM", "SMR"),
    ("SN", "SEN"),
    ("SO", "SOM"),
    ("SR", "SUR"),
    ("SS", "SSD"),
    ("ST", "STP"),
    ("SV", "SLV"),
    ("SX", "SXM"),
    ("SY", "SYR"),
    ("SZ", "SWZ"),
    ("TC", "TCA"),
    ("TD", "TCD"),
    ("TF", "ATF"),
    ("TG", "TGO"),
    ("TH", "THA"),
    ("TJ", "TJK"),
    ("TK", "TKL"),
    ("TL", "TLS"),
    ("TM", "TKM"),
    ("TN", "TUN"),
    ("TO", "TON"),
    ("TR", "TUR"),
    ("TT", "TTO"),
    ("TV", "TUV"),
    ("TW", "TWN"),
    ("TZ", "TZA"),
    ("UA", "UKR"),
    ("UG", "UGA"),
    ("UM", "UMI"),
    ("US", "USA"),
    ("UY", "URY"),
    ("UZ", "UZB"),
    ("VA", "VAT"),
    ("VC", "VCT"),
    ("VE", "VEN"),
    ("VG", "VGB"),
    ("VI", "VIR"),
    ("VN", "VNM"),
    ("VU", "VUT"),
    ("WF", "WLF"),
    ("WS", "WSM"),
    ("XK", "XKX"),
    ("YE", "YEM"),
    ("YT", "MYT"),
    ("ZA", "ZAF"),
    ("ZM", "ZMB"),
    ("ZW", "ZWE"),
];

#[cfg(test)]
mod tests {
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
}
