"""Numbers from outside: NaN, infinities, absurd sizes and wrong types are refused wherever they are read."""

from __future__ import annotations

import json

import pytest
from hostile_flows import tiny_flow, tiny_flow_text


def _call_with_script(hostile, steps: str, suffix: str = ".yaml"):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write(f"script{suffix}", steps)
    return hostile.run("call", "menu.ivrflow", "--script", f"script{suffix}", "--quiet", memory_mb=400, seconds=30)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ('{"steps": [{"wait": NaN}]}', "NaN is not a number IVR Studio accepts"),
        ('{"steps": [{"wait": Infinity}]}', "Infinity is not a number"),
        ('{"steps": [{"wait": -Infinity}]}', "-Infinity is not a number"),
        ('{"steps": [{"wait": 1e999}]}', "the number 1e999 is too large"),
        ('{"steps": [{"wait": 1e300}]}', "step 1 (wait): wait must be a number from 0 to 86,400, not 1e+300"),
        ('{"steps": [{"wait": -1}]}', "wait must be a number from 0 to 86,400, not -1"),
        ('{"steps": [{"press": "1", "gap": 1e100}]}', "gap must be a number from 0 to 86,400"),
        ('{"steps": [{"say": "hi", "confidence": 2}]}', "confidence must be a number from 0 to 1, not 2"),
        ('{"steps": [{"say": "hi", "duration": 1e308}]}', "duration must be a number from 0 to 600"),
        ('{"steps": [{"say": "hi", "duration": true}]}', "duration must be a number from 0 to 600, not True"),
        ('{"steps": [{"wait_for": "gather", "timeout": "5"}]}', "timeout must be a number from 0 to 86,400, not '5'"),
        ('{"steps": [{"dial_outcome": "answered", "duration": 1e20}]}', "duration must be a number from 0"),
        ('{"steps": [{"wait": ' + "9" * 5000 + "}]}", "a whole number of 5,000 digits is too large"),
    ],
)
def test_script_numbers_json(hostile, steps, message):
    _call_with_script(hostile, steps, ".json").fails(2, message)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("steps: [{wait: .nan}]", "the number .nan on line 1 is not finite"),
        ("steps: [{say: hi, duration: .inf}]", "the number .inf on line 1 is not finite"),
        ("steps: [{wait: -.Inf}]", "is not finite"),
        ("steps: [{press: '1', gap: " + "9" * 4400 + "}]", "a whole number of 4,400 digits on line 1 is too large"),
    ],
)
def test_script_numbers_yaml(hostile, steps, message):
    _call_with_script(hostile, steps).fails(2, message)


def test_a_say_step_of_absurd_length_is_refused(hostile):
    _call_with_script(hostile, "steps: [{say: '" + "word " * 100_000 + "'}]").fails(
        2, "say takes at most 2,000 characters, not 500,000"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".inf", "the number .inf on line 3 is not finite"),
        ("abc", "max_duration must be a number of seconds above 0 and at most 86,400, not 'abc'"),
        ("-5", "max_duration must be a number of seconds above 0 and at most 86,400, not -5"),
        ("0", "not 0"),
        ("1.0e+9", "not 1000000000.0"),
    ],
)
def test_scenario_max_duration(hostile, value, message):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write(
        "menu.tests.yaml",
        f"target: menu.ivrflow\ncalls:\n  - {{name: x, max_duration: {value}, expect_end: completed}}\n",
    )
    hostile.run("test", "menu.tests.yaml", seconds=30).fails(2, message)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("say_words_per_second=0", "setting say_words_per_second must be between 0.1 and 100, not 0"),
        ("say_words_per_second=NaN", "setting say_words_per_second must be between 0.1 and 100, not nan"),
        ("partial_interval=0", "setting partial_interval must be between 0.1 and 60"),
        ("auto_speech_timeout=-1", "setting auto_speech_timeout must be between"),
        ("default_confidence=Infinity", "setting default_confidence must be between 0 and 1, not inf"),
        ("loop_cap=1e999", "setting loop_cap must be int, not inf"),
        ("loop_cap=" + "9" * 5000, "setting loop_cap must be int, not '99999"),
        ("loop_cap=true", "setting loop_cap must be int, not True"),
        ("beep_seconds=1e300", "setting beep_seconds must be between 0 and 60"),
        ("read_timeout_ms=0", "setting read_timeout_ms must be between 100 and 15000"),
        ("max_instant_fetches=0", "setting max_instant_fetches must be between 1 and 100000"),
    ],
)
def test_numeric_settings_on_the_command_line(hostile, setting, message):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("call", "menu.ivrflow", "--quiet", "--set", setting, seconds=30).fails(2, message)


def test_numeric_settings_in_a_scenario_file(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write(
        "menu.tests.yaml",
        "target: menu.ivrflow\nsettings: {play_W_seconds: -3}\ncalls: [{name: x, expect_end: completed}]\n",
    )
    hostile.run("test", "menu.tests.yaml").fails(2, "setting play_W_seconds must be between 0 and 60, not -3")


@pytest.mark.parametrize("value", ["nan", "inf", "1e999", "0", "-5", "1e9"])
def test_call_max_duration_option(hostile, value):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("call", "menu.ivrflow", "--quiet", "--max-duration", value, seconds=30).fails(
        2, "--max-duration must be a number of seconds above 0 and at most 86,400"
    )


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ("[NaN, 0]", "NaN is not a number IVR Studio accepts"),
        ("[1e999, 0]", "the number 1e999 is too large"),
        ("[0, 1e300]", "$.nodes[0].position[1]: 1e+300 is outside the canvas (±1,000,000)"),
        ("[" + "9" * 4400 + ", 0]", "a whole number of 4,400 digits is too large"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "export"])
def test_flow_positions(hostile, position, message, command):
    text = tiny_flow_text().replace('"position": [\n        0,\n        0\n      ]', f'"position": {position}', 1)
    assert position in text
    hostile.write("menu.ivrflow", text)
    argv = ["validate", "menu.ivrflow"] if command == "validate" else ["export", "menu.ivrflow", "-o", "out"]
    hostile.run(*argv).fails(2, message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_attempts": 10**20}, "$.nodes[0].max_attempts: must be from 1 to 100"),
        ({"max_attempts": 0}, "$.nodes[0].max_attempts: must be from 1 to 100, not 0"),
    ],
)
def test_flow_counts(hostile, change, message):
    hostile.write("menu.ivrflow", tiny_flow_text(**change))
    hostile.run("validate", "menu.ivrflow").fails(2, message)


@pytest.mark.parametrize("value", ["2", "-0.5", "1e300"])
def test_flow_settings_out_of_range(hostile, value):
    flow = tiny_flow()
    text = json.dumps(flow).replace('"nodes":', f'"settings": {{"min_confidence": {value}}}, "nodes":')
    hostile.write("menu.ivrflow", text)
    hostile.run("validate", "menu.ivrflow").fails(2, "$.settings.min_confidence: must be between 0 and 1")


def test_a_huge_integer_attribute_is_a_clear_error_in_validate_export_and_the_editor(hostile):
    text = tiny_flow_text().replace('"timeout": 3', '"timeout": ' + "7" * 4400)
    hostile.write("menu.ivrflow", text)
    hostile.run("validate", "menu.ivrflow").fails(2, "menu.ivrflow: a whole number of 4,400 digits is too large")
    hostile.run("export", "menu.ivrflow", "-o", "out").fails(2, "a whole number of 4,400 digits is too large")
    run = hostile.run_python(
        """
        from PySide6.QtWidgets import QApplication, QMessageBox
        shown = []
        QMessageBox.critical = staticmethod(lambda parent, title, text, *a, **k: shown.append(text))
        QMessageBox.warning = staticmethod(lambda parent, title, text, *a, **k: shown.append(text))
        app = QApplication([])
        from ivr_studio.ui.main_window import MainWindow
        window = MainWindow()
        before = window.document.flow
        print("OPENED:", window.open_path("menu.ivrflow"))
        print("SHOWN:", shown)
        print("SAME FLOW:", window.document.flow is before)
        window.close()
        """
    )
    run.succeeds(changed=[".home/"])
    assert "SHOWN: ['menu.ivrflow: a whole number of 4,400 digits is too large" in run.stdout, run.stdout
    assert "OPENED: False" in run.stdout and "SAME FLOW: True" in run.stdout


def test_the_model_refuses_a_nan_position_and_never_saves_one(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    run = hostile.run_python(
        """
        from ivr_studio.flow.ivrflow import load_flow, save_flow
        from ivr_studio.flow.model import FlowError
        flow = load_flow("menu.ivrflow")
        for bad in [(float("nan"), 0), (0, float("inf")), (1e300, 0)]:
            try:
                flow.set_node_field("menu", "position", bad)
            except FlowError as exc:
                print("refused:", exc)
        flow.nodes["menu"].position = (float("nan"), 0.0)  # behind the model's back
        try:
            save_flow(flow, "menu.ivrflow")
        except ValueError as exc:
            print("not saved:", exc)
        """
    )
    run.succeeds()
    assert run.stdout.count("refused: a position must be two numbers between ±1,000,000") == 3, run.stdout
    assert "not saved: a node position is nan" in run.stdout
