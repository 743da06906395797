"""The process designer's services (issue 15): drafts, validation without deploying, checking a draft by running
it, diffs between versions, bundles in and out as zips, and moving running cases to a new version. The room sits
beside ``work``: it may use every room below it, and only ``web`` and the command line call it."""
