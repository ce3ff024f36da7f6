//! Word pairs: each two neighbouring words of a text are also indexed as one term, so that a
//! quoted phrase is found without reading where every one of its words stands.
//!
//! A phrase of common words ("cancer du poumon") was checked position by position in every
//! dataset holding all of its words — and, with every language's form of the phrase tried
//! in the shared text fields, in every dataset holding the words of any form. Reading
//! positions was a third of such a search at 100,000 datasets. A pair term ("cancer du") is
//! held only by the datasets where the two words stand together: a phrase of two words is
//! one term, a longer one a phrase of a few pairs whose posting lists are short. Elasticsearch
//! offers the same as `index_phrases`.
//!
//! A number is never paired: identifiers, years and counts make almost every pair they are in
//! unique, and such pairs tripled the terms of the index (and halved the rate of an index
//! build) for phrases that a number's short posting list already makes cheap to check.
//!
//! A pair is indexed at its first word's position, in the same field as the words (one
//! analysis of each text, and BM25 statistics of the same field). Its two words are joined by
//! a space, which no word holds: a search word can never be taken for a pair.

use tantivy::tokenizer::{BoxTokenStream, Token, TokenStream};

/// Joins the two words of a pair term.
const PAIR_MARK: char = ' ';

/// A word of an analysed text, or a pair of neighbouring words: (position, term).
pub(super) type Positioned = (usize, String);

/// Writes the term of the pair `first second` over `term`: the one spelling of a pair, for
/// the index and for a search alike.
fn pair_term(term: &mut String, first: &str, second: &str) {
    term.clear();
    term.push_str(first);
    term.push(PAIR_MARK);
    term.push_str(second);
}

/// Whether words at `first` and `second` (positions) are indexed as a pair.
fn paired(first: (usize, &str), second: (usize, &str)) -> bool {
    let is_number = |word: &str| word.bytes().all(|b| b.is_ascii_digit());
    first.0 + 1 == second.0 && !is_number(first.1) && !is_number(second.1)
}

/// The words of an analysed text, each followed by the pair it makes with the word before
/// it, when the two are neighbours (a word removed as too long leaves a gap, and no pair)
/// and neither is a number.
pub(super) struct WithPairs<'a> {
    words: BoxTokenStream<'a>,
    /// The word before the current one, when there was one.
    previous: Option<Token>,
    pair: Token,
    on_pair: bool,
    started: bool,
    finished: bool,
}

impl<'a> WithPairs<'a> {
    pub(super) fn new(words: BoxTokenStream<'a>) -> Self {
        Self {
            words,
            previous: None,
            pair: Token::default(),
            on_pair: false,
            started: false,
            finished: false,
        }
    }

    /// After a word: makes the pair it ends, if any, and remembers it as the previous word.
    fn pair_ending_at_word(&mut self) -> bool {
        let word = self.words.token();
        let made = match &self.previous {
            Some(previous)
                if paired(
                    (previous.position, &previous.text),
                    (word.position, &word.text),
                ) =>
            {
                pair_term(&mut self.pair.text, &previous.text, &word.text);
                self.pair.position = previous.position;
                self.pair.offset_from = previous.offset_from;
                self.pair.offset_to = word.offset_to;
                true
            }
            _ => false,
        };
        let previous = self.previous.get_or_insert_with(Token::default);
        previous.text.clear();
        previous.text.push_str(&word.text);
        previous.position = word.position;
        previous.offset_from = word.offset_from;
        previous.offset_to = word.offset_to;
        made
    }
}

impl TokenStream for WithPairs<'_> {
    fn advance(&mut self) -> bool {
        if self.finished {
            return false;
        }
        if self.started && !self.on_pair && self.pair_ending_at_word() {
            self.on_pair = true;
            return true;
        }
        self.on_pair = false;
        self.started = true;
        self.finished = !self.words.advance();
        !self.finished
    }

    fn token(&self) -> &Token {
        if self.on_pair {
            &self.pair
        } else {
            self.words.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.on_pair {
            &mut self.pair
        } else {
            self.words.token_mut()
        }
    }
}

/// The indexed terms that find `words` (an analysed search phrase, with positions) standing
/// together: pairs of neighbours, as few as cover every word, and a word alone only where it
/// is not paired (a gap beside it, or a number). One term means the phrase is a single posting list; several are a phrase
/// of pairs, matched at their positions.
pub(super) fn phrase_terms(words: &[Positioned]) -> Vec<Positioned> {
    let neighbours = |i: usize| {
        let (first, second) = (&words[i], &words[i + 1]);
        paired((first.0, &first.1), (second.0, &second.1))
    };
    let pair = |i: usize| {
        let mut term = String::new();
        pair_term(&mut term, &words[i].1, &words[i + 1].1);
        (words[i].0, term)
    };
    let mut terms = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if i + 1 < words.len() && neighbours(i) {
            terms.push(pair(i));
            i += 2;
        } else if i > 0 && neighbours(i - 1) {
            // The last word of an odd run: paired again with the word before it.
            terms.push(pair(i - 1));
            i += 1;
        } else {
            terms.push(words[i].clone());
            i += 1;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};

    fn positioned(words: &[(usize, &str)]) -> Vec<Positioned> {
        words.iter().map(|(p, w)| (*p, w.to_string())).collect()
    }

    fn indexed(text: &str) -> Vec<(usize, String)> {
        let mut words = TextAnalyzer::from(SimpleTokenizer::default());
        let mut stream = WithPairs::new(words.token_stream(text));
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push((token.position, token.text.clone()));
        }
        terms
    }

    #[test]
    fn each_word_is_followed_by_the_pair_it_ends() {
        assert_eq!(
            indexed("cancer du poumon"),
            positioned(&[
                (0, "cancer"),
                (1, "du"),
                (0, "cancer du"),
                (2, "poumon"),
                (1, "du poumon"),
            ])
        );
        assert_eq!(indexed("lung"), positioned(&[(0, "lung")]));
        assert_eq!(
            indexed("cohort 2019 lung"),
            positioned(&[(0, "cohort"), (1, "2019"), (2, "lung")]),
            "a number is never paired"
        );
        assert!(indexed("").is_empty());
    }

    #[test]
    fn a_gap_between_words_makes_no_pair() {
        let words = [(0, "lung"), (2, "cancer")];
        let mut stream = WithPairs::new(BoxTokenStream::new(Fixed::new(&words)));
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push((token.position, token.text.clone()));
        }
        assert_eq!(terms, positioned(&words));
    }

    #[test]
    fn a_phrase_is_searched_as_the_fewest_pairs_covering_its_words() {
        let terms = |words: &[(usize, &str)]| phrase_terms(&positioned(words));
        assert_eq!(
            terms(&[(0, "lung"), (1, "cancer")]),
            positioned(&[(0, "lung cancer")])
        );
        assert_eq!(
            terms(&[(0, "cancer"), (1, "du"), (2, "poumon")]),
            positioned(&[(0, "cancer du"), (1, "du poumon")])
        );
        assert_eq!(
            terms(&[(0, "cancer"), (1, "de"), (2, "la"), (3, "prostate")]),
            positioned(&[(0, "cancer de"), (2, "la prostate")])
        );
        // A word removed as too long leaves a gap: the words beside it stand alone.
        assert_eq!(
            terms(&[(0, "lung"), (2, "cancer"), (3, "screening")]),
            positioned(&[(0, "lung"), (2, "cancer screening")])
        );
        assert_eq!(
            terms(&[(0, "cohort"), (1, "12"), (2, "lung"), (3, "cancer")]),
            positioned(&[(0, "cohort"), (1, "12"), (2, "lung cancer")])
        );
    }

    /// A token stream of given words and positions.
    struct Fixed {
        tokens: Vec<Token>,
        next: usize,
    }

    impl Fixed {
        fn new(words: &[(usize, &str)]) -> Self {
            let tokens = words
                .iter()
                .map(|(position, text)| Token {
                    position: *position,
                    text: text.to_string(),
                    ..Token::default()
                })
                .collect();
            Self { tokens, next: 0 }
        }
    }

    impl TokenStream for Fixed {
        fn advance(&mut self) -> bool {
            self.next += 1;
            self.next <= self.tokens.len()
        }
        fn token(&self) -> &Token {
            &self.tokens[self.next - 1]
        }
        fn token_mut(&mut self) -> &mut Token {
            &mut self.tokens[self.next - 1]
        }
    }
}
