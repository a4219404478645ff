//! Identifiers and log coordinates. Parsed at the edge, trusted inside.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        // Serialized transparently: the UUID as a string.
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .format(Some(::utoipa::openapi::schema::SchemaFormat::Custom(
                        "uuid".to_owned(),
                    )))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}

        impl $name {
            /// The stream this aggregate's events live in.
            pub fn stream(self) -> StreamId {
                StreamId(format!(concat!($prefix, "-{}"), self.0))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A Corporate Plan (or improvement plan): the container of priorities, outcomes and measures.
    PlanId,
    "plan"
);
uuid_id!(
    /// One measure of a plan, e.g. `1.A3`.
    MeasureId,
    "measure"
);
uuid_id!(
    /// One publication of a report (e.g. the Q3 2016/17 scorecard that went to Cabinet).
    ReportId,
    "report"
);

uuid_id!(
    /// One meeting of a committee, board or panel (derived from the body and the day).
    MeetingId,
    "meeting"
);

uuid_id!(
    /// One key action of an improvement plan (derived from the plan and the action's text).
    ActionId,
    "action"
);

uuid_id!(
    /// One API bearer token: who it stands for and in which role (the secret is never stored,
    /// only its SHA-256).
    TokenId,
    "token"
);

uuid_id!(
    /// One read of the history through the API, recorded so that who looked at what is itself
    /// part of the audit trail.
    AccessId,
    "access"
);

uuid_id!(
    /// The setting aside of one commit that cannot be read (derived from its position, so a
    /// commit is set aside at most once).
    SetAsideId,
    "setaside"
);

/// The name of one aggregate's stream: `measure-<uuid>`, `plan-<uuid>`, `report-<uuid>`,
/// `token-<uuid>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(pub String);

impl StreamId {
    /// The kind prefix of the stream (`measure`, `plan`, `report`).
    pub fn kind(&self) -> &str {
        self.0
            .split_once('-')
            .map_or(self.0.as_str(), |(kind, _)| kind)
    }

    /// The stream name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Global position of a commit in the log (1-based; 0 means "before the first commit").
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Position(pub u64);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Version of a stream: the number of events in it (0 for a stream that does not exist yet).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct StreamVersion(pub u64);

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
