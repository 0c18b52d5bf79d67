// Combinational only: constrained by set_max_delay/set_min_delay, no clock.
module comb (a, b, c, y, z);
  input a, b, c;
  output y, z;
  wire n1, n2;
  sky130_fd_sc_hd__nand2_1 g1 (.A(a), .B(b), .Y(n1));
  sky130_fd_sc_hd__inv_1 g2 (.A(n1), .Y(n2));
  sky130_fd_sc_hd__xor2_1 g3 (.A(n2), .B(c), .X(y));
  sky130_fd_sc_hd__buf_1 g4 (.A(c), .X(z));
endmodule
