//! The read replica settings (issue 20): where public directory and KPI
//! reads may go, and how far behind the primary that replica may be.
//! Every variable has a documented default (docs/operations.md, "Read
//! replicas").

use super::config::{parse_number, problem, ConfigError};
use living_gate_db::reads::ReplicaSettings;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadConfig {
    /// `LIVING_GATE_READ_DATABASE_URL`: a streaming replica of the primary
    /// (`DATABASE_URL`), as the same role; `None`: every read on the primary.
    pub url: Option<String>,
    /// `LIVING_GATE_READ_MAX_LAG` (milliseconds, default 1000) and
    /// `LIVING_GATE_READ_POLL_MS` (default 200).
    pub replica: ReplicaSettings,
}

impl ReadConfig {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<ReadConfig, ConfigError> {
        let url = get("LIVING_GATE_READ_DATABASE_URL");
        if let Some(url) = &url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(problem(
                    "LIVING_GATE_READ_DATABASE_URL",
                    "must start with postgres:// or postgresql://",
                ));
            }
        }
        Ok(ReadConfig {
            url,
            replica: ReplicaSettings {
                max_lag: Duration::from_millis(parse_number(
                    get,
                    "LIVING_GATE_READ_MAX_LAG",
                    1000,
                    0,
                    3_600_000,
                )?),
                poll_interval: Duration::from_millis(parse_number(
                    get,
                    "LIVING_GATE_READ_POLL_MS",
                    200,
                    10,
                    60_000,
                )?),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read_config(vars: &[(&str, &str)]) -> Result<ReadConfig, ConfigError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        ReadConfig::from_lookup(&|name: &str| map.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn no_replica_by_default_and_a_second_of_lag() {
        let c = read_config(&[]).expect("defaults are valid");
        assert_eq!(c.url, None);
        assert_eq!(c.replica.max_lag, Duration::from_millis(1000));
        assert_eq!(c.replica.poll_interval, Duration::from_millis(200));
        let c = read_config(&[
            ("LIVING_GATE_READ_DATABASE_URL", "postgres://r@replica/lg"),
            ("LIVING_GATE_READ_MAX_LAG", "250"),
            ("LIVING_GATE_READ_POLL_MS", "50"),
        ])
        .expect("valid");
        assert_eq!(c.url.as_deref(), Some("postgres://r@replica/lg"));
        assert_eq!(c.replica.max_lag, Duration::from_millis(250));
        assert_eq!(c.replica.poll_interval, Duration::from_millis(50));
    }

    #[test]
    fn refuses_bad_values_naming_the_variable() {
        for (var, value) in [
            ("LIVING_GATE_READ_DATABASE_URL", "mysql://replica"),
            ("LIVING_GATE_READ_MAX_LAG", "1s"),
            ("LIVING_GATE_READ_MAX_LAG", "-1"),
            ("LIVING_GATE_READ_POLL_MS", "0"),
        ] {
            let err = read_config(&[(var, value)]).expect_err(var);
            assert_eq!(err.variable, var);
        }
    }
}
