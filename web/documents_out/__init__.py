"""Documents the app writes for people to take away and edit: Word documents (python-docx) and workbooks
(openpyxl) made from the engine's frozen records, holding what the viewer may read and nothing more."""

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
