//! Content negotiation for resources hdab serves as JSON and as RDF.

use crate::edge::error::{ApiError, ErrorCode};
use crate::projections::rdf::RdfSyntax;

/// What to send back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    Json,
    Rdf(RdfSyntax),
    /// Comma-separated values (RFC 4180), for lists people open in a spreadsheet.
    Csv,
}

impl Representation {
    fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Rdf(syntax) => syntax.media_type(),
            Self::Csv => "text/csv",
        }
    }
}

/// Picks the best of `offered` for an `Accept` header (RFC 9110 §12.5.1): the highest
/// quality wins, ties go to the earlier offer, and no header or `*/*` means the first offer.
/// `None` (406) when the header accepts none of them.
pub fn negotiate(
    accept: Option<&str>,
    offered: &[Representation],
) -> Result<Representation, ApiError> {
    let first = offered
        .first()
        .copied()
        .ok_or_else(|| ApiError::internal("nothing offered"))?;
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(first);
    };
    let mut best: Option<(f32, usize)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media_range = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        for (index, offer) in offered.iter().enumerate() {
            if matches(&media_range, offer.media_type())
                && best.is_none_or(|(q, i)| quality > q || (quality == q && index < i))
            {
                best = Some((quality, index));
            }
        }
    }
    best.map(|(_, index)| offered[index]).ok_or_else(|| {
        let names: Vec<&str> = offered.iter().map(|o| o.media_type()).collect();
        ApiError::new(
            ErrorCode::NotAcceptable,
            format!("this resource is available as {}", names.join(", ")),
        )
    })
}

fn matches(range: &str, media_type: &str) -> bool {
    range == "*/*"
        || range == media_type
        || range
            .strip_suffix("/*")
            .is_some_and(|kind| media_type.split('/').next() == Some(kind))
        || (range == "application/x-turtle" && media_type == "text/turtle")
}

impl Representation {
    /// The representation a file extension names (`json`, `ttl`, `jsonld`, `rdf`); 404 for any
    /// other, since `/things/{id}.pdf` names nothing.
    pub fn from_extension(extension: &str) -> Result<Self, ApiError> {
        if extension == "json" {
            return Ok(Self::Json);
        }
        RdfSyntax::from_extension(extension)
            .map(Self::Rdf)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "no representation has the extension .{extension}; use .json, .ttl, .jsonld or .rdf"
                    ),
                )
            })
    }
}

pub const DATASET_REPRESENTATIONS: [Representation; 4] = [
    Representation::Json,
    Representation::Rdf(RdfSyntax::Turtle),
    Representation::Rdf(RdfSyntax::JsonLd),
    Representation::Rdf(RdfSyntax::RdfXml),
];

pub const REGISTER_REPRESENTATIONS: [Representation; 2] =
    [Representation::Json, Representation::Csv];

pub const CATALOGUE_REPRESENTATIONS: [Representation; 3] = [
    Representation::Rdf(RdfSyntax::Turtle),
    Representation::Rdf(RdfSyntax::JsonLd),
    Representation::Rdf(RdfSyntax::RdfXml),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: Option<&str>) -> Result<Representation, ApiError> {
        negotiate(accept, &DATASET_REPRESENTATIONS)
    }

    #[test]
    fn no_preference_gets_json() {
        assert_eq!(pick(None).unwrap(), Representation::Json);
        assert_eq!(pick(Some("*/*")).unwrap(), Representation::Json);
    }

    #[test]
    fn rdf_syntaxes_are_chosen_by_media_type_and_quality() {
        assert_eq!(
            pick(Some("text/turtle")).unwrap(),
            Representation::Rdf(RdfSyntax::Turtle)
        );
        assert_eq!(
            pick(Some("application/ld+json")).unwrap(),
            Representation::Rdf(RdfSyntax::JsonLd)
        );
        assert_eq!(
            pick(Some("application/json;q=0.5, application/rdf+xml")).unwrap(),
            Representation::Rdf(RdfSyntax::RdfXml)
        );
        assert_eq!(
            pick(Some("text/*")).unwrap(),
            Representation::Rdf(RdfSyntax::Turtle)
        );
    }

    #[test]
    fn an_unproducible_type_is_406() {
        assert_eq!(
            pick(Some("application/pdf")).unwrap_err().code(),
            "not_acceptable"
        );
        assert_eq!(
            pick(Some("text/turtle;q=0")).unwrap_err().code(),
            "not_acceptable"
        );
    }

    #[test]
    fn extensions_name_a_representation() {
        assert_eq!(
            Representation::from_extension("ttl").unwrap(),
            Representation::Rdf(RdfSyntax::Turtle)
        );
        assert_eq!(
            Representation::from_extension("json").unwrap(),
            Representation::Json
        );
        assert_eq!(
            Representation::from_extension("pdf").unwrap_err().code(),
            "not_found"
        );
    }
}
