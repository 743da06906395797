"""What people read: visibility rules, task and instance queries, inboxes, the dashboard, the timeline and
the catalogue of startable processes. Reads never restore a workflow.
"""
