//! Free text in dataset descriptions: short single-line texts and multilingual texts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::vocabulary::LanguageTag;
use crate::ValueError;
use crate::codes;
use crate::values::{bidi_controls_refused, is_bidi_control};

/// A trimmed, non-empty text of at most `max` characters without control characters other
/// than line breaks (which only long texts may hold), nor bidirectional formatting controls.
fn checked_text(input: &str, max: usize, multiline: bool) -> Result<String, ValueError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ValueError::new(codes::REQUIRED, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(ValueError::new(
            codes::TOO_LONG,
            format!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !trimmed.chars().all(allowed) {
        return Err(ValueError::new(
            codes::CONTROL_CHARACTERS,
            "must not contain control characters",
        ));
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err(bidi_controls_refused());
    }
    Ok(trimmed.to_owned())
}

/// A single-line text of at most 500 characters (names, labels, keywords).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

impl ShortText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(input: &str) -> Result<Self, ValueError> {
        checked_text(input, Self::MAX_CHARS, false).map(Self)
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
        checked_text(input, Self::MAX_CHARS, true).map(Self)
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

crate::text_value!(ShortText, LongText);

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
        if !texts.contains_key(&LanguageTag::english()) {
            return Err(ValueError::new(
                codes::ENGLISH_REQUIRED,
                "must include an English (`en`) text",
            ));
        }
        Ok(Self(texts))
    }

    pub fn english(&self) -> &str {
        self.0
            .get(&LanguageTag::english())
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

    #[test]
    fn short_texts_are_single_lines() {
        assert_eq!(
            ShortText::parse("a\nb").unwrap_err().code,
            "control_characters"
        );
        assert!(LongText::parse("a\nb").is_ok());
    }
}
