//! Small constrained values shared by many resources.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValueError;
use crate::codes;

mod country;

pub use country::CountryCode;

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
            return Err(ValueError::new(codes::REQUIRED, "must not be empty"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new(
                codes::TOO_LONG,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ValueError::new(
                codes::CONTROL_CHARACTERS,
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
        codes::BIDI_CONTROLS,
        "must not contain bidirectional formatting characters (U+202A to U+202E, U+2066 to U+2069)",
    )
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
                codes::INVALID_EMAIL,
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
                codes::INVALID_URL,
                "must be an absolute http or https URL such as https://example.org",
            )
        };
        if input.len() > Self::MAX_CHARS {
            return Err(ValueError::new(
                codes::TOO_LONG,
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
                codes::INVALID_SUBJECT,
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
/// With `from_string:`, the type's `from_string` checks the string read and keeps its buffer.
#[macro_export]
macro_rules! text_value {
    (from_string: $($name:ty),+ $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::from_string(value).map_err(|e| e.message)
            }
        }
        $crate::text_value!(@into $name);
    )+};
    ($($name:ty),+ $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value).map_err(|e| e.message)
            }
        }
        $crate::text_value!(@into $name);
    )+};
    (@into $name:ty) => {
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Declares a closed set of codes as an enum with its wire names, parsing and listing in one
/// place, so the code list, the parser and the documentation cannot drift apart.
#[macro_export]
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $error_code:path { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
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

#[cfg(test)]
mod tests;
