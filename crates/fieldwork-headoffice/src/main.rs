//! The head-office binary.
fn main() {}
