"""Independent implementations used as test oracles and benchmark references (not shipped in the package)."""
