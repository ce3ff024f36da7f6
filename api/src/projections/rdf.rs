//! The catalogue as RDF: HealthDCAT-AP (Release 8) descriptions of datasets and the DCAT
//! catalogue, in Turtle, JSON-LD or RDF/XML. Triples are built with oxrdf and written by
//! oxrdfio's streaming serialisers, never by string templates.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use hdab_domain::catalogue::duo::DuoModifier;
use hdab_domain::catalogue::vocabulary::AccessRights;
use hdab_domain::catalogue::{Dataset, Distribution, EHDS_ELI, Period};
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::Publisher;
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfSerializer, WriterQuadSerializer};

/// The RDF syntaxes hdab writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfSyntax {
    Turtle,
    JsonLd,
    RdfXml,
}

impl RdfSyntax {
    pub const ALL: [RdfSyntax; 3] = [Self::Turtle, Self::JsonLd, Self::RdfXml];

    fn format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Self::RdfXml => RdfFormat::RdfXml,
        }
    }

    pub fn media_type(self) -> &'static str {
        self.format().media_type()
    }

    /// `ttl`, `jsonld`, `rdf`: what harvesters that send no `Accept` ask for.
    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "ttl" => Some(Self::Turtle),
            "jsonld" => Some(Self::JsonLd),
            "rdf" => Some(Self::RdfXml),
            _ => None,
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.media_type() == media_type)
            .or(match media_type {
                "application/x-turtle" => Some(Self::Turtle),
                "application/json-ld" => Some(Self::JsonLd),
                _ => None,
            })
    }
}

/// Who runs this catalogue, and where it is served.
#[derive(Debug, Clone)]
pub struct CatalogueIdentity {
    /// The public URL hdab is reached at, without a trailing slash; IRIs are built from it.
    pub base_url: String,
    pub hdab_name: String,
    pub hdab_email: String,
    /// When this configuration took effect (the process start): descriptions built from it
    /// are no older than that.
    pub configured_at: chrono::DateTime<chrono::Utc>,
}

mod ns {
    use oxrdf::NamedNodeRef;
    macro_rules! terms {
        ($($name:ident = $iri:literal;)+) => {$(
            pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);
        )+};
    }
    terms! {
        DCAT_CATALOG = "http://www.w3.org/ns/dcat#Catalog";
        DCAT_DATASET_CLASS = "http://www.w3.org/ns/dcat#Dataset";
        DCAT_DISTRIBUTION_CLASS = "http://www.w3.org/ns/dcat#Distribution";
        DCAT_DATASET = "http://www.w3.org/ns/dcat#dataset";
        DCAT_DISTRIBUTION = "http://www.w3.org/ns/dcat#distribution";
        DCAT_ACCESS_URL = "http://www.w3.org/ns/dcat#accessURL";
        DCAT_DOWNLOAD_URL = "http://www.w3.org/ns/dcat#downloadURL";
        DCAT_MEDIA_TYPE = "http://www.w3.org/ns/dcat#mediaType";
        DCAT_BYTE_SIZE = "http://www.w3.org/ns/dcat#byteSize";
        DCAT_THEME = "http://www.w3.org/ns/dcat#theme";
        DCAT_KEYWORD = "http://www.w3.org/ns/dcat#keyword";
        DCAT_CONTACT_POINT = "http://www.w3.org/ns/dcat#contactPoint";
        DCAT_LANDING_PAGE = "http://www.w3.org/ns/dcat#landingPage";
        DCAT_START_DATE = "http://www.w3.org/ns/dcat#startDate";
        DCAT_END_DATE = "http://www.w3.org/ns/dcat#endDate";
        DCATAP_LEGISLATION = "http://data.europa.eu/r5r/applicableLegislation";
        DCT_TITLE = "http://purl.org/dc/terms/title";
        DCT_DESCRIPTION = "http://purl.org/dc/terms/description";
        DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier";
        DCT_ACCESS_RIGHTS = "http://purl.org/dc/terms/accessRights";
        DCT_PUBLISHER = "http://purl.org/dc/terms/publisher";
        DCT_TYPE = "http://purl.org/dc/terms/type";
        DCT_PROVENANCE = "http://purl.org/dc/terms/provenance";
        DCT_PROVENANCE_STATEMENT = "http://purl.org/dc/terms/ProvenanceStatement";
        DCT_LANGUAGE = "http://purl.org/dc/terms/language";
        DCT_SPATIAL = "http://purl.org/dc/terms/spatial";
        DCT_TEMPORAL = "http://purl.org/dc/terms/temporal";
        DCT_PERIOD = "http://purl.org/dc/terms/PeriodOfTime";
        DCT_FORMAT = "http://purl.org/dc/terms/format";
        DCT_LICENSE = "http://purl.org/dc/terms/license";
        DCT_ISSUED = "http://purl.org/dc/terms/issued";
        DCT_MODIFIED = "http://purl.org/dc/terms/modified";
        FOAF_AGENT = "http://xmlns.com/foaf/0.1/Agent";
        FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document";
        FOAF_PAGE = "http://xmlns.com/foaf/0.1/page";
        ADMS_SAMPLE = "http://www.w3.org/ns/adms#sample";
        HEALTH_ANALYTICS = "http://healthdataportal.eu/ns/health#analytics";
        HEALTH_RETENTION = "http://healthdataportal.eu/ns/health#retentionPeriod";
        GEODCATAP_CUSTODIAN = "http://data.europa.eu/930/custodian";
        DPV_HAS_PURPOSE = "https://w3id.org/dpv#hasPurpose";
        DPV_PURPOSE = "https://w3id.org/dpv#Purpose";
        DPV_HAS_LEGAL_BASIS = "https://w3id.org/dpv#hasLegalBasis";
        DPV_LEGAL_BASIS = "https://w3id.org/dpv#LegalBasis";
        DPV_HAS_PERSONAL_DATA = "https://w3id.org/dpv#hasPersonalData";
        DPV_PERSONAL_DATA = "https://w3id.org/dpv#PersonalData";
        DCAT_TEMPORAL_RESOLUTION = "http://www.w3.org/ns/dcat#temporalResolution";
        DCT_ACCRUAL_PERIODICITY = "http://purl.org/dc/terms/accrualPeriodicity";
        DCT_FREQUENCY = "http://purl.org/dc/terms/Frequency";
        DCT_CONFORMS_TO = "http://purl.org/dc/terms/conformsTo";
        DCT_IS_REFERENCED_BY = "http://purl.org/dc/terms/isReferencedBy";
        DCT_RELATION = "http://purl.org/dc/terms/relation";
        ELI_LEGAL_RESOURCE = "http://data.europa.eu/eli/ontology#LegalResource";
        DCT_LINGUISTIC_SYSTEM = "http://purl.org/dc/terms/LinguisticSystem";
        DCT_RIGHTS_STATEMENT = "http://purl.org/dc/terms/RightsStatement";
        DCT_LOCATION = "http://purl.org/dc/terms/Location";
        DCT_STANDARD = "http://purl.org/dc/terms/Standard";
        DCT_MEDIA_TYPE_OR_EXTENT = "http://purl.org/dc/terms/MediaTypeOrExtent";
        DCT_MEDIA_TYPE_CLASS = "http://purl.org/dc/terms/MediaType";
        DCT_LICENSE_DOCUMENT = "http://purl.org/dc/terms/LicenseDocument";
        FOAF_NAME = "http://xmlns.com/foaf/0.1/name";
        FOAF_HOMEPAGE = "http://xmlns.com/foaf/0.1/homepage";
        CV_CONTACT_POINT = "http://data.europa.eu/m8g/contactPoint";
        CV_CONTACT_POINT_CLASS = "http://data.europa.eu/m8g/ContactPoint";
        CV_EMAIL = "http://data.europa.eu/m8g/email";
        VCARD_KIND = "http://www.w3.org/2006/vcard/ns#Kind";
        VCARD_EMAIL = "http://www.w3.org/2006/vcard/ns#hasEmail";
        VCARD_URL = "http://www.w3.org/2006/vcard/ns#hasURL";
        HEALTH_HDAB = "http://healthdataportal.eu/ns/health#hdab";
        HEALTH_CATEGORY = "http://healthdataportal.eu/ns/health#healthCategory";
        HEALTH_THEME = "http://healthdataportal.eu/ns/health#healthTheme";
        HEALTH_STRUCTURED = "http://healthdataportal.eu/ns/health#hasStructuredData";
        HEALTH_VARIABLES = "http://healthdataportal.eu/ns/health#hasVariables";
        HEALTH_CODE_VALUES = "http://healthdataportal.eu/ns/health#hasCodeValues";
        HEALTH_CODING_SYSTEM = "http://healthdataportal.eu/ns/health#hasCodingSystem";
        HEALTH_MIN_AGE = "http://healthdataportal.eu/ns/health#minTypicalAge";
        HEALTH_MAX_AGE = "http://healthdataportal.eu/ns/health#maxTypicalAge";
        HEALTH_RECORDS = "http://healthdataportal.eu/ns/health#numberOfRecords";
        HEALTH_INDIVIDUALS = "http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals";
        HEALTH_POPULATION = "http://healthdataportal.eu/ns/health#populationCoverage";
        HEALTH_TRUSTED = "http://healthdataportal.eu/ns/health#trustedDataHolder";
        DQV_QUALITY_ANNOTATION = "http://www.w3.org/ns/dqv#hasQualityAnnotation";
        DQV_QUALITY_CERTIFICATE = "http://www.w3.org/ns/dqv#QualityCertificate";
        OA_TARGET = "http://www.w3.org/ns/oa#hasTarget";
        OA_BODY = "http://www.w3.org/ns/oa#hasBody";
        CSVW_TABLE_GROUP = "http://www.w3.org/ns/csvw#TableGroup";
        CSVW_TABLE_CLASS = "http://www.w3.org/ns/csvw#Table";
        CSVW_COLUMN_CLASS = "http://www.w3.org/ns/csvw#Column";
        CSVW_TABLE = "http://www.w3.org/ns/csvw#table";
        CSVW_COLUMN = "http://www.w3.org/ns/csvw#column";
        CSVW_NAME = "http://www.w3.org/ns/csvw#name";
        CSVW_TITLE = "http://www.w3.org/ns/csvw#title";
        CSVW_DATATYPE = "http://www.w3.org/ns/csvw#datatype";
        CSVW_PROPERTY_URL = "http://www.w3.org/ns/csvw#propertyUrl";
        HYDRA_VIEW = "http://www.w3.org/ns/hydra/core#view";
        HYDRA_PARTIAL_VIEW = "http://www.w3.org/ns/hydra/core#PartialCollectionView";
        HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next";
        HYDRA_FIRST = "http://www.w3.org/ns/hydra/core#first";
        HYDRA_TOTAL_ITEMS = "http://www.w3.org/ns/hydra/core#totalItems";
        IMG_CANCER_CONDITION = "https://w3id.org/hdab/ns/imaging#primaryCancerCondition";
        IMG_MODALITY = "https://w3id.org/hdab/ns/imaging#imageModality";
        IMG_BODY_PART = "https://w3id.org/hdab/ns/imaging#bodyPart";
        IMG_MANUFACTURER = "https://w3id.org/hdab/ns/imaging#manufacturer";
        IMG_BIRTH_SEX = "https://w3id.org/hdab/ns/imaging#birthSex";
        IMG_COLLECTION_METHOD = "https://w3id.org/hdab/ns/imaging#collectionMethod";
        IMG_ACCESS_MODEL = "https://w3id.org/hdab/ns/imaging#accessModel";
        IMG_ANNOTATION_LABEL = "https://w3id.org/hdab/ns/imaging#annotationLabel";
        IMG_ANNOTATION_METHOD = "https://w3id.org/hdab/ns/imaging#annotationMethod";
        IMG_ANNOTATION_COUNT = "https://w3id.org/hdab/ns/imaging#annotationCount";
        IMG_DATA_USE = "https://w3id.org/hdab/ns/imaging#dataUseCondition";
        IMG_DUO_DISEASE = "https://w3id.org/hdab/ns/imaging#dataUseDisease";
        IMG_DUO_MONTHS = "https://w3id.org/hdab/ns/imaging#dataUseTimeLimitMonths";
        IMG_DUO_UNTIL = "https://w3id.org/hdab/ns/imaging#dataUseMoratoriumUntil";
        IMG_DUO_COUNTRY = "https://w3id.org/hdab/ns/imaging#dataUseCountry";
    }
}

const PREFIXES: &[(&str, &str)] = &[
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("healthdcatap", "http://healthdataportal.eu/ns/health#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("cv", "http://data.europa.eu/m8g/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("csvw", "http://www.w3.org/ns/csvw#"),
    ("dqv", "http://www.w3.org/ns/dqv#"),
    ("dpv", "https://w3id.org/dpv#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("geodcatap", "http://data.europa.eu/930/"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("img", "https://w3id.org/hdab/ns/imaging#"),
    (
        "authority",
        "http://publications.europa.eu/resource/authority/",
    ),
];

const EU_AUTHORITY: &str = "http://publications.europa.eu/resource/authority";
const HEALTH_AUTHORITY: &str = "https://hdeu-dcat.data.health.europa.eu/resource/authority";

/// A serialiser with hdab's prefixes, writing to `out`.
pub fn serializer<W: Write>(syntax: RdfSyntax, out: W) -> WriterQuadSerializer<W> {
    let mut serializer = RdfSerializer::from_format(syntax.format());
    for (prefix, iri) in PREFIXES {
        // The prefixes are constants known to be valid IRIs.
        if let Ok(with) = serializer.clone().with_prefix(*prefix, *iri) {
            serializer = with;
        }
    }
    serializer.for_writer(out)
}

/// Collects triples about one resource tree.
#[derive(Default)]
pub struct Triples(Vec<Triple>);

impl Triples {
    fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'_>,
        object: impl Into<Term>,
    ) {
        self.0.push(Triple::new(subject, predicate, object));
    }

    fn iri(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, iri: impl Into<String>) {
        self.add(subject.clone(), predicate, NamedNode::new_unchecked(iri));
    }

    /// Links to `iri` and says what class it is: the DCAT-AP range shapes check the class of
    /// what a property points to, and a harvester cannot dereference every IRI to find out.
    fn typed_iri(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
        iri: impl Into<String>,
        class: NamedNodeRef<'_>,
    ) {
        let object = NamedNode::new_unchecked(iri);
        self.add(subject.clone(), predicate, object.clone());
        self.add(object, rdf::TYPE, class);
    }

    fn text(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'_>,
        text: &str,
    ) {
        self.add(subject, predicate, Literal::new_simple_literal(text));
    }

    fn lang(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'_>,
        text: &str,
        language: &str,
    ) {
        let literal = Literal::new_language_tagged_literal(text, language.to_ascii_lowercase())
            .unwrap_or_else(|_| Literal::new_simple_literal(text));
        self.add(subject, predicate, literal);
    }

    fn typed(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNodeRef<'_>,
        value: impl ToString,
        datatype: NamedNodeRef<'_>,
    ) {
        self.add(
            subject,
            predicate,
            Literal::new_typed_literal(value.to_string(), datatype),
        );
    }

    fn count(
        &mut self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
        value: Option<impl ToString>,
    ) {
        if let Some(value) = value {
            self.typed(subject.clone(), predicate, value, xsd::NON_NEGATIVE_INTEGER);
        }
    }

    fn time(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, time: DateTime<Utc>) {
        self.typed(
            subject.clone(),
            predicate,
            time.to_rfc3339_opts(SecondsFormat::Secs, true),
            xsd::DATE_TIME,
        );
    }

    /// An agent with a name and the one contact point HealthDCAT-AP asks of it.
    fn agent(&mut self, agent: &NamedNode, name: &str, email: &str) {
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

    pub fn write<W: Write>(&self, out: &mut WriterQuadSerializer<W>) -> std::io::Result<()> {
        self.0.iter().try_for_each(|t| out.serialize_triple(t))
    }
}

impl CatalogueIdentity {
    /// The identity of an HDAB reached at `base_url`, configured now.
    pub fn new(base_url: &str, hdab_name: &str, hdab_email: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            hdab_name: hdab_name.to_owned(),
            hdab_email: hdab_email.to_owned(),
            configured_at: hdab_persistence::now(),
        }
    }

    pub fn dataset_iri(&self, dataset: &Dataset) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/datasets/{}", self.base_url, dataset.id))
    }

    fn hdab_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/#hdab", self.base_url))
    }

    pub fn catalogue_iri(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/catalogue", self.base_url))
    }

    fn publisher_iri(&self, id: PublisherId) -> NamedNode {
        NamedNode::new_unchecked(format!("{}/api/v1/publishers/{id}", self.base_url))
    }

    /// A dataset's description with the agents it names: a document that stands alone.
    pub fn describe_standalone(&self, dataset: &Dataset, publisher: &Publisher) -> Triples {
        let mut t = self.describe(dataset);
        t.extend(self.hdab_agent());
        t.extend(self.publisher_agent(publisher));
        t
    }

    /// The HDAB as an agent with its contact point.
    pub fn hdab_agent(&self) -> Triples {
        let mut t = Triples::default();
        t.agent(&self.hdab_iri(), &self.hdab_name, &self.hdab_email);
        t
    }

    /// A publisher as an agent: contact point, homepage, trusted-holder status (Art 72).
    pub fn publisher_agent(&self, publisher: &Publisher) -> Triples {
        let mut t = Triples::default();
        let iri = self.publisher_iri(publisher.id);
        t.agent(
            &iri,
            publisher.details.name.as_str(),
            publisher.details.contact_email.as_str(),
        );
        if let Some(homepage) = &publisher.details.homepage {
            t.typed_iri(
                &iri,
                ns::FOAF_HOMEPAGE,
                homepage.as_str(),
                ns::FOAF_DOCUMENT,
            );
        }
        t.typed(
            iri,
            ns::HEALTH_TRUSTED,
            publisher.details.trusted_data_holder,
            xsd::BOOLEAN,
        );
        t
    }

    /// The HealthDCAT-AP description of `dataset`, naming (not describing) its HDAB and
    /// publisher, so a catalogue describes each agent once.
    pub fn describe(&self, dataset: &Dataset) -> Triples {
        let mut t = Triples::default();
        let d = &dataset.details;
        let s = self.dataset_iri(dataset);
        t.add(s.clone(), rdf::TYPE, ns::DCAT_DATASET_CLASS);
        for (language, text) in d.title.iter() {
            t.lang(s.clone(), ns::DCT_TITLE, text, language.as_str());
        }
        for (language, text) in d.description.iter() {
            t.lang(s.clone(), ns::DCT_DESCRIPTION, text, language.as_str());
        }
        t.text(s.clone(), ns::DCT_IDENTIFIER, d.identifier.as_str());
        t.typed_iri(
            &s,
            ns::DCT_ACCESS_RIGHTS,
            format!("{EU_AUTHORITY}/access-right/{}", d.access_rights.as_str()),
            ns::DCT_RIGHTS_STATEMENT,
        );
        t.typed_iri(&s, ns::DCATAP_LEGISLATION, EHDS_ELI, ns::ELI_LEGAL_RESOURCE);
        t.iri(
            &s,
            ns::DCAT_THEME,
            format!("{EU_AUTHORITY}/data-theme/HEAL"),
        );
        for category in &d.health_categories {
            t.iri(
                &s,
                ns::HEALTH_CATEGORY,
                format!("{HEALTH_AUTHORITY}/healthcategories/{}", category.as_str()),
            );
        }
        if !d.imaging.cancer_conditions.is_empty() {
            t.iri(
                &s,
                ns::HEALTH_THEME,
                format!("{HEALTH_AUTHORITY}/health-theme/CANCER_DISEASE"),
            );
        }
        for (language, words) in &d.keywords {
            for word in words {
                t.lang(
                    s.clone(),
                    ns::DCAT_KEYWORD,
                    word.as_str(),
                    language.as_str(),
                );
            }
        }
        if let Some(kind) = d.dataset_type {
            t.iri(
                &s,
                ns::DCT_TYPE,
                format!("{EU_AUTHORITY}/dataset-type/{}", kind.as_str()),
            );
        }
        if let Some(provenance) = &d.provenance {
            let statement = fragment(&s, "provenance");
            t.add(s.clone(), ns::DCT_PROVENANCE, statement.clone());
            t.add(statement.clone(), rdf::TYPE, ns::DCT_PROVENANCE_STATEMENT);
            t.lang(statement, rdfs::LABEL, provenance.as_str(), "en");
        }
        if let Some(contact) = &d.contact_point {
            let kind = fragment(&s, "contact-point");
            t.add(s.clone(), ns::DCAT_CONTACT_POINT, kind.clone());
            t.add(kind.clone(), rdf::TYPE, ns::VCARD_KIND);
            t.add(
                kind.clone(),
                ns::VCARD_EMAIL,
                NamedNode::new_unchecked(format!("mailto:{}", contact.email.as_str())),
            );
            if let Some(url) = &contact.url {
                t.add(kind, ns::VCARD_URL, NamedNode::new_unchecked(url.as_str()));
            }
        }
        if let Some(page) = &d.landing_page {
            t.typed_iri(&s, ns::DCAT_LANDING_PAGE, page.as_str(), ns::FOAF_DOCUMENT);
        }
        for language in &d.languages {
            t.typed_iri(
                &s,
                ns::DCT_LANGUAGE,
                format!("{EU_AUTHORITY}/language/{}", language.eu_code()),
                ns::DCT_LINGUISTIC_SYSTEM,
            );
        }
        for country in &d.countries {
            t.typed_iri(
                &s,
                ns::DCT_SPATIAL,
                format!("{EU_AUTHORITY}/country/{}", country.alpha_3()),
                ns::DCT_LOCATION,
            );
        }
        if let Some(period) = d.temporal {
            self.period(&mut t, &s, ns::DCT_TEMPORAL, "temporal", period);
        }
        for (index, distribution) in d.distributions.iter().enumerate() {
            self.distribution(
                &mut t,
                &s,
                ns::DCAT_DISTRIBUTION,
                &format!("distribution-{}", index + 1),
                distribution,
            );
        }
        self.recommended_for(&mut t, &s, dataset);
        t.typed(
            s.clone(),
            ns::HEALTH_STRUCTURED,
            d.has_structured_data,
            xsd::BOOLEAN,
        );
        self.variables(&mut t, &s, dataset);
        t.count(&s, ns::HEALTH_MIN_AGE, d.min_typical_age);
        t.count(&s, ns::HEALTH_MAX_AGE, d.max_typical_age);
        t.count(&s, ns::HEALTH_RECORDS, d.number_of_records);
        t.count(&s, ns::HEALTH_INDIVIDUALS, d.number_of_unique_individuals);
        if let Some(coverage) = &d.population_coverage {
            t.lang(s.clone(), ns::HEALTH_POPULATION, coverage.as_str(), "en");
        }
        if let Some(label) = &d.quality_label {
            let certificate = fragment(&s, "quality-label");
            t.add(s.clone(), ns::DQV_QUALITY_ANNOTATION, certificate.clone());
            t.add(certificate.clone(), rdf::TYPE, ns::DQV_QUALITY_CERTIFICATE);
            t.add(certificate.clone(), ns::OA_TARGET, s.clone());
            t.add(
                certificate,
                ns::OA_BODY,
                NamedNode::new_unchecked(label.as_str()),
            );
        }
        if let Some(issued) = dataset.issued_at {
            t.time(&s, ns::DCT_ISSUED, issued);
        }
        t.time(&s, ns::DCT_MODIFIED, dataset.modified_at);
        self.imaging(&mut t, &s, dataset);
        t.add(s.clone(), ns::HEALTH_HDAB, self.hdab_iri());
        t.add(
            s,
            ns::DCT_PUBLISHER,
            self.publisher_iri(dataset.details.publisher_id),
        );
        t
    }

    fn period(
        &self,
        t: &mut Triples,
        s: &NamedNode,
        predicate: NamedNodeRef<'_>,
        name: &str,
        period: Period,
    ) {
        let node = fragment(s, name);
        t.add(s.clone(), predicate, node.clone());
        t.add(node.clone(), rdf::TYPE, ns::DCT_PERIOD);
        t.typed(node.clone(), ns::DCAT_START_DATE, period.start, xsd::DATE);
        t.typed(node, ns::DCAT_END_DATE, period.end, xsd::DATE);
    }

    /// A distribution at `{dataset}#{fragment}`, linked from the dataset by `predicate`
    /// (`dcat:distribution`, `adms:sample`, `healthdcatap:analytics`).
    fn distribution(
        &self,
        t: &mut Triples,
        s: &NamedNode,
        predicate: NamedNodeRef<'_>,
        fragment: &str,
        d: &Distribution,
    ) {
        let node = self::fragment(s, fragment);
        t.add(s.clone(), predicate, node.clone());
        t.add(node.clone(), rdf::TYPE, ns::DCAT_DISTRIBUTION_CLASS);
        t.typed_iri(
            &node,
            ns::DCATAP_LEGISLATION,
            EHDS_ELI,
            ns::ELI_LEGAL_RESOURCE,
        );
        t.iri(&node, ns::DCAT_ACCESS_URL, d.access_url.as_str());
        if let Some(title) = &d.title {
            t.lang(node.clone(), ns::DCT_TITLE, title.as_str(), "en");
        }
        if let Some(url) = &d.download_url {
            t.iri(&node, ns::DCAT_DOWNLOAD_URL, url.as_str());
        }
        if let Some(format) = &d.format {
            t.typed_iri(
                &node,
                ns::DCT_FORMAT,
                format!("{EU_AUTHORITY}/file-type/{}", format.as_str()),
                ns::DCT_MEDIA_TYPE_OR_EXTENT,
            );
        }
        if let Some(media_type) = &d.media_type {
            t.typed_iri(
                &node,
                ns::DCAT_MEDIA_TYPE,
                format!(
                    "http://www.iana.org/assignments/media-types/{}",
                    media_type.as_str()
                ),
                ns::DCT_MEDIA_TYPE_CLASS,
            );
        }
        t.count(&node, ns::DCAT_BYTE_SIZE, d.byte_size);
        if let Some(license) = &d.license {
            t.typed_iri(
                &node,
                ns::DCT_LICENSE,
                license.as_str(),
                ns::DCT_LICENSE_DOCUMENT,
            );
        }
    }

    /// HealthDCAT-AP's recommended properties beyond the core: sample, analytics, custodian,
    /// purposes, legal bases, personal data, retention, resolution, periodicity, standards and
    /// related documents.
    fn recommended_for(&self, t: &mut Triples, s: &NamedNode, dataset: &Dataset) {
        let d = &dataset.details;
        if let Some(sample) = &d.sample {
            self.distribution(t, s, ns::ADMS_SAMPLE, "sample", sample);
        }
        for (index, report) in d.analytics.iter().enumerate() {
            self.distribution(
                t,
                s,
                ns::HEALTH_ANALYTICS,
                &format!("analytics-{}", index + 1),
                report,
            );
        }
        if let Some(custodian) = &d.custodian {
            let agent = fragment(s, "custodian");
            t.add(s.clone(), ns::GEODCATAP_CUSTODIAN, agent.clone());
            t.agent(&agent, custodian.name.as_str(), custodian.email.as_str());
        }
        // Named, not blank, nodes: a harvester recognises them on every harvest.
        for (predicate, class, fragment, texts) in [
            (ns::DPV_HAS_PURPOSE, ns::DPV_PURPOSE, "purpose", &d.purposes),
            (
                ns::DPV_HAS_LEGAL_BASIS,
                ns::DPV_LEGAL_BASIS,
                "legal-basis",
                &d.legal_bases,
            ),
        ] {
            for (index, text) in texts.iter().enumerate() {
                let node = self::fragment(s, &format!("{fragment}-{}", index + 1));
                t.add(s.clone(), predicate, node.clone());
                t.add(node.clone(), rdf::TYPE, class);
                t.lang(node, ns::DCT_DESCRIPTION, text.as_str(), "en");
            }
        }
        for category in &d.personal_data {
            t.typed_iri(
                s,
                ns::DPV_HAS_PERSONAL_DATA,
                format!("https://w3id.org/dpv/dpv-pd#{}", category.as_str()),
                ns::DPV_PERSONAL_DATA,
            );
        }
        if let Some(period) = d.retention_period {
            self.period(t, s, ns::HEALTH_RETENTION, "retention-period", period);
        }
        if let Some(resolution) = &d.temporal_resolution {
            t.typed(
                s.clone(),
                ns::DCAT_TEMPORAL_RESOLUTION,
                resolution.as_str(),
                xsd::DURATION,
            );
        }
        if let Some(frequency) = &d.accrual_periodicity {
            t.typed_iri(
                s,
                ns::DCT_ACCRUAL_PERIODICITY,
                format!("{EU_AUTHORITY}/frequency/{}", frequency.as_str()),
                ns::DCT_FREQUENCY,
            );
        }
        for standard in &d.conforms_to {
            t.typed_iri(
                s,
                ns::DCT_CONFORMS_TO,
                format!("{HEALTH_AUTHORITY}/standard/{}", standard.as_str()),
                ns::DCT_STANDARD,
            );
        }
        for publication in &d.referenced_by {
            t.iri(s, ns::DCT_IS_REFERENCED_BY, publication.as_str());
        }
        for relation in &d.relations {
            t.iri(s, ns::DCT_RELATION, relation.as_str());
        }
        for page in &d.pages {
            t.typed_iri(s, ns::FOAF_PAGE, page.as_str(), ns::FOAF_DOCUMENT);
        }
    }

    fn variables(&self, t: &mut Triples, s: &NamedNode, dataset: &Dataset) {
        let variables = &dataset.details.variables;
        if variables.is_empty() {
            return;
        }
        let group = fragment(s, "variables");
        let table = fragment(s, "variables-table");
        let title = format!("Variables of {}", dataset.details.title.english());
        t.add(s.clone(), ns::HEALTH_VARIABLES, group.clone());
        t.add(group.clone(), rdf::TYPE, ns::CSVW_TABLE_GROUP);
        t.lang(group.clone(), ns::DCT_TITLE, &title, "en");
        t.add(group, ns::CSVW_TABLE, table.clone());
        t.add(table.clone(), rdf::TYPE, ns::CSVW_TABLE_CLASS);
        t.lang(table.clone(), ns::DCT_TITLE, &title, "en");
        for (index, variable) in variables.iter().enumerate() {
            let column = fragment(s, &format!("variable-{}", index + 1));
            t.add(table.clone(), ns::CSVW_COLUMN, column.clone());
            t.add(column.clone(), rdf::TYPE, ns::CSVW_COLUMN_CLASS);
            t.text(column.clone(), ns::CSVW_NAME, variable.name.as_str());
            t.lang(
                column.clone(),
                ns::CSVW_TITLE,
                variable.title.as_str(),
                "en",
            );
            t.text(
                column.clone(),
                ns::CSVW_DATATYPE,
                variable.datatype.as_str(),
            );
            t.lang(
                column.clone(),
                ns::DCT_DESCRIPTION,
                variable.description.as_str(),
                "en",
            );
            if let Some(url) = &variable.property_url {
                t.iri(&column, ns::CSVW_PROPERTY_URL, url.as_str());
            }
        }
    }

    /// The cancer-imaging extensions, in hdab's imaging namespace, and the DUO conditions.
    fn imaging(&self, t: &mut Triples, s: &NamedNode, dataset: &Dataset) {
        let imaging = &dataset.details.imaging;
        for code in &imaging.cancer_conditions {
            t.text(s.clone(), ns::IMG_CANCER_CONDITION, code.as_str());
            t.text(s.clone(), ns::HEALTH_CODE_VALUES, code.as_str());
        }
        if !imaging.cancer_conditions.is_empty() {
            t.typed_iri(
                s,
                ns::HEALTH_CODING_SYSTEM,
                format!("{HEALTH_AUTHORITY}/coding-system/ICD-10"),
                ns::DCT_STANDARD,
            );
        }
        for modality in &imaging.modalities {
            t.text(s.clone(), ns::IMG_MODALITY, modality.as_str());
        }
        for part in &imaging.body_parts {
            t.text(s.clone(), ns::IMG_BODY_PART, part.as_str());
        }
        for manufacturer in &imaging.manufacturers {
            t.text(s.clone(), ns::IMG_MANUFACTURER, manufacturer.as_str());
        }
        for sex in &imaging.birth_sex {
            t.text(s.clone(), ns::IMG_BIRTH_SEX, sex.as_str());
        }
        if let Some(method) = &imaging.collection_method {
            t.lang(s.clone(), ns::IMG_COLLECTION_METHOD, method.as_str(), "en");
        }
        if let Some(model) = imaging.access_model {
            t.text(s.clone(), ns::IMG_ACCESS_MODEL, model.as_str());
        }
        if let Some(annotations) = &imaging.annotations {
            for label in &annotations.labels {
                t.text(s.clone(), ns::IMG_ANNOTATION_LABEL, label.as_str());
            }
            t.text(
                s.clone(),
                ns::IMG_ANNOTATION_METHOD,
                annotations.method.as_str(),
            );
            t.count(s, ns::IMG_ANNOTATION_COUNT, Some(annotations.count));
        }
        let data_use = &dataset.details.data_use;
        t.iri(s, ns::IMG_DATA_USE, data_use.permission.term().iri());
        if let hdab_domain::catalogue::duo::DuoPermission::DiseaseSpecific(disease) =
            &data_use.permission
        {
            t.text(s.clone(), ns::IMG_DUO_DISEASE, disease.as_str());
        }
        for modifier in &data_use.modifiers {
            t.iri(s, ns::IMG_DATA_USE, modifier.term().iri());
            match modifier {
                DuoModifier::TimeLimit(months) => t.count(s, ns::IMG_DUO_MONTHS, Some(months)),
                DuoModifier::PublicationMoratorium(until) => {
                    t.typed(s.clone(), ns::IMG_DUO_UNTIL, until, xsd::DATE)
                }
                DuoModifier::GeographicalRestriction(countries) => {
                    for country in countries {
                        t.iri(
                            s,
                            ns::IMG_DUO_COUNTRY,
                            format!("{EU_AUTHORITY}/country/{}", country.alpha_3()),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// The `dcat:Catalog` itself: title, description, legislation, its publisher the HDAB.
    pub fn catalogue_header(&self) -> Triples {
        let mut t = Triples::default();
        let catalogue = self.catalogue_iri();
        t.add(catalogue.clone(), rdf::TYPE, ns::DCAT_CATALOG);
        t.lang(
            catalogue.clone(),
            ns::DCT_TITLE,
            &format!("{} dataset catalogue", self.hdab_name),
            "en",
        );
        t.lang(
            catalogue.clone(),
            ns::DCT_DESCRIPTION,
            "Health datasets available for secondary use under the European Health Data Space (Regulation (EU) 2025/327), described in HealthDCAT-AP.",
            "en",
        );
        t.typed_iri(
            &catalogue,
            ns::DCATAP_LEGISLATION,
            EHDS_ELI,
            ns::ELI_LEGAL_RESOURCE,
        );
        t.add(catalogue, ns::DCT_PUBLISHER, self.hdab_iri());
        t.extend(self.hdab_agent());
        t
    }

    /// `dcat:dataset` links from the catalogue to each of `datasets`.
    pub fn catalogue_links(&self, datasets: &[Dataset]) -> Triples {
        let mut t = Triples::default();
        for dataset in datasets {
            t.add(
                self.catalogue_iri(),
                ns::DCAT_DATASET,
                self.dataset_iri(dataset),
            );
        }
        t
    }

    /// The Hydra view of one page: where it is, the first page, the next one when there are
    /// more (each with the caller's page size and filters), and how many datasets the whole
    /// collection holds.
    pub fn page_view(&self, page: &PageLinks<'_>) -> Triples {
        let mut t = Triples::default();
        let view = NamedNode::new_unchecked(page.this);
        t.add(self.catalogue_iri(), ns::HYDRA_VIEW, view.clone());
        t.typed(
            self.catalogue_iri(),
            ns::HYDRA_TOTAL_ITEMS,
            page.total_items,
            xsd::NON_NEGATIVE_INTEGER,
        );
        t.add(view.clone(), rdf::TYPE, ns::HYDRA_PARTIAL_VIEW);
        t.iri(&view, ns::HYDRA_FIRST, page.first);
        if let Some(next) = page.next {
            t.iri(&view, ns::HYDRA_NEXT, next);
        }
        t
    }
}

/// The links of one catalogue page.
pub struct PageLinks<'a> {
    pub this: &'a str,
    pub first: &'a str,
    pub next: Option<&'a str>,
    /// Datasets in the whole (filtered) collection.
    pub total_items: u64,
}

/// The node `{subject}#{name}`. Every node of a description is named, never blank: blank
/// nodes get new labels on every read, so a harvester would see a changed description (and
/// hdab a new ETag) each time.
fn fragment(subject: &NamedNode, name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}#{name}", subject.as_str()))
}

/// Whether the description is one HealthDCAT-AP's PUBLIC shapes apply to.
pub fn is_public(dataset: &Dataset) -> bool {
    dataset.details.access_rights == AccessRights::Public
}
