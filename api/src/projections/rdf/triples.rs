//! A set of triples about one resource tree, and the helpers that add each kind of value.

use std::io::Write;

use super::RdfWriter;
use super::vocabulary::ns;
use chrono::{DateTime, SecondsFormat, Utc};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, TripleRef};
use rustc_hash::{FxHashMap, FxHashSet};

/// Collects triples about one resource tree. Predicates are vocabulary constants, kept as
/// references: an owned predicate was an allocation and a copy for every triple of a page.
#[derive(Default)]
pub struct Triples(Vec<(NamedOrBlankNode, NamedNodeRef<'static>, Term)>);

impl Triples {
    pub(super) fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'static>,
        object: impl Into<Term>,
    ) {
        self.0.push((subject.into(), predicate, object.into()));
    }

    pub(super) fn iri(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'static>,
        iri: impl Into<String>,
    ) {
        self.add(subject.clone(), predicate, NamedNode::new_unchecked(iri));
    }

    /// Links to `iri` and says what class it is: the DCAT-AP range shapes check the class of
    /// what a property points to, and a harvester cannot dereference every IRI to find out.
    pub(super) fn typed_iri(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'static>,
        iri: impl Into<String>,
        class: NamedNodeRef<'_>,
    ) {
        let object = NamedNode::new_unchecked(iri);
        self.add(subject.clone(), predicate, object.clone());
        self.add(object, rdf::TYPE, class);
    }

    pub(super) fn text(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'static>,
        text: &str,
    ) {
        self.add(subject, predicate, Literal::new_simple_literal(text));
    }

    pub(super) fn lang(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'static>,
        text: &str,
        language: &str,
    ) {
        let literal = Literal::new_language_tagged_literal(text, language.to_ascii_lowercase())
            .unwrap_or_else(|_| Literal::new_simple_literal(text));
        self.add(subject, predicate, literal);
    }

    pub(super) fn typed(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'static>,
        value: impl ToString,
        datatype: NamedNodeRef<'_>,
    ) {
        self.add(
            subject,
            predicate,
            Literal::new_typed_literal(value.to_string(), datatype),
        );
    }

    pub(super) fn count(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'static>,
        value: Option<impl ToString>,
    ) {
        if let Some(value) = value {
            self.typed(subject.clone(), predicate, value, xsd::NON_NEGATIVE_INTEGER);
        }
    }

    pub(super) fn time(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'static>,
        time: DateTime<Utc>,
    ) {
        self.typed(
            subject.clone(),
            predicate,
            time.to_rfc3339_opts(SecondsFormat::Secs, true),
            xsd::DATE_TIME,
        );
    }

    /// An agent with a name and the one contact point HealthDCAT-AP asks of it.
    pub(super) fn agent(&mut self, agent: &NamedNode, name: &str, email: &str) {
        self.add(agent.clone(), rdf::TYPE, ns::FOAF_AGENT);
        self.lang(agent.clone(), ns::FOAF_NAME, name, "en");
        // An IRI, not a blank node: an agent described beside several datasets must still
        // have exactly one contact point.
        let separator = if agent.as_str().contains('#') {
            '-'
        } else {
            '#'
        };
        let contact =
            NamedNode::new_unchecked(format!("{}{separator}contact-point", agent.as_str()));
        self.add(agent.clone(), ns::CV_CONTACT_POINT, contact.clone());
        self.add(contact.clone(), rdf::TYPE, ns::CV_CONTACT_POINT_CLASS);
        self.text(contact, ns::CV_EMAIL, email);
    }

    pub fn extend(&mut self, other: Triples) {
        self.0.extend(other.0);
    }

    /// How many triples there are (repeats included).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the triples grouped by subject, in the order the subjects first appear, and
    /// each `rdf:type` triple once. A catalogue page comes back to a dataset after every node
    /// it links to, and its hundred datasets type the same vocabulary terms
    /// (`authority:language/ENG a dct:LinguisticSystem`) a hundred times: written as built, a
    /// page repeated a subject in 2,844 of its 3,400 statements and was a third larger.
    pub fn write<W: Write>(&self, out: &mut RdfWriter<W>) -> std::io::Result<()> {
        let mut group_of: FxHashMap<&NamedOrBlankNode, usize> =
            FxHashMap::with_capacity_and_hasher(self.0.len() / 2, Default::default());
        let mut typed = FxHashSet::default();
        let mut order = Vec::with_capacity(self.0.len());
        for (position, (subject, predicate, object)) in self.0.iter().enumerate() {
            if *predicate == rdf::TYPE && !typed.insert((subject, object)) {
                continue;
            }
            let next_group = group_of.len();
            let group = *group_of.entry(subject).or_insert(next_group);
            order.push((group, position));
        }
        order.sort_unstable();
        let mut grouped = order.into_iter().map(|(_, position)| &self.0[position]);
        match out {
            RdfWriter::Turtle(turtle) => turtle.write(grouped),
            RdfWriter::Oxrdfio(serializer) => grouped
                .try_for_each(|(s, p, o)| serializer.serialize_triple(TripleRef::new(s, *p, o))),
        }
    }
}

/// The node `{subject}#{name}`. Every node of a description is named, never blank: blank
/// nodes get new labels on every read, so a harvester would see a changed description (and
/// hdab a new ETag) each time.
pub(super) fn fragment(subject: &NamedNode, name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}#{name}", subject.as_str()))
}
