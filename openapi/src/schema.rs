//! Schemas built from the domain's code lists, so the documented enums are the accepted ones.

use hdab_domain::values::CountryCode;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaFormat, Type};

/// A string that must be one of `values`.
pub fn string_enum(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

pub fn country() -> Object {
    string_enum(
        CountryCode::all(),
        "ISO 3166-1 alpha-2 country code in upper case (EL is accepted for Greece).",
    )
}

pub fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("email".into())))
        .max_length(Some(254))
        .description(Some("An organisational e-mail address."))
        .build()
}

/// An array of strings, each one of `values`.
pub fn string_enum_array(
    values: impl IntoIterator<Item = &'static str>,
    description: &str,
) -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values)),
        )
        .description(Some(description))
        .build()
}
