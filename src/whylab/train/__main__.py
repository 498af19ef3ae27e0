"""``python -m whylab.train ARGS`` = ``whylab train ARGS``; what ``accelerate launch -m`` needs."""

import sys

from whylab.cli import main

sys.exit(main(["train", *sys.argv[1:]]))
