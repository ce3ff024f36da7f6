use super::*;
use crate::DomainError;
use crate::catalogue::duo::DuoPermission;
use crate::ids::DatasetId;
use chrono::{Duration, Utc};

fn text(s: &str) -> LocalizedText {
    LocalizedText::new(BTreeMap::from([(
        LanguageTag::english(),
        LongText::parse(s).unwrap(),
    )]))
    .unwrap()
}

/// A valid PUBLIC description.
pub(crate) fn details() -> DatasetDetails {
    DatasetDetails::new(draft(AccessRights::Public)).unwrap()
}

fn draft(access_rights: AccessRights) -> DatasetDraft {
    DatasetDraft {
        identifier: ShortText::parse("LUNG-CT-1").unwrap(),
        publisher_id: PublisherId::generate(),
        committee_id: CommitteeId::generate(),
        title: text("Lung CT screening"),
        description: text("Low-dose CT"),
        keywords: BTreeMap::new(),
        access_rights,
        health_categories: vec![HealthCategory::Ehrs],
        dataset_type: None,
        provenance: None,
        contact_point: None,
        landing_page: None,
        languages: vec![],
        countries: vec![],
        temporal: None,
        distributions: vec![Distribution {
            title: None,
            access_url: HttpUrl::parse("https://example.org/access").unwrap(),
            download_url: None,
            format: None,
            media_type: None,
            byte_size: None,
            license: None,
        }],
        has_structured_data: false,
        variables: vec![],
        min_typical_age: None,
        max_typical_age: None,
        number_of_records: None,
        number_of_unique_individuals: None,
        population_coverage: None,
        quality_label: None,
        sample: None,
        analytics: vec![],
        custodian: None,
        purposes: vec![],
        legal_bases: vec![],
        personal_data: vec![],
        retention_period: None,
        temporal_resolution: None,
        accrual_periodicity: None,
        conforms_to: vec![],
        referenced_by: vec![],
        relations: vec![],
        pages: vec![],
        imaging: ImagingProfile::default(),
        data_use: DataUseConditions {
            permission: DuoPermission::GeneralResearchUse,
            modifiers: vec![],
        },
    }
}

fn failing_fields(draft: DatasetDraft) -> Vec<String> {
    match DatasetDetails::new(draft).unwrap_err().into_error() {
        DomainError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_public_dataset_needs_only_the_common_minimum() {
    assert!(DatasetDetails::new(draft(AccessRights::Public)).is_ok());
}

#[test]
fn non_public_datasets_need_contact_point_keywords_type_and_provenance_healthdcat_ap() {
    assert_eq!(
        failing_fields(draft(AccessRights::NonPublic)),
        ["contact_point", "keywords", "dataset_type", "provenance"]
    );
}

#[test]
fn every_dataset_needs_a_distribution_and_an_art_51_health_category() {
    let mut bare = draft(AccessRights::Restricted);
    bare.distributions.clear();
    bare.health_categories.clear();
    assert_eq!(failing_fields(bare), ["distributions", "health_categories"]);
}

#[test]
fn structured_data_must_list_its_variables() {
    let mut structured = draft(AccessRights::Public);
    structured.has_structured_data = true;
    assert_eq!(failing_fields(structured), ["variables"]);
}

#[test]
fn the_minimum_age_is_not_above_the_maximum() {
    let mut ages = draft(AccessRights::Public);
    ages.min_typical_age = Some(70);
    ages.max_typical_age = Some(40);
    assert_eq!(failing_fields(ages), ["min_typical_age"]);
}

#[test]
fn a_description_changes_when_it_goes_stale() {
    let confirmed = Utc::now() - Duration::days(400);
    let dataset = Dataset::new(
        DatasetId::generate(),
        DatasetDetails::new(draft(AccessRights::Public)).unwrap(),
        DatasetStatus::Published,
        confirmed,
    );
    assert_eq!(dataset.changed_at(confirmed), confirmed);
    assert_eq!(
        dataset.changed_at(Utc::now()),
        confirmed + Duration::days(RECONFIRMATION_INTERVAL_DAYS)
    );
}

#[test]
fn a_description_goes_stale_a_year_after_its_last_confirmation_art_60() {
    let confirmed = Utc::now();
    let dataset = Dataset {
        id: DatasetId::generate(),
        details: DatasetDetails::new(draft(AccessRights::Public)).unwrap(),
        status: DatasetStatus::Published,
        version: 1,
        created_at: confirmed,
        modified_at: confirmed,
        issued_at: Some(confirmed),
        confirmed_at: confirmed,
    };
    assert!(!dataset.is_stale(confirmed + Duration::days(365)));
    assert!(dataset.is_stale(confirmed + Duration::days(366)));
}

#[test]
fn the_lifecycle_never_repeats_a_state_change() {
    use DatasetStatus::*;
    for status in DatasetStatus::ALL {
        for action in [Lifecycle::Publish, Lifecycle::Withdraw] {
            let expected = match action {
                Lifecycle::Publish => Published,
                Lifecycle::Withdraw => Withdrawn,
            };
            match status.after(action) {
                Ok(next) => assert_eq!(next, expected),
                Err(error) => {
                    assert_eq!(*status, expected, "only a repeat is refused: {error}")
                }
            }
        }
    }
}

#[test]
fn durations_follow_iso_8601() {
    for ok in ["P1M", "P1Y6M", "PT12H", "P1DT2H", "P2W"] {
        assert!(IsoDuration::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["", "P", "PT", "1M", "P1", "PM", "P1M1Y", "P1H"] {
        assert_eq!(
            IsoDuration::parse(bad).unwrap_err().code,
            "invalid_duration",
            "{bad}"
        );
    }
}

#[test]
fn authority_codes_and_personal_data_terms_have_their_forms() {
    assert!(AuthorityCode::parse("SNOMED-CT").is_ok());
    assert!(AuthorityCode::parse("zip").is_err());
    assert!(PersonalDataCategory::parse("HealthRecord").is_ok());
    assert!(PersonalDataCategory::parse("health record").is_err());
}

#[test]
fn periods_do_not_end_before_they_start() {
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    assert!(Period::new(day(1), day(1)).is_ok());
    assert_eq!(
        Period::new(day(2), day(1)).unwrap_err().code,
        "start_after_end"
    );
}
