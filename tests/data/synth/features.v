// Small Verilog design exercising what the netlist must get right: async set/reset flops, a
// latch, a memory (becomes flops), constant outputs (tie cells), port-to-port feedthroughs
// (buffers, no assign), and a submodule whose instance path must survive flattening.
module features_counter (
    input clk,
    input rst_n,
    input en,
    output reg [3:0] count
);
  always @(posedge clk or negedge rst_n)
    if (!rst_n) count <= 4'd0;
    else if (en) count <= count + 4'd1;
endmodule

module features (
    input clk,
    input rst_n,
    input set_n,
    input en,
    input we,
    input [2:0] addr,
    input [7:0] data,
    input gate,
    output [3:0] count,
    output reg flag,
    output reg [7:0] latched,
    output [7:0] read_data,
    output [1:0] constants,
    output feed,
    output feed_copy
);
  reg [7:0] memory [0:7];

  features_counter u_counter (.clk(clk), .rst_n(rst_n), .en(en), .count(count));

  always @(posedge clk or negedge set_n)
    if (!set_n) flag <= 1'b1;
    else flag <= ^data;

  always @*
    if (gate) latched = data;

  always @(posedge clk)
    if (we) memory[addr] <= data;

  assign read_data = memory[addr];
  assign constants = 2'b10;
  assign feed = en;
  assign feed_copy = en;
endmodule
