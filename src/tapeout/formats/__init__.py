"""Readers and writers of the industry formats: LEF, DEF, Liberty, Verilog, SDC, SPEF, GDS,
Bookshelf. Only this package parses or writes design files."""
