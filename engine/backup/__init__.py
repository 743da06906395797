"""Backup and restore: one file holding a consistent copy of everything a LIF instance keeps (the database, and
the documents' bytes wherever the document store holds them), with a manifest saying what is inside, and the way
back into an empty database. ``archive`` is the file, ``databases`` the two kinds of database, ``run`` the two
commands' work."""
