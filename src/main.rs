//! The `carecast` binary (placeholder).
fn main() {}
