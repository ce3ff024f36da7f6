//! Files that hold data at rest (the SQLite database and its journal, signing keys): readable
//! by their owner only, since they hold drafts, actors' e-mail addresses and secrets.

use std::path::Path;

/// The suffixes SQLite adds for the files beside a database in WAL mode.
const SQLITE_COMPANIONS: &[&str] = &["-wal", "-shm", "-journal"];

/// Creates `path` (and its folder, owner-only when new) as an empty file readable by its owner
/// only, or tightens the permissions of an existing one and of SQLite's companion files.
/// SQLite gives the files it creates beside a database the database file's permissions.
pub fn create_private_file(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    restrict_to_owner(path)?;
    for suffix in SQLITE_COMPANIONS {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        let companion = Path::new(&companion);
        if companion.exists() {
            restrict_to_owner(companion)?;
        }
    }
    Ok(())
}

/// Creates `dir` and its parents; a folder created here is accessible by its owner only.
pub fn create_private_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))
}

/// The text of the secret file at `path`, created (owner-only, in an owner-only folder when
/// new) with `make()` on first use. `what` names it in messages ("the development key"). Of two
/// processes creating it at once (`hdab token` beside `hdab serve`), the second reads the
/// first one's.
pub fn read_or_create_secret(
    path: &Path,
    what: &str,
    make: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    use std::io::Write;
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read {what} {}: {e}", path.display())),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let text = make()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write {what} {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "created {what}");
            Ok(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {what} {}: {e}", path.display())),
        Err(e) => Err(format!("cannot create {what} {}: {e}", path.display())),
    }
}

/// Makes `path` readable and writable by its owner only, saying so when it was not.
pub fn restrict_to_owner(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = std::fs::metadata(path)
            .map_err(|e| format!("cannot read the permissions of {}: {e}", path.display()))?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("cannot restrict {} to its owner: {e}", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                was = format!("{mode:o}"),
                "a data file was readable by others; it is now readable by its owner only"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_file_and_folder_are_the_owners_only() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("data/hdab.sqlite");
        create_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&root.path().join("data")), 0o700);
    }

    #[test]
    fn an_existing_world_readable_database_and_its_journal_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("hdab.sqlite");
        let wal = root.path().join("hdab.sqlite-wal");
        for path in [&file, &wal] {
            std::fs::write(path, b"").unwrap();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        create_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&wal), 0o600);
    }
}
