// Two clocks through a clock mux (free select) into registers, beside a register on one clock.
module clock_mux (clka, clkb, sel, d, q1, q2, q3);
  input clka, clkb, sel, d;
  output q1, q2, q3;
  wire mclk, n1, n2, n3;
  sky130_fd_sc_hd__mux2_1 m1 (.A0(clka), .A1(clkb), .S(sel), .X(mclk));
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(mclk), .D(d), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(mclk), .D(n1), .Q(n2));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(clka), .D(n2), .Q(n3));
  sky130_fd_sc_hd__buf_1 b1 (.A(n1), .X(q1));
  sky130_fd_sc_hd__buf_1 b2 (.A(n2), .X(q2));
  sky130_fd_sc_hd__buf_1 b3 (.A(n3), .X(q3));
endmodule
