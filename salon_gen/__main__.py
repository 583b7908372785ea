"""`python -m salon_gen`: the `salon` command."""

from salon_gen.cli.main import main

main()
