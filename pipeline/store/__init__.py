"""DuckDB storage: migrations, loading, views. The only package that imports duckdb."""
from pipeline.store.db import Connection, apply_views, connect, migrate, reading, run_query

__all__ = ["Connection", "apply_views", "connect", "migrate", "reading", "run_query"]
