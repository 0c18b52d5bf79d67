"""tapeout.platforms."""
