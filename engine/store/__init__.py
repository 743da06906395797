"""The store: the database connection and transactions, the tables, the prebuilt row writes every step
makes, the audit trail, and the schema's migrations. Depends only on the base modules of ``engine``.
"""
