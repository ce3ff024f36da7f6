//! ICD-10 codes and their hierarchy: `C34.1` (lower lobe, bronchus or lung) lies under `C34`
//! (bronchus and lung), so a search or a DUO disease-specific condition on `C34` covers it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;
use crate::codes;

/// An ICD-10 code: a letter, two digits, and optionally a dot and one or two more digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IcdCode(String);

impl IcdCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let bytes = input.as_bytes();
        let category_ok = bytes.len() >= 3
            && bytes[0].is_ascii_uppercase()
            && bytes[1].is_ascii_digit()
            && bytes[2].is_ascii_digit();
        let subcategory_ok = match &bytes[3.min(bytes.len())..] {
            [] => true,
            [b'.', rest @ ..] => {
                (1..=2).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        };
        if !(category_ok && subcategory_ok) {
            return Err(ValueError::new(
                codes::INVALID_ICD10,
                "must be an ICD-10 code such as C34 or C34.1 (upper-case letter, two digits, optional .digit)",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// A code for a neoplasm (ICD-10 chapter II: C00–D49), what a cancer condition must be.
    pub fn parse_neoplasm(input: &str) -> Result<Self, ValueError> {
        let code = Self::parse(input)?;
        let number: u32 = code.0[1..3].parse().unwrap_or(u32::MAX);
        let neoplasm = match code.0.as_bytes()[0] {
            b'C' => true,
            b'D' => number <= 49,
            _ => false,
        };
        if !neoplasm {
            return Err(ValueError::new(
                codes::NOT_A_NEOPLASM,
                "must be an ICD-10 neoplasm code (C00–C97 or D00–D49)",
            ));
        }
        Ok(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The three-character category (`C34` for `C34.1`, itself for a category).
    pub fn category(&self) -> IcdCode {
        IcdCode(self.0[..3].to_owned())
    }

    /// This code and every code above it, most specific first: `C34.12` → `C34.12`, `C34.1`, `C34`.
    pub fn with_ancestors(&self) -> Vec<IcdCode> {
        lineage(&self.0)
            .map(|code| IcdCode(code.to_owned()))
            .collect()
    }

    /// Whether this code is `other` or lies below it.
    pub fn is_within(&self, other: &IcdCode) -> bool {
        self.with_ancestors().contains(other)
    }
}

impl TryFrom<String> for IcdCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<IcdCode> for String {
    fn from(code: IcdCode) -> String {
        code.0
    }
}

/// `code` and every code above it, most specific first, as text: `C34.12` → `C34.12`, `C34.1`,
/// `C34`. For codes read without their checks (a stored description the search index reads):
/// whatever the text, it only ever shortens it.
pub fn lineage(code: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(code), |current| {
        let shorter = current.len().saturating_sub(1);
        (current.len() > 3 && current.is_char_boundary(shorter))
            .then(|| current[..shorter].trim_end_matches('.'))
    })
}

impl fmt::Display for IcdCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> IcdCode {
        IcdCode::parse(s).unwrap()
    }

    #[test]
    fn a_subcategory_lies_within_its_category() {
        assert!(code("C34.1").is_within(&code("C34")));
        assert!(code("C34").is_within(&code("C34")));
        assert!(!code("C34").is_within(&code("C34.1")));
        assert!(!code("C50.9").is_within(&code("C34")));
        assert_eq!(
            code("C34.12").with_ancestors(),
            [code("C34.12"), code("C34.1"), code("C34")]
        );
    }

    #[test]
    fn the_lineage_of_unchecked_text_only_shortens_it() {
        assert_eq!(
            lineage("C34.12").collect::<Vec<_>>(),
            ["C34.12", "C34.1", "C34"]
        );
        for text in ["", "C", "C3é", "é.é", "C34..", "...."] {
            assert!(lineage(text).all(|code| text.starts_with(code)), "{text}");
        }
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["c34", "C3", "C34.", "C34.123", "34.1", "C34-1", ""] {
            assert_eq!(
                IcdCode::parse(bad).unwrap_err().code,
                "invalid_icd10",
                "{bad}"
            );
        }
    }

    #[test]
    fn cancer_conditions_must_be_neoplasms() {
        assert!(IcdCode::parse_neoplasm("C61").is_ok());
        assert!(IcdCode::parse_neoplasm("D05.1").is_ok());
        assert_eq!(
            IcdCode::parse_neoplasm("D50").unwrap_err().code,
            "not_a_neoplasm"
        );
        assert_eq!(
            IcdCode::parse_neoplasm("E11.9").unwrap_err().code,
            "not_a_neoplasm"
        );
    }

    proptest! {
        #[test]
        fn every_code_lies_within_each_of_its_ancestors(text in "[A-Z][0-9]{2}(\\.[0-9]{1,2})?") {
            let parsed = code(&text);
            for ancestor in parsed.with_ancestors() {
                prop_assert!(parsed.is_within(&ancestor));
                prop_assert!(IcdCode::parse(ancestor.as_str()).is_ok());
            }
            prop_assert_eq!(parsed.with_ancestors().last().cloned(), Some(parsed.category()));
        }
    }
}
