"""DuckDB storage: migrations, loading, views. The only package that imports duckdb."""
from pipeline.store.db import Connection, apply_views, connect, copy_frame, copy_to, frame_to_file, migrate, reading, refresh_models, run_query, set_memory
from pipeline.store.dictionary import dictionary, marts

__all__ = ["Connection", "apply_views", "connect", "copy_frame", "copy_to", "frame_to_file", "dictionary", "marts", "migrate", "reading", "refresh_models", "run_query", "set_memory"]
