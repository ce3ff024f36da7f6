//! TLS for outbound HTTP. rustls runs on the `ring` provider: it builds quickly and needs no
//! C toolchain beyond what Rust needs anyway.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Makes `ring` the process-wide rustls provider (once; later calls do nothing).
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Fails only when another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
