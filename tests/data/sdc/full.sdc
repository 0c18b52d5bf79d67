# Every SDC command the reader models, on the tiny netlist of test_sdc.py.
current_design top
set_units -time ns -capacitance pF
set period 2.0
create_clock -name core -period $period -waveform {0 1.0} [get_ports clk]
create_clock -name vclk -period [expr {$period * 2}]
create_generated_clock -name div2 -source [get_ports clk] -divide_by 2 [get_pins u_ff/Q]
set_clock_uncertainty -setup 0.05 [get_clocks core]
set_clock_uncertainty -hold 0.02 [get_clocks core]
set_clock_transition 0.1 [all_clocks]
set_clock_latency 0.3 [get_clocks {core vclk}]
set_clock_latency -source -max 0.2 [get_clocks core]
set_propagated_clock [get_clocks div2]
set_clock_groups -asynchronous -name async -group [get_clocks core] -group {vclk}
set inputs [delete_from_list [all_inputs] [get_ports clk]]
set_input_delay 0.4 -clock core $inputs
set_input_delay -min 0.1 -clock core -clock_fall -add_delay [get_ports {data[0]}]
set_output_delay 0.5 -clock vclk -max [all_outputs]
set_load 0.02 [all_outputs]
set_driving_cell -lib_cell BUF_X1 -pin Z -input_transition_rise 0.05 [get_ports rst]
set_input_transition 0.08 [get_ports data*]
set_false_path -from [get_ports rst] -through [get_pins u_ff/D] -to [get_clocks vclk]
set_multicycle_path 2 -setup -end -from [get_clocks core] -to [get_cells u_ff]
set_multicycle_path 1 -hold -from core -to u_ff
set_max_delay 1.5 -from [get_ports {data[1]}] -to [get_ports out]
set_false_path -hold -rise -fall_to [get_ports out] -rise_from [get_clocks core]
set_false_path -setup -fall_through [get_pins u_ff/D] -through [get_ports out]
set_max_fanout 8 [current_design]
set_max_transition 0.6 [current_design]
set_max_capacitance 0.1 [get_ports out]
set_max_transition 0.2 -clock_path -rise [get_clocks core]
set_disable_timing -from CK -to Q [get_cells u_ff]
set_case_analysis 0 [get_ports rst]
set_dont_touch [get_cells u_ff]
set_timing_derate -early 0.95
set_timing_derate -late -cell_delay 1.05 [get_cells u_ff]
set_wire_load_model -name small
