//! `hdab seed`: the demo catalogue and synthetic catalogues for scale work. Both are
//! idempotent: organisations are matched by name and datasets by (publisher, identifier), so
//! running a seed again adds only what is missing. Everything goes through the same use cases
//! as the API, so the event log records it.

mod applications;
pub(crate) mod demo;
mod synthetic;

use demo::DemoCatalogue;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::catalogue::DatasetDetails;
use hdab_domain::committee::{CommitteeDetails, CommitteeMember, DecisionRule, MemberRole};
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::publisher::PublisherDetails;
use hdab_domain::values::{Name, Subject};
use hdab_openapi::catalogue::DatasetInput;
use hdab_persistence::{DbConnection, Pool, committees, datasets, events, publishers};

use crate::application::{self, AppError};

pub use applications::applications;
pub use synthetic::{ACCESS, CANCERS, COUNTRIES, Cancer, synthetic_input};

/// What a seed run added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub publishers: usize,
    pub committees: usize,
    pub datasets: usize,
    pub skipped: usize,
}

/// The actor seeds act as.
fn seeder() -> Result<Principal, AppError> {
    Ok(Principal {
        subject: Subject::parse("system:seed").map_err(|e| AppError::internal(e.message))?,
        roles: [Role::HdabAdmin].into_iter().collect(),
        publishers: Default::default(),
        committees: Default::default(),
    })
}

fn checked<T>(result: Result<T, hdab_domain::ValueError>) -> Result<T, AppError> {
    result.map_err(|e| AppError::internal(format!("seed data is invalid: {}", e.message)))
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

/// The demo organisations, created where missing: publisher and committee ids by name.
struct Organisations {
    publishers: BTreeMap<String, PublisherId>,
    /// Each committee's id and the names of the publishers it serves, in table order.
    committees: Vec<(CommitteeId, Vec<String>)>,
}

impl Organisations {
    /// The committee that serves `publisher` (the first that does).
    fn committee_for(&self, publisher: &str) -> Result<CommitteeId, AppError> {
        self.committees
            .iter()
            .find(|(_, serves)| serves.iter().any(|p| p == publisher))
            .map(|(id, _)| *id)
            .ok_or_else(|| AppError::internal(format!("no demo committee serves {publisher}")))
    }

    fn publisher(&self, name: &str) -> Result<PublisherId, AppError> {
        self.publishers
            .get(name)
            .copied()
            .ok_or_else(|| AppError::internal(format!("no demo publisher is called {name}")))
    }
}

/// Ensures the demo publishers and committees exist.
fn organisations(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    demo: &DemoCatalogue,
    report: &mut SeedReport,
) -> Result<Organisations, AppError> {
    let actor = seeder()?;
    let mut publisher_ids = BTreeMap::new();
    for p in &demo.publishers {
        let details = PublisherDetails::try_from(p.clone())?;
        let id = match publishers::find_by_name(conn, &details.name)? {
            Some(existing) => existing.id,
            None => {
                report.publishers += 1;
                application::publishers::create(conn, actor.subject.as_str(), now, details)?.id
            }
        };
        publisher_ids.insert(p.name.clone(), id);
    }
    let mut organisations = Organisations {
        publishers: publisher_ids,
        committees: Vec::new(),
    };
    for c in &demo.committees {
        let name = checked(Name::parse(&c.name))?;
        let id = match committees::find_by_name(conn, &name)? {
            Some(existing) => existing.id,
            None => {
                report.committees += 1;
                let details = committee_details(c, name, &organisations)?;
                application::committees::create(conn, actor.subject.as_str(), now, details)?.id
            }
        };
        organisations.committees.push((id, c.publishers.clone()));
    }
    Ok(organisations)
}

/// A demo committee: its chair decides, every member counts towards the quorum.
fn committee_details(
    c: &demo::DemoCommittee,
    name: Name,
    organisations: &Organisations,
) -> Result<CommitteeDetails, AppError> {
    let member = |subject: &str, role| -> Result<CommitteeMember, AppError> {
        Ok(CommitteeMember {
            subject: checked(Subject::parse(subject))?,
            role,
            organisation: None,
        })
    };
    let mut members = vec![member(&c.chair, MemberRole::Chair)?];
    for m in &c.members {
        members.push(member(m, MemberRole::Member)?);
    }
    let publishers = c
        .publishers
        .iter()
        .map(|p| organisations.publisher(p))
        .collect::<Result<Vec<_>, _>>()?;
    let quorum = u32::try_from(members.len()).unwrap_or(1);
    CommitteeDetails::new(
        name,
        publishers,
        members,
        DecisionRule::ChairDecides,
        quorum,
    )
    .map_err(|e| AppError::Domain(e.into_error()))
}

/// Loads the demo catalogue: 7 publishers, 3 committees, 31 published datasets.
pub fn demo(pool: &Pool, now: DateTime<Utc>) -> Result<SeedReport, AppError> {
    let demo = demo::catalogue().map_err(AppError::internal)?;
    let mut conn = pool.get()?;
    let mut report = SeedReport::default();
    let organisations = organisations(&mut conn, now, &demo, &mut report)?;
    let inputs = demo
        .datasets
        .iter()
        .map(|d| {
            let publisher = organisations.publisher(&d.publisher)?;
            let committee = organisations.committee_for(&d.publisher)?;
            let input = d
                .input(&publisher.to_string(), &committee.to_string())
                .map_err(AppError::internal)?;
            Ok((publisher, input))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    import(&mut conn, now, inputs, &mut Known::new(), &mut report)?;
    Ok(report)
}

/// Loads `count` synthetic datasets spread over the demo organisations, in batches.
pub fn synthetic(pool: &Pool, count: usize, now: DateTime<Utc>) -> Result<SeedReport, AppError> {
    let demo = demo::catalogue().map_err(AppError::internal)?;
    let mut conn = pool.get()?;
    let mut report = SeedReport::default();
    let organisations = organisations(&mut conn, now, &demo, &mut report)?;
    let publishers: Vec<&str> = demo.publishers.iter().map(|p| p.name.as_str()).collect();
    const BATCH: usize = 1_000;
    let mut known = Known::new();
    let mut start = 0;
    while start < count {
        let end = (start + BATCH).min(count);
        let inputs = (start..end)
            .map(|i| {
                let name = publishers[i % publishers.len()];
                let publisher = organisations.publisher(name)?;
                let input = synthetic_input(i, publisher, organisations.committee_for(name)?);
                Ok((publisher, input))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
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
) -> Result<(), AppError> {
    let actor = seeder()?;
    events::write(conn, |tx| {
        let mut new = Vec::with_capacity(inputs.len());
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
                AppError::internal(format!(
                    "seed dataset {} is invalid: {e:?}",
                    input.identifier
                ))
            })?;
            new.push(details);
            if let Some(ids) = known.get_mut(publisher) {
                ids.insert(input.identifier.clone());
            }
        }
        report.datasets += application::datasets::import_published(tx, &actor, now, new)?.len();
        Ok::<(), AppError>(())
    })
}
