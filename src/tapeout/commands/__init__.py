"""One module per ``tapeout`` subcommand (see ``tapeout.cli``)."""
