//! A dataset's structured variables (CSV on the Web) and its cancer-imaging profile.

use super::identity::CatalogueIdentity;
use super::triples::{Node, Triples};
use super::vocabulary::{EU_AUTHORITY, HEALTH_AUTHORITY, ns};
use hdab_domain::catalogue::Dataset;
use hdab_domain::catalogue::duo::DuoModifier;
use oxrdf::vocab::xsd;

impl CatalogueIdentity {
    pub(super) fn variables<'a>(&self, t: &mut Triples<'a>, s: Node, dataset: &'a Dataset) {
        let variables = &dataset.details.variables;
        if variables.is_empty() {
            return;
        }
        let group = t.part(s, ns::HEALTH_VARIABLES, "variables", ns::CSVW_TABLE_GROUP);
        let table = t.fragment(s, "variables-table");
        let title = format!("Variables of {}", dataset.details.title.english());
        t.lang(group, ns::DCT_TITLE, title.clone(), "en");
        t.link(group, ns::CSVW_TABLE, table);
        t.class(table, ns::CSVW_TABLE_CLASS);
        t.lang(table, ns::DCT_TITLE, title, "en");
        for (index, variable) in variables.iter().enumerate() {
            let column = t.fragment(s, &format!("variable-{}", index + 1));
            t.link(table, ns::CSVW_COLUMN, column);
            t.class(column, ns::CSVW_COLUMN_CLASS);
            t.text(column, ns::CSVW_NAME, variable.name.as_str());
            t.lang(column, ns::CSVW_TITLE, variable.title.as_str(), "en");
            t.text(column, ns::CSVW_DATATYPE, variable.datatype.as_str());
            let description = variable.description.as_str();
            t.lang(column, ns::DCT_DESCRIPTION, description, "en");
            if let Some(url) = &variable.property_url {
                t.iri(column, ns::CSVW_PROPERTY_URL, url.as_str());
            }
        }
    }

    /// The cancer-imaging extensions, in hdab's imaging namespace, and the DUO conditions.
    pub(super) fn imaging<'a>(&self, t: &mut Triples<'a>, s: Node, dataset: &'a Dataset) {
        let imaging = &dataset.details.imaging;
        for code in &imaging.cancer_conditions {
            t.text(s, ns::IMG_CANCER_CONDITION, code.as_str());
            t.text(s, ns::HEALTH_CODE_VALUES, code.as_str());
        }
        if !imaging.cancer_conditions.is_empty() {
            t.typed_iri(
                s,
                ns::HEALTH_CODING_SYSTEM,
                [HEALTH_AUTHORITY, "/coding-system/ICD-10"],
                ns::DCT_STANDARD,
            );
        }
        for modality in &imaging.modalities {
            t.text(s, ns::IMG_MODALITY, modality.as_str());
        }
        for part in &imaging.body_parts {
            t.text(s, ns::IMG_BODY_PART, part.as_str());
        }
        for manufacturer in &imaging.manufacturers {
            t.text(s, ns::IMG_MANUFACTURER, manufacturer.as_str());
        }
        for sex in &imaging.birth_sex {
            t.text(s, ns::IMG_BIRTH_SEX, sex.as_str());
        }
        if let Some(method) = &imaging.collection_method {
            t.lang(s, ns::IMG_COLLECTION_METHOD, method.as_str(), "en");
        }
        if let Some(model) = imaging.access_model {
            t.text(s, ns::IMG_ACCESS_MODEL, model.as_str());
        }
        if let Some(annotations) = &imaging.annotations {
            for label in &annotations.labels {
                t.text(s, ns::IMG_ANNOTATION_LABEL, label.as_str());
            }
            t.text(s, ns::IMG_ANNOTATION_METHOD, annotations.method.as_str());
            t.count(s, ns::IMG_ANNOTATION_COUNT, Some(annotations.count));
        }
        let data_use = &dataset.details.data_use;
        t.iri(s, ns::IMG_DATA_USE, data_use.permission.term().iri());
        if let hdab_domain::catalogue::duo::DuoPermission::DiseaseSpecific(disease) =
            &data_use.permission
        {
            t.text(s, ns::IMG_DUO_DISEASE, disease.as_str());
        }
        for modifier in &data_use.modifiers {
            t.iri(s, ns::IMG_DATA_USE, modifier.term().iri());
            match modifier {
                DuoModifier::TimeLimit(months) => t.count(s, ns::IMG_DUO_MONTHS, Some(months)),
                DuoModifier::PublicationMoratorium(until) => {
                    t.typed(s, ns::IMG_DUO_UNTIL, until.to_string(), xsd::DATE)
                }
                DuoModifier::GeographicalRestriction(countries) => {
                    for country in countries {
                        t.iri(
                            s,
                            ns::IMG_DUO_COUNTRY,
                            [EU_AUTHORITY, "/country/", country.alpha_3()],
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
