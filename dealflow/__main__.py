"""`python -m dealflow` runs the same command line as the `dealflow` script."""

from dealflow.cli import main

main()
