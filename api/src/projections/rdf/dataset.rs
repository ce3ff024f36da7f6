//! One dataset's HealthDCAT-AP description: the DCAT core, distributions, and the
//! properties HealthDCAT-AP recommends.

use super::identity::CatalogueIdentity;
use super::triples::{Node, Triples};
use super::vocabulary::{EU_AUTHORITY, HEALTH_AUTHORITY, ns};
use hdab_domain::catalogue::vocabulary::AccessRights;
use hdab_domain::catalogue::{Dataset, Distribution, EHDS_ELI, Period};
use oxrdf::NamedNodeRef;
use oxrdf::vocab::{rdfs, xsd};

impl CatalogueIdentity {
    /// Adds the HealthDCAT-AP description of `dataset` to `t`, naming (not describing) its
    /// HDAB and publisher, so a catalogue describes each agent once.
    pub fn describe<'a>(&self, dataset: &'a Dataset, t: &mut Triples<'a>) {
        let s = self.dataset_node(dataset, t);
        self.describe_as(s, dataset, t);
    }

    /// The description of `dataset`, whose node `s` the caller has named already.
    pub(super) fn describe_as<'a>(&self, s: Node, dataset: &'a Dataset, t: &mut Triples<'a>) {
        let d = &dataset.details;
        t.class(s, ns::DCAT_DATASET_CLASS);
        for (language, text) in d.title.iter() {
            t.lang(s, ns::DCT_TITLE, text, language.as_str());
        }
        for (language, text) in d.description.iter() {
            t.lang(s, ns::DCT_DESCRIPTION, text, language.as_str());
        }
        t.text(s, ns::DCT_IDENTIFIER, d.identifier.as_str());
        t.typed_iri(
            s,
            ns::DCT_ACCESS_RIGHTS,
            [EU_AUTHORITY, "/access-right/", d.access_rights.as_str()],
            ns::DCT_RIGHTS_STATEMENT,
        );
        t.typed_iri(s, ns::DCATAP_LEGISLATION, EHDS_ELI, ns::ELI_LEGAL_RESOURCE);
        t.iri(s, ns::DCAT_THEME, [EU_AUTHORITY, "/data-theme/HEAL"]);
        for category in &d.health_categories {
            t.iri(
                s,
                ns::HEALTH_CATEGORY,
                [HEALTH_AUTHORITY, "/healthcategories/", category.as_str()],
            );
        }
        if !d.imaging.cancer_conditions.is_empty() {
            t.iri(
                s,
                ns::HEALTH_THEME,
                [HEALTH_AUTHORITY, "/health-theme/CANCER_DISEASE"],
            );
        }
        for (language, words) in &d.keywords {
            for word in words {
                t.lang(s, ns::DCAT_KEYWORD, word.as_str(), language.as_str());
            }
        }
        if let Some(kind) = d.dataset_type {
            t.iri(
                s,
                ns::DCT_TYPE,
                [EU_AUTHORITY, "/dataset-type/", kind.as_str()],
            );
        }
        if let Some(provenance) = &d.provenance {
            let statement = t.part(
                s,
                ns::DCT_PROVENANCE,
                "provenance",
                ns::DCT_PROVENANCE_STATEMENT,
            );
            t.lang(statement, rdfs::LABEL, provenance.as_str(), "en");
        }
        if let Some(contact) = &d.contact_point {
            let kind = t.part(s, ns::DCAT_CONTACT_POINT, "contact-point", ns::VCARD_KIND);
            let email = format!("mailto:{}", contact.email.as_str());
            t.iri(kind, ns::VCARD_EMAIL, email);
            if let Some(url) = &contact.url {
                t.iri(kind, ns::VCARD_URL, url.as_str());
            }
        }
        if let Some(page) = &d.landing_page {
            t.typed_iri(s, ns::DCAT_LANDING_PAGE, page.as_str(), ns::FOAF_DOCUMENT);
        }
        for language in &d.languages {
            t.typed_iri(
                s,
                ns::DCT_LANGUAGE,
                [EU_AUTHORITY, "/language/", language.eu_code()],
                ns::DCT_LINGUISTIC_SYSTEM,
            );
        }
        for country in &d.countries {
            t.typed_iri(
                s,
                ns::DCT_SPATIAL,
                [EU_AUTHORITY, "/country/", country.alpha_3()],
                ns::DCT_LOCATION,
            );
        }
        if let Some(period) = d.temporal {
            self.period(t, s, ns::DCT_TEMPORAL, "temporal", period);
        }
        for (index, distribution) in d.distributions.iter().enumerate() {
            self.distribution(
                t,
                s,
                ns::DCAT_DISTRIBUTION,
                &format!("distribution-{}", index + 1),
                distribution,
            );
        }
        self.recommended_for(t, s, dataset);
        t.boolean(s, ns::HEALTH_STRUCTURED, d.has_structured_data);
        self.variables(t, s, dataset);
        t.count(s, ns::HEALTH_MIN_AGE, d.min_typical_age);
        t.count(s, ns::HEALTH_MAX_AGE, d.max_typical_age);
        t.count(s, ns::HEALTH_RECORDS, d.number_of_records);
        t.count(s, ns::HEALTH_INDIVIDUALS, d.number_of_unique_individuals);
        if let Some(coverage) = &d.population_coverage {
            t.lang(s, ns::HEALTH_POPULATION, coverage.as_str(), "en");
        }
        if let Some(label) = &d.quality_label {
            let certificate = t.part(
                s,
                ns::DQV_QUALITY_ANNOTATION,
                "quality-label",
                ns::DQV_QUALITY_CERTIFICATE,
            );
            t.link(certificate, ns::OA_TARGET, s);
            t.iri(certificate, ns::OA_BODY, label.as_str());
        }
        if let Some(issued) = dataset.issued_at {
            t.time(s, ns::DCT_ISSUED, issued);
        }
        t.time(s, ns::DCT_MODIFIED, dataset.modified_at);
        self.imaging(t, s, dataset);
        let hdab = self.hdab_node(t);
        t.link(s, ns::HEALTH_HDAB, hdab);
        let publisher = self.publisher_node(dataset.details.publisher_id, t);
        t.link(s, ns::DCT_PUBLISHER, publisher);
    }

    pub(super) fn period<'a>(
        &self,
        t: &mut Triples<'a>,
        s: Node,
        predicate: NamedNodeRef<'static>,
        name: &str,
        period: Period,
    ) {
        let node = t.part(s, predicate, name, ns::DCT_PERIOD);
        t.typed(
            node,
            ns::DCAT_START_DATE,
            period.start.to_string(),
            xsd::DATE,
        );
        t.typed(node, ns::DCAT_END_DATE, period.end.to_string(), xsd::DATE);
    }

    /// A distribution at `{dataset}#{fragment}`, linked from the dataset by `predicate`
    /// (`dcat:distribution`, `adms:sample`, `healthdcatap:analytics`).
    pub(super) fn distribution<'a>(
        &self,
        t: &mut Triples<'a>,
        s: Node,
        predicate: NamedNodeRef<'static>,
        fragment: &str,
        d: &'a Distribution,
    ) {
        let node = t.part(s, predicate, fragment, ns::DCAT_DISTRIBUTION_CLASS);
        t.typed_iri(
            node,
            ns::DCATAP_LEGISLATION,
            EHDS_ELI,
            ns::ELI_LEGAL_RESOURCE,
        );
        t.iri(node, ns::DCAT_ACCESS_URL, d.access_url.as_str());
        if let Some(title) = &d.title {
            t.lang(node, ns::DCT_TITLE, title.as_str(), "en");
        }
        if let Some(url) = &d.download_url {
            t.iri(node, ns::DCAT_DOWNLOAD_URL, url.as_str());
        }
        if let Some(format) = &d.format {
            t.typed_iri(
                node,
                ns::DCT_FORMAT,
                [EU_AUTHORITY, "/file-type/", format.as_str()],
                ns::DCT_MEDIA_TYPE_OR_EXTENT,
            );
        }
        if let Some(media_type) = &d.media_type {
            t.typed_iri(
                node,
                ns::DCAT_MEDIA_TYPE,
                [
                    "http://www.iana.org/assignments/media-types/",
                    media_type.as_str(),
                ],
                ns::DCT_MEDIA_TYPE_CLASS,
            );
        }
        t.count(node, ns::DCAT_BYTE_SIZE, d.byte_size);
        if let Some(license) = &d.license {
            t.typed_iri(
                node,
                ns::DCT_LICENSE,
                license.as_str(),
                ns::DCT_LICENSE_DOCUMENT,
            );
        }
    }

    /// HealthDCAT-AP's recommended properties beyond the core: sample, analytics, custodian,
    /// purposes, legal bases, personal data, retention, resolution, periodicity, standards and
    /// related documents.
    pub(super) fn recommended_for<'a>(&self, t: &mut Triples<'a>, s: Node, dataset: &'a Dataset) {
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
            let agent = t.fragment(s, "custodian");
            t.link(s, ns::GEODCATAP_CUSTODIAN, agent);
            t.agent(agent, custodian.name.as_str(), custodian.email.as_str());
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
                let node = t.part(s, predicate, &format!("{fragment}-{}", index + 1), class);
                t.lang(node, ns::DCT_DESCRIPTION, text.as_str(), "en");
            }
        }
        for category in &d.personal_data {
            t.typed_iri(
                s,
                ns::DPV_HAS_PERSONAL_DATA,
                ["https://w3id.org/dpv/dpv-pd#", category.as_str()],
                ns::DPV_PERSONAL_DATA,
            );
        }
        if let Some(period) = d.retention_period {
            self.period(t, s, ns::HEALTH_RETENTION, "retention-period", period);
        }
        if let Some(resolution) = &d.temporal_resolution {
            t.typed(
                s,
                ns::DCAT_TEMPORAL_RESOLUTION,
                resolution.as_str(),
                xsd::DURATION,
            );
        }
        if let Some(frequency) = &d.accrual_periodicity {
            t.typed_iri(
                s,
                ns::DCT_ACCRUAL_PERIODICITY,
                [EU_AUTHORITY, "/frequency/", frequency.as_str()],
                ns::DCT_FREQUENCY,
            );
        }
        for standard in &d.conforms_to {
            t.typed_iri(
                s,
                ns::DCT_CONFORMS_TO,
                [HEALTH_AUTHORITY, "/standard/", standard.as_str()],
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
}

/// Whether the description is one HealthDCAT-AP's PUBLIC shapes apply to.
pub fn is_public(dataset: &Dataset) -> bool {
    dataset.details.access_rights == AccessRights::Public
}
