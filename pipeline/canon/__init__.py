"""Canonicalisation: the movement registry and grouping of name variants."""
from pipeline.canon.registry import Registry, Resolution, movement_id

__all__ = ["Registry", "Resolution", "movement_id"]
