"""The call-flow model (pure Python), .ivrflow files, validation and graph analysis."""

from ivr_studio.flow.events import FlowEvent
from ivr_studio.flow.ivrflow import FlowFileError, load_flow, save_flow
from ivr_studio.flow.kinds import KIND_SPECS, Exit, NodeKind, spec_of
from ivr_studio.flow.model import Branch, Flow, FlowError, Node, Prompt

__all__ = [
    "KIND_SPECS",
    "Branch",
    "Exit",
    "Flow",
    "FlowError",
    "FlowEvent",
    "FlowFileError",
    "Node",
    "NodeKind",
    "Prompt",
    "load_flow",
    "save_flow",
    "spec_of",
]
