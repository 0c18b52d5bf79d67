"""tapeout: an open chip design flow from Verilog to GDSII, in Python."""

__version__ = "0.1.0"
