// A clock gate instantiated from the library (sky130hd dlclkp): kept as is; no Liberty function,
// so the equivalence check cannot reason about it and says so.
module clock_gate(input clk, input en, input [3:0] d, output reg [3:0] q);
  wire gclk;
  sky130_fd_sc_hd__dlclkp_1 u_gate (.CLK(clk), .GATE(en), .GCLK(gclk));
  always @(posedge gclk) q <= d;
endmodule
