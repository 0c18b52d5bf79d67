// f1 -> 3 buffers -> latch l1 (enabled by inverted clk) -> f3; clock gate icg (dlclkp) clocks f4.
module lat (clk, in1, en, out1, out2);
 input clk; input in1; input en; output out1; output out2;
 wire q1, a1, a2, a3, clkn, q2, d3, q3, gclk, q4, d4;
 sky130_fd_sc_hd__dfxtp_1 f1 (.CLK(clk), .D(in1), .Q(q1));
 sky130_fd_sc_hd__buf_1 b1 (.A(q1), .X(a1));
 sky130_fd_sc_hd__buf_1 b2 (.A(a1), .X(a2));
 sky130_fd_sc_hd__buf_1 b3 (.A(a2), .X(a3));
 sky130_fd_sc_hd__clkinv_1 ci (.A(clk), .Y(clkn));
 sky130_fd_sc_hd__dlxtp_1 l1 (.GATE(clkn), .D(a3), .Q(q2));
 sky130_fd_sc_hd__inv_1 u2 (.A(q2), .Y(d3));
 sky130_fd_sc_hd__dfxtp_1 f3 (.CLK(clk), .D(d3), .Q(q3));
 sky130_fd_sc_hd__buf_1 b4 (.A(q3), .X(out1));
 sky130_fd_sc_hd__dlclkp_1 icg (.CLK(clk), .GATE(en), .GCLK(gclk));
 sky130_fd_sc_hd__inv_1 u4 (.A(q4), .Y(d4));
 sky130_fd_sc_hd__dfxtp_1 f4 (.CLK(gclk), .D(d4), .Q(q4));
 sky130_fd_sc_hd__buf_1 b5 (.A(q4), .X(out2));
endmodule
