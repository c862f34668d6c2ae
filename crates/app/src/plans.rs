//! Plans: import a plan document, issue it, cascade it to child units, draft next year's plan, export.
