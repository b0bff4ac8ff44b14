"""Build script for march's C extensions.

Extensions (one per structure, so each builds and imports on its own):
  march._hamt   the HAMT map and set (src/march/_core/hamt*.c, map_object.c,
                set_object.c; see docs/architecture.md)
  march._rrb    the RRB vector (src/march/_core/rrb*.c, vector_object.c), branching 32
  march._rrb4   the same sources built with branching 4 (MARCH_RRB_BITS=2), used by
                the test suite so that small vectors make deep trees.

Environment switches at build time:
  MARCH_PURE_PYTHON=1  build nothing; the pure-Python twin is used.
  MARCH_DEBUG=1        keep assert()s, -O0 -g, and define MARCH_DEBUG (invariant checks).
  MARCH_SANITIZE=1     -fsanitize=address,undefined -O1 -g (see tools/sanitize.sh).
  MARCH_TSAN=1         -fsanitize=thread -O1 -g, for a ThreadSanitizer interpreter
                       (see tools/tsan.sh).
  MARCH_WERROR=1       turn compiler warnings into errors.
  MARCH_BUILD_ONLY=a,b build only the named extensions (e.g. _hamt).

If a C extension fails to build, the install goes on without it and a warning
says so; `import march` then falls back to the pure-Python twin.
"""
import glob
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CORE = os.path.join("src", "march", "_core")


def _flag(name):
    return os.environ.get(name, "") not in ("", "0")


def _compile_args():
    # hidden visibility: calls between the files of one extension are direct
    # (no PLT); PyInit_* stays exported (PyMODINIT_FUNC)
    args = ["-std=c99", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
            "-fvisibility=hidden"]
    if _flag("MARCH_SANITIZE"):
        args += ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1", "-g",
                 "-UNDEBUG", "-DMARCH_DEBUG=1"]
    elif _flag("MARCH_TSAN"):
        args += ["-fsanitize=thread", "-fno-omit-frame-pointer", "-O1", "-g"]
    elif _flag("MARCH_DEBUG"):
        args += ["-O0", "-g", "-UNDEBUG", "-DMARCH_DEBUG=1"]
    else:
        args += ["-O2"]
    if _flag("MARCH_WERROR"):
        args += ["-Werror"]
    return args


def _link_args():
    if _flag("MARCH_SANITIZE"):
        return ["-fsanitize=address,undefined"]
    if _flag("MARCH_TSAN"):
        return ["-fsanitize=thread"]
    return []


def _sources(*patterns):
    """the C files of one extension, by file-name pattern (sorted)"""
    found = set()
    for pattern in patterns:
        found.update(glob.glob(os.path.join(CORE, pattern)))
    return sorted(os.path.relpath(f) for f in found)


def _ext(name, sources, macros=()):
    return Extension(
        "march." + name,
        sources=sources,
        depends=sorted(glob.glob(os.path.join(CORE, "*.h"))),
        include_dirs=[CORE],
        define_macros=list(macros),
        extra_compile_args=_compile_args(),
        extra_link_args=_link_args(),
    )


class optional_build_ext(build_ext):
    """Build each extension; on failure warn and go on (the twin takes over)."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # compiler missing altogether
            self._warn(exc)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._warn(exc, ext.name)

    @staticmethod
    def _warn(exc, name="the C extensions"):
        sys.stderr.write(
            "\n*** WARNING: march could not build %s (%s).\n"
            "*** The pure-Python implementation will be used instead.\n\n" % (name, exc))


# the files of each extension (see docs/architecture.md): the HAMT's
# hamt*.c and the glue of its two type families; the RRB tree's rrb*.c and
# the vector glue
HAMT_SOURCES = _sources("hamt*.c", "map*.c", "set*.c")
RRB_SOURCES = _sources("rrb*.c", "vector*.c")

ext_modules = []
if not _flag("MARCH_PURE_PYTHON"):
    ext_modules = [
        _ext("_hamt", HAMT_SOURCES),
        _ext("_rrb", RRB_SOURCES),
        _ext("_rrb4", RRB_SOURCES, [("MARCH_RRB_BITS", "2")]),
    ]

# MARCH_BUILD_ONLY=_hamt,_rrb builds just those (handy while developing one structure)
_only = [n for n in os.environ.get("MARCH_BUILD_ONLY", "").split(",") if n]
if _only:
    ext_modules = [e for e in ext_modules if e.name.split(".")[-1] in _only]

setup(ext_modules=ext_modules, cmdclass={"build_ext": optional_build_ext})
