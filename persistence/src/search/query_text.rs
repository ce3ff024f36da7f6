//! What someone typed into the search box, turned into words and phrases only.
//!
//! hdab's search box takes words and "quoted phrases", nothing of tantivy's query language:
//! anonymous callers must not reach every field of the index (`summary:*`, `key:[a TO z]`,
//! regexes, boosts). Every character that is not a letter or a digit separates words, as the
//! index's own tokenizer does. Filters and facets are query parameters, not query syntax.

/// One part of a search: a word, or the words of a quoted phrase, lower-cased. Every part
/// must match.
pub type Part = Vec<String>;

/// `text` as words and balanced quoted phrases; empty when no word remains.
pub fn search_parts(text: &str) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let mut segments = text.split('"').peekable();
    let mut inside_quotes = false;
    while let Some(segment) = segments.next() {
        // An opening quote without its closing one quotes nothing.
        let is_phrase = inside_quotes && segments.peek().is_some();
        let words = words(segment);
        if is_phrase && words.len() > 1 {
            parts.push(words);
        } else {
            parts.extend(words.into_iter().map(|word| vec![word]));
        }
        inside_quotes = !inside_quotes;
    }
    parts
}

/// The runs of letters and digits in `text`, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts as one would type them back: words, and phrases in quotes.
    fn plain_query(text: &str) -> Option<String> {
        let parts = search_parts(text);
        let shown: Vec<String> = parts
            .iter()
            .map(|part| match part.as_slice() {
                [word] => word.clone(),
                words => format!("\"{}\"", words.join(" ")),
            })
            .collect();
        (!shown.is_empty()).then(|| shown.join(" "))
    }

    #[test]
    fn query_syntax_becomes_plain_words() {
        assert_eq!(plain_query("summary:*").as_deref(), Some("summary"));
        assert_eq!(plain_query("foo:* bar").as_deref(), Some("foo bar"));
        assert_eq!(
            plain_query("key:[a TO z] OR /.*/").as_deref(),
            Some("key a to z or")
        );
        assert_eq!(
            plain_query("lung^10 -cancer~2").as_deref(),
            Some("lung 10 cancer 2")
        );
        assert_eq!(plain_query("*:*"), None);
        assert_eq!(plain_query("   "), None);
    }

    #[test]
    fn balanced_quotes_keep_a_phrase() {
        assert_eq!(
            plain_query("\"lung cancer\" screening").as_deref(),
            Some("\"lung cancer\" screening")
        );
        assert_eq!(
            plain_query("\"lung cancer screening").as_deref(),
            Some("lung cancer screening")
        );
        assert_eq!(plain_query("\"CT\"").as_deref(), Some("ct"));
    }

    #[test]
    fn letters_of_every_script_are_words() {
        assert_eq!(
            plain_query("Früherkennung, Lungenkrebs!").as_deref(),
            Some("früherkennung lungenkrebs")
        );
        assert_eq!(plain_query("μαστογραφία").as_deref(), Some("μαστογραφία"));
    }
}
