//! Bulk upsert on the wire: the items a partner pushes and what became of each.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::DatasetInput;
use crate::Problem;

/// Withdrawing a dataset by its publisher and its own identifier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkWithdrawal {
    pub publisher_id: Uuid,
    #[schema(example = "NLST-CT-2002")]
    pub identifier: String,
    /// `true`: withdraw it.
    pub withdraw: bool,
}

/// One item of a push: a description to publish (a `DatasetInput`: created, or updated when
/// the publisher already has a dataset with its identifier), or a `BulkWithdrawal`. Items are
/// judged one by one: one that is neither comes back `rejected` with its problem, and the
/// others are written.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub struct BulkItemInput(pub serde_json::Value);

/// The two shapes an item may take, for clients that build them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum BulkItemShape {
    Withdrawal(BulkWithdrawal),
    Dataset(Box<DatasetInput>),
}

/// What became of one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkItemResult {
    /// The item's position in the push, from 0.
    pub index: usize,
    /// `created`, `updated`, `unchanged`, `withdrawn` or `rejected`.
    #[schema(example = "created")]
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Why a rejected item was not written, as the problem a single call would have had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// The outcome of a push: counts, then one result per item, in order.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BulkResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub withdrawn: usize,
    pub rejected: usize,
    pub items: Vec<BulkItemResult>,
}
