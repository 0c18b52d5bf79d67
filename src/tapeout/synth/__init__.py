"""tapeout.synth."""
