//! What someone typed into the search box, turned into words and phrases only.
//!
//! tantivy's query language reaches every field of the index (`summary:*`, `key:[a TO z]`,
//! regexes, boosts); anonymous callers must not reach it: field syntax on a field without
//! positions, or an exists query on a field that is not fast, fails at search time. hdab's
//! search box takes words, and "quoted phrases": every other character separates words, as the
//! index's own tokenizer does, and words are lower-cased so that `AND`, `OR` and `NOT` are words
//! too. Filters and facets are query parameters, not query syntax.

/// `text` as words and balanced quoted phrases, in the query parser's syntax; `None` when no
/// word remains.
pub fn plain_query(text: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut segments = text.split('"').peekable();
    let mut inside_quotes = false;
    while let Some(segment) = segments.next() {
        // An opening quote without its closing one quotes nothing.
        let is_phrase = inside_quotes && segments.peek().is_some();
        let words = words(segment);
        if is_phrase && words.len() > 1 {
            parts.push(format!("\"{}\"", words.join(" ")));
        } else {
            parts.extend(words);
        }
        inside_quotes = !inside_quotes;
    }
    (!parts.is_empty()).then(|| parts.join(" "))
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
