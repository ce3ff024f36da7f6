//! Turtle written straight from hdab's triples.
//!
//! oxttl's serialiser formats each term through `fmt`: every IRI is matched against every
//! prefix with its full validation, and each literal is escaped one character at a time
//! through `fmt::Write::write_char`. That was 22% of a catalogue page's CPU at 100,000
//! datasets (BENCHMARKS.md, “Turtle pages that state each subject once”). hdab's terms are
//! few kinds, its prefixes are fixed, and `Triples::write` hands over each subject's triples
//! together, so this writer copies bytes: a prefixed name when the local part is plainly
//! valid, the full IRI otherwise, and a literal escaped only where Turtle requires it. How a
//! node or a vocabulary term is spelled is found once a page, however often it is named. What
//! it writes is read back by oxttl in the tests, and by a harvester and SHACL in CI.

use std::io::Write;

use oxrdf::NamedNodeRef;
use oxrdf::vocab::{rdf, xsd};
use rustc_hash::FxHashMap;

use super::triples::{LiteralKind, Node, Object, Statement, Triples};
use super::vocabulary::PREFIXES;

/// The buffer is handed to the output when it grows past this: a page is written in a few
/// large pieces, and the buffer never grows by copying.
const FLUSH_AT: usize = 64 * 1024;

/// Writes Turtle to `out`: the prefixes first, then statements a subject at a time.
pub struct TurtleWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
    /// How each vocabulary term (predicate, class, datatype) is written, found once a writer:
    /// keyed by the address and length of its `'static` text, cheaper to hash than the text.
    vocabulary: FxHashMap<(usize, usize), Spelling>,
}

/// How an IRI is written: `prefix:local` (the prefix's index, where the local part starts) or
/// `<iri>`.
#[derive(Clone, Copy)]
enum Spelling {
    Prefixed(usize, usize),
    Full,
}

impl<W: Write> TurtleWriter<W> {
    pub(super) fn new(out: W) -> Self {
        let mut buffer = Vec::with_capacity(FLUSH_AT + 4096);
        for (prefix, namespace) in PREFIXES {
            for part in ["@prefix ", prefix, ": <", namespace, "> .\n"] {
                buffer.extend_from_slice(part.as_bytes());
            }
        }
        Self {
            out,
            buffer,
            vocabulary: FxHashMap::default(),
        }
    }

    /// Writes `statements` of `triples`, each subject's together, as one Turtle statement a
    /// subject; the same predicate twice in a row is written once with its objects listed.
    pub(super) fn write(
        &mut self,
        triples: &Triples<'_>,
        statements: Vec<&Statement<'_>>,
    ) -> std::io::Result<()> {
        // Each node's spelling once, however many times it is named.
        let nodes: Vec<Spelling> = triples.node_iris().map(spelling).collect();
        let mut previous: Option<(Node, NamedNodeRef<'static>)> = None;
        for statement in statements {
            let (subject, predicate) = (statement.subject, statement.predicate);
            match previous {
                Some((s, p)) if s == subject && p == predicate => {
                    self.buffer.extend_from_slice(b" , ");
                }
                Some((s, _)) if s == subject => {
                    self.buffer.extend_from_slice(b" ;\n\t");
                    self.predicate(predicate);
                }
                open => {
                    if open.is_some() {
                        self.buffer.extend_from_slice(b" .\n");
                        self.flush_if_full()?;
                    }
                    self.iri(triples.iri_of(subject), nodes[subject.index()]);
                    self.buffer.push(b' ');
                    self.predicate(predicate);
                }
            }
            match &statement.object {
                Object::Node(node) => self.iri(triples.iri_of(*node), nodes[node.index()]),
                Object::Term(term) => self.vocabulary_term(*term),
                Object::Iri(iri) => self.iri(iri, spelling(iri)),
                Object::Literal(value, kind) => self.literal(value, kind),
            }
            previous = Some((subject, predicate));
        }
        if previous.is_some() {
            self.buffer.extend_from_slice(b" .\n");
        }
        self.flush_if_full()
    }

    pub(super) fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(&self.buffer)?;
        Ok(self.out)
    }

    fn flush_if_full(&mut self) -> std::io::Result<()> {
        if self.buffer.len() >= FLUSH_AT {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn predicate(&mut self, predicate: NamedNodeRef<'static>) {
        if predicate == rdf::TYPE {
            self.buffer.push(b'a');
        } else {
            self.vocabulary_term(predicate);
        }
        self.buffer.push(b' ');
    }

    fn vocabulary_term(&mut self, term: NamedNodeRef<'static>) {
        let iri = term.as_str();
        let spelling = *self
            .vocabulary
            .entry((iri.as_ptr() as usize, iri.len()))
            .or_insert_with(|| spelling(iri));
        self.iri(iri, spelling);
    }

    /// Writes `iri` as `spelling` says. A prefixed name's `/` is escaped, as oxttl wrote
    /// `authority:language\/ENG`.
    fn iri(&mut self, iri: &str, spelling: Spelling) {
        match spelling {
            Spelling::Prefixed(prefix, local_at) => {
                self.buffer.extend_from_slice(PREFIXES[prefix].0.as_bytes());
                self.buffer.push(b':');
                for (i, segment) in iri[local_at..].split('/').enumerate() {
                    if i > 0 {
                        self.buffer.extend_from_slice(b"\\/");
                    }
                    self.buffer.extend_from_slice(segment.as_bytes());
                }
            }
            // IRIs are valid (checked when a description is accepted), written as they are,
            // as oxttl writes them.
            Spelling::Full => {
                self.buffer.push(b'<');
                self.buffer.extend_from_slice(iri.as_bytes());
                self.buffer.push(b'>');
            }
        }
    }

    fn literal(&mut self, value: &str, kind: &LiteralKind<'_>) {
        if let LiteralKind::Typed(datatype) = kind
            && *datatype == xsd::BOOLEAN
            && matches!(value, "true" | "false")
        {
            self.buffer.extend_from_slice(value.as_bytes());
            return;
        }
        let bytes = value.as_bytes();
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
        match kind {
            LiteralKind::Simple => {}
            LiteralKind::Language(language) => {
                self.buffer.push(b'@');
                self.buffer.extend_from_slice(language.as_bytes());
            }
            LiteralKind::Typed(datatype) => {
                self.buffer.extend_from_slice(b"^^");
                self.vocabulary_term(*datatype);
            }
        }
    }
}

/// `prefix:local` when `iri` is in a prefix's namespace and the rest is letters, digits, `_`,
/// `-` (not first) and `/`: always a valid local name. Otherwise `<iri>`.
fn spelling(iri: &str) -> Spelling {
    // The two bytes after `http://` tell most namespaces apart, and hdab's own IRIs from all
    // of them, before a whole comparison: every node of a page is spelled.
    let host = iri.as_bytes().get(7..9);
    PREFIXES
        .iter()
        .enumerate()
        .find_map(|(index, (_, namespace))| {
            if host != namespace.as_bytes().get(7..9) {
                return None;
            }
            let local = iri.strip_prefix(namespace)?;
            is_plain_local_name(local).then_some(Spelling::Prefixed(index, namespace.len()))
        })
        .unwrap_or(Spelling::Full)
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
    use super::super::{RdfSyntax, serializer};
    use super::*;
    use oxrdf::Graph;
    use oxrdfio::{RdfFormat, RdfParser};

    fn graph(text: &[u8], format: RdfFormat) -> Graph {
        let mut graph = Graph::new();
        for quad in RdfParser::from_format(format).for_slice(text) {
            graph.insert(quad.unwrap().as_ref());
        }
        graph
    }

    /// Statements of every kind this writer spells, two subjects interleaved and a class
    /// stated twice: what it writes reads back as the graph oxrdfio's JSON-LD writer writes
    /// from the same statements.
    #[test]
    fn what_is_written_reads_back_as_the_graph_oxrdfio_writes() {
        let title = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/title");
        let class = NamedNodeRef::new_unchecked("http://www.w3.org/ns/dcat#Dataset");
        let odd_type = NamedNodeRef::new_unchecked("https://example.org/type#x.y");
        let mut t = Triples::default();
        let dataset = t.node("https://hdab.example.eu/datasets/1");
        let part = t.fragment(dataset, "part-1");
        t.class(dataset, class);
        t.typed_iri(
            dataset,
            title,
            "http://publications.europa.eu/resource/authority/language/ENG",
            class,
        );
        t.link(dataset, title, part);
        t.text(part, title, "a part");
        for iri in [
            "http://purl.org/dc/terms/",
            "http://purl.org/dc/terms/-x",
            "https://example.org/a?b=c&d=%20#e",
            "http://publications.europa.eu/resource/authority/file-type/ZIP",
            "http://publications.europa.eu/resource/authority//x/",
        ] {
            t.iri(dataset, title, iri);
        }
        t.text(dataset, title, "plain");
        t.text(
            dataset,
            title,
            "quote \" backslash \\ line\nreturn\r tab\t é 🫁",
        );
        t.text(dataset, title, "");
        t.lang(dataset, title, "Tumeurs cérébrales", "fr");
        t.lang(dataset, title, "Hirntumoren", "de-AT");
        t.time(dataset, title, chrono::DateTime::UNIX_EPOCH);
        t.typed(dataset, title, "12", odd_type);
        t.boolean(dataset, title, false);
        t.typed(dataset, title, "1", xsd::BOOLEAN);
        t.class(dataset, class);

        let mut turtle = serializer(RdfSyntax::Turtle, Vec::new());
        t.write(&mut turtle).unwrap();
        let turtle = turtle.finish().unwrap();
        let mut json_ld = serializer(RdfSyntax::JsonLd, Vec::new());
        t.write(&mut json_ld).unwrap();
        let json_ld = json_ld.finish().unwrap();

        let read = graph(&turtle, RdfFormat::Turtle);
        let text = String::from_utf8_lossy(&turtle);
        assert_eq!(
            read.len(),
            t.len() - 1,
            "one class statement repeated:\n{text}"
        );
        let json_ld_format = RdfSyntax::JsonLd.format();
        assert_eq!(read, graph(&json_ld, json_ld_format), "{text}");
        assert_eq!(
            text.matches("<https://hdab.example.eu/datasets/1> ")
                .count(),
            1
        );
        assert!(text.contains("\"Hirntumoren\"@de-at"), "{text}");
    }
}
