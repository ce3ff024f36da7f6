//! The requests a catalogue portal's users make, shape by shape, each drawn as many distinct
//! requests from the synthetic catalogue's vocabulary (`hdab seed --synthetic`), so that no
//! cache of a handful of URLs flatters a figure.

use hdab_api::shell::seed::{ACCESS, CANCERS, COUNTRIES};
use serde_json::Value;

use crate::harness::Probe;

/// One shape of request and its distinct instances.
pub struct Shape {
    pub name: &'static str,
    pub probes: Vec<Probe>,
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Full text in one of five languages plus two filters (modality, country): 100 searches.
pub fn text_searches(base: &str) -> Shape {
    let mut probes = Vec::new();
    for (c, (_, names, modalities, _)) in CANCERS.iter().enumerate() {
        for (l, name) in names.iter().enumerate() {
            let modality = modalities[l % modalities.len()];
            let country = COUNTRIES[(c + l) % COUNTRIES.len()];
            probes.push(Probe::get(format!(
                "{base}/api/v1/datasets?q={}&modality={modality}&country={country}",
                encode(name)
            )));
        }
    }
    Shape {
        name: "full text + 2 filters",
        probes,
    }
}

/// A quoted phrase, as someone types a condition's name in their language: every name of
/// several words, ranked by relevance and by date, without filters.
pub fn phrase_searches(base: &str) -> Shape {
    let phrases = CANCERS
        .iter()
        .flat_map(|(_, names, _, _)| names.iter())
        .filter(|name| name.contains(' '));
    let probes = phrases
        .flat_map(|name| {
            ["relevance", "modified"].map(|sort| {
                Probe::get(format!(
                    "{base}/api/v1/datasets?q={}&sort={sort}",
                    encode(&format!("\"{name}\""))
                ))
            })
        })
        .collect();
    Shape {
        name: "quoted phrase",
        probes,
    }
}

/// Filters only, as a click on a facet sends them: a condition and a modality, or a country
/// and an access right.
pub fn filter_searches(base: &str) -> Shape {
    let mut probes = Vec::new();
    for (code, _, modalities, _) in CANCERS {
        for modality in *modalities {
            probes.push(Probe::get(format!(
                "{base}/api/v1/datasets?cancer_condition={code}&modality={modality}"
            )));
        }
    }
    for country in COUNTRIES {
        for access in ACCESS {
            probes.push(Probe::get(format!(
                "{base}/api/v1/datasets?country={country}&access_rights={access}"
            )));
        }
    }
    Shape {
        name: "filters only",
        probes,
    }
}

/// The landing page: every dataset with every facet, by each sort key and page size.
pub fn landing_pages(base: &str) -> Shape {
    let probes = ["relevance", "modified", "subjects"]
        .iter()
        .flat_map(|sort| {
            (10..30).map(move |limit| {
                Probe::get(format!("{base}/api/v1/datasets?sort={sort}&limit={limit}"))
            })
        })
        .collect();
    Shape {
        name: "no text, no filter",
        probes,
    }
}

/// Datasets by id (JSON), and the Turtle catalogue pages of 100 that start after each.
pub async fn reads(base: &str, client: &reqwest::Client) -> anyhow::Result<(Shape, Shape)> {
    let page: Value = client
        .get(format!("{base}/api/v1/datasets?sort=modified&limit=100"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let ids: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(ids.len() >= 50, "the catalogue has fewer than 50 datasets");
    let by_id = ids
        .iter()
        .map(|id| Probe::get(format!("{base}/api/v1/datasets/{id}")))
        .collect();
    let pages = ids
        .iter()
        .map(|id| Probe {
            accept: Some("text/turtle"),
            ..Probe::get(format!(
                "{base}/api/v1/catalogue?limit=100&cursor={}",
                hdab_api::edge::extract::encode_cursor(id)
            ))
        })
        .collect();
    Ok((
        Shape {
            name: "dataset by id, JSON",
            probes: by_id,
        },
        Shape {
            name: "catalogue page of 100, Turtle",
            probes: pages,
        },
    ))
}

/// How many of `shape`'s searches match nothing (each is asked once).
pub async fn matching_nothing(client: &reqwest::Client, shape: &Shape) -> anyhow::Result<usize> {
    let mut empty = 0;
    for probe in &shape.probes {
        let page: Value = client
            .get(&probe.url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if page["total"] == 0 {
            empty += 1;
        }
    }
    Ok(empty)
}
