"""JSON and YAML from outside: no amplification, no non-finite numbers, short messages."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap

import pytest

from ivr_studio.files import StructuredDataError, cut, load_json, load_yaml


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"wait": NaN}', "NaN is not a number"),
        ('{"wait": Infinity}', "Infinity is not a number"),
        ('{"wait": -Infinity}', "-Infinity is not a number"),
        ('{"wait": 1e999}', "the number 1e999 is too large"),
        ('{"x": ' + "9" * 5000 + "}", "a whole number of 5,000 digits is too large"),
        ('{"a": 1, "a": 2}', "the key 'a' appears twice"),
        ("[" * 100_000, "nested too deeply"),
        ('{"a": ', r"is not valid JSON: Expecting value \(line 1, column 7\)"),
    ],
)
def test_json_refusals(text, message):
    with pytest.raises(StructuredDataError, match=message) as info:
        load_json(text, "flow.json")
    assert str(info.value).startswith("flow.json: ")
    assert len(str(info.value)) < 200


def test_json_reads_ordinary_documents():
    assert load_json('{"a": [1, 2.5, "x", true, null]}') == {"a": [1, 2.5, "x", True, None]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", r"uses a YAML alias \(\*x\) on line 2"),
        ("wait: .inf\n", "the number .inf on line 1 is not finite"),
        ("wait: -.Inf\n", "not finite"),
        ("wait: .nan\n", "not finite"),
        ("n: " + "1" * 400 + "\n", "a whole number of 400 digits on line 1 is too large"),
        ("a: [1, 2\n", "is not valid YAML"),
        ("[" * 50_000, "nested too deeply|is not valid YAML"),
    ],
)
def test_yaml_refusals(text, message):
    with pytest.raises(StructuredDataError, match=message) as info:
        load_yaml(text, "calls.tests.yaml")
    assert str(info.value).startswith("calls.tests.yaml: ")


def test_yaml_reads_ordinary_documents():
    assert load_yaml("steps:\n  - press: '1'\n  - wait: 2.5\n") == {"steps": [{"press": "1"}, {"wait": 2.5}]}


def test_a_billion_laughs_is_refused_in_little_memory():
    """A 300-byte document of nine nested alias levels, loaded under a 300 MB address-space cap."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    levels.append("press: *a8")
    document = "\n".join(levels) + "\n"
    probe = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (300 * 2**20, 300 * 2**20))
        from ivr_studio.files import load_yaml, StructuredDataError
        try:
            load_yaml({document!r}, "bomb.yaml")
        except StructuredDataError as exc:
            print(exc)
            sys.exit(0)
        sys.exit(1)
        """
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("bomb.yaml: uses a YAML alias (*a0) on line 2")
    assert resource.getrlimit(resource.RLIMIT_AS)  # the cap applied only in the child


def test_cut_keeps_messages_short():
    assert cut("x" * 10_000_000).endswith("…")
    assert len(cut("x" * 10_000_000)) == 60
    assert cut("short") == "'short'"


def test_names_lists_keys_sorted_and_short():
    from ivr_studio.files import names

    assert names({"b", "a", 3}) == "3, a, b"
    long = names(["x" * 10_000, "y"], limit=50)
    assert len(long) == 50 and long.endswith("…")


def test_printable_escapes_what_rewrites_a_terminal_line_and_keeps_the_rest():
    from ivr_studio.files import printable

    text = "Menü “Ω” 日本\u202eevil\u2066\x1b[2J\r\x85\u2028\n\tend"
    assert printable(text) == "Menü “Ω” 日本\\u202eevil\\u2066\\x1b[2J\\x0d\\x85\\u2028\n\tend"
    assert printable("a\rb", keep="\r") == "a\rb"
