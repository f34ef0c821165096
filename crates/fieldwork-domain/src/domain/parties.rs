//! People and things a job is about: technicians, customers, their sites and equipment.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::word_enum;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Technician {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Skills such as `air_conditioner` or `kitchen`; used by dispatch to pick who can go.
    pub skills: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub alt_phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where the work happens: an address with what the technician needs to get in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Site {
    pub id: String,
    pub customer_id: String,
    /// The whole postal address on one line, as the customer gave it.
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    /// Gate codes, parking, floor, dog in the garden…
    pub access_notes: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

word_enum! {
    /// What kind of product a piece of equipment is.
    pub enum EquipmentCategory ("equipment category") {
        AirConditioner = "air_conditioner",
        WaterHeater = "water_heater",
        WashingMachine = "washing_machine",
        Refrigerator = "refrigerator",
        Dishwasher = "dishwasher",
        Oven = "oven",
        RangeHood = "range_hood",
        Kitchen = "kitchen",
        Furniture = "furniture",
        SmartHome = "smart_home",
    }
}

/// An installed product, identified by its serial number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Equipment {
    pub id: String,
    pub site_id: String,
    pub category: EquipmentCategory,
    pub brand: String,
    pub model: String,
    pub serial: String,
    pub purchased_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    /// Last day covered by the warranty (inclusive); `None` when unknown.
    pub warranty_end: Option<NaiveDate>,
}
