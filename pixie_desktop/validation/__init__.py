"""The validator: the tool contract's checks in order, reports, reference fixtures with
type-aware comparators, and batch (revalidate-all / nightly sweep) jobs. Qt-free.

Entry points: `validator.validate_tool(tool, settings)` → report dict, `report.save(conn, report)`,
`batch.run_batch(...)`, `secrets_status.missing_required_secrets(tool)`."""
