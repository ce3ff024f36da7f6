//! `hdab seed --applications N`: synthetic access applications for scale work, by synthetic
//! researchers for the catalogue's published datasets, through the same use cases as the API.
//! Every application is submitted (so it is in the register); every other one is declared
//! complete (so it waits in its committee's review queue).

use chrono::{DateTime, Utc};
use hdab_domain::applications::Command;
use hdab_domain::applications::form::{
    AccessDetails, ApplicationForm, DataForm, DeclaredUse, KindDetails, Organisation, Person,
    Purpose, PurposeStatement, RequestedData,
};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::text::{LongText, ShortText};
use hdab_domain::ids::DatasetId;
use hdab_domain::publisher::OrganisationType;
use hdab_domain::values::{CountryCode, Email, Name, Subject};
use hdab_persistence::datasets::{self, DatasetFilter};
use hdab_persistence::{Pool, events};

use super::{checked, seeder};
use crate::application::AppError;
use crate::application::applications::{self, ApplicationSettings, Request};

/// Applications per write transaction.
const BATCH: usize = 250;

/// How many distinct researchers file them.
const RESEARCHERS: usize = 500;

const ORGANISATIONS: [(&str, OrganisationType, &str); 5] = [
    ("Universität Heidelberg", OrganisationType::Academic, "DE"),
    ("Institut Curie", OrganisationType::NonProfit, "FR"),
    ("Karolinska Institutet", OrganisationType::Academic, "SE"),
    (
        "Istituto Superiore di Sanità",
        OrganisationType::PublicSectorBody,
        "IT",
    ),
    ("Radiomics Labs BV", OrganisationType::Commercial, "NL"),
];

const DISEASES: [&str; 5] = ["C34.1", "C50", "C61", "C71", "C18"];

/// Seeds `count` applications; how many were added.
pub fn applications(
    pool: &Pool,
    settings: &ApplicationSettings,
    count: usize,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut conn = pool.get()?;
    let published = datasets::list(
        &mut conn,
        &DatasetFilter {
            status: Some("published"),
            ..DatasetFilter::default()
        },
        None,
        1_000,
    )?
    .items;
    if published.is_empty() {
        return Err(AppError::internal(
            "no published dataset to apply for: seed a catalogue first (--demo or --synthetic N)",
        ));
    }
    let admin = seeder()?;
    let mut added = 0;
    while added < count {
        let batch = (added..(added + BATCH).min(count)).collect::<Vec<_>>();
        events::write(&mut conn, |tx| {
            for &i in &batch {
                let researcher = researcher(i)?;
                let dataset = published[i % published.len()].id;
                let draft =
                    applications::create_in(tx, settings, &researcher, now, form(i, dataset)?)?;
                applications::act_in(tx, settings, &researcher, now, draft.id, Request::Submit)?;
                if i.is_multiple_of(2) {
                    applications::act_in(
                        tx,
                        settings,
                        &admin,
                        now,
                        draft.id,
                        Request::Command(Command::Accept),
                    )?;
                }
            }
            Ok::<_, AppError>(())
        })?;
        added += batch.len();
    }
    Ok(added)
}

fn researcher(i: usize) -> Result<Principal, AppError> {
    Ok(Principal {
        subject: checked(Subject::parse(&format!(
            "researcher-{}@bench.example",
            i % RESEARCHERS
        )))?,
        roles: [Role::Researcher].into_iter().collect(),
        publishers: Default::default(),
        committees: Default::default(),
    })
}

/// The `i`th synthetic application, complete and within the EHDS rules.
fn form(i: usize, dataset: DatasetId) -> Result<ApplicationForm, AppError> {
    let (name, organisation_type, country) = ORGANISATIONS[i % ORGANISATIONS.len()];
    let purpose = if organisation_type.is_public_sector() && i.is_multiple_of(3) {
        Purpose::PublicHealth
    } else {
        [
            Purpose::ScientificResearch,
            Purpose::Education,
            Purpose::CareImprovement,
        ][i % 3]
    };
    let text = |s: &str| checked(LongText::parse(s));
    let subject = format!("researcher-{}@bench.example", i % RESEARCHERS);
    Ok(ApplicationForm {
        organisation: Some(Organisation {
            name: checked(Name::parse(name))?,
            organisation_type,
            country: checked(CountryCode::parse(country))?,
        }),
        principal_investigator: Some(Person {
            subject: checked(Subject::parse(&subject))?,
            name: checked(Name::parse(&format!("Researcher {}", i % RESEARCHERS)))?,
            email: checked(Email::parse(&subject))?,
        }),
        purpose: Some(PurposeStatement {
            purpose,
            research_kind: None,
            explanation: text(&format!("Synthetic application {i} for scale testing."))?,
            expected_benefit: text("Measured throughput.")?,
        }),
        dataset_ids: vec![dataset],
        declared_use: DeclaredUse {
            diseases: vec![checked(IcdCode::parse(DISEASES[i % DISEASES.len()]))?],
            commercial_use: organisation_type == OrganisationType::Commercial,
            for_profit_organisation: organisation_type == OrganisationType::Commercial,
            publication_intended: true,
            ..DeclaredUse::default()
        },
        prohibited_uses: Vec::new(),
        art_54_declaration: true,
        details: KindDetails::Access(AccessDetails {
            data: Some(RequestedData {
                variables: vec![checked(ShortText::parse("age_at_imaging"))?],
                population: text("All subjects.")?,
                period: None,
                countries: Vec::new(),
            }),
            data_form: Some(DataForm::Anonymised),
            safeguards: Some(text(
                "Processing inside the secure processing environment.",
            )?),
            processing_months: Some(12 + (i % 4) as u32 * 12),
            ..AccessDetails::default()
        }),
    })
}
