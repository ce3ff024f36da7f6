//! Free text in dataset descriptions: short single-line texts and multilingual texts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::vocabulary::LanguageTag;
use crate::ValueError;
use crate::codes;
use crate::values::{bidi_controls_refused, is_bidi_control};

/// `text` trimmed, if it is non-empty, at most `max` characters long and free of control
/// characters other than line breaks (which only long texts may hold) and of bidirectional
/// formatting controls. Trimmed in place, so the string read is kept rather than copied:
/// every text of a description is checked each time the description is read.
fn checked_text(mut text: String, max: usize, multiline: bool) -> Result<String, ValueError> {
    let end = text.trim_end().len();
    text.truncate(end);
    let start = text.len() - text.trim_start().len();
    text.drain(..start);
    if text.is_empty() {
        return Err(ValueError::new(codes::REQUIRED, "must not be empty"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    // One pass over the characters, or over the bytes when they are all ASCII (most text).
    let (length, refused_control, bidi) = if text.is_ascii() {
        let refused = text.bytes().any(|b| !allowed(char::from(b)));
        (text.len(), refused, false)
    } else {
        text.chars()
            .fold((0, false, false), |(length, control, bidi), c| {
                (
                    length + 1,
                    control || !allowed(c),
                    bidi || is_bidi_control(c),
                )
            })
    };
    if length > max {
        return Err(ValueError::new(
            codes::TOO_LONG,
            format!("must be at most {max} characters"),
        ));
    }
    if refused_control {
        return Err(ValueError::new(
            codes::CONTROL_CHARACTERS,
            "must not contain control characters",
        ));
    }
    if bidi {
        return Err(bidi_controls_refused());
    }
    Ok(text)
}

/// A single-line text of at most 500 characters (names, labels, keywords).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

impl ShortText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        Self::from_string(input.to_owned())
    }

    /// [`ShortText::parse`], keeping `text`'s own buffer.
    pub fn from_string(text: String) -> Result<Self, ValueError> {
        checked_text(text, Self::MAX_CHARS, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A long text of at most 20,000 characters, line breaks allowed (descriptions, provenance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        Self::from_string(input.to_owned())
    }

    /// [`LongText::parse`], keeping `text`'s own buffer.
    pub fn from_string(text: String) -> Result<Self, ValueError> {
        checked_text(text, Self::MAX_CHARS, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A text in one or more languages; English is always there, so every catalogue harvester
/// finds a text it can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<LanguageTag, LongText>",
    into = "BTreeMap<LanguageTag, LongText>"
)]
pub struct LocalizedText(BTreeMap<LanguageTag, LongText>);

crate::text_value!(from_string: ShortText, LongText);

impl TryFrom<BTreeMap<LanguageTag, LongText>> for LocalizedText {
    type Error = String;
    fn try_from(texts: BTreeMap<LanguageTag, LongText>) -> Result<Self, String> {
        Self::new(texts).map_err(|e| e.message)
    }
}

impl From<LocalizedText> for BTreeMap<LanguageTag, LongText> {
    fn from(text: LocalizedText) -> Self {
        text.0
    }
}

impl LocalizedText {
    /// Checks that an English text is present, and at most [`crate::limits::LANGUAGES`].
    pub fn new(texts: BTreeMap<LanguageTag, LongText>) -> Result<Self, ValueError> {
        crate::limits::at_most(texts.len(), crate::limits::LANGUAGES)?;
        if !texts.contains_key(LanguageTag::ENGLISH) {
            return Err(ValueError::new(
                codes::ENGLISH_REQUIRED,
                "must include an English (`en`) text",
            ));
        }
        Ok(Self(texts))
    }

    pub fn english(&self) -> &str {
        self.0
            .get(LanguageTag::ENGLISH)
            .map_or("", LongText::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.0.iter().map(|(tag, text)| (tag, text.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_required_in_multilingual_text() {
        let german = BTreeMap::from([(
            LanguageTag::parse("de").unwrap(),
            LongText::parse("Lunge").unwrap(),
        )]);
        assert_eq!(
            LocalizedText::new(german).unwrap_err().code,
            "english_required"
        );
    }

    proptest::proptest! {
        /// The one-pass check agrees with the rules read one by one, on ASCII and other text,
        /// with spaces, line breaks, controls and bidirectional controls mixed in.
        #[test]
        fn a_text_is_accepted_exactly_when_each_rule_holds(
            text in "[ a-z\n\t\u{7}é\u{202E}\u{2003}]{0,12}",
            multiline in proptest::bool::ANY,
        ) {
            let max = 8;
            let trimmed = text.trim();
            let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
            let valid = !trimmed.is_empty()
                && trimmed.chars().count() <= max
                && trimmed.chars().all(allowed)
                && !trimmed.chars().any(crate::values::is_bidi_control);
            let checked = checked_text(text.clone(), max, multiline);
            proptest::prop_assert_eq!(checked.as_deref().ok(), valid.then_some(trimmed));
        }
    }

    #[test]
    fn short_texts_are_single_lines() {
        assert_eq!(
            ShortText::parse("a\nb").unwrap_err().code,
            "control_characters"
        );
        assert!(LongText::parse("a\nb").is_ok());
    }
}
