//! The domain's error type. The HTTP layer maps every variant to a problem+json response
//! with a stable code; nothing else in the domain decides status codes.

use serde::Serialize;

use crate::ErrorCode;

/// The cause of an internal error, kept for the logs (never sent to a client).
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why one value was refused: a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: ErrorCode,
    pub message: String,
}

impl Invalid {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// One offending field of a request, named as the client spelled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `phone` or `schedule.0.start`.
    pub field: String,
    /// Stable machine code, e.g. `invalid_phone`.
    pub code: ErrorCode,
    /// Human explanation, in the language of the problem it is part of (the code's Chinese
    /// sentence, or the English the rule that refused the value wrote).
    pub message: String,
}

/// Every field error found in one request, so a client can fix them all at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, invalid: Invalid) -> Self {
        let mut errors = Self::new();
        errors.push(field, invalid);
        errors
    }

    pub fn push(&mut self, field: impl Into<String>, invalid: Invalid) {
        self.0.push(FieldError {
            field: field.into(),
            code: invalid.code,
            message: invalid.message,
        });
    }

    /// Keeps the value if it parsed, records the error under `field` if not.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.push(field, invalid);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, the whole list as one error otherwise.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self))
        }
    }
}

/// What can go wrong in a domain operation.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("validation failed")]
    Validation(ValidationErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account disabled")]
    AccountDisabled,
    #[error("{detail}")]
    Unauthenticated { code: ErrorCode, detail: String },
    #[error("{detail}")]
    Forbidden { detail: String },
    /// A limit kept by a business rule (not a per-IP limiter) was reached.
    #[error("{detail}")]
    TooManyRequests {
        code: ErrorCode,
        detail: String,
        retry_after_secs: u64,
    },
    /// Something outside the database this operation needs (a mail or SMS gateway) failed.
    #[error("{detail}")]
    Unavailable { code: ErrorCode, detail: String },
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A fault of ours: an invariant broke or something we rely on failed. `source`, when
    /// there is one, is logged with its whole chain where errors become responses.
    #[error("internal error: {context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Option<Source>,
    },
    /// A shared resource (the password hashing pool) is saturated; the caller may retry
    /// after `retry_after_secs`.
    #[error("busy; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
}

impl DomainError {
    pub fn unauthenticated(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unauthenticated {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden {
            detail: detail.into(),
        }
    }

    /// An internal error with no underlying error: an invariant of ours broke.
    pub fn internal(context: &'static str) -> Self {
        Self::Internal {
            context,
            source: None,
        }
    }

    /// An internal error caused by `source` (any error, or a message), kept for the logs.
    pub fn internal_from(context: &'static str, source: impl Into<Source>) -> Self {
        Self::Internal {
            context,
            source: Some(source.into()),
        }
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }
}

impl From<sea_orm::TransactionError<DomainError>> for DomainError {
    fn from(err: sea_orm::TransactionError<DomainError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => DomainError::Database(db),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}
