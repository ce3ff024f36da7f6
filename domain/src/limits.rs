//! How long lists in descriptions may be. The limits are generous for real catalogues (the
//! largest public imaging collections list a handful of distributions and a few hundred
//! variables) and keep one description, and a page of them, bounded: without them a 1 MB
//! dataset with 20,000 distributions became 17 MB of JSON-LD, and a catalogue page of such
//! datasets over a gigabyte for one anonymous request.

use crate::applications::form::ProhibitedUse;
use crate::codes;
use crate::{FieldErrors, ValueError};

/// Languages a multilingual text (title, description, keywords) may have: the EU's 24
/// official languages and room for regional and minority ones.
pub const LANGUAGES: usize = 40;
pub const KEYWORDS_PER_LANGUAGE: usize = 100;
pub const HEALTH_CATEGORIES: usize = 30;
pub const COUNTRIES: usize = 100;
pub const DISTRIBUTIONS: usize = 200;
pub const VARIABLES: usize = 2_000;
pub const ANALYTICS: usize = 100;
pub const PURPOSES: usize = 50;
pub const LEGAL_BASES: usize = 50;
pub const PERSONAL_DATA: usize = 100;
pub const STANDARDS: usize = 50;
pub const REFERENCES: usize = 500;
pub const RELATIONS: usize = 200;
pub const PAGES: usize = 50;
pub const CANCER_CONDITIONS: usize = 200;
pub const MODALITIES: usize = 50;
pub const BODY_PARTS: usize = 100;
pub const MANUFACTURERS: usize = 100;
pub const BIRTH_SEXES: usize = 5;
pub const ANNOTATION_LABELS: usize = 1_000;
pub const DUO_MODIFIERS: usize = 20;
/// Publishers one committee serves: a national HDAB's committee may serve hundreds.
pub const COMMITTEE_PUBLISHERS: usize = 500;
pub const COMMITTEE_MEMBERS: usize = 200;
/// Datasets one application names.
pub const APPLICATION_DATASETS: usize = 100;
/// People one application authorises to work in the secure processing environment.
pub const AUTHORISED_PERSONS: usize = 100;
pub const REQUESTED_VARIABLES: usize = 2_000;
pub const SPE_TOOLS: usize = 50;
pub const EXPECTED_TABLES: usize = 100;
pub const DECLARED_DISEASES: usize = 50;
pub const OVERRIDES: usize = 100;
pub const WEBHOOK_EVENT_TYPES: usize = 100;

/// The most items the list at `field` may hold, by its path in a request (`distributions`,
/// `imaging.modalities`, `keywords.de`, `data_use.modifiers[2].countries`).
pub fn max_items(field: &str) -> Option<usize> {
    let max = match field {
        "title" | "description" | "keywords" | "languages" => LANGUAGES,
        "health_categories" => HEALTH_CATEGORIES,
        "countries" => COUNTRIES,
        "distributions" => DISTRIBUTIONS,
        "variables" => VARIABLES,
        "analytics" => ANALYTICS,
        "purposes" => PURPOSES,
        "legal_bases" => LEGAL_BASES,
        "personal_data" => PERSONAL_DATA,
        "conforms_to" => STANDARDS,
        "referenced_by" => REFERENCES,
        "relations" => RELATIONS,
        "pages" => PAGES,
        "imaging.cancer_conditions" => CANCER_CONDITIONS,
        "imaging.modalities" => MODALITIES,
        "imaging.body_parts" => BODY_PARTS,
        "imaging.manufacturers" => MANUFACTURERS,
        "imaging.birth_sex" => BIRTH_SEXES,
        "imaging.annotations.labels" => ANNOTATION_LABELS,
        "data_use.modifiers" => DUO_MODIFIERS,
        "publisher_ids" => COMMITTEE_PUBLISHERS,
        "members" => COMMITTEE_MEMBERS,
        "dataset_ids" => APPLICATION_DATASETS,
        "access.authorised_persons" => AUTHORISED_PERSONS,
        "access.data.variables" => REQUESTED_VARIABLES,
        "access.data.countries" => COUNTRIES,
        "access.spe_tools" => SPE_TOOLS,
        "data_request.expected_tables" => EXPECTED_TABLES,
        "declared_use.diseases" => DECLARED_DISEASES,
        "prohibited_uses" => ProhibitedUse::ALL.len(),
        "overrides" => OVERRIDES,
        "event_types" => WEBHOOK_EVENT_TYPES,
        keywords if keywords.starts_with("keywords.") => KEYWORDS_PER_LANGUAGE,
        countries
            if countries.starts_with("data_use.modifiers[")
                && countries.ends_with("].countries") =>
        {
            COUNTRIES
        }
        _ => return None,
    };
    Some(max)
}

/// The error for a list of `len` items where at most `max` are allowed, if it is one.
pub fn at_most(len: usize, max: usize) -> Result<(), ValueError> {
    if len > max {
        return Err(ValueError::new(
            codes::TOO_MANY,
            format!("must have at most {max} items (has {len})"),
        ));
    }
    Ok(())
}

/// Records under `field` when a list of `len` items is over that field's limit; `true` when
/// within (or the field has no limit).
pub fn check(errors: &mut FieldErrors, field: &str, len: usize) -> bool {
    match max_items(field) {
        Some(max) => errors.take(field, at_most(len, max)).is_some(),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_field_has_its_limit() {
        assert_eq!(max_items("distributions"), Some(DISTRIBUTIONS));
        assert_eq!(max_items("keywords.de"), Some(KEYWORDS_PER_LANGUAGE));
        assert_eq!(
            max_items("data_use.modifiers[3].countries"),
            Some(COUNTRIES)
        );
        assert_eq!(max_items("identifier"), None);
    }

    #[test]
    fn a_list_over_its_limit_names_the_limit() {
        assert!(at_most(200, DISTRIBUTIONS).is_ok());
        let error = at_most(201, DISTRIBUTIONS).unwrap_err();
        assert_eq!(error.code, "too_many");
        assert!(error.message.contains("at most 200"), "{}", error.message);
    }
}
