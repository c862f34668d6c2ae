//! Citizen surveys: questionnaires, response import, estimation, filling a score sheet from a survey.
