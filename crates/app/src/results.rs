//! Official index results: import, rankings, weak points.
