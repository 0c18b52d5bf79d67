"""Numeric kernels of the placer on flat arrays (numba on the CPU, torch optional); no db."""
