//! The problem responses operations document, built from the one error table so the
//! documented statuses are the ones hdab sends.

use std::collections::BTreeMap;

use hdab_openapi::problem::PROBLEM_JSON;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

fn describe(status: u16) -> &'static str {
    match status {
        400 => "Malformed JSON, header or cursor",
        401 => "No token, or a token that is not accepted",
        403 => "The token lacks the role this needs",
        404 => "Not found, or outside the caller's scope",
        406 => "None of the accepted media types can be produced",
        409 => "Conflicts with stored data (a name taken, a record still referred to)",
        412 => "If-Match does not match the current version",
        413 => "The body exceeds the size limit",
        415 => "The body is not JSON",
        422 => "Invalid fields; every problem is listed",
        428 => "If-Match is required",
        503 => "The database or token issuer cannot be reached",
        _ => "Error",
    }
}

/// Problem responses for the given statuses.
pub fn responses(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|status| {
            let response = ResponseBuilder::new()
                .description(describe(*status))
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal),+) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses(&[$($status),+])
            }
        }
    };
}

problem_set!(
    /// Reading one public resource.
    ReadProblems: 401, 404, 503
);
problem_set!(
    /// Listing a public collection.
    ListProblems: 400, 401, 422, 503
);
problem_set!(
    /// Creating a resource.
    CreateProblems: 400, 401, 403, 409, 413, 415, 422, 503
);
problem_set!(
    /// Replacing a versioned resource.
    ReplaceProblems: 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 503
);
problem_set!(
    /// Deleting a resource (`If-Match` optional).
    DeleteProblems: 400, 401, 403, 404, 409, 412, 503
);
problem_set!(
    /// Reading something only admins may read.
    AdminReadProblems: 400, 401, 403, 422, 503
);
problem_set!(
    /// Readiness: the database may be down.
    ReadinessProblems: 503
);
problem_set!(
    /// Reading one public resource in a negotiated representation.
    ReadRepresentationProblems: 401, 404, 406, 503
);
problem_set!(
    /// Changing a resource's lifecycle state.
    LifecycleProblems: 401, 403, 404, 409, 503
);
problem_set!(
    /// Reading the catalogue.
    CatalogueProblems: 400, 401, 404, 406, 422, 503
);
problem_set!(
    /// Signing a checkpoint.
    CreateCheckpointProblems: 401, 403, 503
);
problem_set!(
    /// A command on an application: its body, the caller's part in it, and its state.
    ApplicationCommandProblems: 400, 401, 403, 404, 409, 413, 415, 422, 503
);
problem_set!(
    /// Reading the public register.
    RegisterProblems: 400, 401, 406, 422, 503
);
problem_set!(
    /// Listing what only some callers may list.
    AuthenticatedListProblems: 400, 401, 403, 422, 503
);
problem_set!(
    /// Reading one resource only some callers may see.
    AuthenticatedReadProblems: 401, 403, 404, 503
);
problem_set!(
    /// Reading an application's history.
    HistoryProblems: 400, 401, 403, 404, 422, 503
);
problem_set!(
    /// Getting visas: the caller's part in the permit, and its state.
    VisaProblems: 401, 403, 404, 409, 503
);
problem_set!(
    /// Verifying a visa: whatever the visa, the answer is 200; only the call itself can fail.
    VerifyProblems: 400, 401, 403, 413, 415, 422, 503
);
problem_set!(
    /// Pushing a batch.
    BatchProblems: 400, 401, 403, 413, 415, 422, 503
);
