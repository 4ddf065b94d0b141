"""Templates at design time: syntax errors and what a template reads, without rendering it."""

from __future__ import annotations

from ivr_studio.bundle.handler.templates import ENVIRONMENT
from ivr_studio.flow.templates import PHONE_FILTERS, analyse


def test_what_a_template_reads():
    info = analyse("Hi {{ call.from }}, {{ vars.tier | upcase }} {% if steps.l.status == 200 %}ok{% endif %}")
    assert info.error is None
    assert set(info.reads) == {("call", "from"), ("vars", "tier"), ("steps", "l", "status")}
    assert info.names("vars") == {"tier"}


def test_plain_text_is_not_a_template():
    assert analyse("Press 1 for sales.").reads == ()


def test_errors_are_one_line():
    for text in (
        "{{ call.from ",
        "{% if %}",
        "{{ x | nosuch }}",
        "{% include 'other' %}",
        "{% render 'x' %}",
    ):
        info = analyse(text)
        assert info.error and "\n" not in info.error, text


def test_a_huge_template_is_refused_before_parsing():
    assert "limit" in analyse("{{ x }}" * 2000).error


def test_the_phone_filters_are_the_handlers():
    assert set(PHONE_FILTERS) <= set(ENVIRONMENT.filters)
    assert (
        analyse("{{ vars.a | digits }} {{ vars.b | money: 'EUR' }} {{ now | datetime: 'date' }}").error
        is None
    )
