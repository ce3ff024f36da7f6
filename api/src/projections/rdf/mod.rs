//! The catalogue as RDF: HealthDCAT-AP (Release 8) descriptions of datasets and the DCAT
//! catalogue, in Turtle, JSON-LD or RDF/XML. Statements are built as typed terms (`triples.rs`:
//! nodes, vocabulary constants, literals), never by string templates; JSON-LD and RDF/XML are
//! written by oxrdfio's streaming serialisers, Turtle (what harvesters read most) by a writer
//! of hdab's own that formats terms faster (`turtle.rs`).

mod catalogue;
mod dataset;
mod extensions;
mod identity;
pub mod read;
mod triples;
mod turtle;
mod vocabulary;

pub use catalogue::PageLinks;
pub use dataset::is_public;
pub use identity::CatalogueIdentity;
pub use triples::Triples;

use std::io::Write;

use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfSerializer, WriterQuadSerializer};
use turtle::TurtleWriter;
use vocabulary::PREFIXES;

/// The RDF syntaxes hdab writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfSyntax {
    Turtle,
    JsonLd,
    RdfXml,
}

impl RdfSyntax {
    pub const ALL: [RdfSyntax; 3] = [Self::Turtle, Self::JsonLd, Self::RdfXml];

    pub(super) fn format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Self::RdfXml => RdfFormat::RdfXml,
        }
    }

    pub fn media_type(self) -> &'static str {
        self.format().media_type()
    }

    /// `ttl`, `jsonld`, `rdf`: what harvesters that send no `Accept` ask for.
    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "ttl" => Some(Self::Turtle),
            "jsonld" => Some(Self::JsonLd),
            "rdf" => Some(Self::RdfXml),
            _ => None,
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.media_type() == media_type)
            .or(match media_type {
                "application/x-turtle" => Some(Self::Turtle),
                "application/json-ld" => Some(Self::JsonLd),
                _ => None,
            })
    }
}

/// Writes triples in one syntax, with hdab's prefixes.
pub enum RdfWriter<W: Write> {
    Turtle(TurtleWriter<W>),
    /// JSON-LD and RDF/XML.
    Oxrdfio(Box<WriterQuadSerializer<W>>),
}

impl<W: Write> RdfWriter<W> {
    /// Ends the document and gives the output back.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Self::Turtle(writer) => writer.finish(),
            Self::Oxrdfio(serializer) => serializer.finish(),
        }
    }
}

/// A writer of `syntax` with hdab's prefixes, writing to `out`.
pub fn serializer<W: Write>(syntax: RdfSyntax, out: W) -> RdfWriter<W> {
    if syntax == RdfSyntax::Turtle {
        return RdfWriter::Turtle(TurtleWriter::new(out));
    }
    let mut serializer = RdfSerializer::from_format(syntax.format());
    for (prefix, iri) in PREFIXES {
        // The prefixes are constants known to be valid IRIs.
        if let Ok(with) = serializer.clone().with_prefix(*prefix, *iri) {
            serializer = with;
        }
    }
    RdfWriter::Oxrdfio(Box::new(serializer.for_writer(out)))
}

#[cfg(test)]
mod tests;
