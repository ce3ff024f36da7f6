//! Turtle written straight from hdab's triples.
//!
//! oxttl's serialiser formats each term through `fmt`: every IRI is matched against every
//! prefix with its full validation, and each literal is escaped one character at a time
//! through `fmt::Write::write_char`. That was 22% of a catalogue page's CPU at 100,000
//! datasets (BENCHMARKS.md, “Turtle pages that state each subject once”). hdab's terms are
//! few kinds, its prefixes are fixed, and `Triples::write` hands over each subject's triples
//! together, so this writer copies bytes: a prefixed name when the local part is plainly
//! valid, the full IRI otherwise, and a literal escaped only where Turtle requires it. What it
//! writes is read back by oxttl in the tests, and by a harvester and SHACL in CI.

use std::io::Write;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{LiteralRef, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};

use super::vocabulary::PREFIXES;

/// Writes Turtle to `out`: the prefixes first, then statements a subject at a time.
pub struct TurtleWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

impl<W: Write> TurtleWriter<W> {
    pub(super) fn new(out: W) -> Self {
        let mut buffer = Vec::new();
        for (prefix, namespace) in PREFIXES {
            for part in ["@prefix ", prefix, ": <", namespace, "> .\n"] {
                buffer.extend_from_slice(part.as_bytes());
            }
        }
        Self { out, buffer }
    }

    /// Writes `triples`, each subject's together, as one statement a subject; the same
    /// predicate twice in a row is written once with its objects listed.
    pub(super) fn write<'a>(
        &mut self,
        triples: impl Iterator<Item = &'a (NamedOrBlankNode, NamedNodeRef<'static>, Term)>,
    ) -> std::io::Result<()> {
        let mut previous: Option<(&NamedOrBlankNode, NamedNodeRef<'static>)> = None;
        for (subject, predicate, object) in triples {
            match previous {
                Some((s, p)) if s == subject && p == *predicate => {
                    self.buffer.extend_from_slice(b" , ");
                }
                Some((s, _)) if s == subject => {
                    self.buffer.extend_from_slice(b" ;\n\t");
                    self.predicate(*predicate);
                }
                open => {
                    if open.is_some() {
                        self.buffer.extend_from_slice(b" .\n");
                    }
                    self.subject(subject.as_ref());
                    self.buffer.push(b' ');
                    self.predicate(*predicate);
                }
            }
            self.object(object.as_ref());
            previous = Some((subject, *predicate));
        }
        if previous.is_some() {
            self.buffer.extend_from_slice(b" .\n");
        }
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }

    pub(super) fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(&self.buffer)?;
        Ok(self.out)
    }

    fn subject(&mut self, subject: NamedOrBlankNodeRef<'_>) {
        match subject {
            NamedOrBlankNodeRef::NamedNode(iri) => self.iri(iri),
            NamedOrBlankNodeRef::BlankNode(node) => self.blank(node.as_str()),
        }
    }

    fn predicate(&mut self, predicate: NamedNodeRef<'_>) {
        if predicate == rdf::TYPE {
            self.buffer.push(b'a');
        } else {
            self.iri(predicate);
        }
        self.buffer.push(b' ');
    }

    fn object(&mut self, object: TermRef<'_>) {
        match object {
            TermRef::NamedNode(iri) => self.iri(iri),
            TermRef::BlankNode(node) => self.blank(node.as_str()),
            TermRef::Literal(literal) => self.literal(literal),
        }
    }

    fn blank(&mut self, id: &str) {
        self.buffer.extend_from_slice(b"_:");
        self.buffer.extend_from_slice(id.as_bytes());
    }

    /// `prefix:local` when the IRI is in a prefix's namespace and the rest is letters,
    /// digits, `_`, `-` (not first) and `/` (escaped, as oxttl wrote `authority:language\/ENG`):
    /// always a valid local name. Otherwise `<iri>`.
    fn iri(&mut self, iri: NamedNodeRef<'_>) {
        let iri = iri.as_str();
        let prefixed = PREFIXES.iter().find_map(|(prefix, namespace)| {
            let local = iri.strip_prefix(namespace)?;
            is_plain_local_name(local).then_some((prefix, local))
        });
        if let Some((prefix, local)) = prefixed {
            self.buffer.extend_from_slice(prefix.as_bytes());
            self.buffer.push(b':');
            for (i, segment) in local.split('/').enumerate() {
                if i > 0 {
                    self.buffer.extend_from_slice(b"\\/");
                }
                self.buffer.extend_from_slice(segment.as_bytes());
            }
            return;
        }
        // IRIs are valid (checked when a description is accepted), written as they are, as
        // oxttl writes them.
        self.buffer.push(b'<');
        self.buffer.extend_from_slice(iri.as_bytes());
        self.buffer.push(b'>');
    }

    fn literal(&mut self, literal: LiteralRef<'_>) {
        let value = literal.value();
        let bytes = value.as_bytes();
        if literal.datatype() == xsd::BOOLEAN && matches!(value, "true" | "false") {
            self.buffer.extend_from_slice(value.as_bytes());
            return;
        }
        self.buffer.push(b'"');
        let mut written = 0;
        for (at, byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                _ => continue,
            };
            self.buffer.extend_from_slice(&bytes[written..at]);
            self.buffer.extend_from_slice(escape);
            written = at + 1;
        }
        self.buffer.extend_from_slice(&bytes[written..]);
        self.buffer.push(b'"');
        if let Some(language) = literal.language() {
            self.buffer.push(b'@');
            self.buffer.extend_from_slice(language.as_bytes());
        } else if literal.datatype() != xsd::STRING {
            self.buffer.extend_from_slice(b"^^");
            self.iri(literal.datatype());
        }
    }
}

fn is_plain_local_name(local: &str) -> bool {
    !local.is_empty()
        && !local.starts_with('-')
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Graph, Literal, NamedNode, TripleRef};
    use oxrdfio::{RdfFormat, RdfParser};

    #[test]
    fn what_is_written_reads_back_as_the_same_graph() {
        let subject = NamedOrBlankNode::from(NamedNode::new_unchecked(
            "https://hdab.example.eu/datasets/1",
        ));
        let blank = NamedOrBlankNode::from(BlankNode::new_unchecked("b1"));
        let objects: Vec<Term> = vec![
            NamedNode::new_unchecked("http://www.w3.org/ns/dcat#Dataset").into(),
            NamedNode::new_unchecked(
                "http://publications.europa.eu/resource/authority/language/ENG",
            )
            .into(),
            NamedNode::new_unchecked("http://purl.org/dc/terms/").into(),
            NamedNode::new_unchecked("http://purl.org/dc/terms/-x").into(),
            NamedNode::new_unchecked("https://example.org/a?b=c&d=%20#e").into(),
            Literal::new_simple_literal("plain").into(),
            Literal::new_simple_literal("quote \" backslash \\ line\nreturn\r tab\t é 🫁").into(),
            Literal::new_language_tagged_literal_unchecked("Tumeurs cérébrales", "fr").into(),
            Literal::new_typed_literal("2026-06-01T12:00:00Z", xsd::DATE_TIME).into(),
            Literal::new_typed_literal(
                "12",
                NamedNode::new_unchecked("https://example.org/type#x.y"),
            )
            .into(),
            Literal::new_simple_literal("").into(),
            Literal::new_typed_literal("false", xsd::BOOLEAN).into(),
            Literal::new_typed_literal("1", xsd::BOOLEAN).into(),
            NamedNode::new_unchecked(
                "http://publications.europa.eu/resource/authority/file-type/ZIP",
            )
            .into(),
            NamedNode::new_unchecked("http://publications.europa.eu/resource/authority//x/").into(),
            BlankNode::new_unchecked("b1").into(),
        ];
        let title = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/title");
        let mut triples: Vec<(NamedOrBlankNode, NamedNodeRef<'static>, Term)> = objects
            .iter()
            .map(|object| (subject.clone(), title, object.clone()))
            .collect();
        triples.push((subject.clone(), rdf::TYPE, objects[0].clone()));
        triples.push((blank.clone(), title, objects[5].clone()));

        let mut writer = TurtleWriter::new(Vec::new());
        writer.write(triples.iter()).unwrap();
        writer.write(triples[..2].iter()).unwrap();
        let text = writer.finish().unwrap();

        let mut read = Graph::new();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(&text) {
            read.insert(quad.unwrap().as_ref());
        }
        // A blank node is read back under a label of the parser's: compared by count.
        let is_blank = |t: &TripleRef<'_>| t.subject.is_blank_node() || t.object.is_blank_node();
        let named = |graph: &Graph| {
            let mut named = Graph::new();
            named.extend(graph.iter().filter(|t| !is_blank(t)));
            named
        };
        let mut expected = Graph::new();
        for (s, p, o) in &triples {
            expected.insert(TripleRef::new(s, *p, o));
        }
        assert_eq!(
            read.iter().filter(is_blank).count(),
            expected.iter().filter(is_blank).count()
        );
        let (read, expected) = (named(&read), named(&expected));
        assert_eq!(read, expected, "{}", String::from_utf8_lossy(&text));
    }
}
