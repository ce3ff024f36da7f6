//! Data permits: issued with an approval, in its transaction; changed by their holder, the
//! committees that granted them and admins; expired by the background job (and read as expired
//! before it runs); read only by those they concern.

use chrono::{DateTime, Duration, Utc};
use hdab_domain::applications::{Application, ApplicationStatus};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::codes;
use hdab_domain::event::Event;
use hdab_domain::ids::{DatasetId, PermitId, PublisherId};
use hdab_domain::permits::visa::VisaClaims;
use hdab_domain::permits::{Permit, PermitCommand, PermitParty, PermitPolicy, PermitStatus};
use hdab_domain::{DomainError, values::Subject};
use hdab_persistence::permits::{self as store, Party, Scope};
use hdab_persistence::{DbConnection, datasets, events};

use super::permit_keys::PermitKeys;
use super::{AppError, record, updated_under_lock};

/// How permits and visas are handled. From configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitSettings {
    pub policy: PermitPolicy,
    /// How long a visa lives (never past its permit's end).
    pub visa_lifetime: Duration,
    /// Whether this Member State provides the Art 71(4) exception to opt-outs.
    pub opt_out_exception_available: bool,
    /// How often the expiry job looks for permits past their end.
    pub expiry_check_interval: std::time::Duration,
}

/// Issues the permit an application's approval grants, in the approval's transaction: when
/// `next` is newly approved or partially approved. A data request gets none (Art 69).
pub fn issue_on_approval(
    tx: &mut DbConnection,
    policy: &PermitPolicy,
    actor: &str,
    current: &Application,
    next: &Application,
    now: DateTime<Utc>,
) -> Result<Option<Permit>, AppError> {
    let approved = |a: &Application| {
        matches!(
            a.status,
            ApplicationStatus::Approved | ApplicationStatus::PartiallyApproved
        )
    };
    if approved(current) || !approved(next) {
        return Ok(None);
    }
    let granted = next
        .decision
        .as_ref()
        .map(|d| d.approved_datasets.clone())
        .unwrap_or_default();
    let mut data_use = Vec::new();
    let mut publishers: Vec<PublisherId> = Vec::new();
    for id in &granted {
        if let Some(dataset) = datasets::find(tx, *id)? {
            data_use.push((*id, dataset.details.data_use.clone()));
            publishers.push(dataset.details.publisher_id);
        }
    }
    publishers.sort();
    publishers.dedup();
    let Some(permit) = Permit::issue(PermitId::generate(), next, &data_use, policy, now) else {
        return Ok(None);
    };
    store::insert(tx, &permit, &publishers)?;
    record(
        tx,
        actor,
        permit.issued_at,
        &Event::Permit(hdab_domain::permits::PermitChange::Issued, permit.clone()),
    )?;
    tracing::info!(permit = %permit.id, application = %next.id, datasets = permit.datasets.len(), "issued a data permit");
    Ok(Some(permit))
}

/// The parties `caller` may be in the permits it reads.
fn parties_of(caller: &Principal) -> Vec<Party> {
    let mut parties = vec![Party::Subject(caller.subject.clone())];
    if caller.has_role(Role::DataHolder) {
        parties.extend(caller.publishers.iter().map(|p| Party::Publisher(*p)));
    }
    if caller.has_role(Role::DacMember) {
        parties.extend(caller.committees.iter().map(|c| Party::Committee(*c)));
    }
    parties
}

/// The permits `caller` may list: all for admins, otherwise those they are a party to.
pub fn scope_of(caller: &Principal) -> Scope {
    if caller.has_role(Role::HdabAdmin) {
        Scope::All
    } else {
        Scope::Parties(parties_of(caller))
    }
}

/// A permit `caller` may see; not found for anyone else.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Principal,
    id: PermitId,
) -> Result<Permit, AppError> {
    let permit = store::find(conn, id)?.ok_or(AppError::NotFound("the permit"))?;
    if caller.has_role(Role::HdabAdmin) || store::concerns(conn, id, &parties_of(caller))? {
        Ok(permit)
    } else {
        Err(AppError::NotFound("the permit"))
    }
}

/// The capacities in which `caller` acts on `permit`, most authoritative first.
fn capacities(caller: &Principal, permit: &Permit) -> Vec<PermitParty> {
    let mut capacities = Vec::new();
    if caller.has_role(Role::HdabAdmin) {
        capacities.push(PermitParty::Admin);
    }
    if caller.has_role(Role::DacMember)
        && permit
            .committees
            .iter()
            .any(|c| caller.committees.contains(c))
    {
        capacities.push(PermitParty::Committee);
    }
    if caller.subject == permit.holder {
        capacities.push(PermitParty::Holder);
    }
    capacities
}

/// Carries out `command` on the permit `id` for `caller`.
pub fn act(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: PermitId,
    command: PermitCommand,
) -> Result<Permit, AppError> {
    events::write(conn, |tx| {
        let current = load_visible(tx, caller, id)?;
        let capacities = capacities(caller, &current);
        // The first capacity the command is open to; otherwise the first one's refusal,
        // which names what that capacity may do.
        let party = capacities
            .iter()
            .copied()
            .find(|party| current.permits(*party, &command, now))
            .or(capacities.first().copied())
            .ok_or_else(|| DomainError::Forbidden {
                code: codes::NOT_A_PERMIT_PARTY,
                message: "only the holder, the granting committees and admins act on a permit"
                    .to_owned(),
            })?;
        change(
            tx,
            caller.subject.as_str(),
            &current,
            party,
            &caller.subject,
            command,
            now,
        )
    })
}

/// Stores the permit after `command` and records the change.
fn change(
    tx: &mut DbConnection,
    actor: &str,
    current: &Permit,
    party: PermitParty,
    by: &Subject,
    command: PermitCommand,
    now: DateTime<Utc>,
) -> Result<Permit, AppError> {
    let (next, change) = current.transition(party, by, command, now)?;
    updated_under_lock(store::update(tx, &next, current.version)?, "permit")?;
    record(tx, actor, now, &Event::Permit(change, next.clone()))?;
    tracing::info!(permit = %next.id, change = change.as_str(), by = by.as_str(), "permit changed");
    Ok(next)
}

/// Records the expiry of up to `limit` permits past their end; how many.
pub fn expire_ended(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, AppError> {
    let system = Subject::parse("hdab").map_err(|e| AppError::internal(e.message))?;
    let mut expired = 0;
    for id in store::ended_by(conn, now, limit)? {
        expired += events::write(conn, |tx| {
            let Some(current) = store::find(tx, id)? else {
                return Ok::<_, AppError>(0);
            };
            if !current.permits(PermitParty::System, &PermitCommand::Expire, now) {
                return Ok(0);
            }
            change(
                tx,
                "hdab",
                &current,
                PermitParty::System,
                &system,
                PermitCommand::Expire,
                now,
            )?;
            Ok(1)
        })?;
    }
    Ok(expired)
}

/// One signed visa and what it grants.
pub struct SignedVisa {
    pub dataset_id: DatasetId,
    pub dataset_iri: String,
    pub jwt: String,
    pub expires_at: DateTime<Utc>,
}

/// The caller's visas for the permit `id`, one per dataset: only for the principal
/// investigator and the authorised persons, only while the permit is active.
pub fn visas(
    conn: &mut DbConnection,
    keys: &PermitKeys,
    settings: &PermitSettings,
    public_url: &str,
    caller: &Principal,
    id: PermitId,
    now: DateTime<Utc>,
) -> Result<Vec<SignedVisa>, AppError> {
    let permit = load_visible(conn, caller, id)?;
    if !permit.authorised_subjects().contains(&&caller.subject) {
        return Err(DomainError::Forbidden {
            code: codes::NOT_AUTHORISED_PERSON,
            message: "visas are given to the principal investigator and the authorised persons \
                      of the permit, each for themselves"
                .to_owned(),
        }
        .into());
    }
    require_active(&permit, now, "visas")?;
    let key = keys
        .current()
        .ok_or_else(|| AppError::Unavailable("no permit-signing key is loaded".into()))?;
    let jku = format!("{public_url}/.well-known/jwks.json");
    permit
        .datasets
        .iter()
        .map(|granted| {
            let dataset_iri = hdab_domain::catalogue::dataset_iri(public_url, granted.dataset_id);
            let claims = VisaClaims::new(
                &permit,
                &caller.subject,
                granted.dataset_id,
                dataset_iri.clone(),
                public_url,
                now,
                settings.visa_lifetime,
            );
            let jwt = key
                .sign_with_jku(Some("JWT"), Some(&jku), &claims)
                .map_err(AppError::internal)?;
            Ok(SignedVisa {
                dataset_id: granted.dataset_id,
                dataset_iri,
                jwt,
                expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or(permit.valid_until),
            })
        })
        .collect()
}

/// Refuses `what` unless the permit is active at `now`, naming its status.
pub fn require_active(permit: &Permit, now: DateTime<Utc>, what: &str) -> Result<(), AppError> {
    match permit.status_at(now) {
        PermitStatus::Active => Ok(()),
        status => Err(DomainError::StateConflict {
            code: codes::PERMIT_NOT_ACTIVE,
            message: format!("the permit is {status}: no {what} are given for it"),
        }
        .into()),
    }
}
