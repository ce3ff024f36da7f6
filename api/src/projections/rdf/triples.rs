//! The statements of one RDF document (a description, a catalogue page), and the helpers that
//! add each kind of value.
//!
//! Built for a page of a hundred descriptions written at a time: each node's IRI is kept once
//! and named by a small number, so a statement does not copy its subject; text is borrowed from
//! the descriptions it comes from; predicates are vocabulary constants. Cloning an owned
//! subject and every literal into each triple had been a fifth of a Turtle page's CPU, and
//! freeing them again another tenth (BENCHMARKS.md, “Statements that borrow”).

use std::borrow::Cow;
use std::io::Write;

use super::RdfWriter;
use super::vocabulary::ns;
use chrono::{DateTime, SecondsFormat, Utc};
use indexmap::IndexSet;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{LiteralRef, NamedNodeRef, TermRef, TripleRef};
use rustc_hash::{FxBuildHasher, FxHashSet};

/// A node of the document, named by an IRI. Never a blank node: blank nodes get new labels on
/// every read, so a harvester would see a changed description (and hdab a new ETag) each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Node(usize);

impl Node {
    pub(super) fn index(self) -> usize {
        self.0
    }
}

/// What a statement says of its subject.
pub(super) enum Object<'a> {
    /// A node of this document, which may have statements of its own.
    Node(Node),
    /// A vocabulary constant (the class of an `rdf:type` statement).
    Term(NamedNodeRef<'static>),
    /// An IRI this document says nothing about (an access URL, a related page).
    Iri(Cow<'a, str>),
    Literal(Cow<'a, str>, LiteralKind<'a>),
}

pub(super) enum LiteralKind<'a> {
    /// An `xsd:string`.
    Simple,
    /// A language-tagged string; the tag in lower case, as RDF compares it.
    Language(Cow<'a, str>),
    Typed(NamedNodeRef<'static>),
}

pub(super) struct Statement<'a> {
    pub subject: Node,
    pub predicate: NamedNodeRef<'static>,
    pub object: Object<'a>,
}

/// The statements of one document, borrowing text from the descriptions they are built from.
#[derive(Default)]
pub struct Triples<'a> {
    nodes: IndexSet<Cow<'a, str>, FxBuildHasher>,
    statements: Vec<Statement<'a>>,
    /// Where a joined IRI is built to be looked up, so a node named again costs no allocation.
    scratch: String,
}

/// The text of an IRI: borrowed, owned, or joined from parts
/// (`[EU_AUTHORITY, "/language/", "ENG"]`). Joined IRIs are the vocabulary terms every
/// description of a page names again; they are built in a scratch buffer and kept once.
pub(super) trait IriText<'a> {
    /// This IRI as a node of `t`.
    fn node(self, t: &mut Triples<'a>) -> Node;
    /// This IRI as an object: borrowed or owned text stays text, joined text becomes a node.
    fn object(self, t: &mut Triples<'a>) -> Object<'a>;
}

impl<'a> IriText<'a> for &'a str {
    fn node(self, t: &mut Triples<'a>) -> Node {
        t.node(self)
    }
    fn object(self, _: &mut Triples<'a>) -> Object<'a> {
        Object::Iri(Cow::Borrowed(self))
    }
}

impl<'a> IriText<'a> for String {
    fn node(self, t: &mut Triples<'a>) -> Node {
        t.node(self)
    }
    fn object(self, _: &mut Triples<'a>) -> Object<'a> {
        Object::Iri(Cow::Owned(self))
    }
}

impl<'a, const N: usize> IriText<'a> for [&str; N] {
    fn node(self, t: &mut Triples<'a>) -> Node {
        t.scratch.clear();
        t.joined(&self)
    }
    fn object(self, t: &mut Triples<'a>) -> Object<'a> {
        Object::Node(self.node(t))
    }
}

impl<'a> Triples<'a> {
    /// The node named `iri`: the same node each time the same IRI is named.
    pub(super) fn node(&mut self, iri: impl Into<Cow<'a, str>>) -> Node {
        let (index, _) = self.nodes.insert_full(iri.into());
        Node(index)
    }

    /// Appends `parts` to the scratch buffer and names the node it spells; the text is copied
    /// only the first time.
    fn joined(&mut self, parts: &[&str]) -> Node {
        parts.iter().for_each(|part| self.scratch.push_str(part));
        match self.nodes.get_index_of(self.scratch.as_str()) {
            Some(index) => Node(index),
            None => self.node(self.scratch.clone()),
        }
    }

    /// The IRI of `node`.
    pub(super) fn iri_of(&self, node: Node) -> &str {
        &self.nodes[node.index()]
    }

    /// Every node's IRI, in the order of their numbers.
    pub(super) fn node_iris(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|iri| iri.as_ref())
    }

    /// The node `{subject}#{name}`, a part of the subject's description.
    pub(super) fn fragment(&mut self, subject: Node, name: &str) -> Node {
        self.extended(subject, &["#", name])
    }

    /// The part `{subject}#{name}` of the subject's description, linked from it by
    /// `predicate` and said to be a `class`.
    pub(super) fn part(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        name: &str,
        class: NamedNodeRef<'static>,
    ) -> Node {
        let part = self.fragment(subject, name);
        self.link(subject, predicate, part);
        self.class(part, class);
        part
    }

    /// The node named by `node`'s IRI followed by `parts`.
    fn extended(&mut self, node: Node, parts: &[&str]) -> Node {
        self.scratch.clear();
        self.scratch.push_str(&self.nodes[node.index()]);
        self.joined(parts)
    }

    fn add(&mut self, subject: Node, predicate: NamedNodeRef<'static>, object: Object<'a>) {
        self.statements.push(Statement {
            subject,
            predicate,
            object,
        });
    }

    pub(super) fn link(&mut self, subject: Node, predicate: NamedNodeRef<'static>, object: Node) {
        self.add(subject, predicate, Object::Node(object));
    }

    /// `subject a class`.
    pub(super) fn class(&mut self, subject: Node, class: NamedNodeRef<'static>) {
        self.add(subject, rdf::TYPE, Object::Term(class));
    }

    pub(super) fn iri(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        iri: impl IriText<'a>,
    ) {
        let object = iri.object(self);
        self.add(subject, predicate, object);
    }

    /// Links to `iri` and says what class it is: the DCAT-AP range shapes check the class of
    /// what a property points to, and a harvester cannot dereference every IRI to find out.
    pub(super) fn typed_iri(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        iri: impl IriText<'a>,
        class: NamedNodeRef<'static>,
    ) {
        let object = iri.node(self);
        self.link(subject, predicate, object);
        self.class(object, class);
    }

    pub(super) fn text(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        text: impl Into<Cow<'a, str>>,
    ) {
        let object = Object::Literal(text.into(), LiteralKind::Simple);
        self.add(subject, predicate, object);
    }

    pub(super) fn lang(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        text: impl Into<Cow<'a, str>>,
        language: &'a str,
    ) {
        let language = if language.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(language.to_ascii_lowercase())
        } else {
            Cow::Borrowed(language)
        };
        let object = Object::Literal(text.into(), LiteralKind::Language(language));
        self.add(subject, predicate, object);
    }

    pub(super) fn typed(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        value: impl Into<Cow<'a, str>>,
        datatype: NamedNodeRef<'static>,
    ) {
        let object = Object::Literal(value.into(), LiteralKind::Typed(datatype));
        self.add(subject, predicate, object);
    }

    pub(super) fn count(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        value: Option<impl ToString>,
    ) {
        if let Some(value) = value {
            let value = value.to_string();
            self.typed(subject, predicate, value, xsd::NON_NEGATIVE_INTEGER);
        }
    }

    pub(super) fn boolean(&mut self, subject: Node, predicate: NamedNodeRef<'static>, value: bool) {
        let value = if value { "true" } else { "false" };
        self.typed(subject, predicate, value, xsd::BOOLEAN);
    }

    pub(super) fn time(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        time: DateTime<Utc>,
    ) {
        let value = time.to_rfc3339_opts(SecondsFormat::Secs, true);
        self.typed(subject, predicate, value, xsd::DATE_TIME);
    }

    /// An agent with a name and the one contact point HealthDCAT-AP asks of it.
    pub(super) fn agent(&mut self, agent: Node, name: &'a str, email: &'a str) {
        self.class(agent, ns::FOAF_AGENT);
        self.lang(agent, ns::FOAF_NAME, name, "en");
        // An IRI, not a blank node: an agent described beside several datasets must still
        // have exactly one contact point.
        let separator = if self.iri_of(agent).contains('#') {
            "-"
        } else {
            "#"
        };
        let contact = self.extended(agent, &[separator, "contact-point"]);
        self.link(agent, ns::CV_CONTACT_POINT, contact);
        self.class(contact, ns::CV_CONTACT_POINT_CLASS);
        self.text(contact, ns::CV_EMAIL, email);
    }

    /// How many statements there are (repeats included).
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Writes the statements grouped by subject, in the order the subjects first appear, and
    /// each `rdf:type` statement once. A catalogue page comes back to a dataset after every
    /// node it links to, and its hundred datasets type the same vocabulary terms
    /// (`authority:language/ENG a dct:LinguisticSystem`) a hundred times: written as built, a
    /// page repeated a subject in 2,844 of its 3,400 statements and was a third larger.
    pub fn write<W: Write>(&self, out: &mut RdfWriter<W>) -> std::io::Result<()> {
        let grouped = self.grouped();
        match out {
            RdfWriter::Turtle(turtle) => turtle.write(self, grouped),
            RdfWriter::Oxrdfio(serializer) => grouped
                .into_iter()
                .try_for_each(|statement| serializer.serialize_triple(self.triple_ref(statement))),
        }
    }

    /// The statements each subject's together, subjects in the order they first appear, and
    /// repeated `rdf:type` statements left out. A counting sort: no statement is compared.
    fn grouped(&self) -> Vec<&Statement<'a>> {
        // Each subject's rank (the order it first appears in) and how many statements it has.
        let mut rank_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut sizes: Vec<usize> = Vec::new();
        let mut typed = FxHashSet::default();
        let mut kept = Vec::with_capacity(self.statements.len());
        for statement in &self.statements {
            if statement.predicate == rdf::TYPE
                && let Object::Term(class) = &statement.object
                && !typed.insert((statement.subject, class.as_str()))
            {
                continue;
            }
            let rank = *rank_of[statement.subject.index()].get_or_insert_with(|| {
                sizes.push(0);
                sizes.len() - 1
            });
            sizes[rank] += 1;
            kept.push((rank, statement));
        }
        // Where each rank's statements start; each statement goes to its rank's next slot.
        let mut next_slot: Vec<usize> = sizes
            .iter()
            .scan(0, |start, size| {
                let this = *start;
                *start += size;
                Some(this)
            })
            .collect();
        let mut grouped = vec![None; kept.len()];
        for (rank, statement) in kept {
            grouped[next_slot[rank]] = Some(statement);
            next_slot[rank] += 1;
        }
        grouped.into_iter().flatten().collect()
    }

    fn triple_ref<'t>(&'t self, statement: &'t Statement<'a>) -> TripleRef<'t> {
        let subject = NamedNodeRef::new_unchecked(self.iri_of(statement.subject));
        let object = match &statement.object {
            Object::Node(node) => TermRef::from(NamedNodeRef::new_unchecked(self.iri_of(*node))),
            Object::Term(term) => (*term).into(),
            Object::Iri(iri) => NamedNodeRef::new_unchecked(iri).into(),
            Object::Literal(value, kind) => match kind {
                LiteralKind::Simple => LiteralRef::new_simple_literal(value),
                LiteralKind::Language(tag) => {
                    LiteralRef::new_language_tagged_literal_unchecked(value, tag)
                }
                LiteralKind::Typed(datatype) => LiteralRef::new_typed_literal(value, *datatype),
            }
            .into(),
        };
        TripleRef::new(subject, statement.predicate, object)
    }
}
