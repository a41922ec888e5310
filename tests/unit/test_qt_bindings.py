"""The Qt bindings must keep Python's reference counts right.

PySide6 6.12.0 (on Python 3.11, where None and True are ordinary objects) returns None from every
void method and True from ``Signal.emit()`` without taking a reference, and calls Python slots from
Qt signals the same way: each call takes one reference away. After a few thousand calls the count
reaches zero and the interpreter aborts ("Fatal Python error: none_dealloc" / "bool_dealloc"). The
call screen polls four times a second: it died within the hour. pyproject.toml excludes that version;
this test stops any other version with the same fault from coming back unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Probe(QObject):
    fired = Signal(object)

app = QApplication([])
probe, label, timer = Probe(), QLabel(), QTimer()
probe.fired.connect(lambda value: None)
timer.timeout.connect(lambda: None)
before = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(200):
    label.setText("A042")      # a void method
    probe.fired.emit(1)        # a Python signal to a Python slot
    timer.timeout.emit()       # a Qt signal to a Python slot
after = sys.getrefcount(None), sys.getrefcount(True)
print(after[0] - before[0], after[1] - before[1])
"""


def test_qt_calls_do_not_eat_references_to_none_and_true():
    # In a child process: a faulty binding aborts the interpreter, which must not take the test run with it.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, env=env)
    lines = result.stdout.split()
    assert len(lines) == 2, result.stderr
    lost_none, lost_true = (-int(x) for x in lines)
    import PySide6

    assert lost_none < 100 and lost_true < 100, (
        f"PySide6 {PySide6.__version__} loses a reference to None/True on each call "
        f"(None: -{lost_none}, True: -{lost_true} in 200 rounds): the application would abort after a few "
        "thousand calls. Use a version pyproject.toml allows (./dev reinstalls it)."
    )
