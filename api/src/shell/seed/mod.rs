//! `hdab seed`: the demo catalogue and synthetic catalogues for scale work. Both are
//! idempotent: organisations are matched by name and datasets by (publisher, identifier), so
//! running a seed again adds only what is missing. Everything goes through the same use cases
//! as the API, so the event log records it.

mod demo;
mod synthetic;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::catalogue::DatasetDetails;
use hdab_domain::committee::{CommitteeDetails, CommitteeMember, DecisionRule, MemberRole};
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::publisher::PublisherDetails;
use hdab_domain::values::{CountryCode, Email, HttpUrl, Name, Subject};
use hdab_openapi::catalogue::{
    AnnotationsWire, ContactPointWire, CustodianWire, DataUseWire, DatasetInput, DistributionWire,
    DuoConditionWire, ImagingWire, PeriodWire, VariableWire,
};
use hdab_persistence::{DbConnection, Pool, committees, datasets, events, publishers};

use crate::application;
use crate::edge::error::ApiError;

pub use synthetic::synthetic_input;

/// What a seed run added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub publishers: usize,
    pub committees: usize,
    pub datasets: usize,
    pub skipped: usize,
}

/// The actor seeds act as.
fn seeder() -> Result<Principal, ApiError> {
    Ok(Principal {
        subject: Subject::parse("system:seed").map_err(|e| ApiError::internal(e.message))?,
        roles: [Role::HdabAdmin].into_iter().collect(),
        publishers: Default::default(),
        committees: Default::default(),
    })
}

fn checked<T>(result: Result<T, hdab_domain::ValueError>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::internal(format!("seed data is invalid: {}", e.message)))
}

/// The licence of openly available data.
pub(crate) const OPEN_LICENCE: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The licence a distribution states: the open licence for PUBLIC data, else the holder's terms
/// of use under an EHDS data permit.
pub(crate) fn licence(access_rights: &str, homepage: &str) -> String {
    if access_rights == "PUBLIC" {
        OPEN_LICENCE.to_owned()
    } else {
        format!("{homepage}/data-permit-terms")
    }
}

/// Ensures the demo publishers and committees exist; returns their ids in table order.
fn organisations(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    report: &mut SeedReport,
) -> Result<(Vec<PublisherId>, Vec<CommitteeId>), ApiError> {
    let actor = seeder()?;
    let mut publisher_ids = Vec::new();
    for p in demo::PUBLISHERS {
        let id = match publishers::find_by_name(conn, &checked(Name::parse(p.name))?)? {
            Some(existing) => existing.id,
            None => {
                report.publishers += 1;
                let details = PublisherDetails {
                    name: checked(Name::parse(p.name))?,
                    country: checked(CountryCode::parse(p.country))?,
                    organisation_type: p.kind,
                    homepage: Some(checked(HttpUrl::parse(p.homepage))?),
                    contact_email: checked(Email::parse(p.email))?,
                    trusted_data_holder: p.trusted,
                };
                application::publishers::create(conn, actor.subject.as_str(), now, details)?.id
            }
        };
        publisher_ids.push(id);
    }
    let mut committee_ids = Vec::new();
    for c in demo::COMMITTEES {
        let id = match committees::find_by_name(conn, &checked(Name::parse(c.name))?)? {
            Some(existing) => existing.id,
            None => {
                report.committees += 1;
                let member = |subject: &str, role| -> Result<CommitteeMember, ApiError> {
                    Ok(CommitteeMember {
                        subject: checked(Subject::parse(subject))?,
                        role,
                    })
                };
                let mut members = vec![member(c.chair, MemberRole::Chair)?];
                for m in c.members {
                    members.push(member(m, MemberRole::Member)?);
                }
                let quorum = u32::try_from(members.len()).unwrap_or(1);
                let details = CommitteeDetails::new(
                    checked(Name::parse(c.name))?,
                    c.publishers.iter().map(|i| publisher_ids[*i]).collect(),
                    members,
                    DecisionRule::ChairDecides,
                    quorum,
                )
                .map_err(|e| ApiError::from(e.into_error()))?;
                application::committees::create(conn, actor.subject.as_str(), now, details)?.id
            }
        };
        committee_ids.push(id);
    }
    Ok((publisher_ids, committee_ids))
}

/// The committee of the demo table that serves publisher `index`.
fn committee_for(index: usize, committee_ids: &[CommitteeId]) -> Result<CommitteeId, ApiError> {
    demo::COMMITTEES
        .iter()
        .position(|c| c.publishers.contains(&index))
        .map(|position| committee_ids[position])
        .ok_or_else(|| ApiError::internal(format!("no demo committee serves publisher {index}")))
}

/// Loads the demo catalogue: 7 publishers, 3 committees, 31 published datasets.
pub fn demo(pool: &Pool, now: DateTime<Utc>) -> Result<SeedReport, ApiError> {
    let mut conn = pool.get().map_err(hdab_persistence::StoreError::from)?;
    let mut report = SeedReport::default();
    let (publisher_ids, committee_ids) = organisations(&mut conn, now, &mut report)?;
    let inputs = demo::DATASETS
        .iter()
        .map(|d| {
            Ok((
                publisher_ids[d.publisher],
                demo_input(
                    d,
                    publisher_ids[d.publisher],
                    committee_for(d.publisher, &committee_ids)?,
                )?,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    import(&mut conn, now, inputs, &mut Known::new(), &mut report)?;
    Ok(report)
}

/// Loads `count` synthetic datasets spread over the demo organisations, in batches.
pub fn synthetic(pool: &Pool, count: usize, now: DateTime<Utc>) -> Result<SeedReport, ApiError> {
    let mut conn = pool.get().map_err(hdab_persistence::StoreError::from)?;
    let mut report = SeedReport::default();
    let (publisher_ids, committee_ids) = organisations(&mut conn, now, &mut report)?;
    const BATCH: usize = 1_000;
    let mut known = Known::new();
    let mut start = 0;
    while start < count {
        let end = (start + BATCH).min(count);
        let inputs = (start..end)
            .map(|i| {
                let publisher = i % publisher_ids.len();
                let input = synthetic_input(
                    i,
                    publisher_ids[publisher],
                    committee_for(publisher, &committee_ids)?,
                );
                Ok((publisher_ids[publisher], input))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        import(&mut conn, now, inputs, &mut known, &mut report)?;
        start = end;
    }
    Ok(report)
}

/// Per publisher, the dataset identifiers it has: loaded once per seed run, then kept current,
/// so batches do not each reload every identifier.
type Known = BTreeMap<PublisherId, std::collections::HashSet<String>>;

/// Publishes every input whose identifier its publisher does not have yet, in one transaction.
fn import(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    inputs: Vec<(PublisherId, DatasetInput)>,
    known: &mut Known,
    report: &mut SeedReport,
) -> Result<(), ApiError> {
    let actor = seeder()?;
    events::write(conn, |tx| {
        for (publisher, input) in &inputs {
            if !known.contains_key(publisher) {
                known.insert(
                    *publisher,
                    datasets::identifiers_of(tx, *publisher)?
                        .into_iter()
                        .collect(),
                );
            }
            if known
                .get(publisher)
                .is_some_and(|ids| ids.contains(&input.identifier))
            {
                report.skipped += 1;
                continue;
            }
            let details = DatasetDetails::try_from(input).map_err(|e| {
                ApiError::internal(format!(
                    "seed dataset {} is invalid: {e:?}",
                    input.identifier
                ))
            })?;
            application::datasets::import_published(tx, &actor, now, details)?;
            if let Some(ids) = known.get_mut(publisher) {
                ids.insert(input.identifier.clone());
            }
            report.datasets += 1;
        }
        Ok::<(), ApiError>(())
    })
}

/// The parameters demo DUO modifiers take.
fn modifier(code: &str, country: &str) -> DuoConditionWire {
    let mut wire = DuoConditionWire::bare(code);
    match code {
        "TS" => wire.months = Some(24),
        "MOR" => wire.until = NaiveDate::from_ymd_opt(2027, 6, 30),
        "GS" => {
            wire.countries = Some(vec![
                country.to_owned(),
                "DE".into(),
                "FR".into(),
                "NL".into(),
            ])
        }
        _ => {}
    }
    wire
}

/// Clinical variables most imaging collections ship beside the images.
fn clinical_variables() -> Vec<VariableWire> {
    [
        (
            "age_at_imaging",
            "Age at imaging",
            "integer",
            "Age in years at the index imaging study.",
        ),
        ("sex", "Birth sex", "string", "Birth sex of the subject."),
        (
            "diagnosis_icd10",
            "Diagnosis",
            "string",
            "Primary diagnosis, ICD-10.",
        ),
        (
            "stage",
            "Stage",
            "string",
            "TNM or equivalent clinical stage at diagnosis.",
        ),
        (
            "vital_status",
            "Vital status",
            "boolean",
            "Alive at last follow-up.",
        ),
    ]
    .into_iter()
    .map(|(name, title, datatype, description)| VariableWire {
        name: name.into(),
        title: title.into(),
        datatype: datatype.into(),
        description: description.into(),
        property_url: None,
    })
    .collect()
}

fn birth_sex(body_parts: &[&str]) -> Vec<String> {
    let female = ["BREAST", "CERVIX", "UTERUS", "OVARY"];
    if body_parts.iter().any(|p| female.contains(p)) && !body_parts.contains(&"CHEST") {
        vec!["female".into()]
    } else if body_parts.contains(&"PROSTATE") {
        vec!["male".into()]
    } else {
        vec!["female".into(), "male".into()]
    }
}

fn demo_input(
    d: &demo::DemoDataset,
    publisher_id: PublisherId,
    committee_id: CommitteeId,
) -> Result<DatasetInput, ApiError> {
    let publisher = &demo::PUBLISHERS[d.publisher];
    let with_local = |english: &str, local: Option<(&str, &str)>| {
        let mut texts = BTreeMap::from([("en".to_owned(), english.to_owned())]);
        if let Some((language, text)) = local {
            texts.insert(language.to_owned(), text.to_owned());
        }
        texts
    };
    let mut languages = vec!["en".to_owned()];
    if let Some((language, _)) = d.local_title {
        languages.push(language.to_owned());
    }
    let mut permission = DuoConditionWire::bare(d.permission.0);
    permission.disease = d.permission.1.map(str::to_owned);
    let year_start = NaiveDate::from_ymd_opt(d.years.0, 1, 1);
    let year_end = NaiveDate::from_ymd_opt(d.years.1, 12, 31);
    Ok(DatasetInput {
        identifier: d.identifier.to_owned(),
        publisher_id: publisher_id.as_uuid(),
        committee_id: committee_id.as_uuid(),
        title: with_local(d.title, d.local_title),
        description: with_local(d.description, d.local_description),
        keywords: BTreeMap::from([(
            "en".to_owned(),
            d.keywords.iter().map(|k| (*k).to_owned()).collect(),
        )]),
        access_rights: d.access_rights.to_owned(),
        health_categories: vec!["EHRS".into()],
        dataset_type: Some(
            if d.annotations.is_some() {
                "TRAINING_DATA"
            } else {
                "TEST_DATA"
            }
            .to_owned(),
        ),
        provenance: Some(format!(
            "Images acquired in clinical care and research at {} between {} and {}, de-identified (DICOM PS3.15 basic profile) and curated by the holder's imaging data office.",
            publisher.name, d.years.0, d.years.1
        )),
        contact_point: Some(ContactPointWire {
            email: publisher.email.to_owned(),
            url: Some(format!("{}/contact", publisher.homepage)),
        }),
        landing_page: Some(format!(
            "{}/datasets/{}",
            publisher.homepage,
            d.identifier.to_lowercase()
        )),
        languages,
        countries: vec![publisher.country.to_owned()],
        temporal: match (year_start, year_end) {
            (Some(start), Some(end)) => Some(PeriodWire { start, end }),
            _ => None,
        },
        distributions: vec![DistributionWire {
            title: Some("DICOM studies with clinical data".into()),
            access_url: format!(
                "{}/datasets/{}/access",
                publisher.homepage,
                d.identifier.to_lowercase()
            ),
            download_url: None,
            format: Some("ZIP".into()),
            media_type: Some("application/zip".into()),
            byte_size: Some(i64::from(d.studies) * 180_000_000),
            license: Some(licence(d.access_rights, publisher.homepage)),
        }],
        has_structured_data: true,
        variables: clinical_variables(),
        min_typical_age: Some(d.ages.0),
        max_typical_age: Some(d.ages.1),
        number_of_records: Some(d.studies),
        number_of_unique_individuals: Some(d.subjects),
        population_coverage: Some(format!(
            "Patients aged {} to {} imaged at {}.",
            d.ages.0, d.ages.1, publisher.name
        )),
        quality_label: publisher.trusted.then(|| {
            format!(
                "{}/quality-label/{}",
                publisher.homepage,
                d.identifier.to_lowercase()
            )
        }),
        sample: (d.access_rights == "PUBLIC").then(|| DistributionWire {
            title: Some("Ten example studies".into()),
            access_url: format!("{}/datasets/{}/sample", publisher.homepage, d.identifier.to_lowercase()),
            download_url: None,
            format: Some("ZIP".into()),
            media_type: Some("application/zip".into()),
            byte_size: None,
            license: Some(OPEN_LICENCE.into()),
        }),
        analytics: Vec::new(),
        custodian: Some(CustodianWire { name: format!("{} imaging data office", publisher.name), email: publisher.email.to_owned() }),
        purposes: vec!["Secondary use for cancer imaging research and the development of imaging AI under EHDS Art 53(1)(e).".into()],
        legal_bases: vec!["Regulation (EU) 2025/327 (European Health Data Space), Chapter IV, under a data permit.".into()],
        personal_data: vec!["Age".into(), "Gender".into(), "HealthRecord".into()],
        retention_period: match (year_start, NaiveDate::from_ymd_opt(d.years.1 + 25, 12, 31)) {
            (Some(start), Some(end)) => Some(PeriodWire { start, end }),
            _ => None,
        },
        temporal_resolution: None,
        accrual_periodicity: Some(if d.identifier.contains("SCREEN") { "ANNUAL" } else { "IRREG" }.to_owned()),
        conforms_to: vec!["DICOM".into()],
        referenced_by: Vec::new(),
        relations: Vec::new(),
        pages: vec![format!("{}/datasets/{}/documentation", publisher.homepage, d.identifier.to_lowercase())],
        imaging: ImagingWire {
            cancer_conditions: d.conditions.iter().map(|c| (*c).to_owned()).collect(),
            modalities: d.modalities.iter().map(|m| (*m).to_owned()).collect(),
            body_parts: d.body_parts.iter().map(|b| (*b).to_owned()).collect(),
            manufacturers: d.manufacturers.iter().map(|m| (*m).to_owned()).collect(),
            birth_sex: birth_sex(d.body_parts),
            collection_method: Some(
                if d.identifier.contains("SCREEN") {
                    "Prospective screening programme"
                } else {
                    "Retrospective collection from clinical care"
                }
                .into(),
            ),
            annotations: d
                .annotations
                .map(|(labels, method, count)| AnnotationsWire {
                    labels: labels.iter().map(|l| (*l).to_owned()).collect(),
                    method: method.to_owned(),
                    count,
                }),
            access_model: Some(d.access_model.to_owned()),
        },
        data_use: DataUseWire {
            permission,
            modifiers: d
                .modifiers
                .iter()
                .map(|m| modifier(m, publisher.country))
                .collect(),
        },
    })
}
