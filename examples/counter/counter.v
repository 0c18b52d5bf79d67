// A small demonstration design for `make demo`: a loadable up/down counter with a terminal-count
// flag and a running parity of its value. Written for the tapeout examples (Apache-2.0).
module counter #(
    parameter WIDTH = 12
) (
    input  wire             clk,
    input  wire             reset_n,
    input  wire             enable,
    input  wire             up,
    input  wire             load,
    input  wire [WIDTH-1:0] load_value,
    input  wire [WIDTH-1:0] limit,
    output reg  [WIDTH-1:0] count,
    output reg              at_limit,
    output reg              parity
);
    wire [WIDTH-1:0] next_count = load ? load_value
                                : up   ? count + 1'b1
                                :        count - 1'b1;

    always @(posedge clk or negedge reset_n) begin
        if (!reset_n) begin
            count    <= {WIDTH{1'b0}};
            at_limit <= 1'b0;
            parity   <= 1'b0;
        end else if (enable || load) begin
            count    <= next_count;
            at_limit <= (next_count == limit);
            parity   <= ^next_count;
        end
    end
endmodule
