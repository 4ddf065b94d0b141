"""The headset pickers: which microphone and which speaker a test call uses (opened from the status strip)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from ivr_studio.voice.devices import AudioDevice, list_devices

DEFAULT = "System default"


class DevicesDialog(QDialog):
    """Two pickers (input, output); :attr:`input_device` / :attr:`output_device` are indices or None."""

    def __init__(
        self,
        input_device: int | None,
        output_device: int | None,
        parent: QWidget | None = None,
        devices: list[AudioDevice] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("audioDevicesDialog")
        self.setWindowTitle("Audio devices")
        found = list_devices() if devices is None else devices
        form = QFormLayout(self)
        self.inputs = self._combo([d for d in found if d.is_input], input_device, "microphone")
        self.outputs = self._combo([d for d in found if d.is_output], output_device, "speaker")
        self.inputs.setObjectName("inputDevice")
        self.outputs.setObjectName("outputDevice")
        form.addRow("Microphone:", self.inputs)
        form.addRow("Speaker:", self.outputs)
        if not found:
            note = QLabel("No sound devices were found. Connect a headset, then open this again.", self)
            note.setWordWrap(True)
            form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _combo(self, devices: list[AudioDevice], current: int | None, what: str) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(DEFAULT if devices else f"No {what} found", None)
        for d in devices:
            combo.addItem(d.name, d.index)
            if d.index == current:
                combo.setCurrentIndex(combo.count() - 1)
        combo.setEnabled(bool(devices))
        return combo

    @property
    def input_device(self) -> int | None:
        return self.inputs.currentData()

    @property
    def output_device(self) -> int | None:
        return self.outputs.currentData()
