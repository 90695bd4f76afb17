"""The knowledge base: schema, loading and checks. ``load_kb()`` returns the shipped, validated KB."""

from crampcheck.kb.load import Problem, collect, default_dir, load_kb
from crampcheck.kb.schema import KnowledgeBase, age_band

__all__ = ["KnowledgeBase", "Problem", "age_band", "collect", "default_dir", "load_kb"]
