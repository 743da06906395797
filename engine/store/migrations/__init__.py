"""Alembic migrations of LIF's schema; ``engine.schema.upgrade_schema`` runs them (``lif init``)."""
