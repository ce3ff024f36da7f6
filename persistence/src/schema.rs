//! The one schema for both databases; the migrations under `migrations/sqlite` and
//! `migrations/postgres` create exactly these tables.

diesel::table! {
    events (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        payload -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    event_chain_head (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    publishers (id) {
        id -> Text,
        name -> Text,
        country -> Text,
        organisation_type -> Text,
        homepage -> Nullable<Text>,
        contact_email -> Text,
        trusted_data_holder -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
    }
}

diesel::table! {
    committees (id) {
        id -> Text,
        name -> Text,
        decision_rule -> Text,
        quorum -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
    }
}

diesel::table! {
    committee_publishers (committee_id, publisher_id) {
        committee_id -> Text,
        publisher_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    committee_members (committee_id, subject) {
        committee_id -> Text,
        subject -> Text,
        role -> Text,
        position -> Integer,
        organisation -> Nullable<Text>,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        applicant -> Text,
        kind -> Text,
        status -> Text,
        document -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        alert_at -> Nullable<Timestamp>,
        public_entry -> Nullable<Text>,
    }
}

diesel::table! {
    application_parts (committee_id, application_id) {
        committee_id -> Text,
        application_id -> Text,
        awaiting -> Bool,
    }
}

diesel::table! {
    application_publishers (publisher_id, application_id) {
        publisher_id -> Text,
        application_id -> Text,
    }
}

diesel::table! {
    idempotency_keys (caller, idem_key) {
        caller -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    permits (id) {
        id -> Text,
        application_id -> Text,
        holder -> Text,
        status -> Text,
        issued_at -> Timestamp,
        valid_until -> Timestamp,
        document -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    permit_parties (kind, party, permit_id) {
        kind -> Text,
        party -> Text,
        permit_id -> Text,
    }
}

diesel::table! {
    harvest_sources (id) {
        id -> Text,
        document -> Text,
        version -> BigInt,
        sealed_credentials -> Nullable<Text>,
        etag -> Nullable<Text>,
        last_modified -> Nullable<Text>,
        feed_position -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    harvest_runs (id) {
        id -> Text,
        source_id -> Text,
        started_at -> Timestamp,
        document -> Text,
    }
}

diesel::table! {
    harvest_records (source_id, record_key) {
        source_id -> Text,
        record_key -> Text,
        dataset_id -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        owner -> Text,
        document -> Text,
        sealed_secret -> Text,
        cursor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_seq -> BigInt,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        give_up_at -> Timestamp,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_latency_ms -> Nullable<BigInt>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        attempted_at -> Timestamp,
        status -> Nullable<Integer>,
        error -> Nullable<Text>,
        latency_ms -> BigInt,
    }
}

diesel::table! {
    permit_keys (kid) {
        kid -> Text,
        public_jwk -> Text,
        sealed_private_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    opt_outs (person_hash, at, opted_out) {
        person_hash -> Binary,
        at -> Timestamp,
        opted_out -> Bool,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    secret_checks (name) {
        name -> Text,
        fingerprint -> Text,
    }
}

diesel::joinable!(committee_publishers -> committees (committee_id));
diesel::joinable!(committee_publishers -> publishers (publisher_id));
diesel::joinable!(committee_members -> committees (committee_id));

diesel::table! {
    datasets (id) {
        id -> Text,
        publisher_id -> Text,
        committee_id -> Text,
        identifier -> Text,
        status -> Text,
        access_rights -> Text,
        document -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        modified_at -> Timestamp,
        issued_at -> Nullable<Timestamp>,
        confirmed_at -> Timestamp,
        document_version -> Integer,
    }
}

diesel::joinable!(datasets -> publishers (publisher_id));
diesel::joinable!(datasets -> committees (committee_id));

diesel::table! {
    audit_checkpoints (seq) {
        seq -> BigInt,
        hash -> Text,
        signed_at -> Timestamp,
        token -> Text,
    }
}

diesel::table! {
    jobs (name) {
        name -> Text,
        next_run_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Text,
        job -> Text,
        instance -> Text,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        outcome -> Text,
        detail -> Text,
    }
}

diesel::joinable!(application_parts -> applications (application_id));
diesel::joinable!(application_publishers -> applications (application_id));

diesel::joinable!(permit_parties -> permits (permit_id));

diesel::allow_tables_to_appear_in_same_query!(
    permits,
    permit_parties,
    permit_keys,
    harvest_sources,
    harvest_runs,
    harvest_records,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    opt_outs,
    secret_checks,
    applications,
    application_parts,
    application_publishers,
    idempotency_keys,
    jobs,
    job_runs,
    audit_checkpoints,
    datasets,
    events,
    event_chain_head,
    publishers,
    committees,
    committee_publishers,
    committee_members,
);
