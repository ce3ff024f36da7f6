//! Synthetic datasets for scale work: varied, deterministic (dataset `i` is always the same),
//! valid, and spread over cancers, modalities, languages, access levels and DUO conditions so
//! that search and facets have realistic work to do.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_openapi::catalogue::{
    ContactPointWire, DataUseWire, DatasetInput, DistributionWire, DuoConditionWire, ImagingWire,
    PeriodWire,
};

/// A cancer's ICD-10 code, its name in English, German, French, Spanish and Italian, the
/// modalities that image it and the body part.
pub type Cancer = (
    &'static str,
    [&'static str; 5],
    &'static [&'static str],
    &'static str,
);

pub const CANCERS: &[Cancer] = &[
    (
        "C34",
        [
            "lung cancer",
            "Lungenkrebs",
            "cancer du poumon",
            "cáncer de pulmón",
            "tumore del polmone",
        ],
        &["CT", "PT"],
        "LUNG",
    ),
    (
        "C50",
        [
            "breast cancer",
            "Brustkrebs",
            "cancer du sein",
            "cáncer de mama",
            "tumore della mammella",
        ],
        &["MG", "MR", "US"],
        "BREAST",
    ),
    (
        "C61",
        [
            "prostate cancer",
            "Prostatakrebs",
            "cancer de la prostate",
            "cáncer de próstata",
            "tumore della prostata",
        ],
        &["MR"],
        "PROSTATE",
    ),
    (
        "C71",
        [
            "brain tumour",
            "Hirntumor",
            "tumeur cérébrale",
            "tumor cerebral",
            "tumore cerebrale",
        ],
        &["MR"],
        "BRAIN",
    ),
    (
        "C18",
        [
            "colon cancer",
            "Darmkrebs",
            "cancer du côlon",
            "cáncer de colon",
            "tumore del colon",
        ],
        &["CT"],
        "COLON",
    ),
    (
        "C22",
        [
            "liver cancer",
            "Leberkrebs",
            "cancer du foie",
            "cáncer de hígado",
            "tumore del fegato",
        ],
        &["CT", "MR"],
        "LIVER",
    ),
    (
        "C25",
        [
            "pancreatic cancer",
            "Bauchspeicheldrüsenkrebs",
            "cancer du pancréas",
            "cáncer de páncreas",
            "tumore del pancreas",
        ],
        &["CT"],
        "PANCREAS",
    ),
    (
        "C64",
        [
            "kidney cancer",
            "Nierenkrebs",
            "cancer du rein",
            "cáncer de riñón",
            "tumore del rene",
        ],
        &["CT"],
        "KIDNEY",
    ),
    (
        "C43",
        ["melanoma", "Melanom", "mélanome", "melanoma", "melanoma"],
        &["PT", "CT"],
        "SKIN",
    ),
    (
        "C81",
        [
            "Hodgkin lymphoma",
            "Hodgkin-Lymphom",
            "lymphome de Hodgkin",
            "linfoma de Hodgkin",
            "linfoma di Hodgkin",
        ],
        &["PT", "CT"],
        "WHOLEBODY",
    ),
    (
        "C53",
        [
            "cervical cancer",
            "Gebärmutterhalskrebs",
            "cancer du col de l'utérus",
            "cáncer de cuello uterino",
            "tumore della cervice",
        ],
        &["MR"],
        "CERVIX",
    ),
    (
        "C56",
        [
            "ovarian cancer",
            "Eierstockkrebs",
            "cancer de l'ovaire",
            "cáncer de ovario",
            "tumore dell'ovaio",
        ],
        &["CT"],
        "OVARY",
    ),
    (
        "C16",
        [
            "gastric cancer",
            "Magenkrebs",
            "cancer de l'estomac",
            "cáncer gástrico",
            "tumore dello stomaco",
        ],
        &["CT"],
        "STOMACH",
    ),
    (
        "C67",
        [
            "bladder cancer",
            "Blasenkrebs",
            "cancer de la vessie",
            "cáncer de vejiga",
            "tumore della vescica",
        ],
        &["CT", "MR"],
        "BLADDER",
    ),
    (
        "C73",
        [
            "thyroid cancer",
            "Schilddrüsenkrebs",
            "cancer de la thyroïde",
            "cáncer de tiroides",
            "tumore della tiroide",
        ],
        &["US"],
        "THYROID",
    ),
];

const MANUFACTURERS: &[&str] = &[
    "Siemens Healthineers",
    "GE HealthCare",
    "Philips",
    "Canon Medical Systems",
    "Fujifilm",
    "Hologic",
    "United Imaging",
];
pub const ACCESS: &[&str] = &["PUBLIC", "RESTRICTED", "NON_PUBLIC"];
pub const COUNTRIES: &[&str] = &[
    "ES", "DE", "FR", "IT", "NL", "SE", "AT", "BE", "PL", "PT", "FI", "DK", "IE", "CZ",
];
const DESIGNS: &[(&str, &str)] = &[
    ("screening cohort", "Prospective screening programme"),
    (
        "treatment response cohort",
        "Retrospective collection from clinical care",
    ),
    (
        "radiomics collection",
        "Retrospective collection from clinical care",
    ),
    (
        "clinical trial imaging archive",
        "Prospective clinical trial",
    ),
    ("registry imaging series", "Population-based registry"),
];

/// A small, fast, well-mixed hash (SplitMix64) so dataset `i` gets the same choices each time.
fn mix(i: u64, salt: u64) -> u64 {
    let mut z = i.wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], i: u64, salt: u64) -> T {
    items[(mix(i, salt) % items.len() as u64) as usize]
}

fn range(i: u64, salt: u64, low: u64, high: u64) -> u64 {
    low + mix(i, salt) % (high - low + 1)
}

/// The `index`th synthetic dataset (identifier `SYN-<index>`).
pub fn synthetic_input(
    index: usize,
    publisher_id: PublisherId,
    committee_id: CommitteeId,
) -> DatasetInput {
    let i = index as u64;
    let (code, [english, german, french, spanish, italian], modalities, body_part) =
        pick(CANCERS, i, 1);
    let (design, collection) = pick(DESIGNS, i, 2);
    let modality = pick(modalities, i, 3);
    let code = if mix(i, 4).is_multiple_of(3) {
        format!("{code}.{}", mix(i, 5) % 10)
    } else {
        code.to_owned()
    };
    let (language, local_title) = match mix(i, 6) % 5 {
        0 => (
            "de",
            format!("{german}: {modality}-Bildgebung, Kohorte {index}"),
        ),
        1 => (
            "fr",
            format!("{french} : imagerie {modality}, cohorte {index}"),
        ),
        2 => (
            "es",
            format!("{spanish}: imagen {modality}, cohorte {index}"),
        ),
        3 => (
            "it",
            format!("{italian}: imaging {modality}, coorte {index}"),
        ),
        _ => ("en", String::new()),
    };
    let mut title = BTreeMap::from([(
        "en".to_owned(),
        format!("{modality} {english} {design} {index}"),
    )]);
    let mut description = BTreeMap::from([(
        "en".to_owned(),
        format!(
            "Synthetic {modality} imaging of {english} ({code}) from a {design}, with clinical outcomes; generated for scale testing."
        ),
    )]);
    let mut languages = vec!["en".to_owned()];
    if language != "en" {
        title.insert(language.to_owned(), local_title.clone());
        description.insert(
            language.to_owned(),
            format!(
                "{local_title}. Synthetische Testdaten / données synthétiques / datos sintéticos."
            ),
        );
        languages.push(language.to_owned());
    }
    let subjects = range(i, 7, 40, 60_000) as u32;
    let min_age = range(i, 8, 0, 60) as u32;
    let max_age = min_age + range(i, 9, 15, 40) as u32;
    let start_year = range(i, 10, 1995, 2020) as i32;
    let end_year = start_year + range(i, 11, 0, 6) as i32;
    let country = pick(COUNTRIES, i, 12);
    let permission = match mix(i, 13) % 5 {
        0 => DuoConditionWire::bare("NRES"),
        1 | 2 => DuoConditionWire::bare("GRU"),
        3 => DuoConditionWire::bare("HMB"),
        _ => DuoConditionWire {
            disease: Some(code.clone()),
            ..DuoConditionWire::bare("DS")
        },
    };
    let modifiers = ["IRB", "NCU", "PUB", "COL", "NPU"]
        .iter()
        .enumerate()
        .filter(|(n, _)| mix(i, 20 + *n as u64).is_multiple_of(4))
        .map(|(_, code)| DuoConditionWire::bare(code))
        .chain((mix(i, 30).is_multiple_of(6)).then(|| DuoConditionWire {
            months: Some(12 + (mix(i, 31) % 48) as u32),
            ..DuoConditionWire::bare("TS")
        }))
        .collect();
    let manufacturers = (0..1 + mix(i, 14) % 3)
        .map(|n| pick(MANUFACTURERS, i, 40 + n).to_owned())
        .collect::<std::collections::BTreeSet<_>>();
    let access_rights = pick(ACCESS, i, 15);
    DatasetInput {
        identifier: format!("SYN-{index:07}"),
        publisher_id: publisher_id.as_uuid(),
        committee_id: committee_id.as_uuid(),
        title,
        description,
        keywords: BTreeMap::from([(
            "en".to_owned(),
            vec![english.to_owned(), modality.to_owned(), design.to_owned()],
        )]),
        access_rights: access_rights.to_owned(),
        health_categories: vec!["EHRS".into()],
        dataset_type: Some("TEST_DATA".into()),
        provenance: Some(
            "Synthetic description generated by hdab seed --synthetic for scale testing.".into(),
        ),
        contact_point: Some(ContactPointWire {
            email: "synthetic@example.org".into(),
            url: None,
        }),
        landing_page: None,
        languages,
        countries: vec![country.to_owned()],
        temporal: match (
            NaiveDate::from_ymd_opt(start_year, 1, 1),
            NaiveDate::from_ymd_opt(end_year, 12, 31),
        ) {
            (Some(start), Some(end)) => Some(PeriodWire { start, end }),
            _ => None,
        },
        distributions: vec![DistributionWire {
            title: None,
            access_url: format!("https://synthetic.example.org/datasets/{index}"),
            download_url: None,
            format: Some("ZIP".into()),
            media_type: None,
            byte_size: None,
            license: Some(super::licence(
                access_rights,
                "https://synthetic.example.org",
            )),
        }],
        has_structured_data: false,
        variables: Vec::new(),
        min_typical_age: Some(min_age),
        max_typical_age: Some(max_age),
        number_of_records: Some(subjects * range(i, 16, 1, 4) as u32),
        number_of_unique_individuals: Some(subjects),
        population_coverage: None,
        quality_label: None,
        sample: None,
        analytics: Vec::new(),
        custodian: None,
        purposes: Vec::new(),
        legal_bases: Vec::new(),
        personal_data: vec!["Age".into(), "Gender".into()],
        retention_period: None,
        temporal_resolution: None,
        accrual_periodicity: Some("IRREG".into()),
        conforms_to: vec!["DICOM".into()],
        referenced_by: Vec::new(),
        relations: Vec::new(),
        pages: Vec::new(),
        imaging: ImagingWire {
            cancer_conditions: vec![code],
            modalities: vec![modality.to_owned()],
            body_parts: vec![body_part.to_owned()],
            manufacturers: manufacturers.into_iter().collect(),
            birth_sex: vec!["female".into(), "male".into()],
            collection_method: Some(collection.to_owned()),
            annotations: None,
            access_model: Some(
                pick(&["download", "in_situ", "remote_processing_only"], i, 17).to_owned(),
            ),
        },
        data_use: DataUseWire {
            permission,
            modifiers,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdab_domain::catalogue::DatasetDetails;

    #[test]
    fn every_synthetic_dataset_is_valid_and_deterministic() {
        let (publisher, committee) = (PublisherId::generate(), CommitteeId::generate());
        for index in 0..2_000 {
            let input = synthetic_input(index, publisher, committee);
            assert!(
                DatasetDetails::try_from(&input).is_ok(),
                "synthetic dataset {index}: {:?}",
                DatasetDetails::try_from(&input).err()
            );
            assert_eq!(
                input.title,
                synthetic_input(index, publisher, committee).title
            );
        }
    }
}
