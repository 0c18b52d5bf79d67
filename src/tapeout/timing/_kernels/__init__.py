"""Numba kernels of the timing engine (arrays in, arrays out; never import tapeout.db)."""
