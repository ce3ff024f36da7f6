//! One dataset's description, read back as a graph: the triples a harvester relies on are
//! there, every node is named, and the same dataset always writes the same bytes.

use chrono::{TimeZone, Utc};
use hdab_domain::catalogue::{Dataset, DatasetDetails, EHDS_ELI};
use hdab_domain::ids::DatasetId;
use hdab_openapi::catalogue::DatasetInput;
use oxrdf::vocab::rdf;
use oxrdf::{
    Graph, Literal, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, TermRef, TripleRef,
};
use oxrdfio::{RdfFormat, RdfParser};
use uuid::Uuid;

use super::vocabulary::ns;
use super::{CatalogueIdentity, RdfSyntax, Triples, serializer};

/// The demo catalogue's glioma MRI collection as a publisher would send it.
const GLIOMA: &str = include_str!("glioma.json");

/// That collection, published.
fn glioma() -> Dataset {
    let input: DatasetInput = serde_json::from_str(GLIOMA).unwrap();
    let details = DatasetDetails::try_from(&input).unwrap();
    let id = DatasetId::from_uuid(Uuid::from_u128(7));
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    Dataset::import_published(id, details, now).0
}

fn identity() -> CatalogueIdentity {
    CatalogueIdentity::new("https://hdab.example.eu", "Example HDAB", "hdab@example.eu")
}

fn description(dataset: &Dataset) -> Triples<'_> {
    let mut triples = Triples::default();
    identity().describe(dataset, &mut triples);
    triples
}

fn turtle(dataset: &Dataset) -> Vec<u8> {
    let mut out = serializer(RdfSyntax::Turtle, Vec::new());
    description(dataset).write(&mut out).unwrap();
    out.finish().unwrap()
}

fn graph(dataset: &Dataset) -> Graph {
    let mut graph = Graph::new();
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(&turtle(dataset)) {
        graph.insert(quad.unwrap().as_ref());
    }
    graph
}

fn objects<'a>(
    graph: &'a Graph,
    subject: &'a NamedNode,
    predicate: NamedNodeRef<'a>,
) -> Vec<TermRef<'a>> {
    graph
        .objects_for_subject_predicate(subject, predicate)
        .collect()
}

#[test]
fn the_dataset_is_a_dcat_dataset_under_the_ehds() {
    let dataset = glioma();
    let graph = graph(&dataset);
    let iri = identity().dataset_iri(&dataset);
    assert_eq!(
        iri.as_str(),
        "https://hdab.example.eu/api/v1/datasets/00000000-0000-0000-0000-000000000007"
    );
    assert!(graph.contains(TripleRef::new(&iri, rdf::TYPE, ns::DCAT_DATASET_CLASS)));
    let legislation = NamedNode::new(EHDS_ELI).unwrap();
    assert!(graph.contains(TripleRef::new(&iri, ns::DCATAP_LEGISLATION, &legislation)));
}

#[test]
fn titles_keep_their_language() {
    let dataset = glioma();
    let graph = graph(&dataset);
    let iri = identity().dataset_iri(&dataset);
    let titles = objects(&graph, &iri, ns::DCT_TITLE);
    let english = Literal::new_language_tagged_literal_unchecked(
        "Pre-operative multimodal MRI of adult diffuse glioma",
        "en",
    );
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&TermRef::Literal(LiteralRef::from(&english))));
}

#[test]
fn distributions_and_the_imaging_profile_are_described() {
    let dataset = glioma();
    let graph = graph(&dataset);
    let iri = identity().dataset_iri(&dataset);
    let distributions = objects(&graph, &iri, ns::DCAT_DISTRIBUTION);
    assert_eq!(distributions.len(), dataset.details.distributions.len());
    let modalities = objects(&graph, &iri, ns::IMG_MODALITY);
    let mr = Literal::new_simple_literal("MR");
    assert!(modalities.contains(&TermRef::Literal(LiteralRef::from(&mr))));
}

#[test]
fn every_node_is_named_so_a_harvester_sees_a_stable_description() {
    let dataset = glioma();
    let graph = graph(&dataset);
    let blank_subjects = graph
        .iter()
        .filter(|t| matches!(t.subject, NamedOrBlankNodeRef::BlankNode(_)))
        .count();
    assert_eq!(blank_subjects, 0);
    assert_eq!(turtle(&dataset), turtle(&dataset));
}

/// What harvesting reads back from a description hdab wrote: the same description, in every
/// syntax, but for the order of its lists (RDF has none; the reader sorts them).
#[test]
fn a_description_read_back_from_rdf_is_the_description_written() {
    use super::read::{RecordDefaults, datasets, parse};
    let dataset = glioma();
    let written = DatasetInput::from(&dataset.details);
    let defaults = RecordDefaults {
        publisher_id: written.publisher_id,
        committee_id: written.committee_id,
        data_use: None,
    };
    for syntax in RdfSyntax::ALL {
        let mut out = serializer(syntax, Vec::new());
        description(&dataset).write(&mut out).unwrap();
        let graph = parse(&out.finish().unwrap(), syntax, "https://hdab.example.eu/").unwrap();
        let records = datasets(&graph, &defaults);
        assert_eq!(records.len(), 1, "{syntax:?}");
        assert_eq!(records[0].key, identity().dataset_iri(&dataset).as_str());
        let read = records[0].input.as_ref().unwrap();
        let read_back = DatasetDetails::try_from(read).unwrap();
        assert_eq!(
            sorted(serde_json::to_value(DatasetInput::from(&read_back)).unwrap()),
            sorted(serde_json::to_value(&written).unwrap()),
            "{syntax:?}"
        );
    }
}

#[test]
fn a_page_states_each_subject_once_and_each_shared_type_once() {
    let first = glioma();
    let mut second = glioma();
    second.id = DatasetId::from_uuid(Uuid::from_u128(8));
    let mut page = Triples::default();
    identity().describe(&first, &mut page);
    identity().describe(&second, &mut page);
    let mut out = serializer(RdfSyntax::Turtle, Vec::new());
    page.write(&mut out).unwrap();
    let text = String::from_utf8(out.finish().unwrap()).unwrap();

    let statements: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with('\t') && !line.starts_with("@prefix"))
        .collect();
    let subjects: std::collections::HashSet<&str> = statements
        .iter()
        .map(|line| line.split(' ').next().unwrap())
        .collect();
    assert_eq!(subjects.len(), statements.len(), "one statement a subject");
    let legislation = format!("<{EHDS_ELI}> a ");
    assert_eq!(text.matches(&legislation).count(), 1, "one type triple");

    let mut both = graph(&first);
    both.extend(graph(&second).iter());
    let mut read = Graph::new();
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
        read.insert(quad.unwrap().as_ref());
    }
    assert_eq!(
        read, both,
        "the same graph as each description written alone"
    );
}

/// Every array of `value`, at any depth, sorted by its items' text.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(sorted).collect();
            items.sort_by_key(|item| item.to_string());
            Value::Array(items)
        }
        Value::Object(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        other => other,
    }
}
