"""Retention, legal hold and disposal (SPEC §6, DOMAIN.md §E), and the access report of a case.

- Each process declares how long its cases are kept (``engine.bundles.retention_policy``); ``schedule`` dates each
  case from its version's policy and lists the cases past their date.
- ``holds``: a coordinator places and lifts legal holds (an inquest, criminal proceedings, an inquiry); a held
  case is never disposed.
- ``disposal``: erasing a case's personal data once its date has passed, keeping a statistics record and the
  audit trail (which never held personal values: see ``engine.store.audit``).
- ``access_report``: who viewed or downloaded what of one case, and when, for a subject access request.

Every service here is for coordinators only.
"""
