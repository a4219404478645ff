//! Prometheus metrics at `/metrics`: requests and their latency by route and status, appends,
//! conflicts, how far the read models trail the log (measured when scraped), and the last
//! verification of the log.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::error::ApiError;
use crate::ServerState;

/// One answered request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// A route, for conflicts.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// The service's metrics, registered once per server.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    appends: Counter,
    conflicts: Family<RouteLabels, Counter>,
    log_head: Gauge,
    read_models_at: Gauge,
    projector_lag: Gauge,
    /// Registered when the first verification finishes, so that a scrape before it shows no
    /// verdict rather than a `0` an alert would take for a failed one.
    verification: OnceLock<VerificationGauges>,
}

/// The last verification of the log, as gauges.
#[derive(Debug, Default)]
struct VerificationGauges {
    verified: Gauge,
    verified_head: Gauge,
    timestamp: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::in_registry(Registry::with_prefix("scoreledger"))
    }
}

impl Metrics {
    /// Metrics whose every series carries `label="value"` (a council's, on a deployment that
    /// serves several: `/metrics` there gives every council's series side by side).
    pub fn labelled(label: &str, value: &str) -> Self {
        Self::in_registry(Registry::with_prefix_and_labels(
            "scoreledger",
            [(label.to_owned().into(), value.to_owned().into())].into_iter(),
        ))
    }

    fn in_registry(mut registry: Registry) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            // 1 ms to about 16 s.
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        let appends = Counter::default();
        let conflicts = Family::<RouteLabels, Counter>::default();
        let log_head = Gauge::default();
        let read_models_at = Gauge::default();
        let projector_lag = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route and status",
            latency.clone(),
        );
        registry.register(
            "appends",
            "Commits this server appended to the log",
            appends.clone(),
        );
        registry.register(
            "conflicts",
            "Writes refused because the stream had moved on (stale If-Match or a lost race), by route",
            conflicts.clone(),
        );
        registry.register(
            "log_head",
            "Position of the last commit in the log, when scraped",
            log_head.clone(),
        );
        registry.register(
            "read_models_position",
            "Position the read models have projected, when scraped",
            read_models_at.clone(),
        );
        registry.register(
            "projector_lag",
            "Commits in the log not yet in the read models, when scraped",
            projector_lag.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            appends,
            conflicts,
            log_head,
            read_models_at,
            projector_lag,
            verification: OnceLock::new(),
        }
    }
}

impl Metrics {
    /// Sets the verification gauges from `last`, registering them the first time.
    pub fn verified(&self, last: &crate::log_check::LastVerification) {
        let gauges = self.verification.get_or_init(|| {
            let gauges = VerificationGauges::default();
            let mut registry = self
                .registry
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            registry.register(
                "log_verified",
                "Whether the last verification of the log found it whole (1) or found tampering or damage (0)",
                gauges.verified.clone(),
            );
            registry.register(
                "log_verified_head",
                "The last position up to which the last verification found the log whole",
                gauges.verified_head.clone(),
            );
            registry.register(
                "log_verification_timestamp_seconds",
                "When the last verification of the log finished, in seconds since 1970",
                gauges.timestamp.clone(),
            );
            gauges
        });
        // Up to the first finding the log did verify; a log shorter than the read models
        // verified to its head.
        let verified_head = match &last.finding {
            Some(finding) => finding.position.saturating_sub(1).min(last.head),
            None => last.head,
        };
        gauges.verified.set(i64::from(last.verified));
        gauges.verified_head.set(verified_head as i64);
        gauges.timestamp.set(last.at.timestamp());
    }

    /// Counts one commit appended by this server.
    pub fn appended(&self) {
        self.appends.inc();
    }
}

/// Middleware: counts every request and times it, labelled by the route it matched (not the
/// raw path, so ids and periods do not explode the label set) and the status; counts the
/// answers `error.rs` marks as write conflicts.
pub async fn track(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status();
    if response
        .extensions()
        .get::<crate::error::Conflicted>()
        .is_some()
    {
        state
            .metrics
            .conflicts
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .inc();
    }
    let labels = RequestLabels {
        method,
        route,
        status: status.as_u16(),
    };
    state
        .metrics
        .latency
        .get_or_create(&labels)
        .observe(seconds);
    state.metrics.requests.get_or_create(&labels).inc();
    response
}

/// `GET /metrics`: the Prometheus text format (no token: scrape it from inside the network).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Request counts and latencies by route and status, appends, conflicts, log head, read-model position, projector lag and, once a verification has run, its result (`scoreledger_log_verified`, `scoreledger_log_verified_head`, `scoreledger_log_verification_timestamp_seconds`)", content_type = "application/openmetrics-text", body = String),
        (status = 503, description = "The log or the read models do not answer", body = crate::error::ErrorBody)))]
pub async fn scrape(State(state): State<ServerState>) -> Result<Response, ApiError> {
    Ok(openmetrics(text(&state).await?))
}

/// The OpenMetrics answer for `text`.
pub(crate) fn openmetrics(text: String) -> Response {
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `state`'s metrics as OpenMetrics text, the log's head and the projector's lag measured now.
pub(crate) async fn text(state: &ServerState) -> Result<String, ApiError> {
    let head = state
        .store
        .head()
        .await
        .map_err(ApiError::log_unavailable)?;
    let at = scoreledger_projections::checkpoint(&state.read).await?;
    let metrics = &state.metrics;
    metrics.log_head.set(head.0 as i64);
    metrics.read_models_at.set(at.0 as i64);
    metrics
        .projector_lag
        .set(head.0.saturating_sub(at.0) as i64);
    let mut text = String::new();
    {
        let registry = metrics
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .expect("writing metrics to a String cannot fail");
    }
    Ok(text)
}

/// Several registries' OpenMetrics texts as one: each metric family once, with its help and
/// type, followed by the samples of every text (OpenMetrics wants a family's samples
/// together and named once), and one `# EOF`.
pub(crate) fn merge<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    // Families in the order first met: (name, its descriptor lines, its samples).
    let mut families: Vec<(String, Vec<&str>, Vec<&str>)> = Vec::new();
    for text in texts {
        let mut current: Option<usize> = None;
        for line in text.lines() {
            if line == "# EOF" || line.is_empty() {
                continue;
            }
            if let Some(descriptor) = line.strip_prefix("# ") {
                let name = descriptor.split_whitespace().nth(1).unwrap_or_default();
                let index = match families.iter().position(|(known, ..)| known == name) {
                    Some(index) => index,
                    None => {
                        families.push((name.to_owned(), Vec::new(), Vec::new()));
                        families.len() - 1
                    }
                };
                let descriptors = &mut families[index].1;
                let kind = descriptor.split_whitespace().next();
                if !descriptors
                    .iter()
                    .any(|seen| seen.split_whitespace().nth(1) == kind)
                {
                    descriptors.push(line);
                }
                current = Some(index);
            } else if let Some(index) = current {
                families[index].2.push(line);
            }
        }
    }
    let mut merged = String::new();
    for (_, descriptors, samples) in &families {
        for line in descriptors.iter().chain(samples) {
            merged.push_str(line);
            merged.push('\n');
        }
    }
    merged.push_str("# EOF\n");
    merged
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merged_texts_name_each_family_once_with_every_sample() {
        let a = "# HELP scoreledger_appends Commits.\n# TYPE scoreledger_appends counter\nscoreledger_appends_total{council=\"a\"} 1\n# HELP scoreledger_log_head Head.\n# TYPE scoreledger_log_head gauge\nscoreledger_log_head{council=\"a\"} 7\n# EOF\n";
        let b = a
            .replace("\"a\"} 1", "\"b\"} 2")
            .replace("\"a\"} 7", "\"b\"} 9");
        let merged = merge([a, b.as_str()]);
        assert_eq!(
            merged,
            "# HELP scoreledger_appends Commits.\n# TYPE scoreledger_appends counter\n\
             scoreledger_appends_total{council=\"a\"} 1\nscoreledger_appends_total{council=\"b\"} 2\n\
             # HELP scoreledger_log_head Head.\n# TYPE scoreledger_log_head gauge\n\
             scoreledger_log_head{council=\"a\"} 7\nscoreledger_log_head{council=\"b\"} 9\n# EOF\n"
        );
    }

    #[test]
    fn every_registry_merged_is_one_valid_text() {
        use prometheus_client::encoding::text::encode;
        let texts: Vec<String> = ["a", "b"]
            .into_iter()
            .map(|council| {
                let metrics = super::Metrics::labelled("council", council);
                metrics
                    .latency
                    .get_or_create(&super::RequestLabels {
                        method: "GET".into(),
                        route: "/api/plans".into(),
                        status: 200,
                    })
                    .observe(0.01);
                if council == "b" {
                    metrics.verified(&crate::log_check::LastVerification {
                        verified: true,
                        head: 3,
                        at: chrono::DateTime::UNIX_EPOCH,
                        finding: None,
                    });
                }
                let mut text = String::new();
                encode(&mut text, &metrics.registry.lock().unwrap()).unwrap();
                text
            })
            .collect();
        let merged = merge(texts.iter().map(String::as_str));
        // Each family is described once, and its samples follow their description unbroken.
        let mut seen = Vec::new();
        let mut current = String::new();
        for line in merged.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let family = rest.split_whitespace().next().unwrap().to_owned();
                assert!(!seen.contains(&family), "{family} twice in {merged}");
                seen.push(family.clone());
                current = family;
            } else if !line.starts_with('#') {
                assert!(
                    line.starts_with(&current),
                    "{line} outside {current}: {merged}"
                );
            }
        }
        assert_eq!(merged.matches("# EOF").count(), 1);
        assert!(merged.ends_with("# EOF\n"));
        for council in ["a", "b"] {
            assert!(
                merged.contains(&format!(
                    "scoreledger_http_request_duration_seconds_count{{council=\"{council}\""
                )),
                "{merged}"
            );
        }
        assert!(
            merged.contains("scoreledger_log_verified{council=\"b\"} 1"),
            "{merged}"
        );
    }
}
