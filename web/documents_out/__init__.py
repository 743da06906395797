"""Documents the app writes for people to edit or share: Word documents and workbooks built from reports."""
