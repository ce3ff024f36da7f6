//! A language's stemmer, remembering the words it has stemmed.
//!
//! A catalogue says the same few thousand words again and again (imaging, cohort, the names
//! of conditions and body parts), and an index build stems every one of them on the one
//! thread that writes the index — the thread a build waits for. Stemming each occurrence anew
//! was over a fifth of that thread's work at 100,000 datasets; a remembered stem is one hash
//! look-up. Stems are the Snowball stemmers' (as tantivy's own `Stemmer` filter gives them).

use frostem::Algorithm;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per stemmer, at most; then it starts afresh. A catalogue's vocabulary
/// (numbers aside, which are not remembered) stays well below it.
const REMEMBERED: usize = 50_000;

/// A token filter that stems with `algorithm`, remembering each word's stem.
#[derive(Clone, Copy)]
pub(super) struct RememberingStemmer(pub(super) Algorithm);

impl TokenFilter for RememberingStemmer {
    type Tokenizer<T: Tokenizer> = StemmingTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemmingTokenizer<T> {
        StemmingTokenizer {
            algorithm: self.0,
            inner,
            stems: FxHashMap::default(),
        }
    }
}

pub(super) struct StemmingTokenizer<T> {
    algorithm: Algorithm,
    inner: T,
    /// Word → stem.
    stems: FxHashMap<String, String>,
}

/// A copy starts with nothing remembered: a search copies the analysers for each query.
impl<T: Clone> Clone for StemmingTokenizer<T> {
    fn clone(&self) -> Self {
        Self {
            algorithm: self.algorithm,
            inner: self.inner.clone(),
            stems: FxHashMap::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for StemmingTokenizer<T> {
    type TokenStream<'a> = StemmingStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemmingStream {
            words: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(self.algorithm),
            stems: &mut self.stems,
        }
    }
}

pub(super) struct StemmingStream<'a, S> {
    words: S,
    stemmer: frostem::Stemmer,
    stems: &'a mut FxHashMap<String, String>,
}

impl<S: TokenStream> TokenStream for StemmingStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.words.advance() {
            return false;
        }
        let token = self.words.token_mut();
        if let Some(stem) = self.stems.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        let word = std::mem::replace(&mut token.text, stem);
        // Numbers (identifiers, years) are many, seldom repeated, and would crowd out words.
        if !word.bytes().all(|b| b.is_ascii_digit()) {
            if self.stems.len() >= REMEMBERED {
                self.stems.clear();
            }
            self.stems.insert(word, token.text.clone());
        }
        true
    }

    fn token(&self) -> &Token {
        self.words.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.words.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{
        Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
    };

    fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push(token.text.clone());
        }
        terms
    }

    #[test]
    fn remembered_stems_are_the_snowball_stems() {
        let text = "Tumeurs cérébrales : imagerie des tumeurs, cohortes 2019 et cohorte 12; \
                    tumeurs tumeurs imagerie cohortes";
        let analyzer = |remembering: bool| {
            let builder = TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser);
            if remembering {
                builder
                    .filter(RememberingStemmer(Algorithm::French))
                    .build()
            } else {
                builder.filter(Stemmer::new(Language::French)).build()
            }
        };
        let mut remembering = analyzer(true);
        let expected = terms(&mut analyzer(false), text);
        assert_eq!(terms(&mut remembering, text), expected);
        assert_eq!(
            terms(&mut remembering, text),
            expected,
            "the same again, from memory"
        );
        assert_eq!(terms(&mut remembering.clone(), text), expected);
    }
}
