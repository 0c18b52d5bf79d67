"""Test-only steps for exercising the flow machinery without synthesis or a PDK.

``alpha`` reads the design sources and writes ``<design>.a``; ``beta`` reads that and writes
``<design>.b``. When the file named by ``$TAPEOUT_TEST_SLEEP_FILE`` exists, ``beta`` writes half its
output and then sleeps, so a test can kill it mid-step. Run as a module to drive a run in a
subprocess: ``python -m tests.flow.fake_steps CONFIG RUN_DIR [--resume]``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tapeout.flow.config import FlowConfig, load_config
from tapeout.flow.run import run_flow
from tapeout.flow.steps import Metrics, Step, StepContext


def run_alpha(context: StepContext) -> Metrics:
    text = "".join(path.read_text() for path in context.config.design.sources)
    scaled = f"{text.upper()}density={context.config.place.density}\n"
    context.output("a").write_text(scaled)
    context.log.info("TEST-0001", f"alpha wrote {len(scaled)} characters")
    return {"alpha__design__characters": len(scaled)}


def run_beta(context: StepContext) -> Metrics:
    text = context.inputs["a"].read_text()
    output = context.output("b")
    sleep_file = os.environ.get("TAPEOUT_TEST_SLEEP_FILE")
    if sleep_file and Path(sleep_file).exists():
        with open(output, "w") as handle:
            handle.write(text[: len(text) // 2])
            handle.flush()
            context.progress(0.5)
            time.sleep(60)
    output.write_text(text[::-1])
    return {"beta__design__lines": text.count("\n"), "beta__route__wirelength": 42.5}


def _options(config: FlowConfig) -> dict:
    return {"density": config.place.density}


ALPHA = Step(
    name="alpha",
    run=run_alpha,
    outputs=(("a", "{design}.a"),),
    options=_options,
    files=lambda config: config.design.sources,
)
BETA = Step(name="beta", run=run_beta, inputs=("a",), outputs=(("b", "{design}.b"),))
FAKE_STEPS = (ALPHA, BETA)


def main(argv: list[str]) -> int:
    config = load_config(argv[0])
    run_flow(config, run_dir=Path(argv[1]), resume="--resume" in argv, steps=FAKE_STEPS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
