// Hand-written fixture for the structural Verilog reader: two-level hierarchy, buses,
// escaped names, part selects, concatenations, constants, assigns, ordered connections.
`timescale 1ns/1ps
/* a block comment
   over two lines; with a semicolon */
module half_adder (a, b, s, c);
  input a, b;
  output s;
  output c;
  sky130_fd_sc_hd__xor2_1 x1 (.A(a), .B(b), .X(s));
  (* keep = "true" *) sky130_fd_sc_hd__and2_1 a1 (.A(a), .B(b), .X(c));
endmodule

module adder2 (input [1:0] x, input wire [1:0] y, output [2:0] sum);
  wire c0, c1, \p/q ;
  half_adder h0 (x[0], y[0], sum[0], c0);  // ordered connections to a defined module
  half_adder h1 (.a(x[1]), .b(y[1]), .s(\p/q ), .c(c1));
  sky130_fd_sc_hd__buf_1 b0 (.A(\p/q ), .X(sum[1]));
  sky130_fd_sc_hd__or2_1 o1 (.A(c0), .B(c1), .X(sum[2]));
endmodule

module top (clk, in, out, \esc.port , tie);
  input clk;
  input [7:0] in;
  output [7:0] out;
  output \esc.port ;
  output [1:0] tie;
  wire [3:0] bus;
  wire [2:0] s;
  wire \weird[name] ;
  wire alias_net;
  adder2 u_add (.x(in[1:0]), .y({in[3], in[2]}), .sum(s));
  sky130_fd_sc_hd__dfxtp_1 \reg[0] (.CLK(clk), .D(s[0]), .Q(out[0]));
  sky130_fd_sc_hd__dfxtp_1 \reg[1] (.CLK(clk), .D(s[1]), .Q(out[1]));
  sky130_fd_sc_hd__nand2_1 n1 (.A(in[4]), .B(1'b1), .Y(bus[0]));
  sky130_fd_sc_hd__inv_1 i1 (.A(bus[0]), .Y(\weird[name] ));
  sky130_fd_sc_hd__buf_1 b1 (.A(\weird[name] ), .X(alias_net));
  sky130_fd_sc_hd__sram sram0 (.D({bus[0], s[2], in[7:6]}), .Q(out[5:2]), .EN());
  sky130_fd_sc_hd__conb_1 tie0 (.HI(), .LO());
  assign \esc.port = alias_net;
  assign tie = 2'b01;
  assign out[7:6] = {in[5], 1'b0};
endmodule
