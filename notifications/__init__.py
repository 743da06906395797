"""Notifications and the scheduler: turns due deadlines and engine events into reminders, escalations and
messages (the outbox, in-app and e-mail channels), and runs the periodic sweep."""
