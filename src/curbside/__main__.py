"""`python -m curbside` runs the CLI."""

from curbside.cli import main

main()
