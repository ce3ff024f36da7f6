//! One dataset's HealthDCAT-AP description: the DCAT core, distributions, and the
//! properties HealthDCAT-AP recommends.

use super::identity::CatalogueIdentity;
use super::triples::{Triples, fragment};
use super::vocabulary::{EU_AUTHORITY, HEALTH_AUTHORITY, ns};
use hdab_domain::catalogue::vocabulary::AccessRights;
use hdab_domain::catalogue::{Dataset, Distribution, EHDS_ELI, Period};
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{NamedNode, NamedNodeRef};

impl CatalogueIdentity {
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

    pub(super) fn period(
        &self,
        t: &mut Triples,
        s: &NamedNode,
        predicate: NamedNodeRef<'static>,
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
    pub(super) fn distribution(
        &self,
        t: &mut Triples,
        s: &NamedNode,
        predicate: NamedNodeRef<'static>,
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
    pub(super) fn recommended_for(&self, t: &mut Triples, s: &NamedNode, dataset: &Dataset) {
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
}

/// Whether the description is one HealthDCAT-AP's PUBLIC shapes apply to.
pub fn is_public(dataset: &Dataset) -> bool {
    dataset.details.access_rights == AccessRights::Public
}
