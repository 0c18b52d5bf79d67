// Flip-flops with an asynchronous reset (dfrtp) and set (dfstp) driven from an input port:
// recovery/removal checks at RESET_B/SET_B; no data path runs through the clear/preset arcs.
module async (clk, rn, a, b, s, y);
 input clk; input rn; input a; input b; input s; output y;
 wire qa, qb, n1, n2, n3, q3;
 sky130_fd_sc_hd__dfrtp_1 ra (.CLK(clk), .D(a), .RESET_B(rn), .Q(qa));
 sky130_fd_sc_hd__dfxtp_1 rb (.CLK(clk), .D(b), .Q(qb));
 sky130_fd_sc_hd__nand2_1 g1 (.A(qa), .B(qb), .Y(n1));
 sky130_fd_sc_hd__xor2_1 g2 (.A(n1), .B(qa), .X(n2));
 sky130_fd_sc_hd__mux2_1 g3 (.A0(n2), .A1(qb), .S(s), .X(n3));
 sky130_fd_sc_hd__dfstp_1 rc (.CLK(clk), .D(n3), .SET_B(rn), .Q(q3));
 sky130_fd_sc_hd__buf_2 g4 (.A(q3), .X(y));
endmodule
