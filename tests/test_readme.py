"""The README's Python examples run and their assertions hold."""
import os
import re

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "README.md")


def _blocks():
    if not os.path.isfile(README):
        return []
    with open(README, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("index", range(len(_blocks())) if _blocks() else [None])
def test_readme_example_runs(index):
    if index is None:
        pytest.skip("no README.md next to the tests")
    code = _blocks()[index]
    exec(compile(code, "README.md[python block %d]" % index, "exec"), {})
