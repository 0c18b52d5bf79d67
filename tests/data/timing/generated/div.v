// Divide-by-2 register fdiv (clocked through cb1) drives gclk through cb2; f1 (clk) -> f2 (gclk) -> f3 (clk).
module div (clk, in1, out1);
 input clk; input in1; output out1;
 wire clk_buf, gclk, nd, gclk_buf, q1, d2, q2, d3, q3;
 sky130_fd_sc_hd__clkbuf_1 cb1 (.A(clk), .X(clk_buf));
 sky130_fd_sc_hd__dfxtp_1 fdiv (.CLK(clk_buf), .D(nd), .Q(gclk));
 sky130_fd_sc_hd__inv_1 udiv (.A(gclk), .Y(nd));
 sky130_fd_sc_hd__clkbuf_2 cb2 (.A(gclk), .X(gclk_buf));
 sky130_fd_sc_hd__dfxtp_1 f1 (.CLK(clk_buf), .D(in1), .Q(q1));
 sky130_fd_sc_hd__inv_1 u1 (.A(q1), .Y(d2));
 sky130_fd_sc_hd__dfxtp_1 f2 (.CLK(gclk_buf), .D(d2), .Q(q2));
 sky130_fd_sc_hd__inv_2 u2 (.A(q2), .Y(d3));
 sky130_fd_sc_hd__dfxtp_1 f3 (.CLK(clk_buf), .D(d3), .Q(q3));
 sky130_fd_sc_hd__buf_1 u3 (.A(q3), .X(out1));
endmodule
