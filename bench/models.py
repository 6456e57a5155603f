"""The two BPMN processes a benchmark run deploys per topic, built as text."""

from __future__ import annotations

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="Defs_{key}" targetNamespace="http://example.com/sms-bench">
"""


def direct_process(key: str, topic: str) -> str:
    """start -> external task -> end: each start makes one task at once (latency phase)."""
    return (
        _HEADER.format(key=key)
        + f"""
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Send"/>
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="{topic}"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
    )


def gated_process(key: str, topic: str, signal: str) -> str:
    """start -> wait for `signal` -> external task -> end.

    Instances are created slowly (the engine starts ~100-200 a second over REST) while no task
    exists yet; one signal then turns all of them into tasks in a single transaction, so the
    worker under test drains a real backlog instead of following the creation rate.
    """
    return (
        _HEADER.format(key=key)
        + f"""
  <bpmn:signal id="Sig" name="{signal}"/>
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Gate"/>
    <bpmn:intermediateCatchEvent id="Gate">
      <bpmn:signalEventDefinition signalRef="Sig"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Gate" targetRef="Send"/>
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="{topic}"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Send" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
    )
