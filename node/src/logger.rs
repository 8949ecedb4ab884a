//! A stderr logger: warnings always, requests at debug level with
//! `--verbose` or `RUST_LOG=debug`.

use log::{Level, LevelFilter, Metadata, Record};

struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.target().starts_with("dispatch_solana_node") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[{}] {}", record.level().as_str().to_lowercase(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger.
pub fn init(verbose: bool) {
    let from_env = std::env::var("RUST_LOG").ok().and_then(|v| v.parse::<Level>().ok());
    let level = if verbose { Some(Level::Debug) } else { from_env };
    static LOGGER: StderrLogger = StderrLogger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level.map_or(LevelFilter::Warn, |l| l.to_level_filter()));
    }
}
