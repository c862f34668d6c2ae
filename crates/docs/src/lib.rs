//! Plan documents in and out.
