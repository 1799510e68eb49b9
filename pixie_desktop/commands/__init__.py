"""CLI subcommands, one module each; every module exposes `register(subparsers)` and sets
`handler=` on its parser."""
