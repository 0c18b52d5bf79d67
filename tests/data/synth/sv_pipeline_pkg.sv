// Package for the SystemVerilog synthesis test design: an enum, a packed struct and a function.
package sv_pipeline_pkg;
  typedef enum logic [1:0] {
    OP_ADD = 2'd0,
    OP_XOR = 2'd1,
    OP_MAX = 2'd2,
    OP_PASS = 2'd3
  } opcode_t;

  typedef struct packed {
    opcode_t opcode;
    logic [7:0] operand;
  } command_t;

  function automatic logic [7:0] apply(opcode_t opcode, logic [7:0] a, logic [7:0] b);
    unique case (opcode)
      OP_ADD: return a + b;
      OP_XOR: return a ^ b;
      OP_MAX: return (a > b) ? a : b;
      default: return a;
    endcase
  endfunction
endpackage
