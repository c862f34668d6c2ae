//! Progress and periodic reports: task updates and returns, report schedules, compile/submit/return,
//! report status of a unit and its children.
