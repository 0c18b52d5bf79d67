// SystemVerilog synthesis test design: a LANES-wide array of accumulators, each with a
// command register and a small state machine; unpacked-array ports, generate loop, packages.
module sv_lane
  import sv_pipeline_pkg::*;
(
  input  logic clk,
  input  logic rst_n,
  input  logic valid,
  input  command_t command,
  output logic [7:0] accumulator,
  output logic busy
);
  typedef enum logic [1:0] {IDLE, LOAD, RUN} state_t;
  state_t state, state_next;
  command_t held;
  logic [7:0] result;

  always_comb begin
    state_next = state;
    unique case (state)
      IDLE: if (valid) state_next = LOAD;
      LOAD: state_next = RUN;
      RUN: state_next = valid ? LOAD : IDLE;
      default: state_next = IDLE;
    endcase
    result = apply(held.opcode, accumulator, held.operand);
  end

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      state <= IDLE;
      held <= '0;
      accumulator <= 8'h00;
    end else begin
      state <= state_next;
      if (valid) held <= command;
      if (state == RUN) accumulator <= result;
    end
  end

  assign busy = (state != IDLE);
endmodule

module sv_pipeline
  import sv_pipeline_pkg::*;
#(
  parameter int LANES = 3
) (
  input  logic clk,
  input  logic rst_n,
  input  logic valid [LANES],
  input  command_t commands [LANES],
  output logic [7:0] accumulators [LANES],
  output logic [7:0] checksum,
  output logic any_busy
);
  logic [LANES-1:0] busy;

  for (genvar lane = 0; lane < LANES; lane++) begin : g_lane
    sv_lane u_lane (
      .clk(clk),
      .rst_n(rst_n),
      .valid(valid[lane]),
      .command(commands[lane]),
      .accumulator(accumulators[lane]),
      .busy(busy[lane])
    );
  end

  always_comb begin
    checksum = '0;
    for (int lane = 0; lane < LANES; lane++) checksum ^= accumulators[lane];
  end

  assign any_busy = |busy;
endmodule
