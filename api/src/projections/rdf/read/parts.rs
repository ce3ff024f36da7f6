//! The parts of a description below the dataset: places, agents, distributions, variables,
//! the cancer-imaging profile and the DUO conditions.

use chrono::NaiveDate;
use hdab_domain::catalogue::duo::{DuoPermission, DuoTerm};
use hdab_domain::values::CountryCode;
use hdab_openapi::catalogue::{
    AnnotationsWire, ContactPointWire, CustodianWire, DataUseWire, DistributionWire,
    DuoConditionWire, ImagingWire, VariableWire,
};
use oxrdf::NamedNodeRef;
use std::collections::BTreeSet;

use super::super::vocabulary::{EU_AUTHORITY, ns};
use super::{IANA_MEDIA_TYPES, Problems, Reader, Subject, code_of};

impl Reader<'_> {
    pub(super) fn countries(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<String> {
        self.iris(s, p)
            .iter()
            .filter(|iri| iri.starts_with(&format!("{EU_AUTHORITY}/country/")))
            .map(|iri| {
                let code = code_of(iri);
                CountryCode::from_alpha_3(&code).map_or(code, |c| c.as_str().to_owned())
            })
            .collect()
    }

    pub(super) fn contact_point(&self, s: Subject<'_>) -> Option<ContactPointWire> {
        let kind = self.node(s, ns::DCAT_CONTACT_POINT)?;
        let email = self
            .text(kind, ns::VCARD_EMAIL)
            .or_else(|| self.text(kind, ns::CV_EMAIL))?;
        Some(ContactPointWire {
            email: email.strip_prefix("mailto:").unwrap_or(&email).to_owned(),
            url: self.iri(kind, ns::VCARD_URL),
        })
    }

    pub(super) fn custodian(&self, s: Subject<'_>) -> Option<CustodianWire> {
        let agent = self.node(s, ns::GEODCATAP_CUSTODIAN)?;
        let contact = self.node(agent, ns::CV_CONTACT_POINT)?;
        let email = self.text(contact, ns::CV_EMAIL)?;
        Some(CustodianWire {
            name: self.english(agent, ns::FOAF_NAME)?,
            email: email.strip_prefix("mailto:").unwrap_or(&email).to_owned(),
        })
    }

    /// The English descriptions of the nodes `s` links to by `p` (purposes, legal bases).
    pub(super) fn descriptions(&self, s: Subject<'_>, p: NamedNodeRef<'_>) -> Vec<String> {
        let found: BTreeSet<String> = self
            .nodes(s, p)
            .into_iter()
            .filter_map(|n| self.english(n, ns::DCT_DESCRIPTION))
            .collect();
        found.into_iter().collect()
    }

    pub(super) fn distribution(&self, d: Subject<'_>) -> DistributionWire {
        DistributionWire {
            title: self.english(d, ns::DCT_TITLE),
            access_url: self.iri(d, ns::DCAT_ACCESS_URL).unwrap_or_default(),
            download_url: self.iri(d, ns::DCAT_DOWNLOAD_URL),
            format: self.iri(d, ns::DCT_FORMAT).map(|iri| code_of(&iri)),
            media_type: self.iri(d, ns::DCAT_MEDIA_TYPE).map(|iri| {
                iri.strip_prefix(IANA_MEDIA_TYPES)
                    .unwrap_or(&iri)
                    .to_owned()
            }),
            byte_size: self
                .text(d, ns::DCAT_BYTE_SIZE)
                .and_then(|size| size.trim().parse().ok()),
            license: self.iri(d, ns::DCT_LICENSE),
        }
    }

    pub(super) fn variables(&self, s: Subject<'_>) -> Vec<VariableWire> {
        let mut variables: Vec<VariableWire> = self
            .nodes(s, ns::HEALTH_VARIABLES)
            .into_iter()
            .flat_map(|group| self.nodes(group, ns::CSVW_TABLE))
            .flat_map(|table| self.nodes(table, ns::CSVW_COLUMN))
            .map(|column| VariableWire {
                name: self.text(column, ns::CSVW_NAME).unwrap_or_default(),
                title: self.english(column, ns::CSVW_TITLE).unwrap_or_default(),
                datatype: self.text(column, ns::CSVW_DATATYPE).unwrap_or_default(),
                description: self
                    .english(column, ns::DCT_DESCRIPTION)
                    .unwrap_or_default(),
                property_url: self.iri(column, ns::CSVW_PROPERTY_URL),
            })
            .collect();
        variables.sort_by(|a, b| a.name.cmp(&b.name));
        variables
    }

    pub(super) fn imaging(&self, problems: &mut Problems, s: Subject<'_>) -> ImagingWire {
        let labels = self.texts(s, ns::IMG_ANNOTATION_LABEL);
        let method = self.text(s, ns::IMG_ANNOTATION_METHOD);
        let count = self.number(
            problems,
            "imaging.annotations.count",
            s,
            ns::IMG_ANNOTATION_COUNT,
        );
        ImagingWire {
            cancer_conditions: self.texts(s, ns::IMG_CANCER_CONDITION),
            modalities: self.texts(s, ns::IMG_MODALITY),
            body_parts: self.texts(s, ns::IMG_BODY_PART),
            manufacturers: self.texts(s, ns::IMG_MANUFACTURER),
            birth_sex: self.texts(s, ns::IMG_BIRTH_SEX),
            collection_method: self.english(s, ns::IMG_COLLECTION_METHOD),
            annotations: method.map(|method| AnnotationsWire {
                labels,
                method,
                count: count.unwrap_or_default(),
            }),
            access_model: self.text(s, ns::IMG_ACCESS_MODEL),
        }
    }

    /// The DUO conditions in hdab's imaging namespace, if the record states any.
    pub(super) fn data_use(&self, s: Subject<'_>) -> Option<DataUseWire> {
        let codes: Vec<&'static str> = self
            .iris(s, ns::IMG_DATA_USE)
            .iter()
            .filter_map(|iri| DuoTerm::code_of_iri(iri))
            .collect();
        let (permissions, modifiers): (Vec<&str>, Vec<&str>) = codes
            .into_iter()
            .partition(|code| DuoPermission::CODES.contains(code));
        let permission = permissions.first()?;
        let mut modifiers: Vec<DuoConditionWire> = modifiers
            .into_iter()
            .map(|code| self.modifier(s, code))
            .collect();
        modifiers.sort_by(|a, b| a.code.cmp(&b.code));
        Some(DataUseWire {
            permission: DuoConditionWire {
                disease: self.text(s, ns::IMG_DUO_DISEASE),
                ..DuoConditionWire::bare(permission)
            },
            modifiers,
        })
    }

    pub(super) fn modifier(&self, s: Subject<'_>, code: &str) -> DuoConditionWire {
        let mut condition = DuoConditionWire::bare(code);
        match code {
            "TS" => {
                condition.months = self
                    .text(s, ns::IMG_DUO_MONTHS)
                    .and_then(|m| m.trim().parse().ok());
            }
            "MOR" => {
                condition.until = self
                    .text(s, ns::IMG_DUO_UNTIL)
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
            }
            "GS" => condition.countries = Some(self.countries(s, ns::IMG_DUO_COUNTRY)),
            _ => {}
        }
        condition
    }
}

/// Distributions in a stable order: by where they are reached, then their title.
pub(super) fn distribution_key(d: &DistributionWire) -> (&str, Option<&str>, Option<&str>) {
    (
        d.access_url.as_str(),
        d.download_url.as_deref(),
        d.title.as_deref(),
    )
}
