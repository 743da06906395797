"""Case documents: IMRs, chronologies, genograms, draft and final reports, uploaded to a form's file fields
(``{"type": "string", "format": "lif-file"}``; the field's value is the document's id).

- ``kinds``, ``packages``: what a file is, judged by its content, never by its name (PDF, DOCX, XLSX, ODT, ODS,
  PNG, JPEG); the name and the claimed type must agree with it.
- ``scanning``: an optional clamd scan (``LIF_CLAMD``), written against clamd's INSTREAM protocol.
- ``stores``: where the bytes live, behind one small interface (the database by default, or a directory).
- ``settings``: the limit, the store and the scanner a session's services use, carried by the session.
- ``uploads``: a new document, or a new version of one; ``reading``: who may download what (the data views);
  ``fields``: a form's file fields, and the check that a completed form names this task's documents;
  ``erasure``: everything of a case's documents, gone (disposal).
"""
