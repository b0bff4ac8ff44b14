"""Command line of march: ``python -m march bench [options]``.

``python -m march --help`` lists the commands; ``python -m march bench
--help`` lists the benchmark's options.
"""
import sys

USAGE = """usage: python -m march <command> [options]

commands:
  bench     benchmark march's Map and Vector against dict/list, immutables,
            pyrsistent, pyrsistent-extras and rpds-py (python -m march bench --help)
  version   print march's version and implementation (c or python)
"""


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "bench":
        from march.bench.cli import main as bench_main
        return bench_main(rest)
    if cmd in ("version", "--version"):
        import march
        sys.stdout.write("march %s (implementation: %s)\n" % (
            march.__version__, march.IMPLEMENTATION))
        return 0
    sys.stderr.write("python -m march: error: unknown command %r; valid commands: "
                     "bench, version\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main())
