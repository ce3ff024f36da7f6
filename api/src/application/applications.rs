//! Access applications and data requests: researchers draft, submit, answer and withdraw;
//! committees accept, return, comment, vote and decide; the deadline job records alerts. Each
//! use case loads the application and what its command needs, lets the domain decide, stores
//! the result and records every change in one transaction.

use chrono::{DateTime, Utc};
use hdab_domain::applications::deadlines::DeadlinePolicy;
use hdab_domain::applications::form::ApplicationForm;
use hdab_domain::applications::review::{FeeEstimate, Override, PartOutcome, VoteChoice};
use hdab_domain::applications::rules::{DatasetFacts, SubmissionPolicy};
use hdab_domain::applications::{Application, ApplicationEvent, Command, Context, Visibility};
use hdab_domain::auth::Principal;
use hdab_domain::catalogue::text::LongText;
use hdab_domain::event::{ChainedEvent, Event, EventKind};
use hdab_domain::ids::{ApplicationId, CommitteeId};
use hdab_domain::permits::PermitPolicy;
use hdab_persistence::applications::{self as store, DeadlineColumns};
use hdab_persistence::{DbConnection, committees, datasets, events};

use super::{AppError, record, updated_under_lock};

/// How applications are handled: the deadlines of EHDS Art 68, the opt-out exception of
/// Art 71(4). From configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationSettings {
    pub deadlines: DeadlinePolicy,
    /// What a permit issued on approval grants, and for how long.
    pub permits: PermitPolicy,
    pub submission: SubmissionPolicy,
    /// How often the deadline job looks for applications whose deadline nears or passed.
    pub deadline_check_interval: std::time::Duration,
}

/// What a caller asks of an existing application. Most requests are domain commands as
/// they stand; the others name what hdab loads before the domain decides (the datasets'
/// data-use conditions, the committee's members and rule).
#[derive(Debug, Clone)]
pub enum Request {
    Command(Command),
    Submit,
    Resubmit {
        answer: LongText,
    },
    Vote {
        committee_id: CommitteeId,
        choice: VoteChoice,
        reason: LongText,
        change: bool,
    },
    DecidePart {
        committee_id: CommitteeId,
        outcome: PartOutcome,
        reasons: LongText,
        overrides: Vec<Override>,
        fee_estimate: Option<FeeEstimate>,
    },
}

/// Creates a draft for the calling researcher.
pub fn create(
    conn: &mut DbConnection,
    settings: &ApplicationSettings,
    caller: &Principal,
    now: DateTime<Utc>,
    form: ApplicationForm,
) -> Result<Application, AppError> {
    events::write(conn, |tx| create_in(tx, settings, caller, now, form))
}

/// [`create`] within the caller's write transaction (seeds load many in one).
pub fn create_in(
    tx: &mut DbConnection,
    settings: &ApplicationSettings,
    caller: &Principal,
    now: DateTime<Utc>,
    form: ApplicationForm,
) -> Result<Application, AppError> {
    let (application, event) =
        Application::create(ApplicationId::generate(), caller.subject.clone(), form, now);
    store::insert(tx, &application, deadline_columns(&application, settings))?;
    record(tx, caller.subject.as_str(), now, &Event::Application(event))?;
    Ok(application)
}

/// An application as `caller` may see it, with what they may see; not found for anyone else.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Principal,
    id: ApplicationId,
) -> Result<(Application, Visibility), AppError> {
    let application = store::find(conn, id)?.ok_or(AppError::NotFound("the application"))?;
    let visibility = application
        .visibility(caller)
        .ok_or(AppError::NotFound("the application"))?;
    Ok((application, visibility))
}

/// Carries out `request` on the application `id` for `caller`.
pub fn act(
    conn: &mut DbConnection,
    settings: &ApplicationSettings,
    caller: &Principal,
    now: DateTime<Utc>,
    id: ApplicationId,
    request: Request,
) -> Result<Application, AppError> {
    events::write(conn, |tx| act_in(tx, settings, caller, now, id, request))
}

/// [`act`] within the caller's write transaction.
pub fn act_in(
    tx: &mut DbConnection,
    settings: &ApplicationSettings,
    caller: &Principal,
    now: DateTime<Utc>,
    id: ApplicationId,
    request: Request,
) -> Result<Application, AppError> {
    let (current, _) = load_visible(tx, caller, id)?;
    let command = command_for(tx, settings, &current, request)?;
    let context = Context {
        principal: caller,
        now,
    };
    let (next, changes) = current.handle(context, command)?;
    save(
        tx,
        settings,
        caller.subject.as_str(),
        &current,
        &next,
        changes,
    )
}

/// Loads what the domain needs to decide `request`.
fn command_for(
    tx: &mut DbConnection,
    settings: &ApplicationSettings,
    application: &Application,
    request: Request,
) -> Result<Command, AppError> {
    let policy = settings.submission;
    Ok(match request {
        Request::Command(command) => command,
        Request::Submit => Command::Submit {
            datasets: dataset_facts(tx, application)?,
            policy,
        },
        Request::Resubmit { answer } => Command::Resubmit {
            answer,
            datasets: dataset_facts(tx, application)?,
            policy,
        },
        Request::Vote {
            committee_id,
            choice,
            reason,
            change,
        } => Command::Vote {
            committee: reviewing_committee(tx, committee_id)?,
            choice,
            reason,
            change,
        },
        Request::DecidePart {
            committee_id,
            outcome,
            reasons,
            overrides,
            fee_estimate,
        } => Command::DecidePart {
            committee: reviewing_committee(tx, committee_id)?,
            outcome,
            reasons,
            overrides,
            fee_estimate,
        },
    })
}

/// What hdab knows now of the datasets the form names (those that exist).
fn dataset_facts(
    tx: &mut DbConnection,
    application: &Application,
) -> Result<Vec<DatasetFacts>, AppError> {
    let mut facts = Vec::new();
    for id in &application.form.dataset_ids {
        if let Some(dataset) = datasets::find(tx, *id)? {
            facts.push(DatasetFacts {
                id: dataset.id,
                status: dataset.status,
                publisher_id: dataset.details.publisher_id,
                committee_id: dataset.details.committee_id,
                data_use: dataset.details.data_use.clone(),
            });
        }
    }
    Ok(facts)
}

fn reviewing_committee(
    tx: &mut DbConnection,
    id: CommitteeId,
) -> Result<hdab_domain::committee::Committee, AppError> {
    committees::find(tx, id)?.ok_or(AppError::NotFound(
        "the committee's part of the application",
    ))
}

/// Stores `next` over `current` and records its changes; an approval issues its permit in
/// the same transaction.
fn save(
    tx: &mut DbConnection,
    settings: &ApplicationSettings,
    actor: &str,
    current: &Application,
    next: &Application,
    changes: Vec<ApplicationEvent>,
) -> Result<Application, AppError> {
    let columns = deadline_columns(next, settings);
    updated_under_lock(
        store::update(tx, next, current.version, columns)?,
        "application",
    )?;
    let decided_at = changes.last().map(|c| c.at);
    for change in changes {
        let at = change.at;
        record(tx, actor, at, &Event::Application(change))?;
    }
    if let Some(at) = decided_at {
        super::permits::issue_on_approval(tx, &settings.permits, actor, current, next, at)?;
    }
    Ok(next.clone())
}

/// The deadline columns the lists and the deadline job read.
fn deadline_columns(application: &Application, settings: &ApplicationSettings) -> DeadlineColumns {
    let policy = &settings.deadlines;
    match &application.clock {
        Some(clock) if application.status.is_open() => DeadlineColumns {
            due_at: clock.running_due_at(policy),
            alert_at: clock.next_alert_at(policy),
        },
        _ => DeadlineColumns::default(),
    }
}

/// Records the deadline alerts due by `now`, at most `limit`; how many were recorded. Each
/// is recorded once: the application's alert list and its version guard it, even when two
/// processes look at once.
pub fn record_due_alerts(
    conn: &mut DbConnection,
    settings: &ApplicationSettings,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, AppError> {
    let due = store::alerts_due(conn, now, limit)?;
    let mut recorded = 0;
    for id in due {
        recorded += events::write(conn, |tx| {
            let Some(current) = store::find(tx, id)? else {
                return Ok::<_, AppError>(0);
            };
            match current.deadline_alert(&settings.deadlines, now) {
                Some(alert) => {
                    let next = current.clone().apply(&alert);
                    save(tx, settings, "hdab", &current, &next, vec![alert])?;
                    Ok(1)
                }
                // The stored alert time was stale: store the right one so it is not found
                // again before it falls due.
                None => {
                    let columns = deadline_columns(&current, settings);
                    store::set_deadline_columns(tx, id, columns)?;
                    Ok(0)
                }
            }
        })?;
    }
    Ok(recorded)
}

/// A page of an application's history: each log entry with the change it records.
pub struct HistoryPage {
    pub events: Vec<(ChainedEvent, ApplicationEvent)>,
    /// The sequence number to continue after, when the log may hold more.
    pub next_after: Option<i64>,
}

/// The application's history as `visibility` lets its caller see it, oldest first.
pub fn history(
    conn: &mut DbConnection,
    id: ApplicationId,
    visibility: &Visibility,
    after_seq: i64,
    limit: i64,
) -> Result<HistoryPage, AppError> {
    let rows = events::list_for_entity(conn, "application", &id.to_string(), after_seq, limit)?;
    let next_after = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|e| e.seq))
        .flatten();
    let mut shown = Vec::new();
    for row in rows {
        let kind = EventKind::parse(&row.action).map_err(|e| AppError::internal(e.message))?;
        let Event::Application(change) =
            Event::read(kind, &row.payload).map_err(AppError::internal)?
        else {
            continue;
        };
        if visibility.shows(&change.change) {
            shown.push((row, change));
        }
    }
    Ok(HistoryPage {
        events: shown,
        next_after,
    })
}
