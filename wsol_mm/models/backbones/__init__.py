"""Backbones of the WSOL benchmarks, registered in ``wsol_mm``'s MODELS."""
__all__ = []
