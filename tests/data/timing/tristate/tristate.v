module tristate(clk, a, b, en, io0, io1, bus, y);
  input clk, a, b, en;
  inout io0, io1;
  output bus, y;
  wire q0, q1, q2, e0, n0, n1;
  sky130_fd_sc_hd__dfxtp_1 r0 (.CLK(clk), .D(a), .Q(q0));
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(clk), .D(io0), .Q(q1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(clk), .D(en), .Q(e0));
  sky130_fd_sc_hd__inv_1 i0 (.A(e0), .Y(n0));
  sky130_fd_sc_hd__ebufn_2 t0 (.A(q0), .TE_B(n0), .Z(io0));
  sky130_fd_sc_hd__nand2_1 g0 (.A(io0), .B(b), .Y(n1));
  sky130_fd_sc_hd__einvp_1 t1 (.A(n1), .TE(e0), .Z(io1));
  sky130_fd_sc_hd__einvn_1 t2 (.A(q1), .TE_B(e0), .Z(bus));
  sky130_fd_sc_hd__ebufn_1 t3 (.A(q0), .TE_B(n0), .Z(bus));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(clk), .D(io1), .Q(y));
endmodule
