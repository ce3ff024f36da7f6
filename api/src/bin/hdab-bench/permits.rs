//! The permits benchmark of BENCHMARKS.md (issue 10's targets): on SQLite, permits are granted
//! through the whole review (create, submit, accept, every member's vote, the chair's
//! decision); partners then verify visas of every shape — valid ones, ones of revoked permits,
//! forged signatures, malformed tokens — hundreds of distinct visas in turn, beside the
//! trivial endpoint's ceiling in the same run; and a data holder checks 10,000 pseudonyms
//! against 1,000,000 stored opt-outs.
//!
//!     cargo build --release && target/release/hdab-bench permits

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DataDir, Probe, Server, free_port, hdab_binary, load, row, run, serve, token, wait_ready,
};

/// What the permits benchmark takes.
#[derive(clap::Args)]
pub struct Args {
    /// Permits to grant through the review.
    #[arg(long, default_value_t = 20)]
    permits: usize,
    /// Distinct visas to ask for per permit.
    #[arg(long, default_value_t = 25)]
    visas_per_permit: usize,
    /// Opt-outs to store before the opt-out checks.
    #[arg(long, default_value_t = 1_000_000)]
    optouts: usize,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent verifiers.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Keep the data directory here instead of a temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Opt-outs per push, and pseudonyms per check: the most one call takes.
const BATCH: usize = 10_000;
/// How many of the permits are revoked before verifying, so their visas say `revoked`.
const REVOKED: usize = 2;

pub fn bench(args: &Args) -> anyhow::Result<()> {
    let hdab = hdab_binary()?;
    let dir = DataDir::open(args.data_dir.as_ref(), "permits")?;
    run(&hdab, &dir, &["seed", "--synthetic", "200"])?;
    let port = free_port()?;
    let server = Server(serve(&hdab, &dir, port)?);
    let base = format!("http://127.0.0.1:{port}");
    let results = actix_web::rt::System::new().block_on(async {
        wait_ready(&base).await?;
        let bench = Setup::new(&hdab, &dir, &base)?;
        let granted = bench.grant(args.permits).await?;
        let probes = bench.verify_probes(&granted, args.visas_per_permit).await?;
        let seconds = Duration::from_secs(args.seconds);
        load(&probes, args.concurrency, Duration::from_secs(2)).await?;
        let verified = load(&probes, args.concurrency, seconds).await?;
        let trivial = load(
            &[Probe::get(format!("{base}/health/live"))],
            args.concurrency,
            seconds,
        )
        .await?;
        let (push_seconds, checks) = bench.opt_outs(&granted[REVOKED], args.optouts).await?;
        anyhow::Ok((verified, trivial, probes.len(), push_seconds, checks))
    });
    drop(server);
    let (verified, trivial, distinct, push_seconds, checks) = results?;
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "{}",
        row(
            &format!(
                "visa verification, {distinct} distinct visas (valid, revoked, forged, malformed), {} clients",
                args.concurrency
            ),
            &verified
        )
    );
    println!(
        "{}",
        row(
            &format!(
                "trivial endpoint (/health/live), {} clients",
                args.concurrency
            ),
            &trivial
        )
    );
    println!(
        "| pushing {} opt-outs, {BATCH} a call | {push_seconds:.1} s ({:.0}/s) |",
        args.optouts,
        args.optouts as f64 / push_seconds
    );
    let ms: Vec<String> = checks
        .iter()
        .map(|s| format!("{:.0}", s * 1000.0))
        .collect();
    println!(
        "| opt-out check, {BATCH} pseudonyms (half opted out) against {} stored, 5 calls | {} ms |",
        args.optouts,
        ms.join(" / ")
    );
    Ok(())
}

/// The tokens and the client the setup uses.
struct Setup<'a> {
    hdab: &'a Path,
    dir: &'a Path,
    base: &'a str,
    client: reqwest::Client,
    admin: String,
    researcher: String,
    partner: String,
}

/// A granted permit, the token of its principal investigator and of its dataset's holder.
struct Granted {
    permit: String,
    holder: String,
}

const PI: &str = "pi@bench.example";

impl<'a> Setup<'a> {
    fn new(hdab: &'a Path, dir: &'a Path, base: &'a str) -> anyhow::Result<Self> {
        let as_role = |sub: &str, role: &str| token(hdab, dir, &["--sub", sub, "--role", role]);
        Ok(Self {
            hdab,
            dir,
            base,
            client: reqwest::Client::new(),
            admin: as_role("admin@bench.example", "hdab_admin")?,
            researcher: as_role(PI, "researcher")?,
            partner: as_role("spe@bench.example", "partner")?,
        })
    }

    async fn send(&self, token: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let request = match body {
            Some(body) => self.client.post(url).json(body),
            None => self.client.get(url),
        };
        let response = request.bearer_auth(token).send().await?;
        let status = response.status();
        let text = response.text().await?;
        anyhow::ensure!(status.is_success(), "{path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }

    /// `count` permits, each through the whole review of one synthetic dataset's committee.
    async fn grant(&self, count: usize) -> anyhow::Result<Vec<Granted>> {
        let datasets = self
            .send(&self.admin, "/api/v1/datasets?limit=100", None)
            .await?;
        let datasets = datasets["items"].as_array().cloned().unwrap_or_default();
        anyhow::ensure!(!datasets.is_empty(), "no published datasets");
        let started = Instant::now();
        let mut granted = Vec::new();
        // Datasets whose terms the plain application does not meet (a disease-specific
        // permission, an ethics approval required) are passed over.
        for (k, dataset) in datasets.iter().enumerate() {
            if granted.len() == count {
                break;
            }
            match self.grant_one(dataset, k).await {
                Ok(permit) => granted.push(permit),
                Err(error) => eprintln!("passed over a dataset: {error}"),
            }
        }
        anyhow::ensure!(
            granted.len() == count,
            "only {} of {count} permits granted",
            granted.len()
        );
        println!(
            "granted {count} permits through the review in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(granted)
    }

    async fn grant_one(&self, dataset: &Value, k: usize) -> anyhow::Result<Granted> {
        let dataset_id = dataset["id"].as_str().unwrap_or_default();
        let full = self
            .send(&self.admin, &format!("/api/v1/datasets/{dataset_id}"), None)
            .await?;
        let committee_id = full["metadata"]["committee_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let publisher_id = full["metadata"]["publisher_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let committee = self
            .send(
                &self.admin,
                &format!("/api/v1/committees/{committee_id}"),
                None,
            )
            .await?;
        let form = json!({
            "kind": "access_application",
            "organisation": {"name": "Universität Heidelberg", "organisation_type": "academic", "country": "DE"},
            "principal_investigator": {"subject": PI, "name": "Bench PI", "email": "pi@bench.example"},
            "purpose": {"purpose": "scientific_research", "explanation": format!("Permit benchmark {k}."), "expected_benefit": "Numbers."},
            "dataset_ids": [dataset_id],
            "declared_use": {"publication_intended": true},
            "art_54_declaration": true,
            "access": {"data": {"population": "All."}, "data_form": "anonymised", "safeguards": "SPE only.", "processing_months": 24}
        });
        let created = self
            .send(&self.researcher, "/api/v1/applications", Some(&form))
            .await?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let path = |command: &str| format!("/api/v1/applications/{id}/{command}");
        self.send(&self.researcher, &path("submit"), Some(&json!({})))
            .await?;
        self.send(&self.admin, &path("accept"), Some(&json!({})))
            .await?;
        let members = committee["members"].as_array().cloned().unwrap_or_default();
        let member_token = |subject: &str| {
            token(
                self.hdab,
                self.dir,
                &[
                    "--sub",
                    subject,
                    "--role",
                    "dac_member",
                    "--committee",
                    &committee_id,
                ],
            )
        };
        let mut chair = None;
        for member in &members {
            let subject = member["subject"].as_str().unwrap_or_default();
            let member_token = member_token(subject)?;
            let vote = json!({"choice": "approve", "reason": "Fits."});
            self.send(
                &member_token,
                &path(&format!("parts/{committee_id}/votes")),
                Some(&vote),
            )
            .await?;
            if member["role"] == "chair" {
                chair = Some(member_token);
            }
        }
        let chair =
            chair.ok_or_else(|| anyhow::anyhow!("committee {committee_id} has no chair"))?;
        let decision = json!({"outcome": "approve", "reasons": "Unanimous."});
        self.send(
            &chair,
            &path(&format!("parts/{committee_id}/decision")),
            Some(&decision),
        )
        .await?;
        let permits = self
            .send(&self.researcher, "/api/v1/permits?limit=100", None)
            .await?;
        let permit = permits["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["application_id"] == id.as_str())
            .and_then(|p| p["id"].as_str())
            .ok_or_else(|| anyhow::anyhow!("the approval of {id} issued no permit"))?
            .to_owned();
        let holder = token(
            self.hdab,
            self.dir,
            &[
                "--sub",
                "holder@bench.example",
                "--role",
                "data_holder",
                "--publisher",
                &publisher_id,
            ],
        )?;
        Ok(Granted { permit, holder })
    }

    /// Distinct visas of every shape a verifier meets: valid ones, ones of the first
    /// permits after their revocation, forged signatures and malformed tokens.
    async fn verify_probes(
        &self,
        granted: &[Granted],
        per_permit: usize,
    ) -> anyhow::Result<Vec<Probe>> {
        let mut visas = Vec::new();
        for permit in granted {
            for _ in 0..per_permit {
                let list = self
                    .send(
                        &self.researcher,
                        &format!("/api/v1/permits/{}/visas", permit.permit),
                        None,
                    )
                    .await?;
                if let Some(visa) = list["visas"][0]["visa"].as_str() {
                    visas.push(visa.to_owned());
                }
            }
        }
        for permit in &granted[..REVOKED] {
            let revoke = json!({"reason": "Benchmark.", "notice": "Benchmark notice."});
            self.send(
                &self.admin,
                &format!("/api/v1/permits/{}/revoke", permit.permit),
                Some(&revoke),
            )
            .await?;
        }
        let forged: Vec<String> = visas
            .iter()
            .step_by(10)
            .map(|v| {
                let middle = v.len() - 20;
                let flipped = if &v[middle..=middle] == "A" { "B" } else { "A" };
                format!("{}{flipped}{}", &v[..middle], &v[middle + 1..])
            })
            .collect();
        let malformed: Vec<String> = (0..20).map(|n| format!("not-a-visa-{n}")).collect();
        let url = format!("{}/api/v1/permits/verify", self.base);
        Ok(visas
            .iter()
            .chain(&forged)
            .chain(&malformed)
            .map(|visa| {
                Probe::post(
                    url.clone(),
                    &self.partner,
                    json!({"visa": visa}).to_string(),
                )
            })
            .collect())
    }

    /// Pushes `count` opt-outs (BATCH a call) as the registry, then times five checks of
    /// BATCH pseudonyms, half of them opted out, as the data holder of `permit`'s dataset.
    async fn opt_outs(&self, permit: &Granted, count: usize) -> anyhow::Result<(f64, Vec<f64>)> {
        let registry = token(
            self.hdab,
            self.dir,
            &[
                "--sub",
                "registry@bench.example",
                "--role",
                "optout_registry",
            ],
        )?;
        // Dated before the permits were granted, so they count.
        let at = "2020-01-01T00:00:00Z";
        let started = Instant::now();
        for first in (0..count).step_by(BATCH) {
            let records: Vec<Value> = (first..(first + BATCH).min(count))
                .map(|n| json!({"pseudonym": format!("PSN-{n:08}"), "at": at}))
                .collect();
            self.send(
                &registry,
                "/api/v1/optouts",
                Some(&json!({"records": records})),
            )
            .await?;
        }
        let push_seconds = started.elapsed().as_secs_f64();
        let mut checks = Vec::new();
        for round in 0..5 {
            // Every other pseudonym is one of the stored opt-outs, each round another set.
            let pseudonyms: Vec<String> = (0..BATCH)
                .map(|n| {
                    if n % 2 == 0 {
                        format!("PSN-{:08}", (round * BATCH + n * 37) % count.max(1))
                    } else {
                        format!("OTHER-{round}-{n}")
                    }
                })
                .collect();
            let sent = Instant::now();
            let answer = self
                .send(
                    &permit.holder,
                    &format!("/api/v1/permits/{}/optout-check", permit.permit),
                    Some(&json!({"pseudonyms": pseudonyms})),
                )
                .await?;
            checks.push(sent.elapsed().as_secs_f64());
            anyhow::ensure!(
                answer["excluded"].as_array().map_or(0, Vec::len) == BATCH / 2,
                "the check excluded {} of {}",
                answer["excluded"].as_array().map_or(0, Vec::len),
                BATCH / 2
            );
        }
        Ok((push_seconds, checks))
    }
}
