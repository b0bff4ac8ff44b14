#!/usr/bin/env python3
"""Generate src/march/_core/docstrings.h from src/march/_docstrings.py.

    python tools/gen_docstrings.py           # (re)write the header
    python tools/gen_docstrings.py --check   # exit 1 when it is out of date

The header defines one string macro per entry of ``DOCS``:
``MARCH_DOC_Map`` (the type's tp_doc), ``MARCH_DOC_Map_set`` (a method's
doc), ``MARCH_DOC_vector`` (a module function's doc).  When ``SIGNATURES``
has the entry, the string starts with CPython's text-signature block
``"set($self, key, value, /)\\n--\\n\\n"``, which becomes the object's
``__text_signature__`` and is left out of its ``__doc__``.

_docstrings.py is loaded from its file, not imported as ``march._docstrings``,
so that the generator runs without a built (or importable) march package.
tests/test_docstrings.py checks that the committed header equals ``render()``.
"""
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "src", "march", "_docstrings.py")
HEADER = os.path.join(ROOT, "src", "march", "_core", "docstrings.h")


def load_docstrings(path=SOURCE):
    """The _docstrings module, loaded from its file."""
    spec = importlib.util.spec_from_file_location("_march_docstrings_source", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def macro_name(key):
    """``"Map.set"`` -> ``"MARCH_DOC_Map_set"``."""
    return "MARCH_DOC_" + key.replace(".", "_")


def c_string(text):
    """The body of a C string literal (without quotes) for ASCII ``text``."""
    out = []
    prev = ""
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "?" and prev == "?":
            out.append("\\?")           # no trigraphs
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            raise ValueError("non-ASCII or control character %r in a docstring" % ch)
        prev = ch
    return "".join(out)


def full_doc(key, text, signature=None):
    """The C docstring: the text-signature block (if any) then the text."""
    if signature is None:
        return text
    name = key.rsplit(".", 1)[-1]
    return "%s%s\n--\n\n%s" % (name, signature, text)


def _literal(name, doc, signed=False):
    """``#define name "..."``, one source line per line of ``doc``"""
    parts = doc.split("\n")
    pieces = [c_string(p + "\n") for p in parts[:-1]] + [c_string(parts[-1])]
    if pieces[-1] == "":
        pieces.pop()
    if signed:
        # the signature block "name(sig)\n--\n\n" on one line
        pieces[0:3] = ["".join(pieces[0:3])]
    lines = ["#define %s \\" % name]
    for i, piece in enumerate(pieces):
        tail = " \\" if i < len(pieces) - 1 else ""
        lines.append('    "%s"%s' % (piece, tail))
    lines.append("")
    return lines


def render(docs, signatures):
    """The whole header, as a string."""
    names = {}
    for key in docs:
        name = macro_name(key)
        if name in names:
            raise ValueError("%s and %s make the same macro %s" % (names[name], key, name))
        names[name] = key
    unknown = sorted(set(signatures) - set(docs))
    if unknown:
        raise ValueError("signatures without a docstring: %s" % ", ".join(unknown))
    lines = [
        "/* docstrings.h -- GENERATED from src/march/_docstrings.py by",
        " * tools/gen_docstrings.py: do not edit.  Regenerate with",
        " *",
        " *     python tools/gen_docstrings.py",
        " *",
        " * (tests/test_docstrings.py fails when this file is out of date).",
        " *",
        " * One string literal per public name of the C core: MARCH_DOC_<Type> is",
        " * the type's tp_doc, MARCH_DOC_<Type>_<name> a method's doc (PyMethodDef",
        " * ml_doc), MARCH_DOC_<function> a module function's doc.  A string may",
        " * start with CPython's text-signature block \"name(sig)\\n--\\n\\n\"",
        " * (__text_signature__; __doc__ is the rest).  Usable as is, through",
        " * PyDoc_STR() or in PyDoc_STRVAR(). */",
        "#ifndef MARCH_DOCSTRINGS_H",
        "#define MARCH_DOCSTRINGS_H",
        "",
    ]
    # a text shared by two names (mutate/evolver, finish/persistent) is
    # written once, as MARCH_DOCTEXT_<first name>, and each name's macro is
    # its signature block followed by that macro
    first = {}
    for key, text in docs.items():
        first.setdefault(text, key)
    shared = {text for text in first
              if sum(1 for t in docs.values() if t == text) > 1}
    for key, text in docs.items():
        signature = signatures.get(key)
        if text in shared:
            body = "MARCH_DOCTEXT_" + first[text].replace(".", "_")
            if first[text] == key:
                lines.extend(_literal(body, text))
            sig = full_doc(key, "", signature) if signature is not None else ""
            lines.append("#define %s %s%s" % (
                macro_name(key), '"%s" ' % c_string(sig) if sig else "", body))
            lines.append("")
            continue
        lines.extend(_literal(macro_name(key), full_doc(key, text, signature),
                              signature is not None))
    lines.append("#endif /* MARCH_DOCSTRINGS_H */")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    mod = load_docstrings()
    text = render(mod.DOCS, mod.SIGNATURES)
    if "--check" in argv:
        try:
            with open(HEADER, encoding="ascii") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("%s is out of date: run python tools/gen_docstrings.py"
                  % os.path.relpath(HEADER, ROOT), file=sys.stderr)
            return 1
        return 0
    with open(HEADER, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print("wrote %s (%d docstrings)" % (os.path.relpath(HEADER, ROOT), len(mod.DOCS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
