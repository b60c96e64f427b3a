//! The `log-gardener` binary: parses the command line and maps failures to exit statuses
//! (0 a report was written, 1 nothing could be read or written, 2 the command line is wrong).

use clap::Parser;
use log_gardener::cli::{self, Cli, Command, Failure};
use std::process::ExitCode;

// Parsing allocates many small strings per entry; mimalloc halves the time the system allocator
// spent on them (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits with status 2 on a wrong command line
    let result = match &cli.command {
        Command::Report(args) => cli::report::run(args),
        Command::Rules => {
            print!("{}", log_gardener::config::DEFAULT_RULES);
            Ok(())
        }
        Command::Generate(args) => {
            cli::generate::run(args).map_err(|e| Failure::Fatal(format!("{e:#}")))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Fatal(msg)) => {
            eprintln!("log-gardener: error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("log-gardener: error: {msg}");
            ExitCode::from(2)
        }
    }
}
