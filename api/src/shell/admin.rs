//! Administrative commands run beside (or without) a server: `hdab keys rotate` and
//! `hdab audit verify`.

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
