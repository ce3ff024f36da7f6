//! `hdab`: see `hdab --help`.

fn main() -> std::process::ExitCode {
    hdab_api::shell::cli::main()
}
