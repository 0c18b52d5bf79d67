// Clock gates of every inferred kind (sky130hd cells), for the clock gating check tests.
module gates (clk, clk2, en, d, q1, q2, q3, q4, q5, q6);
  input clk, clk2, en, d;
  output q1, q2, q3, q4, q5, q6;
  wire en_q, en_l, en2_q, clk_n, gclk1, gclk2, gclk3, gclk4, gclk5, gclk6;
  sky130_fd_sc_hd__dfxtp_1 f_en (.CLK(clk), .D(en), .Q(en_q));
  sky130_fd_sc_hd__dlxtn_1 l_en (.GATE_N(clk), .D(en), .Q(en_l));
  sky130_fd_sc_hd__dfxtp_1 f_en2 (.CLK(clk2), .D(en), .Q(en2_q));
  sky130_fd_sc_hd__clkinv_1 i_n (.A(clk), .Y(clk_n));
  // AND with a latch enable (the usual gate), AND and OR with a flop enable, AND on the
  // inverted clock, NAND, and AND with an enable from another clock (7 ns, high 2 ns).
  sky130_fd_sc_hd__and2_1 g1 (.A(clk), .B(en_l), .X(gclk1));
  sky130_fd_sc_hd__and2_1 g2 (.A(en_q), .B(clk), .X(gclk2));
  sky130_fd_sc_hd__or2_1 g3 (.A(clk), .B(en_q), .X(gclk3));
  sky130_fd_sc_hd__and2_1 g4 (.A(clk_n), .B(en_q), .X(gclk4));
  sky130_fd_sc_hd__nand2_1 g5 (.A(clk), .B(en_l), .Y(gclk5));
  sky130_fd_sc_hd__and2_1 g6 (.A(clk), .B(en2_q), .X(gclk6));
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(gclk1), .D(d), .Q(q1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(gclk2), .D(d), .Q(q2));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(gclk3), .D(d), .Q(q3));
  sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(gclk4), .D(d), .Q(q4));
  sky130_fd_sc_hd__dfxtp_1 r5 (.CLK(gclk5), .D(d), .Q(q5));
  sky130_fd_sc_hd__dfxtp_1 r6 (.CLK(gclk6), .D(d), .Q(q6));
endmodule
