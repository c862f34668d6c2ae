//! Survey estimation engine.
