// Clock gating written out in RTL: a latch open while the clock is low, ANDed with the clock.
// Synthesis maps it to the library clock gate (sky130hd dlclkp, nangate45 CLKGATE).
module explicit_clock_gate(input clk, input en, input [3:0] d, output reg [3:0] q);
  reg enable_latched;
  always @(clk or en) if (!clk) enable_latched = en;
  wire gated_clk = clk & enable_latched;
  always @(posedge gated_clk) q <= d;
endmodule
