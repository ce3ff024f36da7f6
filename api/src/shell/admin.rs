//! Administrative commands run beside (or without) a server: `hdab keys rotate`,
//! `hdab audit verify` and `hdab harvest`.

use crate::application::checkpoints::Checkpoints;
use crate::application::permit_keys::PermitKeys;
use crate::application::secrets::KeyEncryptionKey;
use crate::shell::config::Settings;

/// Adds a visa-signing key and makes it current; returns its id. Servers on the same database
/// load it when their follower reads the rotation from the event log (within a second).
pub fn rotate_keys(settings: &Settings) -> anyhow::Result<String> {
    let pool = crate::shell::server::open_database(settings)?;
    let kek = KeyEncryptionKey::load_or_create(&settings.permit_key_encryption_key_file)
        .map_err(anyhow::Error::msg)?;
    let keys = PermitKeys::new(kek, settings.permits.visa_lifetime);
    let mut conn = pool.get()?;
    let now = settings.clock.now();
    let kid = hdab_persistence::events::write(&mut conn, |tx| keys.rotate_in(tx, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(kid, "rotated the visa-signing key");
    Ok(kid)
}

/// Walks the hash chain like `GET /api/v1/audit/verify`; an error names the first broken
/// event.
pub fn verify_audit(settings: &Settings) -> anyhow::Result<String> {
    let pool = crate::shell::server::open_database(settings)?;
    let signer = Checkpoints::open(
        &settings.audit_key_file,
        &settings.data_dir,
        &settings.public_url,
    )
    .map_err(anyhow::Error::msg)?;
    let mut conn = pool.get()?;
    let (verification, anchor) = crate::application::audit::verify_log(&mut conn, &signer, None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let against = anchor.map_or(String::new(), |c| {
        format!(" against the checkpoint at event {}", c.seq)
    });
    match verification.first_break {
        None => Ok(format!(
            "the event log verifies: {} events checked{against}",
            verification.events_checked
        )),
        Some(broken) => anyhow::bail!(
            "the event log does not verify: event {} is broken: {} ({} events verified before it{against})",
            broken.seq,
            broken.reason,
            verification.events_checked
        ),
    }
}

/// Runs one harvest source now, claimed like a scheduled run (a server running it meanwhile
/// makes this refuse); returns the run log entry as JSON, or fails when the run failed.
pub fn harvest(settings: Settings, source: &str) -> anyhow::Result<String> {
    use crate::background::harvest::NotRun;
    use hdab_domain::harvest::RunOutcome;
    let id = hdab_domain::ids::HarvestSourceId::parse(source)
        .map_err(|e| anyhow::anyhow!("--source: {}", e.message))?;
    let pool = crate::shell::server::open_database(&settings)?;
    let harvester = crate::shell::server::harvester(&settings, &pool, None)?;
    let run = actix_web::rt::System::new().block_on(async move {
        match harvester.run_claimed(id, true).await {
            Ok(run) => Ok(run),
            Err(NotRun::Busy) => anyhow::bail!(
                "another process is running harvest source {id}; its run will be in the run log"
            ),
            Err(NotRun::Failed(error)) => anyhow::bail!("harvest source {id}: {error}"),
        }
    })?;
    let report = serde_json::to_string_pretty(&hdab_openapi::harvest::HarvestRunView::from(&run))?;
    if run.outcome == RunOutcome::Failed {
        anyhow::bail!("the run failed:\n{report}");
    }
    Ok(report)
}
