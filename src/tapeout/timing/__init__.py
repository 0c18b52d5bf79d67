"""Static timing analysis: delay calculation, timing graph, SDC, reports, incremental updates."""
