//! The opt-out rule (EHDS Art 71): a person may opt out of secondary use and withdraw the
//! opt-out, at any time. Data of a person who had opted out when a permit was granted, and had
//! not withdrawn by then, are not made available under it; permits granted before the opt-out
//! are not affected. hdab never sees the person: the registry sends a pseudonym and only its
//! keyed hash is stored, so this module reasons about a person's records, not who they are.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::PermitId;

/// The most pseudonyms one push or one check may carry.
pub const MAX_BATCH: usize = 10_000;

/// One recorded choice of a person: opting out, or withdrawing the opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OptOutRecord {
    pub at: DateTime<Utc>,
    /// `true` an opt-out, `false` its withdrawal.
    pub opted_out: bool,
}

/// Whether a person with `records` must be left out of the data of a permit granted at
/// `granted_at`: their latest choice made at or before the grant is an opt-out. An opt-out
/// made at the very instant of the grant counts (the person is protected); one made later
/// does not reach back. Of two choices at one instant, the opt-out is taken.
pub fn excluded_at(records: &[OptOutRecord], granted_at: DateTime<Utc>) -> bool {
    records
        .iter()
        .filter(|r| r.at <= granted_at)
        .max_by_key(|r| (r.at, r.opted_out))
        .is_some_and(|r| r.opted_out)
}

/// What an opt-out check recorded: counts, never pseudonyms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutCheck {
    pub permit_id: PermitId,
    pub checked: u32,
    pub excluded: u32,
    /// The Art 71(4) exception applied: nothing was excluded because of it.
    pub exception_applied: bool,
}

/// What one push of the registry recorded: counts, never pseudonyms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutBatch {
    pub batch_id: uuid::Uuid,
    pub opt_outs: u32,
    pub withdrawals: u32,
    /// Records hdab already held (a push repeated is recorded once).
    pub unchanged: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    fn opt_out(at: DateTime<Utc>) -> OptOutRecord {
        OptOutRecord {
            at,
            opted_out: true,
        }
    }

    fn withdrawal(at: DateTime<Utc>) -> OptOutRecord {
        OptOutRecord {
            at,
            opted_out: false,
        }
    }

    #[test]
    fn an_opt_out_before_or_at_the_grant_excludes_the_person_art_71() {
        assert!(excluded_at(&[opt_out(t(0))], t(10)));
        assert!(excluded_at(&[opt_out(t(10))], t(10)));
    }

    #[test]
    fn an_opt_out_after_the_grant_does_not_reach_back_art_71() {
        let one_microsecond = Duration::microseconds(1);
        assert!(!excluded_at(&[opt_out(t(10) + one_microsecond)], t(10)));
        assert!(!excluded_at(&[], t(10)));
    }

    #[test]
    fn a_withdrawal_before_the_grant_lets_the_data_in_and_a_later_one_does_not() {
        assert!(!excluded_at(&[opt_out(t(0)), withdrawal(t(5))], t(10)));
        assert!(excluded_at(&[opt_out(t(0)), withdrawal(t(11))], t(10)));
        // Opted out again after a withdrawal.
        assert!(excluded_at(
            &[withdrawal(t(5)), opt_out(t(0)), opt_out(t(8))],
            t(10)
        ));
    }

    #[test]
    fn of_two_choices_at_one_instant_the_opt_out_is_taken() {
        assert!(excluded_at(&[withdrawal(t(5)), opt_out(t(5))], t(10)));
    }
}
