//! `living-gate`: the ZAMA Living Gate API server and its admin commands.

use clap::Parser;
use living_gate_api::startup::cli::{self, Cli, Command};
use living_gate_api::startup::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    living_gate_api::startup::memory::fix_allocation_thresholds();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("living-gate: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    if !matches!(command, Command::Openapi) {
        living_gate_api::startup::telemetry::init(&config.log_filter, config.log_format);
    }
    match cli::run(command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("living-gate: {error:#}");
            ExitCode::FAILURE
        }
    }
}
