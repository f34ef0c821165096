//! Job types and their checklist templates, and the answers a technician gives.

use serde::{Deserialize, Serialize};

use super::{EquipmentCategory, PhotoKind, word_enum};
use crate::error::{Result, RuleError};

/// A kind of work (installation, repair, …) with the checklist every such job follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct JobType {
    pub id: String,
    /// Stable short name: `installation`, `repair`, `maintenance`, `inspection`, `return_visit`.
    pub code: String,
    pub name: String,
    pub name_zh: String,
    /// Photos that must exist before a job of this type can be completed.
    pub required_photo_kinds: Vec<PhotoKind>,
    /// Every item of the type's checklist; a job follows the ones that apply to its equipment
    /// ([`JobType::checklist_for`]).
    pub checklist: Vec<ChecklistItem>,
}

impl JobType {
    /// The checklist a job of this type follows on equipment of `category` (`None`: the job
    /// names no equipment): the items for every product and those for that category, in the
    /// template's order. A sofa's repair does not ask for an electrical and gas safety check.
    pub fn checklist_for(
        &self,
        category: Option<EquipmentCategory>,
    ) -> impl Iterator<Item = &ChecklistItem> {
        self.checklist.iter().filter(move |item| item.applies_to(category))
    }
}

word_enum! {
    pub enum ChecklistItemKind ("checklist item kind") {
        Checkbox = "checkbox",
        Number = "number",
        Choice = "choice",
        Text = "text",
    }
}

/// One line of a checklist template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ChecklistItem {
    /// Stable key within the job type, e.g. `level`; used on the command line.
    pub key: String,
    pub label: String,
    pub label_zh: String,
    pub kind: ChecklistItemKind,
    pub required: bool,
    /// Unit for number items (`V`, `bar`, `mm`).
    pub unit: Option<String>,
    /// Options for choice items.
    pub options: Vec<String>,
    /// The kinds of product the item is asked for; empty: every job of the type asks it.
    #[serde(default)]
    pub categories: Vec<EquipmentCategory>,
}

/// An answer's value, shaped by the item's kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ChecklistValue {
    Checkbox(bool),
    Number(f64),
    Choice(String),
    Text(String),
}

/// Longest free-text checklist answer.
pub const CHECKLIST_TEXT_MAX_CHARS: usize = 2_000;

impl ChecklistItem {
    /// Whether a job on equipment of `category` asks this item: an item for every product
    /// always; an item for some products only when the job's equipment is one of them (a job
    /// without equipment asks only the items for every product).
    pub fn applies_to(&self, category: Option<EquipmentCategory>) -> bool {
        self.categories.is_empty() || category.is_some_and(|c| self.categories.contains(&c))
    }

    /// Reads a value typed by a person (`yes`, `230`, `230 V`, `ok`) according to this item's
    /// kind, or says what was expected.
    pub fn parse_value(&self, raw: &str) -> Result<ChecklistValue> {
        let raw = raw.trim();
        match self.kind {
            ChecklistItemKind::Checkbox => match raw.to_lowercase().as_str() {
                "yes" | "y" | "true" | "1" | "done" | "ok" | "x" | "是" | "完成" => {
                    Ok(ChecklistValue::Checkbox(true))
                }
                "no" | "n" | "false" | "0" | "否" => Ok(ChecklistValue::Checkbox(false)),
                _ => Err(RuleError::invalid(
                    "value",
                    format!("{} is a checkbox: answer yes or no, not {raw:?}", self.key),
                )),
            },
            ChecklistItemKind::Number => {
                let number = self
                    .unit
                    .as_deref()
                    .and_then(|u| raw.strip_suffix(u))
                    .unwrap_or(raw)
                    .trim()
                    .replace(',', ".");
                match number.parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(ChecklistValue::Number(n)),
                    _ => Err(RuleError::invalid(
                        "value",
                        format!(
                            "{} needs a number{}, not {raw:?}",
                            self.key,
                            self.unit.as_deref().map(|u| format!(" in {u}")).unwrap_or_default()
                        ),
                    )),
                }
            }
            ChecklistItemKind::Choice => self
                .options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(raw))
                .map(|o| ChecklistValue::Choice(o.clone()))
                .ok_or_else(|| {
                    RuleError::invalid(
                        "value",
                        format!("{} must be one of: {}", self.key, self.options.join(", ")),
                    )
                }),
            ChecklistItemKind::Text => {
                if raw.is_empty() {
                    return Err(RuleError::invalid(
                        "value",
                        format!("{} needs some text", self.key),
                    ));
                }
                let n = raw.chars().count();
                if n > CHECKLIST_TEXT_MAX_CHARS {
                    return Err(RuleError::TooLong {
                        field: "checklist answer",
                        actual: n,
                        limit: CHECKLIST_TEXT_MAX_CHARS,
                    });
                }
                Ok(ChecklistValue::Text(raw.to_owned()))
            }
        }
    }

    /// Whether `value` counts as done for a required item: a ticked box, any number, a choice,
    /// some text. An unticked box does not.
    pub fn is_satisfied_by(&self, value: &ChecklistValue) -> bool {
        !matches!(value, ChecklistValue::Checkbox(false))
    }
}

/// The technician's answer to one checklist item on one job (last writer wins per item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ChecklistAnswer {
    pub item_key: String,
    pub label: String,
    pub label_zh: String,
    pub kind: ChecklistItemKind,
    pub required: bool,
    pub unit: Option<String>,
    /// `None` while unanswered.
    pub value: Option<ChecklistValue>,
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ChecklistItemKind) -> ChecklistItem {
        ChecklistItem {
            key: "k".into(),
            label: "K".into(),
            label_zh: "K".into(),
            kind,
            required: true,
            unit: Some("V".into()),
            options: vec!["Pass".into(), "Fail".into()],
            categories: vec![],
        }
    }

    #[test]
    fn a_job_follows_the_items_for_every_product_and_those_for_its_equipment() {
        use EquipmentCategory as C;
        let general = ChecklistItem { key: "general".into(), ..item(ChecklistItemKind::Checkbox) };
        let gas = ChecklistItem {
            key: "gas".into(),
            categories: vec![C::WaterHeater, C::Oven],
            ..item(ChecklistItemKind::Checkbox)
        };
        let recliner = ChecklistItem {
            key: "recliner".into(),
            categories: vec![C::Furniture],
            ..item(ChecklistItemKind::Checkbox)
        };
        let jt = JobType {
            id: "t".into(),
            code: "repair".into(),
            name: "Repair".into(),
            name_zh: "维修".into(),
            required_photo_kinds: vec![],
            checklist: vec![general, gas, recliner],
        };
        let keys = |c: Option<C>| jt.checklist_for(c).map(|i| i.key.as_str()).collect::<Vec<_>>();
        assert_eq!(keys(Some(C::WaterHeater)), ["general", "gas"]);
        assert_eq!(keys(Some(C::Furniture)), ["general", "recliner"]);
        assert_eq!(keys(Some(C::Dishwasher)), ["general"]);
        assert_eq!(keys(None), ["general"]);
    }

    #[test]
    fn an_item_written_before_categories_existed_is_for_every_product() {
        let old = r#"{"key":"k","label":"K","label_zh":"K","kind":"checkbox","required":true,
                      "unit":null,"options":[]}"#;
        let item: ChecklistItem = serde_json::from_str(old).unwrap();
        assert!(item.categories.is_empty());
        assert!(item.applies_to(Some(EquipmentCategory::Furniture)));
        assert!(item.applies_to(None));
    }

    #[test]
    fn values_are_read_according_to_the_item_kind() {
        assert_eq!(
            item(ChecklistItemKind::Checkbox).parse_value("Yes").unwrap(),
            ChecklistValue::Checkbox(true)
        );
        assert_eq!(
            item(ChecklistItemKind::Number).parse_value("230 V").unwrap(),
            ChecklistValue::Number(230.0)
        );
        assert_eq!(
            item(ChecklistItemKind::Number).parse_value("2,5").unwrap(),
            ChecklistValue::Number(2.5)
        );
        assert_eq!(
            item(ChecklistItemKind::Choice).parse_value("pass").unwrap(),
            ChecklistValue::Choice("Pass".into())
        );
        assert!(item(ChecklistItemKind::Number).parse_value("NaN").is_err());
        assert!(
            item(ChecklistItemKind::Choice)
                .parse_value("maybe")
                .unwrap_err()
                .to_string()
                .contains("Pass, Fail")
        );
        assert!(item(ChecklistItemKind::Checkbox).parse_value("perhaps").is_err());
    }

    #[test]
    fn an_unticked_box_does_not_satisfy_a_required_item() {
        let i = item(ChecklistItemKind::Checkbox);
        assert!(!i.is_satisfied_by(&ChecklistValue::Checkbox(false)));
        assert!(i.is_satisfied_by(&ChecklistValue::Checkbox(true)));
    }
}
