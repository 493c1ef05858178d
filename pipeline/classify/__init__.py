"""Relevance classifier and topic discovery (scikit-learn): is a document a union's
emulation campaign plan, and which themes do the plans share that the codebook lacks."""
from pipeline.classify.relevance import (
    MODEL_DIR,
    ClassifierError,
    Features,
    RelevanceModel,
    features,
    load_model,
)

__all__ = ["MODEL_DIR", "ClassifierError", "Features", "RelevanceModel", "features", "load_model"]
