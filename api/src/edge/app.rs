//! The app factory: the one place routes, middleware and shared state come together. The
//! server and the black-box tests both build their app here.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, web};
use hdab_openapi::BaseDocument;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::PathItem;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::edge::auth::TokenVerifier;
use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::routes;
use crate::edge::state::AppState;
use crate::shell::telemetry::{Metrics, observe_request};

/// The OpenAPI document of every route hdab serves.
pub fn openapi_document() -> OpenApiDocument {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(routes::configure)
        .split_for_parts();
    link_created_resources(&mut document);
    document_idempotency_keys(&mut document);
    document
}

/// Every `POST` takes an optional `Idempotency-Key` ([`crate::edge::idempotency`]).
fn document_idempotency_keys(document: &mut OpenApiDocument) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Makes a retry safe: the same key with the same request gets the first response \
             again (marked `Idempotent-Replayed: true`), never a second resource; the same key \
             with another request is 422, and while the first runs 409. Keys are kept 24 hours.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$")),
        ))
        .build();
    // What a key can answer besides the operation's own answers.
    let answers = crate::edge::routes::problems::responses(&[400, 409, 422]);
    for item in document.paths.paths.values_mut() {
        if let Some(post) = item.post.as_mut() {
            post.parameters
                .get_or_insert_with(Vec::new)
                .push(parameter.clone());
            for (status, answer) in &answers {
                post.responses
                    .responses
                    .entry(status.clone())
                    .or_insert_with(|| answer.clone());
            }
        }
    }
}

/// Adds OpenAPI links from each creating operation's 201 to the operations on the created
/// resource (`/things` → `/things/{id}`, `/things/{id}/publish`, ...): the id from the body
/// and, for replacements, the ETag as `If-Match`. Generated clients and stateful API testers
/// (schemathesis) follow them to reach the states behind a create.
fn link_created_resources(document: &mut OpenApiDocument) {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::path::HttpMethod;
    let operations_on_items: Vec<(String, String, bool)> = document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                (HttpMethod::Get, &item.get),
                (HttpMethod::Put, &item.put),
                (HttpMethod::Post, &item.post),
                (HttpMethod::Delete, &item.delete),
            ]
            .into_iter()
            .filter_map(move |(method, operation)| {
                let id = operation.as_ref()?.operation_id.clone()?;
                Some((path.clone(), id, method == HttpMethod::Put))
            })
        })
        .filter(|(path, _, _)| path.contains("/{id}"))
        .collect();
    for (path, item) in document.paths.paths.iter_mut() {
        let Some(create) = item.post.as_mut() else {
            continue;
        };
        let Some(RefOr::T(created)) = create.responses.responses.get_mut("201") else {
            continue;
        };
        let item_prefix = format!("{path}/{{id}}");
        for (target, operation_id, is_replace) in &operations_on_items {
            if target != &item_prefix && !target.starts_with(&format!("{item_prefix}/")) {
                continue;
            }
            // utoipa 5.5 writes `Link::operation_id` as `operation_id`, not the `operationId`
            // OpenAPI names it, so the field is written through the extensions map instead.
            let spelled_right = Extensions::from_iter([("operationId", operation_id.clone())]);
            let mut link = LinkBuilder::new()
                .extensions(Some(spelled_right))
                .parameter("path.id", "$response.body#/id");
            if *is_replace {
                link = link.parameter("header.If-Match", "$response.header.ETag");
            }
            created
                .links
                .insert(operation_id.clone(), RefOr::T(link.build()));
        }
    }
}

/// Everything the workers share, built once per process.
#[derive(Clone)]
pub struct Shared {
    pub state: web::Data<AppState>,
    pub verifier: web::Data<TokenVerifier>,
    pub metrics: web::Data<Metrics>,
    pub routes: web::Data<RouteTable>,
    pub document: OpenApiDocument,
}

/// Cross-origin access for the configured browser origins only, credentials included; the
/// validators and headers a client needs stay readable.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::HeaderName::from_static("idempotency-key"),
            crate::shell::telemetry::REQUEST_ID_HEADER,
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LOCATION,
            header::RETRY_AFTER,
            crate::shell::telemetry::REQUEST_ID_HEADER,
        ])
        .supports_credentials()
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// One worker's app.
pub fn build(
    shared: Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let origins = shared.state.settings.cors_allowed_origins.clone();
    let (app, _) = App::new()
        .app_data(shared.state.clone())
        .app_data(shared.verifier.clone())
        .app_data(shared.metrics.clone())
        .app_data(shared.routes.clone())
        // An id that is not a UUID names nothing, unless the path is a literal one documented
        // for another method (`GET /permits/verify` is not a permit `verify`).
        .app_data(web::PathConfig::default().error_handler(|_, req| unparsed_path(req).into()))
        // Innermost: a replayed response still gets the policy headers, compression and CORS.
        .wrap(from_fn(crate::edge::idempotency::middleware))
        .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
        // Inside the request's span, so the problems it writes carry the request id.
        .wrap(from_fn(crate::edge::http_policy::apply))
        .wrap(from_fn(crate::edge::http_policy::compress))
        .wrap(from_fn(observe_request))
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    app.service(
        SwaggerUi::new("/docs/{_:.*}")
            .url("/openapi.json", shared.document)
            // The default validator badge is fetched from an outside host; hdab runs offline.
            .config(Config::from("/openapi.json").validator_url("none")),
    )
    .service(web::redirect("/docs", "/docs/"))
    .default_service(web::to(fallback))
}

/// A path whose parameters do not parse: 405 when it is a documented literal path that takes
/// other methods (`GET /permits/verify`), otherwise 404 (`PUT /datasets/not-an-id`).
fn unparsed_path(req: &HttpRequest) -> ApiError {
    let literal = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.literal_methods(req.path()));
    match literal {
        Some(methods) if !methods.contains(&req.method().as_str()) => {
            method_not_allowed(req, &methods)
        }
        _ => ApiError::not_found("the resource"),
    }
}

fn method_not_allowed(req: &HttpRequest, methods: &[&str]) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} is not allowed here; use {}",
            req.method(),
            methods.join(", ")
        ),
    )
    .with_header(header::ALLOW, methods.join(", "))
}

/// Unknown paths are 404; known paths with another method are 405 with `Allow`.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.methods_for(req.path()) {
        Some(methods) => method_not_allowed(&req, &methods),
        None => ApiError::new(
            ErrorCode::NotFound,
            format!("no route matches {}", req.path()),
        ),
    })
}

/// The documented paths and their methods, to tell 405 from 404.
pub struct RouteTable(Vec<(Vec<String>, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_document(document: &OpenApiDocument) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                (
                    path.split('/').map(str::to_owned).collect(),
                    methods_of(item),
                )
            })
            .collect();
        Self(routes)
    }

    /// The methods of the most specific documented path that matches: `/datasets/{id}.{format}`
    /// over `/datasets/{id}` for `/datasets/x.ttl`, as the router picks it.
    fn methods_for(&self, path: &str) -> Option<Vec<&'static str>> {
        self.matching(path)
            .max_by_key(|(template, _)| literal_chars(template))
            .map(|(_, methods)| methods.clone())
    }

    /// The methods of the documented path that is `path` itself, with no parameter.
    fn literal_methods(&self, path: &str) -> Option<Vec<&'static str>> {
        self.matching(path)
            .find(|(template, _)| template.iter().all(|segment| !segment.contains('{')))
            .map(|(_, methods)| methods.clone())
    }

    fn matching<'a>(
        &'a self,
        path: &'a str,
    ) -> impl Iterator<Item = &'a (Vec<String>, Vec<&'static str>)> + 'a {
        let segments: Vec<&str> = path.split('/').collect();
        self.0.iter().filter(move |(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| segment_matches(t, s))
        })
    }
}

/// Whether a path segment fits a template segment: literally, `{name}` (anything non-empty),
/// or a mix such as `{id}.{format}`, whose literal parts must appear in order.
fn segment_matches(template: &str, segment: &str) -> bool {
    if !template.contains('{') {
        return template == segment;
    }
    let mut rest = segment;
    for literal in template
        .split(['{', '}'])
        .enumerate()
        .filter(|(index, _)| index % 2 == 0)
        .map(|(_, literal)| literal)
        .filter(|literal| !literal.is_empty())
    {
        match rest.find(literal) {
            Some(at) => rest = &rest[at + literal.len()..],
            None => return false,
        }
    }
    !segment.is_empty()
}

/// How much of a template is literal text: the more, the more specific.
fn literal_chars(template: &[String]) -> usize {
    template
        .iter()
        .map(|segment| {
            segment
                .split(['{', '}'])
                .step_by(2)
                .map(str::len)
                .sum::<usize>()
        })
        .sum()
}

fn methods_of(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        // Every GET route answers HEAD too (`http_policy`).
        ("HEAD", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, present)| present.then_some(method))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_names_the_methods_of_the_most_specific_path() {
        let routes = RouteTable::from_document(&openapi_document());
        assert_eq!(
            routes.methods_for("/api/v1/datasets/abc.ttl"),
            Some(vec!["GET", "HEAD"])
        );
        assert_eq!(
            routes.methods_for("/api/v1/datasets/abc"),
            Some(vec!["GET", "HEAD", "PUT"])
        );
        assert_eq!(
            routes.methods_for("/api/v1/catalogue.ttl"),
            Some(vec!["GET", "HEAD"])
        );
        assert_eq!(routes.methods_for("/api/v1/nothing/here"), None);
    }
}
