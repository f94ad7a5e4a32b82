"""``python -m marketplace_sim serve amazon|ebay|etsy --port N --seed S``."""

import argparse
import logging
import time

from . import SIMULATORS, load_simulator
from .core import LoopbackServer, SimClock


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m marketplace_sim")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve one simulator on 127.0.0.1")
    serve.add_argument("marketplace", choices=sorted(SIMULATORS))
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument(
        "--no-validate", action="store_true", help="skip contract validation (faster)"
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO)
    simulator_class = load_simulator(args.marketplace)
    # Over a socket the clients use real dates (createdAfter, shipDate...): simulated time
    # starts now and follows the wall clock; /_sim/advance still jumps ahead.
    clock = SimClock(start=time.time(), realtime=True)
    simulator = simulator_class(
        seed=args.seed, clock=clock, validate=not args.no_validate, strict=False
    )
    server = LoopbackServer(simulator, host=args.host, port=args.port)
    print(f"{args.marketplace} simulator on http://{args.host}:{args.port} (control: /_sim)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
