//! Score sheets (self-assessment, explanation, appraisal, finalisation).
