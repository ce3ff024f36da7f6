//! Harvesting's way in: DCAT-AP / HealthDCAT-AP descriptions read from RDF into the wire shape
//! a data holder would have sent ([`DatasetInput`]), so a harvested record is validated by
//! exactly the rules every other description is. The mapping is the inverse of what
//! [`super::dataset`] writes, so an hdab harvesting another hdab keeps every property, and it
//! reads the official HealthDCAT-AP example's properties the same way.
//!
//! RDF has no order: every list is sorted by its content, so the same catalogue read twice
//! (blank nodes renamed or not) gives the same description, and a re-harvest finds it
//! unchanged.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use hdab_domain::FieldError;
use hdab_domain::catalogue::vocabulary::LanguageTag;
use hdab_domain::codes;
use hdab_openapi::catalogue::{DataUseWire, DatasetInput, DistributionWire, PeriodWire};
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use oxrdfio::RdfParser;
use uuid::Uuid;

mod parts;

use parts::distribution_key;

use super::RdfSyntax;
use super::vocabulary::ns;

/// The IANA prefix of `dcat:mediaType` IRIs.
const IANA_MEDIA_TYPES: &str = "http://www.iana.org/assignments/media-types/";
/// The DPV personal-data namespace.
const DPV_PD: &str = "https://w3id.org/dpv/dpv-pd#";

/// What a harvested record is attributed to on this side.
#[derive(Debug, Clone)]
pub struct RecordDefaults {
    pub publisher_id: Uuid,
    pub committee_id: Uuid,
    /// For records that state no DUO conditions.
    pub data_use: Option<DataUseWire>,
}

/// One dataset found in a document.
#[derive(Debug)]
pub struct ReadRecord {
    /// Its identity upstream: the dataset's IRI, or its `dct:identifier` when it is a blank
    /// node.
    pub key: String,
    pub input: Result<DatasetInput, Vec<FieldError>>,
}

/// Parses `body` as `syntax` into a graph. Relative IRIs resolve against `base`; a JSON-LD
/// context is never fetched (a document that needs one is refused, not followed).
pub fn parse(body: &[u8], syntax: RdfSyntax, base: &str) -> Result<Graph, String> {
    let mut parser = RdfParser::from_format(syntax.format()).without_named_graphs();
    if let Ok(with_base) = parser.clone().with_base_iri(base) {
        parser = with_base;
    }
    let mut graph = Graph::new();
    for quad in parser.for_slice(body) {
        let quad = quad.map_err(|e| format!("not valid {}: {e}", syntax.format().name()))?;
        graph.insert(quad.as_ref());
    }
    Ok(graph)
}

/// The Hydra `next` page of a catalogue page, if it names one.
pub fn next_page(graph: &Graph) -> Option<String> {
    graph
        .triples_for_predicate(ns::HYDRA_NEXT)
        .find_map(|t| named(t.object))
        .map(str::to_owned)
}

/// Every dataset the graph describes: those typed `dcat:Dataset` and those a catalogue lists.
pub fn datasets(graph: &Graph, defaults: &RecordDefaults) -> Vec<ReadRecord> {
    let mut subjects: Vec<NamedOrBlankNodeRef<'_>> = graph
        .subjects_for_predicate_object(rdf::TYPE, ns::DCAT_DATASET_CLASS)
        .chain(
            graph
                .triples_for_predicate(ns::DCAT_DATASET)
                .filter_map(|t| node(t.object)),
        )
        .collect();
    subjects.sort_by_cached_key(ToString::to_string);
    subjects.dedup();
    let reader = Reader { graph };
    subjects
        .into_iter()
        .map(|subject| reader.record(subject, defaults))
        .collect()
}

fn named(term: TermRef<'_>) -> Option<&str> {
    match term {
        TermRef::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

fn node(term: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

/// The last path segment of an authority IRI (`.../access-right/PUBLIC` → `PUBLIC`).
fn code_of(iri: &str) -> String {
    iri.rsplit(['/', '#']).next().unwrap_or(iri).to_owned()
}

struct Reader<'g> {
    graph: &'g Graph,
}

/// Problems met while reading one record, by field.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: codes::INVALID_VALUE,
            message: message.into(),
        });
    }
}

type Subject<'a> = NamedOrBlankNodeRef<'a>;

impl<'g> Reader<'g> {
    fn objects(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<TermRef<'g>> {
        self.graph.objects_for_subject_predicate(s, p).collect()
    }

    /// The IRIs `s` has for `p`, sorted, each once.
    fn iris(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<String> {
        let found: BTreeSet<String> = self
            .objects(s, p)
            .into_iter()
            .filter_map(named)
            .map(str::to_owned)
            .collect();
        found.into_iter().collect()
    }

    fn iri(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Option<String> {
        self.iris(s, p).into_iter().next()
    }

    /// The literal values of `s` for `p` (an IRI object counts by its text too, as some
    /// publishers write `vcard:hasEmail` either way), sorted.
    fn texts(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<String> {
        let found: BTreeSet<String> = self
            .objects(s, p)
            .into_iter()
            .filter_map(|o| match o {
                TermRef::Literal(l) => Some(l.value().to_owned()),
                TermRef::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            })
            .collect();
        found.into_iter().collect()
    }

    fn text(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Option<String> {
        self.texts(s, p).into_iter().next()
    }

    /// Language-tagged texts by language (untagged ones as English); the first of several
    /// in one language.
    fn localized(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> BTreeMap<String, String> {
        let mut by_language = BTreeMap::new();
        for object in self.objects(s, p) {
            if let TermRef::Literal(l) = object {
                let language = l.language().unwrap_or("en").to_owned();
                let text = l.value().to_owned();
                by_language
                    .entry(language)
                    .and_modify(|kept: &mut String| {
                        if text < *kept {
                            kept.clone_from(&text);
                        }
                    })
                    .or_insert(text);
            }
        }
        by_language
    }

    /// The English (or only) text of a language-tagged property.
    fn english(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Option<String> {
        let mut texts = self.localized(s, p);
        texts.remove("en").or_else(|| texts.into_values().next())
    }

    /// The nodes `s` links to by `p`.
    fn nodes(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<Subject<'g>> {
        self.objects(s, p).into_iter().filter_map(node).collect()
    }

    fn node(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Option<Subject<'g>> {
        let mut nodes = self.nodes(s, p);
        nodes.sort_by_cached_key(ToString::to_string);
        nodes.into_iter().next()
    }

    fn number(
        &self,
        problems: &mut Problems,
        field: &str,
        s: Subject<'_>,
        p: NamedNodeRef<'_>,
    ) -> Option<u32> {
        let text = self.text(s, p)?;
        match text.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add(field, format!("`{text}` is not a whole number"));
                None
            }
        }
    }

    fn date(
        &self,
        problems: &mut Problems,
        field: &str,
        s: Subject<'_>,
        p: NamedNodeRef<'_>,
    ) -> Option<NaiveDate> {
        let text = self.text(s, p)?;
        // xsd:dateTime values count by their date.
        let day = text.get(..10).unwrap_or(&text);
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                problems.add(field, format!("`{text}` is not a date (YYYY-MM-DD)"));
                None
            }
        }
    }

    fn period(
        &self,
        problems: &mut Problems,
        field: &str,
        s: Subject<'_>,
        p: NamedNodeRef<'_>,
    ) -> Option<PeriodWire> {
        let period = self.node(s, p)?;
        let start = self.date(
            problems,
            &format!("{field}.start"),
            period,
            ns::DCAT_START_DATE,
        );
        let end = self.date(problems, &format!("{field}.end"), period, ns::DCAT_END_DATE);
        match (start, end) {
            (Some(start), Some(end)) => Some(PeriodWire { start, end }),
            _ => {
                problems.add(field, "a period needs dcat:startDate and dcat:endDate");
                None
            }
        }
    }

    fn record(&self, s: Subject<'_>, defaults: &RecordDefaults) -> ReadRecord {
        let identifier = self.text(s, ns::DCT_IDENTIFIER);
        let key = match (s, &identifier) {
            (NamedOrBlankNodeRef::NamedNode(iri), _) => iri.as_str().to_owned(),
            (_, Some(identifier)) => identifier.clone(),
            (_, None) => {
                return ReadRecord {
                    key: "(a blank node)".to_owned(),
                    input: Err(vec![FieldError {
                        field: "identifier".to_owned(),
                        code: codes::REQUIRED,
                        message: "a dataset that is a blank node needs a dct:identifier".to_owned(),
                    }]),
                };
            }
        };
        let mut problems = Problems::default();
        let input = self.input(
            s,
            identifier.unwrap_or_else(|| key.clone()),
            defaults,
            &mut problems,
        );
        ReadRecord {
            key,
            input: match input {
                Some(input) if problems.0.is_empty() => Ok(input),
                _ => Err(problems.0),
            },
        }
    }

    fn input(
        &self,
        s: Subject<'_>,
        identifier: String,
        defaults: &RecordDefaults,
        problems: &mut Problems,
    ) -> Option<DatasetInput> {
        let data_use = self.data_use(s).or_else(|| defaults.data_use.clone());
        let Some(data_use) = data_use else {
            problems.add(
                "data_use",
                "the record states no DUO data-use conditions and the harvest source has no default",
            );
            return None;
        };
        let mut keywords: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for object in self.objects(s, ns::DCAT_KEYWORD) {
            if let TermRef::Literal(l) = object {
                let language = l.language().unwrap_or("en").to_owned();
                keywords
                    .entry(language)
                    .or_default()
                    .push(l.value().to_owned());
            }
        }
        for words in keywords.values_mut() {
            words.sort();
            words.dedup();
        }
        let mut distributions: Vec<DistributionWire> = self
            .nodes(s, ns::DCAT_DISTRIBUTION)
            .into_iter()
            .map(|d| self.distribution(d))
            .collect();
        distributions.sort_by(|a, b| distribution_key(a).cmp(&distribution_key(b)));
        let mut analytics: Vec<DistributionWire> = self
            .nodes(s, ns::HEALTH_ANALYTICS)
            .into_iter()
            .map(|d| self.distribution(d))
            .collect();
        analytics.sort_by(|a, b| distribution_key(a).cmp(&distribution_key(b)));
        Some(DatasetInput {
            identifier,
            publisher_id: defaults.publisher_id,
            committee_id: defaults.committee_id,
            title: self.localized(s, ns::DCT_TITLE),
            description: self.localized(s, ns::DCT_DESCRIPTION),
            keywords,
            access_rights: self
                .iri(s, ns::DCT_ACCESS_RIGHTS)
                .map(|iri| code_of(&iri))
                .unwrap_or_default(),
            health_categories: self
                .iris(s, ns::HEALTH_CATEGORY)
                .iter()
                .map(|iri| code_of(iri))
                .collect(),
            dataset_type: self.iri(s, ns::DCT_TYPE).map(|iri| code_of(&iri)),
            provenance: self
                .node(s, ns::DCT_PROVENANCE)
                .and_then(|statement| self.english(statement, rdfs::LABEL)),
            contact_point: self.contact_point(s),
            landing_page: self.iri(s, ns::DCAT_LANDING_PAGE),
            languages: self
                .iris(s, ns::DCT_LANGUAGE)
                .iter()
                .map(|iri| {
                    let code = code_of(iri);
                    LanguageTag::from_eu_code(&code).map_or(code, |tag| tag.as_str().to_owned())
                })
                .collect(),
            countries: self.countries(s, ns::DCT_SPATIAL),
            temporal: self.period(problems, "temporal", s, ns::DCT_TEMPORAL),
            distributions,
            has_structured_data: self
                .text(s, ns::HEALTH_STRUCTURED)
                .is_some_and(|v| v == "true" || v == "1"),
            variables: self.variables(s),
            min_typical_age: self.number(problems, "min_typical_age", s, ns::HEALTH_MIN_AGE),
            max_typical_age: self.number(problems, "max_typical_age", s, ns::HEALTH_MAX_AGE),
            number_of_records: self.number(problems, "number_of_records", s, ns::HEALTH_RECORDS),
            number_of_unique_individuals: self.number(
                problems,
                "number_of_unique_individuals",
                s,
                ns::HEALTH_INDIVIDUALS,
            ),
            population_coverage: self.english(s, ns::HEALTH_POPULATION),
            quality_label: self
                .node(s, ns::DQV_QUALITY_ANNOTATION)
                .and_then(|annotation| self.iri(annotation, ns::OA_BODY)),
            sample: self
                .node(s, ns::ADMS_SAMPLE)
                .map(|sample| self.distribution(sample)),
            analytics,
            custodian: self.custodian(s),
            purposes: self.descriptions(s, ns::DPV_HAS_PURPOSE),
            legal_bases: self.descriptions(s, ns::DPV_HAS_LEGAL_BASIS),
            personal_data: self
                .iris(s, ns::DPV_HAS_PERSONAL_DATA)
                .iter()
                .map(|iri| iri.strip_prefix(DPV_PD).unwrap_or(iri).to_owned())
                .collect(),
            retention_period: self.period(problems, "retention_period", s, ns::HEALTH_RETENTION),
            temporal_resolution: self.text(s, ns::DCAT_TEMPORAL_RESOLUTION),
            accrual_periodicity: self
                .iri(s, ns::DCT_ACCRUAL_PERIODICITY)
                .map(|iri| code_of(&iri)),
            conforms_to: self
                .iris(s, ns::DCT_CONFORMS_TO)
                .iter()
                .map(|iri| code_of(iri))
                .collect(),
            referenced_by: self.iris(s, ns::DCT_IS_REFERENCED_BY),
            relations: self.iris(s, ns::DCT_RELATION),
            pages: self.iris(s, ns::FOAF_PAGE),
            imaging: self.imaging(problems, s),
            data_use,
        })
    }
}
