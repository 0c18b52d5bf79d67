"""tapeout.flow."""
