# A clock too fast for tiny_sky130.def's flop-to-flop paths, so some nets have negative slack.
create_clock -name clk -period 0.35 [get_ports clk]
set_input_delay 0.1 -clock clk [get_ports {a b}]
set_output_delay 0.1 -clock clk [get_ports y]
