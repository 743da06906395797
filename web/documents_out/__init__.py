"""Documents the app writes for people to take away and edit: Word files (python-docx) made from the engine's
frozen records, holding what the viewer may read and nothing more."""
