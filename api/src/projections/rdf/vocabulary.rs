//! The RDF vocabularies hdab writes: the terms it uses, its prefixes, the authority tables.

pub(super) mod ns {
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

pub(super) const PREFIXES: &[(&str, &str)] = &[
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

pub(super) const EU_AUTHORITY: &str = "http://publications.europa.eu/resource/authority";
pub(super) const HEALTH_AUTHORITY: &str =
    "https://hdeu-dcat.data.health.europa.eu/resource/authority";
