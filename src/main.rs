//! The `log-gardener` binary: parses the command line and maps failures to exit statuses
//! (0 a report was written, 1 nothing could be read or written, 2 the command line is wrong).

use clap::Parser;
use log_gardener::cli::{self, Cli, Command, Failure};
use std::process::ExitCode;

// Parsing allocates many small strings per entry; mimalloc halves the time the system allocator
// spent on them (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3): milliseconds before freed memory goes back to the
/// system. Its default, 1000, kept a second's worth of freed chunks resident: 250 MB peak on a
/// 1 GB export against 200 MB at 50 ms, at the same speed (docs/performance.md).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // SAFETY: set before any other thread starts, as mimalloc asks.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, purge_delay_ms()) };
    small_pages_only();
    let cli = Cli::parse(); // exits with status 2 on a wrong command line
    let result = match &cli.command {
        Command::Report(args) => cli::report::run(args),
        Command::Summarize(args) => cli::summarize::run(args),
        Command::Merge(args) => cli::merge::run(args),
        Command::Rules => {
            print!("{}", log_gardener::config::DEFAULT_RULES);
            Ok(())
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

fn purge_delay_ms() -> std::os::raw::c_long {
    std::env::var("LOG_GARDENER_PURGE_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50)
}

/// Asks Linux for ordinary 4 KB pages instead of transparent huge pages: a fault on a huge page
/// zeroes 2 MB, and memory freed and touched again cost a 2 MB zeroing each time, plus the
/// kernel's hunt for free huge pages when the page cache is full. Measured: peak memory 185 →
/// 155 MB on a 1 GB export and 245 → 220 MB on 4 GB, the same speed, steadier system time
/// (docs/performance.md). `LOG_GARDENER_THP=1` keeps huge pages, for measuring.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("LOG_GARDENER_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of the process.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}
