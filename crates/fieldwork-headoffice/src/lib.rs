//! Fieldwork head office.
