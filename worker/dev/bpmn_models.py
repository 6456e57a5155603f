"""Small BPMN models for the engine tests and the benchmark, built as text so each test shows
what it deploys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="Defs_{key}" targetNamespace="http://example.com/sms">
"""


def sms_process(
    key: str,
    *,
    catch: Sequence[str] = (),
    catch_all: bool = False,
    topic: str = "SEND_SMS",
    gate_signal: str | None = None,
    outputs: Mapping[str, str] | None = None,
) -> str:
    """start -> Send SMS (external) -> end "Sent"; one error boundary per code in `catch`
    (plus a catch-all when asked), each leading to its own end event "Caught_<n>". `outputs`
    are the task's output mappings (variable name -> expression).

    With `gate_signal`, each instance first waits for that signal. The benchmark creates its
    instances slowly (the engine starts ~100-200 a second over REST) while no task exists yet;
    one signal then turns all of them into tasks in a single transaction, so the worker under
    test drains a real backlog instead of following the creation rate.
    """
    errors: list[str] = []
    boundaries: list[str] = []
    first = "Send"
    gate = ""
    if gate_signal is not None:
        errors.append(f'<bpmn:signal id="Sig" name="{gate_signal}"/>')
        first = "Gate"
        gate = """<bpmn:intermediateCatchEvent id="Gate">
      <bpmn:signalEventDefinition signalRef="Sig"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F0" sourceRef="Gate" targetRef="Send"/>"""
    for n, code in enumerate(catch):
        errors.append(f'<bpmn:error id="Error_{n}" name="{code}" errorCode="{code}"/>')
        boundaries.append(_boundary(f"Catch_{n}", f'errorRef="Error_{n}"', f"Caught_{n}"))
    if catch_all:
        boundaries.append(_boundary("Catch_all", "", "Caught_all"))
    flows = "\n".join(boundaries)
    task = (
        '<bpmn:serviceTask id="Send" name="Send SMS" camunda:type="external" '
        f'camunda:topic="{topic}"'
    )
    if outputs:
        parameters = "".join(
            f'<camunda:outputParameter name="{name}">{escape(expression)}</camunda:outputParameter>'
            for name, expression in outputs.items()
        )
        task += (
            f"><bpmn:extensionElements><camunda:inputOutput>{parameters}"
            "</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>"
        )
    else:
        task += "/>"
    return (
        HEADER.format(key=key)
        + "\n".join(errors)
        + f"""
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="{first}"/>
    {gate}
    {task}
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="Sent"/>
    <bpmn:endEvent id="Sent"/>
    {flows}
  </bpmn:process>
</bpmn:definitions>
"""
    )


def _boundary(event_id: str, error_ref: str, end_id: str) -> str:
    return f"""
    <bpmn:boundaryEvent id="{event_id}" attachedToRef="Send">
      <bpmn:errorEventDefinition {error_ref}/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="Flow_{event_id}" sourceRef="{event_id}" targetRef="{end_id}"/>
    <bpmn:endEvent id="{end_id}"/>"""


def caller_process(key: str, called: str, *, catch_all: bool) -> str:
    """A process whose call activity starts `called`; optionally catches every error."""
    boundary = ""
    if catch_all:
        boundary = """
    <bpmn:boundaryEvent id="CatchCall" attachedToRef="Call">
      <bpmn:errorEventDefinition/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F3" sourceRef="CatchCall" targetRef="CaughtInCaller"/>
    <bpmn:endEvent id="CaughtInCaller"/>"""
    return (
        HEADER.format(key=key)
        + f"""
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Call"/>
    <bpmn:callActivity id="Call" calledElement="{called}">
      <bpmn:extensionElements>
        <camunda:in variables="all"/>
        <camunda:out variables="all"/>
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="F2" sourceRef="Call" targetRef="Done"/>
    <bpmn:endEvent id="Done"/>{boundary}
  </bpmn:process>
</bpmn:definitions>
"""
    )
