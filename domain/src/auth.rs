//! Who is calling and what they may do. Tokens are checked in the API layer; this module holds
//! only the resulting identity and the rules over it.

use std::collections::BTreeSet;

use crate::code_enum;
use crate::codes;
use crate::ids::{CommitteeId, PublisherId};
use crate::values::Subject;

code_enum!(
    /// The roles hdab understands; a token may carry several, and others it ignores.
    Role, codes::UNKNOWN_ROLE {
        Researcher = "researcher",
        DacMember = "dac_member",
        DataHolder = "data_holder",
        Partner = "partner",
        OptoutRegistry = "optout_registry",
        HdabAdmin = "hdab_admin",
    }
);

/// An authenticated caller: the token's subject, its roles, and the publishers and committees
/// it acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: Subject,
    pub roles: BTreeSet<Role>,
    pub publishers: BTreeSet<PublisherId>,
    pub committees: BTreeSet<CommitteeId>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Admins act for every publisher; data holders and partners only for those in their token.
    pub fn acts_for_publisher(&self, publisher: PublisherId) -> bool {
        self.has_role(Role::HdabAdmin)
            || ((self.has_role(Role::DataHolder) || self.has_role(Role::Partner))
                && self.publishers.contains(&publisher))
    }

    /// Whether the caller maintains `publisher`'s dataset descriptions, drafts included: admins,
    /// and data holders for the publishers in their token. Partner systems act for publishers
    /// too, but only on what is published: a draft is the holder's work in progress.
    pub fn holds_data_for(&self, publisher: PublisherId) -> bool {
        self.has_role(Role::HdabAdmin)
            || (self.has_role(Role::DataHolder) && self.publishers.contains(&publisher))
    }

    /// Admins see every committee; DAC members only those in their token.
    pub fn sits_on_committee(&self, committee: CommitteeId) -> bool {
        self.has_role(Role::HdabAdmin)
            || (self.has_role(Role::DacMember) && self.committees.contains(&committee))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], publishers: &[PublisherId]) -> Principal {
        Principal {
            subject: Subject::parse("alice").unwrap(),
            roles: roles.iter().copied().collect(),
            publishers: publishers.iter().copied().collect(),
            committees: BTreeSet::new(),
        }
    }

    #[test]
    fn a_data_holder_acts_only_for_the_publishers_in_its_token() {
        let own = PublisherId::generate();
        let other = PublisherId::generate();
        let holder = principal(&[Role::DataHolder], &[own]);
        assert!(holder.acts_for_publisher(own));
        assert!(!holder.acts_for_publisher(other));
    }

    #[test]
    fn a_publisher_scope_without_a_holder_role_grants_nothing() {
        let own = PublisherId::generate();
        assert!(!principal(&[Role::Researcher], &[own]).acts_for_publisher(own));
    }

    #[test]
    fn a_partner_acts_for_its_publishers_but_does_not_hold_their_data() {
        let own = PublisherId::generate();
        let partner = principal(&[Role::Partner], &[own]);
        assert!(partner.acts_for_publisher(own));
        assert!(!partner.holds_data_for(own));
        assert!(principal(&[Role::DataHolder], &[own]).holds_data_for(own));
    }

    #[test]
    fn an_admin_acts_for_every_publisher() {
        assert!(principal(&[Role::HdabAdmin], &[]).acts_for_publisher(PublisherId::generate()));
    }
}
