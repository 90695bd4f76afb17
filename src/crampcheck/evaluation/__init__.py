"""Evaluation on clinical vignettes (shared/spec/evaluation.md): loading, the simulated patient, metrics."""
