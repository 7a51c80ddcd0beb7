"""`python -m mmpriv_data.cli` (used by `accelerate launch -m` and `torchrun -m`)."""

from mmpriv_data.cli.app import main

main()
