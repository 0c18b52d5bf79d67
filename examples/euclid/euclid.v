// Greatest common divisor by Euclid's subtraction method, with a valid/ready handshake.
// Our own example design (Apache-2.0): a small datapath + control unit that needs no ../shared.
module euclid #(
    parameter WIDTH = 16
) (
    input  wire             clk,
    input  wire             reset,
    input  wire             in_valid,
    output wire             in_ready,
    input  wire [WIDTH-1:0] in_a,
    input  wire [WIDTH-1:0] in_b,
    output wire             out_valid,
    input  wire             out_ready,
    output wire [WIDTH-1:0] out_gcd
);
    localparam IDLE = 2'd0, BUSY = 2'd1, DONE = 2'd2;
    reg [1:0] state;
    reg [WIDTH-1:0] a, b;

    assign in_ready = state == IDLE;
    assign out_valid = state == DONE;
    assign out_gcd = a;

    always @(posedge clk) begin
        if (reset) begin
            state <= IDLE;
            a <= {WIDTH{1'b0}};
            b <= {WIDTH{1'b0}};
        end else begin
            case (state)
                IDLE: if (in_valid) begin
                    a <= in_a;
                    b <= in_b;
                    state <= BUSY;
                end
                BUSY: if (b == {WIDTH{1'b0}}) begin
                    state <= DONE;
                end else if (a < b) begin
                    a <= b;
                    b <= a;
                end else begin
                    a <= a - b;
                end
                DONE: if (out_ready) state <= IDLE;
                default: state <= IDLE;
            endcase
        end
    end
endmodule
