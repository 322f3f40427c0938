"""What a job does, as plain functions over a `Runtime`, testable without Celery.

`audit.audit_pull_request` fetches, audits, publishes or marks a head superseded;
`commands.handle.handle_comment` runs a slash command; `installations.record_installation` keeps
the installation's repositories; `leases` holds a job's lease while it runs and hands out again the
jobs of dead workers. They go down to git (`app.gitrepo`), the engine, GitHub
(`app.github`) and Redis (`app.store`), never back up to `workers`.
"""
