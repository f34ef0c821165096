//! Demo content: the names, addresses, appliances, parts catalogue and job types the demo
//! company is made of. The device's seeder (`fieldwork_core::seed`) and head office's
//! (`fieldwork-headoffice seed --demo`) both draw from it.

pub mod content;
/// The demo knowledge base: service articles in English and Chinese for the demo appliances.
pub mod kb;
