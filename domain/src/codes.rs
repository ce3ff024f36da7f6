//! The catalogue of hdab's fine-grained error codes, in one place.
//!
//! A problem answer carries two levels of code. The problem's own `code` (`validation_failed`,
//! `not_found`, ...) comes from the HTTP edge's `ErrorCode` table, which also fixes its status.
//! The finer codes below say *which rule* was broken: each entry of a 422's `errors` list names a
//! field and one of the field rules, and a 409 or 412 carries one of the conflict codes as its
//! `code`. Callers branch on these codes, so they are stable: add new ones, never rename one.
//!
//! Every crate takes its codes from here; a test in `tests/tests/architecture.rs` fails when a
//! code is written as a string literal anywhere else.

/// Declares each code as a constant named after it, with its meaning as documentation, and
/// lists them all in [`ALL`] for the uniqueness test and for documentation generators.
macro_rules! codes {
    ($( $(#[doc = $meaning:literal])+ $name:ident = $code:literal; )+) => {
        $( $(#[doc = $meaning])+ pub const $name: &str = $code; )+

        /// Every code with its meaning.
        pub const ALL: &[(&str, &str)] = &[$( ($code, concat!($($meaning),+)) ),+];
    };
}

codes! {
    // ---- Field rules: the `code` of one entry in a 422's `errors` list ----

    /// A value must be given and must not be blank.
    REQUIRED = "required";
    /// A text is longer than its field allows; the message gives the limit.
    TOO_LONG = "too_long";
    /// A list has more items than its field allows; the message gives the limit.
    TOO_MANY = "too_many";
    /// A number or count is outside its allowed range; the message gives the range.
    OUT_OF_RANGE = "out_of_range";
    /// A value is listed more than once where each may appear only once.
    DUPLICATE = "duplicate";
    /// A text contains control characters (only long texts may hold line breaks and tabs).
    CONTROL_CHARACTERS = "control_characters";
    /// A text contains bidirectional formatting characters, which can disguise what it says.
    BIDI_CONTROLS = "bidi_controls";
    /// A value does not have the type or shape its field needs (a word where a number belongs).
    INVALID_VALUE = "invalid_value";
    /// An id is not a lower-case hyphenated UUID.
    INVALID_ID = "invalid_id";
    /// An e-mail address is malformed.
    INVALID_EMAIL = "invalid_email";
    /// A URL is not an absolute http or https URL.
    INVALID_URL = "invalid_url";
    /// A token subject is empty, too long or contains control characters.
    INVALID_SUBJECT = "invalid_subject";
    /// A code is not in its EU or HealthDCAT-AP authority list (file types, frequencies, ...).
    INVALID_AUTHORITY_CODE = "invalid_authority_code";
    /// A personal-data category is not a DPV-PD term.
    INVALID_PERSONAL_DATA_CATEGORY = "invalid_personal_data_category";
    /// A duration is not an ISO 8601 duration.
    INVALID_DURATION = "invalid_duration";
    /// A media type is not `type/subtype`.
    INVALID_MEDIA_TYPE = "invalid_media_type";
    /// An ICD-10 code is malformed.
    INVALID_ICD10 = "invalid_icd10";
    /// An ICD-10 code is well formed but not a neoplasm (C00–C97, D00–D49) where one is needed.
    NOT_A_NEOPLASM = "not_a_neoplasm";
    /// A language map lacks the English text HealthDCAT-AP requires.
    ENGLISH_REQUIRED = "english_required";
    /// A language tag is not an EU or EEA language.
    UNKNOWN_LANGUAGE = "unknown_language";
    /// A country is not an ISO 3166-1 alpha-2 code.
    UNKNOWN_COUNTRY = "unknown_country";
    /// Not an ISO 4217 currency code.
    INVALID_CURRENCY = "invalid_currency";
    /// A period starts after it ends.
    START_AFTER_END = "start_after_end";
    /// A minimum is above its maximum (`min_typical_age` above `max_typical_age`).
    MIN_ABOVE_MAX = "min_above_max";
    /// A data-use condition lacks the parameter its code needs (a disease for DS, months for TS).
    PARAMETER_REQUIRED = "parameter_required";
    /// A DUO permission code is not one hdab knows.
    UNKNOWN_DUO_PERMISSION = "unknown_duo_permission";
    /// A DUO modifier code is not one hdab knows.
    UNKNOWN_DUO_MODIFIER = "unknown_duo_modifier";
    /// A search sort key is not one of the documented keys.
    UNKNOWN_SORT = "unknown_sort";
    /// The publisher a request names does not exist.
    UNKNOWN_PUBLISHER = "unknown_publisher";
    /// The committee a request names does not exist.
    UNKNOWN_COMMITTEE = "unknown_committee";
    /// A dataset names a committee that does not serve its publisher.
    COMMITTEE_DOES_NOT_SERVE_PUBLISHER = "committee_does_not_serve_publisher";
    /// A committee lists more than one chair.
    SEVERAL_CHAIRS = "several_chairs";
    /// A committee whose chair decides has no chair.
    CHAIR_REQUIRED = "chair_required";
    /// A committee's quorum is below one or above its number of members.
    QUORUM_OUT_OF_RANGE = "quorum_out_of_range";
    /// A field that may not change once set, such as a dataset's publisher.
    IMMUTABLE = "immutable";
    /// An audit checkpoint does not verify against the event log.
    INVALID_CHECKPOINT = "invalid_checkpoint";
    /// Stands for the problems past the listed maximum, so a hostile input gets a short answer.
    MORE_ERRORS = "more_errors";

    /// An application names a dataset that does not exist.
    UNKNOWN_DATASET = "unknown_dataset";
    /// An application names a dataset that is not published (a draft, or withdrawn).
    DATASET_NOT_PUBLISHED = "dataset_not_published";
    /// Purposes (a)–(c) of EHDS Art 53(1) asked by an applicant that is not a public sector
    /// body or Union institution (Art 53(2)).
    PURPOSE_RESERVED_TO_PUBLIC_SECTOR = "purpose_reserved_to_public_sector";
    /// A choice that needs a written justification has none (pseudonymised data, Art 66(3);
    /// the opt-out exception, Art 71(4)).
    JUSTIFICATION_REQUIRED = "justification_required";
    /// A data request asks for record-level data, which only an access application can obtain
    /// (Art 69).
    RECORD_LEVEL_NOT_AVAILABLE = "record_level_not_available";
    /// The opt-out exception of Art 71(4) is invoked where this HDAB's Member State does not
    /// provide it.
    OPT_OUT_EXCEPTION_NOT_AVAILABLE = "opt_out_exception_not_available";
    /// The opt-out exception of Art 71(4) is invoked for a purpose that is not in the public
    /// interest.
    OPT_OUT_EXCEPTION_PURPOSE = "opt_out_exception_purpose";
    /// The Art 54 declaration (that no prohibited use applies) is missing.
    DECLARATION_REQUIRED = "declaration_required";
    /// Approving a dataset whose data-use match is `deny` needs an override with a
    /// justification.
    OVERRIDE_REQUIRED = "override_required";

    // ---- Closed code lists: a value outside the list of its field ----

    /// Not one of the access-rights codes.
    UNKNOWN_ACCESS_RIGHTS = "unknown_access_rights";
    /// Not one of the access models of an imaging collection.
    UNKNOWN_ACCESS_MODEL = "unknown_access_model";
    /// Not one of the annotation methods.
    UNKNOWN_ANNOTATION_METHOD = "unknown_annotation_method";
    /// Not one of the birth-sex codes.
    UNKNOWN_BIRTH_SEX = "unknown_birth_sex";
    /// Not one of the DICOM body parts hdab lists.
    UNKNOWN_BODY_PART = "unknown_body_part";
    /// Not one of the HealthDCAT-AP dataset types.
    UNKNOWN_DATASET_TYPE = "unknown_dataset_type";
    /// Not one of the variable datatypes.
    UNKNOWN_DATATYPE = "unknown_datatype";
    /// Not one of the committee decision rules.
    UNKNOWN_DECISION_RULE = "unknown_decision_rule";
    /// Not one of the event kinds of the log.
    UNKNOWN_EVENT_KIND = "unknown_event_kind";
    /// Not one of the HealthDCAT-AP health categories.
    UNKNOWN_HEALTH_CATEGORY = "unknown_health_category";
    /// Not one of the committee member roles.
    UNKNOWN_MEMBER_ROLE = "unknown_member_role";
    /// Not one of the DICOM modalities hdab lists.
    UNKNOWN_MODALITY = "unknown_modality";
    /// Not one of the organisation types.
    UNKNOWN_ORGANISATION_TYPE = "unknown_organisation_type";
    /// Not one of the roles hdab understands.
    UNKNOWN_ROLE = "unknown_role";
    /// Not one of the dataset statuses.
    UNKNOWN_STATUS = "unknown_status";

    /// Not one of the application kinds.
    UNKNOWN_APPLICATION_KIND = "unknown_application_kind";
    /// Not one of the purposes of EHDS Art 53(1).
    UNKNOWN_PURPOSE = "unknown_purpose";
    /// Not one of the research sub-kinds of Art 53(1)(e).
    UNKNOWN_RESEARCH_KIND = "unknown_research_kind";
    /// Not one of the data forms (anonymised, pseudonymised).
    UNKNOWN_DATA_FORM = "unknown_data_form";
    /// Not one of the uses EHDS Art 54 prohibits.
    UNKNOWN_PROHIBITED_USE = "unknown_prohibited_use";
    /// Not one of the outputs of a data request.
    UNKNOWN_DATA_REQUEST_OUTPUT = "unknown_data_request_output";
    /// Not one of the data-use match outcomes.
    UNKNOWN_MATCH_OUTCOME = "unknown_match_outcome";
    /// Not one of the votes (approve, refuse, abstain).
    UNKNOWN_VOTE = "unknown_vote";
    /// Not one of a committee's outcomes (approve, refuse).
    UNKNOWN_OUTCOME = "unknown_outcome";
    /// Not one of the comment visibilities (internal, public).
    UNKNOWN_VISIBILITY = "unknown_visibility";
    /// Not one of the deadline stages.
    UNKNOWN_STAGE = "unknown_stage";
    /// Not one of the deadline tracks.
    UNKNOWN_TRACK = "unknown_track";
    /// Not one of the deadline alerts.
    UNKNOWN_ALERT = "unknown_alert";
    /// Not one of the permit statuses.
    UNKNOWN_PERMIT_STATUS = "unknown_permit_status";
    /// Not one of the parties to a permit.
    UNKNOWN_PERMIT_PARTY = "unknown_permit_party";
    /// Not one of the parties to an application.
    UNKNOWN_PARTY = "unknown_party";
    /// Not one of the actions on an application.
    UNKNOWN_ACTION = "unknown_action";
    /// Not one of the kinds of harvest source.
    UNKNOWN_HARVEST_KIND = "unknown_harvest_kind";
    /// A URL hdab may not call: its address is not public (loopback, private, link-local),
    /// and configuration does not allow it.
    ADDRESS_REFUSED = "address_refused";

    // ---- Problem-level codes: the `code` of a whole 4xx or 503 answer ----

    /// The request has invalid fields; its `errors` list each one.
    VALIDATION_FAILED = "validation_failed";
    /// What the request names does not exist, or is not the caller's to know of.
    NOT_FOUND = "not_found";
    /// `If-Match` names an older version than the stored one; the answer repeats the `ETag`.
    STALE_VERSION = "stale_version";
    /// `If-Match` is not a list of strong entity tags.
    MALFORMED_IF_MATCH = "malformed_if_match";
    /// `Idempotency-Key` is empty, too long or not visible ASCII.
    MALFORMED_IDEMPOTENCY_KEY = "malformed_idempotency_key";
    /// The `Idempotency-Key` was used for another request (another body or path).
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused";
    /// The first request with this `Idempotency-Key` is still running.
    IDEMPOTENCY_KEY_IN_FLIGHT = "idempotency_key_in_flight";
    /// The request carries more than one `Authorization` header.
    DUPLICATE_AUTHORIZATION = "duplicate_authorization";
    /// The database cannot serve now; retry after the `Retry-After` seconds.
    DATABASE_UNAVAILABLE = "database_unavailable";
    /// The search index is being rebuilt (after it was found missing or outdated at start);
    /// searches are served once it is ready. Retry after the `Retry-After` seconds.
    SEARCH_INDEX_REBUILDING = "search_index_rebuilding";
    /// Another publisher already has this name.
    PUBLISHER_NAME_TAKEN = "publisher_name_taken";
    /// Another committee already has this name.
    COMMITTEE_NAME_TAKEN = "committee_name_taken";
    /// The publisher already has a dataset with this identifier.
    DATASET_IDENTIFIER_TAKEN = "dataset_identifier_taken";
    /// Datasets still name this publisher; it cannot be deleted.
    PUBLISHER_IN_USE = "publisher_in_use";
    /// Datasets still name this committee; it cannot be deleted.
    COMMITTEE_IN_USE = "committee_in_use";
    /// Other records still refer to this one.
    STILL_REFERENCED = "still_referenced";
    /// The dataset is already published.
    ALREADY_PUBLISHED = "already_published";
    /// The dataset is already withdrawn.
    ALREADY_WITHDRAWN = "already_withdrawn";
    /// The command is not possible in the application's state; the message names the state
    /// and what the caller may do in it.
    ILLEGAL_TRANSITION = "illegal_transition";
    /// The caller may read the application but has no part in it to act on.
    NOT_A_PARTY = "not_a_party";
    /// Only members of a committee vote on its part.
    NOT_A_MEMBER = "not_a_member";
    /// The member may not vote: they declared a conflict, or their organisation is the
    /// applicant's.
    CONFLICT_OF_INTEREST = "conflict_of_interest";
    /// The member has already declared a conflict on this application.
    CONFLICT_ALREADY_DECLARED = "conflict_already_declared";
    /// The member has voted; changing a vote must be asked explicitly.
    ALREADY_VOTED = "already_voted";
    /// A vote change was asked but the member has not voted.
    NO_VOTE_TO_CHANGE = "no_vote_to_change";
    /// Fewer members than the quorum have voted.
    QUORUM_NOT_REACHED = "quorum_not_reached";
    /// The decision recorded differs from what the committee's votes give.
    DECISION_CONTRADICTS_VOTES = "decision_contradicts_votes";
    /// Only the chair records the decision of a committee whose chair decides.
    CHAIR_DECIDES = "chair_decides";
    /// The committee has already decided its part.
    PART_DECIDED = "part_decided";
    /// The decision period has already been extended once.
    ALREADY_EXTENDED = "already_extended";
    /// No extension of the permit awaits a decision.
    NO_EXTENSION_REQUESTED = "no_extension_requested";
    /// The caller is neither the holder, a granting committee's member nor an admin.
    NOT_A_PERMIT_PARTY = "not_a_permit_party";
    /// Visas go to the principal investigator and the authorised persons only.
    NOT_AUTHORISED_PERSON = "not_authorised_person";
    /// The permit is suspended, revoked, expired or closed.
    PERMIT_NOT_ACTIVE = "permit_not_active";
    /// Opt-outs are checked by the data holders of the permit's datasets.
    NOT_A_DATA_HOLDER_OF_PERMIT = "not_a_data_holder_of_permit";
    /// A call carries more items than one call may (413).
    BATCH_TOO_LARGE = "batch_too_large";
    /// A time later than now where only the past makes sense.
    IN_THE_FUTURE = "in_the_future";
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_is_distinct_snake_case_and_explained() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, meaning) in super::ALL {
            assert!(seen.insert(code), "`{code}` is declared twice");
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "`{code}` is not snake_case"
            );
            assert!(!meaning.trim().is_empty(), "`{code}` has no meaning");
        }
    }
}
