pub mod prism;
pub mod server;
