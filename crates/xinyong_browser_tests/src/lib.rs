#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]
