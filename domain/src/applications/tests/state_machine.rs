//! The state machine under random commands: no illegal state, and every change replays.

use proptest::prelude::*;

use super::*;

/// Who may try a command: the applicant, the members of the two committees of
/// `two_committee_review`, an admin and a stranger.
const ACTORS: [&str; 8] = ["alice", "ana", "ben", "cem", "dora", "emil", "root", "eve"];

fn actor(index: usize, a: &Committee, b: &Committee) -> Principal {
    match ACTORS[index] {
        "alice" => researcher(),
        "root" => principal("root", &[Role::HdabAdmin], &[]),
        "eve" => principal("eve", &[Role::Researcher, Role::DacMember], &[]),
        sub @ ("ana" | "ben" | "cem") => member(sub, a),
        sub => member(sub, b),
    }
}

/// A command kind (its value mod 11 picks the command, the rest its variant), weighted
/// towards the commands that move an application forward so that sequences reach every
/// state: submissions, acceptances, votes and decisions.
fn command_kind() -> impl Strategy<Value = u8> {
    let forward = prop::sample::select(vec![1u8, 3, 8, 8, 8, 9, 9]);
    (prop_oneof![3 => forward, 1 => 0u8..11], 0u8..6)
        .prop_map(|(kind, variant)| kind + 11 * variant)
}

/// Mostly the party a command is meant for, so that random sequences get far: the
/// applicant edits and submits, an admin or a member accepts and returns, members vote.
fn natural_actor(kind: u8, pick: usize, flag: bool) -> usize {
    let index = |name| ACTORS.iter().position(|a| *a == name).unwrap_or(0);
    match kind % 11 {
        0 | 1 | 2 | 5 => index("alice"),
        3 | 4 | 10 => index(if pick.is_multiple_of(2) {
            "root"
        } else {
            "ana"
        }),
        _ if flag => index(["ana", "ben", "cem"][pick % 3]),
        _ => index(["dora", "emil"][pick % 2]),
    }
}

fn datasets(a: &Committee, b: &Committee) -> Vec<DatasetFacts> {
    vec![
        facts(id(1), a.id, DuoPermission::GeneralResearchUse, vec![]),
        facts(id(2), b.id, ds("C50"), vec![]),
    ]
}

fn command(kind: u8, flag: bool, a: &Committee, b: &Committee) -> Command {
    let committee = if flag { a.clone() } else { b.clone() };
    let approve = !(kind / 11).is_multiple_of(3);
    let choice = if approve {
        VoteChoice::Approve
    } else {
        VoteChoice::Refuse
    };
    let outcome = if approve {
        PartOutcome::Approve
    } else {
        PartOutcome::Refuse
    };
    // B's dataset is denied by its data-use match: approving it needs an override.
    let overrides = if flag {
        Vec::new()
    } else {
        vec![Override {
            dataset_id: id(2),
            justification: text("Justified."),
        }]
    };
    match kind % 11 {
        0 => Command::Replace {
            form: Box::new(access_form(&[id(1), id(2)])),
            precondition: Precondition::Any,
        },
        1 => Command::Submit {
            datasets: datasets(a, b),
            policy: POLICY,
        },
        2 => Command::Withdraw { reason: None },
        3 => Command::Accept,
        4 => Command::Return {
            questions: text("Why?"),
        },
        5 => Command::Resubmit {
            answer: text("Because."),
            datasets: datasets(a, b),
            policy: POLICY,
        },
        6 => Command::Comment {
            committee_id: None,
            visibility: CommentVisibility::Public,
            text: text("Noted."),
        },
        7 => Command::DeclareConflict {
            committee_id: committee.id,
            reason: text("Related."),
        },
        8 => Command::Vote {
            committee,
            choice,
            reason: text("Reasoned."),
            change: (kind / 33) % 2 == 1,
        },
        9 => Command::DecidePart {
            committee,
            outcome,
            reasons: text("Decided."),
            overrides,
            fee_estimate: None,
        },
        _ => Command::Extend {
            reason: text("Busy."),
        },
    }
}

/// What must hold of an application in every state it can reach.
fn check_invariants(application: &Application) {
    use ApplicationStatus::*;
    let status = application.status;
    match status {
        Draft => {
            assert!(application.submitted_at.is_none() && application.parts.is_empty());
            assert!(application.clock.is_none());
        }
        Submitted | Returned | UnderReview => {
            let clock = application
                .clock
                .as_ref()
                .expect("an open application has a clock");
            assert_eq!(clock.is_paused(), status == Returned);
            assert_eq!(
                clock.stage == Stage::Decision,
                application
                    .exchanges
                    .last()
                    .map_or(status == UnderReview, |e| {
                        if status == Returned {
                            e.returned_from == UnderReview
                        } else {
                            status == UnderReview
                        }
                    })
            );
        }
        Approved | PartiallyApproved | Refused => {
            let decision = application
                .decision
                .as_ref()
                .expect("a decided application says why");
            assert_eq!(decision.status, status);
            assert!(application.clock.is_none());
        }
        Withdrawn => assert!(application.clock.is_none()),
    }
    if matches!(status, Approved | PartiallyApproved) {
        assert!(application.parts.iter().all(|p| p.decision.is_some()));
    }
    for part in &application.parts {
        let members: BTreeSet<&Subject> = part.votes.iter().map(|v| &v.member).collect();
        assert_eq!(
            members.len(),
            part.votes.len(),
            "one current vote per member"
        );
        assert!(part.votes.iter().all(|v| {
            !part
                .conflicts
                .iter()
                .any(|c| c.member == v.member && c.declared_at < v.cast_at)
        }));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_commands_never_reach_an_illegal_state_and_every_change_replays(
        steps in proptest::collection::vec(
            (0..ACTORS.len(), command_kind(), any::<bool>(), proptest::bool::weighted(0.8)),
            1..60,
        )
    ) {
        let (_, a, b) = two_committee_review();
        let (mut state, created) = Application::create(
            ApplicationId::from_uuid(uuid::Uuid::from_u128(7)),
            subject("alice"),
            access_form(&[id(1), id(2)]),
            at(1),
        );
        let mut log = vec![created];
        for (step, (who, kind, flag, natural)) in steps.into_iter().enumerate() {
            let who = if natural { natural_actor(kind, who, flag) } else { who };
            let principal = actor(who, &a, &b);
            let command = command(kind, flag, &a, &b);
            let action = command.action();
            let before = state.clone();
            let now = at(1) + Duration::hours(step as i64 + 1);
            match state.handle(Context { principal: &principal, now }, command) {
                Ok((next, events)) => {
                    let allowed = crate::applications::lifecycle::allowed(before.status, &before.parties(&principal));
                    prop_assert!(allowed.contains(&action), "{action} in {}", before.status);
                    prop_assert_eq!(next.version, before.version + events.len() as i64);
                    log.extend(events);
                    state = next;
                }
                Err(_) => prop_assert_eq!(&state, &before),
            }
            check_invariants(&state);
        }
        prop_assert_eq!(Application::replay(&log), Some(state));
    }
}
